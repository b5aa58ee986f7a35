package eval

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const eps = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) < eps }

func TestDedupDocs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"empty", nil, []string{}},
		{"no repeats", []string{"F1", "F2"}, []string{"F1", "F2"}},
		{"chunks of the same fiche", []string{"F1", "F2", "F1", "F3", "F2"}, []string{"F1", "F2", "F3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DedupDocs(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DedupDocs(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRecallAndHitAtK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		ranked   []string
		relevant []string
		k        int
		recall   float64
		hit      float64
	}{
		{"first of one", []string{"a", "x"}, []string{"a"}, 1, 1, 1},
		{"second, k=1", []string{"x", "a"}, []string{"a"}, 1, 0, 0},
		{"second, k=2", []string{"x", "a"}, []string{"a"}, 2, 1, 1},
		{"one of three in top 2", []string{"a", "x", "b", "c"}, []string{"a", "b", "d"}, 2, 1.0 / 3, 1},
		{"two of three in top 3", []string{"a", "x", "b", "c"}, []string{"a", "b", "d"}, 3, 2.0 / 3, 1},
		{"k beyond list", []string{"b"}, []string{"a", "b"}, 10, 0.5, 1},
		{"repeated doc counts once", []string{"a", "a", "a"}, []string{"a", "b"}, 3, 0.5, 1},
		{"k zero", []string{"a"}, []string{"a"}, 0, 0, 0},
		{"empty ranking", nil, []string{"a"}, 5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RecallAtK(tt.ranked, tt.relevant, tt.k); !near(got, tt.recall) {
				t.Errorf("RecallAtK = %v, want %v", got, tt.recall)
			}
			if got := HitAtK(tt.ranked, tt.relevant, tt.k); !near(got, tt.hit) {
				t.Errorf("HitAtK = %v, want %v", got, tt.hit)
			}
		})
	}
}

func TestReciprocalRank(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ranked   []string
		relevant []string
		want     float64
	}{
		{[]string{"a", "b"}, []string{"a"}, 1},
		{[]string{"x", "y", "a"}, []string{"a"}, 1.0 / 3},
		{[]string{"x", "b", "a"}, []string{"a", "b"}, 0.5},
		{[]string{"x", "y"}, []string{"a"}, 0},
		{nil, []string{"a"}, 0},
	}
	for _, tt := range tests {
		if got := ReciprocalRank(tt.ranked, tt.relevant); !near(got, tt.want) {
			t.Errorf("ReciprocalRank(%v, %v) = %v, want %v", tt.ranked, tt.relevant, got, tt.want)
		}
	}
}

func TestNDCGAtK(t *testing.T) {
	t.Parallel()
	log3 := math.Log2(3)
	tests := []struct {
		name     string
		ranked   []string
		relevant []string
		k        int
		want     float64
	}{
		{"perfect single", []string{"a", "x"}, []string{"a"}, 10, 1},
		// DCG = 1/log2(3); ideal = 1.
		{"single at rank 2", []string{"x", "a"}, []string{"a"}, 10, 1 / log3},
		// DCG = 1 + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3).
		{"two relevant at 1 and 3", []string{"a", "x", "b"}, []string{"a", "b"}, 10, 1.5 / (1 + 1/log3)},
		{"repeat gains once", []string{"a", "a", "b"}, []string{"a", "b"}, 10, 1.5 / (1 + 1/log3)},
		{"outside k", []string{"x", "y", "z", "a"}, []string{"a"}, 3, 0},
		// Ideal is capped by k: with k=1 and two relevant docs, ideal = 1.
		{"ideal capped by k", []string{"b", "a"}, []string{"a", "b"}, 1, 1},
		{"no ranking", nil, []string{"a"}, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NDCGAtK(tt.ranked, tt.relevant, tt.k); !near(got, tt.want) {
				t.Errorf("NDCGAtK = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	t.Parallel()
	items := []RetrievalItem{
		{ID: "q1", Query: "a", Relevant: []string{"a"}, Far: true},
		{ID: "q2", Query: "b", Relevant: []string{"b", "c"}},
		{ID: "q3", Query: "d", Relevant: []string{"d"}},
	}
	rankings := map[string][]string{
		"q1": {"x", "a", "a", "y"}, // docs x, a, y: relevant at rank 2
		"q2": {"c", "b"},           // both relevant, ranks 1 and 2
		// q3 has no ranking.
	}
	rep := Summarise(items, rankings)

	type counts struct{ N, Missing, NFar, NNear int }
	if diff := cmp.Diff(counts{3, 1, 1, 2}, counts{rep.N, rep.Missing, rep.NFar, rep.NNear}); diff != "" {
		t.Fatalf("counts (-want +got):\n%s", diff)
	}
	if got := rep.Items[0].Ranked; !reflect.DeepEqual(got, []string{"x", "a", "y"}) {
		t.Errorf("q1 ranked = %v, want deduplicated [x a y]", got)
	}
	ndcgQ1 := 1 / math.Log2(3)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"q1 recall@1", rep.Items[0].Scores.Recall1, 0},
		{"q1 recall@5", rep.Items[0].Scores.Recall5, 1},
		{"q1 mrr", rep.Items[0].Scores.MRR, 0.5},
		{"q1 ndcg@10", rep.Items[0].Scores.NDCG10, ndcgQ1},
		{"q2 doc recall@5", rep.Items[1].Scores.DocRecall5, 1},
		{"q2 ndcg@10", rep.Items[1].Scores.NDCG10, 1},
		{"q3 mrr", rep.Items[2].Scores.MRR, 0},
		{"mean recall@1", rep.Mean.Recall1, 1.0 / 3},
		{"mean recall@5", rep.Mean.Recall5, 2.0 / 3},
		{"mean recall@10", rep.Mean.Recall10, 2.0 / 3},
		{"mean mrr", rep.Mean.MRR, 0.5},
		{"mean ndcg@10", rep.Mean.NDCG10, (ndcgQ1 + 1) / 3},
		{"far recall@1", rep.MeanFar.Recall1, 0},
		{"far mrr", rep.MeanFar.MRR, 0.5},
		{"near recall@1", rep.MeanNear.Recall1, 0.5},
		{"near mrr", rep.MeanNear.MRR, 0.5},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestSummariseEmpty(t *testing.T) {
	t.Parallel()
	rep := Summarise(nil, nil)
	if rep.N != 0 || rep.Mean != (RetrievalScores{}) {
		t.Errorf("Summarise(nil) = %+v, want zero report", rep)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "questions.jsonl")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadRetrievalSet(t *testing.T) {
	t.Parallel()
	good := `{"id":"q001","query":"j'ai perdu ma carte vitale","relevant":["F265"],"audience":"particuliers","far":false,"theme":"sante","note":"inconnu toléré"}

{"id":"q002","query":"  la caf me réclame de l'argent ","relevant":["F2269"," "],"audience":"particuliers","far":true}
`
	items, err := LoadRetrievalSet(writeFile(t, good))
	if err != nil {
		t.Fatalf("LoadRetrievalSet: %v", err)
	}
	want := []RetrievalItem{
		{ID: "q001", Query: "j'ai perdu ma carte vitale", Relevant: []string{"F265"}, Audience: "particuliers"},
		{ID: "q002", Query: "la caf me réclame de l'argent", Relevant: []string{"F2269"}, Audience: "particuliers", Far: true},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("items = %+v, want %+v", items, want)
	}

	bad := []struct {
		name    string
		content string
		wantErr string
	}{
		{"malformed json", `{"id":"q1","query":"a","relevant":["F1"]}` + "\n" + `{"id":"q2","query":` + "\n", "ligne 2"},
		{"empty query", `{"id":"q1","query":"a","relevant":["F1"]}` + "\n\n" + `{"id":"q3","query":"  ","relevant":["F1"]}`, "ligne 3 (q3) : question vide"},
		{"no relevant", `{"id":"q1","query":"a","relevant":[]}`, "ligne 1 (q1) : aucune fiche pertinente"},
		{"missing relevant", `{"id":"q1","query":"a"}`, "aucune fiche pertinente"},
		{"missing id", `{"query":"a","relevant":["F1"]}`, "ligne 1 : champ \"id\" vide"},
		{"duplicate id", `{"id":"q1","query":"a","relevant":["F1"]}` + "\n" + `{"id":"q1","query":"b","relevant":["F2"]}`, "déjà utilisé ligne 1"},
		{"wrong type", `{"id":"q1","query":"a","relevant":"F1"}`, "ligne 1"},
		{"empty file", "\n\n", "aucune question"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRetrievalSet(writeFile(t, tt.content))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}

	if _, err := LoadRetrievalSet(filepath.Join(t.TempDir(), "absent.jsonl")); err == nil {
		t.Error("missing file: want an error")
	}
}

// TestShippedSets checks that the labelled sets in eval/retrieval load and
// keep their documented shape, so a bad edit fails CI rather than an eval run.
func TestShippedSets(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file string
		min  int
	}{
		{"questions.jsonl", 150},
		{"sample.jsonl", 40},
	} {
		t.Run(tt.file, func(t *testing.T) {
			items, err := LoadRetrievalSet(filepath.Join("..", "..", "eval", "retrieval", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(items) < tt.min {
				t.Errorf("%d questions, want at least %d", len(items), tt.min)
			}
			for _, it := range items {
				for _, r := range it.Relevant {
					if !strings.HasPrefix(r, "F") {
						t.Errorf("%s: relevant id %q is not a fiche (F…)", it.ID, r)
					}
				}
				if it.Audience != "particuliers" && it.Audience != "professionnels" {
					t.Errorf("%s: audience %q", it.ID, it.Audience)
				}
			}
		})
	}
}
