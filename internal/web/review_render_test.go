package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/store"
)

// onlineModel makes the server believe a model is configured; the review pages never call it.
type onlineModel struct{}

func (onlineModel) Complete(context.Context, llm.Request) (llm.Response, error) {
	return llm.Response{}, errors.New("onlineModel: not called by the pages")
}

func (onlineModel) Stream(context.Context, llm.Request, func(string) error) (llm.Response, error) {
	return llm.Response{}, errors.New("onlineModel: not called by the pages")
}

func (onlineModel) Model() string { return "fake" }

// sourcedDraft stores a model draft citing the first of two passages, with a sentence no source supports and a
// check whose message carries an internal address, and makes the review « brouillon prêt ».
func sourcedDraft(t *testing.T, e *uiEnv, id int64) store.Draft {
	t.Helper()
	ctx := context.Background()
	ps := []ground.Passage{
		{N: 1, ChunkID: 1, DocID: "F12006", Title: "Aide personnalisée au logement (APL)", SectionPath: "Conditions > Ressources",
			URL: "https://www.service-public.fr/particuliers/vosdroits/F12006", Date: time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC),
			Text: "L'aide au logement est versée chaque mois par la Caf, sous conditions de ressources.", Cited: true},
		{N: 2, ChunkID: 2, DocID: "F1234", Title: "Prime d'activité", Text: "La prime d'activité complète les revenus d'activité."},
	}
	text := "Bonjour,\n\nL'aide au logement est versée chaque mois par la Caf [1]. Votre aide sera de 4321 euros dès le 3 mars.\n\nCordialement,"
	d, err := e.st.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftAI, Model: "fake", Text: text, CreatedBy: "automatique", Sources: ps,
		Checks: []ground.Check{{Code: "promise", Message: "Engagement à vérifier (voir http://127.0.0.1:8080/regles)", Excerpt: "dès le 3 mars"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetReviewStatus(ctx, id, store.StatusChange{To: store.StatusDraftReady}); err != nil {
		t.Fatal(err)
	}
	return d
}

// pageCase is one state of the review screen: what must be on the page and what must not.
type pageCase struct {
	name     string
	path     string
	want     []string
	wantNot  []string
	wantCode int
}

func checkPages(t *testing.T, e *uiEnv, role string, cases []pageCase) {
	t.Helper()
	for _, tt := range cases {
		code := tt.wantCode
		if code == 0 {
			code = 200
		}
		res, page := e.do(request{method: "GET", path: tt.path, role: role})
		if res.StatusCode != code {
			t.Errorf("%s: GET %s = %d, want %d\n%.500s", tt.name, tt.path, res.StatusCode, code, page)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: GET %s lacks %q", tt.name, tt.path, w)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(page, w) {
				t.Errorf("%s: GET %s shows %q", tt.name, tt.path, w)
			}
		}
	}
}

// TestReviewPageStates renders the review screen, its history and the inbox in every state a review goes
// through on a server with a model: a model draft with cited and uncited sources, the agent's edit of it, a new
// review without draft, an offline draft, a pending publication whose last attempt failed, a published review and
// a review set aside. Each page answers 200 and shows the elements of its state; every template branch runs.
func TestReviewPageStates(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{model: onlineModel{}})
	ctx := context.Background()
	path := func(id int64) string { return "/avis/" + strconv.FormatInt(id, 10) }

	sourced, _ := e.review(e.caf, "Aide au logement", "Mon aide au logement n'est pas arrivée.", false)
	ai := sourcedDraft(t, e, sourced)
	edited, _ := e.review(e.caf, "Aide modifiée", "Mon aide au logement est en retard.", false)
	sourcedDraft(t, e, edited)
	if res, _ := e.do(request{method: "POST", path: path(edited) + "/enregistrer", role: "superviseur",
		form: url.Values{"texte": {"Bonjour,\n\nMerci pour votre message au sujet de votre aide au logement. L'aide au logement est versée chaque mois " +
			"par la Caf, sous conditions de ressources [1]. Nos services regardent votre dossier avec attention et reviennent vers vous " +
			"dès que possible ; vous pouvez aussi suivre son avancement depuis votre espace personnel.\n\nCordialement,"}}}); res.StatusCode != 303 {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	fresh, _ := e.review(e.caf, "Sans brouillon", "Une question sans réponse encore.", false)
	offline, _ := e.review(e.caf, "Brouillon hors ligne", "Mon allocation est en retard.", true)
	pending, _ := e.review(e.caf, "En publication", "Mon allocation est en retard.", true)
	if res, _ := e.do(request{method: "POST", path: path(pending) + "/publier", role: "agent", form: url.Values{"texte": {"Bonjour, voici la réponse."}}}); res.StatusCode != 303 {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	approved, err := e.st.LatestDraft(ctx, pending)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.RecordPublicationFailure(ctx, pending, approved.ID, 1, "test", "portail indisponible sur http://10.0.0.5:443", false); err != nil {
		t.Fatal(err)
	}
	published, pubDraft := e.review(e.caf, "Déjà publié", "Question réglée.", true)
	publish(t, e.st, published, pubDraft)
	if _, err := e.st.AddDraft(ctx, store.Draft{ReviewID: published, Kind: store.DraftPublished, Text: "Texte tel que publié.", CreatedBy: "portail"}); err != nil {
		t.Fatal(err)
	}
	rejected, _ := e.review(e.caf, "Écarté", "Hors sujet.", true)
	if _, err := e.st.SetReviewStatus(ctx, rejected, store.StatusChange{To: store.StatusRejected, RejectedReason: "Doublon : déjà traité"}); err != nil {
		t.Fatal(err)
	}
	// A colleague opened the sourced review a moment ago.
	if res, _ := e.do(request{method: "GET", path: path(sourced), role: "superviseur"}); res.StatusCode != 200 {
		t.Fatalf("colleague's view: %d", res.StatusCode)
	}

	editorOn := []string{`id="form-editeur"`, `id="bouton-publier"`, `id="modale-publier"`, `id="ecarter"`, `id="texte"`}
	editorOff := []string{`id="form-editeur"`, `id="bouton-publier"`, `id="modale-publier"`, `id="ecarter"`}
	checkPages(t, e, "agent", []pageCase{
		{name: "model draft with sources", path: path(sourced), want: append([]string{
			`id="source-1"`, `id="source-2"`, "Sources (2)", "Aide personnalisée au logement (APL)", "Conditions &gt; Ressources", "À jour au 01/04/2020",
			`href="https://www.service-public.fr/particuliers/vosdroits/F12006"`, "Citer [1]", "Insérer l'extrait",
			`plume-cited-badge">citée`, `plume-cited-badge" hidden>citée`, `<a href="#source-1" class="plume-cite" data-cite="1">[1]</a>`,
			`<mark class="plume-unsupported">`, "1 phrase sans source", "chiffres introuvables dans les sources : 4321",
			"version " + strconv.Itoa(ai.Version) + ", brouillon du modèle", "[adresse masquée]", "dès le 3 mars",
			"/brouillons/" + strconv.FormatInt(ai.ID, 10) + "/retour", "Plus court",
			"superviseur@caf.test</strong> consulte cet avis", `id="avis-suivant"`}, editorOn...),
			wantNot: []string{`id="bandeau-hors-ligne"`, `id="reecrire-indisponible"`, "127.0.0.1", `data-cite="2">[2]</a>`}},
		{name: "agent's edit keeps the sources", path: path(edited), want: append([]string{
			"modifiée par superviseur@caf.test", `id="source-1"`, "Sources (2)", "Aucun avertissement sur la dernière version."}, editorOn...)},
		{name: "new review without draft", path: path(fresh), want: []string{"Générer un brouillon", "Sources (0)", "Aucune source n'a été trouvée",
			"Pas encore de brouillon.", "Rien à relire pour l'instant.", `id="version-editee" value="0"`, `id="form-editeur"`},
			wantNot: []string{`class="plume-rewrites"`, `id="retour"`}},
		{name: "offline draft on a server with a model", path: path(offline), want: append([]string{"brouillon hors ligne", `id="retour"`}, editorOn...),
			wantNot: []string{`id="bandeau-hors-ligne"`}},
		{name: "pending publication, last attempt failed", path: path(pending), want: []string{"Publication en cours", "Dernière tentative en échec",
			"portail indisponible", "[adresse masquée]", `id="texte-fige"`}, wantNot: append([]string{"10.0.0.5"}, editorOff...)},
		{name: "published", path: path(published), want: []string{"Réponse publiée", `id="texte-fige"`, "texte publié", "Texte tel que publié."}, wantNot: append([]string{"Rouvrir"}, editorOff...)},
		{name: "set aside", path: path(rejected), want: []string{"Avis écarté", "Motif : Doublon : déjà traité", "Rouvrir l'avis", `id="texte-fige"`},
			wantNot: editorOff},
		{name: "history of the edited review", path: path(edited) + "/historique", want: []string{"Version 2 — Modification", "Version 1 — Brouillon du modèle (fake)",
			`<del class="plume-del">`, "Restaurer cette version"}},
		{name: "history of the published review", path: path(published) + "/historique", want: []string{"publiée le", "approuvée par agent@caf.test"},
			wantNot: []string{"Restaurer cette version"}},
		{name: "history of the pending review", path: path(pending) + "/historique", want: []string{"publication demandée"}},
		{name: "inbox", path: "/avis?fait=publication", want: []string{"Réponse approuvée : publication en cours.", "Aide au logement", "Sans brouillon",
			"Déjà publié", "Écarté", "2 versions", "1 version", `plume-tag--current" href="/avis" aria-current="true"`},
			wantNot: []string{`id="badge-hors-ligne-boite"`, "Aucun avis ne correspond"}},
		{name: "inbox with nothing found", path: "/avis?q=introuvable", want: []string{"Aucun avis ne correspond à ces filtres.", `plume-filters-box fr-mb-1w" open`}},
		{name: "inbox first page link", path: "/avis?limite=2", want: []string{"Avis suivants"}},
	})
	// The live check while typing: a sentence its source supports, then one no source does.
	for _, tt := range []struct{ text, want string }{
		{"L'aide au logement est versée chaque mois par la Caf, sous conditions de ressources [1].", "toutes les affirmations ont une source"},
		{"Votre aide sera de 4321 euros dès le 3 mars.", "1 phrase sans source"},
		{"", "Rien à relire pour l'instant."},
	} {
		res, body := e.do(request{method: "POST", path: path(sourced) + "/relecture", role: "agent", form: url.Values{"texte": {tt.text}}})
		if res.StatusCode != 200 || !strings.Contains(body, tt.want) || strings.Contains(body, "<html") {
			t.Errorf("relecture of %q: %d, want the partial saying %q:\n%.300s", tt.text, res.StatusCode, tt.want, body)
		}
	}
	// The viewer does not see themselves as a colleague.
	if _, page := e.do(request{method: "GET", path: path(sourced), role: "superviseur"}); strings.Contains(page, "superviseur@caf.test</strong> consulte") {
		t.Error("the supervisor is told they are reading their own review")
	}
	_, page := e.do(request{method: "GET", path: "/avis?limite=2", role: "agent"})
	if next := nextLink(page); next == "" {
		t.Error("no next page link")
	} else {
		checkPages(t, e, "agent", []pageCase{{name: "inbox second page", path: next, want: []string{"Retour au début"}}})
	}
}

// TestReviewPageOffline renders the screens of a server without a model: the banner, the inbox badge and the
// rewrite buttons disabled with their reason; an old open review is flagged late in the inbox.
func TestReviewPageOffline(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	id, _ := e.review(e.caf, "Hors ligne", "Mon allocation est en retard.", true)
	_, _, err := e.st.UpsertReview(ctx, store.ReviewUpsert{OrganisationID: e.caf.ID, Source: "test", ExternalID: "ancien",
		Title: "Avis ancien", Body: "Toujours sans réponse.", WrittenAt: time.Now().AddDate(0, 0, -30)})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.st.UpsertReview(ctx, store.ReviewUpsert{OrganisationID: e.caf.ID, Source: "test", ExternalID: "jour",
		Title: "Avis du jour", Body: "Reçu ce matin.", WrittenAt: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	checkPages(t, e, "agent", []pageCase{
		{name: "offline review", path: "/avis/" + strconv.FormatInt(id, 10), want: []string{`id="bandeau-hors-ligne"`, `id="badge-hors-ligne"`,
			`id="reecrire-indisponible"`, `value="plus_court" data-stream data-instruction=`, "brouillon hors ligne", `data-offline="true"`}},
		{name: "offline inbox", path: "/avis", want: []string{`id="badge-hors-ligne-boite"`, "plume-inbox-row--late", "en retard", "30 j", "aujourd'hui",
			"Délai cible : 7 jours"}},
	})
	_, page := e.do(request{method: "GET", path: "/avis/" + strconv.FormatInt(id, 10), role: "agent"})
	rewrites := between(page, `id="titre-reecrire"`, "</div>")
	if n := strings.Count(rewrites, " disabled>"); n != 4 {
		t.Errorf("offline: %d rewrite buttons disabled, want 4:\n%s", n, rewrites)
	}
}

// TestStandardRepliesInTheEditor checks that the editor's data block carries the organisation's standard replies
// as valid JSON, whatever characters they hold, and never another organisation's.
func TestStandardRepliesInTheEditor(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	tricky := store.StandardReply{OrganisationID: e.caf.ID, Title: `Délais « 5 » </script><script>alert(1)</script>`,
		Body: "Ligne 1\nLigne 2 \"citée\" & <b>gras</b> \u2028 fin", CreatedBy: "chef@caf.test"}
	for _, r := range []store.StandardReply{tricky, {OrganisationID: e.cpm.ID, Title: "Secret CPAM", Body: "Ne pas montrer.", CreatedBy: "x"}} {
		if _, err := e.st.AddStandardReply(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	id, _ := e.review(e.caf, "Avis", "Texte.", true)
	_, page := e.do(request{method: "GET", path: "/avis/" + strconv.FormatInt(id, 10), role: "agent"})
	block := between(page, `<script type="application/json" id="reponses-types-donnees">`, "</script>")
	block = strings.TrimPrefix(block, `<script type="application/json" id="reponses-types-donnees">`)
	var got []struct{ Titre, Corps string }
	if err := json.Unmarshal([]byte(block), &got); err != nil {
		t.Fatalf("the standard replies are not valid JSON: %v\n%s", err, block)
	}
	want := []struct{ Titre, Corps string }{{tricky.Title, tricky.Body}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("standard replies in the editor (-want +got):\n%s", diff)
	}
}

// TestApprovalRecordsAcknowledgedPoints checks that the points the agent acknowledged in the publish dialog go
// into the approval's audit entry, known keys only, each once.
func TestApprovalRecordsAcknowledgedPoints(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	id, _ := e.review(e.caf, "Avis", "Mon allocation est en retard.", true)
	res, _ := e.do(request{method: "POST", path: "/avis/" + strconv.FormatInt(id, 10) + "/publier", role: "agent",
		form: url.Values{"texte": {"Bonjour, voici la réponse."}, "relu": {"sans-source, courte,<script>,garde-0,controle-3,courte"}}})
	if res.StatusCode != 303 {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	es, err := e.auth.AuditLog(context.Background(), auth.AuditFilter{Action: "reply.approve", ObjectType: "review", ObjectID: strconv.FormatInt(id, 10)})
	if err != nil || len(es) != 1 {
		t.Fatalf("approval audit: %v %v", es, err)
	}
	if diff := cmp.Diff([]any{"sans-source", "courte", "controle-3"}, es[0].Details["relu"]); diff != "" {
		t.Errorf("acknowledged points in the audit (-want +got):\n%s", diff)
	}
}
