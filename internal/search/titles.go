package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// Title leg: a short question describes a situation in a few words, and a fiche is named by its title and the
// sections of the site above it (« Famille > Séparation > Pension alimentaire »), and summed up by its description. Passages are long and their
// vectors say everything else the passage says; a title is as short as the question, so comparing the question's
// vector with each fiche's name vector finds fiches whose name the passage-level legs rank too low. Its ranks
// are fused into the store's.
const (
	// DefaultNameWeight is the default Options.NameWeight. Recall@5 on the full corpus (local-sem-v3),
	// questions.jsonl / questions2.jsonl / questions5.jsonl: 0.715 / 0.681 / 0.515 without the leg, 0.733 /
	// 0.675 / 0.515 at 0.5, 0.769 / 0.681 / 0.500 at 1 (before the title cover and the lexicon of e076b7d and
	// 055b120; with them, 0.719 / 0.694 / 0.560 → 0.765 / 0.700 / 0.555 at 1, recall@1 and MRR up on all
	// three); titles without breadcrumbs did less well offline.
	DefaultNameWeight = 1.0
	// titlePool is the number of fiches (or passages) asked of the store when the title leg re-ranks them: the
	// same as the title cover's (no extra work for the store); at 50, recall@5 and recall@1 were the same on
	// questions and questions5, one question less on questions2.
	titlePool = 20
	// titleDepth is the number of best-named fiches the leg ranks, as the store's legs rank 100 candidates.
	titleDepth = 100
)

// titleIndex holds the name vectors of the stored fiches, in the store's order.
type titleIndex struct {
	docs []store.CorpusTitle
	vecs [][]float32
}

// titleText is what the embedder sees of a fiche's name: its title, breadcrumb and description. The description
// says in plain words whom the fiche is for and what happens (« Dès l'âge de 3 ans, l'enfant doit suivre une
// scolarité en maternelle », « La crémation (incinération) … ») where the title names the procedure
// (« Inscription à l'école maternelle », « Crémation »): a citizen describing a situation shares more words with
// it. Recall@5 on questions5 / questions2 (tuning, failures read): 0.555 / 0.706 → 0.590 / 0.713 (questions5's
// far questions 45 → 51 of 122); on questions4 / questions (not read): 0.600 / 0.765 → 0.613 / 0.756. The
// description as a leg of its own beside the name leg did less well (0.585 / 0.694), and so did the whole
// « Résumé » passage, description and section titles (0.575 / 0.706).
func titleText(t store.CorpusTitle) string {
	return t.Title + "\n" + t.Breadcrumb + "\n" + t.Description
}

// newTitleIndex embeds the name of every stored fiche with emb, the query embedder of the corpus (3,500 fiches
// take a fraction of a second with the local embedder, once per corpus load).
func newTitleIndex(ctx context.Context, st *store.Store, emb embed.Embedder) (*titleIndex, error) {
	docs, err := st.CorpusTitles(ctx)
	if err != nil {
		return nil, err
	}
	texts := make([]pii.Redacted, len(docs))
	for i, d := range docs {
		// Titles and breadcrumbs are published by an administration: safe to embed as they are.
		texts[i] = pii.Public(titleText(d))
	}
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("search: titres : %w", err)
	}
	return &titleIndex{docs: docs, vecs: vecs}, nil
}

// ranks returns the rank (from 1) of the depth fiches whose name is nearest v by cosine, among those of the
// audience and theme asked for (empty: any), keyed by fiche id.
func (ti *titleIndex) ranks(v []float32, audience, theme string, depth int) map[string]int {
	type scored struct {
		i   int
		sim float32
	}
	best := make([]scored, 0, len(ti.docs))
	for i, d := range ti.docs {
		if (audience != "" && d.Audience != audience) || (theme != "" && d.Theme != theme) || len(ti.vecs[i]) != len(v) {
			continue
		}
		best = append(best, scored{i, dot(ti.vecs[i], v)})
	}
	// Ties by the store's order, so that the ranks never depend on the sort.
	order := func(a, b scored) int { return cmp.Or(cmp.Compare(b.sim, a.sim), a.i-b.i) }
	rank := func(best []scored) map[string]int {
		out := make(map[string]int, depth)
		for _, b := range best {
			if len(out) == depth {
				break
			}
			if id := ti.docs[b.i].DocID; out[id] == 0 {
				out[id] = len(out) + 1
			}
		}
		return out
	}
	// Sorting every name (3,500) to keep 100 cost half the leg's CPU: the best twice depth are selected first and
	// only they are sorted, unless a fiche named several times leaves them short of depth fiches.
	if k := 2 * depth; k < len(best) {
		selectBest(best, k, order)
		slices.SortFunc(best[:k], order)
		if out := rank(best[:k]); len(out) == depth {
			return out
		}
	}
	slices.SortFunc(best, order)
	return rank(best)
}

// selectBest moves the k first elements of s in the order cmp (a total order) to its front, in any order: a
// quickselect, in Hoare's partition.
func selectBest[T any](s []T, k int, cmp func(a, b T) int) {
	lo, hi := 0, len(s)-1
	for lo < hi {
		p := s[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for cmp(s[i], p) < 0 {
				i++
			}
			for cmp(p, s[j]) < 0 {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

// dot is the dot product of two vectors of the same length, in four independent sums so that the products of a
// 3,500-name scan overlap.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// fuseTitles adds to the fused score of each result the title leg's reciprocal rank of its fiche, w/(k + rank),
// and orders the results again by score, ties kept in the store's order.
func fuseTitles(res []ground.Passage, ranks map[string]int, w, k float64) []ground.Passage {
	for i := range res {
		if r := ranks[res[i].DocID]; r > 0 {
			res[i].Score += w / (k + float64(r))
		}
	}
	slices.SortStableFunc(res, func(a, b ground.Passage) int { return cmp.Compare(b.Score, a.Score) })
	return res
}
