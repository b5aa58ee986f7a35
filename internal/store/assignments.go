package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Assignment is the colleague who took a review to answer it.
type Assignment struct {
	ReviewID   int64     `db:"review_id"`
	UserID     int64     `db:"user_id"`
	Email      string    `db:"email"`
	Name       string    `db:"name"`
	AssignedAt time.Time `db:"assigned_at"`
}

// ErrAssignedElsewhere is returned when a colleague holds the review: they took it first, or hold it still.
var ErrAssignedElsewhere = errors.New("store: review assigned to a colleague")

const assignmentSelect = `SELECT a.review_id, a.user_id, u.email, u.name, a.assigned_at
	FROM review_assignments a JOIN users u ON u.id = a.user_id`

// AssignReview gives the review to userID. When a colleague holds it already, it returns their assignment and
// ErrAssignedElsewhere; taking again a review one holds changes nothing.
func (s *Store) AssignReview(ctx context.Context, reviewID, userID int64) (Assignment, error) {
	if _, err := s.Pool.Exec(ctx, `INSERT INTO review_assignments (review_id, user_id) VALUES ($1, $2)
		ON CONFLICT (review_id) DO NOTHING`, reviewID, userID); err != nil {
		return Assignment{}, fmt.Errorf("store: assign review %d: %w", reviewID, err)
	}
	a, err := s.ReviewAssignment(ctx, reviewID)
	if err != nil {
		return a, err // released by its holder in between: the caller may try again
	}
	if a.UserID != userID {
		return a, ErrAssignedElsewhere
	}
	return a, nil
}

// ReleaseReview frees the review userID holds. A colleague's assignment is released only with anyone (a
// supervisor's choice); otherwise it is returned with ErrAssignedElsewhere. A review no one holds stays free.
func (s *Store) ReleaseReview(ctx context.Context, reviewID, userID int64, anyone bool) (Assignment, error) {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM review_assignments WHERE review_id = $1 AND (user_id = $2 OR $3)`, reviewID, userID, anyone)
	if err != nil {
		return Assignment{}, fmt.Errorf("store: release review %d: %w", reviewID, err)
	}
	if tag.RowsAffected() > 0 {
		return Assignment{}, nil
	}
	a, err := s.ReviewAssignment(ctx, reviewID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Assignment{}, nil
	case err != nil:
		return a, err
	}
	return a, ErrAssignedElsewhere
}

// ReviewAssignment returns who holds the review; ErrNotFound when no one does.
func (s *Store) ReviewAssignment(ctx context.Context, reviewID int64) (Assignment, error) {
	rows, err := s.Pool.Query(ctx, assignmentSelect+` WHERE a.review_id = $1`, reviewID)
	if err != nil {
		return Assignment{}, fmt.Errorf("store: assignment of review %d: %w", reviewID, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Assignment])
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("store: assignment of review %d: %w", reviewID, err)
	}
	return a, nil
}

// Assignments returns who holds each of the reviews, by review id; reviews no one holds are absent.
func (s *Store) Assignments(ctx context.Context, reviewIDs []int64) (map[int64]Assignment, error) {
	out := map[int64]Assignment{}
	if len(reviewIDs) == 0 {
		return out, nil
	}
	rows, err := s.Pool.Query(ctx, assignmentSelect+` WHERE a.review_id = ANY($1)`, reviewIDs)
	if err != nil {
		return nil, fmt.Errorf("store: assignments: %w", err)
	}
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[Assignment])
	if err != nil {
		return nil, fmt.Errorf("store: assignments: %w", err)
	}
	for _, a := range as {
		out[a.ReviewID] = a
	}
	return out, nil
}
