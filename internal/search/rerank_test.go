package search_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

func TestRerankerTEIAndOpenAIFormats(t *testing.T) {
	// The fake cross-encoder scores a passage by its length: the longest comes first.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Query     string   `json:"query"`
			Texts     []string `json:"texts"`
			Documents []string `json:"documents"`
			Model     string   `json:"model"`
		}
		if r.URL.Path != "/rerank" || json.NewDecoder(r.Body).Decode(&req) != nil || req.Query != "ma question" {
			http.Error(w, "bad request", 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if req.Model == "" {
			out := []map[string]any{}
			for i, d := range req.Texts {
				out = append(out, map[string]any{"index": i, "score": float64(len(d))})
			}
			json.NewEncoder(w).Encode(out)
			return
		}
		out := []map[string]any{}
		for i, d := range req.Documents {
			out = append(out, map[string]any{"index": i, "relevance_score": float64(len(d))})
		}
		json.NewEncoder(w).Encode(map[string]any{"results": out})
	}))
	defer srv.Close()
	in := []search.Result{{DocID: "F1", Text: "court"}, {DocID: "F2", Text: "un passage bien plus long"}, {DocID: "F3", Text: "moyen passage"}, {DocID: "F4", Text: "hors du lot"}}
	for _, model := range []string{"", "bge-reranker"} {
		r := search.NewReranker(srv.URL, model, "")
		r.TopN = 3
		out, err := r.Rerank(context.Background(), pii.Public("ma question"), in)
		if err != nil {
			t.Fatalf("model %q: %v", model, err)
		}
		got := []string{out[0].DocID, out[1].DocID, out[2].DocID, out[3].DocID}
		want := []string{"F2", "F3", "F1", "F4"}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("model %q: order %v, want %v", model, got, want)
			}
		}
	}
	if search.NewReranker("", "", "") != nil {
		t.Error("empty RERANK_BASE_URL must disable reranking")
	}
	bad := search.NewReranker(srv.URL+"/nope", "", "")
	if _, err := bad.Rerank(context.Background(), pii.Public("ma question"), in); err == nil {
		t.Error("reranker error not reported")
	}
}
