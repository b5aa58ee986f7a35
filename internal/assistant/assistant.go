// Package assistant answers France services advisers' questions about procedures from the official fiches:
// filter the question, retrieve the passages, prompt, stream the model's answer with checked citations,
// restore the placeholders, and keep the conversation and the adviser's feedback.
package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/budget"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/prompts"
)

// Errors Ask returns; their text is French and may be shown as is.
var (
	// ErrModelUnavailable means the model did not answer (down, too slow, saturated, cut): nothing was stored.
	ErrModelUnavailable = errors.New("l'assistant est momentanément indisponible (le modèle de langue ne répond pas) : réessayez dans quelques minutes ou consultez directement les fiches de service-public.fr")
	// ErrFilter means the personal-data filter failed: fail closed, nothing left the server.
	ErrFilter = errors.New("le filtre de données personnelles a échoué : la question n'a pas été envoyée, reformulez-la ou réessayez")
	// ErrConflict means another question of the same conversation was answered meanwhile.
	ErrConflict = errors.New("la conversation a changé pendant la réponse : rechargez la page et reposez la question")
)

// QuestionError is a question the assistant refuses to handle (empty, too long); Message is French.
type QuestionError struct{ Message string }

func (e *QuestionError) Error() string { return e.Message }

// BadInput marks the error as the client's mistake for the web layer.
func (e *QuestionError) BadInput() bool { return true }

// answerRules are the output rules of an answer: an answer has no length bounds of its own.
var answerRules = ground.Rules{Allow: ground.DefaultAllowlist, Noun: "Réponse"}

// OfflineModel names answers written without a model.
const OfflineModel = "assistant hors ligne"

// Options are the collaborators of the assistant, built once at start-up.
type Options struct {
	Store    *store.Store     // nil: nothing is stored (stateless use only)
	Searcher *search.Searcher // nil: no sources, every answer is "je ne sais pas"
	Model    llm.Client       // nil: offline answers made of the sources' sentences
	// HistoryTurns is how many earlier turns the model sees, default 4.
	HistoryTurns int
	// WriterOptions are the personal-data filter (required), the prompts, passages, limits (a question, each turn
	// of a history and the history as a whole), answer length (default DefaultMaxTokens) and log the review
	// drafter shares.
	ground.WriterOptions
}

// DefaultMaxTokens is the default length of an answer.
const DefaultMaxTokens = 600

// Service answers questions; it is safe for concurrent use.
type Service struct {
	o Options
}

// New checks the options and fills in the defaults.
func New(o Options) (*Service, error) {
	w, err := o.WriterOptions.WithDefaults(DefaultMaxTokens)
	if err != nil {
		return nil, fmt.Errorf("assistant: %w", err)
	}
	o.WriterOptions = w
	if o.HistoryTurns <= 0 {
		o.HistoryTurns = 4
	}
	return &Service{o: o}, nil
}

// Offline reports whether answers are written without a model.
func (s *Service) Offline() bool { return s.o.Model == nil }

// Turn is an earlier exchange given by the client (the OpenAI-compatible API), in clear.
type Turn struct {
	Question, Answer string
}

// Question is one question of an adviser.
type Question struct {
	UserID int64
	// ConversationID continues a stored conversation; 0 starts a new one.
	ConversationID int64
	Text           string
	// History, for stateless clients, holds the earlier turns; it is filtered with the question's mapping.
	// Stored conversations ignore it and read their own turns.
	History []Turn
	// Stateless answers without storing anything (the OpenAI-compatible API, whose clients keep the history).
	Stateless bool
	// OnSources receives the sources before the answer's first delta.
	OnSources func([]ground.Passage) error
	// OnDelta receives the answer as it is written, placeholders restored and citations checked; the
	// concatenation of the deltas is Answer.Text.
	OnDelta func(string) error
	// MaxTokens, when positive, lowers the answer's token budget (an API client's max_tokens); it never raises it
	// past the assistant's own.
	MaxTokens int
	// Temperature, when set, replaces the assistant's own (an API client's temperature, already checked in 0–2).
	Temperature *float64
	// TopP, when set, is sent as the model's top_p (an API client's, already checked in 0–1).
	TopP *float64
}

// Answer is the assistant's answer to one question.
type Answer struct {
	ConversationID int64 // 0 when stateless
	MessageID      int64 // 0 when stateless
	Question       string
	Text           string // for the adviser: placeholders restored
	Redacted       string // as written from the redacted prompt
	Sources        []ground.Passage
	Cited          []int // source numbers cited, in order of first use
	Unknown        []int // cited numbers that match no source: removed
	Checks         []ground.Check
	Grounded       float64 // share of the answer's claims found in its sources
	Offline        bool
	Model          string
	FinishReason   string // the model's: "length" when the token budget cut the answer; "" offline
	PromptVersion  string
	Usage          llm.Usage
	FirstDelta     time.Duration // from the call to the first delta handed to OnDelta
	Timings        map[string]time.Duration
}

// Ask answers a question: filter → retrieve → prompt → generate → check → restore → store.
func (s *Service) Ask(ctx context.Context, q Question) (Answer, error) {
	start := time.Now()
	ans := Answer{Timings: map[string]time.Duration{}, PromptVersion: s.o.Prompts.Version(), Question: q.Text}
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return ans, &QuestionError{Message: "la question est vide"}
	}
	if err := s.o.Limits.Turn.Check("question", text); err != nil {
		return ans, err
	}
	// A history the client sent is refused over its budget, each turn and as a whole: nothing larger reaches
	// the model.
	sent := 0
	for i, t := range q.History {
		for _, part := range []string{t.Question, t.Answer} {
			if err := s.o.Limits.Turn.Check(fmt.Sprintf("historique (tour %d)", i+1), part); err != nil {
				return ans, err
			}
			sent += utf8.RuneCountInString(part)
		}
	}
	if h := s.o.Limits.History; (h.Chars > 0 && sent > h.Chars) || (h.Tokens > 0 && (sent+budget.CharsPerToken-1)/budget.CharsPerToken > h.Tokens) {
		return ans, &budget.TooLong{Field: "historique", Chars: sent, Tokens: (sent + budget.CharsPerToken - 1) / budget.CharsPerToken, Limit: h, Whole: true}
	}

	// 1. The conversation so far, and its mapping: the same person keeps one placeholder across turns.
	t0 := time.Now()
	mapping := pii.NewMapping()
	var history []historyTurn
	var conv store.Conversation
	if !q.Stateless && q.ConversationID != 0 {
		if s.o.Store == nil {
			return ans, fmt.Errorf("assistant: conversation %d : %w", q.ConversationID, store.ErrNotFound)
		}
		var err error
		if conv, err = s.o.Store.Conversation(ctx, q.UserID, q.ConversationID); err != nil {
			return ans, err
		}
		if conv.Mapping != nil {
			mapping = conv.Mapping
		}
	}
	redact := func(t string) (pii.Redacted, error) {
		r, err := s.o.Filter.RedactWith(ctx, mapping, t)
		if err != nil {
			return pii.Redacted{}, fmt.Errorf("%w (%v)", ErrFilter, err)
		}
		return r.Text, nil
	}
	// The turns, as stored or as the client sent them back (with the values Plume restored in them).
	var raw []historyTurnText
	if conv.ID != 0 {
		msgs, err := s.o.Store.ConversationMessages(ctx, q.UserID, conv.ID)
		if err != nil {
			return ans, err
		}
		if len(msgs) > s.o.HistoryTurns {
			msgs = msgs[len(msgs)-s.o.HistoryTurns:]
		}
		for _, m := range msgs {
			// The stored turns were filtered when asked; they go through the filter again all the same, with the
			// conversation's mapping (their placeholders stay as they are), so no stored text is trusted blindly.
			raw = append(raw, historyTurnText{Question: m.QuestionRedacted, Answer: m.AnswerRedacted})
		}
	}
	if q.Stateless || q.ConversationID == 0 {
		for _, t := range q.History {
			raw = append(raw, historyTurnText(t))
		}
	}
	// Twice: the first pass puts every value detected anywhere in the conversation into its mapping, the second
	// masks each of them wherever it appears, also in a turn where detection alone missed it.
	var question pii.Redacted
	for range 2 {
		history = history[:0]
		for _, t := range raw {
			hq, err := redact(t.Question)
			if err != nil {
				return ans, err
			}
			ha, err := redact(t.Answer)
			if err != nil {
				return ans, err
			}
			history = append(history, historyTurn{Question: hq, Answer: ha})
		}
		var err error
		if question, err = redact(text); err != nil {
			return ans, err
		}
	}
	if len(history) > s.o.HistoryTurns {
		history = history[len(history)-s.o.HistoryTurns:]
	}
	// A stored conversation keeps its latest turns that fit the history budget.
	for len(history) > 0 && !s.o.Limits.History.Fits(historyText(history)) {
		history = history[1:]
	}
	ans.Timings["filter"] = time.Since(t0)

	// 2. Retrieve for the question's own topic; a follow-up too short to have one (« et s'il est mineur ? »)
	// borrows the previous question's.
	t0 = time.Now()
	sources, err := s.retrieve(ctx, retrievalQuery(question, history))
	if err != nil {
		return ans, err
	}
	ans.Sources = sources
	ans.Timings["retrieve"] = time.Since(t0)
	if q.OnSources != nil {
		if err := q.OnSources(sources); err != nil {
			return ans, err
		}
	}

	// 3. Generate, through the stream filter that checks citations and restores placeholders as text arrives.
	t0 = time.Now()
	var out strings.Builder
	emit := func(d string) error {
		if d == "" {
			return nil
		}
		if out.Len() == 0 {
			ans.FirstDelta = time.Since(start)
		}
		out.WriteString(d)
		if q.OnDelta != nil {
			return q.OnDelta(d)
		}
		return nil
	}
	sf := ground.NewStreamFilter(len(sources), mapping, emit)
	if s.o.Model == nil {
		ans.Offline, ans.Model = true, OfflineModel
		for _, piece := range offlineAnswer(question, sources) {
			if err := sf.Write(piece); err != nil {
				return ans, err
			}
		}
	} else {
		rendered, err := s.prompt(question, history, sources)
		if err != nil {
			return ans, err
		}
		req := llm.Request{Messages: rendered, MaxTokens: s.o.MaxTokens, Temperature: 0.1, TopP: q.TopP}
		if q.MaxTokens > 0 && q.MaxTokens < req.MaxTokens {
			req.MaxTokens = q.MaxTokens
		}
		if q.Temperature != nil {
			req.Temperature = *q.Temperature
		}
		resp, err := s.o.Model.Stream(ctx, req, sf.Write)
		ans.Model, ans.Usage, ans.FinishReason = s.o.Model.Model(), resp.Usage, resp.FinishReason
		if err != nil {
			if ctx.Err() != nil {
				return ans, ctx.Err()
			}
			var le *llm.Error
			if errors.As(err, &le) {
				s.o.Log.Warn("assistant : modèle en échec", "err", err)
				return ans, fmt.Errorf("%w (%s)", ErrModelUnavailable, le.Kind)
			}
			return ans, err
		}
	}
	if err := sf.Close(); err != nil {
		return ans, err
	}
	ans.Timings["generate"] = time.Since(t0)

	// 4. Check what was written against the sources.
	ans.Text = out.String()
	ans.Redacted = sf.Redacted()
	c := sf.Citations()
	ans.Cited, ans.Unknown = c.Used, c.Unknown
	v := ground.Verify(ans.Redacted, ans.Sources, c, answerRules)
	ans.Checks = v.Checks
	ans.Grounded = v.Grounding.Share()
	ans.Timings["total"] = time.Since(start)

	// 5. Store the turn.
	if q.Stateless || s.o.Store == nil {
		return ans, nil
	}
	return s.store(ctx, q, conv, mapping, question, ans)
}

func (s *Service) store(ctx context.Context, q Question, conv store.Conversation, mapping *pii.Mapping, question pii.Redacted, ans Answer) (Answer, error) {
	srcs := make([]ground.Passage, len(ans.Sources))
	for i, src := range ans.Sources {
		src.Text = "" // the fiche is in the corpus; the turn keeps where it came from
		srcs[i] = src
	}
	uj, _ := json.Marshal(map[string]any{"prompt_tokens": ans.Usage.PromptTokens, "completion_tokens": ans.Usage.CompletionTokens,
		"total_tokens": ans.Usage.TotalTokens, "estimated": ans.Usage.Estimated})
	ms := map[string]float64{"first_delta": millis(ans.FirstDelta)}
	for k, v := range ans.Timings {
		ms[k] = millis(v)
	}
	lj, _ := json.Marshal(ms)
	msg, err := s.o.Store.AddConversationTurn(ctx, store.ConversationTurn{
		UserID: q.UserID, ConversationID: conv.ID, ExpectTurns: conv.Turns, Title: title(q.Text), Mapping: mapping,
		Message: store.ConversationMessage{
			Question: strings.TrimSpace(q.Text), QuestionRedacted: question.String(), Answer: ans.Text, AnswerRedacted: ans.Redacted,
			Sources: srcs, Model: ans.Model, Offline: ans.Offline, PromptVersion: ans.PromptVersion, Checks: ans.Checks, Usage: uj, LatencyMS: lj,
		},
	})
	if errors.Is(err, store.ErrConflict) {
		return ans, ErrConflict
	}
	if err != nil {
		return ans, err
	}
	ans.ConversationID, ans.MessageID = msg.ConversationID, msg.ID
	return ans, nil
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// title is the start of the first question, for the adviser's list of conversations.
func title(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if r := []rune(q); len(r) > 80 {
		return strings.TrimSpace(string(r[:80])) + "…"
	}
	return q
}

// historyTurn is an earlier exchange, filtered.
type historyTurn = prompts.Turn

// historyText is the history's text, to weigh it against its budget.
func historyText(h []historyTurn) string {
	var b strings.Builder
	for _, t := range h {
		b.WriteString(t.Question.String())
		b.WriteString(t.Answer.String())
	}
	return b.String()
}

// historyTurnText is an earlier exchange before filtering.
type historyTurnText struct{ Question, Answer string }

func (s *Service) prompt(question pii.Redacted, history []historyTurn, sources []ground.Passage) ([]llm.Message, error) {
	in := prompts.AssistantInput{Question: question, History: history, Sources: ground.PromptSources(sources)}
	r, err := s.o.Prompts.Assistant(in)
	if err != nil {
		return nil, err
	}
	return []llm.Message{{Role: llm.RoleSystem, Content: r.System}, {Role: llm.RoleUser, Content: r.User}}, nil
}
