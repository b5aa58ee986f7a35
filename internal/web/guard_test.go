package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/store"
)

// TestPublicationGuard posts, as a crafted form would, a reply carrying the citizen's phone and NIR and a promise
// the supervisors forbade: the server refuses it with the three items listed, keeps the text, and publishes once
// they are removed. Bidirectional controls are stripped from what is kept.
func TestPublicationGuard(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	if err := e.st.SetOrganisationPromptSettings(ctx, e.caf.ID, store.PromptSettings{Forbidden: []string{"sous 8 jours, c'est garanti"}}); err != nil {
		t.Fatal(err)
	}
	id, _ := e.review(e.caf, "Allocation en retard",
		"Je suis Élodie Ndiaye, mon téléphone est le 06 12 34 56 78 et mon NIR 2 85 03 75 116 238 42. Mon allocation n'arrive pas.", true)
	p := "/avis/" + strconv.FormatInt(id, 10) + "/publier"
	bad := "Bonjour Camille,\n\nMerci pour votre avis. Nous vous rappellerons au 06 12 34 56 78.\n" +
		"Votre NIR 2 85 03 75 116 238 42 est enregistré.\nVotre dossier sera traité sous 8 jours, c'est garanti.\n\nLe service relations usagers"
	res, body := e.do(request{method: "POST", path: p, role: "agent", form: url.Values{"texte": {bad}},
		header: map[string]string{"Accept": "application/json"}})
	if res.StatusCode != 422 {
		t.Fatalf("crafted approval: %d %.400s", res.StatusCode, body)
	}
	var ae struct {
		Message string   `json:"message"`
		Items   []string `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &ae); err != nil {
		t.Fatal(err)
	}
	want := []string{"numéro de téléphone « 06 12 34 56 78 » (ligne 3", "numéro de sécurité sociale (NIR) « 2 85 03 75 116 238 42 » (ligne 4",
		"engagement interdit par l'organisme (« sous 8 jours, c'est garanti »)"}
	if len(ae.Items) != len(want) {
		t.Fatalf("items %q, want 3", ae.Items)
	}
	for i, w := range want {
		if !strings.Contains(ae.Items[i], w) {
			t.Errorf("item %d = %q, want it to contain %q", i, ae.Items[i], w)
		}
	}
	if !strings.HasPrefix(ae.Message, "Publication refusée") {
		t.Errorf("message %q", ae.Message)
	}
	if st := e.status(id); st == store.StatusInReview || st == store.StatusPublished {
		t.Fatalf("status %s after a refused approval", st)
	}
	ds, _ := e.st.ListDrafts(ctx, id)
	if ds[len(ds)-1].Text != bad {
		t.Error("the refused text was not kept for the agent to fix")
	}
	// The HTML page lists the items too.
	res, body = e.do(request{method: "POST", path: p, role: "agent", form: url.Values{"texte": {bad}}})
	if res.StatusCode != 422 || strings.Count(body, "<li>") < 3 || !strings.Contains(body, "numéro de téléphone") {
		t.Errorf("HTML refusal: %d %.500s", res.StatusCode, body)
	}
	good := "Bonjour Camille\u202e,\n\nMerci pour votre avis. Un conseiller reprendra votre dossier et vous pourrez suivre son avancement " +
		"dans votre espace personnel sur caf.fr.\n\nLe service relations usagers"
	res, body = e.do(request{method: "POST", path: p, role: "agent", form: url.Values{"texte": {good}}})
	if res.StatusCode != 303 {
		t.Fatalf("fixed approval: %d %.400s", res.StatusCode, body)
	}
	ds, _ = e.st.ListDrafts(ctx, id)
	if got := ds[len(ds)-1].Text; strings.ContainsRune(got, '\u202e') || !strings.HasPrefix(got, "Bonjour Camille,") {
		t.Errorf("approved text kept a bidirectional control: %q", got)
	}
}
