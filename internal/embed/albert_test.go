package embed

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plume-services/plume/internal/pii"
)

// TestAlbertEmbeddings talks to a fake of Albert's /v1/embeddings (OpenGateLLM: the OpenAI
// CreateEmbeddingResponse plus an "id"), with bge-m3's 1,024 dimensions, answered out of order, as the
// README's Albert preset configures it.
func TestAlbertEmbeddings(t *testing.T) {
	t.Parallel()
	const dim = 1024
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Input          []string `json:"input"`
			Model          string   `json:"model"`
			EncodingFormat string   `json:"encoding_format"`
		}
		if r.URL.Path != "/v1/embeddings" || r.Header.Get("Authorization") != "Bearer albert-key" {
			http.Error(w, `{"detail":"Invalid API key."}`, http.StatusUnauthorized)
			return
		}
		if json.NewDecoder(r.Body).Decode(&req) != nil || req.Model != "BAAI/bge-m3" || req.EncodingFormat != "float" {
			http.Error(w, `{"detail":"invalid request"}`, http.StatusUnprocessableEntity)
			return
		}
		data := []map[string]any{}
		for i := len(req.Input) - 1; i >= 0; i-- {
			v := make([]float64, dim)
			v[i] = 1
			data = append(data, map[string]any{"object": "embedding", "embedding": v, "index": i})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "id": "emb-1", "data": data, "model": req.Model,
			"usage": map[string]any{"prompt_tokens": 9, "total_tokens": 9}})
	}))
	defer srv.Close()
	e, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL + "/v1", Model: "BAAI/bge-m3", APIKey: "albert-key", Dim: dim, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := e.Embed(context.Background(), []pii.Redacted{pii.Const("passeport"), pii.Const("carte grise")})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0][0] != 1 || vs[1][1] != 1 {
		t.Fatalf("vectors not matched to their texts by index: %v %v", vs[0][:2], vs[1][:2])
	}
}
