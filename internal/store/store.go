// Package store holds Plume's PostgreSQL access: the connection pool, the migrations and one file of queries per table.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// ErrNotFound is returned when a row asked for by its key does not exist.
var ErrNotFound = errors.New("introuvable")

// Store is Plume's access to PostgreSQL; its methods are grouped by table, one file each.
type Store struct {
	Pool *pgxpool.Pool
}

// PoolOptions bound the pool's connections; zero values keep pgx's and PostgreSQL's defaults.
type PoolOptions struct {
	MaxConns         int           // PLUME_DB_MAX_CONNS
	ConnectTimeout   time.Duration // PLUME_DB_CONNECT_TIMEOUT: a dead or black-holed server fails fast
	StatementTimeout time.Duration // PLUME_DB_STATEMENT_TIMEOUT: no statement holds a request longer
}

// OpenPool connects to the database at url with the pool's size and timeouts, checks it answers, and registers the
// pgvector types on every connection. The schema must already carry the vector extension: run Migrate first.
func OpenPool(ctx context.Context, url string, o PoolOptions) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse url: %w", err)
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		return pgxvec.RegisterTypes(ctx, conn)
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	if o.MaxConns > 0 {
		cfg.MaxConns = int32(o.MaxConns)
	}
	if o.ConnectTimeout > 0 {
		cfg.ConnConfig.ConnectTimeout = o.ConnectTimeout
	}
	// JIT compilation pays for analytic queries over millions of rows; Plume's largest (the statistics of 100,000
	// reviews) spent 80 of its 280 ms compiling.
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	if o.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(o.StatementTimeout.Milliseconds())
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, connectError(url, err)
	}
	return &Store{Pool: pool}, nil
}

// Close releases every connection.
func (s *Store) Close() { s.Pool.Close() }

// Ready reports whether the database answers and its schema carries every migration this binary embeds.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Pool.Ping(ctx); err != nil {
		return fmt.Errorf("base de données injoignable : %w", err)
	}
	applied, err := appliedVersions(ctx, s.Pool)
	if err != nil {
		return fmt.Errorf("lecture des migrations : %w", err)
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !applied[m.Version] {
			return fmt.Errorf("migration %03d_%s non appliquée", m.Version, m.Name)
		}
	}
	return nil
}

// InTx runs fn in a transaction, committed when fn returns nil and rolled back otherwise: for writes that must
// commit with others (a review and its drafting job).
func (s *Store) InTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.Pool, fn)
}

// ConnectError reports a database that cannot be reached, in one line: pgx lists every address it tried on
// separate lines, which is noise in a start-up error.
type ConnectError struct {
	Target string // host:port/database, without credentials
	Err    error
}

func (e *ConnectError) Error() string {
	msg := e.Err.Error()
	if i := strings.LastIndex(msg, "\n"); i >= 0 {
		msg = strings.TrimSpace(msg[i+1:])
	}
	// The tail of pgx's message names the cause ("connection refused", "database … does not exist").
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg, "dial") {
		msg = msg[i+2:]
	}
	return fmt.Sprintf("base de données injoignable (%s) : %s", e.Target, msg)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// connectError wraps err with the target named in url.
func connectError(url string, err error) error {
	target := "DATABASE_URL"
	if cfg, perr := pgx.ParseConfig(url); perr == nil {
		target = fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	}
	return &ConnectError{Target: target, Err: err}
}

// getOne runs a query that selects at most one row into a T by column name; no row is ErrNotFound, and errors
// carry what, e.g. "draft 12".
func getOne[T any](ctx context.Context, q querier, what, sql string, args ...any) (T, error) {
	var zero T
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return zero, fmt.Errorf("store: %s: %w", what, err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	if errors.Is(err, pgx.ErrNoRows) {
		return zero, fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return zero, fmt.Errorf("store: %s: %w", what, err)
	}
	return v, nil
}
