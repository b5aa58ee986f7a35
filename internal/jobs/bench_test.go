package jobs_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/spp/spptest"
	"github.com/plume-services/plume/internal/store"
)

// BenchmarkIngest measures reviews pulled from the fake portal and stored (with their draft jobs queued, but not
// drafted), in reviews per second.
func BenchmarkIngest(b *testing.B) {
	const batch = 2000
	st := newDB(b)
	gen := spptest.NewGenerator(5)
	srv := spptest.NewServer(b, nil)
	r := newRunner(b, st, jobs.Options{Source: newSource(b, srv.URL), RecentWindow: -1})
	ctx := context.Background()
	total := 0
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		srv.Append(gen.Next(batch)...)
		b.StartTimer()
		start := time.Now()
		sum, err := r.Pull(ctx)
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Inserted != batch {
			b.Fatalf("pull: %s", sum)
		}
		total += sum.Inserted
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "reviews/s")
}

// sleepyDrafter stands for a model answering in one second.
type sleepyDrafter struct{ st *store.Store }

func (d sleepyDrafter) DraftReview(ctx context.Context, id int64) error {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	_, err := d.st.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftAI, Text: "Bonjour.", CreatedBy: "bench"})
	return err
}

// BenchmarkDraftThroughput measures reviews drafted per second by one worker process with a concurrency limit of
// 8 and a model answering in 1 s (the ceiling is 8/s).
func BenchmarkDraftThroughput(b *testing.B) {
	const batch = 48
	st := newDB(b)
	ctx := context.Background()
	r := newRunner(b, st, jobs.Options{Drafter: sleepyDrafter{st}, DraftConcurrency: 8})
	r2, err := jobs.New(st, jobs.Options{}) // an insert-only runner, as the web server's would be
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer stop(b, r)
	next, total := 0, 0
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		ids := make([]int64, batch)
		for i := range ids {
			next++
			id, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: "b" + strconv.Itoa(next), Body: fmt.Sprintf("Avis numéro %d : dossier bloqué.", next), Organisation: "CAF"})
			if err != nil {
				b.Fatal(err)
			}
			ids[i] = id
		}
		done := queryInt(b, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review' AND state = 'completed'")
		b.StartTimer()
		start := time.Now()
		for _, id := range ids {
			if err := r2.EnqueueDraft(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
		waitFor(b, time.Minute, "drafts", func() (bool, error) {
			return queryInt(b, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review' AND state = 'completed'") == done+batch, nil
		})
		elapsed += time.Since(start)
		total += batch
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "reviews/s")
}
