package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"sync"

	"github.com/plume-services/plume/internal/auth/oidctest"
	"github.com/plume-services/plume/internal/jobs/jobstest"
	"github.com/plume-services/plume/internal/llm/llmtest"
	"github.com/plume-services/plume/internal/search/searchtest"
	"github.com/plume-services/plume/internal/spp/spptest"
	"github.com/plume-services/plume/internal/store/storetest"
)

// embedDim is the dimension of the local embedder `plume serve` uses when no embeddings server is set
// (EMBED_DIM's default): the sample corpus is indexed for it.
const embedDim = 384

// scope owns what a scenario holds, as a Go test owns what the helpers create for it: the helpers register their
// cleanups on it, and a helper's fatal error stops the control request that called it (see fatal).
type scope struct {
	name     string
	log      *slog.Logger
	mu       sync.Mutex
	cleanups []func()
}

// fatal is the panic value of scope.Fatalf, recovered by the control API, which answers it as a 500.
type fatal struct{ err error }

func (s *scope) Helper() {}

func (s *scope) Cleanup(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, f)
}

// Fatalf stops the caller as testing's does (which ends the test's goroutine): here the control request fails.
func (s *scope) Fatalf(format string, args ...any) {
	panic(fatal{fmt.Errorf(format, args...)})
}

func (s *scope) Logf(format string, args ...any) {
	s.log.Info(fmt.Sprintf(format, args...), "scénario", s.name)
}

// close runs the cleanups, the last registered first, as testing does.
func (s *scope) close() {
	s.mu.Lock()
	fs := s.cleanups
	s.cleanups = nil
	s.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

// scenario is one test's world: a database of its own and fakes that remember only what this test did to them.
type scenario struct {
	id    string
	scope *scope
	dbURL string
	model *llmtest.Server
	// portal and gen: the records a scenario adds continue the generator's stream, published after the others.
	portal *spptest.Server
	gen    *spptest.Generator
	oidc   *oidctest.Provider

	mu   sync.Mutex
	norm llmtest.Reply // the model's answer when no scripted reply is queued
}

// scenarioOptions are what a test chooses when it opens a scenario.
type scenarioOptions struct {
	// Model is the answer of every chat completion no queued reply takes.
	Model replyJSON `json:"model"`
	// PortalSeed seeds the generator of the portal's records; PortalRecords is how many it holds to begin with.
	PortalSeed    uint64 `json:"portal_seed"`
	PortalRecords int    `json:"portal_records"`
}

// oidcClient is the client Plume is registered as at the fake provider.
const oidcClient = "plume"

// newScenario prepares the database and starts the fakes; a helper's failure panics with fatal, after which the
// caller closes sc.
func newScenario(sc *scope, n int, o scenarioOptions) *scenario {
	s := &scenario{id: strconv.Itoa(n), scope: sc, norm: o.Model.script()}
	// The database `plume serve` expects, its corpus already loaded: what each browser scenario used to spend
	// seconds on (plume corpus load) is a copy of a template.
	s.dbURL = storetest.URL(storetest.NewDB(sc, jobstest.River, searchtest.SampleCorpus(embedDim)))
	s.model = llmtest.New(sc)
	s.model.Handle(func(llmtest.Request) llmtest.Reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.norm
	})
	s.gen = spptest.NewGenerator(o.PortalSeed)
	s.portal = spptest.NewServer(sc, s.gen.Next(o.PortalRecords))
	s.oidc = oidctest.New(sc, oidcClient, "secret-"+s.id)
	return s
}

// setModel changes the answer of the chat completions no queued reply takes.
func (s *scenario) setModel(r llmtest.Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.norm = r
}
