package reviews_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store/storetest"
)

// TestImportAndEvaluationReadTheSameReviews imports the 43 real experiences of the sample export and converts the
// same file for the evaluation: both read it with one reader and one cleaner, so every review has the same texts
// in both, and the same reference reply as the one stored as published (the one rule of « already answered »).
func TestImportAndEvaluationReadTheSameReviews(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	data, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	importFile(t, st, data, reviews.FormatCSV)
	items, err := eval.ConvertSPPCSV(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	type texts struct{ Organisation, Title, Text, Feeling, Pseudonym, Reference string }
	stored := map[string]texts{}
	for _, r := range allReviews(t, st) {
		stored[r.ExternalID] = texts{r.OrganisationName, r.Title, r.Body, r.Feeling, r.AuthorPseudonym, r.PublishedReply}
	}
	evaluated := map[string]texts{}
	answered := 0
	for _, it := range items {
		evaluated[it.ID] = texts{it.Organisation, it.Title, it.Text, it.Feeling, it.Pseudonym, it.Reference}
		if it.Reference != "" {
			answered++
		}
	}
	if diff := cmp.Diff(stored, evaluated); diff != "" {
		t.Errorf("import (-) and evaluation (+) read the export differently:\n%s", diff)
	}
	// 34 rows say « Réponse apportée »; 4 more carry the platform's automatic notice « En attente de réponse ».
	if diff := cmp.Diff([]int{43, 34}, []int{len(items), answered}); diff != "" {
		t.Errorf("reviews, answered (-want +got):\n%s", diff)
	}
}
