package embed_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/pii"
)

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestLocalDeterministicNormalisedAndMeaningful(t *testing.T) {
	l := embed.NewLocal(384)
	if l.Name() != "local-sem-v3/384" || l.Dim() != 384 {
		t.Fatalf("name %q dim %d", l.Name(), l.Dim())
	}
	texts := []pii.Redacted{
		pii.Public("Demande d'allocation de logement auprès de la Caf"),
		pii.Public("demande d'allocations logement aupres de la CAF"), // accents, case, plural
		pii.Public("Renouvellement du passeport d'un majeur"),
		pii.Public(""),
	}
	v1, err := l.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := l.Embed(context.Background(), texts)
	for i := range v1 {
		for j := range v1[i] {
			if v1[i][j] != v2[i][j] {
				t.Fatal("local embedder is not deterministic")
			}
		}
	}
	if n := cosine(v1[0], v1[0]); math.Abs(n-1) > 1e-5 {
		t.Errorf("norm² = %f, want 1", n)
	}
	near, far := cosine(v1[0], v1[1]), cosine(v1[0], v1[2])
	if near < 0.8 || far > 0.3 {
		t.Errorf("cos(variant) = %.3f (want ≥ 0.8), cos(unrelated) = %.3f (want ≤ 0.3)", near, far)
	}
	for _, x := range v1[3] {
		if x != 0 {
			t.Fatal("empty text gives a non-zero vector")
		}
	}
}

func TestIDFWeighsRareWords(t *testing.T) {
	b := embed.NewIDFBuilder()
	for range 50 {
		b.Add("vous devez faire une demande")
	}
	b.Add("vous devez faire une demande de passeport")
	b.Add("vous devez faire une demande de carte grise")
	idf := b.Build()
	raw, _ := idf.MarshalBinary()
	back, err := embed.UnmarshalIDF(raw)
	if err != nil || back.Docs() != 52 {
		t.Fatalf("round trip: %v, docs %d", err, back.Docs())
	}
	l := embed.NewLocal(256).WithIDF(back)
	v, _ := l.Embed(context.Background(), []pii.Redacted{
		pii.Public("demande de passeport"), pii.Public("vous devez faire une demande de passeport"), pii.Public("vous devez faire une demande de carte grise"),
	})
	// With IDF, the shared boilerplate weighs little: the passport query is far closer to the passport text.
	if a, c := cosine(v[0], v[1]), cosine(v[0], v[2]); a-c < 0.3 {
		t.Errorf("cos(passeport)=%.3f cos(carte grise)=%.3f: IDF does not separate them", a, c)
	}
	if _, err := embed.UnmarshalIDF([]byte("nope")); err == nil {
		t.Error("corrupt IDF table accepted")
	}
}

func TestStemAndTokens(t *testing.T) {
	tests := []struct{ in, want string }{
		{"allocations", "alloc"}, {"allocation", "alloc"}, {"remboursement", "rembours"}, {"remboursements", "rembours"},
		{"journaliers", "journali"}, {"apl", "apl"}, {"2024", "2024"},
	}
	for _, tt := range tests {
		if got := embed.Stem(tt.in); got != tt.want {
			t.Errorf("Stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	got := embed.Tokens(nil, "L'APL d’un Étudiant, qu'il soit boursier")
	want := []string{"apl", "un", "etudiant", "il", "soit", "boursier"}
	if len(got) != len(want) {
		t.Fatalf("Tokens = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Tokens = %q, want %q", got, want)
		}
	}
}

// fakeEmbeddings is an OpenAI-compatible /v1/embeddings server; it fails the first `fail` calls with 429.
func fakeEmbeddings(t *testing.T, dim int, fail int32, calls *atomic.Int32, batches *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.URL.Path != "/v1/embeddings" {
			http.NotFound(w, r)
			return
		}
		if n <= fail {
			w.Header().Set("Retry-After-Ms", "5")
			w.Header().Set("Content-Type", "application/json")
			http.Error(w, `{"error":{"message":"slow down"}}`, http.StatusTooManyRequests)
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		batches.Add(1)
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float64 `json:"embedding"`
		}
		resp := struct {
			Object string `json:"object"`
			Model  string `json:"model"`
			Data   []item `json:"data"`
		}{Object: "list", Model: req.Model}
		for i, s := range req.Input {
			v := make([]float64, dim)
			v[0] = float64(len(s)) // lets the test check the order
			resp.Data = append(resp.Data, item{Object: "embedding", Index: i, Embedding: v})
		}
		// answer in reverse order: the client must place vectors by index
		for i, j := 0, len(resp.Data)-1; i < j; i, j = i+1, j-1 {
			resp.Data[i], resp.Data[j] = resp.Data[j], resp.Data[i]
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}))
}

func TestOpenAIBatchesRetriesAndChecksDimension(t *testing.T) {
	var calls, batches atomic.Int32
	srv := fakeEmbeddings(t, 8, 2, &calls, &batches)
	defer srv.Close()
	e, err := embed.NewOpenAI(embed.OpenAIOptions{BaseURL: srv.URL + "/v1", Model: "bge-m3", Dim: 8, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if e.Name() != "openai:bge-m3/8" {
		t.Errorf("name %q", e.Name())
	}
	texts := []pii.Redacted{pii.Public("a"), pii.Public("bb"), pii.Public("ccc"), pii.Public("dddd"), pii.Public("eeeee")}
	vs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if len(v) != 8 || int(v[0]) != i+1 {
			t.Errorf("vector %d = %v", i, v)
		}
	}
	if batches.Load() != 3 || calls.Load() != 5 {
		t.Errorf("%d batches in %d calls, want 3 batches after 2 rate-limited calls", batches.Load(), calls.Load())
	}

	wrong, _ := embed.NewOpenAI(embed.OpenAIOptions{BaseURL: srv.URL + "/v1", Model: "bge-m3", Dim: 16})
	if _, err := wrong.Embed(context.Background(), texts[:1]); !errors.Is(err, embed.ErrDimension) {
		t.Errorf("dimension mismatch: %v, want ErrDimension", err)
	}
}

func TestIsStopword(t *testing.T) {
	tests := []struct {
		word string
		want bool
	}{
		{"combien", true}, {"comment", true}, {"peux", true}, {"le", true},
		{"logement", false}, {"caf", false}, {"retraite", false},
	}
	for _, tt := range tests {
		if got := embed.IsStopword(tt.word); got != tt.want {
			t.Errorf("IsStopword(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
}

// TestOpenAIIgnoresEnvironment checks that the client sends only what the configuration gives it: the OPENAI_*
// variables the openai-go client would read by itself reach no outgoing request.
func TestOpenAIIgnoresEnvironment(t *testing.T) {
	env := map[string]string{"OPENAI_ORG_ID": "org-fuite-env", "OPENAI_PROJECT_ID": "proj-fuite-env",
		"OPENAI_API_KEY": "sk-fuite-env", "OPENAI_CUSTOM_HEADERS": "X-Fuite: fuite-env", "OPENAI_BASE_URL": "http://127.0.0.1:1/fuite-env"}
	for k, v := range env {
		t.Setenv(k, v)
	}
	var headers []http.Header
	var calls, batches atomic.Int32
	inner := fakeEmbeddings(t, 4, 0, &calls, &batches)
	defer inner.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers = append(headers, r.Header.Clone())
		inner.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	e, err := embed.NewOpenAI(embed.OpenAIOptions{BaseURL: srv.URL + "/v1", Model: "bge-m3", Dim: 4, APIKey: "cle-config"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Embed(context.Background(), []pii.Redacted{pii.Public("a")}); err != nil {
		t.Fatal(err)
	}
	if len(headers) != 1 {
		t.Fatalf("%d requests, want 1", len(headers))
	}
	for name, values := range headers[0] {
		for _, v := range values {
			if strings.Contains(v, "fuite-env") {
				t.Errorf("header %s: %q comes from the environment", name, v)
			}
		}
	}
	if got := headers[0].Get("Authorization"); got != "Bearer cle-config" {
		t.Errorf("Authorization = %q, want the configured key", got)
	}
}
