// Package jobs runs Plume's background work on River, in the same PostgreSQL as the data: the periodic pull of
// Services Publics+ reviews, the drafting of each new review, corpus re-indexing and the publication of approved
// replies. Any number of processes may run a Runner on the same database: River shares the jobs between them.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/plume-services/plume/internal/spp"
	"github.com/plume-services/plume/internal/store"
)

// Drafter writes the first draft of a review. It must be idempotent: a job killed after the draft was stored runs
// again, and must then do nothing more.
type Drafter interface {
	DraftReview(ctx context.Context, reviewID int64) error
}

// Reindexer rebuilds the retrieval index of the procedure corpus.
type Reindexer interface {
	Reindex(ctx context.Context) error
}

// Options configures a Runner. A nil Source, Drafter, Publisher or Reindexer leaves its jobs queued for a process
// that has one: this one neither pulls, drafts, publishes nor re-indexes.
type Options struct {
	Source    *spp.Client // nil: no pulling (SPP_BASE_URL empty)
	Drafter   Drafter
	Publisher Publisher
	Reindexer Reindexer
	Purger    Purger // nil: no retention purge in this process
	// ReindexInterval schedules re-indexing when a Reindexer is set; 0 leaves it to EnqueueReindex.
	ReindexInterval time.Duration

	PollInterval time.Duration // SPP_POLL_INTERVAL, 15 min by default
	// RecentWindow is how far before the cursor each pull looks again for changed records (replies published,
	// records published late); 30 days by default (SPP_RECHECK_WINDOW), negative to disable.
	RecentWindow time.Duration

	DraftConcurrency int // drafts worked at once by this process, 8 by default (LLM_CONCURRENCY)

	PullTimeout    time.Duration // 10 min by default
	DraftTimeout   time.Duration // 3 min by default (PLUME_DRAFT_TIMEOUT)
	PublishTimeout time.Duration // 2 min by default
	ReindexTimeout time.Duration // 1 h by default
	// DraftRescueAfter is when a drafting job whose worker died (kill -9, lost connection) is run again; it must
	// exceed DraftTimeout, after which a live worker gives up by itself. Default: DraftTimeout + 2 min
	// (PLUME_DRAFT_RESCUE_AFTER).
	DraftRescueAfter time.Duration
	// RescueStuckJobsAfter is when a job of another kind whose worker died is run again; it must exceed every
	// timeout. Default: the longest timeout plus 10 minutes.
	RescueStuckJobsAfter time.Duration
	// AwaitingInterval is how often new reviews without a draft nor a drafting job (imported by file, stored
	// while no worker ran) get their job; 1 min by default (PLUME_AWAITING_INTERVAL).
	AwaitingInterval time.Duration
	// RetryPolicy spaces the retries of failed jobs; River's attempt⁴-seconds backoff by default.
	RetryPolicy river.ClientRetryPolicy
	// FetchPollInterval is how often idle workers look for jobs when no notification arrives; 1 s by default.
	FetchPollInterval time.Duration
	ID                string // this process's name among the workers; River chooses one by default
	Log               *slog.Logger
}

// Runner wraps the River client: it inserts jobs from any process, and works them once started.
type Runner struct {
	st     *store.Store
	opts   Options
	log    *slog.Logger
	client *river.Client[pgx.Tx]
	works  bool // some queue is configured: Start has something to fetch

	stopRescue context.CancelFunc // ends rescueDrafts, started with the drafting queue
	rescueDone chan struct{}
}

// New prepares a Runner on st's database; Migrate must have run. Nothing is worked before Start.
func New(st *store.Store, opts Options) (*Runner, error) {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 15 * time.Minute
	}
	if opts.RecentWindow == 0 {
		opts.RecentWindow = 30 * 24 * time.Hour
	}
	if opts.DraftConcurrency <= 0 {
		opts.DraftConcurrency = 8
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.PullTimeout, 10*time.Minute)
	def(&opts.DraftTimeout, 3*time.Minute)
	def(&opts.PublishTimeout, 2*time.Minute)
	def(&opts.ReindexTimeout, time.Hour)
	def(&opts.DraftRescueAfter, opts.DraftTimeout+2*time.Minute)
	def(&opts.AwaitingInterval, time.Minute)
	if opts.DraftRescueAfter <= opts.DraftTimeout {
		return nil, fmt.Errorf("jobs : le délai de reprise des rédactions (%s) doit dépasser leur délai (%s)", opts.DraftRescueAfter, opts.DraftTimeout)
	}
	def(&opts.RescueStuckJobsAfter, max(opts.PullTimeout, opts.DraftTimeout, opts.PublishTimeout, opts.ReindexTimeout)+10*time.Minute)
	if opts.RescueStuckJobsAfter <= max(opts.PullTimeout, opts.DraftTimeout, opts.PublishTimeout, opts.ReindexTimeout) {
		return nil, errors.New("jobs : RescueStuckJobsAfter doit dépasser le plus long délai de tâche")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{st: st, opts: opts, log: log}

	workers := river.NewWorkers()
	river.AddWorker(workers, &pullWorker{r: r})
	river.AddWorker(workers, &draftWorker{r: r})
	river.AddWorker(workers, &reindexWorker{r: r})
	river.AddWorker(workers, &publishWorker{r: r})
	if opts.Purger != nil {
		river.AddWorker(workers, &purgeWorker{r: r})
	}

	queues := map[string]river.QueueConfig{}
	var periodic []*river.PeriodicJob
	if opts.Source != nil {
		queues[QueuePull] = river.QueueConfig{MaxWorkers: 1}
		interval := opts.PollInterval
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
			func() (river.JobArgs, *river.InsertOpts) {
				// Unique per period: several workers' schedulers, or a restart, never queue two pulls for one period.
				return PullReviewsArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: interval}}
			}, &river.PeriodicJobOpts{ID: "pull_reviews", RunOnStart: true}))
	}
	if opts.Drafter != nil {
		queues[QueueDraft] = river.QueueConfig{MaxWorkers: opts.DraftConcurrency}
		queues[QueueMaintenance] = river.QueueConfig{MaxWorkers: 1}
		river.AddWorker(workers, &awaitingWorker{r: r})
		periodic = append(periodic, awaitingSchedule(opts.AwaitingInterval))
	}
	if opts.Publisher != nil {
		queues[QueuePublish] = river.QueueConfig{MaxWorkers: 4}
	}
	if opts.Reindexer != nil {
		queues[QueueCorpus] = river.QueueConfig{MaxWorkers: 1}
		if opts.ReindexInterval > 0 {
			periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(opts.ReindexInterval),
				func() (river.JobArgs, *river.InsertOpts) { return ReindexCorpusArgs{}, nil },
				&river.PeriodicJobOpts{ID: "reindex_corpus"}))
		}
	}
	if opts.Purger != nil {
		queues[QueueMaintenance] = river.QueueConfig{MaxWorkers: 1}
		periodic = append(periodic, purgeSchedule())
	}
	cfg := &river.Config{
		ID:                   opts.ID,
		Logger:               log.With("composant", "river"),
		Workers:              workers,
		PeriodicJobs:         periodic,
		RescueStuckJobsAfter: opts.RescueStuckJobsAfter,
		RetryPolicy:          opts.RetryPolicy,
		FetchPollInterval:    opts.FetchPollInterval,
		JobTimeout:           opts.DraftTimeout,
	}
	if opts.FetchPollInterval > 0 {
		cfg.FetchCooldown = min(river.FetchCooldownDefault, opts.FetchPollInterval)
	}
	if len(queues) > 0 {
		cfg.Queues = queues
		r.works = true
	}
	client, err := river.NewClient(riverpgxv5.New(st.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs : client River : %w", err)
	}
	r.client = client
	return r, nil
}

// Start works jobs until Stop; with no Source, Drafter, Publisher nor Reindexer there is nothing to work and
// Start only checks the Runner can insert.
func (r *Runner) Start(ctx context.Context) error {
	if !r.works {
		return nil
	}
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs : démarrage : %w", err)
	}
	if r.opts.Drafter != nil {
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		r.stopRescue = cancel
		r.rescueDone = make(chan struct{})
		go r.rescueDrafts(rctx)
	}
	return nil
}

// rescueDrafts puts back in the queue, several times per DraftRescueAfter, the drafting jobs whose worker died.
// Every process with a drafter runs it; the update skips rows another process is rescuing.
func (r *Runner) rescueDrafts(ctx context.Context) {
	defer close(r.rescueDone)
	every := min(max(r.opts.DraftRescueAfter/5, 100*time.Millisecond), time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := r.st.RescueStuckJobs(ctx, DraftReviewArgs{}.Kind(), r.opts.DraftRescueAfter)
		switch {
		case err != nil && ctx.Err() == nil:
			r.log.Warn("jobs : reprise des rédactions bloquées", "err", err)
		case n > 0:
			r.log.Warn("jobs : rédactions reprises après la perte de leur travailleur", "tâches", n, "délai", r.opts.DraftRescueAfter)
		}
	}
}

// Stop stops fetching jobs and waits for the running ones to finish, until ctx ends; then it cancels them, and
// their jobs are retried by the next worker.
func (r *Runner) Stop(ctx context.Context) error {
	if !r.works {
		return nil
	}
	if r.stopRescue != nil {
		r.stopRescue()
		<-r.rescueDone
	}
	err := r.client.Stop(ctx)
	if err == nil {
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("jobs : arrêt : %w", err)
	}
	r.log.Warn("jobs : arrêt forcé, les tâches en cours seront reprises")
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.client.StopAndCancel(hard); err != nil {
		return fmt.Errorf("jobs : arrêt forcé : %w", err)
	}
	return nil
}

// Client is the underlying River client, for the supervision pages (job lists, queue pauses).
func (r *Runner) Client() *river.Client[pgx.Tx] { return r.client }

// EnqueueDraft queues the drafting of a review; a review already queued or drafted is not queued twice.
func (r *Runner) EnqueueDraft(ctx context.Context, reviewID int64) error {
	if _, err := r.client.Insert(ctx, DraftReviewArgs{ReviewID: reviewID}, nil); err != nil {
		return fmt.Errorf("jobs : mise en file de la rédaction de l'avis %d : %w", reviewID, err)
	}
	return nil
}

// EnqueueDraftTx is EnqueueDraft within tx, so that the job exists if and only if the review stored in tx does.
func (r *Runner) EnqueueDraftTx(ctx context.Context, tx pgx.Tx, reviewID int64) error {
	if _, err := r.client.InsertTx(ctx, tx, DraftReviewArgs{ReviewID: reviewID}, nil); err != nil {
		return fmt.Errorf("jobs : mise en file de la rédaction de l'avis %d : %w", reviewID, err)
	}
	return nil
}

// EnqueuePublish queues the publication of an approved draft as the review's reply.
func (r *Runner) EnqueuePublish(ctx context.Context, reviewID, draftID int64) error {
	return pgx.BeginFunc(ctx, r.st.Pool, func(tx pgx.Tx) error {
		return r.EnqueuePublishTx(ctx, tx, reviewID, draftID, "")
	})
}

// EnqueuePublishTx records the publication request and queues its job within tx (the approval's transaction),
// approvedBy naming the agent who approved it.
func (r *Runner) EnqueuePublishTx(ctx context.Context, tx pgx.Tx, reviewID, draftID int64, approvedBy string) error {
	if _, err := r.st.RequestPublicationTx(ctx, tx, reviewID, draftID, approvedBy); err != nil {
		return fmt.Errorf("jobs : publication de l'avis %d : %w", reviewID, err)
	}
	if _, err := r.client.InsertTx(ctx, tx, PublishReplyArgs{ReviewID: reviewID, DraftID: draftID}, nil); err != nil {
		return fmt.Errorf("jobs : mise en file de la publication de l'avis %d : %w", reviewID, err)
	}
	return nil
}

// EnqueueReindex queues a re-indexing of the corpus, unless one is already queued or running.
func (r *Runner) EnqueueReindex(ctx context.Context) error {
	if _, err := r.client.Insert(ctx, ReindexCorpusArgs{}, nil); err != nil {
		return fmt.Errorf("jobs : mise en file de la réindexation : %w", err)
	}
	return nil
}

// EnqueuePull queues a pull now, besides the periodic ones.
func (r *Runner) EnqueuePull(ctx context.Context) error {
	if _, err := r.client.Insert(ctx, PullReviewsArgs{}, nil); err != nil {
		return fmt.Errorf("jobs : mise en file de la collecte : %w", err)
	}
	return nil
}

type pullWorker struct {
	river.WorkerDefaults[PullReviewsArgs]
	r *Runner
}

func (w *pullWorker) Timeout(*river.Job[PullReviewsArgs]) time.Duration { return w.r.opts.PullTimeout }

func (w *pullWorker) Work(ctx context.Context, job *river.Job[PullReviewsArgs]) error {
	sum, err := w.r.Pull(ctx)
	if errors.Is(err, store.ErrCursorMoved) {
		w.r.log.Info("collecte : une autre collecte est en cours, celle-ci s'arrête", "tentative", job.Attempt)
		return nil
	}
	if err != nil {
		return err
	}
	w.r.log.Info("collecte terminée", "résumé", sum.String())
	return nil
}

type draftWorker struct {
	river.WorkerDefaults[DraftReviewArgs]
	r *Runner
}

func (w *draftWorker) Timeout(*river.Job[DraftReviewArgs]) time.Duration {
	return w.r.opts.DraftTimeout
}

func (w *draftWorker) Work(ctx context.Context, job *river.Job[DraftReviewArgs]) error {
	if w.r.opts.Drafter == nil {
		return river.JobSnooze(time.Minute) // worked only by processes with a drafter; Start never fetches it here
	}
	rev, err := w.r.st.GetReview(ctx, job.Args.ReviewID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("avis %d introuvable : %w", job.Args.ReviewID, err))
	}
	if err != nil {
		return err
	}
	if rev.Status != store.StatusNew {
		// Answered at the source, set aside, or drafted by an earlier attempt of this job: nothing to draft.
		return nil
	}
	err = w.r.opts.Drafter.DraftReview(ctx, job.Args.ReviewID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("avis %d introuvable : %w", job.Args.ReviewID, err))
	}
	return err
}

type reindexWorker struct {
	river.WorkerDefaults[ReindexCorpusArgs]
	r *Runner
}

func (w *reindexWorker) Timeout(*river.Job[ReindexCorpusArgs]) time.Duration {
	return w.r.opts.ReindexTimeout
}

func (w *reindexWorker) Work(ctx context.Context, _ *river.Job[ReindexCorpusArgs]) error {
	if w.r.opts.Reindexer == nil {
		return river.JobSnooze(time.Minute)
	}
	return w.r.opts.Reindexer.Reindex(ctx)
}
