package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/store"
)

// TestClearTextScopeMatrix reads every API route that returns a citizen's text with tokens of each scope set:
// without cleartext:view, no field of any answer carries the citizen's name, phone, NIR or pseudonym (in any
// spelling a draft may use), and a search by name finds nothing; with it, the values are there and every read,
// list or single, wrote an audit row naming the reviews.
func TestClearTextScopeMatrix(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{})
	ctx := context.Background()
	id, draftID := e.review(e.caf, "Allocation de Élodie Ndiaye",
		"Je suis Élodie Ndiaye, joignable au 06 12 34 56 78, NIR 2 85 03 75 116 238 42. Mon allocation n'arrive pas.", true)
	// An agent's version spells the values otherwise: the detector alone would miss some of them.
	edit, err := e.st.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftEdit, CreatedBy: "agent@caf.test",
		Text:      "Bonjour Camille,\n\nMadame NDIAYE, nous vous rappellerons au 0612345678 au sujet du dossier 2850375116238 42.\n\nLe service",
		Checks:    []ground.Check{{Code: "phone", Message: "Numéro", Excerpt: "0612345678"}},
		Grounding: &ground.Grounding{Sentences: []ground.Sentence{{Text: "Madame NDIAYE, nous vous rappellerons au 0612345678"}}}})
	if err != nil {
		t.Fatal(err)
	}
	values := []string{"Ndiaye", "NDIAYE", "06 12 34 56 78", "0612345678", "2 85 03 75 116 238 42", "2850375116238", "Camille", "Élodie"}
	u := e.users["agent"]
	token := func(scopes ...auth.Action) string {
		var ss []string
		for _, a := range scopes {
			ss = append(ss, string(a))
		}
		raw, _, err := e.auth.CreateToken(ctx, u.ID, strings.Join(ss, "+"), ss)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	sid, did, eid := strconv.FormatInt(id, 10), strconv.FormatInt(draftID, 10), strconv.FormatInt(edit.ID, 10)
	routes := []struct {
		name, method, path, body string
		needs                    auth.Action // besides reviews:read
		fields                   []string    // JSON fields that hold citizen text in this answer
	}{
		{"list", "GET", "/api/v1/reviews", "", "", []string{"reviews[].title", "reviews[].body"}},
		{"list ?q= by name", "GET", "/api/v1/reviews?q=Ndiaye", "", "", []string{"reviews[].title", "reviews[].body"}},
		{"one review", "GET", "/api/v1/reviews/" + sid, "", "", []string{"review.title", "review.body", "drafts[].text", "drafts[].checks", "drafts[].grounding", "drafts[].redacted_prompt"}},
		{"first draft", "GET", "/api/v1/drafts/" + did, "", "", []string{"text", "checks", "grounding", "redacted_prompt"}},
		{"agent's version", "GET", "/api/v1/drafts/" + eid, "", "", []string{"text", "checks", "grounding"}},
		{"rewrite", "POST", "/api/v1/reviews/" + sid + "/drafts", `{"instruction":"plus court"}`, auth.ActEditDrafts, []string{"text", "checks", "grounding"}},
	}
	for _, clear := range []bool{false, true} {
		for _, rt := range routes {
			scopes := []auth.Action{auth.ActReadReviews}
			if rt.needs != "" {
				scopes = append(scopes, rt.needs)
			}
			if clear {
				scopes = append(scopes, auth.ActViewClearText)
			}
			name := fmt.Sprintf("%s/cleartext=%v", rt.name, clear)
			before := len(auditRows(t, e, ""))
			res, body := e.do(request{method: rt.method, path: rt.path, json: rt.body, header: map[string]string{"Authorization": "Bearer " + token(scopes...)}})
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
				t.Errorf("%s: %d %.300s", name, res.StatusCode, body)
				continue
			}
			if !clear {
				for _, v := range values {
					if strings.Contains(body, v) {
						t.Errorf("%s: %q in the answer without cleartext:view (fields %v):\n%.600s", name, v, rt.fields, body)
					}
				}
				if rt.name == "list ?q= by name" && strings.Contains(body, `"id":`+sid) {
					t.Errorf("%s: a search by a name the filter hides found the review", name)
				}
				continue
			}
			if !containsAny(body, values) {
				t.Errorf("%s: the clear answer lost the citizen's text:\n%.400s", name, body)
			}
			after := auditRows(t, e, "")
			if len(after) <= before {
				t.Errorf("%s: clear-text read without an audit row", name)
				continue
			}
			if last := after[0]; !namesReview(last, id) {
				t.Errorf("%s: the audit row %s %s %v does not name the review", name, last.Action, last.ObjectID, last.Details)
			}
		}
	}
	// Without clear text, a search on a word the filter keeps still finds the review.
	res, body := e.do(request{method: "GET", path: "/api/v1/reviews?q=" + url.QueryEscape("allocation"),
		header: map[string]string{"Authorization": "Bearer " + token(auth.ActReadReviews)}})
	if res.StatusCode != 200 || !strings.Contains(body, `"id":`+sid) {
		t.Errorf("filtered search for a kept word: %d %.300s", res.StatusCode, body)
	}
}

func auditRows(t *testing.T, e *uiEnv, action string) []auth.AuditEntry {
	t.Helper()
	es, err := e.auth.AuditLog(context.Background(), auth.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func containsAny(s string, vs []string) bool {
	for _, v := range vs {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// namesReview reports whether an audit entry says which review was read: as its object, or in its details.
func namesReview(a auth.AuditEntry, id int64) bool {
	if a.ObjectType == "review" && a.ObjectID == strconv.FormatInt(id, 10) {
		return true
	}
	if v, ok := a.Details["review_id"].(float64); ok && int64(v) == id {
		return true
	}
	if vs, ok := a.Details["reviews"].([]any); ok {
		for _, v := range vs {
			if f, ok := v.(float64); ok && int64(f) == id {
				return true
			}
		}
	}
	return false
}
