package draft

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/plume-services/plume/internal/ground"
)

// OfflineModel names drafts written without a model, everywhere they are shown or recorded.
const OfflineModel = "rédacteur hors ligne"

// offlineInput is what the offline drafter reads: the filtered review and the passages retrieved for it.
type offlineInput struct {
	Organisation string
	Signature    string
	Title, Text  string // redacted
	Feeling      string // as given by the citizen (Positif, Négatif, Neutre…), may be empty
	Passages     []ground.Passage
	// Abstained says retrieval found no fiche relevant enough: the review is praise, a complaint about a
	// counter, or a démarche the corpus does not cover. The reply is a short acknowledgement quoting nothing.
	Abstained bool
}

var (
	negativeRE = regexp.MustCompile(`(?i)(inadmissible|scandal|honte|honteux|inacceptable|déçu|decu|déçue|colère|marre|` +
		`aucune réponse|sans réponse|toujours pas|jamais|attente|attendre|attends|bloqué|perdu|erreur|injuste|incompréhensible|` +
		`lamentable|catastroph|nul\b|injoignable|impossible|refus|retard|radié|suspendu|!!)`)
	positiveRE = regexp.MustCompile(`(?i)(merci|remercie|efficace|rapide|agréable|aimable|à l'écoute|satisfait|bravo|` +
		`excellent|parfait|très bien|top|professionnel|réactif|soulag)`)
	actionRE = regexp.MustCompile(`(?i)(vous devez|vous pouvez|il faut|il vous faut|faites|adressez|connectez|contactez|` +
		`rendez-vous|en ligne|formulaire|demande|déclar|envoy|joindre|justificatif|espace personnel|compte)`)
)

// tone classifies a review as "negatif", "positif" or "neutre", from the citizen's own feeling when given.
func tone(feeling, text string) string {
	f := strings.ToLower(feeling)
	switch {
	case strings.Contains(f, "négati") || strings.Contains(f, "negati") || strings.Contains(f, "mécontent"):
		return "negatif"
	case strings.Contains(f, "positi") || strings.Contains(f, "satisf"):
		return "positif"
	}
	neg, pos := len(negativeRE.FindAllString(text, -1)), len(positiveRE.FindAllString(text, -1))
	switch {
	case neg > pos:
		return "negatif"
	case pos > neg:
		return "positif"
	}
	return "neutre"
}

// offlineDraft writes a useful reply with no model: greeting, an acknowledgement fitted to the tone and topic,
// the passages most relevant to the review with their citations, the next step, and the closing. It never
// writes a fact that is not a sentence of a source.
func offlineDraft(in offlineInput) string {
	if in.Abstained {
		return offlineAcknowledgement(in)
	}
	var b strings.Builder
	b.WriteString("Bonjour,\n\n")
	topic := ""
	if len(in.Passages) > 0 {
		topic = in.Passages[0].Title
	}
	switch tone(in.Feeling, in.Title+" "+in.Text) {
	case "positif":
		b.WriteString("Nous vous remercions sincèrement pour votre message et pour le temps pris à partager votre expérience. ")
		b.WriteString("Vos encouragements seront transmis aux équipes concernées.")
	case "negatif":
		b.WriteString("Nous vous remercions pour votre message et sommes sincèrement désolés des difficultés que vous avez rencontrées")
		if topic != "" {
			fmt.Fprintf(&b, " dans votre démarche « %s »", topic)
		}
		b.WriteString(". Votre retour est pris en compte pour améliorer notre service.")
	default:
		b.WriteString("Nous vous remercions pour votre message")
		if topic != "" {
			fmt.Fprintf(&b, " concernant votre démarche « %s »", topic)
		}
		b.WriteString(".")
	}
	b.WriteString("\n\n")

	// Each passage's two sentences closest to the review; the first passage quoted is the best-ranked one that
	// has any.
	explained := 0
	var next string
	var quoted []string // every sentence quoted above, which the next step must not say again
	var first *ground.Passage
	for _, q := range ground.Pick(in.Title+" "+in.Text, in.Passages, ground.PickOptions{PerPassage: 2, MaxLen: 300}) {
		if explained == 2 {
			break
		}
		p := q.Passage
		// A second fiche is quoted only when it is nearly as relevant as the first and shares several words
		// with the review: an off-topic quotation costs the agent more than it helps.
		if explained > 0 && (q.Shared < 2 || p.Score < 0.8*in.Passages[0].Score) {
			continue
		}
		if explained == 0 {
			fmt.Fprintf(&b, "Pour rappel, d'après la fiche officielle « %s » : ", p.Title)
		} else {
			fmt.Fprintf(&b, "La fiche « %s » précise également : ", p.Title)
		}
		b.WriteString(strings.Join(q.Sentences, " "))
		fmt.Fprintf(&b, " [%d]\n\n", p.N)
		explained++
		quoted = append(quoted, q.Sentences...)
		if first == nil {
			first = &p
		}
	}
	// The next step comes from the first fiche quoted, once every quotation is known, so that it repeats none.
	if first != nil {
		next = nextStep(*first, quoted)
	}
	if explained == 0 {
		b.WriteString("Nous n'avons pas trouvé de fiche officielle qui réponde précisément à votre situation. ")
	}
	// The next step may come from a relevant fiche that was not quoted.
	for i := 0; next == "" && i < len(in.Passages) && i < 3; i++ {
		if p := in.Passages[i]; p.Score >= 0.8*in.Passages[0].Score {
			next = nextStep(p, quoted)
		}
	}
	if next != "" {
		b.WriteString(next)
	} else {
		org := in.Organisation
		if org == "" {
			org = "votre organisme"
		}
		fmt.Fprintf(&b, "Pour que votre situation soit examinée, vous pouvez contacter %s depuis votre espace personnel en ligne ou à l'accueil, en précisant les références de votre dossier.", org)
	}
	b.WriteString("\n\nNous restons à votre écoute.\n\n")
	b.WriteString(signature(in))
	return b.String()
}

// offlineAcknowledgement is the short reply to a review no fiche answers: thanks fitted to the tone, the
// message passed on to the team, no procedure explained, no fiche quoted.
func offlineAcknowledgement(in offlineInput) string {
	var b strings.Builder
	b.WriteString("Bonjour,\n\n")
	switch tone(in.Feeling, in.Title+" "+in.Text) {
	case "positif":
		b.WriteString("Nous vous remercions sincèrement pour votre message et pour le temps pris à partager votre expérience. ")
		b.WriteString("Vos encouragements seront transmis aux équipes concernées.")
	case "negatif":
		b.WriteString("Nous vous remercions pour votre message et sommes sincèrement désolés de l'expérience que vous décrivez. ")
		b.WriteString("Votre retour a été transmis aux équipes concernées afin d'améliorer notre service.")
	default:
		b.WriteString("Nous vous remercions pour votre message, qui a été transmis aux équipes concernées.")
	}
	b.WriteString("\n\nNous restons à votre écoute.\n\n")
	b.WriteString(signature(in))
	return b.String()
}

func signature(in offlineInput) string {
	if in.Signature != "" {
		return in.Signature
	}
	if in.Organisation != "" {
		return "Le service relations usagers — " + in.Organisation
	}
	return "Le service relations usagers"
}

// nextStep finds in a passage a sentence telling the citizen what to do, other than those already quoted.
func nextStep(p ground.Passage, quoted []string) string {
	for _, s := range ground.Sentences(p.Text) {
		if len(s) < 30 || len(s) > 300 || !actionRE.MatchString(s) || slices.Contains(quoted, s) {
			continue
		}
		return fmt.Sprintf("Concrètement : %s [%d]", s, p.N)
	}
	return ""
}
