package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// QueueMaintenance runs the daily data-protection purge.
const QueueMaintenance = "maintenance"

// Purger removes citizens' texts past the retention period; retention.Service implements it.
type Purger interface {
	Purge(ctx context.Context) (int, error)
}

// PurgeArgs asks for the retention purge.
type PurgeArgs struct{}

// Kind names the job in river_job.
func (PurgeArgs) Kind() string { return "purge_retention" }

// InsertOpts keeps one purge per day whatever the number of workers scheduling it.
func (PurgeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
}

type purgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	r *Runner
}

func (w *purgeWorker) Timeout(*river.Job[PurgeArgs]) time.Duration { return time.Hour }

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	n, err := w.r.opts.Purger.Purge(ctx)
	if n > 0 {
		w.r.log.Info("purge des textes d'usagers", "avis", n)
	}
	return err
}

// purgeSchedule is the daily purge, run once at start so a long-stopped deployment catches up.
func purgeSchedule() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
		&river.PeriodicJobOpts{ID: "purge_retention", RunOnStart: true})
}
