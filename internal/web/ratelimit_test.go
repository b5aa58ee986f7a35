package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/web"
)

// TestRateLimitHoldsAcrossInstances runs two servers on one database: an API token's requests count together,
// whichever instance answers, and the one past the limit is a 429 with Retry-After, X-RateLimit-* and, on the
// OpenAI API, code rate_limit_exceeded.
func TestRateLimitHoldsAcrossInstances(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{noJobs: true})
	id, _ := e.review(e.caf, "Un titre", "Un avis assez long pour être lu par le filtre.", false)
	raw, _, err := e.auth.CreateToken(context.Background(), e.users["agent"].ID, "intégration", []string{string(auth.ActReadReviews), string(auth.ActEditDrafts)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.BodyLimit = 1 << 20
	cfg.TokenRatePerMin = 3
	var instances []http.Handler
	for range 2 {
		srv, err := web.New(web.Deps{Config: cfg, Store: e.st, Auth: e.auth, Filter: pii.NewFilter(5 * time.Second), Drafts: e.drafts, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		instances = append(instances, srv)
	}
	post := func(h http.Handler, path, body string) *http.Response {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "bearer "+raw) // the scheme in lower case: RFC 9110 says it is case-insensitive
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	draftPath := "/api/v1/reviews/" + strconv.FormatInt(id, 10) + "/drafts"
	for i := range 3 {
		res := post(instances[i%2], draftPath, `{"offline":true}`)
		if res.StatusCode != http.StatusCreated {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("request %d: %d %s", i+1, res.StatusCode, b)
		}
		if got := res.Header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(2-i) {
			t.Errorf("request %d: X-RateLimit-Remaining %q, want %d", i+1, got, 2-i)
		}
	}
	res := post(instances[1], draftPath, `{"offline":true}`)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("X-RateLimit-Limit") != "3" || res.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("4th request: %d, headers %v: %s", res.StatusCode, res.Header, body)
	}
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Errorf("Retry-After %q, want 1 to 60 seconds", res.Header.Get("Retry-After"))
	}
	if reset, err := strconv.ParseInt(res.Header.Get("X-RateLimit-Reset"), 10, 64); err != nil || reset < time.Now().Unix() {
		t.Errorf("X-RateLimit-Reset %q", res.Header.Get("X-RateLimit-Reset"))
	}
	// The OpenAI API shares the token's count and says so in OpenAI's terms.
	res = post(instances[0], "/v1/chat/completions", `{"model":"plume-assistant","messages":[{"role":"user","content":"Bonjour"}]}`)
	body, _ = io.ReadAll(res.Body)
	var oe struct {
		Error struct {
			Type string  `json:"type"`
			Code *string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &oe); err != nil {
		t.Fatalf("/v1 past the limit: not JSON (%v): %s", err, body)
	}
	type limited struct {
		Status     int
		Type, Code string
	}
	code := ""
	if oe.Error.Code != nil {
		code = *oe.Error.Code
	}
	if diff := cmp.Diff(limited{429, "rate_limit_error", "rate_limit_exceeded"}, limited{res.StatusCode, oe.Error.Type, code}); diff != "" {
		t.Errorf("/v1 past the limit (-want +got):\n%s", diff)
	}
	// Reading is not rate-limited.
	if res := post(instances[0], "/api/v1/reviews/"+strconv.FormatInt(id, 10), ""); res.StatusCode == http.StatusTooManyRequests {
		t.Error("reading a review is rate-limited")
	}
}
