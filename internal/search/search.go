// Package search finds the passages of the procedure corpus that answer a citizen's question: French full-text
// and vector similarity in one SQL query, fused by reciprocal rank, after normalising how citizens write.
package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// MaxQueryRunes bounds a query: a question, not a document.
const MaxQueryRunes = 2000

// Defaults of Options, tuned on eval/retrieval/questions.jsonl and questions2.jsonl.
const (
	// DefaultCandidates is the number of chunks each leg brings to the fusion: at 100 as at 200 recall@5 is
	// the same, and each leg does half the work.
	DefaultCandidates = 100
	// DefaultRRFK and DefaultVectorWeight make the fusion a plain reciprocal-rank one over the three legs (chunk
	// full text, vectors, whole fiche), each weighing 1, with a small k so that a leg's first fiches count more
	// than fiches every leg ranks middling: the commonest miss on short questions was a fiche one leg put first
	// and the other did not find, beaten by fiches both found far down. Chosen on questions.jsonl and
	// questions2.jsonl (tuning, 381 questions): recall@5 0.719 / 0.619 at k = 20, vector 0.7, no fiche leg;
	// 0.715 / 0.681 now; 0.706 / 0.669 at k = 20 with the fiche leg.
	DefaultRRFK = 10
	// DefaultVectorWeight is the vector leg's weight in the fusion, the full-text leg's being 1.
	DefaultVectorWeight = 1.0
	// DefaultMaxLexemeShare keeps the full-text leg's candidate set small: the GIN index returns every chunk
	// holding one of the words, and each costs a heap visit.
	DefaultMaxLexemeShare = 0.05
)

// MaxK bounds the number of results asked for.
const MaxK = 100

// Mode chooses the legs of the retrieval; FullTextOnly and VectorOnly exist to measure what each leg brings.
type Mode int

// Retrieval modes.
const (
	Hybrid Mode = iota
	FullTextOnly
	VectorOnly
)

func (m Mode) String() string {
	switch m {
	case FullTextOnly:
		return "fulltext"
	case VectorOnly:
		return "vector"
	}
	return "hybrid"
}

// ParseMode reads hybrid, fulltext or vector.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "hybrid", "":
		return Hybrid, nil
	case "fulltext":
		return FullTextOnly, nil
	case "vector":
		return VectorOnly, nil
	}
	return 0, fmt.Errorf("mode %q inconnu (hybrid, fulltext ou vector)", s)
}

// Query is one search. Text has been through the personal-data filter.
type Query struct {
	Text     pii.Redacted
	K        int // results wanted, default 10
	Audience string
	DocID    string
	Theme    string
	Mode     Mode
	// ByDocument keeps the best chunk of each fiche: K ranked fiches instead of K passages.
	ByDocument bool
}

// QueryError is a query the searcher refuses; Message is French, for the person who typed it.
type QueryError struct{ Message string }

func (e *QueryError) Error() string { return e.Message }

// BadInput marks the error as the caller's mistake: the web layer answers 400, the core retrieves nothing.
func (e *QueryError) BadInput() bool { return true }

// ErrNoCorpus is returned when no corpus has been loaded yet (the core's sentinel, so that callers of
// ground.Retrieve see it too).
var ErrNoCorpus = ground.ErrNoCorpus

// Options tune a Searcher; zero values take the defaults.
type Options struct {
	Lexicon *Lexicon // default DefaultLexicon()
	// Organisations maps review organisations to the fiche families they handle, default
	// DefaultOrganisations().
	Organisations *Organisations
	Reranker      *Reranker // nil: no reranking
	// Rewriter asks a model what a review is about before its sources are retrieved; nil (no model
	// configured) keeps the rule-based query alone.
	Rewriter   *QueryRewriter
	Candidates int     // chunks each leg contributes to the fusion, default DefaultCandidates
	RRFK       float64 // default DefaultRRFK
	// FullTextWeight and VectorWeight scale each leg in the fusion, default 1 and DefaultVectorWeight.
	FullTextWeight, VectorWeight float64
	// MaxLexemeShare leaves out of the full-text leg the query words found in more than this share of the
	// chunks (the 3 rarest always stay), default DefaultMaxLexemeShare.
	MaxLexemeShare float64
	// SpreadBonus is added to a fiche's fused score for each further passage of it the legs found, when
	// ranking fiches (ByDocument), default DefaultSpreadBonus; negative disables it.
	SpreadBonus float64
	// DocumentWeight is the weight of the fiche-level full-text leg (BM25 over each whole fiche) when ranking
	// fiches for a question, default DefaultDocumentWeight; negative disables it. Reviews have their own,
	// ReviewOptions.DocumentWeight.
	DocumentWeight float64
	// TitleCoverWeight times the share of a fiche's title words that the question holds is added to the fiche's
	// fused score when ranking fiches (ByDocument, Hybrid), default DefaultQuestionTitleCoverWeight; negative disables
	// it. Reviews have their own, ReviewOptions.TitleCoverWeight.
	TitleCoverWeight float64
	// NameWeight is the weight of the title leg (the question's vector against each fiche's title and
	// breadcrumb) when a question is searched in both legs with the local embedder and no reranker, default
	// DefaultNameWeight; negative disables it. Reviews have their own title search, ReviewOptions.TitleWeight.
	NameWeight float64
}

// DefaultQuestionTitleCoverWeight is the default Options.TitleCoverWeight: a short question often names its
// fiche's title (« porter plainte », « licencié pendant un arrêt maladie ») while the fusion puts first a fiche
// whose passages hold more of its other words. Chosen on the question tuning sets (questions, questions2,
// questions5; 581 questions): recall@1 210 → 220, recall@5 370 → 372 at 0.06 (R@1 +5, R@5 +1 at 0.03; at 0.1
// questions2 recall@5 loses 0.012).
const DefaultQuestionTitleCoverWeight = 0.06

// titleCoverFiches is how many fiches a question's title cover reorders.
const titleCoverFiches = 20

// DefaultSpreadBonus is the default Options.SpreadBonus.
const DefaultSpreadBonus = 0.0

// DefaultDocumentWeight is the default Options.DocumentWeight: a citizen's question often names its situation
// with words spread over several sections of the right fiche, which no single passage holds (questions2.jsonl
// recall@5 0.669 with it, 0.619 without, at the former fusion).
const DefaultDocumentWeight = 1.0

// Searcher answers queries against the stored corpus.
type Searcher struct {
	store *store.Store
	emb   embed.Embedder
	opt   Options

	mu       sync.Mutex
	metaSeen time.Time
	active   embed.Embedder // emb, with the corpus's IDF table for the local embedder
	titles   *titleIndex    // the fiches' name vectors by active, nil without the title leg
}

// New returns a Searcher embedding queries with emb, which must be the embedder that built the corpus.
func New(st *store.Store, emb embed.Embedder, opt Options) *Searcher {
	if opt.Lexicon == nil {
		opt.Lexicon = DefaultLexicon()
	}
	if opt.Organisations == nil {
		opt.Organisations = DefaultOrganisations()
	}
	if opt.Candidates <= 0 {
		opt.Candidates = DefaultCandidates
	}
	if opt.RRFK <= 0 {
		opt.RRFK = DefaultRRFK
	}
	if opt.FullTextWeight == 0 && opt.VectorWeight == 0 {
		opt.FullTextWeight, opt.VectorWeight = 1, DefaultVectorWeight
	}
	if opt.MaxLexemeShare <= 0 {
		opt.MaxLexemeShare = DefaultMaxLexemeShare
	}
	opt.SpreadBonus = weightOr(opt.SpreadBonus, DefaultSpreadBonus)
	opt.DocumentWeight = weightOr(opt.DocumentWeight, DefaultDocumentWeight)
	opt.TitleCoverWeight = weightOr(opt.TitleCoverWeight, DefaultQuestionTitleCoverWeight)
	opt.NameWeight = weightOr(opt.NameWeight, DefaultNameWeight)
	return &Searcher{store: st, emb: emb, opt: opt}
}

// weightOr reads a tuning weight the way every option of this package does: zero (unset) takes the default,
// a negative value switches the weight off, anything else is kept.
func weightOr(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// CheckQuery validates the text of a query: not empty, at most MaxQueryRunes characters.
func CheckQuery(text string) error {
	n := utf8.RuneCountInString(text)
	switch {
	case len(embed.Tokens(nil, text)) == 0:
		return &QueryError{Message: "la recherche est vide : saisissez une question"}
	case n > MaxQueryRunes:
		return &QueryError{Message: fmt.Sprintf("la recherche est trop longue (%d caractères, %d au plus)", n, MaxQueryRunes)}
	}
	return nil
}

// embedder returns the query embedder matching the stored corpus, reloading the IDF table after each load.
func (s *Searcher) embedder(ctx context.Context) (embed.Embedder, int, error) {
	meta, err := s.store.CorpusHead(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, ErrNoCorpus
	}
	if err != nil {
		return nil, 0, err
	}
	if meta.Embedder != s.emb.Name() || meta.Dim != s.emb.Dim() {
		return nil, 0, fmt.Errorf("%w (%s en %d dimensions) ; configuré : %s en %d dimensions",
			ErrEmbedderMismatch, meta.Embedder, meta.Dim, s.emb.Name(), s.emb.Dim())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active != nil && meta.UpdatedAt.Equal(s.metaSeen) {
		return s.active, meta.Dim, nil
	}
	// The corpus changed (or this is the first search): only now is the IDF table worth fetching.
	meta, err = s.store.CorpusMeta(ctx)
	if err != nil {
		return nil, 0, err
	}
	active := s.emb
	if local, ok := s.emb.(*embed.Local); ok && meta.IDF != nil {
		idf, sem, err := embed.LoadCorpusModel(meta.Dim, meta.IDF, meta.Semantic)
		if err != nil {
			return nil, 0, err
		}
		active = local.WithIDF(idf).WithSemantic(sem)
	}
	var titles *titleIndex
	if _, ok := s.emb.(*embed.Local); ok && s.opt.NameWeight > 0 {
		// Only the local embedder: a remote one would be asked for every fiche's name at the first question.
		if titles, err = newTitleIndex(ctx, s.store, active); err != nil {
			return nil, 0, err
		}
	}
	s.active, s.titles, s.metaSeen = active, titles, meta.UpdatedAt
	return active, meta.Dim, nil
}

// Search ranks the passages (or, with ByDocument, the fiches) that best answer q.
func (s *Searcher) Search(ctx context.Context, q Query) ([]ground.Passage, error) {
	if err := CheckQuery(q.Text.String()); err != nil {
		return nil, err
	}
	if q.K <= 0 {
		q.K = 10
	}
	q.K = min(q.K, MaxK)
	sq, err := s.prepare(ctx, q.Text, q.Mode)
	if err != nil {
		return nil, err
	}
	sq.Audience, sq.DocID, sq.Theme = q.Audience, q.DocID, q.Theme
	limit := q.K
	if s.opt.Reranker != nil {
		limit = max(limit, s.opt.Reranker.TopN)
	}
	// A step of the fusion: the single-leg modes, which measure what each leg brings, go without it.
	cover := q.ByDocument && q.Mode == Hybrid && s.opt.Reranker == nil && s.opt.TitleCoverWeight > 0
	if cover {
		// More fiches than asked for, so that one whose title the question names can climb into the first K.
		limit = max(limit, titleCoverFiches)
	}
	sq.Limit = limit
	titles := s.titleLeg(q)
	if titles != nil {
		sq.Limit = max(limit, titlePool)
	}
	// Without a reranker, the store ranks fiches itself; a reranker scores passages, so it gets them all.
	sq.ByDocument = q.ByDocument && s.opt.Reranker == nil
	if q.ByDocument && s.opt.Reranker != nil {
		sq.Limit = max(limit, s.opt.Candidates)
	}
	res, err := s.store.SearchCorpus(ctx, sq)
	if err != nil {
		return nil, err
	}
	if titles != nil {
		res = fuseTitles(res, titles.ranks(sq.Vector, q.Audience, q.Theme, titleDepth), s.opt.NameWeight, s.opt.RRFK)
	}
	if s.opt.Reranker != nil && len(res) > 1 {
		if res, err = s.opt.Reranker.Rerank(ctx, q.Text, res); err != nil {
			return nil, err
		}
	}
	if q.ByDocument {
		res = BestPerDocument(res)
	}
	if cover {
		// The citizen's words, not the lexicon's: its official phrasings would cover every short title they hold.
		words := queryTerms(q.Text)
		for i := range res {
			res[i].Score += s.opt.TitleCoverWeight * titleCover(res[i].Title, words)
		}
		slices.SortStableFunc(res, func(a, b ground.Passage) int { return cmp.Compare(b.Score, a.Score) })
	}
	if len(res) > q.K {
		res = res[:q.K]
	}
	return res, nil
}

// titleLeg returns the fiches' name vectors when q is one the title leg re-ranks: both legs, no reranker (which
// orders passages by itself), no single fiche asked for.
func (s *Searcher) titleLeg(q Query) *titleIndex {
	if q.Mode != Hybrid || s.opt.Reranker != nil || q.DocID != "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.titles
}

// prepare builds the store query of text: the lexicon's official words added, the full-text words and the
// query vector computed as mode asks.
func (s *Searcher) prepare(ctx context.Context, text pii.Redacted, mode Mode) (store.CorpusSearch, error) {
	emb, dim, err := s.embedder(ctx)
	if err != nil {
		return store.CorpusSearch{}, err
	}
	raw := text.String()
	// The lexicon only adds official words to the citizen's own: the text stays as safe as it was.
	expanded := s.opt.Lexicon.Expand(raw)
	sq := store.CorpusSearch{
		Dim: dim, Candidates: s.opt.Candidates, RRFK: s.opt.RRFK,
		FullTextWeight: s.opt.FullTextWeight, VectorWeight: s.opt.VectorWeight,
		SpreadBonus: s.opt.SpreadBonus, MaxLexemeShare: s.opt.MaxLexemeShare, DocumentWeight: s.opt.DocumentWeight,
	}
	if mode != VectorOnly {
		sq.Text = fullTextQuery(expanded)
	}
	if mode != FullTextOnly {
		vs, err := emb.Embed(ctx, []pii.Redacted{pii.Join([]pii.Redacted{text, lexiconSuffix(raw, expanded)}, pii.Redacted{})})
		if err != nil {
			return store.CorpusSearch{}, fmt.Errorf("search: %w", err)
		}
		sq.Vector = vs[0]
	}
	return sq, nil
}

// lexiconSuffix is what the lexicon appended to the query: official words from Plume's own file.
func lexiconSuffix(raw, expanded string) pii.Redacted {
	return pii.Public(expanded[len(raw):])
}

// BestPerDocument keeps the first (best) result of each fiche, in order.
func BestPerDocument(rs []ground.Passage) []ground.Passage {
	seen := map[string]bool{}
	out := rs[:0:0]
	for _, r := range rs {
		if seen[r.DocID] {
			continue
		}
		seen[r.DocID] = true
		out = append(out, r)
	}
	return out
}

// fullTextQuery keeps the words of text that say what it is about: question words and function words
// (comment, combien, peux…) match titles such as « Combien coûte un passeport ? » without being the subject.
func fullTextQuery(text string) string {
	words := embed.Tokens(nil, text)
	out := words[:0]
	for _, w := range words {
		if !embed.IsStopword(w) {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}
