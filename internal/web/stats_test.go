package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/store"
)

// TestStatsFigures publishes two replies with known delays and edits and checks the figures and charts shown.
func TestStatsFigures(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	// Published as drafted, 10 hours after arrival.
	a, ad := e.review(e.caf, "A", "Mon allocation logement est en retard.", true)
	// Rewritten entirely before publication, 2 hours after arrival.
	b, _ := e.review(e.caf, "B", "Ma prime d'activité a baissé.", true)
	bd, err := e.st.AddDraft(ctx, store.Draft{ReviewID: b, Kind: store.DraftEdit, Text: "Réécrit entièrement par l'agent."})
	if err != nil {
		t.Fatal(err)
	}
	for id, h := range map[int64]string{a: "10 hours", b: "2 hours"} {
		if _, err := e.st.Pool.Exec(ctx, "UPDATE reviews SET created_at = now() - $2::interval WHERE id = $1", id, h); err != nil {
			t.Fatal(err)
		}
	}
	publish(t, e.st, a, ad)
	publish(t, e.st, b, bd.ID)
	c, _ := e.review(e.caf, "C", "Hors sujet.", false)
	if _, err := e.st.SetReviewStatus(ctx, c, store.StatusChange{To: store.StatusRejected, RejectedReason: "Autre : publicité"}); err != nil {
		t.Fatal(err)
	}
	res, page := e.do(request{method: "GET", path: "/statistiques", role: "superviseur"})
	if res.StatusCode != 200 {
		t.Fatalf("statistics: %d", res.StatusCode)
	}
	tiles := tileText(page)
	for _, want := range []string{"6,0 h", "50 %", "2 / 1"} {
		if !strings.Contains(tiles, want) {
			t.Errorf("tiles %q lack %q", tiles, want)
		}
	}
	for _, want := range []string{`<svg role="img"`, "<title id=\"graph-themes-t\">Réponses publiées par thème</title>",
		"<caption>Statistiques par thème</caption>", "Prestations familiales", `<th scope="row" class="plume-cell-text">Autre</th><td>1</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("statistics page lacks %q", want)
		}
	}
	if res, _ := e.do(request{method: "GET", path: "/statistiques?semaines=0", role: "superviseur"}); res.StatusCode != 400 {
		t.Errorf("semaines=0: %d, want 400", res.StatusCode)
	}
}
