package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/reviews"
)

// TestAwaitingReviewsQueuedWhileRunning stores reviews without drafting jobs (a file import by an older Plume, a
// review written while no worker ran) on a running system: the periodic pass queues each of them once.
func TestAwaitingReviewsQueuedWhileRunning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newDB(t)
	d := newCountingDrafter(st)
	r := newRunner(t, st, jobs.Options{Drafter: d, AwaitingInterval: 200 * time.Millisecond})
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer stop(t, r)
	const n = 30
	for i := range n {
		if _, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: fmt.Sprintf("a%d", i),
			Body: "Mon dossier est bloqué depuis trois mois.", Organisation: "CAF"}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 30*time.Second, "every awaiting review drafted", func() (bool, error) {
		return queryInt(t, st, "SELECT count(DISTINCT review_id)::int FROM drafts") == n, nil
	})
	// Further passes find nothing to queue: each review has its job.
	if got, err := r.QueueAwaiting(ctx); err != nil || got != 0 {
		t.Errorf("QueueAwaiting after the drafts = %d, %v; want 0", got, err)
	}
	for id, c := range d.callCounts() {
		if c != 1 {
			t.Errorf("review %d drafted %d times", id, c)
		}
	}
}
