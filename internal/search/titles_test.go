package search

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/store"
)

func TestTitleIndexRanks(t *testing.T) {
	t.Parallel()
	ti := &titleIndex{
		docs: []store.CorpusTitle{
			{DocID: "F1", Audience: "particuliers", Theme: "famille"},
			{DocID: "F2", Audience: "particuliers", Theme: "travail"},
			{DocID: "F3", Audience: "professionnels", Theme: "travail"},
			{DocID: "F1", Audience: "professionnels", Theme: "famille"}, // the same fiche in another audience
			{DocID: "F4", Audience: "particuliers", Theme: "famille"},
		},
		vecs: [][]float32{{1, 0}, {0.6, 0.8}, {0.8, 0.6}, {0.9, 0.1}, {0, 1}},
	}
	tests := []struct {
		name            string
		audience, theme string
		depth           int
		want            map[string]int
	}{
		{"all, a fiche ranked once by its best name", "", "", 10, map[string]int{"F1": 1, "F3": 2, "F2": 3, "F4": 4}},
		{"depth", "", "", 2, map[string]int{"F1": 1, "F3": 2}},
		{"audience", "professionnels", "", 10, map[string]int{"F1": 1, "F3": 2}},
		{"theme", "", "travail", 10, map[string]int{"F3": 1, "F2": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := gocmp.Diff(tt.want, ti.ranks([]float32{1, 0}, tt.audience, tt.theme, tt.depth)); diff != "" {
				t.Errorf("ranks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFuseTitles(t *testing.T) {
	t.Parallel()
	res := func(pairs ...any) []ground.Passage {
		var out []ground.Passage
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, ground.Passage{DocID: pairs[i].(string), Score: pairs[i+1].(float64)})
		}
		return out
	}
	tests := []struct {
		name  string
		in    []ground.Passage
		ranks map[string]int
		want  []ground.Passage
	}{
		{"a well-named fiche overtakes", res("A", 0.2, "B", 0.15), map[string]int{"B": 1}, res("B", 0.25, "A", 0.2)},
		{"both named: the leg's ranks add", res("A", 0.2, "B", 0.16), map[string]int{"A": 11, "B": 1}, res("B", 0.26, "A", 0.25)},
		{"no name in the leg: order kept", res("A", 0.2, "B", 0.2, "C", 0.1), nil, res("A", 0.2, "B", 0.2, "C", 0.1)},
		{"every passage of a fiche gets its name's rank", res("A", 0.3, "B", 0.2, "B", 0.1), map[string]int{"B": 11}, res("A", 0.3, "B", 0.25, "B", 0.15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fuseTitles(tt.in, tt.ranks, 1, 9) // rank 1 adds 0.1, rank 11 0.05
			if diff := gocmp.Diff(tt.want, got, gocmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })); diff != "" {
				t.Errorf("fuseTitles (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkTitleRanks measures the title leg's own cost per question on as many names as the full corpus holds.
func BenchmarkTitleRanks(b *testing.B) {
	const n, dim = 3500, 384
	ti := &titleIndex{docs: make([]store.CorpusTitle, n), vecs: make([][]float32, n)}
	for i := range n {
		ti.docs[i].DocID = fmt.Sprintf("F%d", i)
		ti.vecs[i] = make([]float32, dim)
		for k := range dim {
			ti.vecs[i][k] = float32((i*31+k*17)%101) / 101
		}
	}
	q := ti.vecs[42]
	for b.Loop() {
		ti.ranks(q, "", "", titleDepth)
	}
}

// TestTitleRanksSelect checks that the ranks of the names selected before sorting are those of a full sort (a
// depth of every name sorts them all), with ties and fiches named several times.
func TestTitleRanksSelect(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{10, 250, 3500} {
		ti := &titleIndex{docs: make([]store.CorpusTitle, n), vecs: make([][]float32, n)}
		for i := range n {
			ti.docs[i].DocID = fmt.Sprintf("F%d", rng.IntN(n*2/3+1))             // some fiches under several names
			ti.vecs[i] = []float32{float32(rng.IntN(50)), float32(rng.IntN(50))} // many ties
		}
		q := []float32{1, 0.5}
		want := ti.ranks(q, "", "", n)
		maps.DeleteFunc(want, func(_ string, r int) bool { return r > titleDepth })
		if diff := gocmp.Diff(want, ti.ranks(q, "", "", titleDepth)); diff != "" {
			t.Errorf("%d names: ranks (-full sort +selected):\n%s", n, diff)
		}
	}
}
