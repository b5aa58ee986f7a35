package web_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestAPIJSONStyle checks one style across the API: dates with the Paris offset (a date-only written_at comes
// back as that day, not the previous one at 23:00 UTC), ?stream=1 streams, and a stream that would be refused is
// refused with its status before any 200.
func TestAPIJSONStyle(t *testing.T) {
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
