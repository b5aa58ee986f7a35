package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CorpusTitle is how a stored fiche is named: its title, the breadcrumb of the site's sections above it, and the
// description (the fiche's own one- to three-sentence summary).
type CorpusTitle struct {
	DocID, Audience, Theme, Title, Breadcrumb, Description string
}

// CorpusTitles lists the names of every stored document, in a stable order, for the searcher's title leg.
func (s *Store) CorpusTitles(ctx context.Context) ([]CorpusTitle, error) {
	rows, err := s.Pool.Query(ctx, `SELECT doc_id, audience, theme, title, breadcrumb, description FROM corpus_documents ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: corpus titles: %w", err)
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CorpusTitle])
	if err != nil {
		return nil, fmt.Errorf("store: corpus titles: %w", err)
	}
	return ts, nil
}
