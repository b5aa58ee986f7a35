package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
	"github.com/plume-services/plume/internal/web"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// blackHole accepts connections and never answers, like a database behind a dropped route.
func blackHole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// TestAuthOutageKeepsSession: when sessions and tokens cannot be checked (the pool closed, the database
// black-holed), pages and the API answer 503 in French within the statement timeout, the session cookie is kept
// and the error is logged at ERROR; unknown credentials are still 401 and clear the cookie.
func TestAuthOutageKeepsSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	live := storetest.NewDB(t)
	as := auth.New(live, auth.Options{Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 16}})
	if _, err := live.EnsureOrganisation(ctx, "caf-gironde", "CAF de la Gironde", "caf"); err != nil {
		t.Fatal(err)
	}
	u, err := as.AddUser(ctx, auth.NewUser{Email: "agent@caf.test", Name: "Agent", Password: "mot-de-passe-solide",
		Role: auth.RoleAgent, OrganisationSlug: "caf-gironde"})
	if err != nil {
		t.Fatal(err)
	}
	se, err := as.NewSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := as.CreateToken(ctx, u.ID, "test", []string{string(auth.ActReadReviews)})
	if err != nil {
		t.Fatal(err)
	}

	closed, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:5432/postgres")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	hole, err := pgxpool.New(ctx, "postgres://postgres@"+blackHole(t)+"/plume?connect_timeout=60")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hole.Close)

	for _, tt := range []struct {
		name string
		pool *pgxpool.Pool
	}{{"closed pool", closed}, {"black-holed database", hole}} {
		t.Run(tt.name, func(t *testing.T) {
			st := &store.Store{Pool: tt.pool}
			logs := &syncBuffer{}
			cfg := testConfig(t)
			cfg.DBStatementTimeout = 500 * time.Millisecond
			srv, err := web.New(web.Deps{Config: cfg, Store: st, Auth: auth.New(st, auth.Options{}),
				Log: slog.New(slog.NewTextHandler(logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []struct {
				name, path, accept string
				header             string
				cookie             bool
			}{
				{"page with a session", "/avis", "text/html", "", true},
				{"API with a session", "/api/v1/reviews", "application/json", "", true},
				{"API with a token", "/api/v1/reviews", "application/json", "Bearer " + token, false},
			} {
				req := httptest.NewRequest("GET", r.path, nil)
				req.Header.Set("Accept", r.accept)
				if r.header != "" {
					req.Header.Set("Authorization", r.header)
				}
				if r.cookie {
					req.AddCookie(&http.Cookie{Name: "plume_session", Value: se.Token})
				}
				rec := httptest.NewRecorder()
				start := time.Now()
				srv.ServeHTTP(rec, req)
				took := time.Since(start)
				if rec.Code != http.StatusServiceUnavailable {
					t.Errorf("%s: %d, want 503 (%.200s)", r.name, rec.Code, rec.Body.String())
				}
				if !strings.Contains(rec.Body.String(), "Identification momentanément impossible") {
					t.Errorf("%s: body %.300q lacks the French reason", r.name, rec.Body.String())
				}
				if sc := rec.Header().Get("Set-Cookie"); strings.Contains(sc, "plume_session") {
					t.Errorf("%s: the session cookie was touched: %s", r.name, sc)
				}
				if took > 5*time.Second {
					t.Errorf("%s: answered after %s, want within the statement timeout", r.name, took)
				}
			}
			// Signing in during the outage: the form again, the address kept, a French 503 — never a 500.
			form := url.Values{"email": {"agent@caf.test"}, "password": {"mot-de-passe-solide"}}
			req := httptest.NewRequest("POST", "/connexion", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "text/html")
			rec := httptest.NewRecorder()
			start := time.Now()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "Identification momentanément impossible") ||
				!strings.Contains(rec.Body.String(), "agent@caf.test") {
				t.Errorf("sign-in: %d, want 503 with the French reason and the address kept (%.300s)", rec.Code, rec.Body.String())
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("sign-in: answered after %s, want within the statement timeout", took)
			}
			if !strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("no ERROR logged:\n%s", logs.String())
			}
		})
	}

	// The database up: unknown credentials are the caller's, 401, and a dead session's cookie is cleared.
	srv, err := web.New(web.Deps{Config: testConfig(t), Store: live, Auth: as})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/reviews", nil)
	req.Header.Set("Authorization", "Bearer plm_"+strings.Repeat("A", 43))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("unknown token: %d, want 401", rec.Code)
	}
	req = httptest.NewRequest("GET", "/avis", nil)
	req.AddCookie(&http.Cookie{Name: "plume_session", Value: strings.Repeat("A", 43)})
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if sc := rec.Header().Get("Set-Cookie"); rec.Code != http.StatusSeeOther || !strings.Contains(sc, "plume_session=;") {
		t.Errorf("unknown session: %d, Set-Cookie %q; want the sign-in page and the cookie cleared", rec.Code, sc)
	}
}

// TestClientGoneIs499: a request whose client went away (its context cancelled) is logged at INFO as 499 and
// counted as 499 in the metrics, not as a server error.
func TestClientGoneIs499(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t, envOptions{noJobs: true})
	logs := &syncBuffer{}
	srv, err := web.New(web.Deps{Config: testConfig(t), Store: e.st, Auth: e.auth, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/avis", nil).WithContext(ctx)
	req.AddCookie(&http.Cookie{Name: "plume_session", Value: e.sessions["agent"].Token})
	srv.ServeHTTP(httptest.NewRecorder(), req)
	log := logs.String()
	if strings.Contains(log, "level=ERROR") || !strings.Contains(log, "status=499") || !strings.Contains(log, "level=INFO") {
		t.Errorf("want one INFO line with status 499 and no ERROR, got:\n%s", log)
	}
	res, body := do(t, srv, "GET", "/metrics", "", "")
	if res.StatusCode != 200 || !strings.Contains(body, `status="499"`) || strings.Contains(body, `route="/avis",status="500"`) {
		t.Errorf("metrics do not count the request as 499:\n%s", grepLines(body, "plume_http_requests_total"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
