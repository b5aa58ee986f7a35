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

// wordList is a sorted list of folded keys held in one string; its keys are marked in the lexicon's index, whose
// keys are substrings of that one string, so the index costs its buckets only.
type wordList struct {
	data  string
	offs  []uint32 // start of each key in data; keys end at the next '\n'
	index map[string]wordInfo
	bit   wordInfo
}

// loadWordList decompresses a list built by lexgen and marks its keys with bit in index. A corrupt list is a
// build defect: it panics at load.
func loadWordList(gz []byte, index map[string]wordInfo, bit wordInfo) *wordList {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		panic("pii: liste de mots illisible : " + err.Error())
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("pii: liste de mots illisible : " + err.Error())
	}
	w := &wordList{data: string(b), offs: make([]uint32, 0, bytes.Count(b, []byte{'\n'})), index: index, bit: bit}
	for i := 0; i < len(b); {
		w.offs = append(w.offs, uint32(i))
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	for i := range w.offs {
		index[w.at(i)] |= bit
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
	return w.index[k]&w.bit != 0
}

// Len is the number of keys.
func (w *wordList) Len() int { return len(w.offs) }

// LexiconKey folds a word the way the filter looks words up: lower-case, accents removed, hyphens and spaces as
// '-', apostrophes as '\”. scripts/pii-lexicons.sh builds the embedded lists with it.
func LexiconKey(s string) string { return foldName(s) }
