package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/config"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/retention"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/spp"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/prompts"
)

// newAuth builds the accounts service from the configuration.
func newAuth(cfg config.Config, st *store.Store) *auth.Service {
	return auth.New(st, auth.Options{SessionTTL: cfg.SessionTTL, SessionMaxAge: cfg.SessionMaxAge,
		MaxFailures: cfg.LoginMaxFailures, LockoutFor: cfg.LoginLockout})
}

// newOIDC discovers the OpenID Connect provider when one is configured; nil otherwise.
func newOIDC(ctx context.Context, cfg config.Config) (*auth.OIDC, error) {
	if cfg.OIDCIssuer == "" {
		return nil, nil
	}
	redirect := cfg.OIDCRedirectURL
	if redirect == "" {
		redirect = strings.TrimSuffix(cfg.BaseURL, "/") + "/auth/callback"
	}
	orgMap, err := pairs("OIDC_ORG_MAP", cfg.OIDCOrgMap)
	if err != nil {
		return nil, err
	}
	roles, err := pairs("OIDC_ROLE_MAP", cfg.OIDCRoleMap)
	if err != nil {
		return nil, err
	}
	roleMap := map[string]auth.Role{}
	for k, v := range roles {
		if !auth.Role(v).Valid() {
			return nil, &config.Error{Var: "OIDC_ROLE_MAP", Value: cfg.OIDCRoleMap, Want: "des rôles parmi agent, superviseur, conseiller, evaluateur, admin"}
		}
		roleMap[k] = auth.Role(v)
	}
	if cfg.OIDCDefaultRole != "" && !auth.Role(cfg.OIDCDefaultRole).Valid() {
		return nil, &config.Error{Var: "OIDC_DEFAULT_ROLE", Value: cfg.OIDCDefaultRole, Want: "agent, superviseur, conseiller, evaluateur ou admin"}
	}
	o, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
		RedirectURL: redirect, Scopes: strings.Split(cfg.OIDCScopes, ","), OrgClaim: cfg.OIDCOrgClaim, OrgMap: orgMap,
		RoleClaim: cfg.OIDCRoleClaim, RoleMap: roleMap, DefaultRole: auth.Role(cfg.OIDCDefaultRole)})
	if err != nil {
		return nil, fmt.Errorf("fournisseur OpenID Connect %s : %w", cfg.OIDCIssuer, err)
	}
	return o, nil
}

// pairs parses "a=b,c=d" configuration values.
func pairs(name, s string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return nil, &config.Error{Var: name, Value: s, Want: "des paires valeur=cible séparées par des virgules"}
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

// services are the domain services a long-running process (serve, worker) builds once.
type services struct {
	filter   *pii.Filter
	searcher *search.Searcher
	model    llm.Client
	drafts   *draft.Service
	jobs     *jobs.Runner
}

// queryRewriter is the model query-rewriting step of the reviews' retrieval, used whenever a model is configured.
func queryRewriter(m llm.Client, filter *pii.Filter) *search.QueryRewriter {
	return &search.QueryRewriter{Model: m, Prompts: prompts.MustLoad(prompts.Current), Filter: filter}
}

// buildServices wires the pipeline from the configuration: filter, embedder and search, model client (none
// means the offline drafter), drafting, and the background jobs with their source and publisher.
func buildServices(ctx context.Context, a *app, st *store.Store, work bool) (*services, error) {
	s := &services{filter: pii.NewFilter(a.cfg.PIITimeout)}
	emb, err := embed.FromConfig(a.cfg)
	if err != nil {
		return nil, err
	}
	opts := search.Options{}
	if a.cfg.RerankBaseURL != "" {
		opts.Reranker = search.NewReranker(a.cfg.RerankBaseURL, a.cfg.RerankModel, a.cfg.RerankAPIKey)
	}
	if a.cfg.LLMBaseURL != "" {
		o := a.llmOptions(a.cfg.LLMBaseURL, a.cfg.LLMModel, a.cfg.LLMAPIKey, a.cfg.LLMConcurrency)
		o.Interactive = a.cfg.LLMInteractive
		m, err := llm.New(o)
		if err != nil {
			return nil, err
		}
		s.model = m
		opts.Rewriter = queryRewriter(m, s.filter)
	}
	s.searcher = search.New(st, emb, opts)
	if s.drafts, err = draft.New(draft.Options{Store: st, Searcher: s.searcher, Model: s.model,
		WriterOptions: ground.WriterOptions{Filter: s.filter, Log: a.log, Limits: a.cfg.PromptLimits}}); err != nil {
		return nil, err
	}
	if err := jobs.Migrate(ctx, st.Pool); err != nil {
		return nil, err
	}
	jo := jobs.Options{PollInterval: a.cfg.SPPPollInterval, RecentWindow: a.cfg.SPPRecheckWindow,
		DraftConcurrency: a.cfg.Workers, DraftTimeout: a.cfg.DraftTimeout, DraftRescueAfter: a.cfg.DraftRescueAfter,
		AwaitingInterval: a.cfg.AwaitingInterval, Log: a.log}
	if work {
		jo.Drafter = autoDrafter{s.drafts}
		jo.Purger = retention.New(st, s.filter, a.cfg.RetentionPeriod, a.cfg.ConversationRetention)
		if a.cfg.CorpusPath != "" {
			jo.Reindexer = corpusReindexer{st: st, emb: emb, format: a.cfg.CorpusFormat, path: a.cfg.CorpusPath, log: a.log}
			jo.ReindexInterval = a.cfg.CorpusReindexInterval
		}
		if a.cfg.SPPBaseURL != "" {
			if jo.Source, err = spp.New(spp.Options{BaseURL: a.cfg.SPPBaseURL, Dataset: a.cfg.SPPDataset,
				Organisations: splitList(a.cfg.SPPOrganisations), Log: a.log}); err != nil {
				return nil, err
			}
		}
		switch {
		case a.cfg.WebhookURL != "":
			if jo.Publisher, err = jobs.NewWebhookPublisher(jobs.WebhookOptions{URL: a.cfg.WebhookURL, Secret: a.cfg.WebhookSecret}); err != nil {
				return nil, err
			}
		case a.cfg.ExportPath != "":
			if jo.Publisher, err = jobs.NewExportPublisher(a.cfg.ExportPath); err != nil {
				return nil, err
			}
		}
	}
	if s.jobs, err = jobs.New(st, jo); err != nil {
		return nil, err
	}
	return s, nil
}

// autoDrafter lets the drafting job call the pipeline; AutoDraft makes a retried job harmless.
type autoDrafter struct{ d *draft.Service }

func (a autoDrafter) DraftReview(ctx context.Context, reviewID int64) error {
	// Automatic drafts leave the model's interactive share to agents (LLM_INTERACTIVE_CONCURRENCY).
	return a.d.AutoDraft(llm.Background(ctx), reviewID)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// llmOptions are the model client's options for a server, model and key: every client Plume builds (drafting,
// evaluation runs, judges) shares the configured timeouts and retries, so an evaluation measures what
// production does.
func (a *app) llmOptions(baseURL, model, apiKey string, concurrency int) llm.Options {
	retries := a.cfg.LLMMaxRetries
	if retries == 0 {
		retries = -1 // llm.Options reads 0 as its default; LLM_MAX_RETRIES=0 means none
	}
	return llm.Options{BaseURL: baseURL, Model: model, APIKey: apiKey, Timeout: a.cfg.LLMTimeout,
		IdleTimeout: a.cfg.LLMIdleTimeout, StreamTimeout: a.cfg.LLMStreamTimeout, Concurrency: max(concurrency, 1),
		MaxRetries: retries, Logger: a.log}
}

// corpusReindexer reloads the configured corpus (CORPUS_PATH) for the re-indexing job: unchanged passages keep
// their vectors, and a failed load leaves the previous corpus searchable.
type corpusReindexer struct {
	st           *store.Store
	emb          embed.Embedder
	format, path string
	log          *slog.Logger
}

func (r corpusReindexer) Reindex(ctx context.Context) error {
	src, err := openCorpus(r.format, r.path, "", corpus.Options{})
	if err != nil {
		return fmt.Errorf("réindexation : lecture de %s : %w", r.path, err)
	}
	// A load's statements may outlast PLUME_DB_STATEMENT_TIMEOUT, meant for requests.
	st, err := r.st.Unbounded(ctx, 2)
	if err != nil {
		return fmt.Errorf("réindexation de %s : %w", r.path, err)
	}
	defer st.Close()
	stats, err := (&search.Indexer{Store: st, Embedder: r.emb}).Load(ctx, src)
	if err != nil {
		return fmt.Errorf("réindexation de %s : %w", r.path, err)
	}
	r.log.Info("corpus réindexé", "documents", stats.Documents, "passages", stats.Chunks, "vectorisés", stats.ChunksEmbedded)
	return nil
}
