package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/auth"
)

// TestAssignment follows « me l'attribuer »: an agent takes a review (audited), finds it under « mes avis » and
// on its inbox card; a colleague who clicks afterwards gets a 409 naming the holder and changes nothing; another
// agent cannot free it, a supervisor can; another organisation's agent cannot even reach it.
func TestAssignment(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	e.addUser("agent2", "agent2@caf.test", "Second agent", auth.RoleAgent, "caf-gironde")
	id, _ := e.review(e.caf, "Avis à prendre", "Mon allocation est en retard.", true)
	e.review(e.caf, "Avis libre", "Une autre question.", true)
	p := "/avis/" + strconv.FormatInt(id, 10)
	post := func(role, action string) (int, string, string) {
		res, body := e.do(request{method: "POST", path: p + "/" + action, role: role})
		return res.StatusCode, res.Header.Get("Location"), body
	}
	page := func(role, path string) string {
		res, body := e.do(request{method: "GET", path: path, role: role})
		if res.StatusCode != 200 {
			t.Fatalf("GET %s as %s: %d", path, role, res.StatusCode)
		}
		return body
	}
	if body := page("agent", p); !strings.Contains(body, `id="bouton-attribuer"`) || strings.Contains(body, `id="bouton-liberer"`) {
		t.Fatal("a free review offers « Me l'attribuer » and no « Libérer »")
	}
	if code, loc, _ := post("agent", "attribution"); code != 303 || !strings.Contains(loc, "fait=attribue") {
		t.Fatalf("assign: %d %s", code, loc)
	}
	if body := page("agent", p); !strings.Contains(body, "À moi") || !strings.Contains(body, `id="bouton-liberer"`) ||
		strings.Contains(body, `id="bouton-attribuer"`) {
		t.Error("after taking it, the review says « À moi » and offers « Libérer »")
	}
	if code, _, _ := post("agent", "attribution"); code != 303 {
		t.Errorf("taking one's own review again: %d, want 303", code)
	}
	mine := page("agent", "/avis?mes=1")
	if got := inboxTitles(mine); len(got) != 1 || got[0] != "Avis à prendre" {
		t.Errorf("« mes avis » lists %q, want the one review taken", got)
	}
	if !strings.Contains(mine, `id="filtre-mes-avis" href="/avis" aria-current="true"`) || !strings.Contains(mine, `<input type="hidden" name="mes" value="1">`) {
		t.Error("« mes avis » is not shown selected, or the filters form drops it")
	}
	if all := page("superviseur", "/avis"); !strings.Contains(all, `<p class="fr-text--xs fr-mb-0 plume-assignee">À Test agent</p>`) ||
		len(inboxTitles(all)) != 2 || !strings.Contains(all, `id="filtre-mes-avis" href="/avis?mes=1"`) {
		t.Error("the supervisor's inbox does not show who holds the review on its card")
	}
	if body := page("superviseur", "/avis?mes=1"); !strings.Contains(body, "Aucun avis ne vous est attribué") {
		t.Error("an empty « mes avis » does not say how to take a review")
	}
	// A colleague clicks « Me l'attribuer » on a page drawn before: refused, the holder named.
	code, _, body := post("agent2", "attribution")
	if code != 409 {
		t.Errorf("taking a colleague's review: %d, want 409", code)
	}
	missing := []string{}
	for _, p := range []string{`id="attribution-conflit"`, "Cet avis est déjà attribué à Test agent", "agent@caf.test"} {
		if !strings.Contains(body, p) {
			missing = append(missing, p)
		}
	}
	if diff := cmp.Diff([]string{}, missing); diff != "" {
		t.Errorf("taking a colleague's review: the conflict names them (-want +got):\n%s\n%.300s", diff, between(body, `id="attribution-conflit"`, "</div>"))
	}
	if code, _, _ := post("agent2", "liberation"); code != 409 {
		t.Errorf("an agent freeing a colleague's review: %d, want 409", code)
	}
	if a, err := e.st.ReviewAssignment(ctx, id); err != nil || a.UserID != e.users["agent"].ID {
		t.Fatalf("after the refusals the review is held by %+v %v, want the first agent", a, err)
	}
	if res, _ := e.do(request{method: "POST", path: p + "/attribution", role: "agent-cpam"}); res.StatusCode != 404 {
		t.Errorf("another organisation's agent: %d, want 404", res.StatusCode)
	}
	if code, loc, _ := post("superviseur", "liberation"); code != 303 || !strings.Contains(loc, "fait=libere") {
		t.Errorf("a supervisor freeing a colleague's review: %d %s, want 303", code, loc)
	}
	if got := inboxTitles(page("agent", "/avis?mes=1")); len(got) != 0 {
		t.Errorf("after release, « mes avis » lists %q", got)
	}
	if code, _, _ := post("agent", "liberation"); code != 303 {
		t.Errorf("freeing a free review: %d, want 303", code)
	}
	if res, _ := e.do(request{method: "GET", path: "/avis?mes=2", role: "agent"}); res.StatusCode != 400 {
		t.Errorf("mes=2: %d, want 400", res.StatusCode)
	}
	for action, n := range map[string]int{"review.assign": 2, "review.release": 2} {
		if es, _ := e.auth.AuditLog(ctx, auth.AuditFilter{Action: action, ObjectType: "review", ObjectID: strconv.FormatInt(id, 10)}); len(es) != n {
			t.Errorf("%s audited %d times, want %d", action, len(es), n)
		}
	}
	if body := page("agent", p+"/historique"); !strings.Contains(body, "s&#39;est attribué l&#39;avis") && !strings.Contains(body, "s'est attribué l'avis") {
		t.Error("history does not say who took the review")
	}
}
