package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestEvalRunsAndItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.NewDB(t)
	given := store.EvalRun{Name: "essai", Kind: "reviews", Dataset: "d.jsonl", DatasetDigest: "abc", ItemCount: 3,
		Config: json.RawMessage(`{"k":5}`), GitCommit: "deadbeef"}
	run, err := st.CreateEvalRun(ctx, given)
	if err != nil {
		t.Fatal(err)
	}
	if run.ID == 0 || run.StartedAt.IsZero() {
		t.Fatalf("created run has no id or start: %+v", run)
	}
	// The configuration comes back as PostgreSQL's jsonb writes it; id and times are the database's.
	want := given
	want.ID, want.StartedAt, want.CreatedAt, want.Config = run.ID, run.StartedAt, run.CreatedAt, json.RawMessage(`{"k": 5}`)
	if diff := cmp.Diff(want, run); diff != "" {
		t.Fatalf("created run (-want +got):\n%s", diff)
	}
	if _, err := st.CreateEvalRun(ctx, store.EvalRun{Kind: "autre", Dataset: "x"}); err == nil {
		t.Error("a run of an unknown kind was stored")
	}
	first := store.EvalItem{RunID: run.ID, ItemID: "a", Position: 1, Output: "bonjour", Metrics: map[string]float64{"chrf": 40.5},
		TimingsMS: map[string]float64{"filter": 1.5}, PromptTokens: 10, CompletionTokens: 5, Cost: 0.01, LatencyMS: 12}
	stored, err := st.AddEvalItem(ctx, first)
	if err != nil || !stored {
		t.Fatalf("first add: %v, %v", stored, err)
	}
	// A second result for the same item (a resumed run racing a late worker) never overwrites the first.
	again := first
	again.Output = "autre"
	if stored, err := st.AddEvalItem(ctx, again); err != nil || stored {
		t.Fatalf("second add of the same item: stored=%v err=%v", stored, err)
	}
	if _, err := st.AddEvalItem(ctx, store.EvalItem{RunID: run.ID, ItemID: "b", Position: 0, Error: "modèle en panne"}); err != nil {
		t.Fatal(err)
	}
	ids, err := st.EvalItemIDs(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"a": true, "b": true}, ids); diff != "" {
		t.Fatalf("item ids (-want +got):\n%s", diff)
	}
	items, err := st.ListEvalItems(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Listed by position: the failed item first, with no metrics; the first result kept, not the second.
	type listed struct {
		ItemID, Output, Error string
		Metrics, TimingsMS    map[string]float64
	}
	var gotItems []listed
	for _, it := range items {
		gotItems = append(gotItems, listed{it.ItemID, it.Output, it.Error, it.Metrics, it.TimingsMS})
	}
	wantItems := []listed{{ItemID: "b", Error: "modèle en panne"}, {ItemID: "a", Output: "bonjour", Metrics: first.Metrics, TimingsMS: first.TimingsMS}}
	if diff := cmp.Diff(wantItems, gotItems, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("items (-want +got):\n%s", diff)
	}
	if err := st.FinishEvalRun(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetEvalRun(ctx, run.ID)
	if err != nil || got.FinishedAt == nil || got.Done != 2 {
		t.Fatalf("finished run: %+v, %v", got, err)
	}
	if err := st.RestartEvalRun(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.GetEvalRun(ctx, run.ID); got.FinishedAt != nil {
		t.Error("restarted run still reads as finished")
	}
	if _, err := st.GetEvalRun(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	if err := st.FinishEvalRun(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("finish missing run: %v", err)
	}
	runs, err := st.ListEvalRuns(ctx, 10)
	if err != nil || len(runs) != 1 || runs[0].ID != run.ID {
		t.Errorf("list: %+v, %v", runs, err)
	}
}

func TestApprovedExports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.NewDB(t)
	var org int64
	if err := st.Pool.QueryRow(ctx, "INSERT INTO organisations (slug, name) VALUES ('caf-33', 'CAF de la Gironde') RETURNING id").Scan(&org); err != nil {
		t.Fatal(err)
	}
	add := func(ext string) int64 {
		id, _, err := st.UpsertReview(ctx, store.ReviewUpsert{OrganisationID: org, Source: "spp", ExternalID: ext, Title: "Titre " + ext,
			Body: "Texte " + ext, Feeling: "Négatif", WrittenAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	published, pending := add("1"), add("2")
	for _, d := range []store.Draft{
		{ReviewID: published, Kind: store.DraftOffline, Text: "brouillon hors ligne"},
		{ReviewID: published, Kind: store.DraftAI, Text: "brouillon du modèle"},
		{ReviewID: published, Kind: store.DraftEdit, Text: "corrigé"},
		{ReviewID: published, Kind: store.DraftPublished, Text: "réponse publiée"},
		{ReviewID: pending, Kind: store.DraftAI, Text: "pas encore publié"},
	} {
		if _, err := st.AddDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.ApprovedExports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d approved replies, want 1: %+v", len(got), got)
	}
	want := store.ApprovedExport{ReviewID: published, ExternalID: "1", OrganisationName: "CAF de la Gironde", Body: "Texte 1",
		Published: "réponse publiée", AIDraft: "brouillon du modèle", AIKind: "ia", Edits: 1}
	if diff := cmp.Diff(want, got[0], cmpopts.IgnoreFields(store.ApprovedExport{}, "Source", "Title", "Feeling", "PublishedAt")); diff != "" {
		t.Errorf("approved reply (-want +got):\n%s", diff)
	}
}
