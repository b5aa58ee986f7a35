package web_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	plumeweb "github.com/plume-services/plume/web"
)

// openAPI is the embedded document, decoded as plain JSON values.
func openAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(plumeweb.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	return doc
}

// TestOpenAPIMatchesRoutes compares the document's paths and methods with the routes registered under /api/v1
// and /v1: a route added without its documentation, or documented but gone, fails.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	doc := openAPI(t)
	var documented []string
	for p, ops := range doc["paths"].(map[string]any) {
		echoPath := regexp.MustCompile(`\{(\w+)\}`).ReplaceAllString(p, ":$1")
		for m := range ops.(map[string]any) {
			documented = append(documented, strings.ToUpper(m)+" "+echoPath)
		}
	}
	var registered []string
	for _, rt := range newServer(t, nil).Routes() {
		if strings.HasPrefix(rt.Path, "/api/v1/") || strings.HasPrefix(rt.Path, "/v1/") {
			registered = append(registered, rt.Method+" "+rt.Path)
		}
	}
	sort.Strings(documented)
	sort.Strings(registered)
	if diff := cmp.Diff(registered, documented); diff != "" {
		t.Errorf("routes (-registered +documented):\n%s", diff)
	}
}

// validate checks v against a JSON Schema of the subset the document uses; it returns the first problem.
func validate(doc map[string]any, schema map[string]any, v any, at string) error {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		s, ok := doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: unknown $ref %s", at, ref)
		}
		return validate(doc, s, v, at)
	}
	if c, ok := schema["const"]; ok && c != v {
		return fmt.Errorf("%s: %v, want %v", at, v, c)
	}
	if e, ok := schema["enum"].([]any); ok && !slices.Contains(e, v) {
		return fmt.Errorf("%s: %v not in %v", at, v, e)
	}
	if one, ok := schema["oneOf"].([]any); ok {
		n := 0
		for _, s := range one {
			if validate(doc, s.(map[string]any), v, at) == nil {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("%s: matches %d of oneOf", at, n)
		}
	}
	if t, ok := schema["type"]; ok {
		types := []any{t}
		if list, ok := t.([]any); ok {
			types = list
		}
		if !slices.ContainsFunc(types, func(t any) bool { return jsonType(v, t.(string)) }) {
			return fmt.Errorf("%s: %T %v is not %v", at, v, v, t)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asList(schema["required"]) {
			if _, ok := x[r.(string)]; !ok {
				return fmt.Errorf("%s: required %q missing", at, r)
			}
		}
		for k, val := range x {
			ps, ok := props[k].(map[string]any)
			if !ok {
				switch ap := schema["additionalProperties"].(type) {
				case bool:
					if !ap {
						return fmt.Errorf("%s: property %q not allowed", at, k)
					}
					continue
				case map[string]any:
					ps = ap
				default:
					continue
				}
			}
			if err := validate(doc, ps, val, at+"."+k); err != nil {
				return err
			}
		}
	case []any:
		if mi, ok := schema["minItems"].(float64); ok && float64(len(x)) < mi {
			return fmt.Errorf("%s: %d items, at least %v", at, len(x), mi)
		}
		if is, ok := schema["items"].(map[string]any); ok {
			for i, e := range x {
				if err := validate(doc, is, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case float64:
		if m, ok := schema["minimum"].(float64); ok && x < m {
			return fmt.Errorf("%s: %v < %v", at, x, m)
		}
		if m, ok := schema["maximum"].(float64); ok && x > m {
			return fmt.Errorf("%s: %v > %v", at, x, m)
		}
		if m, ok := schema["exclusiveMinimum"].(float64); ok && x <= m {
			return fmt.Errorf("%s: %v <= %v", at, x, m)
		}
	case string:
		switch schema["format"] {
		case "date":
			if _, err := time.Parse(time.DateOnly, x); err != nil {
				return fmt.Errorf("%s: %q is not a date", at, x)
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339, x); err != nil {
				return fmt.Errorf("%s: %q is not RFC 3339", at, x)
			}
		}
	}
	return nil
}

func asList(v any) []any { l, _ := v.([]any); return l }

func jsonType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	}
	return false
}

// TestOpenAPIExamplesMatchSchemas validates every example of the document against the schema it illustrates,
// and the validator against a few wrong values, so that it is known to refuse.
func TestOpenAPIExamplesMatchSchemas(t *testing.T) {
	t.Parallel()
	doc := openAPI(t)
	n := 0
	for p, ops := range doc["paths"].(map[string]any) {
		for m, op := range ops.(map[string]any) {
			o := op.(map[string]any)
			var contents []map[string]any
			if rb, ok := o["requestBody"].(map[string]any); ok {
				contents = append(contents, rb["content"].(map[string]any))
			}
			for _, r := range o["responses"].(map[string]any) {
				if c, ok := r.(map[string]any)["content"].(map[string]any); ok {
					contents = append(contents, c)
				}
			}
			for _, c := range contents {
				j, ok := c["application/json"].(map[string]any)
				if !ok || j["example"] == nil {
					continue
				}
				n++
				if err := validate(doc, j["schema"].(map[string]any), j["example"], m+" "+p); err != nil {
					t.Error(err)
				}
			}
		}
	}
	if n < 15 {
		t.Errorf("only %d examples checked", n)
	}
	schema := map[string]any{"$ref": "#/components/schemas/ChatRequest"}
	for _, bad := range []string{`{"model":"gpt-4o","messages":[]}`, `{"model":"plume-assistant","messages":[{"role":"system","content":"x"}]}`,
		`{"model":"plume-assistant","messages":[{"role":"user","content":"x"}],"temperature":"hot"}`} {
		var v any
		_ = json.Unmarshal([]byte(bad), &v)
		if validate(doc, schema, v, "ChatRequest") == nil {
			t.Errorf("the validator accepts %s", bad)
		}
	}
}

// TestOpenAPIDescribesRealAnswers sends the documented examples to a running server and validates its real
// answers against the documented schemas of their status.
func TestOpenAPIDescribesRealAnswers(t *testing.T) {
	t.Parallel()
	doc := openAPI(t)
	e := newUIEnv(t, envOptions{noJobs: true})
	id, draftID := e.review(e.caf, "Aide au logement en attente", "Mon dossier d'aide au logement est en attente depuis deux mois.", true)
	ids := strconv.FormatInt(id, 10)
	tests := []struct {
		method, docPath, target, body string
	}{
		{"GET", "/api/v1/reviews", "/api/v1/reviews?statut=brouillon_pret", ""},
		{"GET", "/api/v1/reviews", "/api/v1/reviews?ressenti=bogus", ""},
		{"POST", "/api/v1/reviews", "/api/v1/reviews", `{"external_id":"4962473","title":"Aide au logement en attente","body":"Bonjour, mon dossier est en attente.","feeling":"Négatif","written_at":"2024-03-01"}`},
		{"POST", "/api/v1/reviews", "/api/v1/reviews", `{"external_id":"x","body":"Un avis.","written_at":"2099-01-01"}`},
		{"GET", "/api/v1/reviews/{id}", "/api/v1/reviews/" + ids, ""},
		{"POST", "/api/v1/reviews/{id}/drafts", "/api/v1/reviews/" + ids + "/drafts", `{"offline":true}`},
		{"GET", "/api/v1/drafts/{id}", "/api/v1/drafts/" + strconv.FormatInt(draftID, 10), ""},
		{"GET", "/api/v1/drafts/{id}", "/api/v1/drafts/999999", ""},
		{"POST", "/api/v1/pii/scan", "/api/v1/pii/scan", `{"id":"1","text":"Je suis Julie Moreau, joignable au 06 71 82 93 04."}`},
		{"GET", "/api/v1/search", "/api/v1/search?q=%FF", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			status, out := e.sendAs("agent", req)
			resp, ok := doc["paths"].(map[string]any)[tt.docPath].(map[string]any)[strings.ToLower(tt.method)].(map[string]any)["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
			if !ok {
				t.Fatalf("status %d is not documented: %.300s", status, out)
			}
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%d: not JSON: %.300s", status, out)
			}
			schema := resp["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
			if err := validate(doc, schema, v, strconv.Itoa(status)); err != nil {
				t.Errorf("%v\n%.600s", err, out)
			}
		})
	}
}

// TestDocsPage checks that /openapi.json and /docs are served to anyone, the page in French with every path.
func TestDocsPage(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	res, body := do(t, srv, "GET", "/openapi.json", "", "")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"openapi": "3.1.0"`) {
		t.Fatalf("GET /openapi.json = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, body = do(t, srv, "GET", "/docs", "", "")
	if res.StatusCode != 200 || !strings.Contains(body, `<html lang="fr"`) {
		t.Fatalf("GET /docs = %d", res.StatusCode)
	}
	for _, want := range []string{"/v1/chat/completions", "/api/v1/reviews/{id}/drafts", "unsupported_parameter", "Paramètres", "Réponses", "Exemple de requête"} {
		if !strings.Contains(body, want) {
			t.Errorf("/docs lacks %q", want)
		}
	}
	if strings.Contains(body, "<script src=\"http") || strings.Contains(body, "cdn") {
		t.Error("/docs loads something from elsewhere")
	}
}
