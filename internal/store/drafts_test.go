package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"sync"
	"testing"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestAddDraftRecordsAuditFields(t *testing.T) {
	s := storetest.NewDB(t)
	ctx := context.Background()
	id, _ := upsert(t, s, sample(org(t, s, "caf").ID, "d1"))
	in := store.Draft{
		ReviewID:       id,
		Kind:           store.DraftAI,
		Text:           "Bonjour, merci pour votre message [1].",
		PromptVersion:  "reponse-v3",
		Model:          "mistral-small",
		RedactedPrompt: "Avis : [PERSONNE_1] attend depuis trois mois.",
		Sources:        json.RawMessage(`[{"id":"F1234","used":true}]`),
		Usage:          json.RawMessage(`{"prompt_tokens":120,"completion_tokens":80}`),
		LatencyMS:      json.RawMessage(`{"filter":3,"generate":1200}`),
		CreatedBy:      "pipeline",
	}
	d, err := s.AddDraft(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 1 || d.ID == 0 || d.CreatedAt.IsZero() || d.Text != in.Text || d.Model != in.Model || d.RedactedPrompt != in.RedactedPrompt {
		t.Errorf("stored draft = %+v", d)
	}
	if d.Checks != nil || d.Grounding != nil {
		t.Errorf("unknown JSON fields should stay NULL: checks %s grounding %s", d.Checks, d.Grounding)
	}
	var src []map[string]any
	if err := json.Unmarshal(d.Sources, &src); err != nil || src[0]["id"] != "F1234" {
		t.Errorf("sources = %s (%v)", d.Sources, err)
	}
	failed, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftOffline, Error: "modèle indisponible : HTTP 503"})
	if err != nil || failed.Version != 2 {
		t.Fatalf("second draft: %+v %v", failed, err)
	}
	got, err := s.GetDraft(ctx, d.ID)
	if err != nil || got.Version != 1 || string(got.LatencyMS) != `{"filter": 3, "generate": 1200}` {
		t.Errorf("GetDraft = %+v, %v", got, err)
	}
	latest, err := s.LatestDraft(ctx, id)
	if err != nil || latest.ID != failed.ID {
		t.Errorf("LatestDraft = %+v, %v", latest, err)
	}
	if _, err := s.GetDraft(ctx, 424242); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing draft: %v", err)
	}
	if _, err := s.AddDraft(ctx, store.Draft{ReviewID: 424242, Kind: store.DraftAI}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("draft of a missing review: %v", err)
	}
	if _, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: "brouillon"}); err == nil {
		t.Error("unknown kind accepted")
	}
	other, _ := upsert(t, s, sample(org(t, s, "cpam").ID, "d2"))
	if d, err := s.AddDraft(ctx, store.Draft{ReviewID: other, Kind: store.DraftEdit, Text: "x"}); err != nil || d.Version != 1 {
		t.Errorf("versions are per review: %+v %v", d, err)
	}
	if _, err := s.LatestDraft(ctx, 424242); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("latest of nothing: %v", err)
	}
}

func TestAddDraftConcurrentVersions(t *testing.T) {
	s := storetest.NewDB(t)
	ctx := context.Background()
	id, _ := upsert(t, s, sample(org(t, s, "caf").ID, "c1"))
	const n = 12
	var wg sync.WaitGroup
	versions := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftAI, Text: "brouillon"})
			versions[i], errs[i] = d.Version, err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Ints(versions)
	for i, v := range versions {
		if v != i+1 {
			t.Fatalf("versions = %v, want 1..%d", versions, n)
		}
	}
	ds, err := s.ListDrafts(ctx, id)
	if err != nil || len(ds) != n || ds[0].Version != 1 || ds[n-1].Version != n {
		t.Errorf("ListDrafts: %d drafts, %v", len(ds), err)
	}
}
