package pii

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestRetokenize checks that the second pass's tokens, copied from the first pass's, are the ones tokenize
// makes of the text with its spans replaced: spans cutting a word at either end or in its middle, at the text's
// edges, side by side, empty, and taking away a sentence's end or a line break.
func TestRetokenize(t *testing.T) {
	texts := []string{
		"Bonjour Élodie. Mon numéro : 06 12 34 56 78 ; merci… À bientôt !",
		"ÉLODIE NDIAYE-SARR\nTél 0612345678\nréf. AB12-CD34 ŒUVRE ß straße",
		"jean.dupont@exemple.fr, dossier n°2024-118734 (voir p. 3)… fin",
		"Mme Dupont, tel 06 12 34 56 78, dossier 2024-118734. Mme Martin",
		"a",
		"…x",
		"x\u0301y z\u00a0w",
	}
	rng := rand.New(rand.NewPCG(17, 5))
	for _, text := range texts {
		toks, _ := tokenize(text, nil, nil, func() {})
		bounds := runeBounds(text)
		var cases [][]Span
		// Every single span on character boundaries, empty ones included.
		for i, s := range bounds {
			for _, e := range bounds[i:] {
				cases = append(cases, []Span{{Start: s, End: e}})
			}
		}
		// Random sets of several spans.
		for range 300 {
			var spans []Span
			pos := 0
			for pos < len(text) && len(spans) < 5 {
				s := nextBound(bounds, pos+rng.IntN(6))
				e := nextBound(bounds, s+rng.IntN(8))
				if s >= len(text) {
					break
				}
				spans = append(spans, Span{Start: s, End: e})
				pos = e
			}
			cases = append(cases, spans)
		}
		for _, spans := range cases {
			edits := make([]edit, len(spans))
			for i, sp := range spans {
				edits[i] = edit{start: sp.Start, end: sp.End, repl: "[•]"}
			}
			rewritten := rewrite(text, edits).text
			want, _ := tokenize(rewritten, nil, nil, func() {})
			got, ok := retokenize(rewritten, toks, spans, "[•]", nil, func() {})
			if !ok {
				t.Errorf("retokenize(%q, %v) gave up on spans at character boundaries", text, spans)
				continue
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(tok{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("retokenize(%q, %v) (-tokenize +retokenize):\n%s", text, spans, diff)
			}
		}
	}
}

// TestRetokenizeCutCharacter checks that a span cutting a character in two is left to tokenize.
func TestRetokenizeCutCharacter(t *testing.T) {
	text := "Élodie"
	toks, _ := tokenize(text, nil, nil, func() {})
	spans := []Span{{Start: 1, End: 3}} // from the middle of « É »
	rewritten := rewrite(text, []edit{{start: 1, end: 3, repl: "[•]"}}).text
	if got, ok := retokenize(rewritten, toks, spans, "[•]", nil, func() {}); ok {
		t.Errorf("retokenize = %v, true; want false (tokenize to do it)", got)
	}
}

// runeBounds returns the byte offsets of text's characters and its length.
func runeBounds(text string) []int {
	var b []int
	for i := range text {
		b = append(b, i)
	}
	return append(b, len(text))
}

// nextBound returns the first character boundary at or after p (len of the text at most).
func nextBound(bounds []int, p int) int {
	for _, b := range bounds {
		if b >= p {
			return b
		}
	}
	return bounds[len(bounds)-1]
}

// TestCountTokens checks that tokenize's first count, which sizes its slice, is the number of tokens it finds.
func TestCountTokens(t *testing.T) {
	for _, text := range []string{
		"", " ", "a", "1 1 1 1", "a.b@c@a.b@c", "Élodie NDIAYE-SARR, né le 3/4/1985…",
		"x\u0301y z\u00a0w", "\xff\xfeabc\xe2\x80", "l'été 2024 : ŒUVRE ß straße 中文 ١٢٣",
	} {
		toks, _ := tokenize(text, nil, nil, func() {})
		if got := countTokens(text, func() {}); got != len(toks) {
			t.Errorf("countTokens(%q) = %d, tokenize found %d", text, got, len(toks))
		}
	}
}

// TestContainsAny checks that containsAny answers as strings.ContainsAny, on the short gaps it compares in place
// as on the strings it passes on: ASCII and not, invalid UTF-8, sets with characters beyond ASCII.
func TestContainsAny(t *testing.T) {
	sets := []string{"", "!?", ".!?…", "–—", "0123456789@", "\n,;:!?", "\xff", "’'"}
	texts := []string{"", " ", ". ", " \n", "a", "…", " – ", "\xff", "\xe2\x80", "x’y", "\u00a0", "  ,  ",
		"0123456789abcdef!", strings.Repeat(" ", 17) + "?", "ab\u202fcd"}
	for _, s := range texts {
		for _, chars := range sets {
			if got, want := containsAny(s, chars), strings.ContainsAny(s, chars); got != want {
				t.Errorf("containsAny(%q, %q) = %v, strings.ContainsAny says %v", s, chars, got, want)
			}
		}
	}
}
