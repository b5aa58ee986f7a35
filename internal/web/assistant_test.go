package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/plume-services/plume/internal/search/searchtest"
	"github.com/plume-services/plume/internal/store/storetest"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/config"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

// assistantEnv is a running server with the sample corpus, a fake model, and two advisers each holding a
// browser session and an API token.
type assistantEnv struct {
	srv        *httptest.Server
	fake       *llmtest.Server
	alice, bob advisor
}

type advisor struct {
	user    auth.User
	session auth.Session
	token   string
}

func newAssistantEnv(t *testing.T, withModel bool) *assistantEnv {
	t.Helper()
	ctx := context.Background()
	st := storetest.NewDB(t, searchtest.SampleCorpus(128))
	if _, err := st.EnsureOrganisation(ctx, "fs-gironde", "France services Gironde", "france-services"); err != nil {
		t.Fatal(err)
	}
	authSvc := auth.New(st, auth.Options{Argon2: auth.Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	env := &assistantEnv{fake: llmtest.New(t)}
	for _, a := range []*advisor{&env.alice, &env.bob} {
		name := "alice"
		if a == &env.bob {
			name = "bob"
		}
		u, err := authSvc.AddUser(ctx, auth.NewUser{Email: name + "@fs.example.fr", Name: name, Password: "un mot de passe très long", Role: auth.RoleAdviser, OrganisationSlug: "fs-gironde"})
		if err != nil {
			t.Fatal(err)
		}
		se, err := authSvc.NewSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _, err := authSvc.CreateToken(ctx, u.ID, "client OpenAI", []string{string(auth.ActUseAssistant)})
		if err != nil {
			t.Fatal(err)
		}
		*a = advisor{user: u, session: se, token: raw}
	}
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{Config: cfg, Store: st, Auth: authSvc, Filter: pii.NewFilter(2 * time.Second), Search: search.New(st, embed.NewLocal(128), search.Options{})}
	if withModel {
		m, err := llm.New(llm.Options{BaseURL: env.fake.URL, Model: "fake", MaxRetries: -1, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		d.Model = m
	}
	s, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	env.srv = httptest.NewServer(s)
	t.Cleanup(env.srv.Close)
	return env
}

// api calls the OpenAI-compatible API with a token ("" sends none).
func (e *assistantEnv) api(t *testing.T, method, path, token, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// page calls the chat page as a signed-in adviser, without following redirects.
func (e *assistantEnv) page(t *testing.T, a advisor, method, path string, form url.Values, accept string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", a.session.CSRF)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: a.session.Token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

type completion struct {
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Role, Content string
		} `json:"message"`
		Delta struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage   *apiUsage `json:"usage"`
	Sources []struct {
		N     int    `json:"n"`
		URL   string `json:"url"`
		Title string `json:"title"`
		Cited bool   `json:"cited"`
		Date  string `json:"date"`
	} `json:"sources"`
}

func TestOpenAICompletionFiltersAndCites(t *testing.T) {
	t.Parallel()
	env := newAssistantEnv(t, true)
	env.fake.Push(llmtest.Reply{Text: "[PERSONNE_1] doit déclarer la perte de sa carte Vitale en ligne [1]. Voir aussi [12]."})
	body := `{"model":"plume-assistant","messages":[
		{"role":"user","content":"Bonjour"},
		{"role":"assistant","content":"Bonjour, que puis-je pour vous ?"},
		{"role":"user","content":"M. Karim Benali, joignable au 06 71 82 93 04, a perdu sa carte Vitale : que faire ?"}]}`
	res, out := env.api(t, "POST", "/v1/chat/completions", env.alice.token, body)
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, out)
	}
	var c completion
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	sent := env.fake.Requests()[0].Text()
	for _, leak := range []string{"Karim", "Benali", "06 71 82 93 04"} {
		if strings.Contains(sent, leak) {
			t.Errorf("model request contains %q", leak)
		}
	}
	if !strings.Contains(sent, "<question_precedente>") {
		t.Errorf("history handled wrongly:\n%s", sent)
	}
	content := c.Choices[0].Message.Content
	type shape struct {
		Object, Model string
		Choices       int
		Role          string
	}
	if diff := cmp.Diff(shape{"chat.completion", AssistantModel, 1, "assistant"}, shape{c.Object, c.Model, len(c.Choices), c.Choices[0].Message.Role}); diff != "" {
		t.Errorf("completion %s (-want +got):\n%s", out, diff)
	}
	if !strings.Contains(content, "Karim Benali") || strings.Contains(content, "[12]") || !strings.Contains(content, "[1]") {
		t.Errorf("content = %q", content)
	}
	if len(c.Sources) == 0 {
		t.Fatal("no sources in the completion")
	}
	type source struct {
		N                    int
		Cited, HTTPS, Titled bool
	}
	first := c.Sources[0]
	if diff := cmp.Diff(source{1, true, true, true}, source{first.N, first.Cited, strings.HasPrefix(first.URL, "https://"), first.Title != ""}); diff != "" {
		t.Errorf("first source %+v (-want +got):\n%s", first, diff)
	}
	if c.Usage == nil || c.Usage.TotalTokens == 0 {
		t.Errorf("usage = %+v", c.Usage)
	}
}

// readChunks reads a streamed completion: every data line, and whether [DONE] ended it.
func readChunks(t *testing.T, body string) ([]completion, bool) {
	t.Helper()
	var out []completion
	done := false
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if line == "[DONE]" {
			done = true
			continue
		}
		var c completion
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("chunk %q: %v", line, err)
		}
		out = append(out, c)
	}
	return out, done
}

func TestOpenAIStreamingChunkFormat(t *testing.T) {
	t.Parallel()
	env := newAssistantEnv(t, true)
	env.fake.Push(llmtest.Reply{Chunks: []string{"Faites la ", "demande en ligne [", "1]. Puis ", "attendez [7]", "."}})
	res, body := env.api(t, "POST", "/v1/chat/completions", env.alice.token,
		`{"model":"plume-assistant","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Comment demander l'APL ?"}]}`)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, type %q: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	chunks, done := readChunks(t, body)
	if !done || len(chunks) < 4 {
		t.Fatalf("%d chunks, [DONE] %v:\n%s", len(chunks), done, body)
	}
	first, last := chunks[0], chunks[len(chunks)-1]
	if first.Object != "chat.completion.chunk" || first.Choices[0].Delta.Role != "assistant" || len(first.Sources) == 0 {
		t.Errorf("first chunk = %+v", first)
	}
	var text strings.Builder
	finished := false
	for _, c := range chunks {
		if c.Object != "chat.completion.chunk" || c.Model != AssistantModel {
			t.Errorf("chunk %+v", c)
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Delta.Content)
			if ch.FinishReason != nil && *ch.FinishReason == "stop" {
				finished = true
			}
		}
	}
	if got := text.String(); got != "Faites la demande en ligne [1]. Puis attendez." {
		t.Errorf("streamed text = %q", got)
	}
	// The stream finishes, then sends a last chunk with no choice and the usage.
	type end struct {
		Finished  bool
		Choices   int
		HasTokens bool
	}
	if diff := cmp.Diff(end{true, 0, true}, end{finished, len(last.Choices), last.Usage != nil && last.Usage.TotalTokens > 0}); diff != "" {
		t.Errorf("end of the stream, last chunk %+v (-want +got):\n%s", last, diff)
	}
}

// TestOpenAIStreamHeartbeatWhileModelSlow: with a model slow to start, the stream opens after one heartbeat
// period (headers, the role chunk) and sends a comment every period until the words come, like every stream.
func TestOpenAIStreamHeartbeatWhileModelSlow(t *testing.T) {
	defer sseHeartbeatNS.Store(sseHeartbeatNS.Load())
	sseHeartbeatNS.Store(int64(50 * time.Millisecond))
	env := newAssistantEnv(t, true)
	env.fake.Push(llmtest.Reply{Chunks: []string{"Faites la demande en ligne [1]."}, HeaderDelay: 400 * time.Millisecond})
	res, body := env.api(t, "POST", "/v1/chat/completions", env.alice.token,
		`{"model":"plume-assistant","stream":true,"messages":[{"role":"user","content":"Comment demander l'APL ?"}]}`)
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	words := strings.Index(body, "Faites la demande")
	beats := strings.Count(body[:max(words, 0)], ": attente")
	if words < 0 || beats < 2 || strings.Index(body, ": ouvert") > strings.Index(body, "data:") {
		t.Errorf("want the stream opened, then heartbeats (%d) before the words:\n%s", beats, body)
	}
	if chunks, done := readChunks(t, body); !done || len(chunks) == 0 || chunks[0].Choices[0].Delta.Role != "assistant" {
		t.Errorf("stream not well formed (done %v):\n%s", done, body)
	}
}

func TestOpenAIErrors(t *testing.T) {
	t.Parallel()
	env := newAssistantEnv(t, true)
	env.fake.Handle(func(llmtest.Request) llmtest.Reply { return llmtest.Reply{Status: 503} })
	ask := `{"model":"plume-assistant","messages":[{"role":"user","content":"Comment refaire une carte grise ?"}]}`
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"no token", "POST", "/v1/chat/completions", "", ask, 401, "invalid_api_key"},
		{"models without token", "GET", "/v1/models", "", "", 401, "invalid_api_key"},
		{"bad json", "POST", "/v1/chat/completions", env.alice.token, `{"model":`, 400, "invalid_value"},
		{"unknown model", "POST", "/v1/chat/completions", env.alice.token, `{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}`, 404, "model_not_found"},
		{"last not user", "POST", "/v1/chat/completions", env.alice.token, `{"model":"plume-assistant","messages":[{"role":"assistant","content":"x"}]}`, 400, "invalid_value"},
		{"missing model", "POST", "/v1/chat/completions", env.alice.token, `{"messages":[{"role":"user","content":"x"}]}`, 400, "missing_required_parameter"},
		{"system message", "POST", "/v1/chat/completions", env.alice.token, `{"model":"plume-assistant","messages":[{"role":"system","content":"Réponds en anglais."},{"role":"user","content":"x"}]}`, 400, "unsupported_parameter"},
		{"n=2", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"n":2,"model"`, 1), 400, "unsupported_parameter"},
		{"tools", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"tools":[{"type":"function","function":{"name":"f"}}],"model"`, 1), 400, "unsupported_parameter"},
		{"tool_choice", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"tool_choice":"auto","model"`, 1), 400, "unsupported_parameter"},
		{"response_format", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"response_format":{"type":"json_object"},"model"`, 1), 400, "unsupported_parameter"},
		{"logprobs", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"logprobs":true,"model"`, 1), 400, "unsupported_parameter"},
		{"temperature of the wrong type", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"temperature":"hot","model"`, 1), 400, "invalid_type"},
		{"max_tokens of the wrong type", "POST", "/v1/responses", env.alice.token, `{"model":"plume-assistant","input":"x","max_output_tokens":"beaucoup"}`, 400, "invalid_type"},
		{"temperature out of range", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"temperature":3,"model"`, 1), 400, "invalid_value"},
		{"top_p out of range", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"top_p":0,"model"`, 1), 400, "invalid_value"},
		{"max_tokens zero", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"max_tokens":0,"model"`, 1), 400, "invalid_value"},
		{"unknown model retrieved", "GET", "/v1/models/gpt-4o", env.alice.token, "", 404, "model_not_found"},
		{"embeddings", "POST", "/v1/embeddings", env.alice.token, `{"model":"x","input":"y"}`, 404, "unsupported_endpoint"},
		{"responses with instructions", "POST", "/v1/responses", env.alice.token, `{"model":"plume-assistant","instructions":"Sois bref.","input":"x"}`, 400, "unsupported_parameter"},
		{"responses without input", "POST", "/v1/responses", env.alice.token, `{"model":"plume-assistant"}`, 400, "missing_required_parameter"},
		{"model down", "POST", "/v1/chat/completions", env.alice.token, ask, 503, "model_unavailable"},
		{"model down, streaming", "POST", "/v1/chat/completions", env.alice.token, strings.Replace(ask, `{"model"`, `{"stream":true,"model"`, 1), 503, "model_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := env.api(t, tt.method, tt.path, tt.token, tt.body)
			if res.StatusCode != tt.status || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("status %d (%s), want %d: %s", res.StatusCode, res.Header.Get("Content-Type"), tt.status, body)
			}
			var e openAIError
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("error body %s is not JSON: %v", body, err)
			}
			type refusal struct {
				HasMessage, HasType bool
				Code                string
			}
			code := "(null)"
			if e.Error.Code != nil {
				code = *e.Error.Code
			}
			if diff := cmp.Diff(refusal{true, true, tt.code}, refusal{e.Error.Message != "", e.Error.Type != "", code}); diff != "" {
				t.Errorf("error body %s (-want +got):\n%s", body, diff)
			}
			if strings.Contains(body, "Params") || strings.Contains(body, "json:") || strings.Contains(body, "127.0.0.1") {
				t.Errorf("a Go name or an address in the message: %s", body)
			}
		})
	}
	for _, path := range []string{"/v1/models", "/v1/models/plume-assistant"} {
		res, body := env.api(t, "GET", path, env.alice.token, "")
		if res.StatusCode != 200 || !strings.Contains(body, `"id":"plume-assistant"`) {
			t.Errorf("GET %s = %d %s", path, res.StatusCode, body)
		}
	}
	// A token of an unknown value never reaches the handlers: the authentication middleware answers 401.
	if res, _ := env.api(t, "GET", "/v1/models", "plm_inconnu", ""); res.StatusCode != 401 {
		t.Errorf("unknown token: %d", res.StatusCode)
	}
}

// sseEvents reads the chat page's event stream as (name, data) pairs.
func sseEvents(t *testing.T, body string) []struct{ Name, Data string } {
	t.Helper()
	var out []struct{ Name, Data string }
	for _, block := range strings.Split(body, "\n\n") {
		var name, data string
		for _, line := range strings.Split(block, "\n") {
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				data += v
			}
		}
		if data != "" {
			out = append(out, struct{ Name, Data string }{name, data})
		}
	}
	return out
}

func TestChatPageStreamsStoresAndKeepsConversationsPrivate(t *testing.T) {
	t.Parallel()
	env := newAssistantEnv(t, true)
	res, body := env.page(t, env.alice, "GET", "/assistant", nil, "")
	if res.StatusCode != 200 {
		t.Fatalf("GET /assistant = %d", res.StatusCode)
	}
	page := []string{`aria-live="polite"`, `<label class="fr-label" for="assistant-question">`, "/static/js/assistant.js"}
	if diff := cmp.Diff(says(strings.Join(page, " "), page...), says(body, page...)); diff != "" {
		t.Fatalf("GET /assistant: the live region, the labelled question and the script (-want +got):\n%s", diff)
	}

	env.fake.Push(llmtest.Reply{Chunks: []string{"Déclarez la perte ", "sur le compte ameli de [PERSON", "NE_1] [1]."}})
	res, body = env.page(t, env.alice, "POST", "/assistant/questions", url.Values{"question": {"Julie Moreau a perdu sa carte Vitale, que faire ?"}, "conversation": {"0"}}, "text/event-stream")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("POST /assistant/questions = %d %s", res.StatusCode, body)
	}
	events := sseEvents(t, body)
	var names []string
	var streamed strings.Builder
	var done struct {
		HTML         string `json:"html"`
		Conversation int64  `json:"conversation"`
		Message      int64  `json:"message"`
	}
	for _, ev := range events {
		names = append(names, ev.Name)
		switch ev.Name {
		case "delta":
			var d struct{ Text string }
			_ = json.Unmarshal([]byte(ev.Data), &d)
			streamed.WriteString(d.Text)
		case "done":
			_ = json.Unmarshal([]byte(ev.Data), &done)
		}
	}
	if len(names) < 4 {
		t.Fatalf("events %v: want start, sources, at least one delta, done", names)
	}
	if diff := cmp.Diff([]string{"start", "sources", "done"}, []string{names[0], names[1], names[len(names)-1]}); diff != "" {
		t.Fatalf("events %v: first two and last (-want +got):\n%s", names, diff)
	}
	if streamed.String() != "Déclarez la perte sur le compte ameli de Julie Moreau [1]." {
		t.Errorf("streamed %q", streamed.String())
	}
	src := fmt.Sprintf(`href="#src-%d-1"`, done.Message)
	if !strings.Contains(done.HTML, src) || !strings.Contains(done.HTML, fmt.Sprintf(`id="src-%d-1"`, done.Message)) || !strings.Contains(done.HTML, "service-public.fr") {
		t.Errorf("final turn lacks the citation link %s or its source:\n%s", src, done.HTML)
	}
	if strings.Contains(env.fake.Requests()[0].Text(), "Moreau") {
		t.Error("the name reached the model")
	}

	conv := fmt.Sprintf("/assistant/conversations/%d", done.Conversation)
	if res, body := env.page(t, env.alice, "GET", conv, nil, ""); res.StatusCode != 200 || !strings.Contains(body, "Julie Moreau a perdu sa carte Vitale") {
		t.Errorf("GET %s = %d", conv, res.StatusCode)
	}
	// Bob can neither read, rate, continue nor delete Alice's conversation.
	for _, tt := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", conv, nil},
		{"POST", fmt.Sprintf("/assistant/messages/%d/avis", done.Message), url.Values{"note": {"utile"}}},
		{"POST", "/assistant/questions", url.Values{"question": {"Et ensuite ?"}, "conversation": {fmt.Sprint(done.Conversation)}}},
		{"POST", conv + "/suppression", url.Values{}},
	} {
		if res, _ := env.page(t, env.bob, tt.method, tt.path, tt.form, ""); res.StatusCode != 404 {
			t.Errorf("bob %s %s = %d, want 404", tt.method, tt.path, res.StatusCode)
		}
	}
	if _, body := env.page(t, env.bob, "GET", "/assistant", nil, ""); strings.Contains(body, "Julie Moreau") {
		t.Error("bob's list shows alice's conversation")
	}

	// Feedback, export, deletion.
	res, body = env.page(t, env.alice, "POST", fmt.Sprintf("/assistant/messages/%d/avis", done.Message),
		url.Values{"note": {"inutile"}, "etiquettes": {"incomplete", "sources-inadaptees"}, "commentaire": {"Mme Julie Moreau attendait autre chose."}}, "")
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("feedback = %d %s", res.StatusCode, body)
	}
	if _, body := env.page(t, env.alice, "GET", conv, nil, ""); !strings.Contains(body, "pas utile · incomplete · sources-inadaptees") {
		t.Error("feedback not shown back")
	}
	res, body = env.page(t, env.alice, "GET", "/assistant/export.jsonl", nil, "")
	if res.StatusCode != 200 {
		t.Errorf("export = %d %s", res.StatusCode, body)
	}
	// Exported filtered: the placeholder, never the name, with the feedback.
	want := map[string]bool{"Moreau": false, `"rating":-1`: true, "[PERSONNE_1]": true}
	if diff := cmp.Diff(want, says(body, "Moreau", `"rating":-1`, "[PERSONNE_1]")); diff != "" {
		t.Errorf("export %s (-want +got):\n%s", body, diff)
	}
	if res, _ := env.page(t, env.alice, "POST", conv+"/suppression", url.Values{}, ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete = %d", res.StatusCode)
	}
	if res, _ := env.page(t, env.alice, "GET", conv, nil, ""); res.StatusCode != 404 {
		t.Errorf("deleted conversation = %d", res.StatusCode)
	}
}

func TestChatPageModelDown(t *testing.T) {
	t.Parallel()
	env := newAssistantEnv(t, true)
	env.fake.Handle(func(llmtest.Request) llmtest.Reply { return llmtest.Reply{Status: 503} })
	form := url.Values{"question": {"Comment refaire une carte grise ?"}, "conversation": {"0"}}
	_, body := env.page(t, env.alice, "POST", "/assistant/questions", form, "text/event-stream")
	events := sseEvents(t, body)
	if len(events) == 0 || events[len(events)-1].Name != "error" || !strings.Contains(events[len(events)-1].Data, "momentanément indisponible") {
		t.Errorf("events = %+v", events)
	}
	res, body := env.page(t, env.alice, "POST", "/assistant/questions", form, "text/html")
	if res.StatusCode != 503 || !strings.Contains(body, "momentanément indisponible") || !strings.Contains(body, "Comment refaire une carte grise ?") {
		t.Errorf("plain POST = %d", res.StatusCode)
	}
}

func TestChatPageOffline(t *testing.T) {
	t.Parallel()
	env := newAssistantEnv(t, false)
	_, body := env.page(t, env.alice, "GET", "/assistant", nil, "")
	if !strings.Contains(body, "mode hors ligne") {
		t.Error("the page does not say it is offline")
	}
	res, _ := env.page(t, env.alice, "POST", "/assistant/questions", url.Values{"question": {"Comment renouveler une carte d'identité ?"}}, "text/html")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("plain POST = %d", res.StatusCode)
	}
	res, body = env.page(t, env.alice, "GET", strings.SplitN(res.Header.Get("Location"), "#", 2)[0], nil, "")
	if res.StatusCode != 200 || !strings.Contains(body, "hors ligne") || !strings.Contains(body, "carte d&#39;identité") {
		t.Errorf("conversation page = %d", res.StatusCode)
	}
}

// TestOpenAINodeClient drives the API with the official openai npm package (tests/openai-client), streaming
// included. It needs node and the package installed (scripts/openai-client-test.sh); in CI both are required.
func TestOpenAINodeClient(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs("../../tests/openai-client")
	if err != nil {
		t.Fatal(err)
	}
	node, nodeErr := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(dir, "node_modules", "openai", "package.json"))
	if nodeErr != nil || modErr != nil {
		msg := "node or tests/openai-client/node_modules missing: run scripts/openai-client-test.sh"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	env := newAssistantEnv(t, true)
	env.fake.Handle(func(r llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Chunks: []string{"Déclarez la perte ", "en ligne [1]", ". Demandez une ", "nouvelle carte [2]."}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "openai.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PLUME_URL="+env.srv.URL+"/v1", "PLUME_TOKEN="+env.alice.token)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	if err != nil {
		t.Fatalf("node --test: %v", err)
	}
	reqs := env.fake.Requests()
	if len(reqs) < 5 {
		t.Errorf("the node tests made %d model calls, want at least 5", len(reqs))
	}
	bounded := false
	for _, r := range reqs {
		bounded = bounded || r.MaxTokens == 5
	}
	if !bounded {
		t.Error("max_tokens: 5 never reached the model")
	}
}

// says reports, for each phrase, whether text contains it: against a map of what each should be, a failure
// shows only the phrases that are wrong.
func says(text string, phrases ...string) map[string]bool {
	m := make(map[string]bool, len(phrases))
	for _, p := range phrases {
		m[p] = strings.Contains(text, p)
	}
	return m
}
