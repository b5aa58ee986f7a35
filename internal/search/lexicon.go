package search

import (
	_ "embed"
	"fmt"
	"io"
	"strings"

	"github.com/plume-services/plume/internal/embed"
)

//go:embed lexicon.txt
var defaultLexicon string

// Lexicon rewrites how citizens write (abbreviations, old names) into the words of the fiches: each matched
// phrase keeps its place in the query and its official form is appended.
type Lexicon struct {
	entries map[string][]lexEntry // by first folded word
	longest int
}

type lexEntry struct {
	words     []string
	expansion string
}

// DefaultLexicon is the lexicon shipped with Plume (internal/search/lexicon.txt).
func DefaultLexicon() *Lexicon {
	l, err := ParseLexicon(strings.NewReader(defaultLexicon))
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return l
}

// ParseLexicon reads "phrase = official form" lines; # starts a comment.
func ParseLexicon(r io.Reader) (*Lexicon, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	l := &Lexicon{entries: map[string][]lexEntry{}}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		words := embed.Tokens(nil, k)
		v = strings.TrimSpace(v)
		if !ok || len(words) == 0 || v == "" {
			return nil, fmt.Errorf("lexique ligne %d : « forme = forme officielle » attendu", i+1)
		}
		l.entries[words[0]] = append(l.entries[words[0]], lexEntry{words: words, expansion: v})
		l.longest = max(l.longest, len(words))
	}
	return l, nil
}

// Expand returns text followed by the official forms of the phrases it contains, each once, longest match first.
func (l *Lexicon) Expand(text string) string {
	if l == nil {
		return text
	}
	words := embed.Tokens(nil, text)
	var add []string
	seen := map[string]bool{}
	for i := 0; i < len(words); {
		best := -1
		var exp string
		for _, e := range l.entries[words[i]] {
			n := len(e.words)
			if n > best && i+n <= len(words) && equalWords(words[i:i+n], e.words) {
				best, exp = n, e.expansion
			}
		}
		if best < 0 {
			i++
			continue
		}
		if !seen[exp] {
			seen[exp] = true
			add = append(add, exp)
		}
		i += best
	}
	if len(add) == 0 {
		return text
	}
	return text + " " + strings.Join(add, " ")
}

func equalWords(a, b []string) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
