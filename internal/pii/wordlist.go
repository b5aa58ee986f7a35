package pii

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"sort"
	"strings"
)

// The large word lists built by scripts/pii-lexicons.sh (sources and licences in data/README.md): folded keys,
// sorted, one a line, gzip-compressed.
var (
	//go:embed data/humannames.txt.gz
	humannamesGZ []byte
	//go:embed data/mots-fr.txt.gz
	motsFrGZ []byte
)

// wordList is a sorted list of folded keys held in one string: a few megabytes and no map, looked up by binary
// search.
type wordList struct {
	data string
	offs []uint32 // start of each key in data; keys end at the next '\n'
}

// loadWordList decompresses a list built by lexgen. A corrupt list is a build defect: it panics at load.
func loadWordList(gz []byte) *wordList {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		panic("pii: liste de mots illisible : " + err.Error())
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("pii: liste de mots illisible : " + err.Error())
	}
	w := &wordList{data: string(b), offs: make([]uint32, 0, bytes.Count(b, []byte{'\n'}))}
	for i := 0; i < len(b); {
		w.offs = append(w.offs, uint32(i))
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return w
}

func (w *wordList) at(i int) string {
	s := w.data[w.offs[i]:]
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		return s[:j]
	}
	return s
}

// has reports whether the folded key k is in the list.
func (w *wordList) has(k string) bool {
	if w == nil || k == "" {
		return false
	}
	i := sort.Search(len(w.offs), func(i int) bool { return w.at(i) >= k })
	return i < len(w.offs) && w.at(i) == k
}

// Len is the number of keys.
func (w *wordList) Len() int { return len(w.offs) }

// LexiconKey folds a word the way the filter looks words up: lower-case, accents removed, hyphens and spaces as
// '-', apostrophes as '\”. scripts/pii-lexicons.sh builds the embedded lists with it.
func LexiconKey(s string) string { return foldName(s) }
