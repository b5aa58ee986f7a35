package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ReviewsAwaitingDraft returns the ids of up to limit new reviews that have no draft yet, oldest first: those
// imported by file or written before the workers ran, which the workers then queue.
func (s *Store) ReviewsAwaitingDraft(ctx context.Context, limit int) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, `SELECT r.id FROM reviews r
		WHERE r.status = 'nouveau' AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.review_id = r.id)
		ORDER BY r.written_at, r.id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: reviews awaiting draft: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: reviews awaiting draft: %w", err)
	}
	return ids, nil
}
