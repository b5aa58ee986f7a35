package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestConversationTurnsAreOrderedOwnedAndGuarded(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	if _, err := s.EnsureOrganisation(ctx, "fs-test", "France services test", "france-services"); err != nil {
		t.Fatal(err)
	}
	var users [2]int64
	for i, email := range []string{"a@fs.example.fr", "b@fs.example.fr"} {
		u, err := s.InsertUser(ctx, store.NewUser{OrganisationSlug: "fs-test", Email: email, Name: email, Role: "conseiller"})
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u.ID
	}
	turn := func(convID int64, expect int, q string) (store.ConversationMessage, error) {
		return s.AddConversationTurn(ctx, store.ConversationTurn{UserID: users[0], ConversationID: convID, ExpectTurns: expect, Title: q,
			Mapping: personMapping(t, fmt.Sprintf("Personne %d", expect)),
			Message: store.ConversationMessage{Question: q, QuestionRedacted: q, Answer: "r", AnswerRedacted: "r"}})
	}
	m1, err := turn(0, 0, "première")
	if err != nil {
		t.Fatal(err)
	}
	m2, err := turn(m1.ConversationID, 1, "deuxième")
	if err != nil {
		t.Fatal(err)
	}
	// Sources is compared as stored: an empty list, not null, so that the API writes [] for a turn without any.
	type turnView struct {
		Ord            int
		ConversationID int64
		SourcesNil     bool
		Sources        int
	}
	see := func(m store.ConversationMessage) turnView {
		return turnView{Ord: m.Ord, ConversationID: m.ConversationID, SourcesNil: m.Sources == nil, Sources: len(m.Sources)}
	}
	if diff := cmp.Diff([]turnView{{Ord: 1, ConversationID: m1.ConversationID}, {Ord: 2, ConversationID: m1.ConversationID}},
		[]turnView{see(m1), see(m2)}); diff != "" {
		t.Fatalf("turns (-want +got):\n%s", diff)
	}
	// A writer that read the conversation before the second turn would overwrite its mapping: refused.
	if _, err := turn(m1.ConversationID, 1, "en retard"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale turn: %v, want ErrConflict", err)
	}
	c, err := s.Conversation(ctx, users[0], m1.ConversationID)
	if err != nil || c.Turns != 2 || c.Title != "première" {
		t.Errorf("conversation %+v %v", c, err)
	}
	if got := c.Mapping.Restore("[PERSONNE_1]").Text; got != "Personne 1" {
		t.Errorf("conversation mapping restores [PERSONNE_1] as %q, want the second turn's %q", got, "Personne 1")
	}
	if _, err := s.Conversation(ctx, users[1], m1.ConversationID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other user reads: %v", err)
	}
	if _, err := s.AddConversationTurn(ctx, store.ConversationTurn{UserID: users[1], ConversationID: m1.ConversationID, ExpectTurns: 2,
		Message: store.ConversationMessage{Question: "x", QuestionRedacted: "x", Answer: "y", AnswerRedacted: "y"}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other user writes: %v", err)
	}
	if _, err := s.SetMessageFeedback(ctx, users[1], store.MessageFeedback{MessageID: m1.ID, Rating: 1}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other user rates: %v", err)
	}
	if _, err := s.SetMessageFeedback(ctx, users[0], store.MessageFeedback{MessageID: m1.ID, Rating: -1, Tags: []string{"incomplete"}, Comment: "c"}); err != nil {
		t.Fatal(err)
	}
	ms, err := s.ConversationMessages(ctx, users[0], m1.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	var ratings []*int // nil: no feedback on that message
	for _, m := range ms {
		var r *int
		if m.Feedback != nil {
			r = &m.Feedback.Rating
		}
		ratings = append(ratings, r)
	}
	if diff := cmp.Diff([]*int{new(-1), nil}, ratings); diff != "" {
		t.Fatalf("feedback ratings by message (-want +got):\n%s", diff)
	}
	n := 0
	if err := s.ExportConversationTurns(ctx, users[1], func(store.ExportedTurn) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("other user's export has %d turns (%v)", n, err)
	}
	if err := s.DeleteConversation(ctx, users[1], m1.ConversationID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other user deletes: %v", err)
	}
	if err := s.DeleteConversation(ctx, users[0], m1.ConversationID); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.ListConversations(ctx, users[0], 0); err != nil || len(cs) != 0 {
		t.Errorf("after delete: %v %v", cs, err)
	}
}

// personMapping is a mapping holding one person, as the filter would have made it.
func personMapping(t *testing.T, name string) *pii.Mapping {
	t.Helper()
	m := pii.NewMapping()
	j := fmt.Sprintf(`{"version":1,"entries":[{"label":"PERSON","value":%q,"placeholder":"[PERSONNE_1]"}]}`, name)
	if err := json.Unmarshal([]byte(j), m); err != nil {
		t.Fatal(err)
	}
	return m
}
