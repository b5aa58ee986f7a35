package pii

import (
	"bufio"
	"bytes"
	_ "embed"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
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
	// places: towns of the world (GeoNames) and countries in French, so « à Valparaíso » is no person
	places *wordList
	// index tells, for every key of the lists above and of the small word sets, which of them hold it.
	index *wordIndex
}

// word returns what the lexicons and word sets say about the folded key k.
func (l *lexicon) word(k string) wordInfo { return l.index.get(k) }

var (
	lexOnce sync.Once
	lex     *lexicon
)

// names loads the embedded lexicons once for the whole process.
func names() *lexicon {
	lexOnce.Do(func() {
		lex = loadLexicon()
	})
	return lex
}

// loadLexicon decompresses the embedded lists and indexes them with the small word sets.
func loadLexicon() *lexicon {
	lists := [][]byte{unzipWordList(humannamesGZ), unzipWordList(motsFrGZ), unzipWordList(wordsEnGZ),
		unzipWordList(lieuxGZ)}
	first, last := parsePrenoms(prenomsCSV), parseNoms(nomsTXT)
	small := []struct {
		bit wordInfo
		set map[string]bool
	}{
		{wStop, stopwords}, {wTitle, titles}, {wRole, roles}, {wRelation, relations}, {wInstitution, institutions},
		{wStreet, streetTypes}, {wSignoff, signoffs}, {wNameParticle, nameParticles},
		{wCommuneParticle, communeParticles}, {wCommon, commonWords}, {wNonName, nonNames},
		{wFrenchExtra, frenchExtra}, {wExonym, exonyms}, {wCountry, countryNames},
	}
	// Sized for every key given, repeated ones counted each time (707,547 distinct keys in the four lists).
	capacity, keyBytes := len(first)+len(last), 0
	for _, b := range lists {
		capacity += bytes.Count(b, []byte{'\n'}) + 1
		keyBytes += len(b)
	}
	for _, s := range small {
		capacity += len(s.set)
	}
	// The names and small sets add a few kilobytes of keys the lists do not hold: build grows once at most.
	index := newWordIndex(capacity, keyBytes)
	l := &lexicon{first: first, last: last, index: index,
		known: loadWordList(lists[0], index, wKnown), french: loadWordList(lists[1], index, wFrench),
		english: loadWordList(lists[2], index, wEnglish), places: loadWordList(lists[3], index, wPlace)}
	mark := func(bit wordInfo, keys func(func(string))) { keys(func(k string) { index.add(k, bit) }) }
	mark(wFirst, positiveKeys(l.first))
	mark(wLast, positiveKeys(l.last))
	for _, s := range small {
		mark(s.bit, boolKeys(s.set))
	}
	index.done()
	return l
}

// positiveKeys yields the keys of a frequency table whose count is above zero.
func positiveKeys(m map[string]int) func(func(string)) {
	return func(yield func(string)) {
		for k, n := range m {
			if n > 0 {
				yield(k)
			}
		}
	}
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

// greetingWords open a message addressed to someone: the words after them, up to the comma, name that person.
var greetingWords = set(`bonjour bonsoir cher chere hello salut coucou`)

// greetingHandles masks the pseudonym an agent's reply greets: « Bonjour lili_33, », « Bonjour MamanDe2, »,
// « Bonjour Zaza du 13, ». A pseudonym is no word of any list: what tells it is its shape, letters with digits,
// an underscore or a capital inside, alone between the greeting and the comma.
func (d *detector) greetingHandles() {
	for i := range d.toks {
		d.tick()
		t := &d.toks[i]
		if !t.in(tagGreeting) || !t.has(fSentStart) || i+1 >= len(d.toks) {
			continue
		}
		g := d.gap(i)
		if g != " " && g != "\u00a0" {
			continue
		}
		start := d.toks[i+1].start
		rest := d.text[start:min(len(d.text), start+48)]
		end := strings.IndexAny(rest, ",!\n")
		if end <= 0 {
			continue
		}
		handle := strings.TrimSpace(rest[:end])
		f := strings.Fields(handle)
		if len(f) == 0 || len(f) > 4 || stopwords[LexiconKey(f[0])] || titles[LexiconKey(f[0])] || anonymousHandle(f[0]) {
			continue
		}
		lineEnd := strings.HasPrefix(strings.TrimLeft(d.text[start+end+1:], " \r"), "\n")
		if len(f) <= 3 && pseudonym(f) || len(f) >= 2 && lineEnd && d.nickname(f) {
			// The number detectors read « Lili33 » as a reference: the greeting says whose name it is.
			end := start + len(handle)
			d.cands = slices.DeleteFunc(d.cands, func(c cand) bool { return c.start >= start && c.end <= end })
			d.add(start, end, LabelPerson)
		}
	}
}

// pseudonym reports the words of a handle shaped like a pseudonym: one word mixing letters with digits, an
// underscore or a capital after a small letter (« lili_33 », « MamanDe2 »), or a few words ending with a number
// (« Zaza du 13 »).
func pseudonym(f []string) bool {
	letters, digits, inner := false, false, false
	w := f[0]
	var prev rune
	for _, r := range w {
		switch {
		case unicode.IsLetter(r):
			letters = true
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				inner = true
			}
		case unicode.IsDigit(r):
			digits = true
		case r == '_' || r == '.' && unicode.IsLetter(prev):
			inner = true // « lulu.b », « marco.polo »: an e-mail's local part as a pseudonym
		default:
			if r != '-' && r != '.' {
				return false
			}
		}
		prev = r
	}
	if !letters {
		return false
	}
	if len(f) == 1 {
		return digits || inner
	}
	for _, r := range f[len(f)-1] {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// headerFields open the lines of a forwarded e-mail that name its sender or its addressee.
var headerFields = set(`de from a to cc expediteur destinataire envoye`)

// mailHeaders masks the person in a forwarded e-mail's header lines: « De : Jeanne Roux <jroux@…> »,
// « À : Jeanne Roux ». The words up to the address or the end of the line are the name, whatever they are.
func (d *detector) mailHeaders() {
	for i := range d.toks {
		d.tick()
		t := &d.toks[i]
		if !t.in(tagHeader) || !t.has(fSentStart) || t.start > 0 && d.text[t.start-1] != '\n' || i+1 >= len(d.toks) {
			continue
		}
		g := strings.TrimSpace(d.gap(i))
		if g != ":" {
			continue
		}
		start := d.toks[i+1].start
		line, _, _ := strings.Cut(d.text[start:], "\n")
		name, addr, hasAddr := strings.Cut(line, "<")
		name = strings.TrimSpace(strings.Trim(strings.TrimSpace(name), `"`))
		if !hasAddr && containsAny(line, "@:") || hasAddr && !strings.Contains(addr, "@") {
			continue // « De : service@… », « À : 10 h 30 »
		}
		f := strings.Fields(name)
		if len(f) < 1 || len(f) > 4 || containsAny(name, "0123456789@") {
			continue
		}
		lead := LexiconKey(f[0])
		if stopwords[lead] || nonNames[lead] || institutions[lead] || roles[lead] || officeWords[lead] {
			continue // « À : la CAF », « De : Service Qualité »
		}
		off := strings.Index(d.text[start:], name)
		if off >= 0 {
			d.add(start+off, start+off+len(name), LabelPerson)
		}
	}
}

// anonymousWords begin the handles a platform gives to whoever did not choose one: « Usager_4521 », « Anonyme13 ».
var anonymousWords = []string{"anonyme", "anonymous", "usager", "utilisateur", "user", "guest", "invite", "visiteur",
	"internaute", "citoyen", "citoyenne", "contributeur", "contributrice", "membre", "compte"}

// anonymousHandle reports a handle that names nobody: a generic word and a number.
func anonymousHandle(h string) bool {
	k := strings.ToLower(h)
	for _, w := range anonymousWords {
		if strings.HasPrefix(k, w) {
			return true
		}
	}
	return false
}

// nickname reports the words of a greeting's whole line that are a nickname built on a first name: « Pat le
// Breton », « Josette du 13 »: a first name first, nothing of an office or a title after it, and one person
// (« Marie et Paul » are two, found one by one).
func (d *detector) nickname(f []string) bool {
	k := LexiconKey(f[0])
	if d.lex.first[k] == 0 || d.lex.french.has(k) && commonWords[k] {
		return false
	}
	for _, w := range f[1:] {
		k := LexiconKey(strings.Trim(w, ".'’"))
		if k == "et" || titles[k] || roles[k] || institutions[k] || officeWords[k] || nonNames[k] && !communeParticles[k] {
			return false
		}
	}
	return true
}
