package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestClosedReviews(t *testing.T) {
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
	a := publish(o.ID, "st-1", 10*time.Hour, "Bonjour, premier brouillon.", "Bonjour, réponse finale.")
	publish(other.ID, "st-2", time.Hour, "x", "y")
	r, _ := upsert(t, s, sample(o.ID, "st-3"))
	if _, err := s.SetReviewStatus(ctx, r, store.StatusChange{To: store.StatusRejected, RejectedReason: "Doublon"}); err != nil {
		t.Fatal(err)
	}
	upsert(t, s, sample(o.ID, "st-4")) // still open: not counted

	got, err := s.ClosedReviews(ctx, o.ID, time.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d closed reviews, want 2 (one published, one set aside, none of the other organisation)", len(got))
	}
	var pub, rej store.ClosedReview
	for _, c := range got {
		if c.ID == a {
			pub = c
		} else {
			rej = c
		}
	}
	if pub.PublishedAt == nil || pub.FirstDraft == nil || *pub.FirstDraft != "Bonjour, premier brouillon." || pub.Published != "Bonjour, réponse finale." {
		t.Errorf("published review: %+v", pub)
	}
	if d := pub.PublishedAt.Sub(pub.ArrivedAt); d < 9*time.Hour || d > 11*time.Hour {
		t.Errorf("arrival to publication %s, want about 10h", d)
	}
	if rej.Status != store.StatusRejected || rej.RejectedReason != "Doublon" || rej.PublishedAt != nil {
		t.Errorf("rejected review: %+v", rej)
	}
	if all, _ := s.ClosedReviews(ctx, 0, time.Now().Add(-24*time.Hour)); len(all) != 3 {
		t.Errorf("all organisations: %d, want 3", len(all))
	}
	if later, _ := s.ClosedReviews(ctx, o.ID, time.Now().Add(time.Hour)); len(later) != 0 {
		t.Errorf("since the future: %d, want 0", len(later))
	}
}
