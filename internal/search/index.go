package search

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// ErrEmbedderMismatch is returned when the stored corpus was built by another embedder (or dimension) than the
// one configured: its vectors cannot be compared with the query's.
var ErrEmbedderMismatch = errors.New("le corpus a été construit avec un autre modèle d'embeddings")

// Progress reports the advance of a load, phase by phase.
type Progress struct {
	Phase       string // "lecture", "apprentissage", "vectorisation", "enregistrement"
	Done, Total int    // Total is 0 when unknown
}

// Indexer loads a source of documents into the store: chunks, embeds what changed, swaps it in atomically.
type Indexer struct {
	Store    *store.Store
	Embedder embed.Embedder
	Chunker  corpus.Chunker
	// Reindex re-embeds every chunk and accepts an embedder other than the stored corpus's (which then loses the
	// documents of other sources, whose vectors become incomparable).
	Reindex  bool
	Progress func(Progress) // may be nil
	// BatchSize is the number of chunks per Embed call, default 256.
	BatchSize int
}

// LoadStats sums up a load.
type LoadStats struct {
	Source                             string
	Documents, DocumentsRemoved        int
	Chunks, ChunksEmbedded, ChunksKept int
	ChunksRemoved                      int
	IDFRebuilt, IndexBuilt             bool
	SemanticWords                      int // vocabulary of the word vectors learned by this load, 0 when kept or none
	Read, Learning, Embedding, Saving  time.Duration
}

// idfDrift is how far the number of chunks may move from the one the IDF table was learned on before a load
// learns it again (and re-embeds everything): small daily updates keep vectors, a new corpus gets fresh weights.
const idfDrift = 0.25

// Load reads every document of src, then replaces the source's stored content. A document that cannot be read
// stops the load before anything is written: the stored corpus stays as it was.
func (ix *Indexer) Load(ctx context.Context, src *corpus.Source) (LoadStats, error) {
	st := LoadStats{Source: src.Name}
	report := func(p Progress) {
		if ix.Progress != nil {
			ix.Progress(p)
		}
	}
	t0 := time.Now()
	var docs []store.CorpusDocument
	var chunks []corpus.Chunk
	n := 0
	for d, err := range src.Documents {
		if err != nil {
			return st, err
		}
		n++
		docs = append(docs, store.CorpusDocument{
			DocID: d.ID, Audience: d.Audience, Kind: d.Kind, Type: d.Type, Title: d.Title, Description: d.Description,
			Theme: d.Theme, Subject: d.Subject, Breadcrumb: d.Breadcrumb, URL: d.URL, Date: d.Date,
		})
		chunks = append(chunks, ix.Chunker.Chunks(d)...)
		if n%50 == 0 || n == src.Total {
			report(Progress{Phase: "lecture", Done: n, Total: src.Total})
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
	}
	if len(docs) == 0 {
		return st, fmt.Errorf("%s : aucun document à charger", src.Name)
	}
	st.Documents, st.Chunks = len(docs), len(chunks)
	st.Read = time.Since(t0)

	meta, err := ix.Store.CorpusMeta(ctx)
	first := errors.Is(err, store.ErrNotFound)
	if err != nil && !first {
		return st, err
	}
	emb := ix.Embedder
	dropOthers := false
	if !first && (meta.Embedder != emb.Name() || meta.Dim != emb.Dim()) {
		if !ix.Reindex {
			return st, fmt.Errorf("%w (%s en %d dimensions, configuré : %s en %d) : relancez avec --reindex pour tout recalculer",
				ErrEmbedderMismatch, meta.Embedder, meta.Dim, emb.Name(), emb.Dim())
		}
		dropOthers = true
	}
	newMeta := store.CorpusMeta{Embedder: emb.Name(), Dim: emb.Dim()}
	reembedAll := ix.Reindex || dropOthers
	if local, ok := emb.(*embed.Local); ok {
		// The IDF table and the word vectors are the corpus model: learned together, kept together.
		var idf *embed.IDF
		var sem *embed.Semantic
		if !first && !reembedAll && meta.IDF != nil {
			if idf, sem, err = embed.LoadCorpusModel(local.Dim(), meta.IDF, meta.Semantic); err != nil {
				return st, err
			}
			drift := float64(len(chunks)-idf.Docs()) / float64(max(idf.Docs(), 1))
			if src.Name == corpus.ServicePublic && (drift > idfDrift || drift < -idfDrift) {
				idf = nil
			}
		}
		if idf == nil {
			report(Progress{Phase: "apprentissage", Done: 0, Total: 1})
			tl := time.Now()
			b := embed.NewIDFBuilder()
			sb := embed.NewSemanticBuilder()
			for _, c := range chunks {
				t := embedText(c)
				b.Add(t)
				sb.Add(t)
			}
			idf = b.Build()
			sem = sb.Build(embed.SemanticDim(local.Dim()))
			st.Learning = time.Since(tl)
			report(Progress{Phase: "apprentissage", Done: 1, Total: 1})
			st.IDFRebuilt = true
			reembedAll = true
		}
		emb = local.WithIDF(idf).WithSemantic(sem)
		if newMeta.IDF, err = idf.MarshalBinary(); err != nil {
			return st, err
		}
		newMeta.IDFChunks = idf.Docs()
		if sem != nil {
			if newMeta.Semantic, err = sem.MarshalBinary(); err != nil {
				return st, err
			}
			st.SemanticWords = sem.Words()
		}
	}

	have := map[string]bool{}
	if !reembedAll {
		if have, err = ix.Store.CorpusChunkHashes(ctx, src.Name); err != nil {
			return st, err
		}
	}
	var todo []int
	for i, c := range chunks {
		if !have[c.Hash] {
			todo = append(todo, i)
		}
	}
	t1 := time.Now()
	vecs, err := ix.embedAll(ctx, emb, chunks, todo, report)
	if err != nil {
		return st, err
	}
	st.Embedding = time.Since(t1)
	st.ChunksEmbedded = len(todo)

	rows := make([]store.CorpusChunk, len(chunks))
	for i, c := range chunks {
		rows[i] = store.CorpusChunk{
			DocID: c.DocID, Audience: c.Audience, Theme: c.Theme, Title: c.Title, SectionPath: c.SectionPath,
			Body: c.Text, URL: c.URL, Date: c.Date, Ord: c.Ord, Tokens: c.Tokens, ContentHash: c.Hash, Embedding: vecs[i],
		}
	}
	report(Progress{Phase: "enregistrement", Done: 0, Total: 1})
	t2 := time.Now()
	rs, err := ix.Store.ReplaceCorpus(ctx, store.CorpusReplace{Source: src.Name, Meta: newMeta, Documents: docs, Chunks: rows, DropOthers: dropOthers})
	if err != nil {
		return st, err
	}
	report(Progress{Phase: "enregistrement", Done: 1, Total: 1})
	st.Saving = time.Since(t2)
	st.DocumentsRemoved, st.ChunksKept, st.ChunksRemoved, st.IndexBuilt = rs.DocumentsRemoved, rs.ChunksKept, rs.ChunksRemoved, rs.IndexBuilt
	return st, nil
}

// embedText is what the embedder sees of a chunk: its heading gives the context the passage alone lacks.
func embedText(c corpus.Chunk) string { return c.Heading() + "\n" + c.Text }

// embedAll embeds the chunks listed in todo, in batches spread over the CPUs for the local embedder.
func (ix *Indexer) embedAll(ctx context.Context, emb embed.Embedder, chunks []corpus.Chunk, todo []int, report func(Progress)) ([][]float32, error) {
	vecs := make([][]float32, len(chunks))
	bs := ix.BatchSize
	if bs <= 0 {
		bs = 256
	}
	workers := 1
	if _, ok := emb.(*embed.Local); ok {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []int)
	var mu sync.Mutex
	var firstErr error
	done := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range batches {
				texts := make([]pii.Redacted, len(b))
				for i, ci := range b {
					// Fiche and local page text is published by an administration: safe to send as is.
					texts[i] = pii.Public(embedText(chunks[ci]))
				}
				out, err := emb.Embed(ctx, texts)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
					continue
				}
				for i, ci := range b {
					vecs[ci] = out[i]
				}
				done += len(b)
				report(Progress{Phase: "vectorisation", Done: done, Total: len(todo)})
				mu.Unlock()
			}
		})
	}
	for start := 0; start < len(todo); start += bs {
		select {
		case batches <- todo[start:min(start+bs, len(todo))]:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(batches)
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("vectorisation : %w", firstErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return vecs, nil
}
