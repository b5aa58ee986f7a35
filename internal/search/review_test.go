package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/pii"
)

func TestBuildReviewQuery(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Nous avons attendu dans le hall avec les enfants qui pleuraient. ", 80) +
		"Ma demande de carte grise est bloquée depuis le changement d'adresse."
	tests := []struct {
		name       string
		r          Review
		want, deny []string
		cues       bool
	}{
		{"placeholders and greetings out", Review{Title: pii.Public("Passeport"), Text: pii.Public("Bonjour, rappelez-moi au [TELEPHONE_1] pour mon passeport. Merci, cordialement")},
			[]string{"Passeport", "passeport"}, []string{"TELEPHONE", "Bonjour", "Merci", "cordialement"}, true},
		{"procedure sentence first", Review{Title: pii.Public("Très déçue"), Text: pii.Public("Le guichet était sale et bruyant. Mon allocation logement est suspendue depuis deux mois.")},
			[]string{"allocation logement est suspendue"}, []string{"déçue"}, true},
		{"praise has no cue", Review{Title: pii.Public("Accueil"), Text: pii.Public("Merci à l'agent, très aimable et souriant. Bravo !")},
			nil, []string{"aimable", "Bravo"}, false},
		{"long review condensed, procedure kept", Review{Title: pii.Public("Attente"), Text: pii.Public(long)},
			[]string{"carte grise"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := BuildReviewQuery(tt.r, 0)
			got := q.Text.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("query %q lacks %q", got, w)
				}
			}
			for _, w := range tt.deny {
				if strings.Contains(got, w) {
					t.Errorf("query %q has %q", got, w)
				}
			}
			if (q.Cues > 0) != tt.cues {
				t.Errorf("cues = %d, want procedure = %v", q.Cues, tt.cues)
			}
			if n := utf8.RuneCountInString(got); n > DefaultReviewQueryRunes {
				t.Errorf("query of %d runes, more than %d", n, DefaultReviewQueryRunes)
			}
		})
	}
	// The procedure sentence comes before the narrative even when written after it.
	q := BuildReviewQuery(Review{Text: pii.Public("Il pleuvait beaucoup dehors ce matin là. Le remboursement de mes soins est refusé.")}, 0)
	if !strings.HasPrefix(q.Text.String(), "Le remboursement") {
		t.Errorf("procedure sentence not first: %q", q.Text)
	}
}

func TestOrganisations(t *testing.T) {
	t.Parallel()
	o := DefaultOrganisations()
	tests := []struct {
		org, theme, breadcrumb string
		want                   bool
	}{
		{"France Titres - ANTS", "Papiers - Citoyenneté", "Papiers - Citoyenneté > Passeport", true},
		{"France Titres - ANTS", "Famille", "Famille > Mariage", false},
		{"CAF", "Social - Santé", "Social - Santé > Prime d'activité", true},
		{"Service des Impôts des particuliers", "Argent", "Argent > Impôt sur le revenu : calcul et paiement", true},
		{"Une organisation inconnue", "Argent", "Argent > Impôts locaux", false},
		{"", "Argent", "Argent > Impôts locaux", false},
	}
	for _, tt := range tests {
		if got := InFamilies(o.Families(tt.org), tt.theme, tt.breadcrumb); got != tt.want {
			t.Errorf("%q, %q: got %v, want %v", tt.org, tt.breadcrumb, got, tt.want)
		}
	}
	if _, err := ParseOrganisations(strings.NewReader("caf sans familles\n")); err == nil {
		t.Error("a line without = was accepted")
	}
}

func TestReviewAbstention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, title, text string
		cite              bool
	}{
		{"praise of a counter", "Accueil", "Merci à l'agent de l'accueil, très aimable et souriant au guichet. Bravo !", false},
		{"phone line complaint", "Injoignable", "Impossible de joindre le standard, personne ne décroche, attente interminable au téléphone.", false},
		{"procedure narrative", "Prime d'activité", "Ma prime d'activité a été suspendue après ma déclaration trimestrielle.", true},
		// « je m'appelle » and « appelez-moi » are no complaint about a phone line.
		{"name and call back", "Remboursement bloqué", "Bonjour, je m'appelle [PERSONNE_1]. Ma carte Vitale est perdue et mes remboursements de soins sont bloqués depuis deux mois. Appelez-moi au [TELEPHONE_1].", true},
		// Few procedure words but a question: the citizen wants to know what to do.
		{"question on the phone", "Que faire ?", "On m'a dit au téléphone de refaire ma demande, mais pourquoi ? Et comment ?", true},
	}
	opt := ReviewOptions{}.withDefaults()
	for _, tt := range tests {
		q := BuildReviewQuery(Review{Title: pii.Public(tt.title), Text: pii.Public(tt.text)}, 0)
		if got := !q.abstains(opt); got != tt.cite {
			t.Errorf("%s: cites = %v (cues %d, service %d, questions %d), want %v", tt.name, got, q.Cues, q.ServiceCues, q.Questions, tt.cite)
		}
	}
	if q := BuildReviewQuery(Review{Title: pii.Public("Pourquoi ?"), Text: pii.Public("Et ma carte ? Quand ? Où ?")}, 0); q.Questions != 4 {
		t.Errorf("questions = %d, want 4", q.Questions)
	}
}

// TestAbstentionBySentence checks the abstention rule on the kinds of review it separates: a démarche followed
// by phone and mail keeps its fiches, praise and a complaint about a counter or a phone line get none.
func TestAbstentionBySentence(t *testing.T) {
	t.Parallel()
	opt := ReviewOptions{}.withDefaults()
	tests := []struct {
		name    string
		r       Review
		abstain bool
	}{
		{"procedure followed by phone", Review{Title: pii.Public("Carte grise"), Text: pii.Public(
			"J'ai appelé dix fois pour mon dossier de carte grise. Au téléphone on me dit d'attendre. " +
				"Ma demande de certificat d'immatriculation est bloquée depuis trois mois. Que dois-je faire ?")}, false},
		{"short procedure review", Review{Title: pii.Public("Passeport"), Text: pii.Public(
			"Ma demande de passeport est en attente depuis huit mois.")}, false},
		{"phone line only", Review{Title: pii.Public("Téléphone"), Text: pii.Public(
			"45 minutes d'attente au téléphone. Personne ne décroche. Le site internet est en panne.")}, true},
		{"praise of the counter", Review{Title: pii.Public("Accueil parfait"), Text: pii.Public(
			"L'agent a été très aimable et efficace. Merci à toute l'équipe, bravo !")}, true},
		{"rude agent at a counter", Review{Title: pii.Public("Guichet"), Text: pii.Public(
			"L'agent au guichet était désagréable et méprisant. Aucun respect pour les usagers qui attendent.")}, true},
		// Questions asked without a question mark: the citizen wants to know what a fiche says.
		{"asks without a question mark", Review{Title: pii.Public("Allocation"), Text: pii.Public(
			"Le conseiller n'a pas su m'expliquer le calcul de mon allocation. Je voudrais comprendre comment ça marche.")}, false},
		{"does not know what to do", Review{Title: pii.Public("AME pas renouvelée"), Text: pii.Public(
			"Ma demande de renouvellement est déposée depuis deux mois, rien. Je ne sais pas quoi faire. Merci")}, false},
		{"asks for an answer", Review{Title: pii.Public("Rentrée scolaire"), Text: pii.Public(
			"L'allocation de rentrée n'a pas été versée pour mon grand. J'ai déclaré sa scolarité sur l'appli en septembre. " +
				"Merci de me dire si c'est encore possible.")}, false},
		// A past wish tells what was tried, and a doubt that names the service asks nothing a fiche answers.
		{"a past wish about a phone line", Review{Title: pii.Public("Injoignable"), Text: pii.Public(
			"Le numéro ne répond jamais, attente sans fin. Je voulais juste savoir si mon courrier était arrivé.")}, true},
		{"a doubt about the staff", Review{Title: pii.Public("Plateforme"), Text: pii.Public(
			"Personne ne décroche au téléphone. Je ne sais pas si c'est le personnel qui manque.")}, true},
		// A procedure word beside the channel complained of does not make the review about the procedure.
		{"a website bug on a form", Review{Title: pii.Public("Formulaire qui bug"), Text: pii.Public(
			"Le formulaire en ligne de demande d'acte de naissance a affiché une erreur sur le site. J'ai changé de navigateur et ça a marché.")}, true},
	}
	for _, tt := range tests {
		q := BuildReviewQuery(tt.r, 0)
		if got := q.abstains(opt); got != tt.abstain {
			t.Errorf("%s: abstain = %v, want %v (score %.1f: %d procedure, %d service, %d mixed sentences, %d conduct words)",
				tt.name, got, tt.abstain, q.procedureScore(opt), q.ProcedureSentences, q.ServiceSentences, q.MixedSentences, q.Conduct)
		}
	}
}
