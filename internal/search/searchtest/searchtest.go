// Package searchtest gives tests a database holding the sample corpus, loaded once per test process.
package searchtest

import (
	"context"
	"fmt"
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
			_, err = (&search.Indexer{Store: s, Embedder: embed.NewLocal(dim)}).Load(ctx, src)
			return err
		},
	}
}

// NewDB returns a fresh database holding the sample corpus indexed for embed.NewLocal(dim), dropped when tb ends.
func NewDB(tb testing.TB, dim int) *store.Store {
	tb.Helper()
	s, _ := storetest.NewDBFrom(tb, SampleCorpus(dim))
	return s
}
