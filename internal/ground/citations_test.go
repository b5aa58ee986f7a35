package ground

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSplitCitations cuts around the markers CheckCitations reads, and only those: placeholders and bracketed
// words stay text.
func TestSplitCitations(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want []CitationPart
	}{
		{"", nil},
		{"Sans source.", []CitationPart{{Text: "Sans source."}}},
		{"Payée [1]. Voir [12]", []CitationPart{{Text: "Payée "}, {Text: "[1]", Cite: 1}, {Text: ". Voir "}, {Text: "[12]", Cite: 12}}},
		{"[2][3]", []CitationPart{{Text: "[2]", Cite: 2}, {Text: "[3]", Cite: 3}}},
		{"voir [1, 3; 4] ici", []CitationPart{{Text: "voir "}, {Text: "["}, {Text: "1", Cite: 1}, {Text: ", "}, {Text: "3", Cite: 3},
			{Text: "; "}, {Text: "4", Cite: 4}, {Text: "]"}, {Text: " ici"}}},
		{"Bonjour [PERSONNE_1], [123] [Source 2] [ 1]", []CitationPart{{Text: "Bonjour [PERSONNE_1], [123] [Source 2] [ 1]"}}},
	} {
		if diff := cmp.Diff(tt.want, SplitCitations(tt.in)); diff != "" {
			t.Errorf("SplitCitations(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
