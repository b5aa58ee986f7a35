package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestAddDraftRecordsAuditFields(t *testing.T) {
	t.Parallel()
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
		Sources:        []ground.Passage{{N: 1, DocID: "F1234", Title: "Prime d'activité", Cited: true}},
		Usage:          &llm.Usage{PromptTokens: 120, CompletionTokens: 80},
		LatencyMS:      map[string]float64{"filter": 3, "generate": 1200},
		CreatedBy:      "pipeline",
	}
	d, err := s.AddDraft(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	// What the database assigns (id, time) is checked for presence; what the pipeline gave is stored as given.
	type stored struct {
		Version             int
		HasID, HasTime      bool
		Text, Model, Prompt string
	}
	seen := stored{Version: d.Version, HasID: d.ID != 0, HasTime: !d.CreatedAt.IsZero(), Text: d.Text, Model: d.Model, Prompt: d.RedactedPrompt}
	want := stored{Version: 1, HasID: true, HasTime: true, Text: in.Text, Model: in.Model, Prompt: in.RedactedPrompt}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("stored draft (-want +got):\n%s", diff)
	}
	if d.Checks != nil || d.Grounding != nil {
		t.Errorf("unknown JSON fields should stay NULL: checks %v grounding %v", d.Checks, d.Grounding)
	}
	if diff := cmp.Diff(in.Sources, d.Sources); diff != "" {
		t.Errorf("sources (-sent +stored):\n%s", diff)
	}
	failed, err := s.AddDraft(ctx, store.Draft{ReviewID: id, Kind: store.DraftOffline, Error: "modèle indisponible : HTTP 503"})
	if err != nil || failed.Version != 2 {
		t.Fatalf("second draft: %+v %v", failed, err)
	}
	got, err := s.GetDraft(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, got); diff != "" {
		t.Errorf("GetDraft (-added +read):\n%s", diff)
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
	t.Parallel()
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
	if err != nil {
		t.Fatal(err)
	}
	listed := make([]int, len(ds))
	for i, d := range ds {
		listed[i] = d.Version
	}
	if diff := cmp.Diff(versions, listed); diff != "" {
		t.Errorf("ListDrafts versions, in order (-want +got):\n%s", diff)
	}
}

// TestDraftStoredBeforeTheCoreLoads reads a draft row as the code before internal/ground stored it
// (testdata/draft-v1.json, captured from a model draft of the end-to-end test): passages said "used" where they
// now say "cited", usage and timings were written by other types.
func TestDraftStoredBeforeTheCoreLoads(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	id, _ := upsert(t, s, sample(org(t, s, "caf").ID, "v1"))
	raw, err := os.ReadFile("testdata/draft-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var old map[string]json.RawMessage
	if err := json.Unmarshal(raw, &old); err != nil {
		t.Fatal(err)
	}
	var draftID int64
	err = s.Pool.QueryRow(ctx, `INSERT INTO drafts (review_id, version, kind, text, model, sources, checks, grounding, usage, latency_ms)
		VALUES ($1, 1, 'ia', 'texte', 'mistral-test', $2, $3, $4, $5, $6) RETURNING id`, id,
		string(old["sources"]), string(old["checks"]), string(old["grounding"]), string(old["usage"]), string(old["latency_ms"])).Scan(&draftID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.GetDraft(ctx, draftID)
	if err != nil {
		t.Fatalf("a draft stored by the previous code does not load: %v", err)
	}
	var cited []string
	for _, p := range d.Sources {
		if p.Cited {
			cited = append(cited, p.DocID)
		}
	}
	got := struct {
		Passages, Checks, Sentences, Claims, Unsupported, TotalTokens int
		Cited                                                         []string
		FirstURL                                                      string
		Retrieve                                                      float64
	}{len(d.Sources), len(d.Checks), len(d.Grounding.Sentences), d.Grounding.Claims, d.Grounding.Unsupported, d.Usage.TotalTokens,
		cited, d.Sources[0].URL, d.LatencyMS["retrieve"]}
	want := got
	want.Passages, want.Checks, want.Sentences, want.Claims, want.Unsupported, want.TotalTokens = 5, 2, 7, 3, 2, 1049
	want.Cited = []string{d.Sources[0].DocID}
	want.FirstURL = "https://www.service-public.fr/particuliers/vosdroits/F21742"
	want.Retrieve = 91.355
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("old draft read back (-want +got):\n%s", diff)
	}
	if d.Checks[0].Code != "citation" || d.Sources[0].N != 1 || d.Grounding.Sentences[3].Cited[0] != 1 {
		t.Errorf("old draft fields lost: checks %+v, first passage %+v", d.Checks, d.Sources[0])
	}
}
