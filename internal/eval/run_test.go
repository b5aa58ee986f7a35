package eval_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/search/searchtest"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

const (
	reviewsSample   = "../../eval/datasets/spp-sample.jsonl"
	questionsSample = "../../eval/retrieval/sample.jsonl"
	baselineFile    = "../../eval/baseline.json"
	// embedDim is the local embedder's default dimension (EMBED_DIM), the one the baseline was recorded with.
	embedDim = 384
)

// sampleStore is a fresh database with the shipped sample corpus, loaded once per test process and copied.
func sampleStore(t *testing.T) (*store.Store, *search.Searcher) {
	t.Helper()
	st := storetest.NewDB(t, searchtest.SampleCorpus(embedDim))
	return st, search.New(st, embed.NewLocal(embedDim), search.Options{})
}

// cancelAfter is the real drafting service that ends the run's context when the n-th item starts, as Ctrl-C
// would in the middle of a run.
type cancelAfter struct {
	eval.Drafter
	n      int64
	calls  atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Generate(ctx context.Context, in draft.Input) (draft.Result, error) {
	if c.calls.Add(1) == c.n {
		c.cancel()
	}
	return c.Drafter.Generate(ctx, in)
}

func newRun(t *testing.T, st *store.Store, ds *eval.Dataset) store.EvalRun {
	t.Helper()
	run, err := st.CreateEvalRun(context.Background(), store.EvalRun{Kind: ds.Kind, Dataset: ds.Path, DatasetDigest: ds.Digest, ItemCount: ds.Len()})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestRunIsResumable(t *testing.T) {
	t.Parallel()
	st, searcher := sampleStore(t)
	ds, err := eval.LoadDataset(reviewsSample)
	if err != nil {
		t.Fatal(err)
	}
	filter := pii.NewFilter(time.Second)
	svc, err := draft.New(draft.Options{Searcher: searcher, WriterOptions: ground.WriterOptions{Filter: filter}})
	if err != nil {
		t.Fatal(err)
	}
	for _, conc := range []int{1, 4} {
		run := newRun(t, st, ds)
		ctx, cancel := context.WithCancel(context.Background())
		interrupted := &cancelAfter{Drafter: svc, n: 10, cancel: cancel}
		r := &eval.Runner{Store: st, Reviews: &eval.ReviewScorer{Drafter: interrupted, Filter: filter}, Concurrency: conc}
		stats, err := r.Run(ctx, run, ds, 0)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("concurrency %d: interrupted run returned %v, want context.Canceled", conc, err)
		}
		stored, err := st.EvalItemIDs(context.Background(), run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != stats.Scored || len(stored) >= ds.Len() || len(stored) < 9-conc {
			t.Fatalf("concurrency %d: %d items stored after the interruption (stats %+v)", conc, len(stored), stats)
		}
		if conc == 1 && len(stored) != 9 {
			t.Errorf("one at a time, the 9 items before the interruption are stored, got %d", len(stored))
		}
		if got, _ := st.GetEvalRun(context.Background(), run.ID); got.FinishedAt != nil {
			t.Error("an interrupted run is marked finished")
		}

		// Started again: the stored items are skipped, the others scored, each exactly once.
		var calls atomic.Int64
		resumed := &countingDrafter{Drafter: svc, calls: &calls}
		r = &eval.Runner{Store: st, Reviews: &eval.ReviewScorer{Drafter: resumed, Filter: filter}, Concurrency: conc}
		stats2, err := r.Run(context.Background(), run, ds, 0)
		if err != nil {
			t.Fatal(err)
		}
		type counts struct {
			Skipped, Scored, Drafted int
			Complete                 bool
		}
		want := counts{len(stored), ds.Len() - len(stored), ds.Len() - len(stored), true}
		if diff := cmp.Diff(want, counts{stats2.Skipped, stats2.Scored, int(calls.Load()), stats2.Complete}); diff != "" {
			t.Errorf("concurrency %d: resumed run (-want +got):\n%s", conc, diff)
		}
		items, err := st.ListEvalItems(context.Background(), run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != ds.Len() {
			t.Errorf("concurrency %d: %d items stored, want %d", conc, len(items), ds.Len())
		}
		type item struct {
			ID        string
			Position  int
			Error     string
			HasOutput bool
		}
		for i, it := range items {
			if diff := cmp.Diff(item{ds.Reviews[i].ID, i, "", true}, item{it.ItemID, it.Position, it.Error, it.Output != ""}); diff != "" {
				t.Errorf("concurrency %d: item %d (-want +got):\n%s", conc, i, diff)
				break
			}
		}
		if got, _ := st.GetEvalRun(context.Background(), run.ID); got.FinishedAt == nil || got.Done != ds.Len() {
			t.Errorf("completed run: %+v", got)
		}
	}
}

type countingDrafter struct {
	eval.Drafter
	calls *atomic.Int64
}

func (c *countingDrafter) Generate(ctx context.Context, in draft.Input) (draft.Result, error) {
	c.calls.Add(1)
	return c.Drafter.Generate(ctx, in)
}

func TestRunRefusesAnotherDataset(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	ds, err := eval.LoadDataset(reviewsSample)
	if err != nil {
		t.Fatal(err)
	}
	run := newRun(t, st, ds)
	changed := *ds
	changed.Digest = "autre"
	r := &eval.Runner{Store: st, Reviews: &eval.ReviewScorer{}}
	if _, err := r.Run(context.Background(), run, &changed, 0); err == nil {
		t.Error("a run was resumed on a dataset that changed")
	}
	q, err := eval.LoadDataset(questionsSample)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), run, q, 0); err == nil {
		t.Error("a reviews run was resumed on a questions dataset")
	}
}
