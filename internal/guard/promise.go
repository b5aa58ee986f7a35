package guard

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/fold"
)

// maskedRE matches a number restoration showed masked (« FR76 •••• 189 », « •••• 4242 »): its visible part
// still identifies the citizen to anyone who has the rest.
var maskedRE = regexp.MustCompile(`(?:[A-Z]{2}\d{2}\s)?•{2,}(?:[\s\x{00a0}]?[0-9A-Z]{1,4})?`)

// stopWords carry no promise on their own: a forbidden phrase is matched on its other words.
var stopWords = map[string]bool{"vous": true, "nous": true, "votre": true, "notre": true, "leur": true, "dans": true,
	"pour": true, "avec": true, "cette": true, "etre": true, "avoir": true, "elle": true, "sont": true, "tout": true,
	"plus": true, "cest": true, "quil": true, "dont": true, "mais": true, "ainsi": true}

// findPromise finds a forbidden promise in text: the phrase itself in any case and accents, or a sentence that
// holds at least three quarters of its meaningful words (compared on their first five letters, so that
// « garanti », « garantie » and « garantissons » meet). It returns the byte range of the match.
func findPromise(text, phrase string) (int, int, bool) {
	want := tokens(phrase)
	if len(want) == 0 {
		return 0, 0, false
	}
	need := (3*len(want) + 3) / 4
	need = max(need, min(2, len(want)))
	fp := normalise(phrase)
	for _, s := range sentences(text) {
		sent := text[s[0]:s[1]]
		if fp != "" && strings.Contains(" "+normalise(sent)+" ", " "+fp+" ") {
			return s[0], s[1], true
		}
		have := map[string]bool{}
		for _, t := range tokens(sent) {
			have[t] = true
		}
		n := 0
		for _, t := range want {
			if have[t] {
				n++
			}
		}
		if n >= need {
			return s[0], s[1], true
		}
	}
	return 0, 0, false
}

// sentences splits text at . ! ? ; and line ends, returning the trimmed byte range of each piece.
func sentences(text string) [][2]int {
	var out [][2]int
	start := 0
	flush := func(end int) {
		a, b := start, end
		for a < b && (text[a] == ' ' || text[a] == '\n' || text[a] == '\t') {
			a++
		}
		for b > a && (text[b-1] == ' ' || text[b-1] == '\n' || text[b-1] == '\t') {
			b--
		}
		if b > a {
			out = append(out, [2]int{a, b})
		}
	}
	for i, r := range text {
		if r == '.' || r == '!' || r == '?' || r == ';' || r == '\n' {
			flush(i + utf8.RuneLen(r))
			start = i + utf8.RuneLen(r)
		}
	}
	flush(len(text))
	return out
}

// tokens are the meaningful words of s, folded and cut to five letters, and its numbers.
func tokens(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.Fields(normalise(s)) {
		isNum := strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
		if !isNum && (utf8.RuneCountInString(w) < 4 || stopWords[w]) {
			continue
		}
		if r := []rune(w); len(r) > 5 && !isNum {
			w = string(r[:5])
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// normalise lower-cases s, removes accents and apostrophes' elisions, and keeps letters and digits separated by
// single spaces.
func normalise(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			fold.Rune(&b, r)
		case r == '\'' || r == '’':
			// « c'est » folds to « cest », one word, as the reader sees it
		default:
			space = true
		}
	}
	return b.String()
}
