package ground

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// ErrNoCorpus is returned by a search when no corpus has been loaded yet.
var ErrNoCorpus = errors.New("aucun corpus chargé : lancez « plume corpus load »")

// Search is one search as a caller asks it: the drafter's review sources, the assistant's question.
type Search func(ctx context.Context) ([]Passage, error)

// badInput is implemented by the errors of a query the searcher refuses (empty once filtered, too long).
type badInput interface{ BadInput() bool }

// Retrieve runs search and returns its passages numbered from 1. A query the searcher refuses, or no corpus
// yet, gives no passages rather than an error, so that a draft or an answer can still be written (and says it
// has no source); who ("draft", "assistant") names the caller in the log and the error.
func Retrieve(ctx context.Context, who string, log *slog.Logger, search Search) ([]Passage, error) {
	ps, err := search(ctx)
	var bad badInput
	switch {
	case errors.Is(err, ErrNoCorpus):
		log.Warn(who+" : aucun corpus chargé, rien à citer", "err", err)
		return nil, nil
	case errors.As(err, &bad) && bad.BadInput():
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("%s: recherche des sources : %w", who, err)
	}
	return Number(ps), nil
}
