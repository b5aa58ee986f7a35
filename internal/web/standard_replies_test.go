package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/store"
)

// TestStandardRepliesSettings follows a supervisor managing standard replies: refused forms come back with the
// error on their field and the text as typed, a valid one is stored and audited, then deleted; another
// organisation's reply cannot be deleted, and an agent cannot manage them.
func TestStandardRepliesSettings(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	add := func(role, title, body string) (int, string) {
		res, page := e.do(request{method: "POST", path: "/parametres/reponses-types", role: role, form: url.Values{"titre": {title}, "corps": {body}}})
		return res.StatusCode, page
	}
	if _, err := e.st.AddStandardReply(ctx, store.StandardReply{OrganisationID: e.caf.ID, Title: "Délais", Body: "Sous un mois.", CreatedBy: "x"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, title, body string
		wantFields        []string // fields shown in error
		wantKept          string   // text of the form shown back
	}{
		{"nothing", "", "", []string{"reponse-titre-erreur", "reponse-corps-erreur"}, ""},
		{"no body", "Pièces", "  ", []string{"reponse-corps-erreur"}, `value="Pièces"`},
		{"no title", " ", "Un texte gardé tel quel.", []string{"reponse-titre-erreur"}, "Un texte gardé tel quel."},
		{"title too long", strings.Repeat("t", 81), "Texte.", []string{"reponse-titre-erreur"}, "Texte."},
		{"body too long", "Long", strings.Repeat("é", 4001), []string{"reponse-corps-erreur"}, `value="Long"`},
		{"title taken", "Délais", "Un autre texte.", []string{"reponse-titre-erreur"}, "Un autre texte."},
	}
	for _, tt := range tests {
		code, page := add("superviseur", tt.title, tt.body)
		if code != 422 {
			t.Errorf("%s: %d, want 422", tt.name, code)
			continue
		}
		for _, f := range []string{"reponse-titre-erreur", "reponse-corps-erreur"} {
			want := strings.Contains(strings.Join(tt.wantFields, " "), f)
			if got := strings.Contains(page, `id="`+f+`"`); got != want {
				t.Errorf("%s: error on %s shown = %v, want %v", tt.name, f, got, want)
			}
		}
		if !strings.Contains(page, tt.wantKept) || !strings.Contains(page, `aria-invalid="true"`) {
			t.Errorf("%s: the form is not shown back as typed (%q) with its field marked invalid", tt.name, tt.wantKept)
		}
	}
	if code, _ := add("superviseur", "Pièces à fournir", "Joignez votre avis d'imposition.\r\nMerci."); code != 303 {
		t.Fatalf("valid reply: %d, want 303", code)
	}
	rs, err := e.st.ListStandardReplies(ctx, e.caf.ID)
	if err != nil || len(rs) != 2 {
		t.Fatalf("stored replies: %+v %v; want two", rs, err)
	}
	// The body is stored with the browser's CRLF turned into LF.
	type reply struct{ Title, Body, CreatedBy string }
	if diff := cmp.Diff(reply{"Pièces à fournir", "Joignez votre avis d'imposition.\nMerci.", "superviseur@caf.test"},
		reply{rs[1].Title, rs[1].Body, rs[1].CreatedBy}); diff != "" {
		t.Fatalf("the reply added (-want +got):\n%s", diff)
	}
	if _, page := e.do(request{method: "GET", path: "/parametres?reponse=ajoutee", role: "superviseur"}); !strings.Contains(page, "Réponse type ajoutée.") ||
		!strings.Contains(page, "Pièces à fournir") {
		t.Error("the settings page does not list the new reply with its confirmation")
	}
	if code, _ := add("agent", "Agent", "Texte."); code != 403 {
		t.Errorf("agent adding a standard reply: %d, want 403", code)
	}
	other, err := e.st.AddStandardReply(ctx, store.StandardReply{OrganisationID: e.cpm.ID, Title: "CPAM", Body: "Texte.", CreatedBy: "x"})
	if err != nil {
		t.Fatal(err)
	}
	del := func(id int64) int {
		res, _ := e.do(request{method: "POST", path: "/parametres/reponses-types/" + strconv.FormatInt(id, 10) + "/suppression", role: "superviseur"})
		return res.StatusCode
	}
	if code := del(other.ID); code != 404 {
		t.Errorf("deleting another organisation's reply: %d, want 404", code)
	}
	if code := del(rs[1].ID); code != 303 {
		t.Errorf("delete: %d, want 303", code)
	}
	if rs, _ := e.st.ListStandardReplies(ctx, e.caf.ID); len(rs) != 1 {
		t.Errorf("after delete: %d replies, want 1", len(rs))
	}
	if code := del(rs[1].ID); code != 404 {
		t.Errorf("deleting twice: %d, want 404", code)
	}
	for _, action := range []string{"standard_reply.add", "standard_reply.delete"} {
		if es, _ := e.auth.AuditLog(ctx, auth.AuditFilter{Action: action}); len(es) != 1 {
			t.Errorf("%s audited %d times, want 1", action, len(es))
		}
	}
}

// TestPresence checks « X consulte cet avis »: a colleague who opened the review within the last ten minutes is
// named once with how long ago, never the reader themselves, and no longer after the window.
func TestPresence(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	id, _ := e.review(e.caf, "Avis", "Mon allocation est en retard.", true)
	p := "/avis/" + strconv.FormatInt(id, 10)
	note := func(role string) string {
		_, page := e.do(request{method: "GET", path: p, role: role})
		var out []string
		for _, part := range strings.Split(page, `class="fr-text--sm fr-mb-1w plume-presence" role="status">`)[1:] {
			out = append(out, strings.NewReplacer("<strong>", "", "</strong>", "").Replace(part[:strings.Index(part, "</p>")]))
		}
		return strings.Join(out, " | ")
	}
	if got := note("agent"); got != "" {
		t.Errorf("first reader: %q, want no colleague", got)
	}
	e.do(request{method: "GET", path: p, role: "superviseur"})
	e.do(request{method: "GET", path: p, role: "superviseur"})
	if got, want := note("agent"), "superviseur@caf.test consulte cet avis (ouvert il y a moins d'une minute)."; got != want {
		t.Errorf("agent sees %q, want %q", got, want)
	}
	if got, want := note("superviseur"), "agent@caf.test consulte cet avis (ouvert il y a moins d'une minute)."; got != want {
		t.Errorf("supervisor sees %q, want %q", got, want)
	}
	// age moves a user's openings back in time; the audit log refuses updates through a trigger, which this test
	// database alone bypasses (replica mode skips triggers for this transaction only).
	age := func(email, ago string) {
		ctx := context.Background()
		tx, err := e.st.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE audit_log SET at = now() - $2::interval
			WHERE user_id = (SELECT id FROM users WHERE email = $1) AND action = 'review.view'`, email, ago); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	age("superviseur@caf.test", "5 minutes 10 seconds")
	if got, want := note("agent"), "superviseur@caf.test consulte cet avis (ouvert il y a 5 min)."; got != want {
		t.Errorf("after 5 minutes, agent sees %q, want %q", got, want)
	}
	age("superviseur@caf.test", "11 minutes")
	if got := note("agent"); got != "" {
		t.Errorf("after the window, agent sees %q, want nobody", got)
	}
}
