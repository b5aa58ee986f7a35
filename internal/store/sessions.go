package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TouchEvery is how often at most a session's or an API token's last use is written: every authenticated
// request reads them, and writing each time cost a commit (a WAL flush) per page read.
const TouchEvery = time.Minute

// Session is one row of sessions; the cookie value itself is never stored, only its SHA-256.
type Session struct {
	TokenHash  []byte
	UserID     int64
	CSRF       string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// InsertSession records a new signed-in browser.
func (s *Store) InsertSession(ctx context.Context, se Session) error {
	_, err := s.Pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, se.TokenHash, se.UserID, se.CSRF, se.CreatedAt, se.ExpiresAt, se.LastSeenAt)
	if err != nil {
		return fmt.Errorf("store: insert session: %w", err)
	}
	return nil
}

// TouchSession returns the session with that hash if it has not expired at now, and moves its expiry to
// the earlier of idleUntil and maxUntil(created_at), in one statement so that a racing logout wins cleanly.
// maxAge bounds the whole life of the session however active it is. A missing or expired session is ErrNotFound.
// The session is written at most once per TouchEvery: reading pages does not commit a row each time.
func (s *Store) TouchSession(ctx context.Context, hash []byte, now, idleUntil time.Time, maxAge time.Duration) (Session, error) {
	rows, err := s.Pool.Query(ctx, `WITH cur AS (
			SELECT token_hash, user_id, csrf, created_at, expires_at, last_seen_at FROM sessions
			WHERE token_hash = $1 AND expires_at > $2
		), touched AS (
			UPDATE sessions s SET last_seen_at = $2, expires_at = LEAST($3, s.created_at + $4::interval)
			FROM cur WHERE s.token_hash = cur.token_hash AND s.expires_at > $2 AND cur.last_seen_at <= $2::timestamptz - $5::interval
			RETURNING s.token_hash, s.user_id, s.csrf, s.created_at, s.expires_at, s.last_seen_at
		)
		SELECT * FROM touched UNION ALL SELECT * FROM cur WHERE NOT EXISTS (SELECT 1 FROM touched)`,
		hash, now, idleUntil, maxAge, TouchEvery)
	if err != nil {
		return Session{}, fmt.Errorf("store: touch session: %w", err)
	}
	se, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Session])
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, fmt.Errorf("store: touch session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: touch session: %w", err)
	}
	return se, nil
}

// DeleteSession removes one session and returns its user's id, or 0 when there was none: signing out twice
// is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) (int64, error) {
	var userID int64
	err := s.Pool.QueryRow(ctx, "DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id", hash).Scan(&userID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("store: delete session: %w", err)
	}
	return userID, nil
}

// DeleteUserSessions signs a user out everywhere and returns how many sessions it removed.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	tag, err := s.Pool.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1", userID)
	if err != nil {
		return 0, fmt.Errorf("store: delete user sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// PurgeSessions deletes the sessions expired at now and returns how many it removed.
func (s *Store) PurgeSessions(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.Pool.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= $1", now)
	if err != nil {
		return 0, fmt.Errorf("store: purge sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
