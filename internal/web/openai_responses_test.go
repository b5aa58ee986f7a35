package web

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/llm/llmtest"
)

// TestOpenAISamplingIsHonoured checks that max_tokens is an upper bound (never above Plume's own budget) and that
// temperature and top_p reach the model, and that an answer cut by the budget says finish_reason "length".
func TestOpenAISamplingIsHonoured(t *testing.T) {
	t.Parallel()
	env := newAssistantEnv(t, true)
	ask := `{"model":"plume-assistant","messages":[{"role":"user","content":"Comment refaire une carte grise ?"}],`
	tests := []struct {
		name, params string
		maxTokens    int
		temperature  float64
	}{
		{"defaults", `"stream":false`, 600, 0.1},
		{"a lower bound wins", `"max_tokens":50,"temperature":0.7,"top_p":0.5`, 50, 0.7},
		{"the newer name", `"max_completion_tokens":40,"max_tokens":80`, 40, 0.1},
		{"never above Plume's budget", `"max_tokens":100000`, 600, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.fake.Push(llmtest.Reply{Text: "Faites la demande en ligne [1].", FinishReason: "length"})
			res, body := env.api(t, "POST", "/v1/chat/completions", env.alice.token, ask+tt.params+"}")
			if res.StatusCode != 200 {
				t.Fatalf("%d %s", res.StatusCode, body)
			}
			reqs := env.fake.Requests()
			got := reqs[len(reqs)-1]
			if got.MaxTokens != tt.maxTokens || got.Temperature == nil || *got.Temperature != tt.temperature {
				t.Errorf("model asked with max_tokens %d, temperature %v; want %d, %v", got.MaxTokens, got.Temperature, tt.maxTokens, tt.temperature)
			}
			if !strings.Contains(body, `"finish_reason":"length"`) {
				t.Errorf("an answer cut by the budget: %s", body)
			}
		})
	}
}

// TestOpenAIResponses checks the minimal responses API: a string or messages in, the text and its sources out,
// and the stream of events the SDKs read.
func TestOpenAIResponses(t *testing.T) {
	t.Parallel()
	env := newAssistantEnv(t, true)
	env.fake.Push(llmtest.Reply{Text: "Déclarez la perte en ligne [1]."})
	res, body := env.api(t, "POST", "/v1/responses", env.alice.token, `{"model":"plume-assistant","input":"J'ai perdu ma carte Vitale, que faire ?","max_output_tokens":200}`)
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	var r struct {
		responseObject
		Sources []map[string]any `json:"sources"` // apiPassage is written, never read
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	// What a client reads: one output text, sources whose first has a date without time, and the usage.
	type read struct {
		Object, Status     string
		Outputs            int
		Type, Text         string
		Sources            bool
		DatedSource, Usage bool
	}
	got := read{Object: r.Object, Status: r.Status, Outputs: len(r.Output), Sources: len(r.Sources) > 0,
		Usage: r.Usage != nil && r.Usage.TotalTokens > 0}
	if len(r.Output) > 0 && len(r.Output[0].Content) > 0 {
		got.Type, got.Text = r.Output[0].Content[0].Type, r.Output[0].Content[0].Text
	}
	if len(r.Sources) > 0 {
		got.DatedSource = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`).MatchString(fmt.Sprint(r.Sources[0]["date"]))
	}
	wantRead := read{"response", "completed", 1, "output_text", "Déclarez la perte en ligne [1].", true, true, true}
	if diff := cmp.Diff(wantRead, got); diff != "" {
		t.Errorf("response %s (-want +got):\n%s", body, diff)
	}
	if got := env.fake.Requests()[0].MaxTokens; got != 200 {
		t.Errorf("max_output_tokens: the model was asked for %d tokens", got)
	}

	env.fake.Push(llmtest.Reply{Chunks: []string{"Déclarez ", "la perte [1]."}})
	res, body = env.api(t, "POST", "/v1/responses", env.alice.token, `{"model":"plume-assistant","stream":true,"input":[
		{"role":"user","content":"Bonjour"},{"role":"assistant","content":"Bonjour !"},
		{"role":"user","content":[{"type":"input_text","text":"J'ai perdu ma carte Vitale."}]}]}`)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	var types []string
	var text strings.Builder
	for _, ev := range sseEvents(t, body) {
		var d struct {
			Type  string `json:"type"`
			Delta string `json:"delta"`
			Seq   *int   `json:"sequence_number"`
		}
		if err := json.Unmarshal([]byte(ev.Data), &d); err != nil || d.Type != ev.Name || d.Seq == nil {
			t.Fatalf("event %s: %s", ev.Name, ev.Data)
		}
		types = append(types, d.Type)
		text.WriteString(d.Delta)
	}
	want := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
		"response.output_item.done", "response.completed"}
	if strings.Join(types, " ") != strings.Join(want, " ") || text.String() != "Déclarez la perte [1]." {
		t.Errorf("events %v, text %q", types, text.String())
	}
	if !strings.Contains(env.fake.Requests()[1].Text(), "<question_precedente>") {
		t.Error("the earlier turns did not reach the prompt as history")
	}
}
