package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/pii"
)

// ApprovedReply is a published reply to a past review, used as a model of style for similar reviews.
type ApprovedReply struct {
	ReviewID  int64  `db:"review_id"`
	Title     string `db:"title"`
	Body      string `db:"body"`
	Pseudonym string `db:"pseudonym"`
	Reply     string `db:"reply"`
	// Mapping is the review's stored placeholder mapping, nil when it has none: the reply is filtered
	// with it, so that this citizen's values are masked in any spelling.
	Mapping *pii.Mapping `db:"mapping"`
}

// SimilarApprovedReplies returns up to limit replies published by organisation orgID to the reviews closest to
// text (full-text rank over the reviews' words), excluding review exclude. This is the reply memory: replies
// agents approved are the best examples of the organisation's tone.
//
// The query ORs the text's words (websearch syntax would AND them and find nothing for a long review), ranks
// matching published reviews with ts_rank on the stored search_tsv that reviews_search_idx covers, and takes the
// text of each one's published draft, falling back to the reply imported with it.
func (s *Store) SimilarApprovedReplies(ctx context.Context, orgID, exclude int64, text string, limit int) ([]ApprovedReply, error) {
	terms := orTerms(text, 30)
	if terms == "" || limit <= 0 {
		return nil, nil
	}
	rows, err := s.Pool.Query(ctx, `
		WITH q AS (SELECT to_tsquery('french_unaccent', $3) AS query)
		SELECT r.id AS review_id, r.title, r.body, r.author_pseudonym AS pseudonym,
			(SELECT m.mapping FROM pii_mappings m WHERE m.review_id = r.id) AS mapping,
			coalesce((SELECT d.text FROM drafts d WHERE d.review_id = r.id AND d.kind = 'publie'
				ORDER BY d.version DESC LIMIT 1), r.published_reply) AS reply
		FROM reviews r, q
		WHERE r.organisation_id = $1 AND r.id <> $2 AND r.status = 'publie'
			AND coalesce(r.published_reply, '') <> ''
			AND r.search_tsv @@ q.query
		ORDER BY ts_rank(r.search_tsv, q.query) DESC, r.id DESC
		LIMIT $4`, orgID, exclude, terms, limit)
	if err != nil {
		return nil, fmt.Errorf("store: similar approved replies: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[ApprovedReply])
	if err != nil {
		return nil, fmt.Errorf("store: similar approved replies: %w", err)
	}
	return out, nil
}

// orTerms turns free text into a tsquery OR of its first max distinct words of four letters or more; only
// letters reach the query, so no input can break its syntax.
func orTerms(text string, max int) string {
	seen := map[string]bool{}
	var terms []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) < 4 || seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, w)
		if len(terms) == max {
			break
		}
	}
	return strings.Join(terms, " | ")
}
