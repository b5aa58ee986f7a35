package pii

import (
	"bufio"
	_ "embed"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/prenoms.csv
var prenomsCSV string

//go:embed data/noms.txt
var nomsTXT string

// lexicon holds the name frequency tables, keyed by folded form ("elodie", "ndiaye", "n'diaye", "jean-pierre").
type lexicon struct {
	first  map[string]int
	last   map[string]int
	known  *wordList // humannames: first names and surnames of many origins
	french *wordList // wfrench: French word forms, to tell a word that is not French
	// english: common English words (wamerican), so « Urgent Help » is not a name for not being French
	english *wordList
}

var (
	lexOnce sync.Once
	lex     *lexicon
)

// names loads the embedded lexicons once for the whole process.
func names() *lexicon {
	lexOnce.Do(func() {
		lex = &lexicon{first: parsePrenoms(prenomsCSV), last: parseNoms(nomsTXT),
			known: loadWordList(humannamesGZ), french: loadWordList(motsFrGZ), english: loadWordList(wordsEnGZ)}
	})
	return lex
}

// parsePrenoms reads INSEE's « fichier des prénoms » layout: sexe;preusuel;annais;nombre.
func parsePrenoms(data string) map[string]int {
	m := make(map[string]int, 4096)
	sc := bufio.NewScanner(strings.NewReader(data))
	nameCol, countCol := 1, 3
	header := true
	for sc.Scan() {
		fields := strings.Split(strings.TrimRight(sc.Text(), "\r"), ";")
		if header {
			header = false
			for i, f := range fields {
				switch strings.ToLower(strings.TrimSpace(f)) {
				case "preusuel", "prenom", "prénom":
					nameCol = i
				case "nombre":
					countCol = i
				}
			}
			continue
		}
		if len(fields) <= nameCol || len(fields) <= countCol {
			continue
		}
		name := fields[nameCol]
		if name == "" || strings.HasPrefix(name, "_") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(fields[countCol]))
		if err != nil {
			continue
		}
		m[foldName(name)] += n
	}
	return m
}

// parseNoms reads INSEE's surname file layout: the name, then counts per decade, tab-separated.
func parseNoms(data string) map[string]int {
	m := make(map[string]int, 4096)
	sc := bufio.NewScanner(strings.NewReader(data))
	header := true
	for sc.Scan() {
		if header {
			header = false
			continue
		}
		fields := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if len(fields) < 2 || fields[0] == "" {
			continue
		}
		total := 0
		for _, f := range fields[1:] {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
				total += n
			}
		}
		m[foldName(fields[0])] += total
	}
	return m
}

// foldName folds a lexicon entry the way name units are folded in text: letters folded, hyphens kept,
// apostrophes as ', spaces as -.
func foldName(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '-' || r == ' ':
			b = append(b, '-')
		case r == '\'' || r == '’':
			b = append(b, '\'')
		case isWordRune(r):
			b = appendFolded(b, r)
		}
	}
	return string(b)
}
