package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// FeedbackTags are the tags an agent may put on a draft, as stored; FeedbackTagLabel names them for people.
var FeedbackTags = []string{"inexact", "incomplet", "hors_sujet", "ton_inadapte", "sources_manquantes", "trop_long"}

// FeedbackTagLabel is a feedback tag as a person reads it.
func FeedbackTagLabel(tag string) string {
	switch tag {
	case "inexact":
		return "inexact"
	case "incomplet":
		return "incomplet"
	case "hors_sujet":
		return "hors sujet"
	case "ton_inadapte":
		return "ton inadapté"
	case "sources_manquantes":
		return "sources manquantes"
	case "trop_long":
		return "trop long"
	}
	return tag
}

// Feedback is one agent's opinion of one draft.
type Feedback struct {
	ID        int64     `db:"id"`
	DraftID   int64     `db:"draft_id"`
	ReviewID  int64     `db:"review_id"`
	UserID    int64     `db:"user_id"`
	Actor     string    `db:"actor"`  // the user's email, as the export shows it
	Thumbs    int       `db:"thumbs"` // 1 useful, -1 not useful
	Tags      []string  `db:"tags"`
	Comment   string    `db:"comment"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// FeedbackError is feedback that cannot be stored as given; its message is French and names the field.
type FeedbackError struct{ Msg string }

func (e *FeedbackError) Error() string { return e.Msg }

// BadInput marks the error as the client's mistake.
func (e *FeedbackError) BadInput() bool { return true }

const feedbackSelect = `SELECT f.id, f.draft_id, f.review_id, f.user_id, coalesce(u.email, '') AS actor, f.thumbs,
	f.tags, f.comment, f.created_at, f.updated_at
	FROM draft_feedback f LEFT JOIN users u ON u.id = f.user_id`

// SaveFeedback stores f as its user's opinion of the draft, replacing the one they gave before.
func (s *Store) SaveFeedback(ctx context.Context, f Feedback) (Feedback, error) {
	if f.Thumbs != 1 && f.Thumbs != -1 {
		return Feedback{}, &FeedbackError{"avis sur le brouillon : choisissez « utile » ou « pas utile »"}
	}
	tags := []string{}
	for _, t := range f.Tags {
		if !slices.Contains(FeedbackTags, t) {
			return Feedback{}, &FeedbackError{fmt.Sprintf("étiquette %q inconnue : %s", t, strings.Join(FeedbackTags, ", "))}
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len([]rune(f.Comment)) > 2000 {
		return Feedback{}, &FeedbackError{"commentaire : 2 000 caractères au plus"}
	}
	var id int64
	err := s.Pool.QueryRow(ctx, `INSERT INTO draft_feedback (draft_id, review_id, user_id, thumbs, tags, comment)
		SELECT d.id, d.review_id, $2, $3, $4, $5 FROM drafts d WHERE d.id = $1
		ON CONFLICT (draft_id, user_id) DO UPDATE SET thumbs = EXCLUDED.thumbs, tags = EXCLUDED.tags,
			comment = EXCLUDED.comment, updated_at = now()
		RETURNING id`, f.DraftID, f.UserID, f.Thumbs, tags, strings.TrimSpace(f.Comment)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Feedback{}, fmt.Errorf("store: save feedback: draft %d: %w", f.DraftID, ErrNotFound)
	}
	if err != nil {
		return Feedback{}, fmt.Errorf("store: save feedback: %w", err)
	}
	out, err := s.feedback(ctx, " WHERE f.id = $1", id)
	if err != nil || len(out) != 1 {
		return Feedback{}, fmt.Errorf("store: save feedback: %w", errors.Join(err, ErrNotFound))
	}
	return out[0], nil
}

// ReviewFeedback returns the feedback given on every draft of a review, oldest first.
func (s *Store) ReviewFeedback(ctx context.Context, reviewID int64) ([]Feedback, error) {
	return s.feedback(ctx, " WHERE f.review_id = $1 ORDER BY f.created_at, f.id", reviewID)
}

// FeedbackExport returns, for the evaluation datasets, the feedback on the drafts of an organisation's reviews
// (every organisation when orgID is 0) given since the time, oldest first.
func (s *Store) FeedbackExport(ctx context.Context, orgID int64, since time.Time) ([]Feedback, error) {
	return s.feedback(ctx, ` JOIN reviews r ON r.id = f.review_id
		WHERE ($1 = 0 OR r.organisation_id = $1) AND f.updated_at >= $2 ORDER BY f.updated_at, f.id`, orgID, since)
}

func (s *Store) feedback(ctx context.Context, tail string, args ...any) ([]Feedback, error) {
	rows, err := s.Pool.Query(ctx, feedbackSelect+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("store: feedback: %w", err)
	}
	fs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Feedback])
	if err != nil {
		return nil, fmt.Errorf("store: feedback: %w", err)
	}
	return fs, nil
}
