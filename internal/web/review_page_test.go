package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/store"
)

// TestHostileReviewRendersAsText stores a review made to break the page and checks that the inbox, the review
// and its history show it as text.
func TestHostileReviewRendersAsText(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	long := strings.Repeat("x", 5000)
	body := `<script>alert("avis")</script> <img src=x onerror=alert(1)> <a href="javascript:alert(2)">lien</a> ` +
		long + " 😀👍🏽 مرحبا بكم שלום " + strings.Repeat("Texte très long. ", 1200)
	body = body[:20000]
	id, _ := e.review(e.caf, `<svg onload=alert(3)>Titre</svg>`, body, true)
	for _, p := range []string{"/avis", "/avis/" + strconv.FormatInt(id, 10), "/avis/" + strconv.FormatInt(id, 10) + "/historique"} {
		res, page := e.do(request{method: "GET", path: p, role: "agent"})
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", p, res.StatusCode)
		}
		for _, raw := range []string{`<script>alert`, `<img src=x`, `<svg onload`, `href="javascript:`, `<a href="javascript`} {
			if strings.Contains(page, raw) {
				t.Errorf("GET %s contains %q unescaped", p, raw)
			}
		}
		if strings.HasSuffix(p, strconv.FormatInt(id, 10)) {
			for _, want := range []string{`&lt;svg onload=alert(3)&gt;Titre&lt;/svg&gt;`} {
				if !strings.Contains(page, want) {
					t.Errorf("GET %s does not show the title escaped (%q)", p, want)
				}
			}
		}
		// Data blocks (type="application/json") are inert: the browser never runs them.
		if strings.Count(page, "<script") != strings.Count(page, `<script src="/static/`)+strings.Count(page, `<script type="module" src="/static/`)+
			strings.Count(page, `<script type="application/json" id="`) {
			t.Errorf("GET %s has a script element that is not one of Plume's files", p)
		}
	}
	_, page := e.do(request{method: "GET", path: "/avis/" + strconv.FormatInt(id, 10), role: "agent"})
	for _, want := range []string{`&lt;script&gt;alert(&#34;avis&#34;)&lt;/script&gt;`, "😀👍🏽", "مرحبا بكم", long} {
		if !strings.Contains(page, want) {
			t.Errorf("review page lacks %.40q", want)
		}
	}
	// The citizen's text sits in boxes that wrap anywhere and isolate its direction.
	if !strings.Contains(page, `class="plume-review-text"`) {
		t.Error("citizen text is not in a plume-review-text box")
	}
	css, err := staticFile("css/plume.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"overflow-wrap: anywhere", "unicode-bidi: plaintext"} {
		if !strings.Contains(css, rule) {
			t.Errorf("plume.css lacks %q", rule)
		}
	}
}

func staticFile(name string) (string, error) {
	b, err := readFile(filepath.Join("..", "..", "web", "static", name))
	return string(b), err
}

// TestReviewWorkflow follows an agent: open (audited), save an edit, give feedback, approve (publication queued,
// review en relecture, shown as « publication en cours »), publisher acknowledges, review publie, history
// shows the versions with their diff and who did what.
func TestReviewWorkflow(t *testing.T) {
	t.Parallel()
	exportPath := filepath.Join(t.TempDir(), "export.jsonl")
	pub, err := jobs.NewExportPublisher(exportPath)
	if err != nil {
		t.Fatal(err)
	}
	e := newUIEnv(t, envOptions{publisher: pub})
	ctx := context.Background()
	id, did := e.review(e.caf, "Allocation en retard", "Je m'appelle Jeanne Martin et mon allocation n'est pas arrivée.", true)
	sid := strconv.FormatInt(id, 10)

	res, page := e.do(request{method: "GET", path: "/avis/" + sid, role: "agent"})
	if res.StatusCode != 200 || !strings.Contains(page, "Jeanne Martin") {
		t.Fatalf("review page: %d, citizen text in clear expected", res.StatusCode)
	}
	if !strings.Contains(page, "tel que le modèle l'a vu") || strings.Count(page, "Jeanne Martin") < 1 {
		t.Error("review page lacks the model's view")
	}
	if redacted := between(page, `id="texte-filtre"`, "</details>"); strings.Contains(redacted, "Jeanne Martin") || !strings.Contains(redacted, "[") {
		t.Errorf("the model's view shows the name in clear or no placeholder:\n%s", redacted)
	}
	views, err := e.auth.AuditLog(ctx, auth.AuditFilter{Action: "review.view", ObjectType: "review", ObjectID: sid})
	if err != nil || len(views) != 1 || views[0].UserID != e.users["agent"].ID {
		t.Fatalf("viewing the review in clear: audit %v %v, want one review.view by the agent", views, err)
	}

	edited := "Bonjour,\n\nVotre allocation sera examinée par nos services. Nous restons à votre disposition.\n\nCordialement,"
	res, _ = e.do(request{method: "POST", path: "/avis/" + sid + "/enregistrer", role: "agent", form: url.Values{"texte": {edited}}})
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "fait=enregistre") {
		t.Fatalf("save: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	ds, err := e.st.ListDrafts(ctx, id)
	if err != nil || len(ds) != 2 {
		t.Fatalf("after save: %d drafts (%v), want the model's and the agent's", len(ds), err)
	}
	type version struct {
		Kind            store.DraftKind
		Text, CreatedBy string
	}
	if diff := cmp.Diff(version{store.DraftEdit, edited, "agent@caf.test"}, version{ds[1].Kind, ds[1].Text, ds[1].CreatedBy}); diff != "" {
		t.Fatalf("the agent's version (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ds[0].Sources, ds[1].Sources, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the edit lost the sources of the draft it edits (-draft +edit):\n%s", diff)
	}
	// Feedback stays about the model's draft, not the agent's edit.
	if _, page := e.do(request{method: "GET", path: "/avis/" + sid, role: "agent"}); !strings.Contains(page, "/brouillons/"+strconv.FormatInt(did, 10)+"/retour") {
		t.Error("after an edit, the feedback form no longer targets the model's draft")
	}
	// Saving the same text again stores nothing.
	e.do(request{method: "POST", path: "/avis/" + sid + "/enregistrer", role: "agent", form: url.Values{"texte": {edited}}})
	if ds, _ := e.st.ListDrafts(ctx, id); len(ds) != 2 {
		t.Errorf("saving an unchanged text stored a version: %d", len(ds))
	}

	res, _ = e.do(request{method: "POST", path: "/avis/" + sid + "/brouillons/" + strconv.FormatInt(did, 10) + "/retour", role: "agent",
		form: url.Values{"pouce": {"-1"}, "etiquettes": {"trop_long", "ton_inadapte"}, "commentaire": {"Trop administratif."}}})
	if res.StatusCode != 303 {
		t.Fatalf("feedback: %d", res.StatusCode)
	}
	fb, err := e.st.ReviewFeedback(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	type opinion struct {
		DraftID int64
		Thumbs  int
		Tags    []string
		Comment string
	}
	var got []opinion
	for _, f := range fb {
		got = append(got, opinion{f.DraftID, f.Thumbs, f.Tags, f.Comment})
	}
	want := []opinion{{did, -1, []string{"trop_long", "ton_inadapte"}, "Trop administratif."}}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Fatalf("feedback stored, about the model's draft (-want +got):\n%s", diff)
	}
	res, body := e.do(request{method: "POST", path: "/avis/" + sid + "/brouillons/" + strconv.FormatInt(did, 10) + "/retour", role: "agent",
		form: url.Values{"pouce": {"1"}, "etiquettes": {"faux"}}})
	if res.StatusCode != 400 || !strings.Contains(body, "étiquette") {
		t.Errorf("unknown tag: %d, want 400 naming the tag", res.StatusCode)
	}

	approved := edited + "\n\nLe service des prestations"
	res, _ = e.do(request{method: "POST", path: "/avis/" + sid + "/publier", role: "agent", form: url.Values{"texte": {approved}}})
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "fait=publication") {
		t.Fatalf("approve: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if st := e.status(id); st != store.StatusInReview {
		t.Errorf("after approval the review is %s, want en_relecture until the publisher acknowledges", st)
	}
	_, page = e.do(request{method: "GET", path: "/avis/" + sid, role: "agent"})
	if !strings.Contains(page, "Publication en cours") || strings.Contains(page, `id="form-editeur"`) {
		t.Error("pending publication: page should say « Publication en cours » and hide the editor")
	}
	if err := e.runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.runner.Stop(context.Background()) })
	deadline := time.Now().Add(15 * time.Second)
	for e.status(id) != store.StatusPublished && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	rv, _ := e.st.GetReview(ctx, id)
	if rv.Status != store.StatusPublished || rv.PublishedReply != approved {
		t.Fatalf("after acknowledgement: %s %q", rv.Status, rv.PublishedReply)
	}
	_, page = e.do(request{method: "GET", path: "/avis/" + sid, role: "agent"})
	if !strings.Contains(page, "Réponse publiée") {
		t.Error("published review does not say « Réponse publiée »")
	}
	res, _ = e.do(request{method: "POST", path: "/avis/" + sid + "/enregistrer", role: "agent", form: url.Values{"texte": {"autre"}}})
	if res.StatusCode != 409 {
		t.Errorf("editing a published review: %d, want 409", res.StatusCode)
	}

	_, page = e.do(request{method: "GET", path: "/avis/" + sid + "/historique", role: "agent"})
	for _, want := range []string{"Version 3", "Version 2", "Version 1", "Modification", "<ins class=\"plume-ins\"><span class=\"fr-sr-only\">[ajout] </span>",
		"Le service des prestations", "publiée le", "a approuvé la réponse", "a enregistré une version", "a donné son avis", "agent@caf.test"} {
		if !strings.Contains(page, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	for _, action := range []string{"draft.edit", "draft.feedback", "reply.approve"} {
		if es, _ := e.auth.AuditLog(ctx, auth.AuditFilter{Action: action, ObjectType: "review", ObjectID: sid}); len(es) == 0 {
			t.Errorf("no %s audit entry", action)
		}
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// TestApproveWithoutJobsKeepsTheText checks that a server without background jobs refuses to publish with a
// clear message, and keeps the agent's text.
func TestApproveWithoutJobsKeepsTheText(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{noJobs: true})
	id, _ := e.review(e.caf, "Avis", "Mon allocation est en retard.", true)
	res, body := e.do(request{method: "POST", path: "/avis/" + strconv.FormatInt(id, 10) + "/publier", role: "agent",
		form: url.Values{"texte": {"Bonjour, voici ma réponse."}}})
	if res.StatusCode != 503 || !strings.Contains(body, "Publication impossible") || !strings.Contains(body, "enregistré") {
		t.Fatalf("approve without jobs: %d %.300s", res.StatusCode, body)
	}
	ds, _ := e.st.ListDrafts(context.Background(), id)
	if ds[len(ds)-1].Text != "Bonjour, voici ma réponse." {
		t.Error("the refused approval lost the agent's text")
	}
	if st := e.status(id); st != store.StatusDraftReady {
		t.Errorf("status %s after a refused approval, want brouillon_pret", st)
	}
}

// TestRejectAndReopen checks that setting aside needs a known reason (and a precision for « Autre »).
func TestRejectAndReopen(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	id, _ := e.review(e.caf, "Avis", "Texte.", false)
	p := "/avis/" + strconv.FormatInt(id, 10)
	tests := []struct {
		form       url.Values
		wantStatus int
		wantField  string // the field shown in error, the form kept
	}{
		{url.Values{}, 422, "motif-erreur"},
		{url.Values{"motif": {"Parce que"}}, 422, "motif-erreur"},
		{url.Values{"motif": {"Autre"}}, 422, "precision-erreur"},
		{url.Values{"motif": {"Autre"}, "precision": {"Message vide"}}, 303, ""},
	}
	for _, tt := range tests {
		res, body := e.do(request{method: "POST", path: p + "/ecarter", role: "agent", form: tt.form})
		if res.StatusCode != tt.wantStatus {
			t.Errorf("ecarter %v: %d, want %d (%.200s)", tt.form, res.StatusCode, tt.wantStatus, body)
		}
		if tt.wantField != "" && !strings.Contains(body, `id="`+tt.wantField+`"`) {
			t.Errorf("ecarter %v: the page does not show the error on its field (%s)", tt.form, tt.wantField)
		}
	}
	rv, _ := e.st.GetReview(context.Background(), id)
	if rv.Status != store.StatusRejected || rv.RejectedReason != "Autre : Message vide" {
		t.Fatalf("after reject: %s %q", rv.Status, rv.RejectedReason)
	}
	if res, _ := e.do(request{method: "POST", path: p + "/ecarter", role: "agent", form: url.Values{"motif": {"Doublon"}}}); res.StatusCode != 409 {
		t.Errorf("rejecting twice: %d, want 409", res.StatusCode)
	}
	if res, _ := e.do(request{method: "POST", path: p + "/rouvrir", role: "agent"}); res.StatusCode != 303 || e.status(id) != store.StatusNew {
		t.Errorf("reopen: %d, status %s", res.StatusCode, e.status(id))
	}
}

// TestAbandonedPublicationCanBeApprovedAgain checks that when the publisher gives up, the page says so and lets
// the agent approve again, which queues a new attempt.
func TestAbandonedPublicationCanBeApprovedAgain(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	id, _ := e.review(e.caf, "Avis", "Mon allocation est en retard.", true)
	p := "/avis/" + strconv.FormatInt(id, 10)
	text := "Bonjour, voici la réponse."
	if res, _ := e.do(request{method: "POST", path: p + "/publier", role: "agent", form: url.Values{"texte": {text}}}); res.StatusCode != 303 {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	d, err := e.st.LatestDraft(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.RecordPublicationFailure(ctx, id, d.ID, 5, "test", "portail indisponible", true); err != nil {
		t.Fatal(err)
	}
	_, page := e.do(request{method: "GET", path: p, role: "agent"})
	if !strings.Contains(page, "Publication abandonnée") || !strings.Contains(page, "portail indisponible") || !strings.Contains(page, `id="bouton-publier"`) {
		t.Fatal("abandoned publication: the page must say so and offer to approve again")
	}
	if res, _ := e.do(request{method: "POST", path: p + "/publier", role: "agent", form: url.Values{"texte": {text}}}); res.StatusCode != 303 {
		t.Fatalf("approve again: %d", res.StatusCode)
	}
	pub, err := e.st.PublicationFor(ctx, id, d.ID)
	if err != nil || pub.Status != store.PublicationPending {
		t.Errorf("after approving again: %+v %v, want en_attente", pub.Status, err)
	}
}

// TestSameErrorSameStatusInHTMLAndJSON checks that an error has one status whatever the shape asked for: the
// French page for a browser, Plume's JSON (with the table's code) for a client asking for JSON.
func TestSameErrorSameStatusInHTMLAndJSON(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	id, _ := e.review(e.caf, "Avis", "Texte.", true)
	p := "/avis/" + strconv.FormatInt(id, 10)
	if res, body := e.do(request{method: "POST", path: p + "/ecarter", role: "agent", form: url.Values{"motif": {"Doublon"}}}); res.StatusCode != 303 {
		t.Fatalf("reject: %d %.200s", res.StatusCode, body)
	}
	tests := []struct {
		name     string
		req      request
		status   int
		code     string
		fragment string // in the page and in the JSON message
	}{
		{"rejected twice", request{method: "POST", path: p + "/ecarter", role: "agent", form: url.Values{"motif": {"Doublon"}}},
			409, "bad_transition", "ne peut pas passer de « écarté » à « écarté »"},
		{"reopened review closed", request{method: "POST", path: p + "/publier", role: "agent", form: url.Values{"texte": {"Bonjour."}}},
			409, "review_closed", "il ne peut plus être modifié"},
		{"unknown review", request{method: "GET", path: "/avis/999999", role: "agent"}, 404, "not_found", "introuvable"},
		{"role without the right", request{method: "POST", path: p + "/ecarter", role: "conseiller", form: url.Values{"motif": {"Doublon"}}},
			403, "forbidden", "Votre rôle ne permet pas cette action."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := tt.req
			page.header = map[string]string{"Accept": "text/html"}
			res, body := e.do(page)
			want := []any{tt.status, true, true}
			got := []any{res.StatusCode, strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"), strings.Contains(html.UnescapeString(body), tt.fragment)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("page (-want +got: status, HTML, says %q):\n%s\n%.300s", tt.fragment, diff, body)
			}
			api := tt.req
			api.header = map[string]string{"Accept": "application/json"}
			res, body = e.do(api)
			var ae struct {
				Status        int
				Code, Message string
			}
			if err := json.Unmarshal([]byte(body), &ae); err != nil {
				t.Fatalf("JSON: %v (%.300s)", err, body)
			}
			want = []any{tt.status, tt.status, tt.code, true}
			if diff := cmp.Diff(want, []any{res.StatusCode, ae.Status, ae.Code, strings.Contains(ae.Message, tt.fragment)}); diff != "" {
				t.Errorf("JSON (-want +got: status, body status, code, says %q):\n%s\n%s", tt.fragment, diff, body)
			}
		})
	}
}
