package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/plume-services/plume/internal/store"
)

// Reply is an approved reply to publish where the citizen posted the review.
type Reply struct {
	ReviewID     int64     `json:"review_id"`
	DraftID      int64     `json:"draft_id"`
	ExternalID   string    `json:"external_id"` // the review's id at its source (id_experience)
	Source       string    `json:"source"`
	Organisation string    `json:"organisation"`
	Text         string    `json:"text"`
	ApprovedBy   string    `json:"approved_by"`
	ApprovedAt   time.Time `json:"approved_at"`
}

// Ack is a receiver's acknowledgement that a reply is published.
type Ack struct {
	Receipt string    // what the receiver said (its id for the reply, or its status line)
	At      time.Time // when Plume received the acknowledgement
}

// Publisher sends an approved reply where it will be published; it returns only once the receiver acknowledged
// it, and an error otherwise. The same Reply may be sent again after a crash: receivers deduplicate by
// (review_id, draft_id).
type Publisher interface {
	Publish(ctx context.Context, r Reply) (Ack, error)
}

type publishWorker struct {
	river.WorkerDefaults[PublishReplyArgs]
	r *Runner
}

func (w *publishWorker) Timeout(*river.Job[PublishReplyArgs]) time.Duration {
	return w.r.opts.PublishTimeout
}

// publisherName names the publisher in the publications table.
func publisherName(p Publisher) string {
	switch p.(type) {
	case *WebhookPublisher:
		return "webhook"
	case *ExportPublisher:
		return "export"
	}
	return fmt.Sprintf("%T", p)
}

func (w *publishWorker) Work(ctx context.Context, job *river.Job[PublishReplyArgs]) error {
	pub := w.r.opts.Publisher
	if pub == nil {
		return river.JobSnooze(time.Minute)
	}
	a := job.Args
	p, err := w.r.st.PublicationFor(ctx, a.ReviewID, a.DraftID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("aucune demande de publication pour l'avis %d, brouillon %d", a.ReviewID, a.DraftID))
	}
	if err != nil {
		return err
	}
	if p.Status == store.PublicationDone {
		return nil // acknowledged by an earlier attempt whose job did not record its end
	}
	rev, err := w.r.st.GetReview(ctx, a.ReviewID)
	if err != nil {
		return river.JobCancel(err)
	}
	d, err := w.r.st.GetDraft(ctx, a.DraftID)
	if err != nil {
		return river.JobCancel(err)
	}
	approvedBy := p.RequestedBy
	if approvedBy == "" {
		approvedBy = d.CreatedBy
	}
	reply := Reply{
		ReviewID: rev.ID, DraftID: d.ID, ExternalID: rev.ExternalID, Source: rev.Source,
		Organisation: rev.OrganisationName, Text: d.Text, ApprovedBy: approvedBy, ApprovedAt: p.RequestedAt,
	}
	name := publisherName(pub)
	ack, perr := pub.Publish(ctx, reply)
	// Recorded even when the job's context ended: the attempt happened.
	rec := context.WithoutCancel(ctx)
	if perr != nil {
		final := job.Attempt >= job.MaxAttempts
		if err := w.r.st.RecordPublicationFailure(rec, a.ReviewID, a.DraftID, job.Attempt, name, perr.Error(), final); err != nil {
			return errors.Join(perr, err)
		}
		w.r.log.Warn("publication échouée", "avis", a.ReviewID, "tentative", job.Attempt, "abandon", final, "erreur", perr.Error())
		return perr
	}
	if err := w.r.st.RecordPublicationSuccess(rec, a.ReviewID, a.DraftID, job.Attempt, name, d.Text, ack.Receipt); err != nil {
		return err
	}
	w.r.log.Info("réponse publiée", "avis", a.ReviewID, "brouillon", a.DraftID, "accusé", ack.Receipt)
	return nil
}
