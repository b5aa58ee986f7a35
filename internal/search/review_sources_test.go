package search_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/search"
)

// TestReviewTitleSearch checks the title search of a review: a short title that names the démarche lifts its
// fiche above those of the documents the narrative lists, and the option turns it off.
func TestReviewTitleSearch(t *testing.T) {
	t.Parallel()
	st, _ := loadSample(t)
	ctx := context.Background()
	s := search.New(st, embed.NewLocal(dim), search.Options{})
	review := search.Review{Organisation: "Caisse", Title: pii.Public("Aspa de ma mère"), Text: pii.Public(
		"J'ai envoyé le dossier en mars. On me redemande la carte Vitale, l'avis d'impôt sur le revenu, le relevé " +
			"de la taxe d'habitation et l'attestation de la complémentaire santé. J'ai renvoyé la carte Vitale et l'avis " +
			"d'impôt deux fois. Le prélèvement à la source de l'impôt sur le revenu, la taxe d'habitation et la carte " +
			"Vitale perdue du mois dernier n'ont rien à voir. Remboursement des médicaments et carte Vitale, impôt sur " +
			"le revenu, taxe d'habitation : toujours les mêmes pièces redemandées.")}
	rank := func(opt search.ReviewOptions) (int, search.Sources) {
		t.Helper()
		opt.Fiches, opt.NoAbstain = 10, true
		src, err := s.ReviewSources(ctx, review, opt)
		if err != nil {
			t.Fatal(err)
		}
		return slices.IndexFunc(src.Fiches, func(f search.Fiche) bool { return f.DocID == "F16871" }), src
	}
	with, src := rank(search.ReviewOptions{})
	without, _ := rank(search.ReviewOptions{TitleWeight: -1})
	if got := src.Query.Title.String(); got != "Aspa de ma mère" {
		t.Errorf("title query %q", got)
	}
	if with < 0 || with > 2 || (without >= 0 && without <= with) {
		t.Errorf("Aspa fiche at %d with the title search, %d without: want it in the first 3, and higher with", with, without)
	}
	for i, f := range src.Fiches {
		if len(f.Passages) == 0 || f.URL == "" || i > 0 && f.Score > src.Fiches[i-1].Score {
			t.Errorf("fiche %d: %+v (scores not in order or no passage)", i, f)
		}
	}
}

// TestReviewQueryTF checks that ReviewOptions.QueryTF caps how many times a word the review repeats counts in the
// full-text scores: by default each word counts once and the fiche that holds three of the narrative's words, each
// said once, one of them less rare, comes first; at QueryTF 2 the fiche of the allowance named three times (two
// rare words) passes it.
func TestReviewQueryTF(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// « caution » is in four of the common fiches: less rare than the other words.
	st := loadWithCommon(t, func(i int) string {
		if i < 4 {
			return "Les familles qui déménagent demandent une caution."
		}
		return "Les familles qui déménagent demandent une aide."
	},
		oneBlockDoc("F1", "Versements aux familles", "La subvention quinquennale est versée une fois tous les cinq ans aux familles."),
		oneBlockDoc("F2", "Location d'un logement", "Le bailleur fixe le loyer ; la caution est rendue au locataire qui part."))
	// The full-text legs alone: the vectors count repeated words in their own way.
	s := search.New(st, embed.NewLocal(dim), search.Options{FullTextWeight: 1, VectorWeight: 0})
	review := search.Review{Organisation: "Caisse", Text: pii.Public("Ma subvention quinquennale n'arrive pas. " +
		"La subvention quinquennale devait tomber en mai. J'attends toujours la subvention quinquennale. " +
		"Mon bailleur réclame le loyer et garde la caution.")}
	tests := []struct {
		name    string
		queryTF int
		want    []string
	}{
		{"each word once by default: the narrative's fiche first", 0, []string{"F2", "F1"}},
		{"a repeated word counting twice: the allowance first", 2, []string{"F1", "F2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := s.ReviewSources(ctx, review, search.ReviewOptions{QueryTF: tt.queryTF, NoAbstain: true, TitleCoverWeight: -1})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range src.Fiches[:min(2, len(src.Fiches))] {
				got = append(got, f.DocID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("first fiches (-want +got):\n%s", diff)
			}
		})
	}
}
