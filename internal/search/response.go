package search

import (
	"context"
	"errors"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/store"
)

// Brief is the short form of a result that `plume search --jsonl` and GET /api/v1/search return.
type Brief struct {
	DocID       string  `json:"doc_id"`
	ChunkID     int64   `json:"chunk_id"`
	Title       string  `json:"title"`
	SectionPath string  `json:"section_path,omitempty"`
	URL         string  `json:"url"`
	Score       float64 `json:"score"`
}

// Response is the JSON answer to one query: {"id","results":[…]}, or {"id","error"} for a refused query.
type Response struct {
	ID      string  `json:"id,omitempty"`
	Results []Brief `json:"results"`
	Error   string  `json:"error,omitempty"`
}

// NewResponse builds the JSON answer from ranked results.
func NewResponse(id string, rs []ground.Passage) Response {
	out := Response{ID: id, Results: make([]Brief, len(rs))}
	for i, r := range rs {
		out.Results[i] = Brief{DocID: r.DocID, ChunkID: r.ChunkID, Title: r.Title, SectionPath: r.SectionPath, URL: r.URL, Score: r.Score}
	}
	return out
}

// LoadSampleIfEmpty loads the fiches shipped in corpus/vdd when no corpus was ever loaded, so a first start has
// something to search; it reports whether it loaded.
func LoadSampleIfEmpty(ctx context.Context, st *store.Store, emb embed.Embedder) (bool, LoadStats, error) {
	_, err := st.CorpusMeta(ctx)
	if err == nil {
		return false, LoadStats{}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return false, LoadStats{}, err
	}
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		return false, LoadStats{}, err
	}
	ix := Indexer{Store: st, Embedder: emb}
	stats, err := ix.Load(ctx, src)
	return err == nil, stats, err
}
