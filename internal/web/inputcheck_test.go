package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/web"
)

// routeTarget fills a route's parameters (:id, :draft, :reply) with value.
func routeTarget(path, value string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || p == "*" {
			parts[i] = value
		}
	}
	return strings.Join(parts, "/")
}

// rawRequest builds a request whose path, query and body are sent byte for byte, as a client that does not
// escape them would; httptest.NewRequest would refuse them.
func rawRequest(method, path, rawQuery, contentType, body string) *http.Request {
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = path, "", rawQuery
	req.RequestURI = ""
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

// sendAs sends req as role (session cookie and CSRF header) and returns the status and body.
func (e *uiEnv) sendAs(role string, req *http.Request) (int, string) {
	if se, ok := e.sessions[role]; ok {
		req.AddCookie(&http.Cookie{Name: "plume_session", Value: se.Token})
		req.Header.Set("X-CSRF-Token", se.CSRF)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

// badBytes are values PostgreSQL refuses in text: each must be a 400 naming its parameter, never a 500.
var badBytes = []struct{ name, escaped, raw, json string }{
	{"invalid UTF-8", "%FF", "\xff", "\"a\xffb\""},
	{"NUL", "a%00b", "a\x00b", `"a\u0000b"`},
	{"truncated sequence", "%C3", "\xc3", "\"\xc3\""},
}

// TestRoutesNeverAnswer500 sends bad bytes to every registered route, in the path, the query string, a form
// field and a JSON string, as an administrator (who passes every role check): each is a 400 that names the
// parameter, shaped as the route's clients expect.
func TestRoutesNeverAnswer500(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	id, _ := e.review(e.caf, "Un titre", "Un avis assez long pour être lu par le filtre.", true)
	srv := e.srv.(*web.Server)
	routes := srv.Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, rt := range routes {
		if rt.Method == "" || strings.HasPrefix(rt.Path, "/static") {
			continue
		}
		for _, bb := range badBytes {
			good := routeTarget(rt.Path, strconv.FormatInt(id, 10))
			cases := []struct {
				where, param string
				req          *http.Request
			}{
				{"query", "q", rawRequest(rt.Method, good, "q="+bb.escaped, "", "")},
				{"query key", "", rawRequest(rt.Method, good, "x"+bb.escaped+"=1", "", "")},
				{"form", "texte", rawRequest(rt.Method, good, "", "application/x-www-form-urlencoded", "texte="+bb.escaped)},
				{"json", "instruction", rawRequest(rt.Method, good, "", "application/json", `{"instruction":`+bb.json+`}`)},
				{"nested json", "messages[0].content", rawRequest(rt.Method, good, "", "application/json; charset=UTF-8",
					`{"messages":[{"content":`+bb.json+`}]}`)},
			}
			if strings.Contains(rt.Path, ":") {
				cases = append(cases, struct {
					where, param string
					req          *http.Request
				}{"path", "chemin", rawRequest(rt.Method, routeTarget(rt.Path, bb.raw), "", "", "")})
			}
			for _, tc := range cases {
				status, body := e.sendAs("admin", tc.req)
				if status != http.StatusBadRequest {
					t.Errorf("%s %s, %s in the %s: %d, want 400: %.200s", rt.Method, rt.Path, bb.name, tc.where, status, body)
					continue
				}
				if tc.param != "" && !strings.Contains(body, tc.param) {
					t.Errorf("%s %s, %s in the %s: the answer does not name %q: %.300s", rt.Method, rt.Path, bb.name, tc.where, tc.param, body)
				}
				if strings.HasPrefix(rt.Path, "/v1/") && !strings.Contains(body, `"type":"invalid_request_error"`) {
					t.Errorf("%s %s: not an OpenAI error: %.200s", rt.Method, rt.Path, body)
				}
			}
		}
	}
}

// TestBadInputShapes checks the three shapes of the same refusal, and the enum and date checks.
func TestBadInputShapes(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	tests := []struct {
		name, method, path, query, ctype, body string
		status                                 int
		want                                   []string
	}{
		{"inbox page", "GET", "/avis", "q=%FF", "", "", 400, []string{"<html", "Paramètre « q » invalide", "UTF-8"}},
		{"API", "GET", "/api/v1/reviews", "ressenti=%FF", "", "", 400, []string{`"fields":{"ressenti":`, `"status":400`}},
		{"API theme NUL", "GET", "/api/v1/reviews", "theme=a%00", "", "", 400, []string{`"theme"`, "U+0000"}},
		{"OpenAI", "POST", "/v1/chat/completions", "", "application/json", `{"model":"plume-assistant","messages":[{"role":"user","content":"a\u0000"}]}`,
			400, []string{`"param":"messages[0].content"`, `"code":"invalid_value"`}},
		{"bad escape", "GET", "/api/v1/reviews", "q=%zz", "", "", 400, []string{`"q"`}},
		{"unknown status", "GET", "/api/v1/reviews", "statut=bogus", "", "", 422, []string{`"statut"`, "nouveau", "publie"}},
		{"unknown feeling", "GET", "/api/v1/reviews", "ressenti=bogus", "", "", 422, []string{`"ressenti"`, "Positif", "Négatif"}},
		{"feeling folded", "GET", "/api/v1/reviews", "ressenti=negatif", "", "", 200, []string{`"reviews"`}},
		{"unknown audience", "GET", "/api/v1/search", "q=carte+grise&audience=bogus", "", "", 422, []string{`"audience"`, "particuliers"}},
		{"future review", "POST", "/api/v1/reviews", "", "application/json", `{"external_id":"x1","body":"Un avis.","organisation":"CAF","written_at":"2099-01-01"}`,
			422, []string{`"written_at"`, "futur"}},
		{"JSON media type in capitals", "POST", "/api/v1/reviews", "", "Application/JSON; charset=utf-8", `{"external_id":"x2","body":"Un avis.","organisation_slug":"caf-gironde","written_at":"2024-03-01"}`,
			201, []string{`"result":"créé"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.sendAs("admin", rawRequest(tt.method, tt.path, tt.query, tt.ctype, tt.body))
			if status != tt.status {
				t.Fatalf("%d, want %d: %.400s", status, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("answer lacks %q: %.400s", w, body)
				}
			}
		})
	}
}

// FuzzRoutes sends arbitrary bytes as a route parameter, a query string and a body to every route: whatever they
// are, no answer is a 500. The seed corpus runs with go test; go test -fuzz FuzzRoutes explores further.
func FuzzRoutes(f *testing.F) {
	e := newUIEnv(f, envOptions{})
	id, _ := e.review(e.caf, "Un titre", "Un avis assez long pour être lu par le filtre.", true)
	var routes []web.Route
	for _, rt := range e.srv.(*web.Server).Routes() {
		// Signing out would end the session the fuzzer uses; signing in is rate-limited per address.
		if rt.Method == "" || strings.HasPrefix(rt.Path, "/static") || rt.Path == "/deconnexion" || rt.Path == "/connexion" {
			continue
		}
		routes = append(routes, rt)
	}
	seeds := []struct {
		param, query, body string
	}{
		{strconv.FormatInt(id, 10), "q=%FF", `{"instruction":"a\u0000"}`},
		{"\xff", "statut=bogus&ressenti=negatif", "texte=%00"},
		{"-1", "limite=0&apres=zzz", `{"model":"plume-assistant","messages":[{"role":"user","content":"\xff"}]}`},
		{"99999999999999999999", "stream=1&k=51&par_fiche=oui", `[{"a":{"b":["\u0000"]}}]`},
		{"a b", "depuis=2099-13-45&organisation=x", "{"},
	}
	for i, s := range seeds {
		f.Add(uint(i), s.param, s.query, s.body)
	}
	f.Fuzz(func(t *testing.T, which uint, param, query, body string) {
		rt := routes[which%uint(len(routes))]
		ctype := "application/json"
		if which%3 == 1 {
			ctype = "application/x-www-form-urlencoded"
		}
		path := routeTarget(rt.Path, param)
		if u, err := url.Parse("http://h" + path); err != nil || u.Path != path {
			path = routeTarget(rt.Path, url.PathEscape(param))
		}
		req := rawRequest(rt.Method, path, query, ctype, body)
		status, out := e.sendAs("admin", req)
		if status >= 500 && status != http.StatusServiceUnavailable {
			t.Fatalf("%s %s?%s with %q: %d %.300s", rt.Method, path, query, body, status, out)
		}
		if status == http.StatusBadRequest && strings.HasPrefix(rt.Path, "/api/") && !json.Valid([]byte(out)) {
			t.Fatalf("%s %s: a 400 that is not JSON: %.300s", rt.Method, path, out)
		}
	})
}
