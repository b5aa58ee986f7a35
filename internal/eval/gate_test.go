package eval_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

// baseline is eval/baseline.json: the figures of a real offline run on the shipped samples.
type baseline struct {
	RetrievalRecall5 float64 `json:"retrieval_recall_at_5"`
	CitationValidity float64 `json:"citation_validity"`
	Tolerance        float64 `json:"tolerance"`
}

// TestRegressionGate runs the offline pipeline on the 43 reviews of the sample and the labelled questions on the
// sample corpus, with no model, and fails when retrieval recall@5 or citation validity falls below the recorded
// baseline, or when any personal value reaches a prompt.
func TestRegressionGate(t *testing.T) {
	b, err := os.ReadFile(baselineFile)
	if err != nil {
		t.Fatal(err)
	}
	var base baseline
	if err := json.Unmarshal(b, &base); err != nil {
		t.Fatalf("%s : %v", baselineFile, err)
	}
	if base.RetrievalRecall5 <= 0 || base.CitationValidity <= 0 || base.Tolerance < 0 || base.Tolerance > 0.05 {
		t.Fatalf("%s : valeurs de référence invalides %+v", baselineFile, base)
	}
	ctx := context.Background()
	st, searcher := sampleStore(t)
	filter := pii.NewFilter(2 * time.Second)
	svc, err := draft.New(draft.Options{Filter: filter, Searcher: searcher})
	if err != nil {
		t.Fatal(err)
	}
	r := &eval.Runner{Store: st, Concurrency: 2,
		Reviews:   &eval.ReviewScorer{Drafter: svc, Filter: filter},
		Questions: &eval.QuestionScorer{Retriever: eval.SearchRetriever{Searcher: searcher, Filter: filter, Mode: search.Hybrid}, K: 10},
	}
	means := map[string]eval.Stat{}
	for _, path := range []string{reviewsSample, questionsSample} {
		ds, err := eval.LoadDataset(path)
		if err != nil {
			t.Fatal(err)
		}
		run := newRun(t, st, ds)
		stats, err := r.Run(ctx, run, ds, 0)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Failed > 0 {
			t.Errorf("%s : %d éléments en erreur", path, stats.Failed)
		}
		run, _ = st.GetEvalRun(ctx, run.ID)
		items, err := st.ListEvalItems(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range eval.SummariseRun(run, items).Metrics {
			means[k] = v
		}
		for _, it := range items {
			if it.Metrics[eval.MetricPIILeaked] != 0 {
				t.Errorf("%s : données personnelles dans le prompt envoyé (%s)", it.ItemID, it.Details)
			}
		}
	}
	t.Logf("recall@5 %.3f (référence %.3f), citations valides %.3f (référence %.3f), ancrage %.3f, chrF %.1f",
		means[eval.MetricRecall5].Mean, base.RetrievalRecall5, means[eval.MetricCitationValidity].Mean, base.CitationValidity,
		means[eval.MetricGrounding].Mean, means[eval.MetricChrF].Mean)
	if got := means[eval.MetricRecall5]; got.N == 0 || got.Mean < base.RetrievalRecall5-base.Tolerance {
		t.Errorf("recall@5 de la recherche : %.3f sur %d questions, sous la référence %.3f (tolérance %.3f)", got.Mean, got.N, base.RetrievalRecall5, base.Tolerance)
	}
	if got := means[eval.MetricCitationValidity]; got.N == 0 || got.Mean < base.CitationValidity-base.Tolerance {
		t.Errorf("citations valides : %.3f sur %d brouillons, sous la référence %.3f (tolérance %.3f)", got.Mean, got.N, base.CitationValidity, base.Tolerance)
	}
	if got := means[eval.MetricPIILeaked]; got.N != 43 || got.Max != 0 {
		t.Errorf("données personnelles divulguées : %+v, attendu 0 sur 43 brouillons", got)
	}
}
