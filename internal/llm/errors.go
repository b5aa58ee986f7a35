package llm

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The kinds of failure a model call ends with; test them with errors.Is on any error Complete or Stream returns.
var (
	// ErrUnavailable means the model server is down, refused the connection or kept answering 5xx.
	ErrUnavailable = errors.New("modèle indisponible")
	// ErrTimeout means the model did not answer, or stopped streaming, within the allowed time.
	ErrTimeout = errors.New("délai de réponse du modèle dépassé")
	// ErrRateLimited means the model server kept answering 429 (too many requests).
	ErrRateLimited = errors.New("modèle saturé")
	// ErrBadOutput means the model answered something unusable: garbage, not JSON, or an empty text.
	ErrBadOutput = errors.New("réponse du modèle inexploitable")
	// ErrStreamCut means a stream ended before the model said it had finished.
	ErrStreamCut = errors.New("flux du modèle interrompu")
	// ErrRejected means the server refused the request itself (4xx other than 429): a key, model name or request to fix.
	ErrRejected = errors.New("requête refusée par le serveur du modèle")
)

// Error is a failed model call: its Kind is one of the Err* values above, and its message says in one French line
// what happened.
type Error struct {
	Kind     error  // ErrUnavailable, ErrTimeout, ErrRateLimited, ErrBadOutput, ErrStreamCut or ErrRejected
	Detail   string // what happened, in French, one line
	Status   int    // HTTP status of the last attempt, 0 when there was none
	Attempts int    // how many requests were sent
	Err      error  // the underlying cause, if any

	retryable  bool
	retryAfter time.Duration // asked by the server with Retry-After
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Detail != "" {
		b.WriteString(" : ")
		b.WriteString(e.Detail)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (après %d tentatives)", e.Attempts)
	}
	return b.String()
}

// Unwrap exposes both the kind and the cause, so errors.Is works for either.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// outcome is the metrics label of an error.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrStreamCut):
		return "stream_cut"
	case errors.Is(err, ErrBadOutput):
		return "bad_output"
	case errors.Is(err, ErrRejected):
		return "rejected"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	default:
		return "canceled"
	}
}

// oneLine keeps a server-provided message readable inside a one-line error.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}
