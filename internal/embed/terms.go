package embed

// ContentTerms returns the light stems of text's content words (stopwords dropped), in order: the same
// normalisation as the local embedder, for lexical comparisons such as claim grounding.
func ContentTerms(text string) []string {
	toks := Tokens(nil, text)
	out := toks[:0]
	for _, t := range toks {
		if stopwords[t] || len(t) < 2 {
			continue
		}
		out = append(out, Stem(t))
	}
	return out
}

// IsStopword reports whether a folded, lowercased word (as Tokens returns it) is a French function word or a
// question word that says nothing of the subject (comment, combien, peux…).
func IsStopword(w string) bool { return stopwords[w] }
