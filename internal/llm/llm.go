// Package llm talks to a chat model behind an OpenAI-compatible endpoint (vLLM, llama.cpp, Ollama, Albert, OpenAI…):
// plain and streamed completions with timeouts, bounded retries, a concurrency limit, token usage and metrics.
//
// It only accepts pii.Redacted text, so nothing that skipped the personal-data filter can reach a prompt.
package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/retryafter"
)

// Roles of a chat message.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one turn of a chat prompt; its content has been through the personal-data filter.
type Message struct {
	Role    string // RoleSystem, RoleUser or RoleAssistant
	Content pii.Redacted
}

// Request is one completion to generate.
type Request struct {
	Messages    []Message
	MaxTokens   int      // 0 leaves the server's default
	Temperature float64  // always sent: 0 asks for the most deterministic answer
	TopP        *float64 // nil leaves the server's default
	Stop        []string
}

// Usage counts the tokens of one call; Estimated is set when the server did not report them and Plume counted.
type Usage struct {
	PromptTokens, CompletionTokens, TotalTokens int
	Estimated                                   bool
}

// Response is a generated answer with what it cost.
type Response struct {
	Text, Model, FinishReason string
	Usage                     Usage
	Latency                   time.Duration // whole call, retries and waits included
	FirstToken                time.Duration // streams only: from the call to the first delta delivered
	Attempts                  int           // requests sent, 1 when the first one succeeded
}

// Client generates text from a redacted prompt; *OpenAI implements it, and tests may use any other.
type Client interface {
	// Complete returns the whole answer at once.
	Complete(ctx context.Context, req Request) (Response, error)
	// Stream calls onDelta with each piece of text as it arrives, in order, then returns the whole answer.
	// An error from onDelta stops the stream and is returned as is.
	Stream(ctx context.Context, req Request, onDelta func(delta string) error) (Response, error)
	// Model names the model answering.
	Model() string
}

// Options configure an OpenAI client; zero values take the documented defaults.
type Options struct {
	BaseURL string // e.g. http://127.0.0.1:8000/v1
	Model   string
	APIKey  string // may be empty for local servers

	Timeout       time.Duration // one non-streamed request, and the wait for a stream's first token (default 60s)
	IdleTimeout   time.Duration // longest silence between two chunks of a stream (default 15s)
	StreamTimeout time.Duration // a whole stream (default 5m)

	Concurrency int // requests in flight at once, across goroutines (default 8)
	// Interactive is the part of Concurrency that background calls (see Background) never take, so that an agent
	// never waits behind automatic drafts; background calls keep at least one slot.
	Interactive   int
	MaxRetries    int           // retries after the first attempt (default 2; negative means none)
	Backoff       time.Duration // first retry delay, doubled each time, with jitter (default 500ms)
	MaxBackoff    time.Duration // ceiling of a computed retry delay (default 10s)
	MaxRetryAfter time.Duration // a longer Retry-After gives up at once rather than wait (default 30s)

	HTTPClient *http.Client // default: a client without its own timeout (the options above apply)
	Metrics    *Metrics     // default: series on the default Prometheus registry
	Logger     *slog.Logger // retries are logged at Warn; default slog.Default()
}

// OpenAI is a Client for any server speaking the OpenAI chat completions API.
type OpenAI struct {
	chat    openai.ChatCompletionService
	opts    Options
	sem     chan struct{} // every call
	bgSem   chan struct{} // background calls, Concurrency − Interactive slots
	metrics *Metrics
	log     *slog.Logger
}

var _ Client = (*OpenAI)(nil)

// New checks opts and builds a client; it sends nothing until the first call.
func New(opts Options) (*OpenAI, error) {
	if opts.BaseURL == "" {
		return nil, errors.New("llm : adresse du serveur du modèle manquante (LLM_BASE_URL)")
	}
	if opts.Model == "" {
		return nil, errors.New("llm : nom du modèle manquant (LLM_MODEL)")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.Timeout, 60*time.Second)
	def(&opts.IdleTimeout, 15*time.Second)
	def(&opts.StreamTimeout, 5*time.Minute)
	def(&opts.Backoff, 500*time.Millisecond)
	def(&opts.MaxBackoff, 10*time.Second)
	def(&opts.MaxRetryAfter, 30*time.Second)
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = 2
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{}
	}
	if opts.Metrics == nil {
		opts.Metrics = defaultMetrics()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	// The service is built without openai.NewClient so that no OPENAI_* variable of the environment leaks in.
	chat := openai.NewChatCompletionService(
		option.WithBaseURL(opts.BaseURL),
		option.WithAPIKey(opts.APIKey),
		option.WithHTTPClient(opts.HTTPClient),
		option.WithMaxRetries(0),
	)
	return &OpenAI{
		chat:    chat,
		opts:    opts,
		sem:     make(chan struct{}, opts.Concurrency),
		bgSem:   make(chan struct{}, max(opts.Concurrency-max(opts.Interactive, 0), 1)),
		metrics: opts.Metrics,
		log:     opts.Logger,
	}, nil
}

// Model names the configured model.
func (c *OpenAI) Model() string { return c.opts.Model }

// Complete sends req and returns the whole answer, retrying transient failures.
func (c *OpenAI) Complete(ctx context.Context, req Request) (Response, error) {
	start := time.Now()
	params, err := c.params(req)
	if err != nil {
		return Response{}, err
	}
	var resp Response
	attempts, err := c.withRetries(ctx, func(ctx context.Context) error {
		actx, cancel := context.WithTimeoutCause(ctx, c.opts.Timeout, errAttemptTimeout)
		defer cancel()
		cc, err := c.chat.New(actx, params)
		if err != nil {
			return c.classify(actx, err, false)
		}
		if len(cc.Choices) == 0 {
			return &Error{Kind: ErrBadOutput, Detail: "aucun choix dans la réponse"}
		}
		ch := cc.Choices[0]
		text := ch.Message.Content
		if strings.TrimSpace(text) == "" {
			return &Error{Kind: ErrBadOutput, Detail: fmt.Sprintf("texte vide (fin : %q)", ch.FinishReason)}
		}
		resp = Response{Text: text, Model: cc.Model, FinishReason: ch.FinishReason}
		if cc.JSON.Usage.Valid() && cc.Usage.TotalTokens > 0 {
			resp.Usage = Usage{PromptTokens: int(cc.Usage.PromptTokens), CompletionTokens: int(cc.Usage.CompletionTokens), TotalTokens: int(cc.Usage.TotalTokens)}
		}
		return nil
	})
	return c.finish("complete", req, resp, start, attempts, err)
}

// Stream sends req as a streamed completion and hands each delta to onDelta as it arrives.
// A failure before the first delta is retried like Complete; after it, never, since the caller has already shown text.
func (c *OpenAI) Stream(ctx context.Context, req Request, onDelta func(delta string) error) (Response, error) {
	start := time.Now()
	params, err := c.params(req)
	if err != nil {
		return Response{}, err
	}
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	var resp Response
	delivered := false
	attempts, err := c.withRetries(ctx, func(ctx context.Context) error {
		resp = Response{}
		sctx, cancelAll := context.WithTimeoutCause(ctx, c.opts.StreamTimeout, errStreamTimeout)
		defer cancelAll()
		wctx, stop := context.WithCancelCause(sctx)
		defer stop(nil)
		var gotChunk atomic.Bool
		watchdog := time.AfterFunc(c.opts.Timeout, func() {
			if gotChunk.Load() {
				stop(errIdle)
			} else {
				stop(errFirstToken)
			}
		})
		defer watchdog.Stop()

		var httpResp *http.Response
		stream := c.chat.NewStreaming(wctx, params, option.WithResponseInto(&httpResp))
		defer stream.Close()
		var text strings.Builder
		for stream.Next() {
			watchdog.Stop()
			gotChunk.Store(true)
			chunk := stream.Current()
			if resp.Model == "" {
				resp.Model = chunk.Model
			}
			if chunk.JSON.Usage.Valid() && chunk.Usage.TotalTokens > 0 {
				resp.Usage = Usage{PromptTokens: int(chunk.Usage.PromptTokens), CompletionTokens: int(chunk.Usage.CompletionTokens), TotalTokens: int(chunk.Usage.TotalTokens)}
			}
			for _, ch := range chunk.Choices {
				if ch.Index != 0 {
					continue
				}
				if d := ch.Delta.Content; d != "" {
					if !delivered {
						resp.FirstToken = time.Since(start)
						delivered = true
					}
					text.WriteString(d)
					if err := onDelta(d); err != nil {
						resp.Text = text.String()
						return err
					}
				}
				if ch.FinishReason != "" {
					resp.FinishReason = ch.FinishReason
				}
			}
			watchdog.Reset(c.opts.IdleTimeout)
		}
		resp.Text = text.String()
		if err := stream.Err(); err != nil {
			return c.classifyStream(wctx, err, gotChunk.Load(), delivered)
		}
		if resp.FinishReason == "" {
			if httpResp != nil && !strings.HasPrefix(httpResp.Header.Get("Content-Type"), "text/event-stream") {
				return &Error{Kind: ErrBadOutput, Detail: fmt.Sprintf("réponse qui n'est pas un flux (Content-Type %q)", httpResp.Header.Get("Content-Type")), Status: httpResp.StatusCode}
			}
			return &Error{Kind: ErrStreamCut, Detail: fmt.Sprintf("le flux s'est arrêté après %d caractères sans fin annoncée", utf8.RuneCountInString(resp.Text)), retryable: !delivered}
		}
		if strings.TrimSpace(resp.Text) == "" {
			return &Error{Kind: ErrBadOutput, Detail: fmt.Sprintf("texte vide (fin : %q)", resp.FinishReason)}
		}
		return nil
	})
	return c.finish("stream", req, resp, start, attempts, err)
}

// Causes of the cancellations the client makes itself, told apart from the caller's.
var (
	errAttemptTimeout = errors.New("attempt timeout")
	errFirstToken     = errors.New("first token timeout")
	errIdle           = errors.New("idle timeout")
	errStreamTimeout  = errors.New("stream timeout")
)

// classifyStream turns a stream's error into an *Error; a connection lost after the first chunk is a cut stream.
func (c *OpenAI) classifyStream(ctx context.Context, err error, gotChunk, delivered bool) error {
	var se *ssestream.StreamError
	var e error
	switch {
	case errors.As(err, &se):
		e = &Error{Kind: ErrUnavailable, Detail: "erreur signalée dans le flux : " + oneLine(se.Message, 160), Err: err, retryable: true}
	default:
		e = c.classify(ctx, err, gotChunk)
	}
	var le *Error
	if errors.As(e, &le) && delivered {
		le.retryable = false
	}
	return e
}

// classify turns an error of the SDK into an *Error saying what happened, or returns the caller's own cancellation.
func (c *OpenAI) classify(ctx context.Context, err error, midStream bool) error {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errAttemptTimeout):
		return &Error{Kind: ErrTimeout, Detail: "pas de réponse en " + c.opts.Timeout.String(), Err: context.DeadlineExceeded}
	case errors.Is(cause, errFirstToken):
		return &Error{Kind: ErrTimeout, Detail: "aucun token reçu en " + c.opts.Timeout.String(), Err: context.DeadlineExceeded}
	case errors.Is(cause, errIdle):
		return &Error{Kind: ErrTimeout, Detail: "flux muet depuis plus de " + c.opts.IdleTimeout.String(), Err: context.DeadlineExceeded}
	case errors.Is(cause, errStreamTimeout):
		return &Error{Kind: ErrTimeout, Detail: "flux plus long que " + c.opts.StreamTimeout.String(), Err: context.DeadlineExceeded}
	case cause != nil:
		return cause // the caller's own cancellation or deadline: withRetries reports it
	}
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		return statusError(apiErr)
	}
	if isTransport(err) {
		if midStream {
			return &Error{Kind: ErrStreamCut, Detail: "connexion perdue en cours de flux : " + oneLine(err.Error(), 160), Err: err, retryable: true}
		}
		return &Error{Kind: ErrUnavailable, Detail: "connexion impossible : " + oneLine(err.Error(), 160), Err: err, retryable: true}
	}
	return &Error{Kind: ErrBadOutput, Detail: "réponse illisible : " + oneLine(err.Error(), 160), Err: err}
}

// statusError maps an HTTP error answer to its kind: 429 and 5xx are worth retrying, other 4xx are not.
func statusError(apiErr *openai.Error) *Error {
	code := apiErr.StatusCode
	msg := oneLine(apiErr.Message, 160)
	detail := fmt.Sprintf("HTTP %d", code)
	if msg != "" {
		detail += " : " + msg
	}
	switch {
	case code == http.StatusTooManyRequests:
		var after time.Duration
		if apiErr.Response != nil {
			after = retryafter.Parse(apiErr.Response.Header, time.Now())
		}
		return &Error{Kind: ErrRateLimited, Detail: detail, Status: code, Err: apiErr, retryable: true, retryAfter: after}
	case code >= 500 || code == http.StatusRequestTimeout:
		return &Error{Kind: ErrUnavailable, Detail: detail, Status: code, Err: apiErr, retryable: true}
	default:
		return &Error{Kind: ErrRejected, Detail: detail, Status: code, Err: apiErr}
	}
}

func (c *OpenAI) params(req Request) (openai.ChatCompletionNewParams, error) {
	if len(req.Messages) == 0 {
		return openai.ChatCompletionNewParams{}, errors.New("llm : requête sans message")
	}
	msgs := make([]openai.ChatCompletionMessageParamUnion, 0, len(req.Messages))
	for i, m := range req.Messages {
		text := m.Content.String()
		switch m.Role {
		case RoleSystem:
			msgs = append(msgs, openai.SystemMessage(text))
		case RoleUser:
			msgs = append(msgs, openai.UserMessage(text))
		case RoleAssistant:
			msgs = append(msgs, openai.AssistantMessage(text))
		default:
			return openai.ChatCompletionNewParams{}, fmt.Errorf("llm : message %d : rôle %q inconnu (system, user ou assistant)", i+1, m.Role)
		}
	}
	p := openai.ChatCompletionNewParams{
		Model:       c.opts.Model,
		Messages:    msgs,
		Temperature: openai.Float(req.Temperature),
	}
	if req.TopP != nil {
		p.TopP = openai.Float(*req.TopP)
	}
	if req.MaxTokens > 0 {
		p.MaxTokens = openai.Int(int64(req.MaxTokens))
	}
	if len(req.Stop) > 0 {
		p.Stop = openai.ChatCompletionNewParamsStopUnion{OfStringArray: req.Stop}
	}
	return p, nil
}

// finish completes resp, records the call's metrics, and returns the error with its attempt count.
func (c *OpenAI) finish(mode string, req Request, resp Response, start time.Time, attempts int, err error) (Response, error) {
	resp.Attempts = attempts
	resp.Latency = time.Since(start)
	if resp.Usage.TotalTokens == 0 && resp.Text != "" {
		resp.Usage = estimateUsage(req, resp.Text)
	}
	var le *Error
	if errors.As(err, &le) {
		le.Attempts = attempts
	}
	c.metrics.Requests.WithLabelValues(mode, outcome(err)).Inc()
	c.metrics.Latency.WithLabelValues(mode).Observe(resp.Latency.Seconds())
	if err == nil {
		c.metrics.Tokens.WithLabelValues("prompt").Add(float64(resp.Usage.PromptTokens))
		c.metrics.Tokens.WithLabelValues("completion").Add(float64(resp.Usage.CompletionTokens))
	}
	return resp, err
}

// estimateUsage counts about four characters a token, the usual ratio for French with BPE vocabularies.
func estimateUsage(req Request, answer string) Usage {
	prompt := 0
	for _, m := range req.Messages {
		prompt += estimateTokens(m.Content.String()) + 4 // role and separators
	}
	completion := estimateTokens(answer)
	return Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion, Estimated: true}
}

func estimateTokens(s string) int { return (utf8.RuneCountInString(s) + 3) / 4 }
