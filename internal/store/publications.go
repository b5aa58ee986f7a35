package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// PublicationStatus is where the publication of an approved reply stands.
type PublicationStatus string

// The statuses of a publication; the values are those stored.
const (
	PublicationPending   PublicationStatus = "en_attente" // queued, not attempted yet
	PublicationFailed    PublicationStatus = "echec"      // the last attempt failed; it will be retried
	PublicationAbandoned PublicationStatus = "abandonne"  // retries exhausted: an agent must act
	PublicationDone      PublicationStatus = "publie"     // acknowledged by the receiver
)

// Publication is one approved reply to publish, and how its publication went.
type Publication struct {
	ID          int64             `db:"id"`
	ReviewID    int64             `db:"review_id"`
	DraftID     int64             `db:"draft_id"`
	Publisher   string            `db:"publisher"`
	Status      PublicationStatus `db:"status"`
	Attempts    int               `db:"attempts"`
	LastError   string            `db:"last_error"`
	Ack         string            `db:"ack"`
	RequestedBy string            `db:"requested_by"`
	RequestedAt time.Time         `db:"requested_at"`
	PublishedAt *time.Time        `db:"published_at"`
	UpdatedAt   time.Time         `db:"updated_at"`
}

const publicationColumns = `id, review_id, draft_id, publisher, status, attempts, last_error, ack, requested_by,
	requested_at, published_at, updated_at`

// PublicationAttempt is one try at publishing a reply.
type PublicationAttempt struct {
	ID            int64             `db:"id"`
	PublicationID int64             `db:"publication_id"`
	ReviewID      int64             `db:"review_id"`
	DraftID       int64             `db:"draft_id"`
	Attempt       int               `db:"attempt"`
	Status        PublicationStatus `db:"status"` // publie or echec
	Error         string            `db:"error"`
	At            time.Time         `db:"at"`
}

// RequestPublicationTx records, within tx, that the draft's text is to be published as the review's reply; asking
// again for the same draft reopens a failed publication and leaves an acknowledged one alone.
func (s *Store) RequestPublicationTx(ctx context.Context, tx pgx.Tx, reviewID, draftID int64, requestedBy string) (Publication, error) {
	var owner int64
	err := tx.QueryRow(ctx, "SELECT review_id FROM drafts WHERE id = $1", draftID).Scan(&owner)
	if errors.Is(err, pgx.ErrNoRows) {
		return Publication{}, fmt.Errorf("store: request publication: draft %d: %w", draftID, ErrNotFound)
	}
	if err != nil {
		return Publication{}, fmt.Errorf("store: request publication: %w", err)
	}
	if owner != reviewID {
		return Publication{}, fmt.Errorf("store: request publication: le brouillon %d n'appartient pas à l'avis %d", draftID, reviewID)
	}
	rows, err := tx.Query(ctx, `INSERT INTO publications (review_id, draft_id, requested_by) VALUES ($1, $2, $3)
		ON CONFLICT (review_id, draft_id) DO UPDATE SET
			status = CASE WHEN publications.status = 'publie' THEN publications.status ELSE 'en_attente' END,
			updated_at = now()
		RETURNING `+publicationColumns, reviewID, draftID, requestedBy)
	if err != nil {
		return Publication{}, fmt.Errorf("store: request publication: %w", err)
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Publication])
	if err != nil {
		return Publication{}, fmt.Errorf("store: request publication: %w", err)
	}
	return p, nil
}

// PublicationFor returns the publication of a review's draft, or ErrNotFound.
func (s *Store) PublicationFor(ctx context.Context, reviewID, draftID int64) (Publication, error) {
	return publicationFor(ctx, s.Pool, reviewID, draftID)
}

// PublicationForTx is PublicationFor within tx.
func (s *Store) PublicationForTx(ctx context.Context, tx pgx.Tx, reviewID, draftID int64) (Publication, error) {
	return publicationFor(ctx, tx, reviewID, draftID)
}

func publicationFor(ctx context.Context, q querier, reviewID, draftID int64) (Publication, error) {
	rows, err := q.Query(ctx, "SELECT "+publicationColumns+" FROM publications WHERE review_id = $1 AND draft_id = $2", reviewID, draftID)
	if err != nil {
		return Publication{}, fmt.Errorf("store: publication: %w", err)
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Publication])
	if errors.Is(err, pgx.ErrNoRows) {
		return Publication{}, fmt.Errorf("store: publication of review %d draft %d: %w", reviewID, draftID, ErrNotFound)
	}
	if err != nil {
		return Publication{}, fmt.Errorf("store: publication: %w", err)
	}
	return p, nil
}

// RecordPublicationFailure records a failed attempt; abandoned says no retry will follow.
func (s *Store) RecordPublicationFailure(ctx context.Context, reviewID, draftID int64, attempt int, publisher, msg string, abandoned bool) error {
	status := PublicationFailed
	if abandoned {
		status = PublicationAbandoned
	}
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE publications SET status = $3, attempts = greatest(attempts, $4), last_error = $5,
				publisher = $6, updated_at = now()
			WHERE review_id = $1 AND draft_id = $2 AND status <> 'publie' RETURNING id`,
			reviewID, draftID, string(status), attempt, msg, publisher).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // acknowledged meanwhile, or never requested: nothing to mark failed
		}
		if err != nil {
			return fmt.Errorf("store: record publication failure: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO publication_attempts (publication_id, review_id, draft_id, attempt, status, error)
			VALUES ($1, $2, $3, $4, 'echec', $5)`, id, reviewID, draftID, attempt, msg)
		if err != nil {
			return fmt.Errorf("store: record publication failure: %w", err)
		}
		return nil
	})
}

// RecordPublicationSuccess records the receiver's acknowledgement and, in the same transaction, marks the review
// publie with the text published; a review already published keeps its first reply.
func (s *Store) RecordPublicationSuccess(ctx context.Context, reviewID, draftID int64, attempt int, publisher, text, ack string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE publications SET status = 'publie', attempts = greatest(attempts, $3), last_error = '',
				ack = $4, publisher = $5, published_at = coalesce(published_at, now()), updated_at = now()
			WHERE review_id = $1 AND draft_id = $2 RETURNING id`, reviewID, draftID, attempt, ack, publisher).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("store: record publication of review %d draft %d: %w", reviewID, draftID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: record publication: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO publication_attempts (publication_id, review_id, draft_id, attempt, status)
			VALUES ($1, $2, $3, $4, 'publie')`, id, reviewID, draftID, attempt); err != nil {
			return fmt.Errorf("store: record publication: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE reviews SET status = 'publie',
				published_reply = CASE WHEN status = 'publie' AND published_reply IS NOT NULL THEN published_reply ELSE $2 END,
				updated_at = now()
			WHERE id = $1`, reviewID, text); err != nil {
			return fmt.Errorf("store: record publication: %w", err)
		}
		return nil
	})
}

// ListOpenPublications returns the publications not acknowledged yet (pending, failed, abandoned), oldest change
// first, at most limit (100 when limit ≤ 0).
func (s *Store) ListOpenPublications(ctx context.Context, limit int) ([]Publication, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.Pool.Query(ctx, "SELECT "+publicationColumns+` FROM publications WHERE status <> 'publie'
		ORDER BY updated_at, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list open publications: %w", err)
	}
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[Publication])
	if err != nil {
		return nil, fmt.Errorf("store: list open publications: %w", err)
	}
	return ps, nil
}

// PublicationAttempts returns every attempt to publish a reply to the review, oldest first.
func (s *Store) PublicationAttempts(ctx context.Context, reviewID int64) ([]PublicationAttempt, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, publication_id, review_id, draft_id, attempt, status, error, at
		FROM publication_attempts WHERE review_id = $1 ORDER BY at, id`, reviewID)
	if err != nil {
		return nil, fmt.Errorf("store: publication attempts of review %d: %w", reviewID, err)
	}
	as, err := pgx.CollectRows(rows, pgx.RowToStructByName[PublicationAttempt])
	if err != nil {
		return nil, fmt.Errorf("store: publication attempts of review %d: %w", reviewID, err)
	}
	return as, nil
}
