package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ClosedReview is a review published or set aside, with what the statistics need: when it arrived, when its
// reply was acknowledged, the first model draft and the text published.
type ClosedReview struct {
	ID             int64        `db:"id"`
	Topic          string       `db:"topic"`
	Status         ReviewStatus `db:"status"`
	ArrivedAt      time.Time    `db:"arrived_at"`
	PublishedAt    *time.Time   `db:"published_at"` // nil when the reply was not published through Plume
	FirstDraft     *string      `db:"first_draft"`  // nil when no model or offline draft was written
	Published      string       `db:"published"`
	RejectedReason string       `db:"rejected_reason"`
	ClosedAt       time.Time    `db:"closed_at"`
}

// ClosedReviews returns an organisation's reviews (every organisation's when orgID is 0) published or set aside
// since the time, oldest first. Replies imported already published, with no publication through Plume, have no
// PublishedAt: they say nothing of the agents' response time.
func (s *Store) ClosedReviews(ctx context.Context, orgID int64, since time.Time) ([]ClosedReview, error) {
	rows, err := s.Pool.Query(ctx, `SELECT r.id, r.topic, r.status, r.created_at AS arrived_at, p.published_at,
			(SELECT d.text FROM drafts d WHERE d.review_id = r.id AND d.kind IN ('ia', 'offline') AND d.text <> ''
				ORDER BY d.version LIMIT 1) AS first_draft,
			coalesce(r.published_reply, '') AS published, coalesce(r.rejected_reason, '') AS rejected_reason,
			coalesce(p.published_at, r.updated_at) AS closed_at
		FROM reviews r
		LEFT JOIN LATERAL (SELECT min(pu.published_at) AS published_at FROM publications pu
			WHERE pu.review_id = r.id AND pu.status = 'publie') p ON true
		WHERE ($1 = 0 OR r.organisation_id = $1) AND r.status IN ('publie', 'ecarte')
			AND coalesce(p.published_at, r.updated_at) >= $2
		ORDER BY closed_at, r.id`, orgID, since)
	if err != nil {
		return nil, fmt.Errorf("store: closed reviews: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[ClosedReview])
	if err != nil {
		return nil, fmt.Errorf("store: closed reviews: %w", err)
	}
	return out, nil
}
