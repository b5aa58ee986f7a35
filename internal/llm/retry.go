package llm

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"syscall"
	"time"
)

// withRetries runs attempt under the concurrency limit until it succeeds, fails for good, or the retries run out.
// It returns how many attempts were sent.
func (c *OpenAI) withRetries(ctx context.Context, attempt func(context.Context) error) (int, error) {
	for n := 1; ; n++ {
		if err := c.acquire(ctx); err != nil {
			return n - 1, callerError(ctx, err)
		}
		err := attempt(ctx)
		c.release(ctx)
		if err == nil {
			return n, nil
		}
		if ctx.Err() != nil {
			return n, callerError(ctx, ctx.Err())
		}
		var le *Error
		if !errors.As(err, &le) {
			return n, err
		}
		if !le.retryable || n > c.opts.MaxRetries {
			return n, err
		}
		wait, ok := c.delay(n, le)
		if !ok {
			return n, err
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < wait {
			return n, err // waiting would outlive the caller: say what failed now
		}
		c.metrics.Retries.WithLabelValues(outcome(err)).Inc()
		c.log.Warn("llm : nouvelle tentative", "tentative", n+1, "attente", wait.Round(time.Millisecond), "erreur", err.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return n, callerError(ctx, ctx.Err())
		case <-t.C:
		}
	}
}

// callerError reports the caller's own cancellation: an expired deadline is a timeout, a cancellation is returned as is.
func callerError(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return &Error{Kind: ErrTimeout, Detail: "le délai de la demande a expiré", Err: context.DeadlineExceeded}
	}
	return err
}

// delay is the wait before retry number n: the server's Retry-After when it gave one, else exponential backoff
// with jitter so that clients failing together do not retry together.
func (c *OpenAI) delay(n int, le *Error) (time.Duration, bool) {
	if le.retryAfter > 0 {
		if le.retryAfter > c.opts.MaxRetryAfter {
			le.Detail += " ; le serveur demande d'attendre " + le.retryAfter.Round(time.Second).String()
			return 0, false
		}
		return le.retryAfter + rand.N(le.retryAfter/10+1), true
	}
	d := c.opts.Backoff << (n - 1)
	if d <= 0 || d > c.opts.MaxBackoff {
		d = c.opts.MaxBackoff
	}
	return d/2 + rand.N(d/2+1), true
}

// acquire takes a slot of the concurrency limit; background calls first take one of their own, fewer than the
// limit by Options.Interactive, so that interactive calls always find a slot background work cannot hold.
func (c *OpenAI) acquire(ctx context.Context) error {
	bg := IsBackground(ctx)
	if bg {
		select {
		case c.bgSem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	select {
	case c.sem <- struct{}{}:
		c.metrics.InFlight.Inc()
		return nil
	case <-ctx.Done():
		if bg {
			<-c.bgSem
		}
		return ctx.Err()
	}
}

func (c *OpenAI) release(ctx context.Context) {
	c.metrics.InFlight.Dec()
	<-c.sem
	if IsBackground(ctx) {
		<-c.bgSem
	}
}

type backgroundKey struct{}

// Background marks the calls made with ctx as background work (automatic drafts): they yield the share of the
// concurrency limit kept for the people waiting on an answer.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// IsBackground reports whether ctx was marked by Background.
func IsBackground(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}

// isTransport reports whether err is a failure to reach or keep talking to the server, as opposed to a bad answer.
func isTransport(err error) bool {
	var ue *url.Error
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &oe) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
