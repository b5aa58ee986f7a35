package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plume-services/plume/internal/config"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
	"github.com/plume-services/plume/internal/web"
)

func testConfig(t testing.TB) config.Config {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.BodyLimit = 1024
	return cfg
}

func newServer(t *testing.T, st *store.Store) *web.Server {
	t.Helper()
	srv, err := web.New(web.Deps{Config: testConfig(t), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func do(t *testing.T, h http.Handler, method, target, accept, body string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	srv := newServer(t, storetest.NewDB(t))
	tests := []struct {
		target     string
		wantStatus int
		wantBody   string
	}{
		{"/healthz", 200, `"ok"`},
		{"/readyz", 200, `"prêt"`},
		{"/metrics", 200, "plume_http_requests_total"},
		{"/static/vendor/dsfr/dsfr.min.css", 200, ".fr-header"},
		{"/static/vendor/htmx/htmx.min.js", 200, "htmx"},
		{"/", 200, `<html lang="fr"`},
	}
	for _, tt := range tests {
		res, body := do(t, srv, "GET", tt.target, "", "")
		if res.StatusCode != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
			t.Errorf("GET %s = %d %q, want %d containing %q", tt.target, res.StatusCode, body, tt.wantStatus, tt.wantBody)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", tt.target, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", tt.target)
		}
		if res.Header.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no X-Request-Id header", tt.target)
		}
	}
}

func TestReadyWhenDatabaseIsDown(t *testing.T) {
	t.Parallel()
	// A pool on a port where nothing listens: it is created lazily, so only the readiness check finds out.
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/test?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv := newServer(t, &store.Store{Pool: pool})
	res, body := do(t, srv, "GET", "/readyz", "", "")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET /readyz = %d, want 503", res.StatusCode)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil || got["raison"] == "" {
		t.Errorf("GET /readyz body %q: want a JSON reason", body)
	}
	if res, _ := do(t, srv, "GET", "/healthz", "", ""); res.StatusCode != 200 {
		t.Errorf("GET /healthz = %d with the database down, want 200", res.StatusCode)
	}
}

func TestErrorsAreFrenchJSONOrHTML(t *testing.T) {
	t.Parallel()
	srv := newServer(t, storetest.NewDB(t))
	tests := []struct {
		name, method, target, accept, body string
		wantStatus                         int
		wantType, wantBody                 string
	}{
		{"api not found", "GET", "/api/v1/nothing", "", "", 404, "application/json", `"message":"Page ou ressource introuvable."`},
		{"page not found", "GET", "/nothing", "text/html", "", 404, "text/html", "introuvable"},
		{"body too large", "POST", "/api/v1/nothing", "", strings.Repeat("x", 4096), 413, "application/json", "trop volumineuse"},
		{"method not allowed", "POST", "/healthz", "application/json", "", 405, "application/json", "Méthode non autorisée"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := do(t, srv, tt.method, tt.target, tt.accept, tt.body)
			if res.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d (%s)", res.StatusCode, tt.wantStatus, body)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantType)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body %q does not contain %q", body, tt.wantBody)
			}
		})
	}
}

// awaitEvent waits for ch to deliver, failing the test if the event never comes (the bound only turns a hang into
// a failure: the test's order comes from the events, not from time).
func awaitEvent[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("gave up waiting for %s", what)
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	st := storetest.NewDB(t)
	cfg := testConfig(t)
	cfg.Addr = "127.0.0.1:0"
	cfg.ShutdownTimeout = 5 * time.Second
	srv, err := web.New(web.Deps{Config: cfg, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrCh := make(chan string, 1)
	active := make(chan struct{}, 1)
	shuttingDown := make(chan struct{})
	hooks := web.ServeHooks{
		Ready: func(a string) { addrCh <- a },
		ConnState: func(_ net.Conn, cs http.ConnState) {
			if cs == http.StateActive {
				select {
				case active <- struct{}{}:
				default:
				}
			}
		},
		ShutdownStarted: func() { close(shuttingDown) },
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, hooks) }()
	addr := <-addrCh

	// A request is in flight (its body is still arriving) when the shutdown starts: the server has read its
	// first bytes, and the rest of the body comes only once the shutdown is under way.
	pr, pw := io.Pipe()
	resCh := make(chan int, 1)
	go func() {
		res, err := http.Post("http://"+addr+"/api/v1/nothing", "application/json", pr)
		if err != nil {
			resCh <- -1
			return
		}
		res.Body.Close()
		resCh <- res.StatusCode
	}()
	if _, err := pw.Write([]byte("{")); err != nil {
		t.Fatal(err)
	}
	awaitEvent(t, active, "the request to reach the server")
	cancel()
	awaitEvent(t, shuttingDown, "the shutdown to start")
	pw.Close()
	if code := <-resCh; code != http.StatusNotFound {
		t.Errorf("in-flight request got %d, want its normal answer 404", code)
	}
	if err := <-done; err != nil {
		t.Errorf("ListenAndServe: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}
