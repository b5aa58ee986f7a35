package web

import (
	"math"
	"strings"
	"testing"
)

// rebuild returns the old and new texts a diff describes.
func rebuild(d []diffSpan) (string, string) {
	var a, b strings.Builder
	for _, s := range d {
		if s.Op != "ins" {
			a.WriteString(s.Text)
		}
		if s.Op != "del" {
			b.WriteString(s.Text)
		}
	}
	return a.String(), b.String()
}

func TestWordDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b string
		want       string // the diff written [-removed-]{+added+}
	}{
		{"identical", "Bonjour Madame.", "Bonjour Madame.", "Bonjour Madame."},
		{"word replaced", "Votre dossier est complet.", "Votre dossier est incomplet.", "Votre dossier est [-complet.-]{+incomplet.+}"},
		{"sentence added", "Bonjour,\nMerci.", "Bonjour,\nNous avons reçu votre message.\nMerci.", "Bonjour,\n{+Nous avons reçu votre message.\n+}Merci."},
		{"from nothing", "", "Texte neuf", "{+Texte neuf+}"},
		{"to nothing", "Texte ancien", "", "[-Texte ancien-]"},
		{"markup is text", "<b>a</b>", "<script>a</script>", "[-<b>a</b>-]{+<script>a</script>+}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := wordDiff(tt.a, tt.b)
			var got strings.Builder
			for _, s := range d {
				switch s.Op {
				case "ins":
					got.WriteString("{+" + s.Text + "+}")
				case "del":
					got.WriteString("[-" + s.Text + "-]")
				default:
					got.WriteString(s.Text)
				}
			}
			if got.String() != tt.want {
				t.Errorf("diff = %q, want %q", got.String(), tt.want)
			}
			if a, b := rebuild(d); a != tt.a || b != tt.b {
				t.Errorf("diff rebuilds %q → %q, want %q → %q", a, b, tt.a, tt.b)
			}
			if diffChanged(d) != (tt.a != tt.b) {
				t.Errorf("diffChanged = %v", diffChanged(d))
			}
		})
	}
}

// TestWordDiffLongTexts checks that two long, different texts (past the LCS table's bound) still give a diff that
// rebuilds both.
func TestWordDiffLongTexts(t *testing.T) {
	t.Parallel()
	a := strings.Repeat("alpha beta ", 3000)
	b := strings.Repeat("gamma delta ", 3000)
	d := wordDiff(a, b)
	if ra, rb := rebuild(d); ra != a || rb != b {
		t.Fatal("long diff does not rebuild its texts")
	}
	c := strings.Replace(a, "beta", "BETA", 1)
	if ra, rb := rebuild(wordDiff(a, c)); ra != a || rb != c {
		t.Fatal("long diff with one change does not rebuild its texts")
	}
}

func TestEditRatio(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 0},
		{"un deux trois quatre", "un deux trois quatre", 0},
		{"un deux trois quatre", "un deux trois cinq", 0.25},
		{"un deux", "trois quatre cinq six", 1},
		{"un deux trois quatre", "un trois quatre", 0.25},
		{"", "un deux", 1},
	}
	for _, tt := range tests {
		if got := editRatio(tt.a, tt.b); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("editRatio(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
