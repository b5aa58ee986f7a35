// Package config reads Plume's configuration from environment variables, once, at start-up.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plume-services/plume/internal/budget"
)

// DefaultDatabaseURL is used when DATABASE_URL is not set: the local server of a development machine.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Config is the validated configuration of every Plume subcommand.
type Config struct {
	DatabaseURL string        // DATABASE_URL
	Addr        string        // PLUME_ADDR
	BaseURL     string        // PLUME_BASE_URL, the public URL of the web UI
	LogLevel    slog.Level    // PLUME_LOG_LEVEL
	LogFormat   string        // PLUME_LOG_FORMAT: text or json
	BodyLimit   int64         // PLUME_BODY_LIMIT in bytes
	ReadTimeout time.Duration // PLUME_READ_TIMEOUT
	// WriteTimeout bounds ordinary responses; streaming handlers extend their own deadline.
	WriteTimeout    time.Duration // PLUME_WRITE_TIMEOUT
	ShutdownTimeout time.Duration // PLUME_SHUTDOWN_TIMEOUT

	LLMBaseURL       string        // LLM_BASE_URL; empty means the offline drafter
	LLMModel         string        // LLM_MODEL
	LLMAPIKey        string        // LLM_API_KEY (secret)
	LLMTimeout       time.Duration // LLM_TIMEOUT
	LLMConcurrency   int           // LLM_CONCURRENCY
	LLMMaxRetries    int           // LLM_MAX_RETRIES after a first failed attempt
	LLMIdleTimeout   time.Duration // LLM_IDLE_TIMEOUT, longest silence inside a stream
	LLMStreamTimeout time.Duration // LLM_STREAM_TIMEOUT, a whole stream
	// LLMInteractive is the share of LLM_CONCURRENCY kept for agents and advisers: background drafts never
	// hold more than LLM_CONCURRENCY minus it (LLM_INTERACTIVE_CONCURRENCY).
	LLMInteractive int
	// JudgeAPIKey is the evaluation judge's key; empty: LLM_API_KEY, the judge usually being the same server.
	JudgeAPIKey string // JUDGE_API_KEY (secret)

	EmbedBaseURL string // EMBED_BASE_URL; empty means the built-in local embedder
	EmbedModel   string // EMBED_MODEL
	EmbedAPIKey  string // EMBED_API_KEY (secret)
	EmbedDim     int    // EMBED_DIM, the dimension of the vectors stored

	CorpusPath            string        // CORPUS_PATH, the corpus the re-indexing job reloads; empty: no job
	CorpusFormat          string        // CORPUS_FORMAT: vdd, xml or dir
	CorpusReindexInterval time.Duration // CORPUS_REINDEX_INTERVAL between scheduled re-indexings

	RerankBaseURL string // RERANK_BASE_URL; empty disables reranking
	RerankModel   string // RERANK_MODEL
	RerankAPIKey  string // RERANK_API_KEY (secret), the reranking server's own key

	PIITimeout time.Duration // PII_TIMEOUT, after which the filter fails closed

	SessionSecret    string        // PLUME_SESSION_SECRET (secret)
	SecureCookies    bool          // PLUME_SECURE_COOKIES
	SessionTTL       time.Duration // PLUME_SESSION_TTL, idle lifetime of a session
	SessionMaxAge    time.Duration // PLUME_SESSION_MAX_AGE, hard cap after sign-in
	LoginMaxFailures int           // PLUME_LOGIN_MAX_FAILURES before an account is locked
	LoginLockout     time.Duration // PLUME_LOGIN_LOCKOUT
	RetentionPeriod  time.Duration // PLUME_RETENTION, after which published or set-aside citizen texts are purged
	// ConversationRetention is PLUME_CONVERSATION_RETENTION, after which an idle assistant conversation is deleted.
	ConversationRetention time.Duration
	DraftRatePerMin       int // PLUME_DRAFT_RATE, drafts and answers one signed-in user may request per minute
	TokenRatePerMin       int // PLUME_TOKEN_RATE, drafts and answers one API token may request per minute
	LoginRatePerMin       int // PLUME_LOGIN_RATE, login attempts per minute from one address
	TargetDays            int // PLUME_TARGET_DAYS, the delay within which a review should be answered (inbox)

	OIDCIssuer       string // OIDC_ISSUER; empty disables OpenID Connect
	OIDCClientID     string // OIDC_CLIENT_ID
	OIDCClientSecret string // OIDC_CLIENT_SECRET (secret)
	OIDCRedirectURL  string // OIDC_REDIRECT_URL; default PLUME_BASE_URL + /auth/callback
	OIDCScopes       string // OIDC_SCOPES, comma-separated
	OIDCOrgClaim     string // OIDC_ORG_CLAIM, e.g. siret for ProConnect
	OIDCOrgMap       string // OIDC_ORG_MAP, value=slug,…
	OIDCRoleClaim    string // OIDC_ROLE_CLAIM
	OIDCRoleMap      string // OIDC_ROLE_MAP, value=role,…
	OIDCDefaultRole  string // OIDC_DEFAULT_ROLE; empty refuses users without a mapped role

	SPPBaseURL       string        // SPP_BASE_URL, the Opendatasoft portal; empty disables pulling
	SPPDataset       string        // SPP_DATASET
	SPPOrganisations string        // SPP_ORGANISATIONS, comma-separated scope of what is pulled
	SPPPollInterval  time.Duration // SPP_POLL_INTERVAL
	WebhookURL       string        // PUBLISH_WEBHOOK_URL; replies are POSTed there when set
	WebhookSecret    string        // PUBLISH_WEBHOOK_SECRET (secret), HMAC key of the webhook
	ExportPath       string        // PUBLISH_EXPORT_PATH, JSON lines file of approved replies
	SPPRecheckWindow time.Duration // SPP_RECHECK_WINDOW, how far before the cursor each pull reads again
	Workers          int           // PLUME_WORKERS, jobs run at once by one process

	DraftTimeout       time.Duration // PLUME_DRAFT_TIMEOUT, one automatic draft
	DraftRescueAfter   time.Duration // PLUME_DRAFT_RESCUE_AFTER, when a draft whose worker died is run again
	AwaitingInterval   time.Duration // PLUME_AWAITING_INTERVAL between passes that queue undrafted reviews
	DBMaxConns         int           // PLUME_DB_MAX_CONNS, connections of the pool
	DBConnectTimeout   time.Duration // PLUME_DB_CONNECT_TIMEOUT, opening one connection
	DBStatementTimeout time.Duration // PLUME_DB_STATEMENT_TIMEOUT, one SQL statement (server side)

	// PromptLimits bound what a person's text may weigh in a prompt: PLUME_MAX_{REVIEW,INSTRUCTION,TURN,HISTORY}
	// _{CHARS,TOKENS}.
	PromptLimits budget.Limits
}

// Error names the variable at fault and what was expected of it.
type Error struct {
	Var, Value, Want string
	secret           bool
}

func (e *Error) Error() string {
	v := e.Value
	if e.secret {
		v = "•••"
	}
	return fmt.Sprintf("configuration : %s=%q invalide : %s", e.Var, v, e.Want)
}

// Load reads the configuration through getenv (os.Getenv in production) and validates every value.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{
		DatabaseURL:           p.str("DATABASE_URL", DefaultDatabaseURL),
		Addr:                  p.str("PLUME_ADDR", "127.0.0.1:8080"),
		BaseURL:               p.str("PLUME_BASE_URL", ""),
		LogFormat:             p.str("PLUME_LOG_FORMAT", "text"),
		BodyLimit:             int64(p.integer("PLUME_BODY_LIMIT", 4<<20, 1024, 1<<30)),
		ReadTimeout:           p.duration("PLUME_READ_TIMEOUT", 15*time.Second),
		WriteTimeout:          p.duration("PLUME_WRITE_TIMEOUT", 60*time.Second),
		ShutdownTimeout:       p.duration("PLUME_SHUTDOWN_TIMEOUT", 30*time.Second),
		LLMBaseURL:            p.str("LLM_BASE_URL", ""),
		LLMModel:              p.str("LLM_MODEL", ""),
		LLMAPIKey:             p.str("LLM_API_KEY", ""),
		LLMTimeout:            p.duration("LLM_TIMEOUT", 60*time.Second),
		LLMConcurrency:        p.integer("LLM_CONCURRENCY", 8, 1, 1024),
		LLMMaxRetries:         p.integer("LLM_MAX_RETRIES", 2, 0, 20),
		LLMIdleTimeout:        p.duration("LLM_IDLE_TIMEOUT", 15*time.Second),
		LLMStreamTimeout:      p.duration("LLM_STREAM_TIMEOUT", 5*time.Minute),
		LLMInteractive:        p.integer("LLM_INTERACTIVE_CONCURRENCY", 2, 0, 1024),
		JudgeAPIKey:           p.str("JUDGE_API_KEY", ""),
		EmbedBaseURL:          p.str("EMBED_BASE_URL", ""),
		EmbedModel:            p.str("EMBED_MODEL", ""),
		EmbedAPIKey:           p.str("EMBED_API_KEY", ""),
		EmbedDim:              p.integer("EMBED_DIM", 384, 8, 4096),
		CorpusPath:            p.str("CORPUS_PATH", ""),
		CorpusFormat:          p.str("CORPUS_FORMAT", "vdd"),
		CorpusReindexInterval: p.duration("CORPUS_REINDEX_INTERVAL", 24*time.Hour),
		RerankBaseURL:         p.str("RERANK_BASE_URL", ""),
		RerankModel:           p.str("RERANK_MODEL", ""),
		RerankAPIKey:          p.str("RERANK_API_KEY", ""),
		PIITimeout:            p.duration("PII_TIMEOUT", 2*time.Second),
		SessionSecret:         p.str("PLUME_SESSION_SECRET", ""),
		SecureCookies:         p.boolean("PLUME_SECURE_COOKIES", false),
		SessionTTL:            p.duration("PLUME_SESSION_TTL", 2*time.Hour),
		SessionMaxAge:         p.duration("PLUME_SESSION_MAX_AGE", 12*time.Hour),
		LoginMaxFailures:      p.integer("PLUME_LOGIN_MAX_FAILURES", 5, 1, 100),
		LoginLockout:          p.duration("PLUME_LOGIN_LOCKOUT", 15*time.Minute),
		RetentionPeriod:       p.duration("PLUME_RETENTION", 365*24*time.Hour),
		ConversationRetention: p.duration("PLUME_CONVERSATION_RETENTION", 90*24*time.Hour),
		DraftRatePerMin:       p.integer("PLUME_DRAFT_RATE", 30, 1, 100000),
		TokenRatePerMin:       p.integer("PLUME_TOKEN_RATE", 300, 1, 1000000),
		LoginRatePerMin:       p.integer("PLUME_LOGIN_RATE", 10, 1, 100000),
		TargetDays:            p.integer("PLUME_TARGET_DAYS", 7, 1, 365),
		OIDCIssuer:            p.str("OIDC_ISSUER", ""),
		OIDCClientID:          p.str("OIDC_CLIENT_ID", ""),
		OIDCClientSecret:      p.str("OIDC_CLIENT_SECRET", ""),
		OIDCRedirectURL:       p.str("OIDC_REDIRECT_URL", ""),
		OIDCScopes:            p.str("OIDC_SCOPES", "openid,email,profile"),
		OIDCOrgClaim:          p.str("OIDC_ORG_CLAIM", "organisation"),
		OIDCOrgMap:            p.str("OIDC_ORG_MAP", ""),
		OIDCRoleClaim:         p.str("OIDC_ROLE_CLAIM", "groups"),
		OIDCRoleMap:           p.str("OIDC_ROLE_MAP", ""),
		OIDCDefaultRole:       p.str("OIDC_DEFAULT_ROLE", ""),
		SPPBaseURL:            p.str("SPP_BASE_URL", ""),
		SPPDataset:            p.str("SPP_DATASET", "export-expa-c-riences"),
		SPPOrganisations:      p.str("SPP_ORGANISATIONS", ""),
		SPPPollInterval:       p.duration("SPP_POLL_INTERVAL", 15*time.Minute),
		WebhookURL:            p.str("PUBLISH_WEBHOOK_URL", ""),
		WebhookSecret:         p.str("PUBLISH_WEBHOOK_SECRET", ""),
		ExportPath:            p.str("PUBLISH_EXPORT_PATH", ""),
		SPPRecheckWindow:      p.duration("SPP_RECHECK_WINDOW", 30*24*time.Hour),
		Workers:               p.integer("PLUME_WORKERS", 8, 1, 1000),
		DraftTimeout:          p.duration("PLUME_DRAFT_TIMEOUT", 3*time.Minute),
		DraftRescueAfter:      p.duration("PLUME_DRAFT_RESCUE_AFTER", 5*time.Minute),
		AwaitingInterval:      p.duration("PLUME_AWAITING_INTERVAL", time.Minute),
		DBMaxConns:            p.integer("PLUME_DB_MAX_CONNS", 20, 2, 1000),
		DBConnectTimeout:      p.duration("PLUME_DB_CONNECT_TIMEOUT", 5*time.Second),
		DBStatementTimeout:    p.duration("PLUME_DB_STATEMENT_TIMEOUT", 30*time.Second),
	}
	d := budget.Default
	c.PromptLimits = budget.Limits{
		Review:      budget.Limit{Chars: p.integer("PLUME_MAX_REVIEW_CHARS", d.Review.Chars, 500, 1000000), Tokens: p.integer("PLUME_MAX_REVIEW_TOKENS", d.Review.Tokens, 100, 250000)},
		Instruction: budget.Limit{Chars: p.integer("PLUME_MAX_INSTRUCTION_CHARS", d.Instruction.Chars, 20, 100000), Tokens: p.integer("PLUME_MAX_INSTRUCTION_TOKENS", d.Instruction.Tokens, 5, 25000)},
		Turn:        budget.Limit{Chars: p.integer("PLUME_MAX_TURN_CHARS", d.Turn.Chars, 100, 1000000), Tokens: p.integer("PLUME_MAX_TURN_TOKENS", d.Turn.Tokens, 25, 250000)},
		History:     budget.Limit{Chars: p.integer("PLUME_MAX_HISTORY_CHARS", d.History.Chars, 100, 4000000), Tokens: p.integer("PLUME_MAX_HISTORY_TOKENS", d.History.Tokens, 25, 1000000)},
	}
	c.LogLevel = p.level("PLUME_LOG_LEVEL")
	if p.err != nil {
		return Config{}, p.err
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c Config) validate() error {
	if _, err := pgxpool.ParseConfig(c.DatabaseURL); err != nil {
		return &Error{Var: "DATABASE_URL", Value: redactURL(c.DatabaseURL), Want: "une URL PostgreSQL, par exemple postgres://utilisateur@hôte:5432/base"}
	}
	if err := checkAddr(c.Addr); err != nil {
		return &Error{Var: "PLUME_ADDR", Value: c.Addr, Want: "hôte:port, par exemple 127.0.0.1:8080 ou :8080 (" + err.Error() + ")"}
	}
	if c.CorpusFormat != "vdd" && c.CorpusFormat != "xml" && c.CorpusFormat != "dir" {
		return &Error{Var: "CORPUS_FORMAT", Value: c.CorpusFormat, Want: "vdd, xml ou dir"}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return &Error{Var: "PLUME_LOG_FORMAT", Value: c.LogFormat, Want: "text ou json"}
	}
	for _, u := range []struct{ name, value string }{
		{"PLUME_BASE_URL", c.BaseURL}, {"LLM_BASE_URL", c.LLMBaseURL},
		{"EMBED_BASE_URL", c.EmbedBaseURL}, {"RERANK_BASE_URL", c.RerankBaseURL},
		{"OIDC_ISSUER", c.OIDCIssuer}, {"OIDC_REDIRECT_URL", c.OIDCRedirectURL}, {"SPP_BASE_URL", c.SPPBaseURL},
		{"PUBLISH_WEBHOOK_URL", c.WebhookURL},
	} {
		if u.value == "" {
			continue
		}
		if err := checkHTTPURL(u.value); err != nil {
			return &Error{Var: u.name, Value: u.value, Want: "une URL http(s) absolue, par exemple http://127.0.0.1:8000/v1 (" + err.Error() + ")"}
		}
	}
	if c.LLMBaseURL != "" && c.LLMModel == "" {
		return &Error{Var: "LLM_MODEL", Value: "", Want: "le nom du modèle, obligatoire quand LLM_BASE_URL est défini"}
	}
	if c.EmbedBaseURL != "" && c.EmbedModel == "" {
		return &Error{Var: "EMBED_MODEL", Value: "", Want: "le nom du modèle d'embeddings, obligatoire quand EMBED_BASE_URL est défini"}
	}
	if c.OIDCIssuer != "" && c.OIDCClientID == "" {
		return &Error{Var: "OIDC_CLIENT_ID", Value: "", Want: "l'identifiant client, obligatoire quand OIDC_ISSUER est défini"}
	}
	if c.OIDCIssuer != "" && c.OIDCRedirectURL == "" && c.BaseURL == "" {
		return &Error{Var: "OIDC_REDIRECT_URL", Value: "", Want: "l'URL de retour, ou PLUME_BASE_URL dont elle se déduit"}
	}
	if c.WebhookURL != "" && len(c.WebhookSecret) < 32 {
		return &Error{Var: "PUBLISH_WEBHOOK_SECRET", Value: c.WebhookSecret, Want: "au moins 32 caractères, obligatoire avec PUBLISH_WEBHOOK_URL", secret: true}
	}
	if c.DraftRescueAfter <= c.DraftTimeout {
		return &Error{Var: "PLUME_DRAFT_RESCUE_AFTER", Value: c.DraftRescueAfter.String(), Want: "une durée plus longue que PLUME_DRAFT_TIMEOUT (" + c.DraftTimeout.String() + ")"}
	}
	if c.SessionSecret != "" && len(c.SessionSecret) < 32 {
		return &Error{Var: "PLUME_SESSION_SECRET", Value: c.SessionSecret, Want: "au moins 32 caractères", secret: true}
	}
	return nil
}

// LogValue keeps secrets out of logs whatever handler prints the configuration.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("database_url", redactURL(c.DatabaseURL)),
		slog.String("addr", c.Addr),
		slog.String("llm_base_url", c.LLMBaseURL),
		slog.String("llm_model", c.LLMModel),
		slog.Bool("llm_api_key_set", c.LLMAPIKey != ""),
		slog.Bool("judge_api_key_set", c.JudgeAPIKey != ""),
		slog.String("embed_base_url", c.EmbedBaseURL),
		slog.String("embed_model", c.EmbedModel),
		slog.Int("embed_dim", c.EmbedDim),
		slog.Bool("embed_api_key_set", c.EmbedAPIKey != ""),
		slog.Bool("rerank_api_key_set", c.RerankAPIKey != ""),
		slog.String("rerank_base_url", c.RerankBaseURL),
		slog.String("oidc_issuer", c.OIDCIssuer),
		slog.Bool("oidc_client_secret_set", c.OIDCClientSecret != ""),
		slog.String("spp_base_url", c.SPPBaseURL),
		slog.String("publish_webhook_url", c.WebhookURL),
		slog.Bool("publish_webhook_secret_set", c.WebhookSecret != ""),
	)
}

// redactURL hides the password of a connection URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("forme hôte:port attendue")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return errors.New("port entre 0 et 65535 attendu")
	}
	if strings.ContainsAny(host, " /") {
		return errors.New("hôte invalide")
	}
	return nil
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("schéma http ou https attendu")
	}
	if u.Host == "" {
		return errors.New("hôte manquant")
	}
	return nil
}

// parser collects the first error so Load reads like a table.
type parser struct {
	getenv func(string) string
	err    error
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) integer(name string, def, lo, hi int) int {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(&Error{Var: name, Value: v, Want: fmt.Sprintf("un entier entre %d et %d", lo, hi)})
		return def
	}
	return n
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(&Error{Var: name, Value: v, Want: "une durée positive, par exemple 30s ou 2m"})
		return def
	}
	return d
}

func (p *parser) boolean(name string, def bool) bool {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(&Error{Var: name, Value: v, Want: "true ou false"})
		return def
	}
	return b
}

func (p *parser) level(name string) slog.Level {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return slog.LevelInfo
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.fail(&Error{Var: name, Value: v, Want: "debug, info, warn ou error"})
	}
	return l
}

func (p *parser) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}
