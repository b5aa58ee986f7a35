package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrUnknownOrganisation is returned when a user is attached to an organisation slug that does not exist.
var ErrUnknownOrganisation = errors.New("organisation inconnue")

// ErrEmailTaken is returned when another account already uses the email address (compared case-insensitively).
var ErrEmailTaken = errors.New("adresse électronique déjà utilisée")

// User is one row of users, with its organisation's slug, name and kind joined in.
type User struct {
	ID               int64
	OrganisationID   int64 // 0 for an administrator without an organisation
	OrganisationSlug string
	OrganisationName string
	OrganisationKind string
	Email            string
	Name             string
	Role             string
	PasswordHash     string // empty for accounts that sign in only through OpenID Connect
	OIDCIssuer       string
	OIDCSubject      string
	FailedLogins     int
	LockedUntil      *time.Time
	DisabledAt       *time.Time
	CreatedAt        time.Time
}

// NewUser is what InsertUser needs; the organisation is named by slug and may be empty only for an admin.
type NewUser struct {
	OrganisationSlug string
	Email            string // already normalised to lower case by the caller
	Name             string
	Role             string
	PasswordHash     string
	OIDCIssuer       string
	OIDCSubject      string
}

const userColumns = `u.id, COALESCE(u.organisation_id, 0), COALESCE(o.slug, ''), COALESCE(o.name, ''), COALESCE(o.kind, ''),
	u.email, u.name, u.role, COALESCE(u.password_hash, ''), COALESCE(u.oidc_issuer, ''), COALESCE(u.oidc_subject, ''),
	u.failed_logins, u.locked_until, u.disabled_at, u.created_at`

const userFrom = ` FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id `

func scanUser(row pgx.CollectableRow) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.OrganisationID, &u.OrganisationSlug, &u.OrganisationName, &u.OrganisationKind,
		&u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.OIDCIssuer, &u.OIDCSubject,
		&u.FailedLogins, &u.LockedUntil, &u.DisabledAt, &u.CreatedAt)
	return u, err
}

// organisationID resolves a slug; the empty slug means no organisation.
func organisationID(ctx context.Context, q pgx.Tx, slug string) (*int64, error) {
	if slug == "" {
		return nil, nil
	}
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM organisations WHERE slug = $1", slug).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrUnknownOrganisation
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// InsertUser creates an account and returns it as read back from the database.
func (s *Store) InsertUser(ctx context.Context, nu NewUser) (User, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		org, err := organisationID(ctx, tx, nu.OrganisationSlug)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO users (organisation_id, email, name, role, password_hash, oidc_issuer, oidc_subject)
			VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), NULLIF($7, '')) RETURNING id`,
			org, nu.Email, nu.Name, nu.Role, nu.PasswordHash, nu.OIDCIssuer, nu.OIDCSubject).Scan(&id)
	})
	if err != nil {
		return User{}, fmt.Errorf("store: insert user: %w", userError(err))
	}
	return s.UserByID(ctx, id)
}

// UpsertOIDCUser creates the account of an OpenID Connect identity, or refreshes its email, name, role and
// organisation from the provider's latest claims: the provider is the source of truth for those.
func (s *Store) UpsertOIDCUser(ctx context.Context, nu NewUser) (User, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		org, err := organisationID(ctx, tx, nu.OrganisationSlug)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO users (organisation_id, email, name, role, oidc_issuer, oidc_subject)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (oidc_issuer, oidc_subject) DO UPDATE
			SET organisation_id = EXCLUDED.organisation_id, email = EXCLUDED.email, name = EXCLUDED.name,
			    role = EXCLUDED.role, updated_at = now()
			RETURNING id`,
			org, nu.Email, nu.Name, nu.Role, nu.OIDCIssuer, nu.OIDCSubject).Scan(&id)
	})
	if err != nil {
		return User{}, fmt.Errorf("store: upsert oidc user: %w", userError(err))
	}
	return s.UserByID(ctx, id)
}

// userError turns the unique violation on the email index into ErrEmailTaken.
func userError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "users_email_key" {
		return ErrEmailTaken
	}
	return err
}

func (s *Store) oneUser(ctx context.Context, what, where string, args ...any) (User, error) {
	rows, err := s.Pool.Query(ctx, "SELECT "+userColumns+userFrom+where, args...)
	if err != nil {
		return User{}, fmt.Errorf("store: %s: %w", what, err)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: %s: %w", what, err)
	}
	return u, nil
}

// UserByID returns the account with that id, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return s.oneUser(ctx, "user by id", "WHERE u.id = $1", id)
}

// UserByEmail returns the account with that email, compared case-insensitively, or ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return s.oneUser(ctx, "user by email", "WHERE lower(u.email) = lower($1)", email)
}

// UserByOIDC returns the account bound to an OpenID Connect identity, or ErrNotFound.
func (s *Store) UserByOIDC(ctx context.Context, issuer, subject string) (User, error) {
	return s.oneUser(ctx, "user by oidc", "WHERE u.oidc_issuer = $1 AND u.oidc_subject = $2", issuer, subject)
}

// ListUsers returns every account, by organisation then email.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.Pool.Query(ctx, "SELECT "+userColumns+userFrom+"ORDER BY o.slug NULLS FIRST, u.email")
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	us, err := pgx.CollectRows(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return us, nil
}

// RecordLoginFailure counts one more failed password for the account, atomically so that parallel guesses all
// count. Reaching maxFailures locks the account until lockUntil and restarts the count, so that once the lock
// expires the owner has maxFailures attempts again. It reports whether this failure locked the account.
func (s *Store) RecordLoginFailure(ctx context.Context, id int64, maxFailures int, lockUntil time.Time) (bool, error) {
	var locked bool
	err := s.Pool.QueryRow(ctx, `UPDATE users SET
			locked_until  = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END,
			failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END
		WHERE id = $1
		RETURNING failed_logins = 0`, id, maxFailures, lockUntil).Scan(&locked)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("store: record login failure: %w", ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("store: record login failure: %w", err)
	}
	return locked, nil
}

// ResetLoginFailures clears the failure count and any lock after a successful sign-in.
func (s *Store) ResetLoginFailures(ctx context.Context, id int64) error {
	if _, err := s.Pool.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)", id); err != nil {
		return fmt.Errorf("store: reset login failures: %w", err)
	}
	return nil
}

// SetPasswordHash replaces an account's password hash (new password, or stronger hashing parameters).
func (s *Store) SetPasswordHash(ctx context.Context, id int64, hash string) error {
	tag, err := s.Pool.Exec(ctx, "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", id, hash)
	if err != nil {
		return fmt.Errorf("store: set password hash: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: set password hash: %w", ErrNotFound)
	}
	return nil
}

// DisableUser marks the account disabled at the given time and deletes its sessions, in one transaction.
func (s *Store) DisableUser(ctx context.Context, id int64, at time.Time) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE users SET disabled_at = COALESCE(disabled_at, $2), updated_at = now() WHERE id = $1", id, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		_, err = tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: disable user: %w", err)
	}
	return nil
}
