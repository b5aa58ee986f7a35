package search

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
)

// Defaults of the review retrieval, tuned on the dev split of eval/retrieval/reviews.jsonl.
const (
	// DefaultReviewFiches is the number of distinct fiches a reply is grounded in: the right fiche is fifth
	// often enough on long reviews (dev recall@5 0.929 with five, 0.893 with four).
	DefaultReviewFiches = 5
	// DefaultPassagesPerFiche is the number of best passages given for each fiche.
	DefaultPassagesPerFiche = 2
	// DefaultOrganisationBoost is added to the fused score of a fiche of the families the review's
	// organisation handles (a fiche ranked first by both legs scores about 0.08).
	DefaultOrganisationBoost = 0.01
	// A review is taken for praise or a complaint about the service, and cites no fiche, when its sentences
	// with procedure words only, minus DefaultServiceWeight times those with service words only, plus
	// DefaultMixedWeight times those with both (a procedure followed through a channel), minus
	// DefaultConductWeight times its words judging how the citizen was treated, plus DefaultQuestionWeight
	// times its questions (at most MaxQuestions; ReviewQuery.Questions), fall below DefaultMinProcedure.
	// Counting sentences rather than words keeps a long real review that follows a démarche by phone and mail
	// from being taken for a complaint about the phone line; a review that says nothing of the service (no
	// sentence with a service word, no conduct word) but names a procedure never abstains
	// (ReviewQuery.abstains). Chosen on the tuning sets (reviews.jsonl dev / test, real43; procedure recall@5 /
	// no-procedure without fiche): 0.946/0.917, 0.857/0.875, 0.500/0.667, against 0.946/0.958, 0.857/0.958,
	// 0.409/0.619 for the former count of words (cues − 2 × service words). Session 7, over the six review
	// tuning sets (507 procedure, 253 no-procedure reviews): the questions asked without a question mark keep
	// the 7 procedure reviews that abstained (recall@5 464 → 471), and a service word beside a procedure word
	// now counts as speaking of the service (no-procedure reviews without fiche 224 → 233), no procedure review
	// lost to either.
	DefaultServiceWeight  = 1.0
	DefaultMixedWeight    = 0.5
	DefaultConductWeight  = 1.0
	DefaultQuestionWeight = 2.0
	MaxQuestions          = 2
	DefaultMinProcedure   = 2.5
	// DefaultReviewDocumentWeight is the weight of the fiche-level full-text leg for a review, the chunk
	// legs' being 1 and DefaultVectorWeight: a review names several facets of its procedure, which the right
	// fiche holds in different sections.
	DefaultReviewDocumentWeight = 1.0
	// DefaultTitleWeight scales the fused scores of a second search made with the review's title alone, added to
	// those of the whole review's: a Services Publics+ title is short and often names the démarche (« demande
	// Aspa », « prime d'activité saisonnier agricole »), which the narrative of a long review drowns. Chosen on
	// the tuning sets (reviews.jsonl dev and test, real43; procedure reviews, no abstention): recall@5 0.929 /
	// 0.839 / 0.591 without it, 0.929 / 0.857 / 0.682 at 0.3–0.6.
	DefaultTitleWeight = 0.4
	// DefaultTitleCoverWeight times the share of a fiche's title words that the review's query holds is added to
	// the fiche's fused score: the fiches of one family (« RSA jeune actif », « RSA parent isolé ») share their
	// passages' words, and what tells them apart — the situation, the document, the delay — is in their title.
	// Chosen on the tuning sets (reviews.jsonl dev and test, real43, reviews5; procedure reviews, no
	// abstention): recall@1 over the 214 of them 0.673 without it, 0.706 at 0.06 (0.696–0.710 from 0.03 to 0.10),
	// recall@5 0.925 → 0.930.
	DefaultTitleCoverWeight = 0.06
	// DefaultReviewQueryTF caps how many times a word the review's query repeats counts in the full-text scores:
	// once. Counting a repeated word up to twice (« RSA suspendu … mon RSA … le RSA », 53d1337) won 3 of 214
	// procedure reviews at recall@5 on the four tuning sets of session 6 but did not carry to the next ones; over
	// the six review tuning sets of session 7 (reviews, reviews2 to reviews6; 507 procedure reviews) it ties at
	// recall@5 (464 at 1, 464 at 2, 463 at 3) and loses at recall@1 (343 at 1, 338 at 2, 339 at 3), reviews6
	// alone 0.576 / 0.765 at 1 against 0.518 / 0.753 at 2; the no-fiche shares do not depend on it.
	DefaultReviewQueryTF = 1
)

// ReviewOptions tune ReviewSources; zero values take the defaults.
type ReviewOptions struct {
	Fiches            int     // default DefaultReviewFiches
	PassagesPerFiche  int     // default DefaultPassagesPerFiche
	QueryRunes        int     // default DefaultReviewQueryRunes
	OrganisationBoost float64 // default DefaultOrganisationBoost; negative disables it
	ServiceWeight     float64 // default DefaultServiceWeight
	MixedWeight       float64 // default DefaultMixedWeight; negative: mixed sentences do not count
	ConductWeight     float64 // default DefaultConductWeight; negative: conduct words do not count
	QuestionWeight    float64 // default DefaultQuestionWeight; negative: questions do not count
	MinProcedure      float64 // default DefaultMinProcedure
	DocumentWeight    float64 // default DefaultReviewDocumentWeight; negative disables the fiche-level leg
	TitleWeight       float64 // default DefaultTitleWeight; negative disables the title search
	TitleCoverWeight  float64 // default DefaultTitleCoverWeight; negative: fiche titles give no bonus
	QueryTF           int     // default DefaultReviewQueryTF; 1 counts each word of the query once
	// NoAbstain returns the best fiches even when retrieval would abstain, to calibrate the thresholds.
	NoAbstain bool
	// NoRewrite keeps the rule-based query even when the searcher has a QueryRewriter, to compare.
	NoRewrite bool
}

func (o ReviewOptions) withDefaults() ReviewOptions {
	if o.Fiches <= 0 {
		o.Fiches = DefaultReviewFiches
	}
	if o.PassagesPerFiche <= 0 {
		o.PassagesPerFiche = DefaultPassagesPerFiche
	}
	if o.QueryRunes <= 0 {
		o.QueryRunes = DefaultReviewQueryRunes
	}
	o.OrganisationBoost = weightOr(o.OrganisationBoost, DefaultOrganisationBoost)
	if o.ServiceWeight == 0 {
		o.ServiceWeight = DefaultServiceWeight
	}
	o.MixedWeight = weightOr(o.MixedWeight, DefaultMixedWeight)
	o.ConductWeight = weightOr(o.ConductWeight, DefaultConductWeight)
	o.QuestionWeight = weightOr(o.QuestionWeight, DefaultQuestionWeight)
	if o.MinProcedure == 0 {
		o.MinProcedure = DefaultMinProcedure
	}
	o.DocumentWeight = weightOr(o.DocumentWeight, DefaultReviewDocumentWeight)
	o.TitleWeight = weightOr(o.TitleWeight, DefaultTitleWeight)
	o.TitleCoverWeight = weightOr(o.TitleCoverWeight, DefaultTitleCoverWeight)
	if o.QueryTF <= 0 {
		o.QueryTF = DefaultReviewQueryTF
	}
	return o
}

// Fiche is one fiche a reply may be grounded in, with its best passages, best first.
type Fiche struct {
	DocID, Title, URL string
	Score             float64
	Passages          []ground.Passage
}

// Sources are the fiches retrieved for a review, best first, or an abstention: no fiche is relevant enough,
// and quoting an unrelated fiche to a citizen is worse than quoting none.
type Sources struct {
	Query ReviewQuery
	// Rewritten is the model's account of the review that leads Query.Text, zero when no model rewrote it;
	// RewriteErr is why the model could not, the rule-based query then being used alone.
	Rewritten  pii.Redacted
	RewriteErr error
	Fiches     []Fiche
	Abstained  bool
	// Best is the fused score of the best fiche before abstention (0 when none was found), BestSimilarity
	// and BestBM25 its passages' best scores in each leg, to calibrate.
	Best, BestSimilarity, BestBM25 float64
}

// Passages returns the passages of the fiches in order: each fiche's best passages, fiche after fiche.
func (s Sources) Passages() []ground.Passage {
	var out []ground.Passage
	for _, f := range s.Fiches {
		out = append(out, f.Passages...)
	}
	return out
}

// ReviewSources retrieves the fiches a reply to the review should be grounded in: a query built from the
// review (BuildReviewQuery), the fiches of the organisation's families favoured, up to opt.Fiches distinct
// fiches each with its best passages, or an abstention when the review speaks of how it was served more than
// of a procedure and asks nothing (ReviewQuery.Cues against ServiceCues and Questions).
func (s *Searcher) ReviewSources(ctx context.Context, r Review, opt ReviewOptions) (Sources, error) {
	opt = opt.withDefaults()
	q := BuildReviewQuery(r, opt.QueryRunes)
	out := Sources{Query: q}
	// The fiche titles are matched against the citizen's words only: the model's rewrite is already in the
	// fiches' vocabulary, and its near-title phrasing would favour every short title it happens to cover.
	citizen := q.Text
	if s.opt.Rewriter != nil && !opt.NoRewrite {
		// The model's words lead, the citizen's follow: a wrong rewrite still leaves the rule-based query.
		out.Rewritten, out.RewriteErr = s.opt.Rewriter.Rewrite(ctx, r)
		if !out.Rewritten.IsZero() {
			q.Text = pii.Join([]pii.Redacted{out.Rewritten, q.Text}, pii.Const("\n"))
		}
	}
	if CheckQuery(q.Text.String()) != nil {
		out.Abstained = !opt.NoAbstain
		return out, nil
	}
	sq, err := s.prepare(ctx, q.Text, Hybrid)
	if errors.Is(err, ErrNoCorpus) {
		return out, err
	}
	if err != nil {
		return out, err
	}
	// More fiches than given, so that the organisation's can climb into the first ones.
	sq.ByDocument = true
	sq.MaxQueryTF = opt.QueryTF
	sq.DocumentWeight = opt.DocumentWeight
	sq.PassagesPerDocument = opt.PassagesPerFiche
	sq.Limit = max(opt.Fiches*5, 20)
	res, err := s.store.SearchCorpus(ctx, sq)
	if err != nil {
		return out, err
	}
	fiches := groupFiches(res)
	if !q.Title.IsZero() && opt.TitleWeight > 0 {
		if fiches, err = s.addTitleSearch(ctx, q.Title, fiches, opt); err != nil {
			return out, err
		}
	}
	if opt.TitleCoverWeight > 0 {
		addTitleCover(citizen, fiches, opt.TitleCoverWeight)
	}
	if s.opt.Reranker != nil && len(fiches) > 1 {
		if fiches, err = s.rerankFiches(ctx, q.Text, fiches); err != nil {
			return out, err
		}
	}
	if fam := s.opt.Organisations.Families(r.Organisation); len(fam) > 0 && opt.OrganisationBoost > 0 {
		for i := range fiches {
			p := fiches[i].Passages[0]
			if InFamilies(fam, p.Theme, p.Breadcrumb) {
				fiches[i].Score += opt.OrganisationBoost
			}
		}
		sortFiches(fiches)
	}
	if len(fiches) > opt.Fiches {
		fiches = fiches[:opt.Fiches]
	}
	if len(fiches) > 0 {
		out.Best = fiches[0].Score
		for _, p := range fiches[0].Passages {
			out.BestSimilarity = max(out.BestSimilarity, p.Similarity)
			out.BestBM25 = max(out.BestBM25, p.BM25)
		}
	}
	if !opt.NoAbstain && q.abstains(opt) {
		out.Abstained = true
		return out, nil
	}
	out.Fiches = fiches
	return out, nil
}

// addTitleSearch searches the fiches with the review's cleaned title alone, as a short question is searched,
// and adds opt.TitleWeight times each fiche's fused score there to its score for the whole review; a fiche only
// the title found enters with its passages of that search. The fiches are returned by the new score.
func (s *Searcher) addTitleSearch(ctx context.Context, title pii.Redacted, fiches []Fiche, opt ReviewOptions) ([]Fiche, error) {
	if CheckQuery(title.String()) != nil {
		return fiches, nil
	}
	sq, err := s.prepare(ctx, title, Hybrid)
	if err != nil {
		return nil, err
	}
	sq.ByDocument = true
	sq.PassagesPerDocument = opt.PassagesPerFiche
	sq.Limit = max(opt.Fiches*4, 20)
	res, err := s.store.SearchCorpus(ctx, sq)
	if err != nil {
		return nil, err
	}
	idx := make(map[string]int, len(fiches))
	for i, f := range fiches {
		idx[f.DocID] = i
	}
	for _, f := range groupFiches(res) {
		if i, ok := idx[f.DocID]; ok {
			fiches[i].Score += opt.TitleWeight * f.Score
			continue
		}
		f.Score *= opt.TitleWeight
		fiches = append(fiches, f)
	}
	sortFiches(fiches)
	return fiches, nil
}

// addTitleCover adds weight times the share of each fiche's title words (light stems, stopwords out) found in
// the query to the fiche's score, and orders the fiches by the new score.
func addTitleCover(query pii.Redacted, fiches []Fiche, weight float64) {
	words := queryTerms(query)
	for i, f := range fiches {
		fiches[i].Score += weight * titleCover(f.Title, words)
	}
	sortFiches(fiches)
}

// titleCover is the share of a title's words (light stems, stopwords out) found in words.
func titleCover(title string, words map[string]bool) float64 {
	terms := embed.ContentTerms(title)
	if len(terms) == 0 {
		return 0
	}
	found := 0
	for _, t := range terms {
		if words[t] {
			found++
		}
	}
	return float64(found) / float64(len(terms))
}

// queryTerms is the set of a query's content words, as titleCover matches them.
func queryTerms(query pii.Redacted) map[string]bool {
	words := map[string]bool{}
	for _, t := range embed.ContentTerms(query.String()) {
		words[t] = true
	}
	return words
}

// sortFiches orders fiches by score, best first, keeping the order of equal ones.
func sortFiches(fiches []Fiche) {
	slices.SortStableFunc(fiches, func(a, b Fiche) int { return cmp.Compare(b.Score, a.Score) })
}

// abstains reports whether the review's reply cites no fiche: its procedure score is below opt.MinProcedure
// and it speaks of the service (a sentence naming a counter, a phone line, a website, an agent, alone or beside
// a procedure word — a wait beside a démarche is its delay; a word about the treatment) or names no procedure at
// all. A short review that names a
// démarche and says nothing of the service keeps its fiches, however few its sentences.
func (q ReviewQuery) abstains(opt ReviewOptions) bool {
	judged := q.ServiceSentences+q.Conduct+q.ChannelSentences > 0 || q.ProcedureSentences+q.MixedSentences == 0
	return judged && q.procedureScore(opt) < opt.MinProcedure
}

// procedureScore weighs what the review says of a procedure against what it says of the service: below
// opt.MinProcedure, its reply cites no fiche.
func (q ReviewQuery) procedureScore(opt ReviewOptions) float64 {
	return float64(q.ProcedureSentences) - opt.ServiceWeight*float64(q.ServiceSentences) +
		opt.MixedWeight*float64(q.MixedSentences) - opt.ConductWeight*float64(q.Conduct) +
		opt.QuestionWeight*float64(min(q.Questions, MaxQuestions))
}

// groupFiches gathers the passages of each fiche, in the order of the fiches.
func groupFiches(rs []ground.Passage) []Fiche {
	var out []Fiche
	idx := map[string]int{}
	for _, r := range rs {
		i, ok := idx[r.DocID]
		if !ok {
			i = len(out)
			idx[r.DocID] = i
			out = append(out, Fiche{DocID: r.DocID, Title: r.Title, URL: r.URL, Score: r.Score})
		}
		out[i].Passages = append(out[i].Passages, r)
	}
	return out
}

// rerankFiches reorders the fiches by the cross-encoder's score of their best passage.
func (s *Searcher) rerankFiches(ctx context.Context, query pii.Redacted, fiches []Fiche) ([]Fiche, error) {
	best := make([]ground.Passage, len(fiches))
	for i, f := range fiches {
		best[i] = f.Passages[0]
		best[i].Score = float64(i) // the position, to find the fiche again
	}
	ranked, err := s.opt.Reranker.Rerank(ctx, query, best)
	if err != nil {
		return nil, err
	}
	out := make([]Fiche, 0, len(fiches))
	for _, r := range ranked {
		for i, f := range fiches {
			if f.DocID == r.DocID {
				out = append(out, fiches[i])
				break
			}
		}
	}
	return out, nil
}
