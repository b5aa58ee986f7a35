package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrCursorMoved is returned when a pull tries to advance a cursor another pull already moved: the later pull
// stops rather than store the same records twice.
var ErrCursorMoved = errors.New("le curseur de synchronisation a été avancé par une autre collecte")

// SyncCursor is where the pull of a source stopped.
type SyncCursor struct {
	Source    string    `db:"source"`
	Date      string    `db:"position_date"` // the source's order key of the last record stored, "" at the start
	ID        string    `db:"position_id"`
	Pulled    int64     `db:"pulled"` // records stored through this cursor, every pull together
	LastError string    `db:"last_error"`
	UpdatedAt time.Time `db:"updated_at"`
}

// SyncCursor returns the cursor of source; a source never pulled has the zero position.
func (s *Store) SyncCursor(ctx context.Context, source string) (SyncCursor, error) {
	rows, err := s.Pool.Query(ctx, `SELECT source, position_date, position_id, pulled, last_error, updated_at
		FROM sync_cursors WHERE source = $1`, source)
	if err != nil {
		return SyncCursor{}, fmt.Errorf("store: sync cursor %q: %w", source, err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SyncCursor])
	if errors.Is(err, pgx.ErrNoRows) {
		return SyncCursor{Source: source}, nil
	}
	if err != nil {
		return SyncCursor{}, fmt.Errorf("store: sync cursor %q: %w", source, err)
	}
	return c, nil
}

// AdvanceSyncCursorTx moves the cursor of source from (fromDate, fromID) to (toDate, toID) within tx, counting
// n more records; it returns ErrCursorMoved when the stored position is no longer the one the pull started from.
func (s *Store) AdvanceSyncCursorTx(ctx context.Context, tx pgx.Tx, source, fromDate, fromID, toDate, toID string, n int) error {
	if _, err := tx.Exec(ctx, `INSERT INTO sync_cursors (source) VALUES ($1) ON CONFLICT (source) DO NOTHING`, source); err != nil {
		return fmt.Errorf("store: advance sync cursor %q: %w", source, err)
	}
	tag, err := tx.Exec(ctx, `UPDATE sync_cursors SET position_date = $4, position_id = $5, pulled = pulled + $6,
			last_error = '', updated_at = now()
		WHERE source = $1 AND position_date = $2 AND position_id = $3`, source, fromDate, fromID, toDate, toID, n)
	if err != nil {
		return fmt.Errorf("store: advance sync cursor %q: %w", source, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("store: advance sync cursor %q: %w", source, ErrCursorMoved)
	}
	return nil
}

// NoteSyncError records why the last pull of source failed, for the supervision page; "" clears it.
func (s *Store) NoteSyncError(ctx context.Context, source, msg string) error {
	_, err := s.Pool.Exec(ctx, `INSERT INTO sync_cursors (source, last_error) VALUES ($1, $2)
		ON CONFLICT (source) DO UPDATE SET last_error = EXCLUDED.last_error, updated_at = now()`, source, msg)
	if err != nil {
		return fmt.Errorf("store: note sync error %q: %w", source, err)
	}
	return nil
}

// ReviewsAwaitingDraftTx returns, among the reviews of source with the given external ids, those still nouveau
// and without any draft: the ones a pull must have drafted.
func (s *Store) ReviewsAwaitingDraftTx(ctx context.Context, tx pgx.Tx, source string, externalIDs []string) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT r.id FROM reviews r
		WHERE r.source = $1 AND r.external_id = ANY($2) AND r.status = 'nouveau'
			AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.review_id = r.id)
		ORDER BY r.id`, source, externalIDs)
	if err != nil {
		return nil, fmt.Errorf("store: reviews awaiting draft: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: reviews awaiting draft: %w", err)
	}
	return ids, nil
}
