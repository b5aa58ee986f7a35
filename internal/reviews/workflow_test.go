package reviews_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/guard"
	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// fakePublisher records the publication request in the approval's transaction, as jobs.Runner does, then
// fails when told to: the job insert failing after the other writes of the transaction.
type fakePublisher struct {
	st   *store.Store
	fail bool
}

var errJobInsert = errors.New("job insert failed")

func (p *fakePublisher) EnqueuePublishTx(ctx context.Context, tx pgx.Tx, reviewID, draftID int64, by string) error {
	if _, err := p.st.RequestPublicationTx(ctx, tx, reviewID, draftID, by); err != nil {
		return err
	}
	if p.fail {
		return errJobInsert
	}
	return nil
}

// failingAuditor writes audit rows until the action named fail, which it refuses.
type failingAuditor struct {
	*auth.Service
	fail string
}

var errAudit = errors.New("audit write failed")

func (a failingAuditor) AuditTx(ctx context.Context, tx pgx.Tx, e auth.Event) error {
	if e.Action == a.fail {
		return errAudit
	}
	return a.Service.AuditTx(ctx, tx, e)
}

// flowEnv is one database with an organisation, an agent, and a workflow whose publisher and auditor a test
// may make fail.
type flowEnv struct {
	t     *testing.T
	st    *store.Store
	org   store.Organisation
	agent auth.User
	pub   *fakePublisher
	aud   *failingAuditor
	flow  *reviews.Workflow
	seq   int
}

func newFlowEnv(t *testing.T) *flowEnv {
	t.Helper()
	ctx := context.Background()
	st := storetest.NewDB(t)
	org, err := st.EnsureOrganisation(ctx, "caf-gironde", "CAF de la Gironde", "caf")
	if err != nil {
		t.Fatal(err)
	}
	a := auth.New(st, auth.Options{Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 16}})
	agent, err := a.AddUser(ctx, auth.NewUser{Email: "agent@caf.test", Name: "Agent", Password: "mot-de-passe-solide",
		Role: auth.RoleAgent, OrganisationSlug: org.Slug})
	if err != nil {
		t.Fatal(err)
	}
	e := &flowEnv{t: t, st: st, org: org, agent: agent, pub: &fakePublisher{st: st}, aud: &failingAuditor{Service: a}}
	e.flow = reviews.NewWorkflow(st, e.aud, e.pub, pii.NewFilter(10*time.Second))
	return e
}

// review stores a review and walks it to status through the store, with a first version when the status needs one.
func (e *flowEnv) review(status store.ReviewStatus) int64 {
	e.t.Helper()
	ctx := context.Background()
	e.seq++
	id, _, err := e.st.UpsertReview(ctx, store.ReviewUpsert{OrganisationID: e.org.ID, Source: "test", ExternalID: strconv.Itoa(e.seq),
		Title: "Allocation en retard", Body: "Je m'appelle Élodie Ndiaye, écrivez-moi à elodie.ndiaye@example.org.", AuthorPseudonym: "Elo33"})
	if err != nil {
		e.t.Fatal(err)
	}
	if status == store.StatusNew || status == store.StatusRejected {
		if status == store.StatusRejected {
			if _, err := e.st.SetReviewStatus(ctx, id, store.StatusChange{To: store.StatusRejected, RejectedReason: "Doublon"}); err != nil {
				e.t.Fatal(err)
			}
		}
		return id
	}
	if _, err := e.st.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftOffline, Text: "Bonjour Elo33, voici notre réponse."}); err != nil {
		e.t.Fatal(err)
	}
	path := map[store.ReviewStatus][]store.StatusChange{
		store.StatusDraftReady: {{To: store.StatusDraftReady}},
		store.StatusInReview:   {{To: store.StatusDraftReady}, {To: store.StatusInReview}},
		store.StatusPublished:  {{To: store.StatusDraftReady}, {To: store.StatusInReview}, {To: store.StatusPublished, PublishedReply: "Bonjour Elo33."}},
	}[status]
	for _, c := range path {
		if _, err := e.st.SetReviewStatus(ctx, id, c); err != nil {
			e.t.Fatal(err)
		}
	}
	return id
}

// state is what a transition may change: the status, the versions, the publications and the audit rows.
type state struct {
	Status       store.ReviewStatus
	Versions     int
	Publications int
	Audited      []string
}

func (e *flowEnv) state(id int64) state {
	e.t.Helper()
	ctx := context.Background()
	rv, err := e.st.GetReview(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	ds, err := e.st.ListDrafts(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	s := state{Status: rv.Status, Versions: len(ds)}
	for _, d := range ds {
		if _, err := e.st.PublicationFor(ctx, id, d.ID); err == nil {
			s.Publications++
		}
	}
	es, err := e.st.ListAudit(ctx, store.AuditFilter{ObjectType: "review", ObjectID: strconv.FormatInt(id, 10)})
	if err != nil {
		e.t.Fatal(err)
	}
	for i := len(es) - 1; i >= 0; i-- { // oldest first
		s.Audited = append(s.Audited, es[i].Action)
	}
	return s
}

const reply = "Bonjour Elo33, votre dossier est traité : le versement arrive sous huit jours."

// TestWorkflowTransitions runs every transition from every status it may start from, and the forbidden ones:
// each allowed one changes status, versions, publications and audit rows together; each refused one changes
// nothing.
func TestWorkflowTransitions(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t)
	ctx := context.Background()
	save := func(text string, version int) func(int64) error {
		return func(id int64) error {
			_, err := e.flow.Save(ctx, reviews.Edit{ReviewID: id, Actor: e.agent, Text: text, Version: version})
			return err
		}
	}
	approve := func(text string) func(int64) error {
		return func(id int64) error {
			_, err := e.flow.Approve(ctx, reviews.Edit{ReviewID: id, Actor: e.agent, Text: text, Version: reviews.AnyVersion})
			return err
		}
	}
	reject := func(reason, precision string) func(int64) error {
		return func(id int64) error {
			return e.flow.Reject(ctx, id, e.agent, reviews.Rejection{Reason: reason, Precision: precision})
		}
	}
	reopen := func(id int64) error { return e.flow.Reopen(ctx, id, e.agent) }
	var blocked *guard.Blocked
	tests := []struct {
		name    string
		from    store.ReviewStatus
		do      func(int64) error
		wantErr func(error) bool // nil: no error
		want    state
	}{
		{"save a first version", store.StatusNew, save(reply, 0), nil,
			state{store.StatusDraftReady, 1, 0, []string{"draft.edit"}}},
		{"save a new version", store.StatusDraftReady, save(reply, 1), nil,
			state{store.StatusDraftReady, 2, 0, []string{"draft.edit"}}},
		{"save the latest text again", store.StatusDraftReady, save("Bonjour Elo33, voici notre réponse.", 1), nil,
			state{store.StatusDraftReady, 1, 0, nil}},
		{"save without saying the version", store.StatusInReview, save(reply, reviews.AnyVersion), nil,
			state{store.StatusInReview, 2, 0, []string{"draft.edit"}}},
		{"save over a newer version", store.StatusDraftReady, save(reply, 0), is(reviews.ErrStale),
			state{store.StatusDraftReady, 1, 0, nil}},
		{"save a published review", store.StatusPublished, save(reply, 1), is(reviews.ErrClosed),
			state{store.StatusPublished, 1, 0, nil}},
		{"save a review set aside", store.StatusRejected, save(reply, 0), is(reviews.ErrClosed),
			state{store.StatusRejected, 0, 0, nil}},
		{"approve a new review", store.StatusNew, approve(reply), nil,
			state{store.StatusInReview, 1, 1, []string{"draft.edit", "reply.approve"}}},
		{"approve the latest version", store.StatusDraftReady, approve("Bonjour Elo33, voici notre réponse."), nil,
			state{store.StatusInReview, 1, 1, []string{"reply.approve"}}},
		{"approve a reply the guard blocks: the text is kept", store.StatusDraftReady, approve(reply + " Écrivez à elodie.ndiaye@example.org."),
			func(err error) bool { return errors.As(err, &blocked) }, state{store.StatusDraftReady, 2, 0, []string{"draft.edit"}}},
		{"approve a published review", store.StatusPublished, approve(reply), is(reviews.ErrClosed),
			state{store.StatusPublished, 1, 0, nil}},
		{"reject a new review", store.StatusNew, reject("Doublon", ""), nil, state{store.StatusRejected, 0, 0, []string{"review.reject"}}},
		{"reject a drafted review", store.StatusDraftReady, reject("Autre", "message vide"), nil,
			state{store.StatusRejected, 1, 0, []string{"review.reject"}}},
		{"reject a review in review", store.StatusInReview, reject("Doublon", ""), nil,
			state{store.StatusRejected, 1, 0, []string{"review.reject"}}},
		{"reject a published review", store.StatusPublished, reject("Doublon", ""), is(store.ErrBadTransition),
			state{store.StatusPublished, 1, 0, nil}},
		{"reject twice", store.StatusRejected, reject("Doublon", ""), is(store.ErrBadTransition), state{store.StatusRejected, 0, 0, nil}},
		{"reject without a known reason", store.StatusNew, reject("Parce que", ""), isFieldError("motif"), state{store.StatusNew, 0, 0, nil}},
		{"reject as « Autre » without precision", store.StatusNew, reject("Autre", ""), isFieldError("precision"), state{store.StatusNew, 0, 0, nil}},
		{"reopen a review set aside", store.StatusRejected, reopen, nil, state{store.StatusNew, 0, 0, []string{"review.reopen"}}},
		{"reopen an open review", store.StatusDraftReady, reopen, is(store.ErrBadTransition), state{store.StatusDraftReady, 1, 0, nil}},
		{"reopen a published review", store.StatusPublished, reopen, is(store.ErrBadTransition), state{store.StatusPublished, 1, 0, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := e.review(tt.from)
			err := tt.do(id)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("error %v, want none", err)
			case tt.wantErr != nil && !tt.wantErr(err):
				t.Fatalf("error %v, not the one expected", err)
			}
			if diff := cmp.Diff(tt.want, e.state(id)); diff != "" {
				t.Errorf("after %s from %s (-want +got):\n%s", tt.name, tt.from, diff)
			}
		})
	}
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func isFieldError(field string) func(error) bool {
	return func(err error) bool {
		var fe reviews.FieldErrors
		return errors.As(err, &fe) && fe[field] != ""
	}
}

// TestApproveTwicePublishesOnce checks that a second approval of the same version queues nothing more.
func TestApproveTwicePublishesOnce(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t)
	id := e.review(store.StatusDraftReady)
	var queued []bool
	for range 2 {
		a, err := e.flow.Approve(context.Background(), reviews.Edit{ReviewID: id, Actor: e.agent, Text: reply, Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		queued = append(queued, a.Queued)
	}
	if diff := cmp.Diff([]bool{true, false}, queued); diff != "" {
		t.Errorf("queued (-want +got):\n%s", diff)
	}
	want := state{store.StatusInReview, 2, 1, []string{"draft.edit", "reply.approve"}}
	if diff := cmp.Diff(want, e.state(id)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestFailureBetweenStepsChangesNothing injects a failure at each step of a transaction (the job insert after the
// publication request, the audit row after the status change or the new version) and checks that the review is
// left exactly as it was: no status half changed, no publication without its job, no version without its audit.
func TestFailureBetweenStepsChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		from      store.ReviewStatus
		failJob   bool
		failAudit string
		do        func(*flowEnv, int64) error
		want      error
		wantState state // the state before
	}{
		{"job insert fails on approval", store.StatusDraftReady, true, "", func(e *flowEnv, id int64) error {
			_, err := e.flow.Approve(ctx, reviews.Edit{ReviewID: id, Actor: e.agent, Text: "Bonjour Elo33, voici notre réponse.", Version: 1})
			return err
		}, errJobInsert, state{store.StatusDraftReady, 1, 0, nil}},
		{"audit fails on approval", store.StatusDraftReady, false, "reply.approve", func(e *flowEnv, id int64) error {
			_, err := e.flow.Approve(ctx, reviews.Edit{ReviewID: id, Actor: e.agent, Text: "Bonjour Elo33, voici notre réponse.", Version: 1})
			return err
		}, errAudit, state{store.StatusDraftReady, 1, 0, nil}},
		{"audit fails on a first version", store.StatusNew, false, "draft.edit", func(e *flowEnv, id int64) error {
			_, err := e.flow.Save(ctx, reviews.Edit{ReviewID: id, Actor: e.agent, Text: reply, Version: 0})
			return err
		}, errAudit, state{store.StatusNew, 0, 0, nil}},
		{"audit fails on rejection", store.StatusDraftReady, false, "review.reject", func(e *flowEnv, id int64) error {
			return e.flow.Reject(ctx, id, e.agent, reviews.Rejection{Reason: "Doublon"})
		}, errAudit, state{store.StatusDraftReady, 1, 0, nil}},
		{"audit fails on reopening", store.StatusRejected, false, "review.reopen", func(e *flowEnv, id int64) error {
			return e.flow.Reopen(ctx, id, e.agent)
		}, errAudit, state{store.StatusRejected, 0, 0, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newFlowEnv(t)
			id := e.review(tt.from)
			e.pub.fail, e.aud.fail = tt.failJob, tt.failAudit
			if err := tt.do(e, id); !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if diff := cmp.Diff(tt.wantState, e.state(id)); diff != "" {
				t.Errorf("state after the failure (-want +got):\n%s", diff)
			}
		})
	}
}

// TestApproveQueuesRiverJobInItsTransaction checks the real publisher: the approval leaves one publish job in
// River's table, committed with the review's move to en relecture.
func TestApproveQueuesRiverJobInItsTransaction(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t)
	ctx := context.Background()
	if err := jobs.Migrate(ctx, e.st.Pool); err != nil {
		t.Fatal(err)
	}
	runner, err := jobs.New(e.st, jobs.Options{PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	flow := reviews.NewWorkflow(e.st, e.aud, runner, pii.NewFilter(10*time.Second))
	id := e.review(store.StatusDraftReady)
	if _, err := flow.Approve(ctx, reviews.Edit{ReviewID: id, Actor: e.agent, Text: reply, Version: 1}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := e.st.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'publish_reply' AND (args->>'review_id')::bigint = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	got := struct {
		Jobs  int
		State state
	}{n, e.state(id)}
	want := struct {
		Jobs  int
		State state
	}{1, state{store.StatusInReview, 2, 1, []string{"draft.edit", "reply.approve"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := flow.Approve(ctx, reviews.Edit{ReviewID: id, Actor: e.agent, Text: reply + " Bis.", Version: 2}); err != nil {
		t.Fatal(fmt.Errorf("approving a new version while the first is queued: %w", err))
	}
}
