package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// TestClosedReviewStats: the statistics are aggregated per organisation, topic and week, with the edit ratios
// computed once and again when a reply changes.
func TestClosedReviewStats(t *testing.T) {
	s := storetest.NewDB(t)
	ctx := context.Background()
	o, other := org(t, s, "caf-test"), org(t, s, "cpam-test")
	publish := func(orgID int64, ext string, arrived time.Duration, draftText, published string) int64 {
		id, _ := upsert(t, s, sample(orgID, ext))
		if _, err := s.Pool.Exec(ctx, "UPDATE reviews SET created_at = now() - $2::interval WHERE id = $1", id, arrived.String()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftAI, Text: draftText}); err != nil {
			t.Fatal(err)
		}
		final, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftEdit, Text: published})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []store.ReviewStatus{store.StatusDraftReady, store.StatusInReview} {
			if _, err := s.SetReviewStatus(ctx, id, store.StatusChange{To: to}); err != nil {
				t.Fatal(err)
			}
		}
		tx, err := s.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RequestPublicationTx(ctx, tx, id, final.ID, "a@test.fr"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordPublicationSuccess(ctx, id, final.ID, 1, "test", published, "ok"); err != nil {
			t.Fatal(err)
		}
		return id
	}
	publish(o.ID, "st-1", 10*time.Hour, "Bonjour, premier brouillon.", "Bonjour, réponse finale.")
	publish(o.ID, "st-5", 4*time.Hour, "Un deux trois quatre", "Un deux trois quatre")
	publish(other.ID, "st-2", time.Hour, "x", "y")
	r, _ := upsert(t, s, sample(o.ID, "st-3"))
	if _, err := s.SetReviewStatus(ctx, r, store.StatusChange{To: store.StatusRejected, RejectedReason: "Doublon : voir l'avis 2"}); err != nil {
		t.Fatal(err)
	}
	upsert(t, s, sample(o.ID, "st-4")) // still open: not counted

	q := store.StatsQuery{OrganisationID: o.ID, Since: time.Now().Add(-24 * time.Hour), LittleEdited: 0.2, Location: time.UTC}
	ratio := func(a, b string) float64 {
		if a == b {
			return 0
		}
		return 0.5
	}
	if n, err := s.FillEditRatios(ctx, q, ratio); err != nil || n != 2 {
		t.Fatalf("FillEditRatios: %d, %v; want the 2 published replies of the organisation", n, err)
	}
	if n, err := s.FillEditRatios(ctx, q, ratio); err != nil || n != 0 {
		t.Fatalf("FillEditRatios again: %d, %v; want nothing left to compute", n, err)
	}
	got, err := s.ClosedReviewStats(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	all := got.All
	if all.Published != 2 || all.Rejected != 1 || all.Compared != 2 || all.LittleEdited != 1 {
		t.Fatalf("all: %+v, want 2 published (of this organisation only), 1 set aside, 2 compared, 1 little edited", all)
	}
	if all.MedianHours == nil || *all.MedianHours < 6.9 || *all.MedianHours > 7.1 {
		t.Errorf("median %v, want about 7 h (10 h and 4 h)", all.MedianHours)
	}
	if all.MeanRatio == nil || *all.MeanRatio != 0.25 {
		t.Errorf("mean ratio %v, want 0.25", all.MeanRatio)
	}
	if len(got.Weeks) != 1 || got.Weeks[0].Published != 2 || got.Weeks[0].Week.Weekday() != time.Monday {
		t.Errorf("weeks: %+v, want one week starting on Monday", got.Weeks)
	}
	if len(got.Topics) != 1 || got.Topics[0].Published+got.Topics[0].Rejected != 3 {
		t.Errorf("topics: %+v", got.Topics)
	}
	if diff := cmp.Diff([]store.ReasonCount{{Reason: "Doublon", N: 1}}, got.Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	q.OrganisationID = 0
	if n, _ := s.FillEditRatios(ctx, q, ratio); n != 1 {
		t.Errorf("all organisations: %d ratios filled, want the other organisation's 1", n)
	}
	if every, _ := s.ClosedReviewStats(ctx, q); every.All.Published != 3 {
		t.Errorf("all organisations: %+v, want 3 published", every.All)
	}
	// A reply changed at the source is compared again.
	if _, err := s.Pool.Exec(ctx, "UPDATE reviews SET published_reply = 'autre' WHERE external_id = 'st-5'"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.FillEditRatios(ctx, q, ratio); n != 1 {
		t.Errorf("after a reply changed: %d ratios filled, want 1", n)
	}
	q.Since = time.Now().Add(time.Hour)
	if later, _ := s.ClosedReviewStats(ctx, q); later.All.Published+later.All.Rejected != 0 {
		t.Errorf("since the future: %+v, want nothing", later.All)
	}
}
