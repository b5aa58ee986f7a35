package pii

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
