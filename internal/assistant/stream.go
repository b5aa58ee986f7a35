package assistant

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/plume-services/plume/internal/pii"
)

// maxMarker bounds how long a "[" is held back waiting for its "]": placeholders and citations are short.
const maxMarker = 48

// markerCitationRE is a whole citation marker: [1], [2, 3] or [1; 4].
var markerCitationRE = regexp.MustCompile(`^\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]$`)

// streamFilter sits between the model and the adviser: it holds back each bracketed marker until it is whole,
// then keeps the citations that point to a source given (removing the others, so no citation leads nowhere) and
// restores the placeholders with the conversation's mapping. The same text comes out whether the model streams
// or not, because the whole answer goes through it either way.
type streamFilter struct {
	n       int // sources given, numbered 1..n
	mapping *pii.Mapping
	emit    func(string) error

	pending  string          // raw text held back: an open marker
	held     string          // spaces already read, sent only once something other than a removed marker follows
	redacted strings.Builder // the answer as written from the redacted prompt, after the citation check
	dropped  bool            // a marker was just removed: a space before the next "." or "," goes too
	seen     map[int]bool
	bad      map[int]bool
	cited    []int
	unknown  []int
}

func newStreamFilter(n int, m *pii.Mapping, emit func(string) error) *streamFilter {
	return &streamFilter{n: n, mapping: m, emit: emit, seen: map[int]bool{}, bad: map[int]bool{}}
}

// Write takes the next piece of the model's text.
func (f *streamFilter) Write(delta string) error {
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
func (f *streamFilter) Close() error {
	rest := f.pending
	f.pending = ""
	var out strings.Builder
	if rest != "" {
		f.plain(&out, rest)
	}
	f.held = ""
	return f.send(out.String())
}

// Redacted returns the answer as checked, placeholders in.
func (f *streamFilter) Redacted() string { return f.redacted.String() }

func (f *streamFilter) send(s string) error {
	if s == "" {
		return nil
	}
	return f.emit(s)
}

// plain writes text that holds no marker. Trailing spaces are held back: if a removed citation follows,
// "payée [9]." must become "payée." and not "payée .".
func (f *streamFilter) plain(out *strings.Builder, s string) {
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

func (f *streamFilter) restore(s string) string {
	if f.mapping == nil || !strings.Contains(s, "_") {
		return s
	}
	return f.mapping.Restore(s).Text
}

// marker handles one whole "[…]": a citation is checked, anything else (a placeholder) is restored.
func (f *streamFilter) marker(out *strings.Builder, m string) {
	sub := markerCitationRE.FindStringSubmatch(m)
	if sub == nil {
		f.plain(out, m)
		return
	}
	var keep []string
	for _, field := range strings.FieldsFunc(sub[1], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		k, err := strconv.Atoi(field)
		if err != nil {
			continue
		}
		if k < 1 || k > f.n {
			if !f.bad[k] {
				f.bad[k] = true
				f.unknown = append(f.unknown, k)
			}
			continue
		}
		if !f.seen[k] {
			f.seen[k] = true
			f.cited = append(f.cited, k)
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
