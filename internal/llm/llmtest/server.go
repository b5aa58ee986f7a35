// Package llmtest is a fake OpenAI-compatible server for tests: real HTTP, streamed and plain chat completions,
// embeddings, scripted answers, injected faults, and a record of every request so tests can assert what left Plume.
package llmtest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/plume-services/plume/internal/testscope"
)

// DefaultModel is the model name the server reports when a request names none.
const DefaultModel = "llmtest-model"

// Message is one chat message as the server received it.
type Message struct {
	Role, Content string
}

// Request is one request as the server received it, parsed, with its raw body.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	Received     time.Time

	// Chat completions.
	Model        string
	Messages     []Message
	Stream       bool
	IncludeUsage bool // stream_options.include_usage
	MaxTokens    int
	Temperature  *float64
	Stop         []string

	// Embeddings.
	Input          []string
	EncodingFormat string
}

// Text is every message content of the request, then every embedding input, one per line: what left the client.
func (r Request) Text() string {
	var b strings.Builder
	for _, m := range r.Messages {
		b.WriteString(m.Content)
		b.WriteByte('\n')
	}
	for _, in := range r.Input {
		b.WriteString(in)
		b.WriteByte('\n')
	}
	return b.String()
}

// Usage is the token count a reply reports.
type Usage struct {
	PromptTokens, CompletionTokens int
}

// Reply scripts one answer of the server, faults included; the zero Reply answers a default text.
type Reply struct {
	Text         string
	Chunks       []string // stream pieces, in order; default: Text split after each space
	FinishReason string   // default "stop"
	Model        string   // default: the model asked for
	Usage        *Usage   // default: words of the prompt and of the answer
	NoUsage      bool     // report no usage at all, neither in a plain answer nor in a stream

	Status      int    // answer this HTTP error status (500, 503, 429…) with an OpenAI error body
	RetryAfter  string // Retry-After header sent with Status
	Body        string // send this raw body with status 200 (or Status) instead of an answer: garbage
	ContentType string // with Body; default application/json

	HeaderDelay time.Duration // wait before sending anything, headers included
	ChunkDelay  time.Duration // wait before each stream chunk
	StallAfter  int           // with Stall: stall after this many content chunks
	Stall       time.Duration // how long the stream stalls

	Cut      bool // stream: stop after CutAfter content chunks, with neither finish_reason nor [DONE]
	CutAfter int
	Abort    bool // with Cut: reset the connection instead of ending the body cleanly
	NoDone   bool // stream: send finish_reason and usage but no [DONE]
}

// Server is a running fake; its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to configure clients with, ending in /v1.
	URL string
	// EmbedDim is the dimension of the vectors /v1/embeddings returns.
	EmbedDim int

	srv  *httptest.Server
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	queue    []Reply
	handle   func(Request) Reply
	requests []Request
	seq      int
}

// New starts a server with embeddings of dimension 384; it is closed when tb ends.
func New(tb testscope.TB) *Server {
	tb.Helper()
	s := &Server{EmbedDim: 384, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("GET /v1/models", s.models)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing any request still stalled.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// Push queues replies for the next chat completions, in order; once the queue is empty the handler answers.
func (s *Server) Push(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Handle sets the function answering chat completions when the queue is empty.
func (s *Server) Handle(f func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handle = f
}

// Requests returns a copy of every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// wire is the subset of a request body the server reads.
type wire struct {
	Model         string            `json:"model"`
	Messages      []json.RawMessage `json:"messages"`
	Stream        bool              `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           int             `json:"max_tokens"`
	MaxCompletionTokens int             `json:"max_completion_tokens"`
	Temperature         *float64        `json:"temperature"`
	Stop                json.RawMessage `json:"stop"`
	Input               json.RawMessage `json:"input"`
	EncodingFormat      string          `json:"encoding_format"`
}

// receive parses and records a request; a body that is not JSON is recorded, then answered 400.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) (Request, bool) {
	body, err := readAll(r)
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Received: time.Now()}
	var in wire
	jsonErr := json.Unmarshal(body, &in)
	if jsonErr == nil {
		req.Model, req.Stream, req.Temperature, req.EncodingFormat = in.Model, in.Stream, in.Temperature, in.EncodingFormat
		req.IncludeUsage = in.StreamOptions != nil && in.StreamOptions.IncludeUsage
		req.MaxTokens = max(in.MaxTokens, in.MaxCompletionTokens)
		req.Stop = stringOrList(in.Stop)
		req.Input = stringOrList(in.Input)
		for _, raw := range in.Messages {
			req.Messages = append(req.Messages, parseMessage(raw))
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.seq++
	s.mu.Unlock()
	if err != nil || jsonErr != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body", "")
		return req, false
	}
	return req, true
}

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}

func parseMessage(raw json.RawMessage) Message {
	var m struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	_ = json.Unmarshal(raw, &m)
	var text string
	if json.Unmarshal(m.Content, &text) != nil {
		var parts []struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(m.Content, &parts)
		for _, p := range parts {
			text += p.Text
		}
	}
	return Message{Role: m.Role, Content: text}
}

func stringOrList(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return list
}

func (s *Server) next(req Request) Reply {
	s.mu.Lock()
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		return r
	}
	h := s.handle
	s.mu.Unlock()
	if h != nil {
		return h(req) // called unlocked: a handler may block or call the server's methods
	}
	return Reply{}
}

// wait sleeps for d unless the client leaves or the server closes; it reports whether the handler should go on.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

// fault sends the scripted delay, error status or raw body; it reports whether the reply was fully handled.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, rep Reply) bool {
	if !s.wait(r, rep.HeaderDelay) {
		return true
	}
	if rep.Body != "" {
		ct := rep.ContentType
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
		if rep.RetryAfter != "" {
			w.Header().Set("Retry-After", rep.RetryAfter)
		}
		w.WriteHeader(orInt(rep.Status, http.StatusOK))
		_, _ = w.Write([]byte(rep.Body))
		return true
	}
	if rep.Status >= 400 {
		if rep.RetryAfter != "" {
			w.Header().Set("Retry-After", rep.RetryAfter)
		}
		msg := http.StatusText(rep.Status)
		if rep.Status == http.StatusTooManyRequests {
			msg = "Rate limit reached, retry later"
		}
		writeError(w, rep.Status, msg, "")
		return true
	}
	return false
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func writeError(w http.ResponseWriter, status int, msg, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	typ := "server_error"
	if status < 500 {
		typ = "invalid_request_error"
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "code": nullable(code)}})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	req, ok := s.receive(w, r)
	if !ok {
		return
	}
	rep := s.next(req)
	if s.fault(w, r, rep) {
		return
	}
	if rep.Text == "" && len(rep.Chunks) == 0 {
		rep.Text = "Réponse simulée."
	}
	if len(rep.Chunks) == 0 {
		rep.Chunks = splitWords(rep.Text)
	} else if rep.Text == "" {
		rep.Text = strings.Join(rep.Chunks, "")
	}
	if rep.FinishReason == "" {
		rep.FinishReason = "stop"
	}
	if rep.Model == "" {
		rep.Model = orStr(req.Model, DefaultModel)
	}
	usage := rep.Usage
	if usage == nil {
		usage = &Usage{PromptTokens: countWords(req.Text()), CompletionTokens: countWords(rep.Text)}
	}
	s.mu.Lock()
	id := fmt.Sprintf("chatcmpl-llmtest-%d", s.seq)
	s.mu.Unlock()
	if req.Stream {
		s.stream(w, r, req, rep, id, usage)
		return
	}
	out := map[string]any{
		"id": id, "object": "chat.completion", "created": time.Now().Unix(), "model": rep.Model,
		"choices": []any{map[string]any{
			"index": 0, "message": map[string]any{"role": "assistant", "content": rep.Text},
			"finish_reason": rep.FinishReason, "logprobs": nil,
		}},
	}
	if !rep.NoUsage {
		out["usage"] = usageJSON(usage)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// stream sends rep as server-sent events.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, req Request, rep Reply, id string, usage *Usage) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if flusher != nil {
		flusher.Flush()
	}
	created := time.Now().Unix()
	send := func(v any) bool {
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": created, "model": rep.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}},
		}
	}
	for i, piece := range rep.Chunks {
		if rep.Cut && i == rep.CutAfter {
			s.cut(rep)
			return
		}
		if rep.Stall > 0 && i == rep.StallAfter && !s.wait(r, rep.Stall) {
			return
		}
		if !s.wait(r, rep.ChunkDelay) {
			return
		}
		delta := map[string]any{"content": piece}
		if i == 0 {
			delta["role"] = "assistant"
		}
		if !send(chunk(delta, nil)) {
			return
		}
	}
	if rep.Cut {
		s.cut(rep)
		return
	}
	if rep.Stall > 0 && rep.StallAfter >= len(rep.Chunks) && !s.wait(r, rep.Stall) {
		return
	}
	if !send(chunk(map[string]any{}, rep.FinishReason)) {
		return
	}
	if req.IncludeUsage && !rep.NoUsage {
		if !send(map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": rep.Model, "choices": []any{}, "usage": usageJSON(usage)}) {
			return
		}
	}
	if !rep.NoDone {
		_, _ = fmt.Fprint(w, "data: [DONE]\n\n")
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// cut ends a stream early: cleanly (the body just ends) or, with Abort, by resetting the connection.
func (s *Server) cut(rep Reply) {
	if rep.Abort {
		panic(http.ErrAbortHandler)
	}
}

func usageJSON(u *Usage) map[string]any {
	return map[string]any{"prompt_tokens": u.PromptTokens, "completion_tokens": u.CompletionTokens, "total_tokens": u.PromptTokens + u.CompletionTokens}
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object": "list",
		"data":   []any{map[string]any{"id": DefaultModel, "object": "model", "created": 0, "owned_by": "llmtest"}},
	})
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	req, ok := s.receive(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	dim := s.EmbedDim
	s.mu.Unlock()
	if len(req.Input) == 0 {
		writeError(w, http.StatusBadRequest, "input is required", "")
		return
	}
	data := make([]any, len(req.Input))
	tokens := 0
	for i, in := range req.Input {
		v := Vector(in, dim)
		tokens += countWords(in)
		var emb any = v
		if req.EncodingFormat == "base64" {
			buf := make([]byte, 4*len(v))
			for j, f := range v {
				binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(f))
			}
			emb = base64.StdEncoding.EncodeToString(buf)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": emb}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": orStr(req.Model, DefaultModel),
		"usage": map[string]any{"prompt_tokens": tokens, "total_tokens": tokens},
	})
}

// Vector is the embedding the server returns for text: lower-cased words hashed into dim buckets, L2-normalised,
// so texts sharing words are close; a text without words gets a fixed pseudo-random vector.
func Vector(text string, dim int) []float32 {
	v := make([]float32, dim)
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		h := fnv.New64a()
		h.Write([]byte(w))
		x := h.Sum64()
		sign := float32(1)
		if x>>63 == 1 {
			sign = -1
		}
		v[x%uint64(dim)] += sign
	}
	if len(words) == 0 {
		h := fnv.New64a()
		h.Write([]byte(text))
		rng := rand.New(rand.NewPCG(h.Sum64(), 0x706c756d65))
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
	}
	var n float64
	for _, f := range v {
		n += float64(f) * float64(f)
	}
	if n > 0 {
		inv := float32(1 / math.Sqrt(n))
		for i := range v {
			v[i] *= inv
		}
	}
	return v
}

func splitWords(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if r == ' ' {
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func countWords(s string) int { return len(strings.Fields(s)) }

func orStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
