package pii

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Known values: once a value is in a review's (or a conversation's) mapping, it is masked wherever it appears
// again in a text redacted with that mapping, whether or not detection would find it there. An agent's rewrite,
// a chat client's history or a published reply carry values Plume itself restored; detection alone missed some
// of them (a birth date without its cue, a case number in another layout), literal matching does not.

// AddKnown puts a value the detector did not find into m, so that every later text redacted with m masks it:
// the pseudonym a citizen publishes under, which the model must never see either. It returns the value's
// placeholder; an empty value or an unknown label returns "".
func (m *Mapping) AddKnown(label, value string) string {
	value = strings.TrimSpace(value)
	c, ok := classByLabel[label]
	if !ok || value == "" {
		return ""
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	key := label + "\x00" + normValue(label, value)
	if k, ok := m.byKey[key]; ok {
		return m.entries[k].Placeholder
	}
	m.count[label]++
	ph := "[" + c.word + "_" + strconv.Itoa(m.count[label]) + "]"
	m.byKey[key] = len(m.entries)
	m.byPH[ph] = len(m.entries)
	m.entries = append(m.entries, entry{Placeholder: ph, Label: label, Value: value})
	return ph
}

// FindKnown returns the spans of text where a value of m appears, in any case, accents, spacing or separators
// ("06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78"; "Élodie NDIAYE", "ndiaye"), each with its
// placeholder in m. Spans are sorted and do not overlap.
func (m *Mapping) FindKnown(text string) []Span {
	if m == nil || text == "" {
		return nil
	}
	m.mu.Lock()
	entries := append([]entry(nil), m.entries...)
	m.mu.Unlock()
	if len(entries) == 0 {
		return nil
	}
	words, compact := wordStream(text), compactStream(text)
	var spans []Span
	for _, e := range entries {
		for _, k := range wordKeys(e) {
			spans = append(spans, words.find(k, e)...)
		}
		for _, k := range compactKeys(e) {
			spans = append(spans, compact.find(k, e)...)
		}
	}
	return resolveOverlaps(spans)
}

// civility and particles are parts of a name that say nothing of who the person is.
var nameFillers = map[string]bool{"madame": true, "monsieur": true, "mme": true, "mlle": true, "mademoiselle": true,
	"van": true, "von": true, "del": true, "des": true, "den": true, "der": true, "dos": true, "das": true, "ben": true,
	"bin": true, "ibn": true, "les": true, "docteur": true, "maitre": true}

// wordKeys are the folded forms of e matched on word boundaries: the whole value and, for a name, each part of
// three letters or more (« Ndiaye » alone after « Élodie Ndiaye »).
func wordKeys(e entry) []string {
	switch e.Label {
	case LabelPerson, LabelAddress, LabelPostcodeCity, LabelEmail, LabelBirthdate:
	default:
		return nil
	}
	whole := foldString(e.Value)
	if utf8.RuneCountInString(whole) < 3 {
		return nil
	}
	keys := []string{whole}
	if e.Label == LabelPerson {
		for _, p := range strings.Fields(whole) {
			if utf8.RuneCountInString(p) >= 3 && p != whole && !nameFillers[p] {
				keys = append(keys, p)
			}
		}
	}
	return keys
}

// compactKeys are the forms of e matched letters and digits only, separators ignored: numbers written in any
// grouping, birth dates written 12031985 or 12.03.1985, a pseudonym « Lodie75 » written « lodie 75 ».
func compactKeys(e entry) []string {
	k := compactKey(e.Value)
	if len(k) < 4 {
		return nil
	}
	keys := []string{k}
	if e.Label == LabelPhone && len(k) == 10 && k[0] == '0' {
		keys = append(keys, "33"+k[1:], "0033"+k[1:], "330"+k[1:])
	}
	if e.Label == LabelPhone && strings.HasPrefix(k, "33") && len(k) == 11 {
		keys = append(keys, "0"+k[2:])
	}
	return keys
}

func compactKey(s string) string {
	var b []byte
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b = appendCompact(b, r)
		}
	}
	return string(b)
}

// stream is a text reduced to a matching key, with the byte offsets of the original text each key byte came
// from.
type stream struct {
	key        string
	start, end []int // original byte range of key byte i
	boundary   []bool
	words      bool // word stream: boundaries are spaces in the key
}

// wordStream folds text like foldString (lower case, no accents, runs of other characters as one space).
func wordStream(text string) stream {
	var s stream
	s.words = true
	var b []byte
	space := false
	for i, r := range text {
		n := utf8.RuneLen(r)
		if n < 0 {
			n = 1
		}
		if !isWordRune(r) {
			space = true
			continue
		}
		if unicode.IsMark(r) {
			if len(s.end) > 0 {
				s.end[len(s.end)-1] = i + n
			}
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
			s.start = append(s.start, i)
			s.end = append(s.end, i)
		}
		space = false
		before := len(b)
		b = appendFolded(b, r)
		for range len(b) - before {
			s.start = append(s.start, i)
			s.end = append(s.end, i+n)
		}
	}
	s.key = string(b)
	return s
}

// compactStream keeps letters and digits only, upper-cased and without accents; boundary[i] says that key byte
// i starts a new run in the original text (after a separator), where a value may begin or end.
func compactStream(text string) stream {
	var s stream
	var b []byte
	sep := true
	for i, r := range text {
		n := utf8.RuneLen(r)
		if n < 0 {
			n = 1
		}
		if !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			sep = true
			continue
		}
		before := len(b)
		b = appendCompact(b, r)
		for j := range len(b) - before {
			s.start = append(s.start, i)
			s.end = append(s.end, i+n)
			s.boundary = append(s.boundary, sep && j == 0)
		}
		sep = false
	}
	s.key = string(b)
	return s
}

// find returns a span of e for each occurrence of key in s that begins and ends on a boundary.
func (s stream) find(key string, e entry) []Span {
	var out []Span
	for from := 0; from+len(key) <= len(s.key); {
		i := strings.Index(s.key[from:], key)
		if i < 0 {
			break
		}
		i += from
		j := i + len(key)
		from = i + 1
		var ok bool
		if s.words {
			ok = (i == 0 || s.key[i-1] == ' ') && (j == len(s.key) || s.key[j] == ' ')
		} else {
			ok = s.boundary[i] && (j == len(s.key) || s.boundary[j])
		}
		if !ok {
			continue
		}
		out = append(out, Span{Start: s.start[i], End: s.end[j-1], Label: e.Label, Placeholder: e.Placeholder})
	}
	return out
}

// resolveOverlaps sorts spans and keeps, of two overlapping ones, the longer (the first on a tie).
func resolveOverlaps(spans []Span) []Span {
	if len(spans) < 2 {
		return spans
	}
	sortSpans(spans)
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.Start < last.End {
			if s.End-s.Start > last.End-last.Start {
				*last = s
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

func sortSpans(spans []Span) {
	slices.SortStableFunc(spans, func(a, b Span) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.End - a.End
	})
}

// mergeKnown adds the known spans to the detected ones: where they overlap, the longer span wins, so a value
// detected with its context (« Mme Élodie Ndiaye ») keeps it.
func mergeKnown(detected, known []Span) []Span {
	if len(known) == 0 {
		return detected
	}
	// Known spans first: on a tie the value keeps the placeholder it already has (« Lodie75 » is the pseudonym,
	// not a case number).
	all := make([]Span, 0, len(detected)+len(known))
	all = append(all, known...)
	all = append(all, detected...)
	return resolveOverlaps(all)
}

// appendCompact appends r folded and upper-cased byte for byte, so that key offsets stay aligned.
func appendCompact(b []byte, r rune) []byte {
	before := len(b)
	b = appendFolded(b, r)
	for i := before; i < len(b); i++ {
		if b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return b
}
