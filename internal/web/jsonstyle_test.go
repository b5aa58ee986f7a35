package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/draft"
)

// TestAPIJSONStyle checks one style across the API: dates with the Paris offset (a date-only written_at comes
// back as that day, not the previous one at 23:00 UTC), ?stream=1 streams, and a stream that would be refused is
// refused with its status before any 200.
func TestAPIJSONStyle(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{noJobs: true})
	res, body := e.do(request{method: "POST", path: "/api/v1/reviews", role: "agent",
		json: `{"external_id":"style-1","body":"Mon dossier d'aide au logement n'avance pas.","written_at":"2024-03-01"}`})
	if res.StatusCode != http.StatusCreated || !strings.Contains(body, `"written_at":"2024-03-01T00:00:00+01:00"`) {
		t.Fatalf("POST /api/v1/reviews = %d %s", res.StatusCode, body)
	}
	id := regexp.MustCompile(`"id":(\d+)`).FindStringSubmatch(body)[1]

	res, body = e.do(request{method: "POST", path: "/api/v1/reviews/" + id + "/drafts?stream=1", role: "agent", json: `{"offline":true}`})
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") || !strings.Contains(body, "event: draft") {
		t.Fatalf("?stream=1: %d %s %.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if !regexp.MustCompile(`"created_at":"[^"]+\+0[12]:00"`).MatchString(body) || strings.Contains(body, "PromptTokens") {
		t.Errorf("draft JSON not in the API's style: %.600s", body)
	}
	if res, body := e.do(request{method: "POST", path: "/api/v1/reviews/" + id + "/drafts?stream=oui", role: "agent", json: `{"offline":true}`}); res.StatusCode != 422 || !strings.Contains(body, `"stream"`) {
		t.Errorf("?stream=oui: %d %s", res.StatusCode, body)
	}

	// A rewrite of a review without a draft, streamed: 409 at once, not 200 then an error event.
	rid, _ := e.review(e.caf, "Sans brouillon", "Un avis sans brouillon.", false)
	res, body = e.do(request{method: "POST", path: "/api/v1/reviews/" + strconv.FormatInt(rid, 10) + "/drafts?stream=true", role: "agent", json: `{"instruction":"plus court"}`})
	if res.StatusCode != http.StatusConflict || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("streamed rewrite without a draft: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	// A published review, streamed: 409 at once.
	pid, did := e.review(e.caf, "Publié", "Un avis publié.", true)
	publish(t, e.st, pid, did)
	res, body = e.do(request{method: "POST", path: "/api/v1/reviews/" + strconv.FormatInt(pid, 10) + "/drafts?stream=true", role: "agent", json: `{}`})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "publié") {
		t.Errorf("streamed draft of a published review: %d %s", res.StatusCode, body)
	}
}

// TestRepostChangedReview checks what re-posting a review (same source and external id) with another text does:
// the text is replaced while only the background job has drafted it; once an agent has worked on it, the text
// stays and the answer is a 409 review_kept that says why.
func TestRepostChangedReview(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{noJobs: true})
	post := func(body string) (*http.Response, string) {
		return e.do(request{method: "POST", path: "/api/v1/reviews", role: "agent",
			json: `{"external_id":"repost-1","title":"Aide au logement","body":"` + body + `","written_at":"2024-03-01"}`})
	}
	res, out := post("Première version de l'avis.")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("first post: %d %s", res.StatusCode, out)
	}
	id, _ := strconv.ParseInt(regexp.MustCompile(`"id":(\d+)`).FindStringSubmatch(out)[1], 10, 64)
	if _, _, err := e.drafts.DraftReview(context.Background(), draft.Request{ReviewID: id, Actor: "automatique"}); err != nil {
		t.Fatal(err)
	}
	res, out = post("Deuxième version, corrigée par l'usager.")
	if res.StatusCode != http.StatusOK || !strings.Contains(out, `"result":"mis à jour"`) || !strings.Contains(out, "Deuxième version") {
		t.Fatalf("re-post with only the job's draft: %d %s", res.StatusCode, out)
	}
	if _, _, err := e.drafts.DraftReview(context.Background(), draft.Request{ReviewID: id, Actor: "agent@caf.test"}); err != nil {
		t.Fatal(err)
	}
	res, out = post("Troisième version.")
	if res.StatusCode != http.StatusConflict || !strings.Contains(out, `"code":"review_kept"`) || !strings.Contains(out, "brouillon") {
		t.Fatalf("re-post after an agent's draft: %d %s", res.StatusCode, out)
	}
	if rv, _ := e.st.GetReview(context.Background(), id); rv.Body != "Deuxième version, corrigée par l'usager." {
		t.Errorf("the agent's review got the new text: %q", rv.Body)
	}
}
