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

// wordInfo says which lexicons and word sets hold a folded key. The filter reads a dozen of them for every
// word that may be a name; one lookup in the lexicon's index answers them all, where each was a hash of its own.
type wordInfo uint32

const (
	wKnown           wordInfo = 1 << iota // humannames
	wFrench                               // wfrench
	wEnglish                              // wamerican
	wPlace                                // towns and countries (lieux)
	wFirst                                // a first name of prenoms.csv (count above zero)
	wLast                                 // a surname of noms.txt (count above zero)
	wStop                                 // stopwords
	wTitle                                // titles
	wRole                                 // roles
	wRelation                             // relations
	wInstitution                          // institutions
	wStreet                               // streetTypes
	wSignoff                              // signoffs
	wNameParticle                         // nameParticles
	wCommuneParticle                      // communeParticles
	wCommon                               // commonWords
	wNonName                              // nonNames
	wFrenchExtra                          // frenchExtra
	wExonym                               // exonyms
	wCountry                              // countryNames
)

// wordList is one of the large lists, its keys marked with bit in the lexicon's index.
type wordList struct {
	n     int
	index *wordIndex
	bit   wordInfo
}

// unzipWordList decompresses a list built by lexgen. A corrupt list is a build defect: it panics at load.
func unzipWordList(gz []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		panic("pii: liste de mots illisible : " + err.Error())
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("pii: liste de mots illisible : " + err.Error())
	}
	return b
}

// loadWordList marks the keys of a decompressed list, one a line, with bit in index.
func loadWordList(b []byte, index *wordIndex, bit wordInfo) *wordList {
	w := &wordList{index: index, bit: bit}
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte{'\n'})
		index.add(string(line), bit)
		w.n++
		b = rest
	}
	return w
}

// has reports whether the folded key k is in the list.
func (w *wordList) has(k string) bool {
	if w == nil || k == "" {
		return false
	}
	return w.index.get(k)&w.bit != 0
}

// Len is the number of keys.
func (w *wordList) Len() int { return w.n }

// LexiconKey folds a word the way the filter looks words up: lower-case, accents removed, hyphens and spaces as
// '-', apostrophes as '\”. scripts/pii-lexicons.sh builds the embedded lists with it.
func LexiconKey(s string) string { return foldName(s) }
