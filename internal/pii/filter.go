package pii

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Span is one piece of personal data found in a text: UTF-8 byte offsets into the original text, its label and,
// once redacted, the placeholder that replaced it.
type Span struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Label       string `json:"label"`
	Placeholder string `json:"placeholder,omitempty"`
}

// Result is a redacted text, the spans replaced, and the mapping that can restore them.
type Result struct {
	Text    Redacted
	Spans   []Span
	Mapping *Mapping
}

// Filter finds personal data in French text. It holds no per-text state: one Filter serves every goroutine.
type Filter struct {
	timeout   time.Duration
	lex       *lexicon
	tagger    *Tagger // nil: the rules alone
	threshold float64
}

// ErrFilter is wrapped by every error of the filter: whatever went wrong, nothing was redacted and nothing may
// leave the server.
var ErrFilter = errors.New("filtre de données personnelles en échec")

// NewFilter returns a filter that gives up (and fails closed) after timeout per text; zero means no limit but
// the context's.
func NewFilter(timeout time.Duration) *Filter {
	return &Filter{timeout: timeout, lex: names(), tagger: EmbeddedTagger(), threshold: DefaultTaggerThreshold}
}

// Redact replaces the personal data of text with placeholders numbered from 1. On any failure (context ended,
// time out, internal error) it returns an error and a zero Result: fail closed.
func (f *Filter) Redact(ctx context.Context, text string) (Result, error) {
	return f.RedactWith(ctx, NewMapping(), text)
}

// RedactWith redacts text continuing the numbering of m, so that the texts of one review or one conversation
// share their placeholders: the same value gets the same placeholder. Every value m already holds is masked too,
// in any spelling, even where detection misses it (FindKnown). m is only changed on success; a nil m starts a
// new mapping.
func (f *Filter) RedactWith(ctx context.Context, m *Mapping, text string) (Result, error) {
	spans, err := f.Find(ctx, text)
	if err != nil {
		return Result{}, err
	}
	if m == nil {
		m = NewMapping()
	}
	// Values already in m are masked wherever they appear, found or not by detection this time.
	spans = mergeKnown(spans, m.FindKnown(text))
	out, err := m.apply(text, spans)
	if err != nil {
		return Result{}, err
	}
	return Result{Text: Redacted{text: out}, Spans: spans, Mapping: m}, nil
}

// Find returns the spans of personal data in text, sorted, without overlap and without placeholders. It fails
// like Redact.
func (f *Filter) Find(ctx context.Context, text string) (spans []Span, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w : %w", ErrFilter, err)
	}
	d := &detector{text: text, lex: f.lex, ctx: ctx, lastPerson: -10, tagger: f.tagger, threshold: f.threshold}
	if f.timeout > 0 {
		d.deadline = time.Now().Add(f.timeout)
	}
	defer func() {
		if r := recover(); r != nil {
			spans = nil
			if r == errStop && d.err != nil {
				err = fmt.Errorf("%w : %w", ErrFilter, d.err)
				return
			}
			// The panic value may say where, never what: it is not echoed, so no text reaches a log.
			err = fmt.Errorf("%w : erreur interne (%s)", ErrFilter, panicKind(r))
		}
	}()
	spans = d.run()
	// One last look at the clock: a scan that ended past its deadline is not trusted either.
	if !d.deadline.IsZero() && time.Now().After(d.deadline) {
		return nil, fmt.Errorf("%w : %w", ErrFilter, context.DeadlineExceeded)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w : %w", ErrFilter, err)
	}
	return spans, nil
}

func panicKind(r any) string {
	if e, ok := r.(error); ok {
		s := e.Error()
		if i := strings.IndexByte(s, '['); i > 0 {
			s = s[:i]
		}
		return strings.TrimSpace(s)
	}
	return fmt.Sprintf("%T", r)
}
