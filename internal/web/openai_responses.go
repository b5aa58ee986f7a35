package web

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/assistant"
	"github.com/plume-services/plume/internal/ground"
)

// responsesRequest is the part of an OpenAI responses request Plume reads: text input (a string, or messages
// whose content is a string or input_text parts), with the same sampling rules as chat completions.
type responsesRequest struct {
	Model              *string         `json:"model"`
	Input              json.RawMessage `json:"input"`
	Instructions       *string         `json:"instructions"`
	Stream             bool            `json:"stream"`
	PreviousResponseID *string         `json:"previous_response_id"`
	Store              *bool           `json:"store"`
	samplingParams
}

// responsesInput reads input: a string is one user message; a list holds messages.
func (r responsesRequest) turns() ([]turnInput, *openAIBad) {
	if !present(r.Input) {
		return nil, badParam("missing_required_parameter", "input", "input : paramètre obligatoire (le texte de la question)")
	}
	var s string
	if json.Unmarshal(r.Input, &s) == nil {
		return []turnInput{{role: "user", text: s}}, nil
	}
	var items []struct {
		Type    string          `json:"type"`
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(r.Input, &items); err != nil {
		return nil, badParam("invalid_type", "input", "input : une chaîne ou une liste de messages est attendue")
	}
	turns := make([]turnInput, len(items))
	for i, it := range items {
		if it.Type != "" && it.Type != "message" {
			return nil, badParam("unsupported_parameter", fmt.Sprintf("input[%d].type", i), fmt.Sprintf("input[%d] : éléments de type %q non pris en charge, seulement des messages", i, it.Type))
		}
		text, err := chatMessage{Role: it.Role, Content: it.Content}.text()
		if err != nil {
			return nil, badParam("invalid_value", fmt.Sprintf("input[%d].content", i), fmt.Sprintf("input[%d].content : %v", i, err))
		}
		turns[i] = turnInput{role: it.Role, text: text}
	}
	return turns, nil
}

// parseResponses reads and checks a responses request into a question.
func parseResponses(c *echo.Context) (responsesRequest, assistant.Question, *openAIBad) {
	var req responsesRequest
	var q assistant.Question
	if bad := decodeOpenAI(c, &req); bad != nil {
		return req, q, bad
	}
	if bad := checkModel(req.Model); bad != nil {
		return req, q, bad
	}
	switch {
	case req.Instructions != nil && *req.Instructions != "":
		return req, q, badParam("unsupported_parameter", "instructions", "instructions : non pris en charge ; les consignes de l'assistant sont celles de Plume. Mettez votre contexte dans input.")
	case req.PreviousResponseID != nil:
		return req, q, badParam("unsupported_parameter", "previous_response_id", "previous_response_id : Plume ne garde pas les réponses de l'API ; renvoyez l'historique dans input")
	}
	if bad := req.apply(&q); bad != nil {
		return req, q, bad
	}
	turns, bad := req.turns()
	if bad != nil {
		return req, q, bad
	}
	if bad := buildQuestion(&q, turns, "input"); bad != nil {
		return req, q, bad
	}
	return req, q, nil
}

// newResponseIDs names one response and its message, as OpenAI's resp_… and msg_… ids do.
func newResponseIDs() (string, string) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return "resp_plume" + h, "msg_plume" + h
}

// responseObject is a response as the responses API returns it; text and usage are filled once known.
type responseObject struct {
	ID                string         `json:"id"`
	Object            string         `json:"object"`
	CreatedAt         int64          `json:"created_at"`
	Status            string         `json:"status"`
	Model             string         `json:"model"`
	Output            []responseItem `json:"output"`
	Usage             *responseUsage `json:"usage"`
	Error             any            `json:"error"`
	IncompleteDetails any            `json:"incomplete_details"`
	Instructions      any            `json:"instructions"`
	MaxOutputTokens   *int           `json:"max_output_tokens"`
	ParallelToolCalls bool           `json:"parallel_tool_calls"`
	Temperature       *float64       `json:"temperature"`
	TopP              *float64       `json:"top_p"`
	ToolChoice        string         `json:"tool_choice"`
	Tools             []any          `json:"tools"`
	Sources           []apiPassage   `json:"sources"` // Plume's addition, as in chat completions
	Offline           bool           `json:"offline"`
}

type responseItem struct {
	Type    string         `json:"type"`
	ID      string         `json:"id"`
	Status  string         `json:"status"`
	Role    string         `json:"role"`
	Content []responsePart `json:"content"`
}

type responsePart struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Annotations []any  `json:"annotations"`
}

type responseUsage struct {
	InputTokens         int            `json:"input_tokens"`
	OutputTokens        int            `json:"output_tokens"`
	TotalTokens         int            `json:"total_tokens"`
	InputTokensDetails  map[string]int `json:"input_tokens_details"`
	OutputTokensDetails map[string]int `json:"output_tokens_details"`
}

func responseUsageOf(a assistant.Answer) *responseUsage {
	return &responseUsage{InputTokens: a.Usage.PromptTokens, OutputTokens: a.Usage.CompletionTokens, TotalTokens: a.Usage.TotalTokens,
		InputTokensDetails: map[string]int{"cached_tokens": 0}, OutputTokensDetails: map[string]int{"reasoning_tokens": 0}}
}

// finish fills r with the answer: its text, sources, usage, and whether max_output_tokens cut it.
func (r *responseObject) finish(a assistant.Answer, msgID string) {
	r.Status = "completed"
	if a.FinishReason == "length" {
		r.Status, r.IncompleteDetails = "incomplete", map[string]string{"reason": "max_output_tokens"}
	}
	r.Output = []responseItem{{Type: "message", ID: msgID, Status: r.Status, Role: "assistant",
		Content: []responsePart{{Type: "output_text", Text: a.Text, Annotations: []any{}}}}}
	r.Usage, r.Sources, r.Offline = responseUsageOf(a), apiSources(a.Sources), a.Offline
}

// createResponse is a minimal POST /v1/responses: text in, text out, streamed or not, with the same retrieval,
// filter and sources as chat completions, so that clients defaulting to the responses API work.
func (h *assistantHandlers) createResponse(c *echo.Context) error {
	u, ok, err := h.apiUser(c)
	if !ok {
		return err
	}
	req, q, bad := parseResponses(c)
	if bad != nil {
		return bad
	}
	q.UserID = u.ID
	id, msgID := newResponseIDs()
	r := &responseObject{ID: id, Object: "response", CreatedAt: time.Now().Unix(), Status: "in_progress", Model: AssistantModel,
		Output: []responseItem{}, MaxOutputTokens: req.MaxOutputTokens, Temperature: req.Temperature, TopP: req.TopP,
		ToolChoice: "none", Tools: []any{}, Sources: []apiPassage{}}
	if req.Stream {
		return h.streamResponse(c, q, r, msgID)
	}
	ans, err := h.svc.Ask(c.Request().Context(), q)
	if err != nil {
		return err
	}
	r.finish(ans, msgID)
	return c.JSON(http.StatusOK, r)
}

// streamResponse sends the responses API's events: created, the message and its text part opened, text deltas,
// then everything closed and completed. As for chat completions, nothing is sent before the first words, so that
// a model that is down is still a plain error with its status.
func (h *assistantHandlers) streamResponse(c *echo.Context, q assistant.Question, r *responseObject, msgID string) error {
	seq := 0
	send := func(sse *sseWriter, typ string, fields map[string]any) error {
		fields["type"], fields["sequence_number"] = typ, seq
		seq++
		return sse.event(typ, fields)
	}
	type event struct {
		typ    string
		fields map[string]any
	}
	sendAll := func(sse *sseWriter, evs []event) error {
		for _, ev := range evs {
			if err := send(sse, ev.typ, ev.fields); err != nil {
				return err
			}
		}
		return nil
	}
	q.OnSources = func(srcs []ground.Passage) error { r.Sources = apiSources(srcs); return nil }
	ans, sse, err := h.askStreamed(c, q,
		func(sse *sseWriter) error {
			return sendAll(sse, []event{
				{"response.created", map[string]any{"response": r}},
				{"response.in_progress", map[string]any{"response": r}},
				{"response.output_item.added", map[string]any{"output_index": 0,
					"item": responseItem{Type: "message", ID: msgID, Status: "in_progress", Role: "assistant", Content: []responsePart{}}}},
				{"response.content_part.added", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0,
					"part": responsePart{Type: "output_text", Annotations: []any{}}}},
			})
		},
		func(sse *sseWriter, d string) error {
			return send(sse, "response.output_text.delta", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "delta": d})
		},
		func(sse *sseWriter, err error) {
			ae := h.s.classifyLogged(c.Request().Context(), err)
			_ = send(sse, "error", map[string]any{"code": ae.Code, "message": ae.Message, "param": nil})
		})
	if sse == nil {
		return err
	}
	defer sse.close()
	r.finish(ans, msgID)
	final := r.Output[0]
	done := "response.completed"
	if r.Status != "completed" {
		done = "response.incomplete"
	}
	_ = sendAll(sse, []event{
		{"response.output_text.done", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "text": ans.Text}},
		{"response.content_part.done", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "part": final.Content[0]}},
		{"response.output_item.done", map[string]any{"output_index": 0, "item": final}},
		{done, map[string]any{"response": r}},
	})
	return nil
}
