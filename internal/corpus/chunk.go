package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxTokens bounds a chunk: large enough for a paragraph and its list, small enough that several chunks
// fit in a prompt and that an embedding still describes one idea.
const DefaultMaxTokens = 350

// Chunk is a passage of a document with everything a reader needs to trust it: where it comes from and when.
type Chunk struct {
	DocID       string
	Audience    string
	Title       string // the fiche's title
	SectionPath string // "Location > Démarche > Cas général (Caf)"
	Theme       string
	URL         string
	Date        time.Time
	Ord         int    // position in the document, from 0
	Text        string // the passage itself, without title or path
	Tokens      int    // EstimateTokens of Text
	Hash        string // identifies everything stored about the chunk, so unchanged chunks are not re-embedded
}

// Heading is the context a reader and an embedder need before the text: title and section path.
func (c Chunk) Heading() string {
	if c.SectionPath == "" {
		return c.Title
	}
	return c.Title + " — " + c.SectionPath
}

// EstimateTokens estimates how many tokens a BPE tokenizer of a current LLM gives for French text, without one:
// each word (run of letters or digits) counts 1 plus 1 per 6 letters beyond the first, since long French words
// split into several pieces, and each other non-space character (punctuation, symbol) counts 1. On fiche text
// it is within about 15% of cl100k counts, it is deterministic and it never undercounts punctuation-heavy text.
func EstimateTokens(s string) int {
	n := 0
	word := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word++
			continue
		case unicode.IsSpace(r):
		default:
			n++
		}
		if word > 0 {
			n += 1 + (word-1)/6
			word = 0
		}
	}
	if word > 0 {
		n += 1 + (word-1)/6
	}
	return n
}

// Chunker cuts documents into chunks of at most MaxTokens, along the structure of the text.
type Chunker struct {
	MaxTokens int
	// NoSummary leaves out the summary chunk (see Chunks).
	NoSummary bool
}

// SummaryPath is the section path of a document's summary chunk.
const SummaryPath = "Résumé"

// summary is what a document is about, in few words: its description and the titles of its sections. A
// question phrased like the fiche's title or one of its headings finds it through this chunk even when no
// single passage repeats those words; bounded by max tokens, it ends on a full stop.
func summary(d Document, max int) string {
	var b strings.Builder
	if d.Description != "" {
		b.WriteString(strings.TrimSpace(d.Description))
	}
	seen := map[string]bool{}
	var heads []string
	for _, s := range d.Sections {
		for _, h := range s.Path {
			h = strings.TrimSpace(h)
			if k := strings.ToLower(h); h != "" && !seen[k] {
				seen[k] = true
				heads = append(heads, h)
			}
		}
	}
	if len(heads) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("Sections : ")
		used := EstimateTokens(b.String())
		for i, h := range heads {
			t := EstimateTokens(h) + 1
			if used+t+1 > max {
				break
			}
			if i > 0 {
				b.WriteString(" ; ")
			}
			b.WriteString(h)
			used += t
		}
		b.WriteString(".")
	}
	text := b.String()
	if EstimateTokens(text) > max {
		text = splitBounded(text, max)[0]
	}
	return text
}

// Chunks cuts d: first a summary chunk (description and section titles, path SummaryPath) unless NoSummary, then blocks of one section are packed together up to the bound, a block too long is split between
// sentences, a sentence too long between clauses, and only a clause with no punctuation at all between words.
// Identical passages within a document are kept once.
func (ck Chunker) Chunks(d Document) []Chunk {
	max := ck.MaxTokens
	if max <= 0 {
		max = DefaultMaxTokens
	}
	var out []Chunk
	seen := map[string]bool{}
	emit := func(path, text string) {
		text = strings.TrimSpace(text)
		if text == "" {
			return
		}
		c := Chunk{
			DocID: d.ID, Audience: d.Audience, Title: d.Title, SectionPath: path, Theme: d.Theme,
			URL: d.URL, Date: d.Date, Text: text, Tokens: EstimateTokens(text),
		}
		c.Hash = chunkHash(c)
		if seen[c.Hash] {
			return
		}
		seen[c.Hash] = true
		c.Ord = len(out)
		out = append(out, c)
	}
	if !ck.NoSummary && d.Title != "" {
		emit(SummaryPath, summary(d, max))
	}
	for _, s := range d.Sections {
		path := s.PathString()
		var cur []string
		curTok := 0
		flush := func() {
			emit(path, strings.Join(cur, "\n"))
			cur, curTok = nil, 0
		}
		for _, b := range s.Blocks {
			for _, piece := range splitBounded(b, max) {
				t := EstimateTokens(piece)
				if curTok > 0 && curTok+t > max {
					flush()
				}
				cur = append(cur, piece)
				curTok += t
			}
		}
		flush()
	}
	return out
}

func chunkHash(c Chunk) string {
	h := sha256.New()
	for _, s := range []string{c.DocID, c.Audience, c.Title, c.SectionPath, c.Theme, c.URL, c.Date.Format(time.DateOnly), c.Text} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// splitBounded returns text whole when it fits, else pieces of at most max tokens cut at the weakest boundary
// available: lines (list items, table rows), then sentences, then clauses, then words.
func splitBounded(text string, max int) []string {
	if EstimateTokens(text) <= max {
		return []string{text}
	}
	for _, split := range []func(string) []string{splitLines, SplitSentences, splitClauses, strings.Fields} {
		parts := split(text)
		if len(parts) <= 1 {
			continue
		}
		var out []string
		var cur strings.Builder
		curTok := 0
		sep := " "
		if strings.Contains(text, "\n") && len(splitLines(text)) == len(parts) {
			sep = "\n"
		}
		for _, p := range parts {
			t := EstimateTokens(p)
			if t > max {
				if cur.Len() > 0 {
					out = append(out, cur.String())
					cur.Reset()
					curTok = 0
				}
				out = append(out, splitBounded(p, max)...)
				continue
			}
			if curTok > 0 && curTok+t > max {
				out = append(out, cur.String())
				cur.Reset()
				curTok = 0
			}
			if cur.Len() > 0 {
				cur.WriteString(sep)
			}
			cur.WriteString(p)
			curTok += t
		}
		if cur.Len() > 0 {
			out = append(out, cur.String())
		}
		return out
	}
	return []string{text}
}

func splitLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = map[string]bool{
	"m": true, "mme": true, "mmes": true, "mlle": true, "dr": true, "me": true, "art": true, "etc": true,
	"n°": true, "no": true, "p": true, "cf": true, "ex": true, "av": true, "bd": true, "st": true, "ste": true,
	"env": true, "min": true, "max": true, "fig": true, "vol": true, "réf": true, "ref": true, "al": true,
}

// SplitSentences cuts French text after ., ! , ? or … followed by a space and a capital, digit, quote or dash,
// not after a known abbreviation ("art.", "M.") or an initial.
func SplitSentences(s string) []string {
	var out []string
	start := 0
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		j := i + 1
		for j < len(runes) && (runes[j] == '.' || runes[j] == '"' || runes[j] == '»' || runes[j] == ')') {
			j++
		}
		if j >= len(runes) || !unicode.IsSpace(runes[j]) {
			continue
		}
		k := j
		for k < len(runes) && unicode.IsSpace(runes[k]) {
			k++
		}
		if k >= len(runes) {
			continue
		}
		next := runes[k]
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || next == '«' || next == '"' || next == '-' || next == '(') {
			continue
		}
		if r == '.' {
			w := lastWord(runes[start:i])
			if abbreviations[strings.ToLower(w)] || (utf8.RuneCountInString(w) == 1 && unicode.IsUpper([]rune(w)[0])) {
				continue
			}
		}
		out = append(out, strings.TrimSpace(string(runes[start:j])))
		start = k
		i = k - 1
	}
	if rest := strings.TrimSpace(string(runes[start:])); rest != "" {
		out = append(out, rest)
	}
	return out
}

func lastWord(rs []rune) string {
	i := len(rs)
	for i > 0 && !unicode.IsSpace(rs[i-1]) && rs[i-1] != '(' && rs[i-1] != '\'' && rs[i-1] != '’' {
		i--
	}
	return string(rs[i:])
}

// splitClauses cuts after ; : and , as the last resort before words.
func splitClauses(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if (r == ';' || r == ':' || r == ',') && i+1 < len(s) && s[i+1] == ' ' {
			out = append(out, strings.TrimSpace(s[start:i+1]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}
