package search

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/pii"
)

// TestAddTitleCover checks that the fiche whose title the review names climbs above a sibling of the same family
// that the fusion put first, by the share of its title words the query holds, not by their number.
func TestAddTitleCover(t *testing.T) {
	t.Parallel()
	rsa := []Fiche{
		{DocID: "F286", Title: "RSA jeune actif", Score: 0.30},
		{DocID: "F19778", Title: "RSA demandeur de 25 ans et plus", Score: 0.28},
		{DocID: "F15553", Title: "RSA parent isolé", Score: 0.27},
	}
	tests := []struct {
		name   string
		query  string
		fiches []Fiche
		weight float64
		want   []string
	}{
		{"the situation in the title decides", "RSA suspendu, je suis parent isolé avec deux enfants", rsa, 0.06,
			[]string{"F15553", "F286", "F19778"}},
		{"a share, not a count: every word of a short title", "mon passeport n'arrive pas, demande faite en mars",
			[]Fiche{
				{DocID: "F21089", Title: "Demande de passeport pour un mineur : les pièces à fournir", Score: 0.30},
				{DocID: "F14929", Title: "Passeport", Score: 0.29},
			}, 0.06, []string{"F14929", "F21089"}},
		{"no title word in the query leaves the order", "ma pension de réversion n'est pas versée", rsa, 0.06,
			[]string{"F286", "F19778", "F15553"}},
		{"a small weight does not overturn a clear lead", "RSA parent isolé", rsa, 0.01,
			[]string{"F286", "F19778", "F15553"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fiches := append([]Fiche(nil), tt.fiches...)
			addTitleCover(pii.Public(tt.query), fiches, tt.weight)
			var got []string
			for _, f := range fiches {
				got = append(got, f.DocID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}
