package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/assistant"
	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/budget"
	"github.com/plume-services/plume/internal/ground"
)

// AssistantModel is the model name the OpenAI-compatible API answers as: retrieval and prompt are Plume's,
// whatever model generates behind them.
const AssistantModel = "plume-assistant"

// assistantModelCreated is the fixed creation date /v1/models reports (the assistant's first version).
var assistantModelCreated = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// openAIError is the error body OpenAI clients parse: {"error":{"message","type","code"}}.
type openAIError struct {
	Error openAIErrorBody `json:"error"`
}

type openAIErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// writeOpenAIError answers an OpenAI-shaped error and returns nil, so that the shared error handler does not
// write a second body.
func writeOpenAIError(c *echo.Context, status int, typ, code, msg string) error {
	return writeOpenAIErrorParam(c, status, typ, code, "", msg)
}

// writeOpenAIErrorParam is writeOpenAIError naming the parameter at fault in error.param.
func writeOpenAIErrorParam(c *echo.Context, status int, typ, code, param, msg string) error {
	body := openAIError{Error: openAIErrorBody{Message: msg, Type: typ}}
	if code != "" {
		body.Error.Code = &code
	}
	if param != "" {
		body.Error.Param = &param
	}
	return c.JSON(status, body)
}

// apiUser checks the caller of the OpenAI-compatible API: an API token whose owner may use the assistant and
// whose scopes allow it. It writes the error itself and reports whether the handler may go on.
func (h *assistantHandlers) apiUser(c *echo.Context) (auth.User, bool, error) {
	u, ok := userOf(c)
	_, isToken := c.Get(ctxToken).(auth.Token)
	if !ok || !isToken {
		return u, false, writeOpenAIError(c, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
			"Jeton d'API manquant : envoyez l'en-tête « Authorization: Bearer plm_… » avec un jeton Plume.")
	}
	tok := c.Get(ctxToken).(auth.Token)
	if !u.Can(auth.ActUseAssistant) || !tok.Allows(auth.ActUseAssistant) {
		return u, false, writeOpenAIError(c, http.StatusForbidden, "permission_error", "insufficient_permissions",
			"Ce jeton ou ce rôle ne permet pas d'utiliser l'assistant (portée « "+string(auth.ActUseAssistant)+" »).")
	}
	if h.svc == nil {
		return u, false, writeOpenAIError(c, http.StatusServiceUnavailable, "server_error", "assistant_unavailable",
			"L'assistant n'est pas configuré sur ce serveur.")
	}
	return u, true, nil
}

func (h *assistantHandlers) listModels(c *echo.Context) error {
	if _, ok, err := h.apiUser(c); !ok {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"object": "list", "data": []any{
		map[string]any{"id": AssistantModel, "object": "model", "created": assistantModelCreated, "owned_by": "plume"},
	}})
}

// chatRequest is the part of an OpenAI chat completion request Plume reads; sampling parameters are Plume's.
type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
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
		if p.Type != "text" {
			return "", fmt.Errorf("partie de type %q non prise en charge : seul le texte l'est", p.Type)
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// apiSources are the passages as the API returns them, in the extra top-level `sources` field: where each comes
// from and whether it is cited, without its text (the client follows the link).
func apiSources(srcs []ground.Passage) []ground.Passage {
	out := make([]ground.Passage, len(srcs))
	for i, s := range srcs {
		s.Text = ""
		out[i] = s
	}
	return out
}

type apiUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func usageOf(a assistant.Answer) apiUsage {
	return apiUsage{PromptTokens: a.Usage.PromptTokens, CompletionTokens: a.Usage.CompletionTokens, TotalTokens: a.Usage.TotalTokens}
}

// parseChat reads and checks a chat completion request: the last message is the question, the earlier user and
// assistant messages its history; system messages are ignored, since the assistant's instructions are Plume's.
func parseChat(c *echo.Context) (chatRequest, assistant.Question, string) {
	var req chatRequest
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return req, assistant.Question{}, "Corps de requête illisible."
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return req, assistant.Question{}, "Corps JSON invalide : " + err.Error()
	}
	if req.Model != AssistantModel {
		return req, assistant.Question{}, fmt.Sprintf("model: %q inconnu, seul %q est servi", req.Model, AssistantModel)
	}
	if len(req.Messages) == 0 {
		return req, assistant.Question{}, "messages: au moins un message est requis"
	}
	var q assistant.Question
	var pending *assistant.Turn
	for i, m := range req.Messages {
		text, err := m.text()
		if err != nil {
			return req, q, fmt.Sprintf("messages[%d].content: %v", i, err)
		}
		last := i == len(req.Messages)-1
		switch m.Role {
		case "system", "developer":
			if last {
				return req, q, "messages: le dernier message doit venir de l'utilisateur (role « user »)"
			}
		case "user":
			if last {
				q.Text = text
				continue
			}
			if pending != nil {
				q.History = append(q.History, *pending)
			}
			pending = &assistant.Turn{Question: text}
		case "assistant":
			if last {
				return req, q, "messages: le dernier message doit venir de l'utilisateur (role « user »)"
			}
			if pending == nil {
				pending = &assistant.Turn{}
			}
			pending.Answer += text
		default:
			return req, q, fmt.Sprintf("messages[%d].role: %q non pris en charge (system, user ou assistant)", i, m.Role)
		}
	}
	if pending != nil {
		q.History = append(q.History, *pending)
	}
	if strings.TrimSpace(q.Text) == "" {
		return req, q, "messages: la dernière question est vide"
	}
	q.Stateless = true
	return req, q, ""
}

// newCompletionID names one completion, as OpenAI's chatcmpl-… ids do.
func newCompletionID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "chatcmpl-plume-" + hex.EncodeToString(b)
}

// apiAskError maps an error of Ask to an OpenAI error, or reports that it is an unexpected one.
func apiAskError(err error) (status int, typ, code, msg string, known bool) {
	var qe *assistant.QuestionError
	switch {
	case errors.As(err, &qe):
		return http.StatusBadRequest, "invalid_request_error", "invalid_value", qe.Message, true
	case errors.As(err, new(*budget.TooLong)):
		code := "string_above_max_length"
		if tooLongStatus(err) == http.StatusRequestEntityTooLarge {
			code = "context_length_exceeded"
		}
		return tooLongStatus(err), "invalid_request_error", code, err.Error(), true
	case errors.Is(err, assistant.ErrModelUnavailable):
		return http.StatusServiceUnavailable, "server_error", "model_unavailable", err.Error(), true
	case errors.Is(err, assistant.ErrFilter):
		return http.StatusServiceUnavailable, "server_error", "pii_filter_failed", err.Error(), true
	}
	return http.StatusInternalServerError, "server_error", "internal_error", "Erreur interne du serveur. L'incident a été enregistré.", false
}

func (h *assistantHandlers) chatCompletions(c *echo.Context) error {
	u, ok, err := h.apiUser(c)
	if !ok {
		return err
	}
	req, q, bad := parseChat(c)
	if bad != "" {
		code := "invalid_value"
		status := http.StatusBadRequest
		if strings.HasPrefix(bad, "model:") {
			code, status = "model_not_found", http.StatusNotFound
		}
		return writeOpenAIError(c, status, "invalid_request_error", code, bad)
	}
	q.UserID = u.ID
	id, created := newCompletionID(), time.Now().Unix()
	if req.Stream {
		return h.streamCompletion(c, q, id, created, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
	}
	ans, err := h.svc.Ask(c.Request().Context(), q)
	if err != nil {
		return h.apiFail(c, err)
	}
	out := map[string]any{
		"id": id, "object": "chat.completion", "created": created, "model": AssistantModel,
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": ans.Text, "refusal": nil},
			"finish_reason": "stop", "logprobs": nil}},
		"usage":   usageOf(ans),
		"sources": apiSources(ans.Sources),
		"offline": ans.Offline,
	}
	return c.JSON(http.StatusOK, out)
}

func (h *assistantHandlers) apiFail(c *echo.Context, err error) error {
	status, typ, code, msg, known := apiAskError(err)
	if !known {
		h.s.log.ErrorContext(c.Request().Context(), "API assistant : erreur interne", "err", err)
	}
	return writeOpenAIError(c, status, typ, code, msg)
}

// streamCompletion streams chat.completion.chunk events. The first chunk, which carries the sources, is only
// sent with the answer's first words: a model that is down is then still a plain 503 error object.
func (h *assistantHandlers) streamCompletion(c *echo.Context, q assistant.Question, id string, created int64, includeUsage bool) error {
	var sse *sseWriter
	var sources []ground.Passage
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": AssistantModel,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}}}
	}
	start := func() error {
		if sse != nil {
			return nil
		}
		sse = newSSE(c, streamTimeout)
		first := chunk(map[string]any{"role": "assistant", "content": ""}, nil)
		first["sources"] = apiSources(sources)
		return sse.event("", first)
	}
	q.OnSources = func(srcs []ground.Passage) error { sources = srcs; return nil }
	q.OnDelta = func(d string) error {
		if err := start(); err != nil {
			return err
		}
		return sse.event("", chunk(map[string]any{"content": d}, nil))
	}
	defer func() {
		if sse != nil {
			sse.close()
		}
	}()
	ans, err := h.svc.Ask(c.Request().Context(), q)
	if err != nil {
		if sse == nil {
			return h.apiFail(c, err)
		}
		// Words were already sent: the error goes in the stream, as OpenAI servers do, and no [DONE] follows.
		_, typ, code, msg, _ := apiAskError(err)
		_ = sse.event("", openAIError{Error: openAIErrorBody{Message: msg, Type: typ, Code: &code}})
		return nil
	}
	if err := start(); err != nil { // an answer without a single delta cannot happen, but the stream stays well-formed
		return nil
	}
	last := chunk(map[string]any{}, "stop")
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
