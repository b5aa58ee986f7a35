package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// execer runs a statement: a pool, a connection or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// EnsureJobIndexes creates the indexes Plume's own queries need on River's table (river_job belongs to River's
// migrations, which run after Plume's): finding the draft job of a review by its id. Running it again changes
// nothing.
func EnsureJobIndexes(ctx context.Context, db execer) error {
	if _, err := db.Exec(ctx, `CREATE INDEX IF NOT EXISTS plume_river_job_draft_review_idx
		ON river_job (((args->>'review_id')::bigint)) WHERE kind = 'draft_review'`); err != nil {
		return fmt.Errorf("store: job indexes: %w", err)
	}
	return nil
}

// RescueStuckJobs puts back in the queue the jobs of kind still running more than after since their attempt
// began, which only happens when their worker died (kill -9, lost connection): a live worker gives up at the job's
// timeout, shorter than after. A job out of attempts is discarded instead. It returns how many were rescued.
//
// River rescues stuck jobs too, but after one delay for every kind, which must exceed the longest job (an hour's
// re-indexing); drafts deserve minutes.
func (s *Store) RescueStuckJobs(ctx context.Context, kind string, after time.Duration) (int, error) {
	tag, err := s.Pool.Exec(ctx, `UPDATE river_job j SET
			state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'available' END::river_job_state,
			scheduled_at = now(),
			finalized_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END,
			errors = array_append(j.errors, jsonb_build_object('at', now(), 'attempt', j.attempt,
				'error', 'tâche reprise : son travailleur ne répond plus depuis ' || $2::text, 'trace', ''))
		WHERE j.id IN (SELECT id FROM river_job WHERE kind = $1 AND state = 'running'
			AND attempted_at < now() - make_interval(secs => $3) FOR UPDATE SKIP LOCKED)`,
		kind, after.String(), after.Seconds())
	if err != nil {
		return 0, fmt.Errorf("store: rescue stuck %s jobs: %w", kind, err)
	}
	return int(tag.RowsAffected()), nil
}

// ReviewsAwaitingDraft returns, by ascending id after afterID, up to limit new reviews that have neither a draft
// nor a drafting job (in any state River still keeps): those imported by file or stored while no worker ran.
func (s *Store) ReviewsAwaitingDraft(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, `SELECT r.id FROM reviews r
		WHERE r.status = 'nouveau' AND r.id > $1
			AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.review_id = r.id)
			AND NOT EXISTS (SELECT 1 FROM river_job j
				WHERE j.kind = 'draft_review' AND (j.args->>'review_id')::bigint = r.id)
		ORDER BY r.id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: reviews awaiting draft: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: reviews awaiting draft: %w", err)
	}
	return ids, nil
}

// CountJobs returns how many jobs of kind are in each state, for supervision.
func (s *Store) CountJobs(ctx context.Context, kind string) (map[string]int, error) {
	rows, err := s.Pool.Query(ctx, "SELECT state::text, count(*)::int FROM river_job WHERE kind = $1 GROUP BY state", kind)
	if err != nil {
		return nil, fmt.Errorf("store: count %s jobs: %w", kind, err)
	}
	out := map[string]int{}
	var st string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&st, &n}, func() error {
		out[st] = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: count %s jobs: %w", kind, err)
	}
	return out, nil
}

// SyncCommitTx makes tx's commit wait for the WAL to reach the disk, whatever the session's setting: with it,
// everything the session wrote before is durable too.
func SyncCommitTx(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit TO on"); err != nil {
		return fmt.Errorf("store: synchronous commit: %w", err)
	}
	return nil
}

// Unbounded opens a small second pool on the same database without statement timeout, for the long statements
// of bulk work (re-indexing the corpus); Close it after use.
func (s *Store) Unbounded(ctx context.Context, maxConns int32) (*Store, error) {
	cfg := s.Pool.Config()
	cfg.MaxConns = maxConns
	cfg.MinConns = 0
	delete(cfg.ConnConfig.RuntimeParams, "statement_timeout")
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: unbounded pool: %w", err)
	}
	return &Store{Pool: pool}, nil
}

// AsyncCommits opens a small second pool on the same database whose commits do not wait for the disk, for bulk
// writes whose durability a later synchronous commit (SyncCommitTx) guarantees; Close it after use.
func (s *Store) AsyncCommits(ctx context.Context, maxConns int32) (*Store, error) {
	cfg := s.Pool.Config()
	cfg.MaxConns = maxConns
	cfg.MinConns = 0
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: asynchronous pool: %w", err)
	}
	return &Store{Pool: pool}, nil
}
