package fold

import "testing"

func TestString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Préfecture":         "prefecture",
		"PRÉFECTURE":         "prefecture",
		"Négatif":            "negatif",
		"cœur, Ægée, Straße": "coeur, aegee, strasse",
		"Où ça ? Noël, ÿ, ñ": "ou ca ? noel, y, n",
		"déjà 12 €":          "deja 12 €",
		"":                   "",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}
