package ground

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/plume-services/plume/internal/pii"
)

// citationRE finds markers such as [1], [2] or [1, 3]; placeholders ([PERSONNE_1]) never match, they hold letters.
var citationRE = regexp.MustCompile(`\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]`)

// maxMarker bounds how long a "[" is held back waiting for its "]": placeholders and citations are short.
const maxMarker = 48

// Citations is what the citation check found in a text written from numbered passages.
type Citations struct {
	Used    []int // passage numbers cited, in order of first use
	Unknown []int // numbers cited that match no passage given; removed from the text
}

// CheckCitations keeps the markers that point to a passage given (numbered 1..n) and removes the others, so that
// no reader ever sees a citation that leads nowhere; the removed numbers are in Unknown. It is StreamFilter run
// on a whole text: a streamed text and a complete one come out the same.
func CheckCitations(text string, n int) (string, Citations) {
	var b strings.Builder
	f := NewStreamFilter(n, nil, func(s string) error { b.WriteString(s); return nil })
	_ = f.Write(text) // the emitter above never fails
	_ = f.Close()
	return b.String(), f.Citations()
}

// citedIn returns the passage numbers one sentence cites.
func citedIn(sentence string) []int {
	var out []int
	for _, m := range citationRE.FindAllStringSubmatch(sentence, -1) {
		out = append(out, citationNumbers(m[1])...)
	}
	return out
}

// CitationPart is a piece of a text written from numbered passages: plain text, or a citation of passage Cite
// (Cite > 0), so that a page can draw each citation as a link to its passage.
type CitationPart struct {
	Text string
	Cite int
}

// SplitCitations cuts text around its citation markers, the ones CheckCitations reads: "[2]" is one part citing
// 2; "[1, 3]" gives "[", "1" citing 1, ", ", "3" citing 3 and "]". Every page that links citations uses it, so
// that what the check counts as a citation is what the reader can follow.
func SplitCitations(text string) []CitationPart {
	var out []CitationPart
	pos := 0
	add := func(end, cite int) {
		if end > pos {
			out = append(out, CitationPart{Text: text[pos:end], Cite: cite})
			pos = end
		}
	}
	for _, m := range citationRE.FindAllStringSubmatchIndex(text, -1) {
		add(m[0], 0)
		if k, err := strconv.Atoi(text[m[2]:m[3]]); err == nil {
			add(m[1], k) // one number: the whole marker is the link
			continue
		}
		for _, n := range digitsRE.FindAllStringIndex(text[m[2]:m[3]], -1) {
			add(m[2]+n[0], 0)
			k, _ := strconv.Atoi(text[m[2]+n[0] : m[2]+n[1]])
			add(m[2]+n[1], k)
		}
		add(m[1], 0)
	}
	add(len(text), 0)
	return out
}

var digitsRE = regexp.MustCompile(`\d+`)

// citationNumbers reads the numbers inside one marker: "1, 3" → 1, 3.
func citationNumbers(inner string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(inner, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if k, err := strconv.Atoi(f); err == nil {
			out = append(out, k)
		}
	}
	return out
}

// StreamFilter sits between the model and the reader: it holds back each bracketed marker until it is whole,
// then keeps the citations that point to a passage given (removing the others, so no citation leads nowhere)
// and, given a mapping, restores the placeholders. The same text comes out whether the model streams or not.
type StreamFilter struct {
	n       int // passages given, numbered 1..n
	mapping *pii.Mapping
	emit    func(string) error

	pending  string          // raw text held back: an open marker
	held     string          // spaces already read, sent only once something other than a removed marker follows
	redacted strings.Builder // the text as written from the redacted prompt, after the citation check
	dropped  bool            // a marker was just removed: a space before the next "." or "," goes too
	seen     map[int]bool
	bad      map[int]bool
	c        Citations
}

// NewStreamFilter checks citations against n passages and hands the checked text to emit; a nil mapping leaves
// placeholders as they are.
func NewStreamFilter(n int, m *pii.Mapping, emit func(string) error) *StreamFilter {
	return &StreamFilter{n: n, mapping: m, emit: emit, seen: map[int]bool{}, bad: map[int]bool{}}
}

// Write takes the next piece of the model's text.
func (f *StreamFilter) Write(delta string) error {
	f.pending += delta
	var out strings.Builder
	for f.pending != "" {
		i := strings.IndexByte(f.pending, '[')
		if i < 0 {
			f.plain(&out, f.pending)
			f.pending = ""
			break
		}
		if i > 0 {
			f.plain(&out, f.pending[:i])
			f.pending = f.pending[i:]
			continue
		}
		j := strings.IndexAny(f.pending[1:], "[]\n")
		if j < 0 {
			if len(f.pending) > maxMarker {
				f.plain(&out, "[")
				f.pending = f.pending[1:]
				continue
			}
			break // wait for the rest of the marker
		}
		j++ // index in f.pending
		if f.pending[j] != ']' {
			f.plain(&out, f.pending[:j])
			f.pending = f.pending[j:]
			continue
		}
		f.marker(&out, f.pending[:j+1])
		f.pending = f.pending[j+1:]
	}
	return f.send(out.String())
}

// Close flushes what is held back; an unfinished marker goes out as written, trailing spaces do not.
func (f *StreamFilter) Close() error {
	rest := f.pending
	f.pending = ""
	var out strings.Builder
	if rest != "" {
		f.plain(&out, rest)
	}
	f.held = ""
	return f.send(out.String())
}

// Redacted returns the text as checked, placeholders in.
func (f *StreamFilter) Redacted() string { return f.redacted.String() }

// Citations returns the citations kept and removed so far.
func (f *StreamFilter) Citations() Citations { return f.c }

func (f *StreamFilter) send(s string) error {
	if s == "" {
		return nil
	}
	return f.emit(s)
}

// plain writes text that holds no marker. Trailing spaces are held back: if a removed citation follows,
// "payée [9]." must become "payée." and not "payée .".
func (f *StreamFilter) plain(out *strings.Builder, s string) {
	s = f.held + s
	f.held = ""
	if f.dropped {
		t := strings.TrimLeft(s, " ")
		if t == "" {
			f.held = s
			return
		}
		if t[0] == '.' || t[0] == ',' {
			s = t
		}
		f.dropped = false
	}
	body := strings.TrimRight(s, " ")
	f.held = s[len(body):]
	out.WriteString(f.restore(body))
	f.redacted.WriteString(body)
}

func (f *StreamFilter) restore(s string) string {
	if f.mapping == nil || !strings.Contains(s, "_") {
		return s
	}
	return f.mapping.Restore(s).Text
}

// marker handles one whole "[…]": a citation is checked, anything else (a placeholder) is restored.
func (f *StreamFilter) marker(out *strings.Builder, m string) {
	loc := citationRE.FindStringSubmatchIndex(m)
	if loc == nil || loc[0] != 0 || loc[1] != len(m) {
		f.plain(out, m)
		return
	}
	var keep []string
	for _, k := range citationNumbers(m[loc[2]:loc[3]]) {
		if k < 1 || k > f.n {
			if !f.bad[k] {
				f.bad[k] = true
				f.c.Unknown = append(f.c.Unknown, k)
			}
			continue
		}
		if !f.seen[k] {
			f.seen[k] = true
			f.c.Used = append(f.c.Used, k)
		}
		keep = append(keep, "["+strconv.Itoa(k)+"]")
	}
	if len(keep) == 0 {
		f.dropped = true // the spaces held before it go if punctuation follows: plain decides with the next text
		return
	}
	s := f.held + strings.Join(keep, "")
	f.held = ""
	out.WriteString(s)
	f.redacted.WriteString(s)
	f.dropped = false
}
