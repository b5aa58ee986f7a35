package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tok is a maximal run of letters and digits (Unicode-aware: "Élodie" is one token, "Ndiaye-Sarr" three: two
// words and nothing between, the hyphen being a gap). Everything else is the gap between tokens.
type tok struct {
	start, end int
	key        string // lower-cased, accents removed: the form looked up in the lexicons
	flags      uint16
	// tags are the small word sets holding key (tags.go). While tokenize builds the keys one after the other in
	// its arena, the field holds the end of the token's key there instead: a field of its own made every token 48
	// bytes instead of 40, and a 3.5 MB body holds two million tokens.
	tags uint32
}

const (
	fDigit     uint16 = 1 << iota // holds a digit
	fLetter                       // holds a letter
	fASCII                        // only ASCII letters and digits
	fCap                          // upper-case first letter then lower-case letters: "Élodie"
	fUpper                        // every letter upper-case, at least two letters: "DUPONT"
	fInitial                      // a single upper-case letter: "J"
	fLower                        // first letter lower-case
	fSentStart                    // first token of a sentence or of a line
)

func (t *tok) has(f uint16) bool { return t.flags&f != 0 }

// allDigitsTok reports whether t holds digits only.
func (t *tok) digitsOnly() bool { return t.flags&(fDigit|fLetter) == fDigit }

// lettersOnly reports whether t holds letters only.
func (t *tok) lettersOnly() bool { return t.flags&(fDigit|fLetter) == fLetter }

// tokenize splits text into tokens and folds each into its lookup key. All keys live in one string, so a text
// costs two allocations whatever its length. It calls check every few thousand tokens: on a 3.5 MB body
// tokenizing alone took most of a second, and a scan past its deadline must stop there too.
func tokenize(text string, toks []tok, arena []byte, check func()) ([]tok, []byte) {
	// A text of n bytes holds at most (n+1)/2 tokens. With less room than that, a short text gets room for that
	// many; a long one has its tokens counted first (a scan of bytes, a few per cent of tokenize) and allocated
	// once: guessing the density and growing the slice allocated and copied a body of single digits' tokens
	// twice, a third of its scan, in one stretch without a look at the clock.
	if most := (len(text) + 1) / 2; cap(toks) < most {
		if len(text) <= 64<<10 {
			toks = make([]tok, 0, most) // at most 1.3 MB, kept in the pool: the next texts need no count
		} else if n := countTokens(text, check); cap(toks) < n {
			toks = make([]tok, 0, n)
		}
	}
	if cap(arena) < len(text) {
		arena = make([]byte, 0, len(text)+len(text)/8)
	}
	toks = toks[:0]
	arena = arena[:0]
	sentence := true
	i := 0
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if !isAlnumASCII(c) {
				switch c {
				case '.', '!', '?', '\n', ':', ';':
					sentence = true
				}
				i++
				continue
			}
		} else {
			r, n := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				if r == '…' {
					sentence = true
				}
				i += n
				continue
			}
		}
		// A token starts at i.
		t := tok{start: i}
		nLetters, nUpper := 0, 0
		firstLetter := true
		ascii := true
		for i < len(text) {
			c := text[i]
			var r rune
			n := 1
			if c < utf8.RuneSelf {
				if !isAlnumASCII(c) {
					break
				}
				r = rune(c)
			} else {
				r, n = utf8.DecodeRuneInString(text[i:])
				if !isWordRune(r) {
					break
				}
				ascii = false
			}
			switch {
			case r >= '0' && r <= '9':
				t.flags |= fDigit
				arena = append(arena, byte(r))
			case r < utf8.RuneSelf:
				t.flags |= fLetter
				nLetters++
				up := r >= 'A' && r <= 'Z'
				if up {
					nUpper++
					r += 'a' - 'A'
				}
				t.letterCase(up, &firstLetter)
				arena = append(arena, byte(r))
			default:
				if unicode.IsDigit(r) {
					t.flags |= fDigit
					arena = utf8.AppendRune(arena, r)
					break
				}
				if unicode.IsMark(r) {
					break // combining accents are dropped from the key
				}
				t.flags |= fLetter
				nLetters++
				up := unicode.IsUpper(r)
				if up {
					nUpper++
				}
				t.letterCase(up, &firstLetter)
				arena = appendFolded(arena, r)
			}
			i += n
		}
		t.end = i
		if ascii {
			t.flags |= fASCII
		}
		if nLetters >= 2 && nUpper == nLetters {
			t.flags |= fUpper
			t.flags &^= fCap
		}
		if nLetters == 1 && nUpper == 1 && t.flags&fDigit == 0 {
			t.flags |= fInitial
			t.flags &^= fCap
		}
		if t.flags&fCap != 0 && nLetters < 2 {
			t.flags &^= fCap
		}
		if sentence {
			t.flags |= fSentStart
			sentence = false
		}
		t.tags = uint32(len(arena)) // the key's end, until the key is cut (below)
		if len(toks)&checkEvery == 0 {
			check()
		}
		toks = append(toks, t)
	}
	all := string(arena)
	ka := uint32(0)
	for k := range toks {
		if k&checkEvery == 0 {
			check()
		}
		keyEnd := toks[k].tags
		toks[k].key = all[ka:keyEnd]
		toks[k].tags = tagsOf(toks[k].key)
		ka = keyEnd
	}
	return toks, arena
}

// retokenize returns the tokens of text, which is the text of toks with every span replaced by repl (a string
// holding no letter, digit or sentence end), exactly as tokenize would return them: the tokens outside the spans
// are copied with their offsets moved, a token a span cuts is made again from its part left, and every token's
// sentence start is read again from the gap before it. It returns false, for tokenize to do it, if a span cuts
// a character in two. The spans are sorted and do not overlap; out is reused.
func retokenize(text string, toks []tok, spans []Span, repl string, out []tok, check func()) ([]tok, bool) {
	if want := len(toks) + 2*len(spans); cap(out) < want {
		out = make([]tok, 0, want)
	}
	out = out[:0]
	k, p, delta := 0, 0, 0
	for i := 0; i <= len(spans); i++ {
		q := -1 // the segment of the original text from p to q is left as it was
		if i < len(spans) {
			q = spans[i].Start
		}
		for k < len(toks) && toks[k].end <= p {
			k++
		}
		for k < len(toks) && (q < 0 || toks[k].start < q) {
			if len(out)&checkEvery == 0 {
				check()
			}
			t := toks[k]
			if t.start >= p && (q < 0 || t.end <= q) {
				t.start += delta
				t.end += delta
				out = append(out, t)
				k++
				continue
			}
			end := t.end
			if q >= 0 {
				end = min(end, q)
			}
			if start := max(t.start, p); start < end {
				piece, _ := tokenize(text[start+delta:end+delta], nil, nil, func() {})
				if len(piece) != 1 || piece[0].start != 0 || piece[0].end != end-start {
					return out, false
				}
				piece[0].start, piece[0].end = start+delta, end+delta
				out = append(out, piece[0])
			}
			if q >= 0 && t.end > q {
				break // the token goes on after the span: its part there is the next segment's
			}
			k++
		}
		if i < len(spans) {
			delta += len(repl) - (spans[i].End - spans[i].Start)
			p = spans[i].End
		}
	}
	prev := 0
	for j := range out {
		t := &out[j]
		t.flags &^= fSentStart
		if j == 0 || sentenceGap(text[prev:t.start]) {
			t.flags |= fSentStart
		}
		prev = t.end
	}
	return out, true
}

// sentenceGap reports whether a gap between two tokens ends a sentence, as tokenize reads it.
func sentenceGap(g string) bool {
	for i := 0; i < len(g); i++ {
		switch g[i] {
		case '.', '!', '?', '\n', ':', ';':
			return true
		case 0xE2: // the lead byte of « … »: no other character holds it
			if strings.HasPrefix(g[i:], "…") {
				return true
			}
		}
	}
	return false
}

// checkEvery+1 tokens go between two calls of tokenize's check.
const checkEvery = 1<<12 - 1

// countTokens returns the number of tokens tokenize finds in text, calling check every 64 KB.
func countTokens(text string, check func()) int {
	n, in := 0, false
	for i := 0; i < len(text); {
		if i&(1<<16-1) == 0 {
			check()
		}
		c := text[i]
		word, size := false, 1
		if c < utf8.RuneSelf {
			word = isAlnumASCII(c)
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			word = isWordRune(r)
		}
		if word && !in {
			n++
		}
		in = word
		i += size
	}
	return n
}

func isAlnumASCII(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// appendFolded appends r lower-cased and without its accent: keys match "ELODIE", "Élodie" and "elodie" alike.
func appendFolded(b []byte, r rune) []byte {
	r = unicode.ToLower(r)
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		return append(b, 'a')
	case 'ç', 'ć', 'č':
		return append(b, 'c')
	case 'è', 'é', 'ê', 'ë', 'ē', 'ė', 'ę', 'ě':
		return append(b, 'e')
	case 'ì', 'í', 'î', 'ï', 'ī', 'ı':
		return append(b, 'i')
	case 'ñ', 'ń':
		return append(b, 'n')
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ő':
		return append(b, 'o')
	case 'ù', 'ú', 'û', 'ü', 'ū', 'ů', 'ű':
		return append(b, 'u')
	case 'ý', 'ÿ':
		return append(b, 'y')
	case 'š', 'ś':
		return append(b, 's')
	case 'ž', 'ź', 'ż':
		return append(b, 'z')
	case 'ł':
		return append(b, 'l')
	case 'đ', 'ď':
		return append(b, 'd')
	case 'ř':
		return append(b, 'r')
	case 'ť':
		return append(b, 't')
	case 'œ':
		return append(b, 'o', 'e')
	case 'æ':
		return append(b, 'a', 'e')
	case 'ß':
		return append(b, 's', 's')
	}
	return utf8.AppendRune(b, r)
}

// foldString returns s as a lookup key: lower-case, no accents, runs of non-letters as one space.
func foldString(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for _, r := range s {
		if isWordRune(r) {
			if unicode.IsMark(r) {
				continue
			}
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = appendFolded(b, r)
		} else {
			space = true
		}
	}
	return string(b)
}

// letterCase records one letter's case: the first letter makes the token capitalised or lower case, and a capital
// after it takes « capitalised » back, so that a word in capitals or with a capital inside (« CAF », « McDo ») does
// not pass for a name's shape.
func (t *tok) letterCase(up bool, first *bool) {
	if *first {
		if up {
			t.flags |= fCap
		} else {
			t.flags |= fLower
		}
		*first = false
	} else if up {
		t.flags &^= fCap
	}
}

// containsAny is strings.ContainsAny for the short gaps between tokens the rules ask about: for an ASCII string of
// a few bytes it compares bytes in place, where strings.ContainsAny calls strings.IndexRune per character (5.5 % of
// Find1MB's samples, nearly all on gaps of one or two bytes). A longer string, or one holding a character beyond
// ASCII, goes to strings.ContainsAny, whose answer is the same.
func containsAny(s, chars string) bool {
	if len(s) > 16 {
		return strings.ContainsAny(s, chars)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ContainsAny(s, chars)
		}
		// An ASCII byte of chars is that character: no byte of a longer UTF-8 sequence is below 0x80.
		for j := 0; j < len(chars); j++ {
			if chars[j] == c {
				return true
			}
		}
	}
	return false
}
