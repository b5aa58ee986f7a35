package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EvalRun is one evaluation run: a dataset through the pipeline under one configuration.
type EvalRun struct {
	ID            int64           `db:"id"`
	Name          string          `db:"name"`
	Kind          string          `db:"kind"` // reviews or questions
	Dataset       string          `db:"dataset"`
	DatasetDigest string          `db:"dataset_digest"`
	ItemCount     int             `db:"item_count"`
	Config        json.RawMessage `db:"config"`
	GitCommit     string          `db:"git_commit"`
	StartedAt     time.Time       `db:"started_at"`
	FinishedAt    *time.Time      `db:"finished_at"`
	Done          int             `db:"done"` // items stored so far
	CreatedAt     time.Time       `db:"created_at"`
}

const evalRunSelect = `SELECT r.id, r.name, r.kind, r.dataset, r.dataset_digest, r.item_count, r.config, r.git_commit,
	r.started_at, r.finished_at, (SELECT count(*) FROM eval_items i WHERE i.run_id = r.id)::int AS done, r.created_at
	FROM eval_runs r`

// CreateEvalRun stores a new run and returns it; ID, timestamps and Done of run are ignored.
func (s *Store) CreateEvalRun(ctx context.Context, run EvalRun) (EvalRun, error) {
	cfg := run.Config
	if len(cfg) == 0 {
		cfg = json.RawMessage("{}")
	}
	var id int64
	err := s.Pool.QueryRow(ctx, `INSERT INTO eval_runs (name, kind, dataset, dataset_digest, item_count, config, git_commit)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING id`,
		run.Name, run.Kind, run.Dataset, run.DatasetDigest, run.ItemCount, string(cfg), run.GitCommit).Scan(&id)
	if err != nil {
		return EvalRun{}, fmt.Errorf("store: create eval run: %w", err)
	}
	return s.GetEvalRun(ctx, id)
}

// GetEvalRun returns the run with id, or ErrNotFound.
func (s *Store) GetEvalRun(ctx context.Context, id int64) (EvalRun, error) {
	return getOne[EvalRun](ctx, s.Pool, fmt.Sprintf("eval run %d", id), evalRunSelect+" WHERE r.id = $1", id)
}

// ListEvalRuns returns the latest runs, newest first, at most limit of them.
func (s *Store) ListEvalRuns(ctx context.Context, limit int) ([]EvalRun, error) {
	rows, err := s.Pool.Query(ctx, evalRunSelect+" ORDER BY r.id DESC LIMIT $1", limit)
	if err != nil {
		return nil, fmt.Errorf("store: list eval runs: %w", err)
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[EvalRun])
	if err != nil {
		return nil, fmt.Errorf("store: list eval runs: %w", err)
	}
	return rs, nil
}

// RestartEvalRun clears the end time of a run that is resumed, so it reads as in progress again.
func (s *Store) RestartEvalRun(ctx context.Context, id int64) error {
	tag, err := s.Pool.Exec(ctx, "UPDATE eval_runs SET finished_at = NULL WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("store: restart eval run %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: restart eval run %d: %w", id, ErrNotFound)
	}
	return nil
}

// FinishEvalRun records that every item of a run is stored.
func (s *Store) FinishEvalRun(ctx context.Context, id int64) error {
	tag, err := s.Pool.Exec(ctx, "UPDATE eval_runs SET finished_at = now() WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("store: finish eval run %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: finish eval run %d: %w", id, ErrNotFound)
	}
	return nil
}

// EvalItem is the result of one dataset item in a run.
type EvalItem struct {
	ID               int64              `db:"id"`
	RunID            int64              `db:"run_id"`
	ItemID           string             `db:"item_id"`
	Position         int                `db:"position"`
	Output           string             `db:"output"`
	Metrics          map[string]float64 `db:"metrics"`
	Judge            json.RawMessage    `db:"judge"`
	TimingsMS        map[string]float64 `db:"timings_ms"`
	PromptTokens     int                `db:"prompt_tokens"`
	CompletionTokens int                `db:"completion_tokens"`
	Cost             float64            `db:"cost"`
	LatencyMS        float64            `db:"latency_ms"`
	Details          json.RawMessage    `db:"details"`
	Error            string             `db:"error"`
	CreatedAt        time.Time          `db:"created_at"`
}

const evalItemColumns = `id, run_id, item_id, position, output, metrics, judge, timings_ms, prompt_tokens,
	completion_tokens, cost, latency_ms, details, error, created_at`

// AddEvalItem stores one item's result and reports whether it was stored: an item already stored for the run
// is left as it was, so a resumed run or a retried item never overwrites nor duplicates a result.
func (s *Store) AddEvalItem(ctx context.Context, it EvalItem) (bool, error) {
	metrics := it.Metrics
	if metrics == nil {
		metrics = map[string]float64{}
	}
	tag, err := s.Pool.Exec(ctx, `INSERT INTO eval_items (run_id, item_id, position, output, metrics, judge, timings_ms,
			prompt_tokens, completion_tokens, cost, latency_ms, details, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (run_id, item_id) DO NOTHING`,
		it.RunID, it.ItemID, it.Position, it.Output, metrics, jsonArg(it.Judge), it.TimingsMS,
		it.PromptTokens, it.CompletionTokens, it.Cost, it.LatencyMS, jsonArg(it.Details), it.Error)
	if err != nil {
		return false, fmt.Errorf("store: add eval item %s of run %d: %w", it.ItemID, it.RunID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// EvalItemIDs returns the ids of the items a run has stored, for resuming it.
func (s *Store) EvalItemIDs(ctx context.Context, runID int64) (map[string]bool, error) {
	rows, err := s.Pool.Query(ctx, "SELECT item_id FROM eval_items WHERE run_id = $1", runID)
	if err != nil {
		return nil, fmt.Errorf("store: eval items of run %d: %w", runID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: eval items of run %d: %w", runID, err)
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m, nil
}

// ListEvalItems returns a run's items in dataset order.
func (s *Store) ListEvalItems(ctx context.Context, runID int64) ([]EvalItem, error) {
	rows, err := s.Pool.Query(ctx, "SELECT "+evalItemColumns+" FROM eval_items WHERE run_id = $1 ORDER BY position, item_id", runID)
	if err != nil {
		return nil, fmt.Errorf("store: eval items of run %d: %w", runID, err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[EvalItem])
	if err != nil {
		return nil, fmt.Errorf("store: eval items of run %d: %w", runID, err)
	}
	return items, nil
}

// ApprovedExport is a reply published through Plume with the review it answers and the machine draft the agent started from.
type ApprovedExport struct {
	ReviewID         int64     `db:"review_id"`
	Source           string    `db:"source"`
	ExternalID       string    `db:"external_id"`
	OrganisationName string    `db:"organisation_name"`
	Title            string    `db:"title"`
	Body             string    `db:"body"`
	Feeling          string    `db:"feeling"`
	Published        string    `db:"published"`
	AIDraft          string    `db:"ai_draft"`
	AIKind           string    `db:"ai_kind"` // ia or offline; empty when the agent wrote from scratch
	Edits            int       `db:"edits"`   // agent edits between the machine draft and the publication
	PublishedAt      time.Time `db:"published_at"`
}

// ApprovedExports returns every review whose reply was published through Plume (a draft of kind publie), with
// the last machine draft before it and how many times an agent edited it, oldest publication first.
func (s *Store) ApprovedExports(ctx context.Context) ([]ApprovedExport, error) {
	rows, err := s.Pool.Query(ctx, `SELECT r.id AS review_id, r.source, r.external_id, o.name AS organisation_name,
			r.title, r.body, r.feeling, p.text AS published,
			coalesce(a.text, '') AS ai_draft, coalesce(a.kind, '') AS ai_kind,
			(SELECT count(*) FROM drafts e WHERE e.review_id = r.id AND e.kind = 'edition' AND e.version < p.version)::int AS edits,
			p.created_at AS published_at
		FROM reviews r
		JOIN organisations o ON o.id = r.organisation_id
		JOIN LATERAL (SELECT d.version, d.text, d.created_at FROM drafts d
			WHERE d.review_id = r.id AND d.kind = 'publie' AND d.text <> '' ORDER BY d.version DESC LIMIT 1) p ON true
		LEFT JOIN LATERAL (SELECT d.text, d.kind FROM drafts d
			WHERE d.review_id = r.id AND d.kind IN ('ia', 'offline') AND d.version < p.version AND d.text <> ''
			ORDER BY d.version DESC LIMIT 1) a ON true
		ORDER BY p.created_at, r.id`)
	if err != nil {
		return nil, fmt.Errorf("store: approved replies: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[ApprovedExport])
	if err != nil {
		return nil, fmt.Errorf("store: approved replies: %w", err)
	}
	return out, nil
}
