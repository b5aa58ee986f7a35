package llm_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/pii"
)

// value reads a counter or gauge.
func value(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

// newClient builds a client on srv with short delays, its own metrics registry and a silent logger.
func newClient(t *testing.T, baseURL string, edit func(*llm.Options)) (*llm.OpenAI, *llm.Metrics) {
	t.Helper()
	m := llm.NewMetrics(prometheus.NewRegistry())
	o := llm.Options{
		BaseURL:     baseURL,
		Model:       "modele-test",
		APIKey:      "cle-test",
		Timeout:     2 * time.Second,
		IdleTimeout: 300 * time.Millisecond,
		MaxRetries:  2,
		Backoff:     5 * time.Millisecond,
		MaxBackoff:  20 * time.Millisecond,
		Metrics:     m,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if edit != nil {
		edit(&o)
	}
	c, err := llm.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, m
}

// The prompts below are test fixtures written for these tests, not citizen text.
func request() llm.Request {
	return llm.Request{
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Content: pii.Public("Tu rédiges des réponses courtoises.")},
			{Role: llm.RoleUser, Content: pii.Public("Mon dossier [PERSONNE_1] est bloqué depuis trois mois.")},
		},
		MaxTokens:   300,
		Temperature: 0.2,
		Stop:        []string{"\n\n\n"},
	}
}

func collect() (func(string) error, func() []string) {
	var mu sync.Mutex
	var got []string
	return func(d string) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, d)
			return nil
		}, func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), got...)
		}
}

func TestCompleteSendsPromptAndReadsAnswer(t *testing.T) {
	srv := llmtest.New(t)
	srv.Push(llmtest.Reply{Text: "Bonjour, nous avons bien reçu votre message.", Usage: &llmtest.Usage{PromptTokens: 31, CompletionTokens: 9}})
	c, m := newClient(t, srv.URL, nil)

	resp, err := c.Complete(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Bonjour, nous avons bien reçu votre message." || resp.FinishReason != "stop" || resp.Model != "modele-test" {
		t.Errorf("response = %+v", resp)
	}
	if resp.Usage != (llm.Usage{PromptTokens: 31, CompletionTokens: 9, TotalTokens: 40}) {
		t.Errorf("usage = %+v, want the server's 31+9", resp.Usage)
	}
	if resp.Attempts != 1 || resp.Latency <= 0 {
		t.Errorf("attempts %d latency %v", resp.Attempts, resp.Latency)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Path != "/v1/chat/completions" || r.Model != "modele-test" || r.Stream {
		t.Errorf("request path %q model %q stream %v", r.Path, r.Model, r.Stream)
	}
	want := []llmtest.Message{
		{Role: "system", Content: "Tu rédiges des réponses courtoises."},
		{Role: "user", Content: "Mon dossier [PERSONNE_1] est bloqué depuis trois mois."},
	}
	if len(r.Messages) != 2 || r.Messages[0] != want[0] || r.Messages[1] != want[1] {
		t.Errorf("messages = %+v, want %+v", r.Messages, want)
	}
	// cmp follows the Temperature pointer, so a missing temperature and a wrong one both show.
	temperature := 0.2
	wantParams := llmtest.Request{MaxTokens: 300, Temperature: &temperature, Stop: []string{"\n\n\n"}}
	gotParams := llmtest.Request{MaxTokens: r.MaxTokens, Temperature: r.Temperature, Stop: r.Stop}
	if diff := cmp.Diff(wantParams, gotParams); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer cle-test" {
		t.Errorf("Authorization = %q", got)
	}
	if got := value(t, m.Requests.WithLabelValues("complete", "ok")); got != 1 {
		t.Errorf("ok counter = %v, want 1", got)
	}
	if got := value(t, m.Tokens.WithLabelValues("prompt")); got != 31 {
		t.Errorf("prompt tokens counter = %v, want 31", got)
	}
}

func TestStreamDeliversDeltasInOrder(t *testing.T) {
	srv := llmtest.New(t)
	chunks := []string{"Bonjour", ", ", "votre ", "demande ", "est ", "en ", "cours", "."}
	srv.Push(llmtest.Reply{Chunks: chunks, ChunkDelay: time.Millisecond, Usage: &llmtest.Usage{PromptTokens: 20, CompletionTokens: 8}})
	c, m := newClient(t, srv.URL, nil)

	onDelta, got := collect()
	resp, err := c.Stream(context.Background(), request(), onDelta)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got(), "|") != strings.Join(chunks, "|") {
		t.Errorf("deltas = %q, want %q", got(), chunks)
	}
	if resp.Text != strings.Join(chunks, "") || resp.FinishReason != "stop" {
		t.Errorf("response = %+v", resp)
	}
	if resp.Usage != (llm.Usage{PromptTokens: 20, CompletionTokens: 8, TotalTokens: 28}) {
		t.Errorf("usage = %+v, want the final usage chunk", resp.Usage)
	}
	if resp.FirstToken <= 0 || resp.FirstToken > resp.Latency {
		t.Errorf("first token %v, latency %v", resp.FirstToken, resp.Latency)
	}
	r := srv.Requests()[0]
	if !r.Stream || !r.IncludeUsage {
		t.Errorf("stream %v include_usage %v, want both", r.Stream, r.IncludeUsage)
	}
	if got := value(t, m.Requests.WithLabelValues("stream", "ok")); got != 1 {
		t.Errorf("stream ok counter = %v", got)
	}
}

func TestUsageEstimatedWhenServerOmitsIt(t *testing.T) {
	srv := llmtest.New(t)
	c, _ := newClient(t, srv.URL, nil)
	text := "Nous vous remercions pour votre retour détaillé."
	for _, mode := range []string{"complete", "stream"} {
		t.Run(mode, func(t *testing.T) {
			srv.Push(llmtest.Reply{Text: text, NoUsage: true})
			var resp llm.Response
			var err error
			if mode == "complete" {
				resp, err = c.Complete(context.Background(), request())
			} else {
				resp, err = c.Stream(context.Background(), request(), func(string) error { return nil })
			}
			if err != nil {
				t.Fatal(err)
			}
			u := resp.Usage
			// The completion count follows the estimator's rule exactly; the prompt count need only be positive.
			type estimate struct {
				Estimated        bool
				CompletionTokens int // about 4 characters a token, rounded up
				PromptCounted    bool
				TotalIsSum       bool
			}
			want := estimate{Estimated: true, CompletionTokens: (len([]rune(text)) + 3) / 4, PromptCounted: true, TotalIsSum: true}
			got := estimate{Estimated: u.Estimated, CompletionTokens: u.CompletionTokens, PromptCounted: u.PromptTokens > 0,
				TotalIsSum: u.TotalTokens == u.PromptTokens+u.CompletionTokens}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("usage %+v (-want +got):\n%s", u, diff)
			}
		})
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	tests := []struct {
		name    string
		replies []llmtest.Reply
		stream  bool
	}{
		{"500 then 503 then ok", []llmtest.Reply{{Status: 500}, {Status: 503}, {Text: "Enfin."}}, false},
		{"429 then ok", []llmtest.Reply{{Status: 429}, {Text: "Enfin."}}, false},
		{"stream 502 then ok", []llmtest.Reply{{Status: 502}, {Text: "Enfin."}}, true},
		{"stream cut before any token then ok", []llmtest.Reply{{Text: "Perdu.", Cut: true}, {Text: "Enfin."}}, true},
		{"stream reset before any token then ok", []llmtest.Reply{{Text: "Perdu.", Cut: true, Abort: true}, {Text: "Enfin."}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t)
			srv.Push(tt.replies...)
			c, m := newClient(t, srv.URL, nil)
			var resp llm.Response
			var err error
			if tt.stream {
				resp, err = c.Stream(context.Background(), request(), func(string) error { return nil })
			} else {
				resp, err = c.Complete(context.Background(), request())
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Text != "Enfin." || resp.Attempts != len(tt.replies) || len(srv.Requests()) != len(tt.replies) {
				t.Errorf("text %q attempts %d requests %d, want %q %d %d", resp.Text, resp.Attempts, len(srv.Requests()), "Enfin.", len(tt.replies), len(tt.replies))
			}
			var retries float64
			for _, reason := range []string{"unavailable", "rate_limited", "stream_cut"} {
				retries += value(t, m.Retries.WithLabelValues(reason))
			}
			if int(retries) != len(tt.replies)-1 {
				t.Errorf("retries counter = %v, want %d", retries, len(tt.replies)-1)
			}
		})
	}
}

func TestFailuresGiveTypedFrenchErrors(t *testing.T) {
	tests := []struct {
		name     string
		reply    llmtest.Reply
		stream   bool
		want     error
		attempts int    // requests the server must have received
		contains string // in the error message
	}{
		{"500 storm", llmtest.Reply{Status: 500}, false, llm.ErrUnavailable, 3, "HTTP 500"},
		{"503 storm streamed", llmtest.Reply{Status: 503}, true, llm.ErrUnavailable, 3, "HTTP 503"},
		{"429 storm", llmtest.Reply{Status: 429}, false, llm.ErrRateLimited, 3, "HTTP 429"},
		{"429 with a long Retry-After gives up at once", llmtest.Reply{Status: 429, RetryAfter: "120"}, false, llm.ErrRateLimited, 1, "attendre 2m0s"},
		{"401 is not retried", llmtest.Reply{Status: 401}, false, llm.ErrRejected, 1, "HTTP 401"},
		{"garbage body", llmtest.Reply{Body: "<html>Bad gateway</html>"}, false, llm.ErrBadOutput, 1, "illisible"},
		{"empty answer", llmtest.Reply{Chunks: []string{" "}}, false, llm.ErrBadOutput, 1, "vide"},
		{"empty streamed answer", llmtest.Reply{Chunks: []string{" "}}, true, llm.ErrBadOutput, 1, "vide"},
		{"stream answered as JSON", llmtest.Reply{Body: `{"ok":true}`}, true, llm.ErrBadOutput, 1, "Content-Type"},
		{"stream of garbage events", llmtest.Reply{Body: "data: {pas du json\n\n", ContentType: "text/event-stream"}, true, llm.ErrBadOutput, 1, "illisible"},
		{"no headers in time", llmtest.Reply{HeaderDelay: 3 * time.Second}, false, llm.ErrTimeout, 1, "pas de réponse en 300ms"},
		{"no first token in time", llmtest.Reply{HeaderDelay: 3 * time.Second}, true, llm.ErrTimeout, 1, "aucun token reçu en 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t)
			srv.Handle(func(llmtest.Request) llmtest.Reply { return tt.reply })
			c, m := newClient(t, srv.URL, func(o *llm.Options) { o.Timeout = 300 * time.Millisecond })
			start := time.Now()
			var err error
			if tt.stream {
				_, err = c.Stream(context.Background(), request(), func(string) error { return nil })
			} else {
				_, err = c.Complete(context.Background(), request())
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.contains) || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line containing %q", msg, tt.contains)
			}
			if n := len(srv.Requests()); n != tt.attempts {
				t.Errorf("server got %d requests, want %d", n, tt.attempts)
			}
			var le *llm.Error
			if !errors.As(err, &le) || le.Attempts != tt.attempts {
				t.Errorf("Attempts = %v, want %d", le, tt.attempts)
			}
			if tt.attempts > 1 && !strings.Contains(msg, "après 3 tentatives") {
				t.Errorf("message %q does not say how many attempts", msg)
			}
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("failure took %v", elapsed)
			}
			mode := "complete"
			if tt.stream {
				mode = "stream"
			}
			var failed float64
			for _, o := range []string{"unavailable", "timeout", "rate_limited", "bad_output", "stream_cut", "rejected"} {
				failed += value(t, m.Requests.WithLabelValues(mode, o))
			}
			if failed != 1 {
				t.Errorf("failure counters sum to %v, want 1", failed)
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL + "/v1"
	dead.Close()
	c, _ := newClient(t, url, nil)
	_, err := c.Complete(context.Background(), request())
	if !errors.Is(err, llm.ErrUnavailable) || !strings.Contains(err.Error(), "connexion impossible") {
		t.Fatalf("err = %v, want ErrUnavailable saying the connection failed", err)
	}
	var le *llm.Error
	if errors.As(err, &le); le == nil || le.Attempts != 3 {
		t.Errorf("attempts = %+v, want 3", le)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	srv := llmtest.New(t)
	srv.Push(llmtest.Reply{Status: 429, RetryAfter: "1"}, llmtest.Reply{Text: "Après attente."})
	c, _ := newClient(t, srv.URL, nil)
	resp, err := c.Complete(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if gap := reqs[1].Received.Sub(reqs[0].Received); gap < time.Second {
		t.Errorf("second attempt %v after the 429, want at least the 1s asked", gap)
	}
	if resp.Attempts != 2 {
		t.Errorf("attempts = %d", resp.Attempts)
	}
}

func TestRetryWaitThatOutlivesCallerDeadlineStopsNow(t *testing.T) {
	srv := llmtest.New(t)
	srv.Handle(func(llmtest.Request) llmtest.Reply { return llmtest.Reply{Status: 429, RetryAfter: "5"} })
	c, _ := newClient(t, srv.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Complete(ctx, request())
	if !errors.Is(err, llm.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if time.Since(start) > 500*time.Millisecond || len(srv.Requests()) != 1 {
		t.Errorf("took %v and %d requests; want an immediate answer after one request", time.Since(start), len(srv.Requests()))
	}
}

func TestStreamFaultsAfterFirstTokenAreNotRetried(t *testing.T) {
	chunks := []string{"Bonjour ", "et ", "merci ", "pour ", "votre ", "message."}
	tests := []struct {
		name  string
		reply llmtest.Reply
		want  error
		msg   string
	}{
		{"stall", llmtest.Reply{Chunks: chunks, StallAfter: 2, Stall: 5 * time.Second}, llm.ErrTimeout, "flux muet depuis plus de 300ms"},
		{"clean cut", llmtest.Reply{Chunks: chunks, Cut: true, CutAfter: 3}, llm.ErrStreamCut, "sans fin annoncée"},
		{"connection reset", llmtest.Reply{Chunks: chunks, Cut: true, CutAfter: 3, Abort: true}, llm.ErrStreamCut, "flux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t)
			srv.Handle(func(llmtest.Request) llmtest.Reply { return tt.reply })
			c, _ := newClient(t, srv.URL, nil)
			onDelta, got := collect()
			start := time.Now()
			resp, err := c.Stream(context.Background(), request(), onDelta)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v saying %q", err, tt.want, tt.msg)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("server got %d requests: a stream that delivered text must not be retried", n)
			}
			if len(got()) == 0 || resp.Text != strings.Join(got(), "") {
				t.Errorf("partial text %q, deltas %q", resp.Text, got())
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

func TestStreamWithoutDoneButWithFinishIsComplete(t *testing.T) {
	srv := llmtest.New(t)
	srv.Push(llmtest.Reply{Text: "Réponse complète.", NoDone: true})
	c, _ := newClient(t, srv.URL, nil)
	resp, err := c.Stream(context.Background(), request(), func(string) error { return nil })
	if err != nil || resp.Text != "Réponse complète." {
		t.Fatalf("resp %+v err %v", resp, err)
	}
}

func TestStreamCallbackErrorStopsStream(t *testing.T) {
	srv := llmtest.New(t)
	srv.Push(llmtest.Reply{Chunks: []string{"un ", "deux ", "trois "}, ChunkDelay: 5 * time.Millisecond})
	c, _ := newClient(t, srv.URL, nil)
	stop := errors.New("client parti")
	n := 0
	_, err := c.Stream(context.Background(), request(), func(string) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Fatalf("err %v after %d deltas, want the callback's error after 2", err, n)
	}
	if len(srv.Requests()) != 1 {
		t.Errorf("requests = %d", len(srv.Requests()))
	}
}

func TestConcurrencyLimit(t *testing.T) {
	srv := llmtest.New(t)
	// The handler counts the requests it holds at once: it answers only after it returns, so a client that
	// respects the limit never has more than the limit inside it.
	var mu sync.Mutex
	inside, most := 0, 0
	srv.Handle(func(llmtest.Request) llmtest.Reply {
		mu.Lock()
		inside++
		most = max(most, inside)
		mu.Unlock()
		time.Sleep(50 * time.Millisecond) // holds the request, so that the others pile up behind the limit
		mu.Lock()
		inside--
		mu.Unlock()
		return llmtest.Reply{Text: "ok"}
	})
	c, m := newClient(t, srv.URL, func(o *llm.Options) { o.Concurrency = 2 })
	var wg sync.WaitGroup
	errs := make([]error, 7)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, errs[i] = c.Complete(context.Background(), request())
			} else {
				_, errs[i] = c.Stream(context.Background(), request(), func(string) error { return nil })
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	mu.Lock()
	got := most
	mu.Unlock()
	if got != 2 {
		t.Errorf("server saw %d requests at once, want the limit 2", got)
	}
	if got := value(t, m.InFlight); got != 0 {
		t.Errorf("in-flight gauge = %v after all calls", got)
	}
}

func TestWaitingForASlotHonoursCancellation(t *testing.T) {
	srv := llmtest.New(t)
	release := make(chan struct{})
	srv.Handle(func(llmtest.Request) llmtest.Reply {
		<-release
		return llmtest.Reply{Text: "ok"}
	})
	c, _ := newClient(t, srv.URL, func(o *llm.Options) { o.Concurrency = 1; o.Timeout = 5 * time.Second })
	done := make(chan error, 1)
	go func() {
		_, err := c.Complete(context.Background(), request())
		done <- err
	}()
	for len(srv.Requests()) == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := c.Complete(ctx, request())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled while waiting for a slot", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("first call: %v", err)
	}
	if len(srv.Requests()) != 1 {
		t.Errorf("the cancelled call reached the server")
	}
}

func TestCallerDeadlineIsATimeout(t *testing.T) {
	srv := llmtest.New(t)
	srv.Push(llmtest.Reply{HeaderDelay: 2 * time.Second})
	c, _ := newClient(t, srv.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Complete(ctx, request())
	if !errors.Is(err, llm.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrTimeout wrapping DeadlineExceeded", err)
	}
}

func TestBadRequests(t *testing.T) {
	c, _ := newClient(t, "http://127.0.0.1:1/v1", nil)
	if _, err := c.Complete(context.Background(), llm.Request{}); err == nil {
		t.Error("a request without messages was accepted")
	}
	bad := llm.Request{Messages: []llm.Message{{Role: "tool", Content: pii.Public("x")}}}
	if _, err := c.Complete(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "rôle") {
		t.Errorf("unknown role: err = %v", err)
	}
	for _, o := range []llm.Options{{Model: "m"}, {BaseURL: "http://x/v1"}} {
		if _, err := llm.New(o); err == nil {
			t.Errorf("New(%+v) accepted an incomplete configuration", o)
		}
	}
}

// TestInteractiveCallsNeverWaitBehindBackground fills the model with background calls: an interactive call still
// finds its reserved slot at once.
func TestInteractiveCallsNeverWaitBehindBackground(t *testing.T) {
	srv := llmtest.New(t)
	release := make(chan struct{})
	srv.Handle(func(r llmtest.Request) llmtest.Reply {
		if strings.Contains(r.Text(), "urgent") {
			return llmtest.Reply{Text: "tout de suite"}
		}
		<-release
		return llmtest.Reply{Text: "plus tard"}
	})
	c, _ := newClient(t, srv.URL, func(o *llm.Options) { o.Concurrency = 4; o.Interactive = 1; o.Timeout = 10 * time.Second })
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := c.Complete(llm.Background(context.Background()), request()); err != nil {
				t.Errorf("background call: %v", err)
			}
		})
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.Requests()) < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // a fourth background call, were it allowed, would have started by now
	if got := len(srv.Requests()); got != 3 {
		t.Fatalf("%d background calls in flight, want Concurrency − Interactive = 3", got)
	}
	req := request()
	req.Messages[1].Content = pii.Public("urgent")
	start := time.Now()
	resp, err := c.Complete(context.Background(), req)
	if err != nil || resp.Text != "tout de suite" {
		t.Fatalf("interactive call = %q, %v", resp.Text, err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("interactive call took %s behind background work", waited)
	}
	close(release)
	wg.Wait()
}
