package pii

import (
	"regexp"
	"unicode/utf8"
)

// wellFormedRe is the grammar of the placeholders the filter writes, [PERSONNE_1], [TELEPHONE_2]…, and nothing
// else (citations [1] stay): the one definition every package reaches through Redacted's methods.
var wellFormedRe = regexp.MustCompile(`\[[A-Z_]+_\d+\]`)

// Redacted is text that has been through the personal-data filter, or official text published by the
// administration. It is the only text type the model and embeddings clients accept: its field is unexported,
// so no other package can build one from a citizen's raw words, and the compiler enforces the filter.
type Redacted struct {
	text string
}

// String returns the filtered text, ready to leave the server.
func (r Redacted) String() string { return r.text }

// IsZero reports whether r holds no text.
func (r Redacted) IsZero() bool { return r.text == "" }

// Public marks vetted official text as safe to send: service-public.fr fiches and local procedure pages from
// the corpus, rendered prompt templates whose every value is a Redacted. Never call it on anything a citizen, an
// agent, an adviser or a supervisor wrote: that text must go through the filter. TestPublicCallers lists the
// only functions allowed to call it, each with its reason.
func Public(text string) Redacted { return Redacted{text: text} }

// literal is the type of Const's argument. It is unexported, so no other package can name it in a conversion:
// only an untyped constant converts to it implicitly, and a variable holding runtime text does not compile.
type literal string

// Const turns a compile-time constant of the program (a fixed query, a separator) into Redacted text.
func Const(s literal) Redacted { return Redacted{text: string(s)} }

// Join concatenates redacted parts with a redacted separator: the result is as safe as its parts.
func Join(parts []Redacted, sep Redacted) Redacted {
	n := 0
	for _, p := range parts {
		n += len(p.text) + len(sep.text)
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, sep.text...)
		}
		b = append(b, p.text...)
	}
	return Redacted{text: string(b)}
}

// PlaceholderSpans returns the byte spans [start, end) of r's placeholders, in order: what a reader of r skips
// to keep only the citizen's own words.
func (r Redacted) PlaceholderSpans() [][]int { return wellFormedRe.FindAllStringIndex(r.text, -1) }

// BlankPlaceholders replaces every placeholder of r with « […] », for text shown to the model as an example of
// another review: its markers must not be copied into this review's draft.
func (r Redacted) BlankPlaceholders() Redacted {
	return Redacted{text: wellFormedRe.ReplaceAllLiteralString(r.text, "[…]")}
}

// Truncate returns at most maxBytes of r, cut before a word so no word is split: a part of safe text is safe.
func (r Redacted) Truncate(maxBytes int) Redacted {
	if len(r.text) <= maxBytes {
		return r
	}
	cut := maxBytes
	for cut > 0 && r.text[cut] != ' ' && r.text[cut] != '\n' {
		cut--
	}
	if cut == 0 {
		cut = maxBytes
		for cut > 0 && !utf8.RuneStart(r.text[cut]) {
			cut--
		}
	}
	return Redacted{text: r.text[:cut]}
}
