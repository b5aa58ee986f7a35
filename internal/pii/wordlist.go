package pii

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
)

// The large word lists built by scripts/pii-lexicons.sh (sources and licences in data/README.md): folded keys,
// sorted, one a line, gzip-compressed.
var (
	//go:embed data/humannames.txt.gz
	humannamesGZ []byte
	//go:embed data/mots-fr.txt.gz
	motsFrGZ []byte
	//go:embed data/words-en.txt.gz
	wordsEnGZ []byte
	//go:embed data/lieux.txt.gz
	lieuxGZ []byte
)

// wordList is a sorted list of folded keys held in one string, with a set over it: the keys are substrings of
// that one string, so the set costs its buckets only, and a lookup is one hash instead of twenty comparisons
// (the filter looks up every word of a text twice).
type wordList struct {
	data string
	offs []uint32 // start of each key in data; keys end at the next '\n'
	set  map[string]struct{}
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
	w.set = make(map[string]struct{}, len(w.offs))
	for i := range w.offs {
		w.set[w.at(i)] = struct{}{}
	}
	return w
}

func (w *wordList) at(i int) string {
	end := len(w.data)
	if i+1 < len(w.offs) {
		end = int(w.offs[i+1])
	}
	if end > int(w.offs[i]) && w.data[end-1] == '\n' {
		end--
	}
	return w.data[w.offs[i]:end]
}

// has reports whether the folded key k is in the list.
func (w *wordList) has(k string) bool {
	if w == nil || k == "" {
		return false
	}
	_, ok := w.set[k]
	return ok
}

// Len is the number of keys.
func (w *wordList) Len() int { return len(w.offs) }

// LexiconKey folds a word the way the filter looks words up: lower-case, accents removed, hyphens and spaces as
// '-', apostrophes as '\”. scripts/pii-lexicons.sh builds the embedded lists with it.
func LexiconKey(s string) string { return foldName(s) }
