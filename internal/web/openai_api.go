package web

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/assistant"
	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
)

// AssistantModel is the model name the OpenAI-compatible API answers as: retrieval and prompt are Plume's,
// whatever model generates behind them.
const AssistantModel = "plume-assistant"

// assistantModelCreated is the fixed creation date /v1/models reports (the assistant's first version).
var assistantModelCreated = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// apiUser checks the caller of the OpenAI-compatible API: an API token whose owner may use the assistant and
// whose scopes allow it; its refusals are rows of the error table.
func (h *assistantHandlers) apiUser(c *echo.Context) (auth.User, bool, error) {
	u, ok := userOf(c)
	_, isToken := c.Get(ctxToken).(auth.Token)
	if !ok || !isToken {
		return u, false, errNoAPIToken
	}
	tok := c.Get(ctxToken).(auth.Token)
	if !u.Can(auth.ActUseAssistant) || !tok.Allows(auth.ActUseAssistant) {
		return u, false, errAssistantScope
	}
	if h.svc == nil {
		return u, false, errAssistantDown
	}
	return u, true, nil
}

// modelObject is the one model /v1/models lists.
func modelObject() map[string]any {
	return map[string]any{"id": AssistantModel, "object": "model", "created": assistantModelCreated, "owned_by": "plume"}
}

func (h *assistantHandlers) listModels(c *echo.Context) error {
	if _, ok, err := h.apiUser(c); !ok {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"object": "list", "data": []any{modelObject()}})
}

// showModel is GET /v1/models/{id}, the SDKs' models.retrieve.
func (h *assistantHandlers) showModel(c *echo.Context) error {
	if _, ok, err := h.apiUser(c); !ok {
		return err
	}
	id := c.Param("id")
	if bad := checkModel(&id); bad != nil {
		return bad
	}
	return c.JSON(http.StatusOK, modelObject())
}

// noEmbeddings answers POST /v1/embeddings: Plume is an assistant with its sources, not an embeddings gateway.
func (h *assistantHandlers) noEmbeddings(c *echo.Context) error {
	return errNoEmbeddings
}

// samplingParams are the generation parameters of OpenAI's chat and responses APIs, all optional. Plume honours
// what it can (an upper bound on tokens, temperature and top_p within their ranges) and refuses the rest with
// unsupported_parameter rather than ignoring it.
type samplingParams struct {
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	MaxOutputTokens     *int            `json:"max_output_tokens"` // the responses API's name
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	N                   *int            `json:"n"`
	Tools               json.RawMessage `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ResponseFormat      json.RawMessage `json:"response_format"`
	Text                json.RawMessage `json:"text"` // the responses API's response_format
	Logprobs            json.RawMessage `json:"logprobs"`
	TopLogprobs         *int            `json:"top_logprobs"`
}

// chatRequest is the part of an OpenAI chat completion request Plume reads.
type chatRequest struct {
	Model         *string       `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	samplingParams
}

// openAIBad is a request the OpenAI-compatible API refuses: status, error.code, error.param and a French message.
type openAIBad struct {
	status           int
	code, param, msg string
}

func badParam(code, param, msg string) *openAIBad {
	return &openAIBad{status: http.StatusBadRequest, code: code, param: param, msg: msg}
}

func (b *openAIBad) Error() string { return b.param + " : " + b.msg }

// present reports whether an optional JSON value was sent with something other than null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// decodeOpenAI reads an OpenAI request body: a syntax error or a value of the wrong type is a 400 naming the
// parameter (temperature: "hot" is invalid_type, not a default silently applied).
func decodeOpenAI(c *echo.Context, v any) *openAIBad {
	if ct := c.Request().Header.Get("Content-Type"); ct != "" && !jsonContentType(ct) {
		return &openAIBad{status: http.StatusUnsupportedMediaType, code: "invalid_value", param: "", msg: "Corps JSON attendu (Content-Type: application/json)."}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &openAIBad{status: http.StatusRequestEntityTooLarge, code: "request_too_large", msg: "Requête trop volumineuse."}
		}
		return badParam("invalid_value", "", "Corps de requête illisible.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		msg := jsonMistake(err).msg
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field := strings.ReplaceAll(te.Field, "samplingParams.", "") // the embedded struct's Go name is no parameter
			return badParam("invalid_type", field, strings.ReplaceAll(msg, te.Field, field))
		}
		return badParam("invalid_value", "", msg)
	}
	return nil
}

// checkModel checks the model parameter: required, and plume-assistant.
func checkModel(model *string) *openAIBad {
	switch {
	case model == nil || *model == "":
		return badParam("missing_required_parameter", "model", fmt.Sprintf("model : paramètre obligatoire ; le modèle servi est %q", AssistantModel))
	case *model != AssistantModel:
		return &openAIBad{status: http.StatusNotFound, code: "model_not_found", param: "model",
			msg: fmt.Sprintf("model : %q inconnu, seul %q est servi (GET /v1/models)", *model, AssistantModel)}
	}
	return nil
}

// apply checks the sampling parameters and sets those Plume honours on q.
func (p samplingParams) apply(q *assistant.Question) *openAIBad {
	unsupported := func(param, why string) *openAIBad {
		return badParam("unsupported_parameter", param, param+" : non pris en charge par Plume ("+why+")")
	}
	switch {
	case p.N != nil && *p.N != 1:
		return unsupported("n", "une seule réponse par requête ; envoyez plusieurs requêtes")
	case present(p.Tools) && string(p.Tools) != "[]":
		return unsupported("tools", "l'assistant n'appelle pas d'outils : il répond à partir des fiches de service-public.fr")
	case present(p.ToolChoice) && string(p.ToolChoice) != `"none"`:
		return unsupported("tool_choice", "l'assistant n'appelle pas d'outils")
	case present(p.ResponseFormat) && !textFormat(p.ResponseFormat):
		return unsupported("response_format", "la réponse est du texte avec ses sources, jamais du JSON imposé")
	case present(p.Text) && !textFormat(p.Text):
		return unsupported("text", "la réponse est du texte avec ses sources, jamais du JSON imposé")
	case present(p.Logprobs) && string(p.Logprobs) != "false":
		return unsupported("logprobs", "les probabilités des jetons ne sont pas exposées")
	case p.TopLogprobs != nil:
		return unsupported("top_logprobs", "les probabilités des jetons ne sont pas exposées")
	case p.Temperature != nil && (*p.Temperature < 0 || *p.Temperature > 2):
		return badParam("invalid_value", "temperature", "temperature : un nombre entre 0 et 2")
	case p.TopP != nil && (*p.TopP <= 0 || *p.TopP > 1):
		return badParam("invalid_value", "top_p", "top_p : un nombre supérieur à 0 et au plus 1")
	}
	for _, mt := range []struct {
		name string
		v    *int
	}{{"max_tokens", p.MaxTokens}, {"max_completion_tokens", p.MaxCompletionTokens}, {"max_output_tokens", p.MaxOutputTokens}} {
		if mt.v == nil {
			continue
		}
		if *mt.v < 1 {
			return badParam("invalid_value", mt.name, mt.name+" : un entier d'au moins 1")
		}
		if q.MaxTokens == 0 || *mt.v < q.MaxTokens {
			q.MaxTokens = *mt.v // an upper bound: the smallest one sent wins, and never more than Plume's own
		}
	}
	q.Temperature, q.TopP = p.Temperature, p.TopP
	return nil
}

// textFormat reports whether a response_format (chat) or text (responses) asks for plain text.
func textFormat(raw json.RawMessage) bool {
	var f struct {
		Type   string `json:"type"`
		Format *struct {
			Type string `json:"type"`
		} `json:"format"`
	}
	if json.Unmarshal(raw, &f) != nil {
		return false
	}
	if f.Format != nil {
		return f.Format.Type == "text"
	}
	return f.Type == "text" || f.Type == ""
}

type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// text reads a message's content: a string, or an array of parts whose text parts are joined.
func (m chatMessage) text() (string, error) {
	if len(m.Content) == 0 || string(m.Content) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(m.Content, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(m.Content, &parts); err != nil {
		return "", errors.New("contenu illisible : une chaîne ou une liste de parties de texte est attendue")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type != "text" && p.Type != "input_text" && p.Type != "output_text" { // chat's and responses' names
			return "", fmt.Errorf("partie de type %q non prise en charge : seul le texte l'est", p.Type)
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// apiPassage is a passage as the API returns it: the fiche's date is a date, so it is written YYYY-MM-DD (the
// outer Date field hides the embedded time in JSON).
type apiPassage struct {
	ground.Passage
	Date string `json:"date,omitempty"`
}

// apiPassages converts passages for the API, with their text (search results).
func apiPassages(srcs []ground.Passage) []apiPassage {
	out := make([]apiPassage, len(srcs))
	for i, s := range srcs {
		out[i] = apiPassage{Passage: s}
		if !s.Date.IsZero() {
			out[i].Date = s.Date.Format(time.DateOnly)
		}
	}
	return out
}

// apiSources are the passages as the API returns them, in the extra top-level `sources` field: where each comes
// from and whether it is cited, without its text (the client follows the link).
func apiSources(srcs []ground.Passage) []apiPassage {
	out := apiPassages(srcs)
	for i := range out {
		out[i].Text = ""
	}
	return out
}

// apiUsage is a model call's token count as every API answer writes it, in OpenAI's names.
type apiUsage struct {
	PromptTokens     int  `json:"prompt_tokens"`
	CompletionTokens int  `json:"completion_tokens"`
	TotalTokens      int  `json:"total_tokens"`
	Estimated        bool `json:"estimated,omitempty"` // counted by Plume, the server having reported nothing
}

func toAPIUsage(u llm.Usage) apiUsage {
	return apiUsage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens, Estimated: u.Estimated}
}

func usageOf(a assistant.Answer) apiUsage { return toAPIUsage(a.Usage) }

// parseChat reads and checks a chat completion request: the last message is the question, the earlier user and
// assistant messages its history. A system or developer message is refused: the assistant's instructions are
// Plume's, reviewed with its privacy rules, and a client's own would either be dropped silently or reach the
// model unfiltered (see README, « API compatible OpenAI »).
func parseChat(c *echo.Context) (chatRequest, assistant.Question, *openAIBad) {
	var req chatRequest
	var q assistant.Question
	if bad := decodeOpenAI(c, &req); bad != nil {
		return req, q, bad
	}
	if bad := checkModel(req.Model); bad != nil {
		return req, q, bad
	}
	if len(req.Messages) == 0 {
		return req, q, badParam("missing_required_parameter", "messages", "messages : au moins un message est requis")
	}
	if bad := req.apply(&q); bad != nil {
		return req, q, bad
	}
	turns := make([]turnInput, len(req.Messages))
	for i, m := range req.Messages {
		text, err := m.text()
		if err != nil {
			return req, q, badParam("invalid_value", fmt.Sprintf("messages[%d].content", i), fmt.Sprintf("messages[%d].content : %v", i, err))
		}
		turns[i] = turnInput{role: m.Role, text: text}
	}
	if bad := buildQuestion(&q, turns, "messages"); bad != nil {
		return req, q, bad
	}
	return req, q, nil
}

// turnInput is one message of a client's conversation, as chat and responses requests both give it.
type turnInput struct{ role, text string }

// buildQuestion turns a client's messages into the question (the last, from the user) and its history.
func buildQuestion(q *assistant.Question, turns []turnInput, param string) *openAIBad {
	var pending *assistant.Turn
	for i, t := range turns {
		last := i == len(turns)-1
		switch t.role {
		case "system", "developer":
			return badParam("unsupported_parameter", fmt.Sprintf("%s[%d].role", param, i),
				fmt.Sprintf("%s[%d] : les messages « %s » ne sont pas pris en charge ; les consignes de l'assistant sont celles de Plume. Mettez votre contexte dans le message de l'utilisateur.", param, i, t.role))
		case "user":
			if last {
				q.Text = t.text
				continue
			}
			if pending != nil {
				q.History = append(q.History, *pending)
			}
			pending = &assistant.Turn{Question: t.text}
		case "assistant":
			if last {
				return badParam("invalid_value", param, param+" : le dernier message doit venir de l'utilisateur (role « user »)")
			}
			if pending == nil {
				pending = &assistant.Turn{}
			}
			pending.Answer += t.text
		default:
			return badParam("invalid_value", fmt.Sprintf("%s[%d].role", param, i), fmt.Sprintf("%s[%d].role : %q non pris en charge (user ou assistant)", param, i, t.role))
		}
	}
	if pending != nil {
		q.History = append(q.History, *pending)
	}
	if strings.TrimSpace(q.Text) == "" {
		return badParam("invalid_value", param, param+" : la dernière question est vide")
	}
	q.Stateless = true
	return nil
}

// newCompletionID names one completion, as OpenAI's chatcmpl-… ids do.
func newCompletionID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "chatcmpl-plume-" + hex.EncodeToString(b)
}

func (h *assistantHandlers) chatCompletions(c *echo.Context) error {
	u, ok, err := h.apiUser(c)
	if !ok {
		return err
	}
	req, q, bad := parseChat(c)
	if bad != nil {
		return bad
	}
	q.UserID = u.ID
	id, created := newCompletionID(), time.Now().Unix()
	if req.Stream {
		return h.streamCompletion(c, q, id, created, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
	}
	ans, err := h.svc.Ask(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := map[string]any{
		"id": id, "object": "chat.completion", "created": created, "model": AssistantModel,
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": ans.Text, "refusal": nil},
			"finish_reason": finishReason(ans), "logprobs": nil}},
		"usage":   usageOf(ans),
		"sources": apiSources(ans.Sources),
		"offline": ans.Offline,
	}
	return c.JSON(http.StatusOK, out)
}

// finishReason is the answer's finish_reason: "length" when max_tokens cut it, "stop" otherwise.
func finishReason(a assistant.Answer) string {
	if a.FinishReason == "length" {
		return "length"
	}
	return "stop"
}

// askStreamed asks q with a stream that opens at the answer's first words, or after sseHeartbeat without any (a
// slow model), and then carries a comment every sseHeartbeat like every stream of Plume: a failure before it opens
// (a model that is down) is still a plain error with its status, and a slow model does not leave a proxy waiting
// 60 s without a byte. open sends the first events, delta each piece of text; a failure after the stream opened
// goes to inStream. It returns the answer and the open stream, which the caller closes; a nil stream means the
// response is already written.
func (h *assistantHandlers) askStreamed(c *echo.Context, q assistant.Question, open func(*sseWriter) error,
	delta func(*sseWriter, string) error, inStream func(*sseWriter, error)) (assistant.Answer, *sseWriter, error) {
	var mu sync.Mutex // start runs from the answer's callbacks and from the timer
	var sse *sseWriter
	start := func() (*sseWriter, error) {
		mu.Lock()
		defer mu.Unlock()
		if sse != nil {
			return sse, nil
		}
		sse = newSSE(c, streamTimeout)
		return sse, open(sse)
	}
	onSources := q.OnSources
	q.OnSources = func(srcs []ground.Passage) error { // open reads what the sources callback stored
		if onSources == nil {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		return onSources(srcs)
	}
	q.OnDelta = func(d string) error {
		w, err := start()
		if err != nil {
			return err
		}
		return delta(w, d)
	}
	slow := time.AfterFunc(sseHeartbeat(), func() { _, _ = start() })
	ans, err := h.svc.Ask(c.Request().Context(), q)
	slow.Stop()
	mu.Lock() // a start the timer began has finished
	opened := sse
	mu.Unlock()
	switch {
	case err != nil && opened == nil:
		return ans, nil, err
	case err != nil:
		inStream(opened, err)
		opened.close()
		return ans, nil, nil
	}
	w, err := start() // an answer without a single delta cannot happen, but the stream stays well-formed
	if err != nil {
		w.close()
		return ans, nil, nil
	}
	return ans, w, nil
}

// streamCompletion streams chat.completion.chunk events; the first chunk carries the sources.
func (h *assistantHandlers) streamCompletion(c *echo.Context, q assistant.Question, id string, created int64, includeUsage bool) error {
	var sources []ground.Passage
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": AssistantModel,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}}}
	}
	q.OnSources = func(srcs []ground.Passage) error { sources = srcs; return nil }
	ans, sse, err := h.askStreamed(c, q,
		func(sse *sseWriter) error {
			first := chunk(map[string]any{"role": "assistant", "content": ""}, nil)
			first["sources"] = apiSources(sources)
			return sse.event("", first)
		},
		func(sse *sseWriter, d string) error { return sse.event("", chunk(map[string]any{"content": d}, nil)) },
		func(sse *sseWriter, err error) {
			// Words were already sent: the error goes in the stream, as OpenAI servers do, and no [DONE] follows.
			_ = sse.event("", h.s.classifyLogged(c.Request().Context(), err).openAI())
		})
	if sse == nil {
		return err
	}
	defer sse.close()
	last := chunk(map[string]any{}, finishReason(ans))
	last["sources"] = apiSources(ans.Sources) // now with the citations marked
	last["usage"] = usageOf(ans)
	if err := sse.event("", last); err != nil {
		return nil
	}
	if includeUsage {
		if err := sse.event("", map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": AssistantModel,
			"choices": []any{}, "usage": usageOf(ans)}); err != nil {
			return nil
		}
	}
	_ = sse.done()
	return nil
}
