package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/spp"
	"github.com/plume-services/plume/internal/store"
)

// ErrNoSource is returned by Pull when no Services Publics+ portal is configured (SPP_BASE_URL empty).
var ErrNoSource = errors.New("aucun portail Services Publics+ configuré (SPP_BASE_URL)")

// PullSummary counts what one pull did.
type PullSummary struct {
	Source       string
	From, To     spp.Cursor
	Pages        int
	Records      int // records read, the recent window's included
	Inserted     int
	Updated      int // known reviews that changed at the source (a reply published…)
	Unchanged    int
	Rejected     int // records refused by the reviews package's checks, logged with their id
	DraftsQueued int // draft jobs inserted (a review already queued is not counted)
	Recent       int // records read again in the recent window
	Duration     time.Duration
}

// String reads as one French line, for logs and the pull command.
func (s PullSummary) String() string {
	return fmt.Sprintf("%d avis lus (%d pages, dont %d relus), %d ajoutés, %d mis à jour, %d inchangés, %d rejetés, "+
		"%d rédactions en file ; curseur %s → %s en %s",
		s.Records, s.Pages, s.Recent, s.Inserted, s.Updated, s.Unchanged, s.Rejected, s.DraftsQueued,
		s.From, s.To, s.Duration.Round(time.Millisecond))
}

// Pull runs one incremental pull of the configured source now: every record after the stored cursor, page by
// page, then the recent window again. Each page is stored, its new reviews' draft jobs inserted and the cursor
// advanced in one transaction, so a pull killed at any point resumes after its last committed page, losing and
// repeating nothing.
func (r *Runner) Pull(ctx context.Context) (PullSummary, error) {
	src := r.opts.Source
	if src == nil {
		return PullSummary{}, ErrNoSource
	}
	start := time.Now()
	cur, err := r.st.SyncCursor(ctx, src.Source())
	if err != nil {
		return PullSummary{}, err
	}
	pos := spp.Cursor{Date: cur.Date, ID: cur.ID}
	sum := PullSummary{Source: src.Source(), From: pos, To: pos}
	saver := reviews.NewSaver(r.st, r)
	_, err = src.Pull(ctx, pos, func(p spp.Page) error {
		next := p.Next
		if err := r.storePage(ctx, saver, p.Records, &sum, func(tx pgx.Tx) error {
			return r.st.AdvanceSyncCursorTx(ctx, tx, sum.Source, pos.Date, pos.ID, next.Date, next.ID, len(p.Records))
		}); err != nil {
			return err
		}
		pos = next
		sum.To = pos
		return nil
	})
	if err == nil && !sum.From.IsZero() && r.opts.RecentWindow > 0 {
		err = r.pullRecent(ctx, saver, &sum)
	}
	sum.Duration = time.Since(start)
	if err != nil {
		if !errors.Is(err, store.ErrCursorMoved) && ctx.Err() == nil {
			_ = r.st.NoteSyncError(context.WithoutCancel(ctx), sum.Source, err.Error())
		}
		return sum, fmt.Errorf("collecte %s interrompue après %d avis (curseur %s) : %w", sum.Source, sum.Records, sum.To, err)
	}
	return sum, nil
}

// Resync reads again every record the source published since the day since (YYYY-MM-DD) and reconciles the
// stored reviews with it: replies published at the source since, records published late with an old date. It
// neither moves the cursor nor stores anything twice, and queues drafts only for new reviews still unanswered.
func (r *Runner) Resync(ctx context.Context, since string) (PullSummary, error) {
	src := r.opts.Source
	if src == nil {
		return PullSummary{}, ErrNoSource
	}
	if _, err := time.Parse(time.DateOnly, since); err != nil {
		return PullSummary{}, fmt.Errorf("date de départ %q invalide : AAAA-MM-JJ attendu", since)
	}
	start := time.Now()
	sum := PullSummary{Source: src.Source()}
	saver := reviews.NewSaver(r.st, r)
	_, err := src.Since(ctx, since, func(p spp.Page) error {
		before := sum.Records
		err := r.storePage(ctx, saver, p.Records, &sum, nil)
		sum.Recent += sum.Records - before
		return err
	})
	sum.Duration = time.Since(start)
	if err != nil {
		return sum, fmt.Errorf("resynchronisation de %s depuis le %s interrompue après %d avis : %w", sum.Source, since, sum.Records, err)
	}
	return sum, nil
}

// pullRecent reads again the records published in the window before the cursor's date, so that replies published
// since, and records the portal published late, are not missed.
func (r *Runner) pullRecent(ctx context.Context, saver *reviews.Saver, sum *PullSummary) error {
	day := sum.To.Date
	if len(day) > 10 {
		day = day[:10]
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		r.log.Warn("collecte : date du curseur illisible, pas de relecture récente", "curseur", sum.To.String())
		return nil
	}
	since := t.Add(-r.opts.RecentWindow).Format(time.DateOnly)
	_, err = r.opts.Source.Since(ctx, since, func(p spp.Page) error {
		before := sum.Records
		err := r.storePage(ctx, saver, p.Records, sum, nil)
		sum.Recent += sum.Records - before
		return err
	})
	return err
}

// storePage stores the records of a page, queues a draft for each of them still new and undrafted, and runs
// also (the cursor's advance), all in one transaction: a page is stored with its drafting jobs and the cursor
// after it, or not at all. Deriving the drafts to queue from the stored state rather than from what this call
// inserted also queues those a former version of Plume stored without; unique jobs keep that from queuing twice.
func (r *Runner) storePage(ctx context.Context, saver *reviews.Saver, recs []spp.Record, sum *PullSummary, also func(pgx.Tx) error) error {
	sum.Pages++
	ups := make([]store.ReviewUpsert, 0, len(recs))
	for _, rec := range recs {
		sum.Records++
		in := reviews.FromExport(rec.Fields(), rec.Raw)
		up, err := saver.Prepare(ctx, in)
		var fe reviews.FieldErrors
		if errors.As(err, &fe) {
			sum.Rejected++
			r.log.Warn("collecte : avis rejeté", "id_experience", rec.IDExperience, "erreurs", fe.Error())
			continue
		}
		if err != nil {
			return err
		}
		ups = append(ups, up)
	}
	var page PullSummary
	err := r.st.InTx(ctx, func(tx pgx.Tx) error {
		page = PullSummary{}
		// The commit waits for the WAL to reach disk whatever the session's setting: the cursor is durable with
		// its page.
		if err := store.SyncCommitTx(ctx, tx); err != nil {
			return err
		}
		outs, err := r.st.UpsertReviewsTx(ctx, tx, ups)
		if err != nil {
			return err
		}
		ids := make([]string, len(ups))
		for i, o := range outs {
			switch o.Result {
			case store.Inserted:
				page.Inserted++
			case store.Updated:
				page.Updated++
			default:
				page.Unchanged++
			}
			ids[i] = ups[i].ExternalID
		}
		todo, err := r.st.ReviewsAwaitingDraftTx(ctx, tx, reviews.SourceSPP, ids)
		if err != nil {
			return err
		}
		if page.DraftsQueued, err = r.EnqueueDraftsTx(ctx, tx, todo); err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sum.Inserted += page.Inserted
	sum.Updated += page.Updated
	sum.Unchanged += page.Unchanged
	sum.DraftsQueued += page.DraftsQueued
	return nil
}
