package pii

import "unicode/utf8"

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

// Public marks text published by an administration (service-public.fr fiches, local procedure pages, prompt
// templates) as safe to send. Never call it on anything a citizen, an agent or an adviser wrote: that text must
// go through the filter. A test lists the packages allowed to call it.
func Public(text string) Redacted { return Redacted{text: text} }

// Join concatenates redacted parts: the result is as safe as its parts.
func Join(parts []Redacted, sep string) Redacted {
	n := 0
	for _, p := range parts {
		n += len(p.text) + len(sep)
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, sep...)
		}
		b = append(b, p.text...)
	}
	return Redacted{text: string(b)}
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
