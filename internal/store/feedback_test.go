package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestSaveFeedback(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	o := org(t, s, "caf-test")
	id, _ := upsert(t, s, sample(o.ID, "fb-1"))
	d, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftAI, Text: "Bonjour."})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.InsertUser(ctx, store.NewUser{OrganisationSlug: o.Slug, Email: "a@test.fr", Name: "A", Role: "agent"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      store.Feedback
		wantErr bool
	}{
		{"no thumb", store.Feedback{DraftID: d.ID, UserID: u.ID}, true},
		{"unknown tag", store.Feedback{DraftID: d.ID, UserID: u.ID, Thumbs: 1, Tags: []string{"faux"}}, true},
		{"unknown draft", store.Feedback{DraftID: d.ID + 99, UserID: u.ID, Thumbs: 1}, true},
		{"thumb down with tags", store.Feedback{DraftID: d.ID, UserID: u.ID, Thumbs: -1, Tags: []string{"trop_long", "inexact", "trop_long"}, Comment: " Trop long. "}, false},
		{"changed mind", store.Feedback{DraftID: d.ID, UserID: u.ID, Thumbs: 1}, false},
	}
	for _, tt := range tests {
		f, err := s.SaveFeedback(ctx, tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("%s: err %v, want error %v", tt.name, err, tt.wantErr)
		}
		if tt.name == "unknown draft" && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown draft: %v, want ErrNotFound", err)
		}
		if tt.name == "thumb down with tags" {
			want := store.Feedback{ReviewID: id, Actor: "a@test.fr", Thumbs: -1, Tags: []string{"trop_long", "inexact"}, Comment: "Trop long."}
			if diff := cmp.Diff(want, f, cmpopts.IgnoreFields(store.Feedback{}, "ID", "DraftID", "UserID", "CreatedAt", "UpdatedAt")); diff != "" {
				t.Errorf("stored feedback (-want +got):\n%s", diff)
			}
		}
	}
	all, err := s.ReviewFeedback(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	type opinion struct {
		Thumbs int
		Tags   int
	}
	var got []opinion
	for _, f := range all {
		got = append(got, opinion{f.Thumbs, len(f.Tags)})
	}
	if diff := cmp.Diff([]opinion{{Thumbs: 1}}, got); diff != "" {
		t.Fatalf("one opinion per user and draft, the latest (-want +got):\n%s", diff)
	}
	other := org(t, s, "cpam-test")
	if fs, _ := s.FeedbackExport(ctx, other.ID, time.Time{}); len(fs) != 0 {
		t.Errorf("export of another organisation holds %d entries", len(fs))
	}
	if fs, _ := s.FeedbackExport(ctx, o.ID, time.Time{}); len(fs) != 1 {
		t.Errorf("export of the organisation holds %d entries, want 1", len(fs))
	}
}
