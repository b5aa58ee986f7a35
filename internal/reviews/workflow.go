package reviews

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/guard"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// The workflow's refusals; the web layer's error table gives each its status and French message.
var (
	// ErrClosed is an edit or an approval of a review already published or set aside.
	ErrClosed = errors.New("reviews: review published or set aside")
	// ErrNoPublisher is an approval on a server without background jobs: nothing could publish the reply.
	ErrNoPublisher = errors.New("reviews: no publisher")
	// ErrStale matches every *StaleError with errors.Is.
	ErrStale = errors.New("reviews: a newer version was saved meanwhile")
)

// StaleError is an edit made on a version older than the latest one: saving it would silently overwrite a
// colleague's (or the model's) text, so it is refused with the latest version for the agent to compare.
type StaleError struct {
	Posted int         // the version the editor was loaded with
	Latest store.Draft // the version stored since
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("reviews: review %d: version %d edited, version %d saved meanwhile", e.Latest.ReviewID, e.Posted, e.Latest.Version)
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// AnyVersion is the Version of an edit whose client does not say which version it edits: no conflict is checked.
const AnyVersion = -1

// RejectReasons are the usual reasons to set a review aside; « Autre » asks for a precision.
var RejectReasons = []string{"Hors du périmètre de l'organisme", "Propos injurieux ou diffamatoires", "Doublon",
	"Déjà traité par un autre canal", "Aucune réponse attendue", "Autre"}

// Publisher queues the publication of an approved reply within the approval's transaction; jobs.Runner
// implements it with River's InsertTx.
type Publisher interface {
	EnqueuePublishTx(ctx context.Context, tx pgx.Tx, reviewID, draftID int64, approvedBy string) error
}

// Auditor records an audited action within the transaction of the action; auth.Service implements it.
type Auditor interface {
	AuditTx(ctx context.Context, tx pgx.Tx, e auth.Event) error
}

// Workflow moves a review through its statuses: nouveau → brouillon prêt (a first version) → en relecture (an
// approved reply, its publication queued) → publié (the publisher's acknowledgement); any open review can be
// écarté, and an écarté review rouvert (back to nouveau). Each transition writes its rows, its audit row and
// its job in one transaction: it happens entirely or not at all. The store refuses any other status change.
type Workflow struct {
	st        *store.Store
	audit     Auditor
	publisher Publisher // nil: approvals are refused with ErrNoPublisher
	filter    *pii.Filter
}

// NewWorkflow returns the workflow; publisher may be nil on a server without background jobs.
func NewWorkflow(st *store.Store, audit Auditor, publisher Publisher, filter *pii.Filter) *Workflow {
	return &Workflow{st: st, audit: audit, publisher: publisher, filter: filter}
}

// CanPublish reports whether approvals can queue a publication on this server.
func (w *Workflow) CanPublish() bool { return w.publisher != nil }

// Edit is an agent's text for a review: saved as a version, or approved for publication.
type Edit struct {
	ReviewID int64
	Actor    auth.User
	Text     string
	// Version is the version the editor was loaded with (0: none yet), or AnyVersion.
	Version int
	// Acknowledged are the points of the publish dialog the agent read again before approving, recorded with the
	// approval so that the one gesture stays traceable.
	Acknowledged []string
}

// Saved is the outcome of Save.
type Saved struct {
	Draft   store.Draft // the version that holds the text
	Changed bool        // a new version was stored; false when the text was the latest version already
}

// Save stores an edit as the review's next version, unless it is the latest version already. The version keeps
// the sources of the one it edits, with checks and grounding recomputed, so the sources panel stays. The version,
// the review's move from nouveau to brouillon prêt (a first version) and the audit row commit together.
func (w *Workflow) Save(ctx context.Context, e Edit) (Saved, error) {
	var out Saved
	err := w.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = w.saveTx(ctx, tx, e)
		return err
	})
	if err != nil {
		return Saved{}, err
	}
	return out, nil
}

func (w *Workflow) saveTx(ctx context.Context, tx pgx.Tx, e Edit) (Saved, error) {
	rv, err := w.openTx(ctx, tx, e.ReviewID)
	if err != nil {
		return Saved{}, err
	}
	latest, err := w.st.LatestDraftTx(ctx, tx, rv.ID)
	hasLatest := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Saved{}, err
	}
	if hasLatest && latest.Text == e.Text {
		return Saved{Draft: latest}, nil
	}
	if hasLatest && e.Version != AnyVersion && e.Version != latest.Version {
		return Saved{}, &StaleError{Posted: e.Version, Latest: latest}
	}
	ps, err := w.sourcesTx(ctx, tx, rv.ID)
	if err != nil {
		return Saved{}, err
	}
	d := store.Draft{ReviewID: rv.ID, Kind: store.DraftEdit, Text: e.Text, CreatedBy: e.Actor.Email, Sources: ps,
		Checks: ground.RunChecks(e.Text, ground.DraftRules, ps)}
	if d.Checks == nil {
		d.Checks = []ground.Check{}
	}
	g := ground.Ground(e.Text, ps)
	d.Grounding = &g
	saved, err := w.st.AddDraftTx(ctx, tx, d)
	if err != nil {
		return Saved{}, err
	}
	if rv.Status == store.StatusNew {
		if err := w.st.SetReviewStatusTx(ctx, tx, rv.ID, store.StatusChange{To: store.StatusDraftReady}); err != nil {
			return Saved{}, err
		}
	}
	err = w.auditTx(ctx, tx, e.Actor, "draft.edit", rv, map[string]any{"draft_id": saved.ID, "version": saved.Version})
	if err != nil {
		return Saved{}, err
	}
	return Saved{Draft: saved, Changed: true}, nil
}

// sourcesTx returns the sources of the review's latest version that has some: an edit keeps them.
func (w *Workflow) sourcesTx(ctx context.Context, tx pgx.Tx, reviewID int64) ([]ground.Passage, error) {
	ds, err := w.st.ListDraftsTx(ctx, tx, reviewID)
	if err != nil {
		return nil, err
	}
	return store.LatestSources(ds), nil
}

// Approval is the outcome of Approve.
type Approval struct {
	Saved
	// Queued is true when this call queued the publication, false when the same version was queued already.
	Queued bool
}

// Approve saves the text as a version (kept even when the guard refuses it, so the agent fixes it in place),
// runs the publication guard on it, then in one transaction moves the review to en relecture, records the
// publication request, queues its job and audits the approval. The review becomes publié when the publisher
// acknowledges the job.
func (w *Workflow) Approve(ctx context.Context, e Edit) (Approval, error) {
	saved, err := w.Save(ctx, e)
	if err != nil {
		return Approval{}, err
	}
	out := Approval{Saved: saved}
	rv, err := w.st.GetReview(ctx, e.ReviewID)
	if err != nil {
		return out, err
	}
	if err := w.CheckPublishable(ctx, rv, e.Text); err != nil {
		return out, err
	}
	if w.publisher == nil {
		return out, ErrNoPublisher
	}
	d := saved.Draft
	err = w.st.InTx(ctx, func(tx pgx.Tx) error {
		rv, err := w.openTx(ctx, tx, e.ReviewID)
		if err != nil {
			return err
		}
		// The guard ran without the lock: a version saved meanwhile was not checked, and is not the one approved.
		latest, err := w.st.LatestDraftTx(ctx, tx, rv.ID)
		if err != nil {
			return err
		}
		if latest.ID != d.ID {
			return &StaleError{Posted: d.Version, Latest: latest}
		}
		p, err := w.st.PublicationForTx(ctx, tx, rv.ID, d.ID)
		if err == nil && p.Status != store.PublicationFailed && p.Status != store.PublicationAbandoned {
			return nil // queued or published already: approving twice publishes once
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		for _, to := range []store.ReviewStatus{store.StatusDraftReady, store.StatusInReview} {
			if rv.Status == to || rv.Status == store.StatusInReview {
				continue
			}
			if err := w.st.SetReviewStatusTx(ctx, tx, rv.ID, store.StatusChange{To: to}); err != nil {
				return err
			}
			rv.Status = to
		}
		if err := w.publisher.EnqueuePublishTx(ctx, tx, rv.ID, d.ID, e.Actor.Email); err != nil {
			return err
		}
		out.Queued = true
		relu := e.Acknowledged
		if relu == nil {
			relu = []string{}
		}
		return w.auditTx(ctx, tx, e.Actor, "reply.approve", rv, map[string]any{"draft_id": d.ID, "version": d.Version, "relu": relu})
	})
	if err != nil {
		return Approval{Saved: saved}, err
	}
	return out, nil
}

// CheckPublishable runs the publication guard on a reply: the citizen's identifiers and names (but their
// pseudonym), masked numbers and the organisation's forbidden promises block it with a *guard.Blocked.
func (w *Workflow) CheckPublishable(ctx context.Context, rv store.Review, text string) error {
	stored, err := w.st.PIIMapping(ctx, rv.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	m, err := guard.ReviewMapping(ctx, w.filter, stored, rv.Title, rv.Body)
	if err != nil {
		return err
	}
	ps, err := w.st.OrganisationPromptSettings(ctx, rv.OrganisationID)
	if err != nil {
		return err
	}
	return guard.Check(ctx, w.filter, guard.Input{Reply: text, Mapping: m, Pseudonym: rv.AuthorPseudonym, Forbidden: ps.Forbidden,
		AllowedPhones: ground.DefaultAllowlist.Phones, AllowedEmails: ground.DefaultAllowlist.Emails})
}

// Rejection is why an agent sets a review aside: one of RejectReasons, and a precision (required for « Autre »).
type Rejection struct {
	Reason, Precision string
}

// Reject sets a review aside with its reason, and audits it, in one transaction; a bad reason is a FieldErrors
// naming motif or precision.
func (w *Workflow) Reject(ctx context.Context, reviewID int64, actor auth.User, r Rejection) error {
	reason, err := r.text()
	if err != nil {
		return err
	}
	return w.transition(ctx, reviewID, actor, store.StatusChange{To: store.StatusRejected, RejectedReason: reason},
		"review.reject", map[string]any{"reason": reason})
}

// text is the stored reason: the reason, then the precision cut to 300 characters.
func (r Rejection) text() (string, error) {
	reason, precision := strings.TrimSpace(r.Reason), strings.TrimSpace(r.Precision)
	switch {
	case !slices.Contains(RejectReasons, reason):
		return "", FieldErrors{"motif": "Choisissez l'un des motifs proposés."}
	case reason == "Autre" && precision == "":
		return "", FieldErrors{"precision": "Précisez la raison : elle est obligatoire pour le motif « Autre »."}
	case precision != "":
		return reason + " : " + Excerpt(precision, 300), nil
	}
	return reason, nil
}

// Reopen brings a review set aside back to nouveau, and audits it, in one transaction.
func (w *Workflow) Reopen(ctx context.Context, reviewID int64, actor auth.User) error {
	return w.transition(ctx, reviewID, actor, store.StatusChange{To: store.StatusNew}, "review.reopen", nil)
}

// transition changes a review's status and audits it in one transaction.
func (w *Workflow) transition(ctx context.Context, reviewID int64, actor auth.User, c store.StatusChange, action string, details map[string]any) error {
	return w.st.InTx(ctx, func(tx pgx.Tx) error {
		rv, err := w.st.LockReviewTx(ctx, tx, reviewID)
		if err != nil {
			return err
		}
		if err := w.st.SetReviewStatusTx(ctx, tx, rv.ID, c); err != nil {
			return err
		}
		return w.auditTx(ctx, tx, actor, action, rv, details)
	})
}

// openTx locks a review the agent may still change: neither published nor set aside.
func (w *Workflow) openTx(ctx context.Context, tx pgx.Tx, reviewID int64) (store.Review, error) {
	rv, err := w.st.LockReviewTx(ctx, tx, reviewID)
	if err != nil {
		return rv, err
	}
	if rv.Status == store.StatusPublished || rv.Status == store.StatusRejected {
		return rv, fmt.Errorf("reviews: review %d is %s: %w", rv.ID, rv.Status, ErrClosed)
	}
	return rv, nil
}

func (w *Workflow) auditTx(ctx context.Context, tx pgx.Tx, actor auth.User, action string, rv store.Review, details map[string]any) error {
	return w.audit.AuditTx(ctx, tx, auth.Event{UserID: actor.ID, Action: action, ObjectType: "review",
		ObjectID: fmt.Sprint(rv.ID), OrganisationID: rv.OrganisationID, Details: details})
}

// Excerpt cuts text to about n characters at a word boundary, on one line.
func Excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	cut := string([]rune(text)[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + " …"
}
