// Package searchtest gives tests a database holding the sample corpus, loaded once per test process.
package searchtest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// SampleCorpus is the fixture of the sample corpus (corpus/vdd) indexed with the local embedder of dimension dim,
// the one a Searcher on embed.NewLocal(dim) reads.
func SampleCorpus(dim int) storetest.Fixture {
	return storetest.Fixture{
		Name: fmt.Sprintf("vdd_local%d", dim),
		Load: func(ctx context.Context, s *store.Store) error {
			src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
			if err != nil {
				return err
			}
			stats, err := (&search.Indexer{Store: s, Embedder: embed.NewLocal(dim)}).Load(ctx, src)
			if err != nil {
				return err
			}
			statsMu.Lock()
			firstLoads[dim] = stats
			statsMu.Unlock()
			return nil
		},
	}
}

var (
	statsMu sync.Mutex
	// firstLoads holds, by dimension, what the fixture's load reported: a first load into an empty corpus.
	firstLoads = map[int]search.LoadStats{}
)

// NewDB returns a fresh database holding the sample corpus indexed for embed.NewLocal(dim), dropped when tb ends.
func NewDB(tb testing.TB, dim int) *store.Store {
	tb.Helper()
	s, _ := NewDBStats(tb, dim)
	return s
}

// NewDBStats is NewDB that also returns the statistics of the sample corpus's load, a first load into an empty
// corpus, for tests of the indexer.
func NewDBStats(tb testing.TB, dim int) (*store.Store, search.LoadStats) {
	tb.Helper()
	s, _ := storetest.NewDBFrom(tb, SampleCorpus(dim))
	statsMu.Lock()
	defer statsMu.Unlock()
	return s, firstLoads[dim]
}
