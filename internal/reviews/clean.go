package reviews

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // dates of the export are French local dates, whatever the server's zoneinfo
	"unicode"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/fold"
)

// htmlTag matches the formatting tags found in exported texts; other angle brackets are the citizen's words.
var htmlTag = regexp.MustCompile(`(?i)</?(?:br|p|div|span|b|i|u|em|strong|a|ul|ol|li|font)(?:\s[^<>]*)?/?>`)

// lostBreak is a non-breaking space between the end of a sentence (or of a greeting) and a capital letter: the
// rich-text editor of Services Publics+ leaves it where a paragraph ended. Two lower-case letters before the
// end of a sentence keep « M.&nbsp;Dupont » together.
var lostBreak = regexp.MustCompile(`(\p{Ll}\p{Ll}[.!?]|\p{L},)(?:&nbsp;|\x{00a0})+(\p{Lu})`)

// lineBreakTag are the tags that end a line.
var lineBreakTag = regexp.MustCompile(`(?i)<br\s*/?>|</p>|</div>|</li>`)

// CleanText makes exported text readable and comparable: HTML entities and formatting tags decoded, non-breaking
// and odd spaces made plain, line endings unified, runs of spaces and of blank lines collapsed, ends trimmed.
func CleanText(s string) string {
	if !utf8.ValidString(s) {
		s = fromWindows1252(s)
	}
	if strings.ContainsRune(s, '&') || strings.ContainsRune(s, '\u00a0') {
		s = lostBreak.ReplaceAllString(s, "$1\n\n$2")
	}
	if strings.ContainsRune(s, '&') {
		s = html.UnescapeString(s)
		// Some exports encode twice (&amp;nbsp;): a second pass only when an entity is still visible.
		if entity.MatchString(s) {
			s = html.UnescapeString(s)
		}
	}
	if strings.ContainsRune(s, '<') {
		s = lineBreakTag.ReplaceAllString(s, "\n")
		s = htmlTag.ReplaceAllString(s, "")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	b.Grow(len(s))
	blank := 0     // consecutive line breaks pending
	space := false // a space is pending inside the line
	for _, r := range s {
		switch {
		case r == '\n':
			blank++
			space = false
		case r == '\t' || unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\u2007':
			space = true
		case r == '\u200b' || r == '\ufeff' || r == '\u00ad' || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			// zero-width space, byte-order mark, soft hyphen, control characters: invisible, dropped; bidirectional
			// controls (U+202A–U+202E, U+2066–U+2069…) too, which could reverse a whole draft around a pseudonym
		default:
			if b.Len() > 0 {
				switch {
				case blank >= 2:
					b.WriteString("\n\n")
				case blank == 1:
					b.WriteByte('\n')
				case space:
					b.WriteByte(' ')
				}
			}
			blank, space = 0, false
			b.WriteRune(r)
		}
	}
	return b.String()
}

var entity = regexp.MustCompile(`&(?:[a-zA-Z]{2,8}|#[0-9]{2,5}|#x[0-9a-fA-F]{2,4});`)

// fromWindows1252 decodes text exported by a spreadsheet in Windows-1252 rather than UTF-8.
func fromWindows1252(s string) string {
	const c1 = "€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ"
	high := []rune(c1)
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n > 1 {
			b.WriteRune(r)
			i += n
			continue
		}
		c := s[i]
		switch {
		case c >= 0x80 && c <= 0x9f:
			b.WriteRune(high[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
		i++
	}
	return b.String()
}

// Slug derives an organisation's identifier from its name: accents folded, lower case, words joined by hyphens.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range fold.String(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	return s
}

// kinds maps words of an organisation's name to its kind, most specific first.
var kinds = []struct {
	kind  string
	words []string // folded phrases, matched on word boundaries
}{
	{"france-services", []string{"france services", "maison france services"}},
	{"france-travail", []string{"france travail", "pole emploi"}},
	{"ants", []string{"ants", "france titres"}},
	{"caf", []string{"caf", "allocations familiales"}},
	{"cpam", []string{"cpam", "assurance maladie", "ameli"}},
	{"dgfip", []string{"dgfip", "impots", "impot", "finances publiques", "tresorerie", "sip", "sie"}},
	{"prefecture", []string{"prefecture", "sous prefecture"}},
}

// Kind guesses an organisation's kind (caf, cpam, dgfip, france-travail, ants, prefecture, france-services or
// other) from its name.
func Kind(name string) string {
	padded := " " + strings.ReplaceAll(Slug(name), "-", " ") + " "
	for _, k := range kinds {
		for _, w := range k.words {
			if strings.Contains(padded, " "+w+" ") {
				return k.kind
			}
		}
	}
	return "other"
}

// paris is where the export's dates without a time are meant.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// ParseDate reads the date formats of exports and API clients: AAAA-MM-JJ (midnight in Paris), RFC 3339 with or
// without a zone, JJ/MM/AAAA, and Unix epochs in milliseconds. The empty string is the zero time.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "02/01/2006", "02/01/2006 15:04"} {
		if t, err := time.ParseInLocation(layout, s, paris); err == nil {
			return t, nil
		}
	}
	if ms, err := strconv.ParseFloat(s, 64); err == nil && ms > 1e11 && ms < 1e14 {
		return time.UnixMilli(int64(ms)), nil
	}
	return time.Time{}, fmt.Errorf("date %q illisible : attendu AAAA-MM-JJ ou une date ISO 8601", s)
}
