package pii

import (
	"strings"
	"testing"
)

// TestStyleOnly keeps the tone of a reply and blanks its facts, including values the filter cannot see.
func TestStyleOnly(t *testing.T) {
	t.Parallel()
	in := Public("Bonjour [PERSONNE_1],\n\nMerci pour votre message. Nous avons noté votre adresse résidence les Tilleuls bâtiment C " +
		"et votre référence QX-SEPT-ALPHA ; écrivez à zoltan point kovacs chez gmail. Le versement de 312 € est prévu le 12/03 [1]. Voir aussi [2, 3].\n\n" +
		"Aujourd'hui, n'hésitez pas à revenir vers nous.\n\nLe service relations usagers de la Caf")
	got := in.StyleOnly().String()
	for _, gone := range []string{"PERSONNE", "Tilleuls", "QX", "SEPT", "ALPHA", "zoltan", "kovacs", "gmail", "312", "12/03", "[1]", "2", "3]", "Caf"} {
		if strings.Contains(got, gone) {
			t.Errorf("%q kept in %q", gone, got)
		}
	}
	if strings.Contains(got, "[[") || strings.Contains(got, "]]") {
		t.Errorf("a citation left its brackets around the blank: %q", got)
	}
	for _, kept := range []string{"Bonjour", "Merci pour votre message.", "Nous avons noté votre adresse", "Aujourd'hui, n'hésitez pas à revenir vers nous.", "Le service relations usagers de la"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%q lost in %q", kept, got)
		}
	}
}
