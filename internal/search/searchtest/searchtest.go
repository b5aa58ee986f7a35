// Package searchtest gives tests a database holding the sample corpus, loaded once per test process.
package searchtest

import (
	"context"
	"fmt"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// SampleCorpus is the fixture of the sample corpus (corpus/vdd) indexed with the local embedder of dimension dim,
// the one a Searcher on embed.NewLocal(dim) reads, and `plume serve` too when no embeddings server is set.
func SampleCorpus(dim int) storetest.Fixture {
	return storetest.Fixture{
		Name: fmt.Sprintf("vdd_local%d", dim),
		Load: func(ctx context.Context, s *store.Store) error {
			_, err := LoadSample(ctx, s, dim)
			return err
		},
	}
}

// LoadSample indexes the sample corpus into s with the local embedder of dimension dim, as `plume corpus load
// --sample` does, and returns what the load reports.
func LoadSample(ctx context.Context, s *store.Store, dim int) (search.LoadStats, error) {
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		return search.LoadStats{}, err
	}
	return (&search.Indexer{Store: s, Embedder: embed.NewLocal(dim)}).Load(ctx, src)
}
