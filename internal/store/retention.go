package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReviewsToPurge returns up to limit answered or set-aside reviews last changed before, not purged yet.
func (s *Store) ReviewsToPurge(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id FROM reviews
		WHERE purged_at IS NULL AND status IN ('publie', 'ecarte') AND updated_at < $1
		ORDER BY updated_at, id LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: reviews to purge: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: reviews to purge: %w", err)
	}
	return ids, nil
}

// ErrAlreadyPurged is returned by PurgeReview for a review purged meanwhile.
var ErrAlreadyPurged = errors.New("avis déjà purgé")

// PurgeReview replaces every citizen text of a review (title, body, published reply, drafts) by redact's output,
// drops its placeholder mapping, source record and pseudonym, and marks it purged, in one transaction.
func (s *Store) PurgeReview(ctx context.Context, id int64, redact func(string) (string, error)) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var title, body, reply string
		var purged *time.Time
		err := tx.QueryRow(ctx, `SELECT title, body, coalesce(published_reply, ''), purged_at FROM reviews WHERE id = $1 FOR UPDATE`, id).
			Scan(&title, &body, &reply, &purged)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("store: purge review %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: purge review %d: %w", id, err)
		}
		if purged != nil {
			return ErrAlreadyPurged
		}
		texts := []*string{&title, &body, &reply}
		for _, t := range texts {
			if *t, err = redact(*t); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE reviews SET title = $2, body = $3,
				published_reply = CASE WHEN published_reply IS NULL THEN NULL ELSE $4 END,
				raw = '{}', author_pseudonym = '', purged_at = now() WHERE id = $1`, id, title, body, reply); err != nil {
			return fmt.Errorf("store: purge review %d: %w", id, err)
		}
		// A rejection's precision is free text that may quote the citizen: only the fact of the rejection stays.
		if _, err := tx.Exec(ctx, `UPDATE reviews SET rejected_reason = 'motif effacé à la purge' WHERE id = $1 AND rejected_reason IS NOT NULL`, id); err != nil {
			return fmt.Errorf("store: purge review %d: %w", id, err)
		}
		// Every version with everything that repeats its text: the stored prompt (what the filter missed then),
		// the checks that quote it, the grounding that repeats its sentences, the error.
		rows, err := tx.Query(ctx, `SELECT id, text, redacted_prompt, error, checks, grounding FROM drafts WHERE review_id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: purge review %d drafts: %w", id, err)
		}
		type draftTexts struct {
			ID                          int64
			Text, RedactedPrompt, Error string
			Checks, Grounding           []byte
		}
		ds, err := pgx.CollectRows(rows, pgx.RowToStructByPos[draftTexts])
		if err != nil {
			return fmt.Errorf("store: purge review %d drafts: %w", id, err)
		}
		for _, d := range ds {
			for _, t := range []*string{&d.Text, &d.RedactedPrompt, &d.Error} {
				if *t, err = redact(*t); err != nil {
					return err
				}
			}
			for _, j := range []*[]byte{&d.Checks, &d.Grounding} {
				if *j, err = redactJSON(*j, redact); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE drafts SET text = $2, redacted_prompt = $3, error = $4, checks = $5, grounding = $6 WHERE id = $1`,
				d.ID, d.Text, d.RedactedPrompt, d.Error, d.Checks, d.Grounding); err != nil {
				return fmt.Errorf("store: purge draft %d: %w", d.ID, err)
			}
		}
		// Agents' comments on the drafts may quote the citizen.
		if _, err := tx.Exec(ctx, `UPDATE draft_feedback SET comment = '' WHERE review_id = $1`, id); err != nil {
			return fmt.Errorf("store: purge review %d feedback: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM pii_mappings WHERE review_id = $1`, id); err != nil {
			return fmt.Errorf("store: purge review %d mapping: %w", id, err)
		}
		return nil
	})
}

// redactJSON applies redact to every string of a JSON document; nil stays nil.
func redactJSON(raw []byte, redact func(string) (string, error)) ([]byte, error) {
	if len(raw) == 0 {
		return raw, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, nil // unreadable: dropped rather than kept unfiltered
	}
	var walk func(any) (any, error)
	walk = func(v any) (any, error) {
		switch x := v.(type) {
		case string:
			return redact(x)
		case []any:
			for i := range x {
				var err error
				if x[i], err = walk(x[i]); err != nil {
					return nil, err
				}
			}
		case map[string]any:
			for k := range x {
				var err error
				if x[k], err = walk(x[k]); err != nil {
					return nil, err
				}
			}
		}
		return v, nil
	}
	v, err := walk(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// DeleteConversationsBefore deletes the assistant conversations (their turns, mappings and feedback with them)
// untouched since before, and returns how many it deleted.
func (s *Store) DeleteConversationsBefore(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM conversations WHERE updated_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("store: delete old conversations: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// PurgeEvalItemsBefore replaces the outputs of evaluation items of runs started before with their filtered form,
// and returns how many it changed; an output already filtered is left as it is.
func (s *Store) PurgeEvalItemsBefore(ctx context.Context, before time.Time, redact func(string) (string, error)) (int, error) {
	n := 0
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT i.id, i.output FROM eval_items i JOIN eval_runs r ON r.id = i.run_id
			WHERE r.created_at < $1 AND i.output <> '' FOR UPDATE OF i`, before)
		if err != nil {
			return err
		}
		type item struct {
			ID     int64
			Output string
		}
		items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[item])
		if err != nil {
			return err
		}
		for _, it := range items {
			red, err := redact(it.Output)
			if err != nil {
				return err
			}
			if red == it.Output {
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE eval_items SET output = $2 WHERE id = $1`, it.ID, red); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("store: purge evaluation items: %w", err)
	}
	return n, nil
}

// CitizenReviews returns the ids of the reviews a citizen wrote, known by their pseudonym at a source or by
// the external id of one review.
func (s *Store) CitizenReviews(ctx context.Context, source, pseudonym, externalID string) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id FROM reviews WHERE source = $1
		AND (($2 <> '' AND author_pseudonym = $2) OR ($3 <> '' AND external_id = $3)) ORDER BY id`, source, pseudonym, externalID)
	if err != nil {
		return nil, fmt.Errorf("store: citizen reviews: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: citizen reviews: %w", err)
	}
	return ids, nil
}

// DeleteReviews erases reviews with everything attached to them (drafts, mappings, publications, feedback).
func (s *Store) DeleteReviews(ctx context.Context, ids []int64) (int, error) {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM reviews WHERE id = ANY($1)`, ids)
	if err != nil {
		return 0, fmt.Errorf("store: delete reviews: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// PromptSettings are an organisation's overrides of the reply charter, edited by its supervisors.
type PromptSettings struct {
	Tone      string   `json:"tone,omitempty"`
	Signature string   `json:"signature,omitempty"`
	Forbidden []string `json:"forbidden,omitempty"`
}

// OrganisationPromptSettings returns an organisation's prompt settings, empty when none were set.
func (s *Store) OrganisationPromptSettings(ctx context.Context, orgID int64) (PromptSettings, error) {
	var raw []byte
	err := s.Pool.QueryRow(ctx, `SELECT prompt_settings FROM organisations WHERE id = $1`, orgID).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return PromptSettings{}, fmt.Errorf("store: organisation %d: %w", orgID, ErrNotFound)
	}
	if err != nil {
		return PromptSettings{}, fmt.Errorf("store: prompt settings: %w", err)
	}
	var ps PromptSettings
	if err := json.Unmarshal(raw, &ps); err != nil {
		return PromptSettings{}, fmt.Errorf("store: prompt settings of organisation %d: %w", orgID, err)
	}
	return ps, nil
}

// SetOrganisationPromptSettings replaces an organisation's prompt settings.
func (s *Store) SetOrganisationPromptSettings(ctx context.Context, orgID int64, ps PromptSettings) error {
	raw, err := json.Marshal(ps)
	if err != nil {
		return err
	}
	tag, err := s.Pool.Exec(ctx, `UPDATE organisations SET prompt_settings = $2 WHERE id = $1`, orgID, raw)
	if err != nil {
		return fmt.Errorf("store: set prompt settings: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: organisation %d: %w", orgID, ErrNotFound)
	}
	return nil
}
