package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"
)

// sseHeartbeatNS is how often, in nanoseconds, a stream with nothing to say sends a comment, so that proxies
// with a read timeout (often 60 s) keep the connection open while the model is slow. Atomic: tests shorten it
// while streams of earlier tests may still be reading it.
var sseHeartbeatNS atomic.Int64

func init() { sseHeartbeatNS.Store(int64(15 * time.Second)) }

// sseHeartbeat is the current heartbeat period.
func sseHeartbeat() time.Duration { return time.Duration(sseHeartbeatNS.Load()) }

// sseWriter sends server-sent events and keeps the connection open past the server's write timeout, with a
// comment every sseHeartbeat between events; close stops the heartbeat.
type sseWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController

	mu     sync.Mutex // the heartbeat writes from its own goroutine
	ended  bool       // under mu: close was called, nothing more may be written
	stop   chan struct{}
	closed sync.Once
}

// newSSE answers 200 with the event-stream headers at once, flushed with a first comment so that the client has
// its first byte before any work, and starts the heartbeat.
func newSSE(c *echo.Context, d time.Duration) *sseWriter {
	w := c.Response()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(d)) // not every writer supports it (tests' recorders): the default then applies
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // a reverse proxy must not hold the answer back
	w.WriteHeader(http.StatusOK)
	s := &sseWriter{w: w, rc: rc, stop: make(chan struct{})}
	_ = s.comment("ouvert")
	go s.heartbeat()
	return s
}

func (s *sseWriter) heartbeat() {
	t := time.NewTicker(sseHeartbeat())
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if s.comment("attente") != nil {
				return
			}
		}
	}
}

// comment sends an SSE comment line, which every client ignores.
func (s *sseWriter) comment(text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return http.ErrHandlerTimeout
	}
	if _, err := fmt.Fprintf(s.w, ": %s\n\n", text); err != nil {
		return err
	}
	return s.rc.Flush()
}

// event sends one event; an empty name sends a bare data line (OpenAI's chunks).
func (s *sseWriter) event(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != "" {
		if _, err := fmt.Fprintf(s.w, "event: %s\n", name); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(s.w, "data: %s\n\n", b); err != nil {
		return err
	}
	return s.rc.Flush()
}

// done sends OpenAI's end-of-stream marker.
func (s *sseWriter) done() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprint(s.w, "data: [DONE]\n\n"); err != nil {
		return err
	}
	return s.rc.Flush()
}

// close stops the heartbeat; the handler must call it before returning, since the response is not written after.
func (s *sseWriter) close() {
	s.closed.Do(func() {
		close(s.stop)
		s.mu.Lock() // wait for a heartbeat being written, and forbid the next
		s.ended = true
		s.mu.Unlock()
	})
}
