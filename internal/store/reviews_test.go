package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func org(t *testing.T, s *store.Store, slug string) store.Organisation {
	t.Helper()
	o, err := s.EnsureOrganisation(context.Background(), slug, strings.ToUpper(slug), "other")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func sample(orgID int64, ext string) store.ReviewUpsert {
	return store.ReviewUpsert{
		OrganisationID:    orgID,
		Source:            "servicespublicsplus",
		ExternalID:        ext,
		Title:             "Attente interminable",
		Body:              "Ma démarche de renouvellement est bloquée depuis trois mois.",
		Feeling:           "Négatif",
		OrganisationLabel: "CPAM ORLEANS",
		Topic:             "Dépôt de dossier",
		AuthorPseudonym:   "Titoune",
		WrittenAt:         time.Date(2024, 3, 30, 0, 0, 0, 0, time.UTC),
		Raw:               json.RawMessage(`{"id_experience":"` + ext + `"}`),
	}
}

func upsert(t *testing.T, s *store.Store, in store.ReviewUpsert) (int64, store.UpsertResult) {
	t.Helper()
	id, res, err := s.UpsertReview(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return id, res
}

func TestUpsertReviewIsIdempotent(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	o := org(t, s, "cpam")
	in := sample(o.ID, "1001")

	id, res := upsert(t, s, in)
	if res != store.Inserted {
		t.Fatalf("first upsert: %v, want Inserted", res)
	}
	id2, res := upsert(t, s, in)
	if res != store.Unchanged || id2 != id {
		t.Fatalf("same record again: %v id %d, want Unchanged id %d", res, id2, id)
	}
	in.Feeling = "Neutre"
	in.Raw = json.RawMessage(`{"id_experience":"1001","ressenti_usager":"Neutre"}`)
	if _, res = upsert(t, s, in); res != store.Updated {
		t.Fatalf("changed feeling: %v, want Updated", res)
	}
	r, err := s.GetReview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	type kept struct {
		Feeling          string
		Status           store.ReviewStatus
		OrgSlug, OrgName string
	}
	if diff := cmp.Diff(kept{"Neutre", store.StatusNew, "cpam", "CPAM"}, kept{r.Feeling, r.Status, r.OrganisationSlug, r.OrganisationName}); diff != "" {
		t.Errorf("review after the update (-want +got):\n%s", diff)
	}
	var n int
	if err := s.Pool.QueryRow(ctx, "SELECT count(*) FROM reviews").Scan(&n); err != nil || n != 1 {
		t.Errorf("%d reviews stored (%v), want 1", n, err)
	}
	// A fresh review may still be corrected at the source.
	in.Body = "Texte corrigé par l'usager."
	upsert(t, s, in)
	if r, _ = s.GetReview(ctx, id); r.Body != "Texte corrigé par l'usager." {
		t.Errorf("body of a fresh review not refreshed: %q", r.Body)
	}
	if _, err := s.GetReview(ctx, id+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing review: %v", err)
	}
	if got, err := s.ReviewByExternalID(ctx, "servicespublicsplus", "1001"); err != nil || got.ID != id {
		t.Errorf("by external id: %v %v", got.ID, err)
	}
}

func TestUpsertReviewNeverOverwritesAgentWork(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	cpam, caf := org(t, s, "cpam"), org(t, s, "caf")
	in := sample(cpam.ID, "2002")
	worked, _ := upsert(t, s, in)
	if _, err := s.AddDraft(ctx, store.Draft{ReviewID: worked, Kind: store.DraftAI, Text: "Bonjour [PERSONNE_1]…"}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []store.ReviewStatus{store.StatusDraftReady, store.StatusInReview} {
		if _, err := s.SetReviewStatus(ctx, worked, store.StatusChange{To: to}); err != nil {
			t.Fatal(err)
		}
	}
	asideIn := sample(cpam.ID, "2003")
	aside, _ := upsert(t, s, asideIn)
	if _, err := s.SetReviewStatus(ctx, aside, store.StatusChange{To: store.StatusRejected, RejectedReason: "hors sujet"}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		id int64
		in store.ReviewUpsert
	}{{worked, in}, {aside, asideIn}} {
		before, _ := s.GetReview(ctx, tc.id)
		re := tc.in
		re.OrganisationID = caf.ID
		re.Title, re.Body, re.Topic = "Nouveau titre", "Nouveau texte", "Autre sujet"
		re.PublishedReply = "Réponse publiée ailleurs."
		re.Raw = json.RawMessage(`{"changed":true}`)
		if _, res := upsert(t, s, re); res != store.Updated {
			t.Errorf("review %d: %v, want Updated (topic and raw changed)", tc.id, res)
		}
		after, _ := s.GetReview(ctx, tc.id)
		if after.Title != before.Title || after.Body != before.Body || after.OrganisationID != before.OrganisationID {
			t.Errorf("review %d: agent's text or organisation overwritten: %+v", tc.id, after)
		}
		if after.Status != before.Status || after.RejectedReason != before.RejectedReason || after.DraftCount != before.DraftCount {
			t.Errorf("review %d: status %s→%s, reason %q→%q, drafts %d→%d", tc.id, before.Status, after.Status,
				before.RejectedReason, after.RejectedReason, before.DraftCount, after.DraftCount)
		}
		if after.Topic != "Autre sujet" || string(after.Raw) != `{"changed": true}` {
			t.Errorf("review %d: source fields not refreshed: topic %q raw %s", tc.id, after.Topic, after.Raw)
		}
	}
	if ds, _ := s.ListDrafts(ctx, worked); len(ds) != 1 || ds[0].Text != "Bonjour [PERSONNE_1]…" {
		t.Errorf("drafts after re-import: %+v", ds)
	}
}

func TestUpsertReviewWithPublishedReply(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	o := org(t, s, "ants")
	answered := sample(o.ID, "3001")
	answered.PublishedReply = "Bonjour, votre titre est en production."
	id, _ := upsert(t, s, answered)
	r, _ := s.GetReview(ctx, id)
	if r.Status != store.StatusPublished || r.PublishedReply != answered.PublishedReply {
		t.Errorf("answered review stored as %s with reply %q", r.Status, r.PublishedReply)
	}
	// A fresh review whose reply appears at the source later is answered too.
	later := sample(o.ID, "3002")
	id, _ = upsert(t, s, later)
	later.PublishedReply = "Réponse de la structure."
	if _, res := upsert(t, s, later); res != store.Updated {
		t.Errorf("reply appearing: %v", res)
	}
	if r, _ = s.GetReview(ctx, id); r.Status != store.StatusPublished {
		t.Errorf("status %s, want publie", r.Status)
	}
	// An empty reply in a later export never erases the one stored.
	later.PublishedReply = ""
	upsert(t, s, later)
	if r, _ = s.GetReview(ctx, id); r.PublishedReply != "Réponse de la structure." {
		t.Errorf("reply erased: %q", r.PublishedReply)
	}
}

func TestSetReviewStatusTransitions(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	o := org(t, s, "caf")
	// path drives a fresh review to each starting status through allowed steps.
	path := map[store.ReviewStatus][]store.ReviewStatus{
		store.StatusNew:        nil,
		store.StatusDraftReady: {store.StatusDraftReady},
		store.StatusInReview:   {store.StatusDraftReady, store.StatusInReview},
		store.StatusPublished:  {store.StatusDraftReady, store.StatusInReview, store.StatusPublished},
		store.StatusRejected:   {store.StatusRejected},
	}
	allowed := map[[2]store.ReviewStatus]bool{
		{store.StatusNew, store.StatusDraftReady}:      true,
		{store.StatusDraftReady, store.StatusInReview}: true,
		{store.StatusInReview, store.StatusPublished}:  true,
		{store.StatusNew, store.StatusRejected}:        true,
		{store.StatusDraftReady, store.StatusRejected}: true,
		{store.StatusInReview, store.StatusRejected}:   true,
		{store.StatusRejected, store.StatusNew}:        true,
	}
	change := func(to store.ReviewStatus) store.StatusChange {
		return store.StatusChange{To: to, RejectedReason: "doublon", PublishedReply: "Réponse validée."}
	}
	n := 0
	for _, from := range store.ReviewStatuses {
		for _, to := range store.ReviewStatuses {
			n++
			id, _ := upsert(t, s, sample(o.ID, fmt.Sprint("t", n)))
			for _, step := range path[from] {
				if _, err := s.SetReviewStatus(ctx, id, change(step)); err != nil {
					t.Fatalf("setting up %s: %v", from, err)
				}
			}
			r, err := s.SetReviewStatus(ctx, id, change(to))
			if allowed[[2]store.ReviewStatus{from, to}] {
				if err != nil || r.Status != to {
					t.Errorf("%s → %s: %v, status %s", from, to, err, r.Status)
				}
				continue
			}
			var te *store.TransitionError
			if !errors.Is(err, store.ErrBadTransition) || !errors.As(err, &te) {
				t.Errorf("%s → %s: err = %v, want a TransitionError", from, to, err)
				continue
			}
			if diff := cmp.Diff(store.TransitionError{ReviewID: id, From: from, To: to}, *te); diff != "" {
				t.Errorf("%s → %s refused with (-want +got):\n%s", from, to, diff)
				continue
			}
			if got, _ := s.GetReview(ctx, id); got.Status != from {
				t.Errorf("%s → %s refused but status is now %s", from, to, got.Status)
			}
		}
	}
	id, _ := upsert(t, s, sample(o.ID, "msg"))
	_, err := s.SetReviewStatus(ctx, id, store.StatusChange{To: store.StatusPublished, PublishedReply: "x"})
	if err == nil || err.Error() != "l'avis "+fmt.Sprint(id)+" ne peut pas passer de « nouveau » à « publié »" {
		t.Errorf("message = %v", err)
	}
	if _, err := s.SetReviewStatus(ctx, id, store.StatusChange{To: store.StatusRejected}); err == nil {
		t.Error("set aside without a reason")
	}
	r, err := s.SetReviewStatus(ctx, id, store.StatusChange{To: store.StatusRejected, RejectedReason: "propos injurieux"})
	if err != nil || r.RejectedReason != "propos injurieux" {
		t.Errorf("reason %q err %v", r.RejectedReason, err)
	}
	if _, err := s.SetReviewStatus(ctx, 99999, store.StatusChange{To: store.StatusRejected, RejectedReason: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing review: %v", err)
	}
}

func TestListReviews(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	caf, cpam := org(t, s, "caf"), org(t, s, "cpam")
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	bodies := []string{
		"Ma démarche en ligne échoue à chaque fois.",
		"Accueil téléphonique injoignable depuis des semaines.",
		"Remboursement reçu rapidement, merci.",
	}
	for i := range 30 {
		o := caf
		if i%3 == 0 {
			o = cpam
		}
		in := sample(o.ID, fmt.Sprint("L", i))
		in.Body = bodies[i%3]
		in.Feeling = []string{"Négatif", "Négatif", "Positif"}[i%3]
		in.Topic = []string{"Fonctionnement du site,Dépôt de dossier", "Accueil", "Paiement"}[i%3]
		in.WrittenAt = base.Add(time.Duration(i/2) * 24 * time.Hour) // pairs share a date: the id breaks ties
		id, _ := upsert(t, s, in)
		if i%5 == 0 {
			if _, err := s.SetReviewStatus(ctx, id, store.StatusChange{To: store.StatusRejected, RejectedReason: "test"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Keyset paging walks every review once, newest first.
	var seen []store.Review
	f := store.ReviewFilter{Limit: 7}
	for pages := 0; ; pages++ {
		p, err := s.ListReviews(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, p.Reviews...)
		if p.Counts[store.StatusNew] != 24 || p.Counts[store.StatusRejected] != 6 {
			t.Errorf("counts = %v", p.Counts)
		}
		if p.Next == nil {
			break
		}
		c, err := store.ParseReviewCursor(p.Next.String())
		if err != nil || !c.WrittenAt.Equal(p.Next.WrittenAt) || c.ID != p.Next.ID {
			t.Fatalf("cursor round trip: %v %v", c, err)
		}
		f.After = &c
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if len(seen) != 30 {
		t.Fatalf("paging saw %d reviews, want 30", len(seen))
	}
	ids := map[int64]bool{}
	for i, r := range seen {
		ids[r.ID] = true
		if i > 0 && (r.WrittenAt.After(seen[i-1].WrittenAt) || r.WrittenAt.Equal(seen[i-1].WrittenAt) && r.ID > seen[i-1].ID) {
			t.Errorf("order broken at %d", i)
		}
	}
	if len(ids) != 30 {
		t.Errorf("%d distinct reviews, want 30", len(ids))
	}

	// The agent's order pages the same way, with or without a status, a feeling or a search narrowing it.
	for _, tt := range []struct {
		name string
		f    store.ReviewFilter
		want int
	}{
		{"open first", store.ReviewFilter{}, 30},
		{"open first in a status", store.ReviewFilter{Status: store.StatusNew}, 24},
		{"open first in a closed status", store.ReviewFilter{Status: store.StatusRejected}, 6},
		{"open first, one feeling", store.ReviewFilter{Feeling: "Négatif"}, 20},
		{"open first, a search", store.ReviewFilter{Query: "accueil"}, 10},
	} {
		f := tt.f
		f.Order, f.Limit = store.OldestOpenFirst, 4
		var got []store.Review
		for pages := 0; pages < 20; pages++ {
			p, err := s.ListReviews(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p.Reviews...)
			if p.Next == nil {
				break
			}
			f.After = p.Next
		}
		closed := func(r store.Review) bool {
			return r.Status == store.StatusPublished || r.Status == store.StatusRejected
		}
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			if closed(a) && !closed(b) || closed(a) == closed(b) && (b.WrittenAt.Before(a.WrittenAt) || b.WrittenAt.Equal(a.WrittenAt) && b.ID < a.ID) {
				t.Errorf("%s: order broken at %d", tt.name, i)
			}
		}
		if len(got) != tt.want {
			t.Errorf("%s: paging saw %d reviews, want %d", tt.name, len(got), tt.want)
		}
	}

	count := func(f store.ReviewFilter) int {
		t.Helper()
		f.Limit = 500
		p, err := s.ListReviews(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Reviews)
	}
	tests := []struct {
		name string
		f    store.ReviewFilter
		want int
	}{
		{"organisation", store.ReviewFilter{OrganisationID: cpam.ID}, 10},
		{"status", store.ReviewFilter{Status: store.StatusRejected}, 6},
		{"organisation and status", store.ReviewFilter{OrganisationID: caf.ID, Status: store.StatusNew}, 16},
		{"since", store.ReviewFilter{Since: base.Add(10 * 24 * time.Hour)}, 10},
		{"full text ignores accents and inflection", store.ReviewFilter{Query: "demarches"}, 10},
		{"full text phrase", store.ReviewFilter{Query: `"accueil téléphonique"`}, 10},
		{"full text no match", store.ReviewFilter{Query: "passeport"}, 0},
		{"feeling ignores case and accents", store.ReviewFilter{Feeling: "negatif"}, 20},
		{"topic inside a list", store.ReviewFilter{Topic: "dépôt"}, 10},
		{"topic with LIKE characters", store.ReviewFilter{Topic: "%"}, 0},
		// In an organisation, the filter becomes the organisation's topics that contain the words.
		{"topic in an organisation", store.ReviewFilter{OrganisationID: cpam.ID, Topic: "DEPOT"}, 10},
		{"topic of another organisation", store.ReviewFilter{OrganisationID: caf.ID, Topic: "dépôt"}, 0},
		{"words in two topics", store.ReviewFilter{OrganisationID: caf.ID, Topic: "a"}, 20},
		{"words in two topics, one status", store.ReviewFilter{OrganisationID: caf.ID, Topic: "a", Status: store.StatusRejected}, 4},
		{"topic with LIKE characters in an organisation", store.ReviewFilter{OrganisationID: caf.ID, Topic: "_"}, 0},
	}
	for _, tt := range tests {
		if got := count(tt.f); got != tt.want {
			t.Errorf("%s: %d reviews, want %d", tt.name, got, tt.want)
		}
	}
	if _, err := store.ParseReviewCursor("n'importe quoi"); err == nil {
		t.Error("bad cursor accepted")
	}
}

func TestOrganisations(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	a, err := s.EnsureOrganisation(ctx, "caf-gironde", "CAF de la Gironde", "caf")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.EnsureOrganisation(ctx, "caf-gironde", "Autre nom", "other")
	if err != nil || b != a {
		t.Errorf("second ensure = %+v, %v; want the first organisation unchanged %+v", b, err, a)
	}
	if got, err := s.OrganisationBySlug(ctx, "caf-gironde"); err != nil || got != a {
		t.Errorf("by slug: %+v %v", got, err)
	}
	if got, err := s.OrganisationByID(ctx, a.ID); err != nil || got != a {
		t.Errorf("by id: %+v %v", got, err)
	}
	if _, err := s.OrganisationBySlug(ctx, "inconnue"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	if _, err := s.EnsureOrganisation(ctx, "Pas Un Slug", "x", ""); err == nil {
		t.Error("invalid slug accepted")
	}
	if all, err := s.ListOrganisations(ctx); err != nil || len(all) != 1 {
		t.Errorf("list: %+v %v", all, err)
	}
}

func TestPIIMapping(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	id, _ := upsert(t, s, sample(org(t, s, "caf").ID, "p1"))
	if _, err := s.PIIMapping(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("before save: %v", err)
	}
	for _, m := range []string{
		`{"version":1,"entries":[{"label":"PERSON","value":"Jeanne Martin","placeholder":"[PERSONNE_1]"}]}`,
		`{"version":1,"entries":[{"label":"PERSON","value":"Jeanne Martin","placeholder":"[PERSONNE_1]"},{"label":"NIR","value":"2 85 07 75 112 048 47","placeholder":"[NIR_1]"}]}`,
	} {
		want := pii.NewMapping()
		if err := json.Unmarshal([]byte(m), want); err != nil {
			t.Fatal(err)
		}
		if err := s.SavePIIMapping(ctx, id, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.PIIMapping(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if diff := cmp.Diff(string(wj), string(gj)); diff != "" {
			t.Errorf("mapping read back (-saved +read):\n%s", diff)
		}
	}
	// A mapping that does not decode is an error, never a fresh mapping that would renumber the people.
	if _, err := s.Pool.Exec(ctx, `UPDATE pii_mappings SET mapping = '{"entries":[{"label":"PERSON","placeholder":"[ADRESSE_1]"}]}' WHERE review_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if m, err := s.PIIMapping(ctx, id); !errors.Is(err, store.ErrBadMapping) {
		t.Errorf("corrupt mapping: %v, %v; want ErrBadMapping", m, err)
	}
}

func TestUpsertReviewsBatch(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	o := org(t, s, "caf")
	a, b := sample(o.ID, "b1"), sample(o.ID, "b2")
	a2 := a
	a2.Feeling = "Positif"
	outs, err := s.UpsertReviews(ctx, []store.ReviewUpsert{a, a2, b})
	if err != nil || len(outs) != 3 {
		t.Fatalf("first batch: %+v, %v; want three outcomes", outs, err)
	}
	want := []store.UpsertResult{store.Inserted, store.Updated, store.Inserted}
	for i, o := range outs {
		if o.Result != want[i] || o.ID == 0 {
			t.Errorf("outcome %d = %+v, want %v", i, o, want[i])
		}
	}
	if outs[0].ID != outs[1].ID {
		t.Errorf("the same record got ids %d and %d", outs[0].ID, outs[1].ID)
	}
	again, err := s.UpsertReviews(ctx, []store.ReviewUpsert{a2, b})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.UpsertOutcome{{ID: outs[1].ID, Result: store.Unchanged}, {ID: outs[2].ID, Result: store.Unchanged}}, again); diff != "" {
		t.Errorf("second batch, the same records again (-want +got):\n%s", diff)
	}
	// A failing record rolls the whole batch back.
	bad := sample(o.ID+999, "b4")
	if _, err := s.UpsertReviews(ctx, []store.ReviewUpsert{sample(o.ID, "b3"), bad}); err == nil {
		t.Fatal("a review of an unknown organisation was stored")
	}
	if _, err := s.ReviewByExternalID(ctx, "servicespublicsplus", "b3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the batch was not rolled back: %v", err)
	}
}

// TestListReviewsCountsCapped: counts stop at store.CountCap + 1 per status (a topic's too), and a search matching
// more than store.SearchCountCap reviews in all gives no counts per status, while smaller ones stay exact.
func TestListReviewsCountsCapped(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	o := org(t, s, "caf-cap")
	if _, err := s.Pool.Exec(ctx, `INSERT INTO reviews (organisation_id, source, external_id, title, body, feeling, topic, written_at, status, rejected_reason)
		SELECT $1, 'cap', 'c' || g, 'Titre', CASE WHEN g % 1000 = 0 THEN 'Un guichet introuvable' ELSE 'Une attente sans fin' END,
			'Négatif', 'Logement', now() - g * interval '1 minute', CASE WHEN g <= 3 THEN 'ecarte' ELSE 'nouveau' END, CASE WHEN g <= 3 THEN 'Doublon' END
		FROM generate_series(1, $2::int) g`, o.ID, store.CountCap+50); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    store.ReviewFilter
		want map[store.ReviewStatus]int
		over bool
	}{
		{"all", store.ReviewFilter{}, map[store.ReviewStatus]int{store.StatusNew: store.CountCap + 1, store.StatusRejected: 3}, false},
		{"feeling", store.ReviewFilter{Feeling: "negatif", Status: store.StatusRejected}, map[store.ReviewStatus]int{store.StatusNew: store.CountCap + 1, store.StatusRejected: 3}, false},
		{"common word", store.ReviewFilter{Query: "attente"}, map[store.ReviewStatus]int{}, true},
		{"rare word", store.ReviewFilter{Query: "guichet"}, map[store.ReviewStatus]int{store.StatusNew: 10}, false},
		// A topic is counted per status, as a feeling is.
		{"topic", store.ReviewFilter{Topic: "loge"}, map[store.ReviewStatus]int{store.StatusNew: store.CountCap + 1, store.StatusRejected: 3}, false},
		{"topic and rare word", store.ReviewFilter{Topic: "loge", Query: "guichet"}, map[store.ReviewStatus]int{store.StatusNew: 10}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.f.OrganisationID = o.ID
			p, err := s.ListReviews(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, p.Counts); diff != "" || p.Over != c.over {
				t.Errorf("counts (-want +got):\n%s\nover %v, want %v", diff, p.Over, c.over)
			}
			if len(p.Reviews) == 0 {
				t.Error("no reviews listed")
			}
		})
	}
}
