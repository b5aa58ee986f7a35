package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/spp"
	"github.com/plume-services/plume/internal/spp/spptest"
	"github.com/plume-services/plume/internal/store"
)

// TestPull5000WithFaultsAndRestart pulls 5,000 reviews through 500s and stalls, kills the worker mid-pull, starts
// another: every review is stored once, drafted once, and the second worker resumes from the cursor.
func TestPull5000WithFaultsAndRestart(t *testing.T) {
	t.Parallel()
	const n = 5000
	st := newDB(t)
	recs := spptest.NewGenerator(42).Next(n)
	srv := spptest.NewServer(t, recs)
	srv.SetFaults(spptest.Faults{Rate: 0.12, Kinds: []spptest.Fault{spptest.Fault500, spptest.FaultStall}, Stall: 2 * time.Second, Seed: 7,
		Calls: map[int]spptest.Fault{3: spptest.FaultStall, 4: spptest.Fault500}})
	answered := 0
	for _, r := range recs {
		if reviews.FromExport(r.Fields(), nil).Answered() { // the importer's own rule
			answered++
		}
	}
	ctx := context.Background()
	drafter := newCountingDrafter(st)

	// First worker: killed (hard stop) once about 15 pages went through.
	r1 := newRunner(t, st, jobs.Options{Source: newSource(t, srv.URL), Drafter: drafter})
	if err := r1.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "15 pages stored", func() (bool, error) {
		c, err := st.SyncCursor(ctx, newSource(t, srv.URL).Source())
		return c.Pulled >= 1500, err
	})
	killed, cancel := context.WithCancel(ctx)
	cancel()
	if err := r1.Stop(killed); err != nil {
		t.Fatal(err)
	}
	mid, err := st.SyncCursor(ctx, newSource(t, srv.URL).Source())
	if err != nil {
		t.Fatal(err)
	}
	if mid.Pulled >= n {
		t.Fatalf("the first worker pulled everything (%d) before being killed: the restart proves nothing", mid.Pulled)
	}
	callsBefore := len(srv.Calls())
	// After the resumed pull, the second worker reads again the default re-check window before its cursor's date
	// (30 days before the last record's): those records are read twice by design, not because the cursor lagged.
	last, _ := time.Parse(time.DateOnly, recs[n-1].DateDePublication)
	since := last.Add(-30 * 24 * time.Hour).Format(time.DateOnly)
	window := 0
	for _, r := range recs {
		if r.DateDePublication >= since {
			window++
		}
	}

	// Second worker: resumes.
	r2 := newRunner(t, st, jobs.Options{Source: newSource(t, srv.URL), Drafter: drafter})
	if err := r2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer stop(t, r2)
	waitFor(t, 45*time.Second, "every review stored and drafted", func() (bool, error) {
		c, err := st.SyncCursor(ctx, newSource(t, srv.URL).Source())
		if err != nil || c.Pulled < n {
			return false, err
		}
		done := queryInt(t, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review' AND state = 'completed'")
		_, rechecked := reads(srv.Calls()[callsBefore:])
		return done == n-answered && rechecked >= window, nil
	})

	if got := queryInt(t, st, "SELECT count(*) FROM reviews"); got != n {
		t.Fatalf("%d reviews stored, want %d", got, n)
	}
	if got := queryInt(t, st, "SELECT count(*) FROM reviews WHERE status = 'publie' AND published_reply IS NOT NULL"); got != answered {
		t.Fatalf("%d reviews stored as answered, want %d", got, answered)
	}
	c, _ := st.SyncCursor(ctx, newSource(t, srv.URL).Source())
	if c.Pulled != n || c.Date != recs[n-1].DateDePublication || c.ID != recs[n-1].IDExperience {
		t.Fatalf("cursor %+v, want %d pulled ending at %v", c, n, recs[n-1].Cursor())
	}
	// One draft job per unanswered review, none for answered ones, each drafted exactly once in effect.
	if got := queryInt(t, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review'"); got != n-answered {
		t.Fatalf("%d draft jobs, want %d", got, n-answered)
	}
	if got := queryInt(t, st, "SELECT count(DISTINCT args->>'review_id') FROM river_job WHERE kind = 'draft_review'"); got != n-answered {
		t.Fatalf("%d reviews with draft jobs, want %d", got, n-answered)
	}
	if got := queryInt(t, st, "SELECT count(*) FROM (SELECT review_id FROM drafts GROUP BY review_id HAVING count(*) <> 1) x"); got != 0 {
		t.Fatalf("%d reviews with other than one draft", got)
	}
	if got := queryInt(t, st, "SELECT count(*) FROM drafts"); got != n-answered {
		t.Fatalf("%d drafts, want %d", got, n-answered)
	}
	// A draft interrupted by the kill runs again; none runs more often.
	calls := drafter.callCounts()
	again := 0
	for id, c := range calls {
		if c > 2 {
			t.Fatalf("review %d drafted %d times", id, c)
		}
		if c == 2 {
			again++
		}
	}
	if len(calls) != n-answered || again > 16 {
		t.Fatalf("drafter called for %d reviews (%d twice), want %d reviews", len(calls), again, n-answered)
	}

	// The second worker resumed from the cursor: its first query starts after it, the records its cursor queries
	// read are the rest plus at most the page in flight when the first was killed, and its re-check pass read the
	// window once. The two are told apart by their filter: the re-check asks for a publication date.
	after := srv.Calls()[callsBefore:]
	var first *spptest.Call
	for i, call := range after {
		if call.Status == 200 {
			first = &after[i]
			break
		}
	}
	if first == nil || !strings.Contains(first.Where, "id_experience > ") || strings.Contains(first.Where, recheckFilter) {
		t.Fatalf("first query after restart does not start from the cursor: %+v", first)
	}
	resumed, rechecked := reads(after)
	if rest := n - int(mid.Pulled); resumed < rest || resumed > rest+2*spp.MaxPageSize {
		t.Fatalf("the second worker read %d records from its cursor for %d remaining", resumed, rest)
	}
	if rechecked != window {
		t.Fatalf("the second worker read %d records again in the re-check window since %s, want the %d published since", rechecked, since, window)
	}
	faults := 0
	for _, call := range srv.Calls() {
		if call.Fault != spptest.NoFault {
			faults++
		}
	}
	if faults < 3 {
		t.Fatalf("only %d faults injected", faults)
	}
	t.Logf("%d calls, %d faults, killed at %d reviews", len(srv.Calls()), faults, mid.Pulled)
}

// recheckFilter is the condition only the re-check window's queries carry.
const recheckFilter = "date_de_publication >= date'"

// reads sums the records the portal returned to cursor queries and to re-check queries.
//
// A page is counted once however often it was asked for: the client gives up on an answer slower than its
// timeout (a second here) and asks for the same page again, which the server logs as answered twice though the
// cursor never moved back — on a loaded machine that alone made 4,900 reads of 3,500 records.
func reads(calls []spptest.Call) (resumed, rechecked int) {
	type page struct {
		where, order  string
		limit, offset int
	}
	seen := make(map[page]bool)
	for _, call := range calls {
		p := page{call.Where, call.OrderBy, call.Limit, call.Offset}
		switch {
		case call.Status != 200 || seen[p]:
		case strings.Contains(call.Where, recheckFilter):
			rechecked += call.Returned
		default:
			resumed += call.Returned
		}
		if call.Status == 200 {
			seen[p] = true
		}
	}
	return resumed, rechecked
}

// TestPullChangingDataset: new records are picked up, replies published at the source mark reviews answered
// without touching agents' work, and a pull with nothing new changes nothing.
func TestPullChangingDataset(t *testing.T) {
	t.Parallel()
	st := newDB(t)
	gen := spptest.NewGenerator(9)
	gen.Answered = 0
	recs := gen.Next(300)
	srv := spptest.NewServer(t, recs)
	r := newRunner(t, st, jobs.Options{Source: newSource(t, srv.URL)}) // no drafter: jobs stay queued
	ctx := context.Background()

	sum, err := r.Pull(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != 300 || sum.DraftsQueued != 300 || sum.Pages != 3 {
		t.Fatalf("first pull: %s", sum)
	}

	// An agent works on one review; two others get a reply at the source, as does the one the agent works on.
	worked, _ := st.ReviewByExternalID(ctx, reviews.SourceSPP, recs[295].IDExperience)
	d, err := st.AddDraft(ctx, store.Draft{ReviewID: worked.ID, Kind: store.DraftEdit, Text: "Réponse de l'agent", CreatedBy: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetReviewStatus(ctx, worked.ID, store.StatusChange{To: store.StatusDraftReady}); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{290, 298, 295} {
		publishReply(srv, recs[i], "Bonjour,&nbsp;nous avons traité votre demande.\r\nCordialement")
	}
	more := gen.Next(40)
	late := more[0]
	late.IDExperience = "1"
	late.DateDePublication = recs[280].DateDePublication // published late, before the cursor
	more[0] = late
	srv.Append(more...)

	sum, err = r.Pull(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != 40 || sum.DraftsQueued != 40 || sum.Recent == 0 {
		t.Fatalf("second pull: %s", sum)
	}
	if got := queryInt(t, st, "SELECT count(*) FROM reviews"); got != 340 {
		t.Fatalf("%d reviews, want 340", got)
	}
	for _, i := range []int{290, 298} {
		rv, _ := st.ReviewByExternalID(ctx, reviews.SourceSPP, recs[i].IDExperience)
		if rv.Status != store.StatusPublished || !strings.Contains(rv.PublishedReply, "nous avons traité") || strings.Contains(rv.PublishedReply, "&nbsp;") {
			t.Fatalf("review %s: status %s, reply %q; want publie with the cleaned reply", recs[i].IDExperience, rv.Status, rv.PublishedReply)
		}
	}
	rv, _ := st.ReviewByExternalID(ctx, reviews.SourceSPP, recs[295].IDExperience)
	ds, _ := st.ListDrafts(ctx, rv.ID)
	type kept struct {
		ID   int64
		Text string
	}
	var drafts []kept
	for _, x := range ds {
		drafts = append(drafts, kept{x.ID, x.Text})
	}
	if rv.Status != store.StatusDraftReady {
		t.Errorf("agent's review status %s, want %s", rv.Status, store.StatusDraftReady)
	}
	if diff := cmp.Diff([]kept{{d.ID, "Réponse de l'agent"}}, drafts); diff != "" {
		t.Fatalf("agent's drafts overwritten (-want +got):\n%s", diff)
	}
	if rv.PublishedReply == "" {
		t.Fatal("the reply published at the source was not recorded on the agent's review")
	}
	if _, err := st.ReviewByExternalID(ctx, reviews.SourceSPP, "1"); err != nil {
		t.Fatalf("record published late not picked up: %v", err)
	}

	sum, err = r.Pull(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != 0 || sum.Updated != 0 || sum.DraftsQueued != 0 {
		t.Fatalf("third pull, nothing new: %s", sum)
	}
	if got := queryInt(t, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review'"); got != 340 {
		t.Fatalf("%d draft jobs, want 340", got)
	}
}

// TestConcurrentPulls: two workers pulling the same source at once store every review once and queue one draft
// job per review; the later one stops when it finds the cursor moved.
func TestConcurrentPulls(t *testing.T) {
	t.Parallel()
	st := newDB(t)
	recs := spptest.NewGenerator(11).Next(800)
	srv := spptest.NewServer(t, recs)
	answered := 0
	for _, r := range recs {
		if reviews.FromExport(r.Fields(), nil).Answered() { // the importer's own rule
			answered++
		}
	}
	a := newRunner(t, st, jobs.Options{Source: newSource(t, srv.URL)})
	b := newRunner(t, st, jobs.Options{Source: newSource(t, srv.URL)})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, r := range []*jobs.Runner{a, b} {
		wg.Go(func() { _, errs[i] = r.Pull(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, store.ErrCursorMoved) {
			t.Fatal(err)
		}
	}
	// Whatever stopped, one more pull finishes the job.
	if _, err := a.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, st, "SELECT count(*) FROM reviews"); got != len(recs) {
		t.Fatalf("%d reviews, want %d", got, len(recs))
	}
	if got := queryInt(t, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review'"); got != len(recs)-answered {
		t.Fatalf("%d draft jobs, want %d", got, len(recs)-answered)
	}
}

// TestUniqueDraftJob: two runners told about the same review queue one draft job.
func TestUniqueDraftJob(t *testing.T) {
	t.Parallel()
	st := newDB(t)
	ctx := context.Background()
	id, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: "42", Body: "Mon dossier est bloqué depuis 3 mois.", Organisation: "CAF"})
	if err != nil {
		t.Fatal(err)
	}
	drafter := newCountingDrafter(st)
	a := newRunner(t, st, jobs.Options{Drafter: drafter})
	b := newRunner(t, st, jobs.Options{Drafter: drafter})
	var wg sync.WaitGroup
	for i := range 20 {
		r := a
		if i%2 == 1 {
			r = b
		}
		wg.Go(func() {
			if err := r.EnqueueDraft(ctx, id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := queryInt(t, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review'"); got != 1 {
		t.Fatalf("%d draft jobs, want 1", got)
	}
	for _, r := range []*jobs.Runner{a, b} {
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer stop(t, r)
	}
	waitFor(t, 10*time.Second, "the draft", func() (bool, error) {
		return queryInt(t, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review' AND state = 'completed'") == 1, nil
	})
	// Once drafted, a new request is still a duplicate.
	if err := b.EnqueueDraft(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review'"); got != 1 {
		t.Fatalf("%d draft jobs after a late request, want 1", got)
	}
	if c := drafter.callCounts()[id]; c != 1 {
		t.Fatalf("drafter called %d times, want 1", c)
	}
}

// TestDraftJobSurvivesKilledWorker: a worker stopped hard while drafting leaves the job to be retried; the next
// worker drafts the review, once.
func TestDraftJobSurvivesKilledWorker(t *testing.T) {
	t.Parallel()
	st := newDB(t)
	ctx := context.Background()
	id, _, err := reviews.Save(ctx, st, nil, reviews.ReviewInput{ExternalID: "7", Body: "Toujours pas de remboursement.", Organisation: "CPAM"})
	if err != nil {
		t.Fatal(err)
	}
	stuck := newCountingDrafter(st)
	stuck.block = true
	r1 := newRunner(t, st, jobs.Options{Drafter: stuck})
	if err := r1.EnqueueDraft(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := r1.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stuck.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the draft never started")
	}
	hard, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := r1.Stop(hard); err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, st, "SELECT count(*) FROM drafts WHERE review_id = $1", id); got != 0 {
		t.Fatalf("%d drafts after the kill", got)
	}

	good := newCountingDrafter(st)
	r2 := newRunner(t, st, jobs.Options{Drafter: good})
	if err := r2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer stop(t, r2)
	waitFor(t, 15*time.Second, "the retried draft", func() (bool, error) {
		return queryInt(t, st, "SELECT count(*) FROM river_job WHERE kind = 'draft_review' AND state = 'completed'") == 1, nil
	})
	// River does not count an attempt its own shutdown interrupted; the job ran twice all the same.
	if c := stuck.callCounts()[id]; c != 1 {
		t.Fatalf("killed drafter called %d times, want 1", c)
	}
	if got := queryInt(t, st, "SELECT count(*) FROM drafts WHERE review_id = $1", id); got != 1 {
		t.Fatalf("%d drafts, want 1", got)
	}
	if c := good.callCounts()[id]; c != 1 {
		t.Fatalf("second drafter called %d times, want 1", c)
	}
	rv, _ := st.GetReview(ctx, id)
	if rv.Status != store.StatusDraftReady {
		t.Fatalf("status %s, want brouillon_pret", rv.Status)
	}
}

// TestResyncReconcilesLateChanges: replies published weeks later and records published late with an old date are
// missed by pulls with no re-check window, found by the default window when recent enough, and all reconciled by
// Resync without duplicating a review or a drafting job.
func TestResyncReconcilesLateChanges(t *testing.T) {
	t.Parallel()
	st := newDB(t)
	gen := spptest.NewGenerator(11)
	gen.Answered = 0
	recs := gen.Next(600) // 12 a day: 50 days
	srv := spptest.NewServer(t, recs)
	ctx := context.Background()
	blind := newRunner(t, st, jobs.Options{Source: newSource(t, srv.URL), RecentWindow: -1})
	if _, err := blind.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	// Weeks later at the source: replies to old records, one record published late with an old date.
	old, recent := []int{10, 40, 100}, []int{480, 500} // ~49, ~46, ~41 and ~10, ~8 days before the cursor
	for _, i := range append(old, recent...) {
		publishReply(srv, recs[i], "Bonjour, votre dossier a été traité. Cordialement")
	}
	late := gen.Next(1)[0]
	late.IDExperience = "tardif"
	late.DateDePublication = recs[20].DateDePublication
	srv.Append(late)

	published := func() int {
		return queryInt(t, st, "SELECT count(*)::int FROM reviews WHERE status = 'publie'")
	}
	if sum, err := blind.Pull(ctx); err != nil || sum.Updated != 0 || published() != 0 {
		t.Fatalf("pull without window: %s, %v; %d published — it should see nothing", sum, err, published())
	}
	// The default window (SPP_RECHECK_WINDOW, 30 days) sees the recent replies.
	windowed := newRunner(t, st, jobs.Options{Source: newSource(t, srv.URL), RecentWindow: 30 * 24 * time.Hour})
	if sum, err := windowed.Pull(ctx); err != nil || sum.Updated != len(recent) {
		t.Fatalf("pull with a 30-day window: %s, %v; want %d updated", sum, err, len(recent))
	}
	// A resync from the first day reconciles the rest.
	sum, err := blind.Resync(ctx, recs[0].DateDePublication[:10])
	if err != nil {
		t.Fatal(err)
	}
	type counts struct{ Records, Inserted, Updated, DraftsQueued int }
	if diff := cmp.Diff(counts{Records: 601, Inserted: 1, Updated: len(old), DraftsQueued: 1},
		counts{sum.Records, sum.Inserted, sum.Updated, sum.DraftsQueued}); diff != "" {
		t.Fatalf("resync (-want +got):\n%s", diff)
	}
	if got := published(); got != len(old)+len(recent) {
		t.Fatalf("%d reviews published, want %d", got, len(old)+len(recent))
	}
	if got := queryInt(t, st, "SELECT count(*)::int FROM reviews"); got != 601 {
		t.Fatalf("%d reviews, want 601", got)
	}
	if got := queryInt(t, st, "SELECT count(*)::int FROM river_job WHERE kind = 'draft_review'"); got != 601 {
		t.Fatalf("%d drafting jobs, want one per review: 601", got)
	}
	again, err := blind.Resync(ctx, recs[0].DateDePublication[:10])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(counts{Records: again.Records}, counts{again.Records, again.Inserted, again.Updated, again.DraftsQueued}); diff != "" {
		t.Fatalf("second resync changed something (-want +got):\n%s", diff)
	}
	if _, err := blind.Resync(ctx, "hier"); err == nil {
		t.Fatal("resync accepted a malformed date")
	}
}

// publishReply publishes the organisation's reply to rec on the portal, as an agent does on Services Publics+.
func publishReply(srv *spptest.Server, rec spp.Record, text string) {
	rec.ReponseStructure1, rec.StatutReponseStructure1 = text, "Publiée"
	srv.Append(rec)
}
