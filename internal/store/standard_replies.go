package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// StandardReply is a paragraph an organisation's supervisors wrote once for agents to insert in replies.
type StandardReply struct {
	ID             int64     `db:"id"`
	OrganisationID int64     `db:"organisation_id"`
	Title          string    `db:"title"`
	Body           string    `db:"body"`
	CreatedBy      string    `db:"created_by"`
	CreatedAt      time.Time `db:"created_at"`
}

// ErrDuplicateTitle is returned when an organisation already has a standard reply with that title.
var ErrDuplicateTitle = errors.New("store: standard reply title already used")

// ListStandardReplies returns an organisation's standard replies by title.
func (s *Store) ListStandardReplies(ctx context.Context, orgID int64) ([]StandardReply, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, organisation_id, title, body, created_by, created_at
		FROM standard_replies WHERE organisation_id = $1 ORDER BY lower(title)`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: list standard replies: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[StandardReply])
	if err != nil {
		return nil, fmt.Errorf("store: list standard replies: %w", err)
	}
	return out, nil
}

// AddStandardReply stores a new standard reply; a title the organisation already uses is ErrDuplicateTitle.
func (s *Store) AddStandardReply(ctx context.Context, r StandardReply) (StandardReply, error) {
	err := s.Pool.QueryRow(ctx, `INSERT INTO standard_replies (organisation_id, title, body, created_by)
		VALUES ($1, $2, $3, $4) RETURNING id, created_at`, r.OrganisationID, r.Title, r.Body, r.CreatedBy).Scan(&r.ID, &r.CreatedAt)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return r, ErrDuplicateTitle
	}
	if err != nil {
		return r, fmt.Errorf("store: add standard reply: %w", err)
	}
	return r, nil
}

// DeleteStandardReply removes one of an organisation's standard replies; another organisation's is ErrNotFound.
func (s *Store) DeleteStandardReply(ctx context.Context, orgID, id int64) error {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM standard_replies WHERE id = $1 AND organisation_id = $2`, id, orgID)
	if err != nil {
		return fmt.Errorf("store: delete standard reply: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
