package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/jobs/jobstest"
	"github.com/plume-services/plume/internal/spp"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// newDB returns a fresh database with Plume's and River's schemas.
func newDB(tb testing.TB) *store.Store {
	tb.Helper()
	return storetest.NewDB(tb, jobstest.River)
}

// fastRetry retries failed jobs after 50 ms instead of River's attempt⁴ seconds, to keep tests short.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(50 * time.Millisecond) }

// newSource is a portal client with quick retries. Its timeout is a second: a stalled answer (2 s in the fault
// tests) still times out, while an ordinary page served slowly by a loaded machine does not (at 150 ms, a CI run
// at load 27 gave up after nine slow answers).
func newSource(tb testing.TB, base string) *spp.Client {
	tb.Helper()
	c, err := spp.New(spp.Options{BaseURL: base, Timeout: time.Second,
		Backoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxRetries: 8})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// testOptions are Options tuned for tests: quick polling and retries.
func testOptions(o jobs.Options) jobs.Options {
	o.FetchPollInterval = 20 * time.Millisecond
	o.RetryPolicy = fastRetry{}
	if o.PollInterval == 0 {
		o.PollInterval = time.Hour
	}
	if o.DraftConcurrency == 0 {
		o.DraftConcurrency = 16
	}
	o.PullTimeout = 2 * time.Minute
	return o
}

func newRunner(tb testing.TB, st *store.Store, o jobs.Options) *jobs.Runner {
	tb.Helper()
	r, err := jobs.New(st, testOptions(o))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// countingDrafter stores one offline draft per review and counts its calls; it is idempotent as the real
// drafter must be: a review that has a draft gets nothing more.
type countingDrafter struct {
	st    *store.Store
	mu    sync.Mutex
	calls map[int64]int
	// block, when set, makes the first call for a review wait for its context to end (a worker killed mid-draft).
	block   bool
	started chan int64
}

func newCountingDrafter(st *store.Store) *countingDrafter {
	return &countingDrafter{st: st, calls: map[int64]int{}, started: make(chan int64, 1024)}
}

func (d *countingDrafter) DraftReview(ctx context.Context, id int64) error {
	d.mu.Lock()
	d.calls[id]++
	block := d.block
	d.mu.Unlock()
	select {
	case d.started <- id:
	default:
	}
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	ds, err := d.st.ListDrafts(ctx, id)
	if err != nil {
		return err
	}
	if len(ds) > 0 {
		return nil
	}
	if _, err := d.st.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftOffline, Text: "Bonjour, merci pour votre message.", CreatedBy: "test"}); err != nil {
		return err
	}
	_, err = d.st.SetReviewStatus(ctx, id, store.StatusChange{To: store.StatusDraftReady})
	return err
}

func (d *countingDrafter) callCounts() map[int64]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[int64]int, len(d.calls))
	for k, v := range d.calls {
		out[k] = v
	}
	return out
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(tb testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	tb.Helper()
	// The timeout bounds a poll that returns as soon as cond holds; it is no speed assertion (those are
	// benchmarks). Under the race detector on a busy 2-core CI machine, 5,000 drafts took more than 45 s:
	// the bound is widened there so a slow machine is not read as a lost review.
	deadline := time.Now().Add(timeout * waitScale)
	for {
		ok, err := cond()
		if err != nil {
			tb.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func queryInt(tb testing.TB, st *store.Store, sql string, args ...any) int {
	tb.Helper()
	var n int
	if err := st.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return n
}

func stop(tb testing.TB, r *jobs.Runner) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		tb.Errorf("stop: %v", err)
	}
}

// waitScale widens every waitFor bound; 4 keeps a truly stuck pipeline failing within minutes.
const waitScale = 4
