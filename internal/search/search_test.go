package search_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

const dim = 384

// loadedSample is the embedded sample loaded once per test database.
func loadSample(t *testing.T) (*store.Store, search.LoadStats) {
	t.Helper()
	st := storetest.NewDB(t)
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := search.Indexer{Store: st, Embedder: embed.NewLocal(dim)}
	stats, err := ix.Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return st, stats
}

func TestLoadAndSearchSample(t *testing.T) {
	st, stats := loadSample(t)
	if stats.Documents != 62 || stats.ChunksEmbedded != stats.Chunks || !stats.IDFRebuilt || !stats.IndexBuilt {
		t.Fatalf("first load stats: %+v", stats)
	}
	s := search.New(st, embed.NewLocal(dim), search.Options{})
	ctx := context.Background()
	tests := []struct {
		query, want string
		mode        search.Mode
	}{
		{"comment demander l'apl pour mon appartement", "F12006", search.Hybrid},
		{"renouveler ma carte d'identité", "F21089", search.Hybrid},
		{"j'ai perdu ma carte grise", "F1726", search.Hybrid},
		{"carte vitale", "F265", search.FullTextOnly},
		{"montant des allocations familiales pour deux enfants", "F13213", search.VectorOnly},
	}
	for _, tt := range tests {
		rs, err := s.Search(ctx, search.Query{Text: pii.Public(tt.query), K: 5, ByDocument: true, Mode: tt.mode})
		if err != nil {
			t.Fatalf("%q: %v", tt.query, err)
		}
		var ids []string
		found := false
		for _, r := range rs {
			ids = append(ids, r.DocID)
			found = found || r.DocID == tt.want
		}
		if !found {
			t.Errorf("%s %q: top 5 fiches %v lack %s", tt.mode, tt.query, ids, tt.want)
		}
		seen := map[string]bool{}
		for _, r := range rs {
			if seen[r.DocID] {
				t.Errorf("%q: fiche %s twice with ByDocument", tt.query, r.DocID)
			}
			seen[r.DocID] = true
			if r.URL == "" || r.Title == "" || r.Text == "" || r.Score <= 0 {
				t.Errorf("%q: incomplete result %+v", tt.query, r)
			}
			if tt.mode == search.FullTextOnly && r.VecRank != 0 || tt.mode == search.VectorOnly && r.FTRank != 0 {
				t.Errorf("%s: result ranked by the other leg: %+v", tt.mode, r)
			}
		}
	}

	// Filters are real columns: professionnels only.
	rs, err := s.Search(ctx, search.Query{Text: pii.Public("prélèvement à la source employeur"), K: 10, Audience: "professionnels"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 {
		t.Fatal("no professionnels result")
	}
	for _, r := range rs {
		if r.Audience != "professionnels" {
			t.Errorf("audience filter leaked %s (%s)", r.DocID, r.Audience)
		}
	}
	rs, err = s.Search(ctx, search.Query{Text: pii.Public("montant"), K: 10, DocID: "F12006"})
	if err != nil || len(rs) == 0 {
		t.Fatalf("doc filter: %v, %d results", err, len(rs))
	}
	for _, r := range rs {
		if r.DocID != "F12006" {
			t.Errorf("doc filter leaked %s", r.DocID)
		}
	}
}

func TestBadQueries(t *testing.T) {
	st := storetest.NewDB(t)
	s := search.New(st, embed.NewLocal(dim), search.Options{})
	for _, q := range []string{"", "   ?! ", strings.Repeat("a", 10000)} {
		_, err := s.Search(context.Background(), search.Query{Text: pii.Public(q)})
		var qe *search.QueryError
		if !errors.As(err, &qe) {
			t.Errorf("query of %d chars: err %v, want QueryError", len(q), err)
		}
	}
	_, err := s.Search(context.Background(), search.Query{Text: pii.Public("apl")})
	if !errors.Is(err, search.ErrNoCorpus) {
		t.Errorf("empty corpus: %v, want ErrNoCorpus", err)
	}
}

func TestIncrementalReloadAndFailures(t *testing.T) {
	st, first := loadSample(t)
	ctx := context.Background()
	emb := embed.NewLocal(dim)
	// Same content again: nothing re-embedded.
	src, _ := corpus.OpenVDD(sample.VDD, corpus.Options{})
	stats, err := (&search.Indexer{Store: st, Embedder: emb}).Load(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if stats.ChunksEmbedded != 0 || stats.ChunksKept != first.Chunks || stats.IDFRebuilt {
		t.Fatalf("reload of identical corpus: %+v", stats)
	}
	// One fiche changed, one removed: only the changed chunks are embedded, the removed fiche disappears.
	var docs []corpus.Document
	for d, err := range src.Documents() {
		if err != nil {
			t.Fatal(err)
		}
		switch d.ID {
		case "F265":
			continue
		case "F12006":
			d.Sections[0].Blocks[0] += " Phrase ajoutée pour le test."
		}
		docs = append(docs, d)
	}
	stats, err = (&search.Indexer{Store: st, Embedder: emb}).Load(ctx, corpus.NewSource(corpus.ServicePublic, docs))
	if err != nil {
		t.Fatal(err)
	}
	if stats.ChunksEmbedded != 1 || stats.DocumentsRemoved != 1 || stats.ChunksRemoved < 2 {
		t.Errorf("incremental stats: %+v", stats)
	}
	var n int
	if err := st.Pool.QueryRow(ctx, "SELECT count(*) FROM corpus_chunks WHERE doc_id = 'F265'").Scan(&n); err != nil || n != 0 {
		t.Errorf("removed fiche still has %d chunks (%v)", n, err)
	}
	before := countChunks(t, st)

	// A malformed fiche fails the load, naming the file, and leaves the corpus as it was.
	bad := fstest.MapFS{
		"particuliers/index.json": {Data: []byte(`["F1","F2"]`)},
		"particuliers/F1.json":    {Data: []byte(`{"id":"F1","children":[{"type":"element","name":"Publication","attributes":{"ID":"F1"},"children":[{"type":"element","name":"dc:title","children":[{"type":"text","text":"T"}]},{"type":"element","name":"Texte","children":[{"type":"element","name":"Paragraphe","children":[{"type":"text","text":"Texte."}]}]}]}]}`)},
		"particuliers/F2.json":    {Data: []byte(`{"id":`)},
	}
	bsrc, err := corpus.OpenVDD(bad, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&search.Indexer{Store: st, Embedder: emb}).Load(ctx, bsrc)
	if err == nil || !strings.Contains(err.Error(), "particuliers/F2.json") {
		t.Fatalf("malformed load: %v", err)
	}
	if after := countChunks(t, st); after != before {
		t.Errorf("failed load changed the corpus: %d chunks, was %d", after, before)
	}

	// Another embedder: refused at load without --reindex, and at query time.
	other := embed.NewLocal(64)
	if _, err := (&search.Indexer{Store: st, Embedder: other}).Load(ctx, corpus.NewSource(corpus.ServicePublic, docs)); !errors.Is(err, search.ErrEmbedderMismatch) {
		t.Errorf("load with another embedder: %v", err)
	}
	if _, err := search.New(st, other, search.Options{}).Search(ctx, search.Query{Text: pii.Public("apl")}); !errors.Is(err, search.ErrEmbedderMismatch) {
		t.Errorf("search with another embedder: %v", err)
	}
	if after := countChunks(t, st); after != before {
		t.Errorf("refused load changed the corpus")
	}
}

func countChunks(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.Pool.QueryRow(context.Background(), "SELECT count(*) FROM corpus_chunks").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLexiconExpand(t *testing.T) {
	l := search.DefaultLexicon()
	tests := []struct{ in, want string }{
		{"mon APL baisse", "mon APL baisse aide personnalisée au logement"},
		{"inscrit à Pole Emploi depuis mars", "inscrit à Pole Emploi depuis mars France Travail Pôle emploi"},
		{"ma carte grise", "ma carte grise certificat d'immatriculation"},
		{"la CAF et la caf", "la CAF et la caf caisse d'allocations familiales"},
		{"rien à voir", "rien à voir"},
		{"grapl", "grapl"},
	}
	for _, tt := range tests {
		if got := l.Expand(tt.in); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
