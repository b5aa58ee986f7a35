package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// APIToken is one row of api_tokens; the raw token is never stored, only its SHA-256.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  []byte
	Scopes     []string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

const tokenColumns = "id, user_id, name, token_hash, scopes, created_at, last_used_at, revoked_at"

// InsertToken records a new API token and returns it with its id.
func (s *Store) InsertToken(ctx context.Context, t APIToken) (APIToken, error) {
	if t.Scopes == nil {
		t.Scopes = []string{}
	}
	rows, err := s.Pool.Query(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+tokenColumns, t.UserID, t.Name, t.TokenHash, t.Scopes, t.CreatedAt)
	if err != nil {
		return APIToken{}, fmt.Errorf("store: insert token: %w", err)
	}
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[APIToken])
	if err != nil {
		return APIToken{}, fmt.Errorf("store: insert token: %w", err)
	}
	return out, nil
}

// UseToken returns the unrevoked token with that hash and stamps its last use (at most once per TouchEvery), or
// ErrNotFound.
func (s *Store) UseToken(ctx context.Context, hash []byte, now time.Time) (APIToken, error) {
	rows, err := s.Pool.Query(ctx, `WITH cur AS (
			SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL
		), touched AS (
			UPDATE api_tokens t SET last_used_at = $2 FROM cur
			WHERE t.id = cur.id AND t.revoked_at IS NULL AND (cur.last_used_at IS NULL OR cur.last_used_at <= $2::timestamptz - $3::interval)
			RETURNING t.id, t.user_id, t.name, t.token_hash, t.scopes, t.created_at, t.last_used_at, t.revoked_at
		)
		SELECT * FROM touched UNION ALL SELECT * FROM cur WHERE NOT EXISTS (SELECT 1 FROM touched)`, hash, now, TouchEvery)
	if err != nil {
		return APIToken{}, fmt.Errorf("store: use token: %w", err)
	}
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[APIToken])
	if errors.Is(err, pgx.ErrNoRows) {
		return APIToken{}, fmt.Errorf("store: use token: %w", ErrNotFound)
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("store: use token: %w", err)
	}
	return t, nil
}

// RevokeToken revokes one of the user's tokens at the given time. A token of another user is ErrNotFound, so
// nobody learns which ids exist; revoking twice keeps the first date.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID int64, at time.Time) error {
	tag, err := s.Pool.Exec(ctx, "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $2 AND user_id = $1", userID, tokenID, at)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: revoke token: %w", ErrNotFound)
	}
	return nil
}

// ListTokens returns a user's tokens, revoked ones included, newest first.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.Pool.Query(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE user_id = $1 ORDER BY id DESC", userID)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[APIToken])
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	return ts, nil
}
