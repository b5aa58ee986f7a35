package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestSaveFeedback(t *testing.T) {
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
		if tt.name == "thumb down with tags" && (f.Thumbs != -1 || !slices.Equal(f.Tags, []string{"trop_long", "inexact"}) || f.Comment != "Trop long." ||
			f.ReviewID != id || f.Actor != "a@test.fr") {
			t.Errorf("stored %+v", f)
		}
	}
	all, err := s.ReviewFeedback(ctx, id)
	if err != nil || len(all) != 1 || all[0].Thumbs != 1 || len(all[0].Tags) != 0 {
		t.Fatalf("one opinion per user and draft, the latest: %+v %v", all, err)
	}
	other := org(t, s, "cpam-test")
	if fs, _ := s.FeedbackExport(ctx, other.ID, time.Time{}); len(fs) != 0 {
		t.Errorf("export of another organisation holds %d entries", len(fs))
	}
	if fs, _ := s.FeedbackExport(ctx, o.ID, time.Time{}); len(fs) != 1 {
		t.Errorf("export of the organisation holds %d entries, want 1", len(fs))
	}
}
