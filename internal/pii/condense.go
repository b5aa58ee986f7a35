package pii

import (
	"strings"
	"unicode/utf8"
)

// Condense shortens r to at most maxChars characters for a prompt, keeping whole sentences: the first and the
// last, then those that matter most (a question, a request, a date, an amount, a placeholder), the rest in the
// order written while they fit; each gap is marked « […] ». A single sentence longer than the budget is cut
// before a word, never inside one, and marked too. Parts of safe text are safe.
func (r Redacted) Condense(maxChars int) Redacted {
	if maxChars <= 0 || utf8.RuneCountInString(r.text) <= maxChars {
		return r
	}
	const gap = " […] "
	sents := splitSentences(r.text)
	keep := make([]bool, len(sents))
	used := 0
	take := func(i int) {
		if keep[i] {
			return
		}
		n := utf8.RuneCountInString(sents[i]) + utf8.RuneCountInString(gap)
		if used+n <= maxChars {
			keep[i] = true
			used += n
		}
	}
	take(0)
	take(len(sents) - 1)
	for level := 3; level >= 0; level-- {
		for i, s := range sents {
			if sentenceWeight(s) == level {
				take(i)
			}
		}
	}
	var b strings.Builder
	for i, s := range sents {
		if !keep[i] {
			continue
		}
		switch {
		case i > 0 && !keep[i-1]:
			b.WriteString(gap)
		case b.Len() > 0:
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	if !keep[len(sents)-1] {
		b.WriteString(gap)
	}
	out := strings.TrimSpace(b.String())
	if used == 0 || utf8.RuneCountInString(out) > maxChars {
		// One sentence over the budget by itself: cut before a word.
		limit := maxChars - utf8.RuneCountInString(gap)
		if limit < 1 {
			limit = maxChars
		}
		cut := byteOffsetOfRune(r.text, limit)
		t := Redacted{text: r.text}.Truncate(cut).text
		return Redacted{text: strings.TrimSpace(t) + gap}
	}
	return Redacted{text: out}
}

// splitSentences cuts text after . ! ? and line ends, keeping each sentence's words whole.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i, c := range text {
		if c == '.' || c == '!' || c == '?' || c == '\n' {
			if s := strings.TrimSpace(text[start : i+utf8.RuneLen(c)]); s != "" {
				out = append(out, s)
			}
			start = i + utf8.RuneLen(c)
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

var requestWords = []string{"demande", "dossier", "pourquoi", "comment", "depuis", "toujours pas", "aucune réponse", "besoin", "attends", "versement", "paiement", "rendez-vous"}

// sentenceWeight says how much a sentence matters to answer the review: 3 a question, 2 a date, an amount or a
// placeholder, 1 a request or a complaint about delays, 0 the rest.
func sentenceWeight(s string) int {
	switch {
	case strings.Contains(s, "?"):
		return 3
	case containsAny(s, "0123456789€["):
		return 2
	}
	low := strings.ToLower(s)
	for _, w := range requestWords {
		if strings.Contains(low, w) {
			return 1
		}
	}
	return 0
}

func byteOffsetOfRune(s string, n int) int {
	i := 0
	for k := range s {
		if i == n {
			return k
		}
		i++
	}
	return len(s)
}
