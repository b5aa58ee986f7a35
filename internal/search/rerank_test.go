package search_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

func TestRerankerTEIAndOpenAIFormats(t *testing.T) {
	t.Parallel()
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
	in := []ground.Passage{{DocID: "F1", Text: "court"}, {DocID: "F2", Text: "un passage bien plus long"}, {DocID: "F3", Text: "moyen passage"}, {DocID: "F4", Text: "hors du lot"}}
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

// TestRerankerAlbert talks to a fake of Albert's /v1/rerank (OpenGateLLM api/schemas/rerank.py): a bearer key
// of its own, {"model","query","documents"} in, {"object":"list","id","data":[{"object":"rerank","score","index"}],
// "results":[{"relevance_score","index"}],"model","usage"} out, results sorted by score; and the older
// albert-api answer with "data" only.
func TestRerankerAlbert(t *testing.T) {
	t.Parallel()
	for _, dataOnly := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				Model     string   `json:"model"`
				Query     string   `json:"query"`
				Documents []string `json:"documents"`
			}
			if r.URL.Path != "/v1/rerank" || r.Header.Get("Authorization") != "Bearer rerank-key" {
				http.Error(w, `{"detail":"Invalid authentication scheme."}`, http.StatusUnauthorized)
				return
			}
			if json.NewDecoder(r.Body).Decode(&req) != nil || req.Model != "bge-reranker-v2-m3" || len(req.Documents) == 0 {
				http.Error(w, `{"detail":"invalid request"}`, http.StatusUnprocessableEntity)
				return
			}
			type item struct {
				Object string  `json:"object,omitempty"`
				Score  float64 `json:"score"`
				Index  int     `json:"index"`
			}
			var data []item
			var results []map[string]any
			for i, d := range req.Documents {
				data = append(data, item{Object: "rerank", Score: float64(len(d)) / 100, Index: i})
			}
			// Albert returns them best first.
			for i := range data {
				for j := i + 1; j < len(data); j++ {
					if data[j].Score > data[i].Score {
						data[i], data[j] = data[j], data[i]
					}
				}
			}
			for _, d := range data {
				results = append(results, map[string]any{"relevance_score": d.Score, "index": d.Index})
			}
			out := map[string]any{"object": "list", "id": "rerank-123", "data": data, "model": req.Model,
				"usage": map[string]any{"prompt_tokens": 12, "total_tokens": 12}}
			if !dataOnly {
				out["results"] = results
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(out)
		}))
		in := []ground.Passage{{DocID: "F1", Text: "court"}, {DocID: "F2", Text: "un passage bien plus long"}, {DocID: "F3", Text: "moyen passage"}}
		out, err := search.NewReranker(srv.URL+"/v1", "bge-reranker-v2-m3", "rerank-key").Rerank(context.Background(), pii.Public("ma question"), in)
		srv.Close()
		if err != nil {
			t.Fatalf("dataOnly=%v: %v", dataOnly, err)
		}
		if got := out[0].DocID + out[1].DocID + out[2].DocID; got != "F2F3F1" {
			t.Errorf("dataOnly=%v: order %s, want F2F3F1", dataOnly, got)
		}
	}
}
