package llmtest_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/plume-services/plume/internal/llm/llmtest"
)

func post(t *testing.T, url string, body any) *http.Response {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestChatRecordsRequestsAndAnswersScript(t *testing.T) {
	srv := llmtest.New(t)
	srv.Push(llmtest.Reply{Text: "Première."})
	srv.Handle(func(r llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Text: "Écho : " + r.Messages[len(r.Messages)-1].Content}
	})
	body := map[string]any{
		"model":    "m",
		"messages": []any{map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": "partie A"}}}},
	}
	var got []string
	for range 2 {
		resp := post(t, srv.URL+"/chat/completions", body)
		var out struct {
			Choices []struct {
				Message struct{ Content string }
			}
			Usage struct {
				TotalTokens int `json:"total_tokens"`
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		got = append(got, out.Choices[0].Message.Content)
		if out.Usage.TotalTokens == 0 {
			t.Error("no usage reported")
		}
	}
	if got[0] != "Première." || got[1] != "Écho : partie A" {
		t.Errorf("answers = %q: want the queued reply, then the handler's", got)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Messages[0] != (llmtest.Message{Role: "user", Content: "partie A"}) || !bytes.Contains(reqs[0].Body, []byte(`"partie A"`)) {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestStreamSendsChunksUsageAndDone(t *testing.T) {
	srv := llmtest.New(t)
	srv.Push(llmtest.Reply{Chunks: []string{"a", "b", "c"}, Usage: &llmtest.Usage{PromptTokens: 5, CompletionTokens: 3}})
	resp := post(t, srv.URL+"/chat/completions", map[string]any{
		"model": "m", "stream": true, "stream_options": map[string]any{"include_usage": true},
		"messages": []any{map[string]any{"role": "user", "content": "x"}},
	})
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	var events []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			events = append(events, d)
		}
	}
	if len(events) != 6 || events[5] != "[DONE]" {
		t.Fatalf("events = %q, want 3 content chunks, finish, usage, [DONE]", events)
	}
	var text strings.Builder
	for _, e := range events[:3] {
		var c struct {
			Choices []struct {
				Delta struct{ Content string }
			}
		}
		if err := json.Unmarshal([]byte(e), &c); err != nil {
			t.Fatal(err)
		}
		text.WriteString(c.Choices[0].Delta.Content)
	}
	if text.String() != "abc" || !strings.Contains(events[3], `"finish_reason":"stop"`) || !strings.Contains(events[4], `"total_tokens":8`) {
		t.Errorf("stream = %q", events)
	}
}

func TestEmbeddingsAreDeterministic(t *testing.T) {
	srv := llmtest.New(t)
	srv.EmbedDim = 16
	embed := func(format string, input ...string) [][]float32 {
		resp := post(t, srv.URL+"/embeddings", map[string]any{"model": "e", "input": input, "encoding_format": format})
		var out struct {
			Data []struct {
				Index     int
				Embedding json.RawMessage
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		vs := make([][]float32, len(out.Data))
		for _, d := range out.Data {
			var v []float32
			if format == "base64" {
				var s string
				_ = json.Unmarshal(d.Embedding, &s)
				b, _ := base64.StdEncoding.DecodeString(s)
				for i := 0; i+4 <= len(b); i += 4 {
					v = append(v, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
				}
			} else if err := json.Unmarshal(d.Embedding, &v); err != nil {
				t.Fatal(err)
			}
			vs[d.Index] = v
		}
		return vs
	}
	a := embed("float", "carte grise perdue", "allocation logement", "carte grise volée")
	b := embed("base64", "carte grise perdue")
	if len(a) != 3 || len(a[0]) != 16 || len(b[0]) != 16 {
		t.Fatalf("shapes %d×%d, %d", len(a), len(a[0]), len(b[0]))
	}
	for i := range a[0] {
		if a[0][i] != b[0][i] {
			t.Fatalf("same text gave different vectors: %v vs %v", a[0], b[0])
		}
	}
	dot := func(x, y []float32) (s float32) {
		for i := range x {
			s += x[i] * y[i]
		}
		return s
	}
	if n := dot(a[0], a[0]); math.Abs(float64(n)-1) > 1e-5 {
		t.Errorf("norm² = %v, want 1", n)
	}
	if dot(a[0], a[2]) <= dot(a[0], a[1]) {
		t.Errorf("texts sharing words are not closer: %v vs %v", dot(a[0], a[2]), dot(a[0], a[1]))
	}
	if got := srv.Requests(); len(got) != 2 || got[0].Input[1] != "allocation logement" {
		t.Errorf("recorded inputs %+v", got)
	}
}

func TestFaultsAndModels(t *testing.T) {
	srv := llmtest.New(t)
	srv.Push(llmtest.Reply{Status: 429, RetryAfter: "7"}, llmtest.Reply{Body: "pas du json"})
	chat := map[string]any{"model": "m", "messages": []any{map[string]any{"role": "user", "content": "x"}}}
	r1 := post(t, srv.URL+"/chat/completions", chat)
	if r1.StatusCode != 429 || r1.Header.Get("Retry-After") != "7" {
		t.Errorf("status %d Retry-After %q", r1.StatusCode, r1.Header.Get("Retry-After"))
	}
	r2 := post(t, srv.URL+"/chat/completions", chat)
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(r2.Body)
	if r2.StatusCode != 200 || buf.String() != "pas du json" {
		t.Errorf("garbage reply: %d %q", r2.StatusCode, buf.String())
	}
	resp, err := http.Get(srv.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var models struct{ Data []struct{ ID string } }
	if err := json.NewDecoder(resp.Body).Decode(&models); err != nil || len(models.Data) != 1 || models.Data[0].ID != llmtest.DefaultModel {
		t.Errorf("models = %+v, %v", models, err)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := llmtest.New(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.Push(llmtest.Reply{Text: fmt.Sprint(i)})
			resp, err := http.Post(srv.URL+"/chat/completions", "application/json", strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"x"}]}`))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			_ = srv.Requests()
		}()
	}
	wg.Wait()
	if n := len(srv.Requests()); n != 20 {
		t.Errorf("recorded %d requests, want 20", n)
	}
}
