package eval_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

// gateBaseline is eval/baseline.json: what the retrieval gate asks of the hybrid search on the gate sample.
type gateBaseline struct {
	// Items is the size of the gate sample: a labelled set that grew or shrank means the figures below must be
	// measured again, not silently compared with another sample's.
	Items int `json:"items"`
	// HybridRecall1 is the hybrid search's recall@1 recorded on the gate sample; the gate fails below
	// HybridRecall1 - Tolerance, a threshold each leg alone does not reach (FullTextRecall1, VectorRecall1).
	HybridRecall1   float64 `json:"hybrid_recall_at_1"`
	FullTextRecall1 float64 `json:"fulltext_recall_at_1"`
	VectorRecall1   float64 `json:"vector_recall_at_1"`
	Tolerance       float64 `json:"tolerance"`
	// LegMargin is how much the hybrid search's recall@1 must exceed each leg's, measured in the same run: a
	// hybrid search that lost a leg scores exactly what the other leg scores.
	LegMargin float64 `json:"leg_margin"`
}

// Labelled sets the gate sample is drawn from, and the shipped corpus the gate searches.
const (
	gateQuestions = "../../eval/retrieval/questions.jsonl"
	sampleIndex   = "../../corpus/vdd/index.json"
)

var gateReviews = []string{
	"../../eval/retrieval/reviews.jsonl",
	"../../eval/retrieval/reviews2.jsonl",
	"../../eval/retrieval/reviews-real43.jsonl",
}

// gateItem is one query of the gate sample and the fiches that answer it.
type gateItem struct {
	id, query string
	relevant  []string
}

// gateSample is every labelled question and every labelled procedure review whose fiches are all in the shipped
// corpus (the rule of eval/retrieval/sample.jsonl, applied here so that a new labelled line joins by itself). A
// review's query is built as a draft builds it: the filter, then search.BuildReviewQuery (the long texts Plume
// retrieves for, where the two legs disagree most).
func gateSample(ctx context.Context, t *testing.T, filter *pii.Filter) []gateItem {
	t.Helper()
	b, err := os.ReadFile(sampleIndex)
	if err != nil {
		t.Fatal(err)
	}
	var index []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatalf("%s : %v", sampleIndex, err)
	}
	shipped := map[string]bool{}
	for _, f := range index {
		shipped[f.ID] = true
	}
	inCorpus := func(relevant []string) bool {
		for _, id := range relevant {
			if !shipped[id] {
				return false
			}
		}
		return len(relevant) > 0
	}
	qs, err := eval.LoadRetrievalSet(gateQuestions)
	if err != nil {
		t.Fatal(err)
	}
	var out []gateItem
	for _, q := range qs {
		if inCorpus(q.Relevant) {
			out = append(out, gateItem{id: q.ID, query: q.Query, relevant: q.Relevant})
		}
	}
	for _, path := range gateReviews {
		err := eachJSONLine(path, func(line []byte) error {
			var r struct {
				ID           string   `json:"id"`
				Organisation string   `json:"organisation"`
				Title        string   `json:"title"`
				Text         string   `json:"text"`
				Relevant     []string `json:"relevant"`
			}
			if err := json.Unmarshal(line, &r); err != nil {
				return err
			}
			if !inCorpus(r.Relevant) {
				return nil
			}
			title, err := filter.Redact(ctx, r.Title)
			if err != nil {
				return err
			}
			text, err := filter.Redact(ctx, r.Text)
			if err != nil {
				return err
			}
			q := search.BuildReviewQuery(search.Review{Organisation: r.Organisation, Title: title.Text, Text: text.Text}, 0)
			out = append(out, gateItem{id: filepath.Base(path) + ":" + r.ID, query: q.Text.String(), relevant: r.Relevant})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// eachJSONLine calls fn with each non-empty line of a JSONL file, naming the file and line in its error.
func eachJSONLine(path string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		if err := fn(sc.Bytes()); err != nil {
			return fmt.Errorf("%s ligne %d : %w", path, n, err)
		}
	}
	return sc.Err()
}

// TestRegressionGate fails when the hybrid search's recall@1 on the gate sample falls below the recorded
// threshold, or when it no longer beats the full-text leg alone and the vector leg alone by the recorded margin:
// on this sample each leg alone stays under the threshold, so a hybrid search that lost either leg fails. It also
// fails when a personal value of the 43 sample reviews reaches a prompt, or when an offline draft cites a passage
// it was not given. Offline citation validity is an invariant, not evidence of quality: the offline writer only
// cites the numbers it was given.
func TestRegressionGate(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(baselineFile)
	if err != nil {
		t.Fatal(err)
	}
	var base gateBaseline
	if err := json.Unmarshal(b, &base); err != nil {
		t.Fatalf("%s : %v", baselineFile, err)
	}
	threshold := base.HybridRecall1 - base.Tolerance
	type validity struct{ PositiveItems, NonNegativeTolerance, PositiveLegMargin, ThresholdAboveEachLeg bool }
	got := validity{base.Items > 0, base.Tolerance >= 0, base.LegMargin > 0, threshold > max(base.FullTextRecall1, base.VectorRecall1)}
	if diff := cmp.Diff(validity{true, true, true, true}, got); diff != "" {
		t.Fatalf("%s : valeurs de référence invalides (-want +got):\n%s\n%+v (seuil %.3f)", baselineFile, diff, base, threshold)
	}
	ctx := context.Background()
	st, searcher := sampleStore(t)
	filter := pii.NewFilter(2 * time.Second)

	items := gateSample(ctx, t, filter)
	if len(items) != base.Items {
		t.Fatalf("échantillon du contrôle : %d requêtes, la référence en compte %d : mesurez à nouveau et mettez %s à jour", len(items), base.Items, baselineFile)
	}
	modes := []search.Mode{search.Hybrid, search.FullTextOnly, search.VectorOnly}
	recall1, errs := make([]float64, len(modes)), make([]error, len(modes))
	var wg sync.WaitGroup
	for i, mode := range modes {
		wg.Go(func() {
			r := eval.SearchRetriever{Searcher: searcher, Filter: filter, Mode: mode}
			for _, it := range items {
				ranked, err := r.Rank(ctx, it.query, 10)
				if err != nil {
					errs[i] = fmt.Errorf("%s (%s) : %w", it.id, mode, err)
					return
				}
				recall1[i] += eval.HitAtK(ranked, it.relevant, 1)
			}
			recall1[i] /= float64(len(items))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	hybrid, fullText, vector := recall1[0], recall1[1], recall1[2]
	t.Logf("recall@1 sur %d requêtes : hybride %.3f, plein texte seul %.3f, vecteurs seuls %.3f (seuil %.3f, marge %.3f)",
		len(items), hybrid, fullText, vector, threshold, base.LegMargin)
	if hybrid < threshold {
		t.Errorf("recall@1 de la recherche hybride : %.3f, sous le seuil %.3f (référence %.3f, tolérance %.3f)", hybrid, threshold, base.HybridRecall1, base.Tolerance)
	}
	for i, leg := range []float64{fullText, vector} {
		if hybrid-leg < base.LegMargin {
			t.Errorf("la recherche hybride (%.3f) ne dépasse le volet %s seul (%.3f) que de %.3f, moins que la marge %.3f : un volet ne contribue plus",
				hybrid, modes[i+1], leg, hybrid-leg, base.LegMargin)
		}
	}

	svc, err := draft.New(draft.Options{Searcher: searcher, WriterOptions: ground.WriterOptions{Filter: filter}})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := eval.LoadDataset(reviewsSample)
	if err != nil {
		t.Fatal(err)
	}
	run := newRun(t, st, ds)
	r := &eval.Runner{Store: st, Concurrency: 2, Reviews: &eval.ReviewScorer{Drafter: svc, Filter: filter}}
	stats, err := r.Run(ctx, run, ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Failed > 0 {
		t.Errorf("%s : %d brouillons en erreur", reviewsSample, stats.Failed)
	}
	run, err = st.GetEvalRun(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.ListEvalItems(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range stored {
		if it.Metrics[eval.MetricPIILeaked] != 0 {
			t.Errorf("%s : données personnelles dans le prompt envoyé (%s)", it.ItemID, it.Details)
		}
	}
	means := eval.SummariseRun(run, stored).Metrics
	if got := means[eval.MetricPIILeaked]; got.N != 43 || got.Max != 0 {
		t.Errorf("données personnelles divulguées : %+v, attendu 0 sur 43 brouillons", got)
	}
	if got := means[eval.MetricCitationValidity]; got.N == 0 || got.Min != 1 {
		t.Errorf("citations des brouillons hors ligne : %+v, attendu 1 partout (le rédacteur hors ligne ne cite que les passages reçus)", got)
	}
}
