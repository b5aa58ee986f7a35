package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// StyleOnly keeps of r only what teaches tone and structure: lower-case French words (and any French word that
// opens a sentence or a line) and punctuation. Everything else — numbers, placeholders, citations, capitalised
// words inside a sentence, words no French dictionary knows — becomes « […] ». It is for a reply to another
// review shown to the model as an example (reply memory): that reply's facts belong to another citizen, and
// values the filter missed in it (a name in lower case, a reference without a cue, an address without a number)
// are all of those kinds.
func (r Redacted) StyleOnly() Redacted {
	french := names().french
	var b strings.Builder
	b.Grow(len(r.text))
	blanked := false
	sentenceStart := true
	blank := func() {
		if !blanked {
			b.WriteString("[…]")
			blanked = true
		}
	}
	// Placeholders go whole first: their inside is not words. A citation ([1], [1, 2]) needs no grammar of its
	// own here: its brackets are dropped and its numbers blanked, as every number is.
	text := wellFormedRe.ReplaceAllLiteralString(r.text, "\x00")
	for i := 0; i < len(text); {
		if text[i] == 0 {
			blank()
			i++
			continue
		}
		// A word: letters, digits, apostrophes and hyphens inside it.
		j := i
		for j < len(text) {
			c, n := decodeRune(text[j:])
			if isWordRune(c) || ((c == '\'' || c == '’' || c == '-') && j > i && j+n < len(text) && isWordRuneAt(text[j+n:])) {
				j += n
				continue
			}
			break
		}
		if j > i {
			w := text[i:j]
			first, _ := decodeRune(w)
			keep := !strings.ContainsFunc(w, unicode.IsDigit) && (!unicode.IsUpper(first) || sentenceStart) &&
				(utf8.RuneCountInString(w) == 1 && unicode.IsLower(first) || frenchWord(french, w))
			if keep {
				b.WriteString(w)
				blanked = false
			} else {
				blank()
			}
			sentenceStart = false
			i = j
			continue
		}
		c, n := decodeRune(text[i:])
		switch {
		case c == '[' || c == ']':
			// Brackets belong to placeholders and citations, both blanked with their content (a citation's
			// numbers are blanked as numbers).
		case c == '.' || c == '!' || c == '?' || c == '\n' || c == ':':
			sentenceStart = true
			blanked = false
			b.WriteString(text[i : i+n])
		case unicode.IsSpace(c):
			b.WriteString(text[i : i+n])
		default:
			blanked = false
			b.WriteString(text[i : i+n])
		}
		i += n
	}
	return Redacted{text: b.String()}
}

// frenchWord reports whether every part of w (« aujourd'hui », « c'est », « peut-être ») is a French word form.
func frenchWord(french *wordList, w string) bool {
	if french.has(foldName(w)) {
		return true
	}
	parts := strings.FieldsFunc(w, func(r rune) bool { return r == '\'' || r == '’' || r == '-' })
	if len(parts) < 2 {
		return false
	}
	for k, p := range parts {
		lp := strings.ToLower(p)
		// Elided articles and pronouns: l', d', j', qu', c', n', s', m', t'.
		if k < len(parts)-1 && len([]rune(lp)) <= 2 || lp == "qu" || lp == "jusqu" || lp == "lorsqu" || lp == "puisqu" {
			continue
		}
		if !french.has(foldName(p)) {
			return false
		}
	}
	return true
}

func isWordRuneAt(s string) bool {
	c, _ := decodeRune(s)
	return isWordRune(c)
}
