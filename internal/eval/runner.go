package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
)

// Retriever ranks fiches for a citizen's question: document ids, best first.
type Retriever interface {
	Rank(ctx context.Context, query string, k int) ([]string, error)
}

// SearchRetriever is the production search behind the filter, as the retrieval of a draft uses it.
type SearchRetriever struct {
	Searcher *search.Searcher
	Filter   *pii.Filter
	Mode     search.Mode
}

// Rank filters the question, then searches fiches (one entry per fiche).
func (r SearchRetriever) Rank(ctx context.Context, query string, k int) ([]string, error) {
	if err := search.CheckQuery(query); err != nil {
		return nil, err
	}
	red, err := r.Filter.Redact(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("filtre : %w", err)
	}
	rs, err := r.Searcher.Search(ctx, search.Query{Text: red.Text, K: k, Mode: r.Mode, ByDocument: true})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rs))
	for i, x := range rs {
		ids[i] = x.DocID
	}
	return ids, nil
}

// QuestionScorer scores the retrieval of one labelled question.
type QuestionScorer struct {
	Retriever Retriever
	K         int // fiches ranked, at least 10 so that recall@10 and nDCG@10 mean what they say
}

// QuestionDetails is what a report shows of one question besides its metrics.
type QuestionDetails struct {
	Relevant []string `json:"relevant"`
	Ranked   []string `json:"ranked"`
	Far      bool     `json:"far"`
}

// Score ranks fiches for q and scores the ranking with the retrieval metrics.
func (s *QuestionScorer) Score(ctx context.Context, q RetrievalItem) (store.EvalItem, error) {
	out := store.EvalItem{ItemID: q.ID, Output: q.Query, Metrics: map[string]float64{}}
	k := max(s.K, 10)
	start := time.Now()
	ranked, err := s.Retriever.Rank(ctx, q.Query, k)
	out.LatencyMS = ms(time.Since(start))
	if err != nil {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		out.Error = err.Error()
		return out, nil
	}
	sc := ScoreRanking(ranked, q.Relevant)
	out.Metrics[MetricRecall1] = sc.Recall1
	out.Metrics[MetricRecall5] = sc.Recall5
	out.Metrics[MetricRecall10] = sc.Recall10
	out.Metrics[MetricMRR] = sc.MRR
	out.Metrics[MetricNDCG10] = sc.NDCG10
	out.Metrics[MetricLatencyMS] = out.LatencyMS
	out.Details, err = json.Marshal(QuestionDetails{Relevant: q.Relevant, Ranked: DedupDocs(ranked), Far: q.Far})
	return out, err
}

// Progress is a run's advance, for a progress line.
type Progress struct {
	Done, Total int // items stored by this run, resumed ones included
	Skipped     int // items already stored when the run (re)started
	Failed      int // items stored with an error
}

// Runner runs a dataset through a scorer and stores each item as soon as it is scored, so that an
// interrupted run loses at most the items in flight.
type Runner struct {
	Store       *store.Store
	Reviews     *ReviewScorer   // for reviews datasets
	Questions   *QuestionScorer // for questions datasets
	Concurrency int             // items scored at once, default 1
	OnProgress  func(Progress)  // called after each item, from one goroutine at a time
}

// RunStats says what Run did.
type RunStats struct {
	Skipped, Scored, Failed int
	Complete                bool // every item of the dataset (or of the limit) is stored; the run is marked finished
	Elapsed                 time.Duration
}

// Run scores the items of ds that run has not stored yet, the first limit of them when limit > 0, and marks the
// run finished when none is left. It stops at the first storage error or when ctx ends, returning the context's
// error: what was stored stays, and Run on the same run continues from there.
func (r *Runner) Run(ctx context.Context, run store.EvalRun, ds *Dataset, limit int) (RunStats, error) {
	start := time.Now()
	var stats RunStats
	if run.Kind != ds.Kind {
		return stats, fmt.Errorf("eval: la campagne %d porte sur un jeu %q, pas %q", run.ID, run.Kind, ds.Kind)
	}
	if run.DatasetDigest != "" && run.DatasetDigest != ds.Digest {
		return stats, fmt.Errorf("eval: le jeu %s a changé depuis le début de la campagne %d : reprise impossible", ds.Path, run.ID)
	}
	done, err := r.Store.EvalItemIDs(ctx, run.ID)
	if err != nil {
		return stats, err
	}
	type task struct {
		pos   int
		score func(context.Context) (store.EvalItem, error)
	}
	var tasks []task
	total := ds.Len()
	if limit > 0 && limit < total {
		total = limit
	}
	for pos, id := range ds.IDs()[:total] {
		if done[id] {
			stats.Skipped++
			continue
		}
		switch ds.Kind {
		case KindReviews:
			if r.Reviews == nil {
				return stats, errors.New("eval: aucun évaluateur de brouillons configuré")
			}
			it := ds.Reviews[pos]
			tasks = append(tasks, task{pos, func(ctx context.Context) (store.EvalItem, error) { return r.Reviews.Score(ctx, it) }})
		case KindQuestions:
			if r.Questions == nil {
				return stats, errors.New("eval: aucun évaluateur de recherche configuré")
			}
			q := ds.Questions[pos]
			tasks = append(tasks, task{pos, func(ctx context.Context) (store.EvalItem, error) { return r.Questions.Score(ctx, q) }})
		}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan task)
	var mu sync.Mutex
	report := func(failed bool) {
		mu.Lock()
		defer mu.Unlock()
		stats.Scored++
		if failed {
			stats.Failed++
		}
		if r.OnProgress != nil {
			r.OnProgress(Progress{Done: stats.Skipped + stats.Scored, Total: total, Skipped: stats.Skipped, Failed: stats.Failed})
		}
	}
	var wg sync.WaitGroup
	for range max(r.Concurrency, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range work {
				item, err := t.score(ctx)
				if err != nil {
					cancel(err)
					return
				}
				item.RunID, item.Position = run.ID, t.pos
				// An item scored is stored even if the run is being interrupted: the work is done.
				if _, err := r.Store.AddEvalItem(context.WithoutCancel(ctx), item); err != nil {
					cancel(err)
					return
				}
				report(item.Error != "")
			}
		}()
	}
feed:
	for _, t := range tasks {
		select {
		case work <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	stats.Elapsed = time.Since(start)
	if err := context.Cause(ctx); err != nil {
		return stats, err
	}
	if limit > 0 && limit < ds.Len() {
		return stats, nil // a partial run stays open: a later run without --limit completes it
	}
	stats.Complete = true
	if err := r.Store.FinishEvalRun(context.WithoutCancel(ctx), run.ID); err != nil {
		return stats, err
	}
	return stats, nil
}
