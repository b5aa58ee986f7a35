package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// QueueAwaitingArgs asks for a drafting job for every new review that has neither a draft nor a job.
type QueueAwaitingArgs struct{}

// Kind names the job in river_job.
func (QueueAwaitingArgs) Kind() string { return "queue_awaiting_drafts" }

// InsertOpts puts the job on the maintenance queue, away from the drafts it queues.
func (QueueAwaitingArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 3}
}

// awaitingSchedule runs the job every interval and once at start, unique per period (River's shortest is a
// second) so that several workers queue one between them.
func awaitingSchedule(interval time.Duration) *river.PeriodicJob {
	period := max(interval, time.Second)
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return QueueAwaitingArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: period}}
		}, &river.PeriodicJobOpts{ID: "queue_awaiting_drafts", RunOnStart: true})
}

type awaitingWorker struct {
	river.WorkerDefaults[QueueAwaitingArgs]
	r *Runner
}

func (w *awaitingWorker) Timeout(*river.Job[QueueAwaitingArgs]) time.Duration {
	return 30 * time.Minute
}

func (w *awaitingWorker) Work(ctx context.Context, _ *river.Job[QueueAwaitingArgs]) error {
	n, err := w.r.QueueAwaiting(ctx)
	if n > 0 {
		w.r.log.Info("rédactions mises en file pour les avis en attente", "insérées", n)
	}
	return err
}

// awaitingBatch is how many drafting jobs one transaction inserts.
const awaitingBatch = 1000

// QueueAwaiting inserts a drafting job for every new review without a draft nor a job, in batches, however many
// there are; it returns how many jobs it inserted (a review queued meanwhile by another process is not counted).
func (r *Runner) QueueAwaiting(ctx context.Context) (int, error) {
	inserted := 0
	var after int64
	for {
		ids, err := r.st.ReviewsAwaitingDraft(ctx, after, awaitingBatch)
		if err != nil {
			return inserted, err
		}
		if len(ids) == 0 {
			return inserted, nil
		}
		n, err := r.insertDrafts(ctx, ids)
		inserted += n
		if err != nil {
			return inserted, err
		}
		after = ids[len(ids)-1]
		if len(ids) < awaitingBatch {
			return inserted, nil
		}
	}
}

// insertDrafts inserts the drafting jobs of ids in one transaction and returns how many were not already queued.
func (r *Runner) insertDrafts(ctx context.Context, ids []int64) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, r.st.Pool, func(tx pgx.Tx) error {
		var err error
		n, err = r.EnqueueDraftsTx(ctx, tx, ids)
		return err
	})
	return n, err
}

// EnqueueDraftsTx queues the drafting of several reviews within tx, the transaction that stored them; it returns
// how many jobs it inserted, a review already queued or drafted counting for none.
func (r *Runner) EnqueueDraftsTx(ctx context.Context, tx pgx.Tx, reviewIDs []int64) (int, error) {
	if len(reviewIDs) == 0 {
		return 0, nil
	}
	params := make([]river.InsertManyParams, len(reviewIDs))
	for i, id := range reviewIDs {
		params[i] = river.InsertManyParams{Args: DraftReviewArgs{ReviewID: id}}
	}
	res, err := r.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return 0, fmt.Errorf("jobs : mise en file de %d rédactions : %w", len(reviewIDs), err)
	}
	n := 0
	for _, x := range res {
		if !x.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}
