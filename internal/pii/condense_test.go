package pii

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCondense(t *testing.T) {
	t.Parallel()
	filler := strings.Repeat("Je raconte encore une fois toute mon histoire depuis le début sans rien de nouveau. ", 200)
	text := "Bonjour, je vous écris au sujet de ma prime. " + filler + "Pourquoi mon dossier [DOSSIER_1] est-il bloqué ? " + filler + "Merci de me répondre vite."
	for _, max := range []int{200, 1000, 5000} {
		got := Public(text).Condense(max).String()
		if n := utf8.RuneCountInString(got); n > max {
			t.Errorf("Condense(%d) gave %d characters", max, n)
		}
		for _, want := range []string{"Bonjour, je vous écris au sujet de ma prime.", "Pourquoi mon dossier [DOSSIER_1] est-il bloqué ?", "Merci de me répondre vite.", "[…]"} {
			if !strings.Contains(got, want) {
				t.Errorf("Condense(%d) lost %q: %.200q", max, want, got)
			}
		}
	}
	// One endless sentence: cut before a word, marked.
	long := strings.Repeat("mot ", 1000)
	got := Public(long).Condense(100).String()
	if utf8.RuneCountInString(got) > 100 || !strings.HasSuffix(got, "[…] ") || strings.Contains(got, "mo […]") {
		t.Errorf("long sentence condensed to %q", got)
	}
	if s := Public("court").Condense(100).String(); s != "court" {
		t.Errorf("short text changed: %q", s)
	}
}
