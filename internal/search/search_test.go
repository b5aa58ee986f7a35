package search_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	sample "github.com/plume-services/plume/corpus"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/search/searchtest"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

const dim = 384

// sampleStats is what the first load of the sample corpus into an empty database reported: written by the
// fixture's load, once per test process, before any storetest.NewDB of it returns.
var sampleStats search.LoadStats

// loadSample returns a database holding the sample corpus and the statistics of its load, a first load; the
// corpus is loaded once per test process and copied.
func loadSample(t *testing.T) (*store.Store, search.LoadStats) {
	t.Helper()
	st := storetest.NewDB(t, storetest.Fixture{Name: fmt.Sprintf("vdd_stats%d", dim), Load: func(ctx context.Context, s *store.Store) (err error) {
		sampleStats, err = searchtest.LoadSample(ctx, s, dim)
		return err
	}})
	return st, sampleStats
}

// filled says which parts of a search result are there.
type filled struct{ URL, Title, Text, PositiveScore bool }

func TestLoadAndSearchSample(t *testing.T) {
	t.Parallel()
	st, stats := loadSample(t)
	type firstLoad struct {
		Documents                                                    int
		EveryChunkEmbedded, IDFRebuilt, IndexBuilt, AtLeast1000Words bool
	}
	got := firstLoad{stats.Documents, stats.ChunksEmbedded == stats.Chunks, stats.IDFRebuilt, stats.IndexBuilt, stats.SemanticWords >= 1000}
	if diff := cmp.Diff(firstLoad{62, true, true, true, true}, got); diff != "" {
		t.Fatalf("first load (-want +got):\n%s\n%+v", diff, stats)
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
		// No word of the fiche's title: the word vectors and the lexical features of the body find it.
		{"j'ai fait une bêtise dans ce que j'ai envoyé aux impôts", "F33885", search.VectorOnly},
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
			got := filled{r.URL != "", r.Title != "", r.Text != "", r.Score > 0}
			if diff := cmp.Diff(filled{true, true, true, true}, got); diff != "" {
				t.Errorf("%q: incomplete result (-want +got):\n%s\n%+v", tt.query, diff, r)
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
	t.Parallel()
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
	t.Parallel()
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
	// The corpus model (IDF and word vectors) is kept with the vectors it built.
	metaFirst, err := st.CorpusMeta(ctx)
	if err != nil || metaFirst.Semantic == nil {
		t.Fatalf("no word vectors stored after the first load (%v)", err)
	}
	// One fiche changed, one removed: only the changed chunks are embedded, the removed fiche disappears.
	var docs []corpus.Document
	for d, err := range src.Documents {
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
	stats, err = (&search.Indexer{Store: st, Embedder: emb}).Load(ctx, inMemory(docs))
	if err != nil {
		t.Fatal(err)
	}
	if stats.ChunksEmbedded != 1 || stats.DocumentsRemoved != 1 || stats.ChunksRemoved < 2 {
		t.Errorf("incremental stats: %+v", stats)
	}
	if meta, err := st.CorpusMeta(ctx); err != nil || !bytes.Equal(meta.Semantic, metaFirst.Semantic) || !bytes.Equal(meta.IDF, metaFirst.IDF) {
		t.Errorf("an incremental load changed the corpus model (%v)", err)
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
	if _, err := (&search.Indexer{Store: st, Embedder: other}).Load(ctx, inMemory(docs)); !errors.Is(err, search.ErrEmbedderMismatch) {
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
	t.Parallel()
	l := search.DefaultLexicon()
	tests := []struct{ in, want string }{
		{"mon APL baisse", "mon APL baisse aide personnalisée au logement"},
		{"inscrit à Pole Emploi depuis mars", "inscrit à Pole Emploi depuis mars France Travail Pôle emploi"},
		{"ma carte grise", "ma carte grise certificat d'immatriculation"},
		{"la CAF et la caf", "la CAF et la caf caisse d'allocations familiales"},
		{"notre club de pétanque", "notre club de pétanque association"},
		{"le fisc me relance", "le fisc me relance impôts administration fiscale"},
		{"rien à voir", "rien à voir"},
		{"grapl", "grapl"},
	}
	for _, tt := range tests {
		if got := l.Expand(tt.in); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The word vectors learned from the sample fiches put together the words of one procedure.
func TestSemanticNeighboursOnSample(t *testing.T) {
	t.Parallel()
	src, err := corpus.OpenVDD(sample.VDD, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := embed.NewSemanticBuilder()
	for d, err := range src.Documents {
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range (corpus.Chunker{}).Chunks(d) {
			b.Add(c.Heading() + "\n" + c.Text)
		}
	}
	s := b.Build(embed.SemanticDim(dim))
	if s == nil {
		t.Fatal("no word vectors learned from the sample")
	}
	tests := []struct{ word, near string }{
		{"passeport", "ident"},             // carte d'identité
		{"licenciement", "ruptur"},         // rupture conventionnelle
		{"mariage", "pacs"},                // the other union
		{"chômage", "emploi"},              // retour à l'emploi
		{"naissance", "acte"},              // acte de naissance
		{"retraite", "trimestr"},           // trimestres cotisés
		{"voiture", "vehicul"},             // the fiches' word
		{"décès", "succession"},            // what follows a death
		{"enfants", "paje"},                // prestation d'accueil du jeune enfant
		{"loyer", "bail"},                  // the lease
		{"licenciements", "conventionnel"}, // inflected as typed
	}
	for _, tt := range tests {
		if got := s.Nearest(tt.word, 10); !slices.Contains(got, tt.near) {
			t.Errorf("Nearest(%q) = %v, want %q among them", tt.word, got, tt.near)
		}
	}
}

// The full-text leg scores with every word of the question (BM25F): a passage holding the rare word and the
// question's common words outranks one holding the rare word alone, and a title match outranks a body match.
func TestFullTextBM25(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := loadWithCommon(t, func(int) string { return "Les familles qui déménagent demandent une prime." },
		oneBlockDoc("F1", "Aide au transport", "La subvention quinquennale concerne les communes rurales."),
		oneBlockDoc("F2", "Prime pour les familles", "La subvention quinquennale est versée aux familles qui déménagent, avec une prime de déménagement."),
		oneBlockDoc("F3", "Subvention quinquennale", "Conditions générales."))
	s := search.New(st, embed.NewLocal(dim), search.Options{})
	rank := func(q string) []string {
		rs, err := s.Search(ctx, search.Query{Text: pii.Public(q), K: 5, ByDocument: true, Mode: search.FullTextOnly})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.DocID)
		}
		return ids
	}
	if got := rank("subvention quinquennale pour une famille qui déménage"); len(got) < 3 || got[0] != "F3" || got[1] != "F2" {
		t.Errorf("ranking %v: want the title match F3, then F2 (rare and common words), before F1", got)
	}
	if got := rank("prime famille déménagement subvention"); len(got) < 2 || got[0] != "F2" {
		t.Errorf("ranking %v: want F2, which holds every word, first", got)
	}
}

// TestDocumentLeg checks the fiche-level full-text leg: a fiche whose query words are spread over several
// sections ranks first when it leads, a fiche no chunk leg found still comes with its passages, and a reload
// rebuilds the fiche statistics.
func TestDocumentLeg(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	ctx := context.Background()
	doc := func(id, title string, sections ...string) corpus.Document {
		d := corpus.Document{ID: id, Audience: "particuliers", Kind: "F", Title: title, URL: "https://example.org/" + id}
		for i, s := range sections {
			d.Sections = append(d.Sections, corpus.Section{Path: []string{fmt.Sprintf("Partie %d", i+1)}, Blocks: []string{s}})
		}
		return d
	}
	docs := []corpus.Document{
		// Each of its sections holds one word of the query: no passage holds two.
		doc("F10", "Titre de voyage", "Le passeport.", "Le consulat.", "La naturalisation.", "Le décret."),
		// One passage holds three words of the query, the fiche no other.
		doc("F20", "Voyager", "Le passeport au consulat après la naturalisation."),
	}
	// Long fiches of common words: the two short ones are not penalised for their length.
	filler := strings.Repeat("La demande est instruite par le service compétent dans un délai raisonnable après réception du dossier complet. ", 4)
	for i := range 30 {
		docs = append(docs, doc(fmt.Sprintf("F%d", 100+i), "Démarches", filler))
	}
	load := func(docs []corpus.Document) {
		t.Helper()
		if _, err := (&search.Indexer{Store: st, Embedder: embed.NewLocal(dim)}).Load(ctx, inMemory(docs)); err != nil {
			t.Fatal(err)
		}
	}
	load(docs)
	q := store.CorpusSearch{Text: "passeport consulat naturalisation décret", Dim: dim, ByDocument: true, Limit: 3,
		PassagesPerDocument: 2, FullTextWeight: 1e-6, VectorWeight: 1e-6, DocumentWeight: 1}
	ids := func(q store.CorpusSearch) ([]string, []ground.Passage) {
		t.Helper()
		rs, err := st.SearchCorpus(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			if !slices.Contains(out, r.DocID) {
				out = append(out, r.DocID)
			}
		}
		return out, rs
	}
	if got, _ := ids(q); len(got) == 0 || got[0] != "F10" {
		t.Errorf("fiche-level leg first: %v, want F10 first", got)
	}
	// One chunk per chunk leg: F10 is found by the fiche-level leg alone, and still gets two passages, those
	// sharing most words with the query.
	q.Candidates = 1
	got, rs := ids(q)
	if !slices.Contains(got, "F10") {
		t.Fatalf("fiches %v lack F10", got)
	}
	var f10 []ground.Passage
	for _, r := range rs {
		if r.DocID == "F10" {
			f10 = append(f10, r)
		}
	}
	if len(f10) != 2 || f10[0].FTRank != 0 && f10[0].BM25 != 0 {
		t.Fatalf("passages of a fiche only the fiche-level leg found: %+v", f10)
	}
	for _, p := range f10 {
		hasWord := slices.ContainsFunc(strings.Fields(q.Text), func(w string) bool { return strings.Contains(p.Text, w) })
		if !hasWord || p.URL == "" || p.Title != "Titre de voyage" {
			t.Errorf("passage of F10: %+v", p)
		}
	}
	// Without the leg, the passage holding three words wins.
	q.Candidates, q.DocumentWeight, q.FullTextWeight = 0, 0, 1
	if got, _ := ids(q); len(got) == 0 || got[0] != "F20" {
		t.Errorf("chunk legs only: %v, want F20 first", got)
	}
	// A reload without F10 drops its statistics: the leg no longer finds it.
	load(docs[1:])
	q.DocumentWeight, q.FullTextWeight = 1, 1e-6
	if got, _ := ids(q); slices.Contains(got, "F10") {
		t.Errorf("removed fiche still found: %v", got)
	}
}

// oneBlockDoc is a fiche of the particuliers whose text is one block, in a section without a path.
func oneBlockDoc(id, title, body string) corpus.Document {
	return corpus.Document{ID: id, Audience: "particuliers", Kind: "F", Title: title, URL: "https://example.org/" + id,
		Sections: []corpus.Section{{Blocks: []string{body}}}}
}

// loadWithCommon loads docs into a fresh database with 40 fiches of common words (the i-th's text common(i)), so
// that IDF tells the docs' rare words from them.
func loadWithCommon(t *testing.T, common func(i int) string, docs ...corpus.Document) *store.Store {
	t.Helper()
	st := storetest.NewDB(t)
	for i := range 40 {
		docs = append(docs, oneBlockDoc(fmt.Sprintf("F%d", 100+i), "Famille et logement", common(i)))
	}
	if _, err := (&search.Indexer{Store: st, Embedder: embed.NewLocal(dim)}).Load(context.Background(), inMemory(docs)); err != nil {
		t.Fatal(err)
	}
	return st
}

// inMemory is a source of service-public.fr fiches over documents already in memory.
func inMemory(docs []corpus.Document) *corpus.Source {
	return &corpus.Source{Name: corpus.ServicePublic, Total: len(docs), Documents: func(yield func(corpus.Document, error) bool) {
		for _, d := range docs {
			if !yield(d, nil) {
				return
			}
		}
	}}
}

// TestQuestionTitleCover checks that a question naming a fiche's whole title puts that fiche before one whose text
// holds more of the question's words, and that a negative weight turns the bonus off.
func TestQuestionTitleCover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := loadWithCommon(t, func(int) string { return "Les familles qui déménagent demandent une aide." },
		oneBlockDoc("F1", "Porter plainte", "La victime d'une infraction se rend au commissariat ou à la gendarmerie."),
		oneBlockDoc("F2", "Cycles et deux-roues : démarches après un vol", "Après le vol d'un vélo, il faut porter plainte "+
			"au commissariat : la plainte pour le vol du vélo est demandée par l'assureur du vélo."))
	tests := []struct {
		name   string
		weight float64
		want   []string
	}{
		{"the named title first", 0, []string{"F1", "F2"}},
		{"without the bonus, the fiche with most words", -1, []string{"F2", "F1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := search.New(st, embed.NewLocal(dim), search.Options{TitleCoverWeight: tt.weight})
			rs, err := s.Search(ctx, search.Query{Text: pii.Public("on m'a volé mon vélo, comment porter plainte ?"), K: 2, ByDocument: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				got = append(got, r.DocID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fiches (-want +got):\n%s", diff)
			}
		})
	}
}
