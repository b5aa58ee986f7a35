// Package web serves Plume's HTTP surface: the JSON API, the agents' and advisers' pages, health and metrics.
// Handlers parse the request, call a domain package and render; they never build SQL nor call a model.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/config"
	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
	plumeweb "github.com/plume-services/plume/web"
)

// Deps is what the server needs from the rest of Plume, built once by the serve command.
type Deps struct {
	Config   config.Config
	Store    *store.Store
	Log      *slog.Logger
	Registry *prometheus.Registry // nil means a fresh registry
	Auth     *auth.Service        // nil: no sign-in (health and metrics only)
	OIDC     *auth.OIDC           // nil: local accounts only
	Filter   *pii.Filter          // the personal-data filter every outbound text goes through
	Search   *search.Searcher     // hybrid retrieval over the procedure corpus
	Drafts   *draft.Service       // the drafting pipeline
	Model    llm.Client           // nil: offline (the assistant answers from passages only)
	Jobs     *jobs.Runner         // nil: no background jobs (publishing is then refused)
}

// Server is Plume's HTTP handler with its dependencies.
type Server struct {
	cfg       config.Config
	store     *store.Store
	log       *slog.Logger
	registry  *prometheus.Registry
	pages     *template.Template
	echo      *echo.Echo
	metrics   httpMetrics
	auth      *auth.Service
	oidc      *auth.OIDC
	filter    *pii.Filter
	search    *search.Searcher
	drafts    *draft.Service
	model     llm.Client
	jobs      *jobs.Runner
	flow      *reviews.Workflow // the review workflow: save, approve, reject, reopen
	assistant *assistantHandlers
	docs      docsData // the OpenAPI document as /docs shows it, built once
}

// New builds the server, parsing every template now so that a broken one fails the start, not a request.
func New(d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Registry == nil {
		// The server's own series live here; /metrics also serves the default registry, where the Go runtime,
		// the process and the model client register theirs.
		d.Registry = prometheus.NewRegistry()
	}
	pages, err := plumeweb.ParseTemplates(templateFuncs)
	if err != nil {
		return nil, err
	}
	doc, err := parseOpenAPI()
	if err != nil {
		return nil, err
	}
	s := &Server{docs: docsPage(doc), cfg: d.Config, store: d.Store, log: d.Log, registry: d.Registry, pages: pages, auth: d.Auth, oidc: d.OIDC,
		filter: d.Filter, search: d.Search, drafts: d.Drafts, model: d.Model, jobs: d.Jobs}
	var publisher reviews.Publisher // stays a nil interface without jobs: approvals are then refused
	if d.Jobs != nil {
		publisher = d.Jobs
	}
	s.flow = reviews.NewWorkflow(d.Store, d.Auth, publisher, d.Filter)
	s.metrics = newHTTPMetrics(d.Registry)
	e := echo.New()
	e.Logger = d.Log
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RequestID())
	e.Use(s.logRequests())
	e.Use(middleware.Recover())
	e.Use(middleware.BodyLimit(d.Config.BodyLimit))
	e.Use(checkInput)
	e.Use(securityHeaders())
	e.Use(compress())
	// Counted before authentication, so that the 401s and 503s it answers are counted too.
	e.Use(s.metrics.middleware())
	e.Use(s.authenticate)
	e.Use(s.checkCSRF)
	s.echo = e
	s.assistant = newAssistantHandlers(s)
	s.routes()
	return s, nil
}

// ServeHTTP lets the server be used as an http.Handler, in production and in tests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// ServeHooks let the caller of ListenAndServe follow the server's life; every field is optional.
type ServeHooks struct {
	// Ready receives the bound address once the server listens.
	Ready func(addr string)
	// ConnState is told each change of a client connection's state (net/http's Server.ConnState), so that a
	// caller can know a request is in flight without waiting an arbitrary time.
	ConnState func(net.Conn, http.ConnState)
	// ShutdownStarted is called once the shutdown has begun: listeners closed, requests in flight finishing.
	ShutdownStarted func()
}

// ListenAndServe serves on the configured address until ctx is cancelled, then lets in-flight requests finish
// (up to PLUME_SHUTDOWN_TIMEOUT) before returning.
func (s *Server) ListenAndServe(ctx context.Context, hooks ServeHooks) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("écoute sur %s : %w", s.cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnState:         hooks.ConnState,
	}
	if hooks.ShutdownStarted != nil {
		hs.RegisterOnShutdown(hooks.ShutdownStarted)
	}
	if hooks.Ready != nil {
		hooks.Ready(ln.Addr().String())
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		done <- hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := <-done; err != nil {
		return fmt.Errorf("arrêt : requêtes en cours interrompues après %s : %w", s.cfg.ShutdownTimeout, err)
	}
	return nil
}

func (s *Server) logRequests() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRoutePath: true,
		HandleError: true,
		LogValuesFunc: func(c *echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= 500:
				level = slog.LevelError
			case v.RoutePath == "/healthz" || v.RoutePath == "/readyz" || v.RoutePath == "/metrics":
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID),
			}
			switch {
			case v.Error != nil && v.Status >= 500:
				attrs = append(attrs, slog.String("err", v.Error.Error()))
			case v.Status == statusClientClosed:
				attrs = append(attrs, slog.String("note", "requête abandonnée par le client"))
			}
			s.log.LogAttrs(c.Request().Context(), level, "requête", attrs...)
			return nil
		},
	})
}

// Route is one registered method and path, in Echo's notation (/avis/:id).
type Route struct{ Method, Path string }

// Routes lists every registered route, for the tests that hold the OpenAPI document and the input checks to the
// whole surface.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.echo.Router().Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}
