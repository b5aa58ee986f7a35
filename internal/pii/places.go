package pii

import (
	"slices"
	"sort"
	"strings"
)

// ---- dates of birth ----

var birthCues = set(`ne nee nes nees naissance ddn naiss dn`)

// birthdates finds dates introduced as dates of birth: « né le 3 mars 1985 », « date de naissance : 03/03/85 ».
func (d *detector) birthdates() {
	for i := range d.toks {
		d.tick()
		if !d.toks[i].in(tagBirthCue) && !nearNaissance(d.toks[i].key) {
			continue
		}
		j := i + 1
		for skips := 0; j < len(d.toks) && skips < 7; skips++ {
			if containsAny(d.gap(j-1), ".\n") && !strings.Contains(d.gap(j-1), ":") && skips > 0 {
				break
			}
			t := &d.toks[j]
			if t.has(fDigit) || t.key == "premier" {
				break
			}
			if d.falseStart(j) {
				j++ // « né le quattro… quatre novembre », « née le euh 3 mai »
				continue
			}
			if _, ok := months[t.key]; ok && j+1 < len(d.toks) && d.toks[j+1].digitsOnly() {
				break // « née en mars 1975 »
			}
			switch {
			case t.key == "e" || t.key == "le" || t.key == "la" || t.key == "en" || t.key == "a" || t.key == "de" ||
				t.key == "du" || t.key == "d" || t.key == "s" || t.key == "date" || t.key == "es" || t.key == "l" ||
				t.key == "est" || t.key == "ma" || t.key == "sa" || t.key == "son" || t.key == "mon" || t.key == "jour" ||
				t.key == "au" || t.key == "aux" || t.key == "vers":
			case t.has(fCap) || t.has(fUpper):
				// « né à Dakar le … », « née au Cameroun, à Douala, le … »
			case t.lettersOnly() && j > i+1 && (d.toks[j-1].key == "a" || d.toks[j-1].key == "au") && !t.in(tagStop|tagMonth):
				// A birthplace typed in lower case: « né a bordeaux le … »
			default:
				skips = 99
				continue
			}
			j++
		}
		if j >= len(d.toks) {
			continue
		}
		if a, ok := d.answerAfter(i); ok {
			j = a // « Votre date de naissance ? ⏎ Assuré : le 16 juin 59. »
		}
		if end, ok := d.parseDate(j); ok {
			d.add(d.toks[j].start, d.toks[end].end, LabelBirthdate)
		} else if d.birthYear(i, j) {
			d.add(d.toks[j].start, d.toks[j].end, LabelBirthdate)
			d.moreBirthYears(j)
		}
		// « la date de naissance de chaque enfant, j'ai mis 12.06.17 pour Noah et 28.02.2019 pour Jade »: after
		// the noun, the dates written in digits further in the same sentence are births too.
		if key := d.toks[i].key; key == "naissance" || key == "ddn" || nearNaissance(key) {
			found := 0
			for k := i + 1; k < len(d.toks) && k < i+25 && found < 3; k++ {
				if g := d.gap(k - 1); strings.Contains(g, ". ") || containsAny(g, "!?\n") || laterEvents[d.toks[k].key] {
					break // « DDN 12.3.1958, décédé le 2 février »: the next date is another event's
				}
				if !d.toks[k].digitsOnly() && d.toks[k].key != "1er" {
					continue
				}
				if end, ok := d.parseDate(k); ok && end > k {
					d.add(d.toks[k].start, d.toks[end].end, LabelBirthdate)
					found++
					k = end
				}
			}
		}
	}
}

// hesitations are the fillers of speech written down: « euh », « heu ».
var hesitations = set(`euh heu hum hmm bah ben`)

// falseStart reports a word of dictated speech that carries nothing before what follows: a filler, or a word cut
// off by an ellipsis (« quattro… quatre »).
func (d *detector) falseStart(j int) bool {
	if hesitations[d.toks[j].key] {
		return true
	}
	g := strings.TrimLeft(d.gap(j), " ")
	return d.toks[j].lettersOnly() && (strings.HasPrefix(g, "...") || strings.HasPrefix(g, "…")) && j+1 < len(d.toks)
}

// answerAfter finds, when the birth cue at token i asks a question (« Votre date de naissance ? »), where the
// answer's first word stands on the next line, past its speaker's label (« Assuré : ») and the small words of
// speech (« le », « euh », « c'est le »). A date there is the birth date asked for.
func (d *detector) answerAfter(i int) (int, bool) {
	if k := d.toks[i].key; k != "naissance" && k != "ddn" && !nearNaissance(k) {
		return 0, false
	}
	q := -1
	for k := i; k < len(d.toks) && k < i+8; k++ {
		g := d.gap(k)
		if strings.Contains(g, "?") {
			q = k
			break
		}
		if containsAny(g, ".!\n") {
			return 0, false
		}
	}
	if q < 0 {
		return 0, false
	}
	j := q + 1
	// The speaker's label: up to three words and a colon at the start of the line.
	for k := j; k < len(d.toks) && k < j+3; k++ {
		if strings.Contains(d.gap(k), "\n") {
			break
		}
		if strings.TrimSpace(d.gap(k)) == ":" {
			j = k + 1
			break
		}
	}
	for n := 0; j < len(d.toks) && n < 4; n++ {
		if k := d.toks[j].key; k == "le" || k == "c" || k == "est" || k == "oui" || d.falseStart(j) {
			j++
			continue
		}
		break
	}
	if j >= len(d.toks) || j > q+1 && strings.Contains(d.text[d.toks[q].end:d.toks[j].start], "\n\n") {
		return 0, false
	}
	if _, ok := d.parseDate(j); !ok {
		return 0, false
	}
	return j, true
}

// laterEvents are the words of events after a birth whose dates are not birthdates.
var laterEvents = set(`decede decedee deces mort morte marie mariee mariage arrive arrivee entre entree depuis divorce
	divorcee separe separee inhume inhumee`)

// parseDate reads a date starting at token j and returns its last token.
func (d *detector) parseDate(j int) (int, bool) {
	t := &d.toks[j]
	tl := t.end - t.start
	day := t.digitsOnly() && tl <= 2 || t.key == "1er" || t.key == "premier"
	if t.in(tagMonth) && j+1 < len(d.toks) && strings.TrimSpace(d.gap(j)) == "" {
		// « en mars 1975 »: a month and a year, maybe its day after: « en mars 1990 le 12 »
		if y := &d.toks[j+1]; y.digitsOnly() && y.end-y.start == 4 {
			if j+3 < len(d.toks) && d.toks[j+2].key == "le" && d.toks[j+3].digitsOnly() && d.toks[j+3].end-d.toks[j+3].start <= 2 &&
				strings.TrimSpace(d.gap(j+1)) == "" && strings.TrimSpace(d.gap(j+2)) == "" {
				if dd := atoi2(d.toks[j+3].key); dd >= 1 && dd <= 31 {
					return j + 3, true
				}
			}
			return j + 1, true
		}
	}
	if t.has(fDigit) && t.has(fLetter) && eastAsianDate(t.key) {
		return j, true // « 1946年3月8日 »
	}
	if t.digitsOnly() && tl == 8 {
		return j, validDMY(d.text[t.start:t.end])
	}
	if t.digitsOnly() && tl == 4 && j+2 < len(d.toks) && isDateSep(d.gap(j)) && d.toks[j+1].digitsOnly() && d.toks[j+2].digitsOnly() {
		return j + 2, true // 1985-03-12
	}
	if !day || j+1 >= len(d.toks) {
		return 0, false
	}
	m := &d.toks[j+1]
	if m.digitsOnly() && m.end-m.start <= 2 && isDateSep(d.gap(j)) {
		mv := atoi2(d.text[m.start:m.end])
		// « 00/00/1948 »: day and month unknown, the year is still a birth year.
		unknown := mv == 0 && atoi2(t.key) == 0 && j+2 < len(d.toks) && d.toks[j+2].end-d.toks[j+2].start == 4
		if (mv < 1 || mv > 12) && !unknown || j+2 >= len(d.toks) || !isDateSep(d.gap(j+1)) {
			return 0, false
		}
		y := &d.toks[j+2]
		if yl := y.end - y.start; y.digitsOnly() && (yl == 2 || yl == 4) {
			return j + 2, true
		}
		return 0, false
	}
	if _, ok := months[m.key]; ok && strings.TrimSpace(d.gap(j)) == "" {
		if y := j + 2; y < len(d.toks) && d.toks[y].digitsOnly() && strings.TrimSpace(d.gap(j+1)) == "" &&
			(d.toks[y].end-d.toks[y].start == 4 || d.toks[y].end-d.toks[y].start == 2 && !strings.HasPrefix(d.gap(j+1), ",")) {
			return j + 2, true // « 12 octobre 1985 », « 12 octobre 85 »
		}
		return j + 1, true
	}
	return 0, false
}

// eastAsianDate reports a date written the Chinese, Japanese or Korean way: « 1946年3月8日 », « 1988년 3월 8일 »
// (the token keeps the ideographs: they are letters).
func eastAsianDate(k string) bool {
	for _, unit := range [][3]string{{"年", "月", "日"}, {"년", "월", "일"}} {
		y, rest, ok := strings.Cut(k, unit[0])
		if !ok || len(y) != 4 || !allDigits(y) {
			continue
		}
		m, rest, ok := strings.Cut(strings.TrimSpace(rest), unit[1])
		if !ok || len(m) == 0 || len(m) > 2 || !allDigits(m) {
			continue
		}
		day, _, ok := strings.Cut(strings.TrimSpace(rest), unit[2])
		if ok && len(day) > 0 && len(day) <= 2 && allDigits(day) {
			return true
		}
	}
	return false
}

func isDateSep(g string) bool {
	g = strings.TrimSpace(g)
	return g == "" || g == "/" || g == "." || g == "-"
}

func atoi2(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func validDMY(s string) bool {
	dd, mm := atoi2(s[:2]), atoi2(s[2:4])
	return dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12
}

// ---- addresses and postal codes ----

// abbreviatedStreet are street types often typed with a dot: « av. Foch ».
var abbreviatedStreet = set(`av bd bld blvd rte pl imp sq ch che fbg res all`)

// addrStop are lower-case words that end a street name typed without capitals.
var addrStop = set(`et je j depuis mais pour avec sans car donc ou qui que a au aux dans sur chez est il elle on
	nous vous ils elles ai ont depuis mon ma mes cette ce pres cote en vers mais plus pas ne n me m se s`)

// addresses finds street addresses (a number, a street type, a name, maybe a postal code and a commune) and
// postal codes with their commune.
func (d *detector) addresses() {
	covered := -1 // end of the last address, so its postal code is not found twice
	for i := range d.toks {
		d.tick()
		t := &d.toks[i]
		if t.start < covered {
			continue
		}
		if t.lettersOnly() && t.in(tagStreet|tagStreetAmb) && !d.plateEnd(i) {
			if end, start, ok := d.street(i); ok {
				d.add(start, end, LabelAddress)
				covered = end
				continue
			}
		}
		if t.has(fDigit) && t.end-t.start <= 5 {
			if end, ok := d.cuedStreet(i); ok {
				d.add(t.start, end, LabelAddress)
				covered = end
				continue
			}
		}
		// A four-digit postcode abroad, its commune and its country: « 9000 Gent, Belgique ».
		if t.digitsOnly() && t.end-t.start == 4 {
			if end, country, ok := d.foreignPostcode(i); ok && country >= 0 {
				d.add(t.start, end, LabelPostcodeCity)
				covered = end
				continue
			}
		}
		if t.digitsOnly() && t.end-t.start == 5 && postcodeOK(d.text[t.start:t.end]) && !d.numberedThing(i) {
			if end, ok := d.commune(i); ok {
				if start, ok := d.placeLineBefore(i); ok {
					d.add(start, end, LabelAddress) // « j'habite au Le Bourg, 24260 … »
				} else {
					d.add(t.start, end, LabelPostcodeCity)
				}
				covered = end
				continue
			}
			// « Bordeaux (33000) »
			if i > 0 && strings.TrimSpace(d.gap(i-1)) == "(" && i+1 <= len(d.toks) && strings.HasPrefix(d.text[t.end:], ")") {
				if s, ok := d.communeBefore(i - 1); ok {
					d.add(s, t.end+1, LabelPostcodeCity)
					covered = t.end + 1
				}
				continue
			}
			// « Grenoble 38000 », « Rivière-Pilote, 97211 »: the commune first, not an office's city.
			if i > 0 && slices.Contains([]string{" ", ", ", " - ", "\u00a0"}, d.gap(i-1)) {
				if s, ok := d.communeBefore(i - 1); ok && !d.officeBefore(s) {
					d.add(s, t.end, LabelPostcodeCity)
					covered = t.end
				}
			}
		}
	}
}

// plateEnd reports a street type's abbreviation that is the last field of a plate: « HC-781-BD ».
func (d *detector) plateEnd(i int) bool {
	if i < 2 || d.gap(i-1) != "-" || d.gap(i-2) != "-" || d.toks[i].end-d.toks[i].start != 2 {
		return false
	}
	n, l := &d.toks[i-1], &d.toks[i-2]
	return n.digitsOnly() && n.end-n.start == 3 && l.lettersOnly() && l.end-l.start == 2
}

// placeLineBefore reads, before the postcode at token i and its comma, a place named without a number or a street
// type right after an address cue: « j'habite au Le Bourg, 24260 … », « domiciliée Les Granges, 05000 Gap ».
func (d *detector) placeLineBefore(i int) (int, bool) {
	if i == 0 || strings.TrimSpace(d.gap(i-1)) != "," {
		return 0, false
	}
	k := i - 1
	for n := 0; k >= 0 && n < 5; k, n = k-1, n+1 {
		t := &d.toks[k]
		if t.in(tagAddrCue) || (t.key == "au" || t.key == "a") && k > 0 && d.toks[k-1].in(tagAddrCue) {
			if k == i-1 {
				return 0, false
			}
			return d.toks[k+1].start, true
		}
		if !t.lettersOnly() || !(t.has(fCap) || t.has(fUpper) || communeParticles[t.key]) || containsAny(d.gap(k), ".!?\n;:") {
			return 0, false
		}
	}
	return 0, false
}

// localityNouns name a place without a street that opens an address line in lower case: « quartier
// Morne-Rouge », « village Charvein ».
var localityNouns = set(`village quartier hameau lieu-dit lieudit lieu dit cite lotissement domaine mas ferme`)

// localityParticles join the words of a lieu-dit: French ones and Breton « ar », « an », « er » (« Pen ar Hoat »).
var localityParticles = set(`de du des d l la le les aux ar an er en sur sous`)

// localityLines widens a personal postcode and commune over the lieu-dit line just before it, a place named
// without a number or a street type, when the line follows the person's name (« Yvette Martin, La Haute
// Borderie, 86190 Vouillé », « M. Le Goff (91 ans), Ker Huel, 29410 … ») or an address cue (« domicile :
// village Trois-Palétuviers, 97320 Mana », « demeurant quartier Bellevue, 97231 … »). Without the person or the
// cue before it, a capitalised line before a postcode may be an office's name, and stays what it was. It runs
// after the persons, whose spans anchor it.
func (d *detector) localityLines() {
	var personEnds map[int]bool
	for _, c := range d.cands {
		if c.label() == LabelPerson {
			if personEnds == nil {
				personEnds = map[int]bool{}
			}
			personEnds[c.end] = true
		}
	}
	for ci := range d.cands {
		c := &d.cands[ci]
		if c.label() != LabelPostcodeCity {
			continue
		}
		d.tick()
		i := d.tokAt(c.start)
		if i == 0 || i >= len(d.toks) || strings.TrimSpace(d.gap(i-1)) != "," {
			continue
		}
		if start, ok := d.localityBefore(i, personEnds); ok {
			c.start = start
			c.relabel(LabelAddress)
		}
	}
}

// localityBefore reads the lieu-dit line ending before the comma that precedes token i, and returns its start
// when a person's name or an address cue stands right before it.
func (d *detector) localityBefore(i int, personEnds map[int]bool) (int, bool) {
	k := i - 1
	words, capitals := 0, 0
line:
	for ; k >= 0 && words < 5; k-- {
		t := &d.toks[k]
		if k < i-1 {
			if g := d.gap(k); g != " " && g != "-" && g != "'" && g != "’" && g != "\u00a0" {
				break
			}
		}
		switch {
		case t.in(tagAddrCue) || t.key == "domicile":
			break line // the cue before the line: « demeurant quartier … »
		case !t.lettersOnly() || roles[t.key]:
			return 0, false
		case localityNouns[t.key]:
		case t.has(fCap) || t.has(fUpper):
			capitals++
		case localityParticles[t.key] && words > 0:
		default:
			return 0, false
		}
		words++
	}
	first := k + 1
	if capitals == 0 || first > i-1 || words >= 5 {
		return 0, false
	}
	head := &d.toks[first]
	// A first name opening the line is a person's (« Jean Martin, Marie Martin, 75011 … »), an office's word an
	// office's (« M. Roux, Centre social Les Aulnes, … »), past an article: « La Maison du droit ».
	// An office's word names an office when a lower-case word follows it (« Maison de la justice », « Centre
	// social Les Aulnes »); a capitalised one makes a lieu-dit of it: « La Ville Aubert », « Maison Neuve ».
	lead := first
	if (head.key == "la" || head.key == "le" || head.key == "les" || head.key == "l") && first+1 < i {
		lead = first + 1
	}
	office := (officeHeads[d.toks[lead].key] || institutions[d.toks[lead].key]) && lead+1 < i && !d.toks[lead+1].has(fCap|fUpper)
	if !localityNouns[head.key] && (d.lex.first[head.key] > 0 || office) {
		return 0, false
	}
	if k < 0 {
		return 0, false
	}
	g := strings.TrimSpace(d.gap(k))
	switch {
	case (g == "" || g == ":") && (d.toks[k].in(tagAddrCue) || d.toks[k].key == "domicile"):
		return head.start, true // « demeurant quartier Bellevue, », « Domicile : village Charvein, »
	case g == ",":
		return head.start, personEnds[d.toks[k].end]
	case g == "),":
		// The person's age or role in brackets between the name and the line: « Mme Le Goff (88 ans), ».
		for b := k; b > 0 && b > k-5; b-- {
			if strings.HasSuffix(strings.TrimRight(d.gap(b-1), " "), "(") {
				return head.start, personEnds[d.toks[b-1].end]
			}
		}
	}
	return 0, false
}

// numberedThing reports a five-digit number announced as the number of a form or a text: « cerfa n°15924 »,
// « instruction n° 12631 », not a postal code.
func (d *detector) numberedThing(i int) bool {
	for k, n := i-1, 0; k >= 0 && n < 3; k, n = k-1, n+1 {
		switch key := d.toks[k].key; {
		case key == "n" || key == "no" || key == "numero" || key == "cerfa" || d.toks[k].in(tagLegal):
			return true
		}
		// The word numbered another number, or a sentence ended: « mon numéro 24222176. laetitia 49100 angers ».
		if d.toks[k].has(fDigit) || containsAny(d.gap(k), ".!?\n") && !abbreviations[d.toks[k].key] {
			return false
		}
	}
	return false
}

// cuedStreet reads an address announced by « j'habite », « domicilié », « mon adresse : », « je vis au » whose
// street has no street type: « j'habite 22 Val Fleuri à Metz », « 7 Grande Rue » (the type after the name is
// found here too). It returns the end of the address, its postal code and commune included.
func (d *detector) cuedStreet(i int) (int, bool) {
	t := &d.toks[i]
	if !(t.digitsOnly() && t.end-t.start <= 4 || len(t.key) <= 5 && isDigit(t.key[0]) && (strings.HasSuffix(t.key, "bis") || strings.HasSuffix(t.key, "ter") ||
		len(t.key)-countDigits(t.key) == 1)) || atoi2(t.key[:min(len(t.key), 4)]) == 0 {
		return 0, false
	}
	cued := false
	for k, n := i-1, 0; k >= 0 && n < 3; k, n = k-1, n+1 {
		if containsAny(d.gap(k), ".!?\n") {
			break
		}
		if d.toks[k].in(tagAddrCue) || d.toks[k].key == "vit" || d.toks[k].key == "vivons" {
			cued = true
			break
		}
	}
	if !cued {
		return 0, false
	}
	j := i + 1
	if j < len(d.toks) && (d.toks[j].key == "bis" || d.toks[j].key == "ter") && len(d.gap(i)) <= 2 {
		j++
	}
	end, words := -1, 0
	for ; j < len(d.toks) && words < 6; j++ {
		g := d.gap(j - 1)
		w := &d.toks[j]
		if words == 0 && strings.TrimSpace(g) != "" && strings.TrimSpace(g) != "," {
			return 0, false
		}
		if words > 0 && containsAny(g, ",.\n():;!?") {
			break
		}
		if !w.lettersOnly() || postcodeStops[w.key] || months[w.key] > 0 || w.key == "a" && words > 0 {
			break
		}
		if w.in(tagStreet) && words == 0 {
			return 0, false // the street-type reader takes it
		}
		capital := w.has(fCap) || w.has(fUpper)
		if !(capital || (d.lowerish || words > 0) && (communeParticles[w.key] || nameParticles[w.key])) || nonNames[w.key] && !placeWord(w.key) {
			break
		}
		if capital {
			words++
		}
		end = w.end
	}
	if words == 0 {
		return 0, false
	}
	// A postal code and a commune right after: « 22 Val Fleuri, 57000 Metz ».
	for k := i + 1; k < len(d.toks) && k < j+2; k++ {
		if d.toks[k].start < end {
			continue
		}
		pt := &d.toks[k]
		if g := strings.Trim(d.gap(k-1), " ,\u00a0"); g == "" && pt.digitsOnly() && pt.end-pt.start == 5 && postcodeOK(d.text[pt.start:pt.end]) {
			if e, ok := d.commune(k); ok {
				end = e
			}
		}
		break
	}
	return end, true
}

// postcodeOK checks a French postal code: a department (01–95, Corsica 20, overseas 97–98) and three digits.
func postcodeOK(s string) bool {
	dep := atoi2(s[:2])
	return dep >= 1 && dep <= 95 || dep == 97 || dep == 98
}

// street reads an address around the street type at token i; it returns the span.
func (d *detector) street(i int) (end, start int, ok bool) {
	t := &d.toks[i]
	start = t.start
	numbered := false
	// A number before: « 12 rue », « 12 bis, rue », « 12B rue ».
	k := i - 1
	if k >= 0 && len(d.gap(k)) <= 3 && !strings.Contains(d.gap(k), "\n") {
		if suffix := d.toks[k].key; suffix == "bis" || suffix == "ter" || suffix == "quater" || suffix == "b" {
			if k-1 >= 0 && d.toks[k-1].digitsOnly() && len(d.gap(k-1)) <= 2 {
				k--
			}
		}
		n := &d.toks[k]
		if n.has(fDigit) && !timeLike(n.key) && n.end-n.start <= 6 && (n.digitsOnly() && n.end-n.start <= 4 || strings.HasSuffix(n.key, "bis") ||
			strings.HasSuffix(n.key, "ter") || len(n.key) <= 5 && isDigit(n.key[0])) {
			numbered = true
			start = n.start
		}
	}
	// Without a number before it, the street needs a cue (« j'habite rue des Lilas », « mon adresse : avenue
	// Foch ») or its number after its name (« Rue Saint-Gilles 112 bte 4, 4000 Liège »).
	numberAfter := false
	if !numbered {
		cued := false
		for k, n := i-1, 0; k >= 0 && n < 4; k, n = k-1, n+1 {
			if d.toks[k].in(tagAddrCue) {
				cued = true
				break
			}
		}
		numberAfter = !cued
	}
	ambiguous := t.in(tagStreetAmb)
	// « rond-point », « lieu-dit »
	j := i + 1
	if t.key == "rond" && j < len(d.toks) && d.toks[j].key == "point" {
		j++
	}
	// The street's name.
	words := 0
	last := -1
	lowerOK := d.lowerish || d.allCaps || numbered
	for ; j < len(d.toks) && j < i+10; j++ {
		g := d.gap(j - 1)
		if containsAny(g, ",\n(;:!?") || strings.Contains(g, ".") && !(d.toks[j-1].key == "st" || d.toks[j-1].key == "ste" ||
			d.toks[j-1].has(fInitial) || j-1 == i && abbreviatedStreet[t.key]) {
			break
		}
		w := &d.toks[j]
		if words > 0 && w.lettersOnly() && (g == "-" || g == "'" || g == "’") {
			last = j // « Moulin-à-Vent », « Maréchal-Leclerc »
			continue
		}
		switch {
		case w.lettersOnly() && (communeParticles[w.key] || nameParticles[w.key]) && (w.has(fLower) || d.allCaps) && w.key != "et" &&
			j+1 < len(d.toks) && (lowerOK || d.toks[j+1].has(fCap) || d.toks[j+1].has(fUpper) || communeParticles[d.toks[j+1].key] || d.toks[j+1].has(fDigit)):
			continue
		case (w.has(fCap) || w.has(fUpper) || w.has(fInitial)) && !(d.allCaps && (stopwords[w.key] || addrStop[w.key])):
			if nonNameInStreet(w.key) && words > 0 {
				break
			}
			words++
			last = j
			continue
		case w.digitsOnly() && w.end-w.start <= 4 && words == 0:
			// « rue du 8 Mai 1945 »
			last = j
			continue
		case w.digitsOnly() && w.end-w.start == 4 && words > 0 && d.toks[j-1].key != "" && months[d.toks[j-1].key] > 0:
			last = j
			continue
		case w.lettersOnly() && (lowerOK || !ambiguous) && !addrStop[w.key] && !stopwords[w.key] && words < 4:
			if !lowerOK && words > 0 {
				break
			}
			words++
			last = j
			continue
		}
		break
	}
	if last < 0 || words == 0 {
		return 0, 0, false
	}
	if ambiguous && !numbered {
		return 0, 0, false
	}
	end = d.toks[last].end
	// The house number after the name, as in Belgium, Switzerland or Luxembourg, then a four-digit postcode:
	// « rue de la Gare 17, 1200 Bruxelles, Belgique ».
	if e, ok := d.numberAfterStreet(last); ok {
		return e, start, true
	}
	if numberAfter {
		return 0, 0, false
	}
	// A postal code and a commune right after.
	p := last + 1
	if p < len(d.toks) {
		g := strings.TrimSpace(postcodeGapSpaces.Replace(d.gap(last)))
		pt := &d.toks[p]
		if g == "" && !strings.Contains(d.gap(last), "\n\n") && pt.digitsOnly() && pt.end-pt.start == 5 && postcodeOK(d.text[pt.start:pt.end]) {
			if e, ok := d.commune(p); ok {
				end = e
			}
		}
	}
	return end, start, true
}

// postcodeGapSpaces turns the separators allowed between a street and its postcode into spaces; built once, not
// for every street.
var postcodeGapSpaces = strings.NewReplacer("\u00a0", " ", ",", " ", "-", " ", "–", " ")

// postcodeCountries are the neighbouring countries whose postcodes have four digits.
var postcodeCountries = set(`belgique suisse luxembourg autriche danemark tunisie norvege hongrie bulgarie`)

// numberAfterStreet reads, after the street name ending at token last, a house number typed after it, then maybe
// a four-digit postcode, its commune and its country, and returns the end of the address.
func (d *detector) numberAfterStreet(last int) (int, bool) {
	p := last + 1
	if p >= len(d.toks) || d.gap(last) != " " {
		return 0, false
	}
	n := &d.toks[p]
	if n.key == "km" && p+1 < len(d.toks) && d.gap(p) == " " && d.toks[p+1].digitsOnly() {
		p++ // a milestone: « route de Tunis km 4 »
		n = &d.toks[p]
	}
	if !(n.digitsOnly() && n.end-n.start <= 4 || n.has(fDigit) && len(n.key) <= 5 && isDigit(n.key[0]) &&
		(strings.HasSuffix(n.key, "b") || strings.HasSuffix(n.key, "bis"))) || d.amountAfter(p) {
		return 0, false
	}
	if p+1 < len(d.toks) && (d.toks[p+1].in(tagMonth) || postcodeStops[d.toks[p+1].key]) && d.gap(p) == " " {
		return 0, false // « rue de la Paix 12 mai », « 12 ans »
	}
	end := n.end
	if p+2 < len(d.toks) && d.gap(p) == " " && d.gap(p+1) == " " && d.toks[p+2].digitsOnly() {
		switch d.toks[p+1].key {
		case "bte", "boite", "bus", "app", "appt":
			p += 2 // a letter box: « 112 bte 4 »
			end = d.toks[p].end
		}
	}
	// The number ends the street's line or clause: « boulevard périphérique 12 minutes » is a duration.
	if after := strings.TrimLeft(d.gap(p), " \t"); p+1 < len(d.toks) && (after == "" || !containsAny(after[:1], ",\n.;)")) {
		return 0, false
	}
	if e, c, ok := d.foreignPostcode(p + 1); ok && strings.TrimSpace(d.gap(p)) == "," {
		end = max(e, c)
	}
	return end, true
}

// foreignPostcode reads, from token q, a four-digit postcode, its commune in capitals and maybe its country:
// « 7500 Tournai, Belgique ». It returns the end of the commune and that of the country, or -1 when none is named.
func (d *detector) foreignPostcode(q int) (end, country int, ok bool) {
	if q+1 >= len(d.toks) || !d.toks[q].digitsOnly() || d.toks[q].end-d.toks[q].start != 4 || d.gap(q) != " " {
		return 0, -1, false
	}
	end = -1
	k := q + 1
	for ; k < len(d.toks) && k < q+5; k++ {
		w := &d.toks[k]
		if !w.lettersOnly() || !(w.has(fCap) || w.has(fUpper)) || w.in(tagStop) {
			break
		}
		end = w.end
		if g := d.gap(k); g != " " && g != "-" {
			k++
			break
		}
	}
	if end < 0 {
		return 0, -1, false
	}
	if k < len(d.toks) && strings.TrimSpace(d.gap(k-1)) == "," && postcodeCountries[d.toks[k].key] {
		return end, d.toks[k].end, true
	}
	return end, -1, true
}

// nonNameInStreet stops a street name before words that begin the rest of the sentence.
func nonNameInStreet(key string) bool {
	return key == "cedex" || key == "bp" || key == "tel" || key == "email"
}

// commune reads the commune after the postal code at token i and returns the end of the span.
func (d *detector) commune(i int) (int, bool) {
	end := -1
	words := 0
	for j := i + 1; j < len(d.toks) && j < i+8; j++ {
		g := d.gap(j - 1)
		if words == 0 {
			if strings.TrimSpace(strings.ReplaceAll(g, "\u00a0", " ")) != "" && strings.TrimSpace(g) != "-" {
				return 0, false
			}
		} else if containsAny(g, ",.\n():;!?") {
			break
		}
		w := &d.toks[j]
		if words > 0 && w.lettersOnly() && (g == "-" || g == "'" || g == "’") {
			end = w.end // « saint-avit-de-vialard », « Ivry-sur-Seine »
			continue
		}
		switch {
		case words == 0 && (postcodeStops[w.key] || !w.lettersOnly()):
			return 0, false
		case words == 0 && (w.key == "le" || w.key == "la" || w.key == "les") && j+1 < len(d.toks) && d.gap(j) == " " &&
			d.toks[j+1].lettersOnly() && !stopwords[d.toks[j+1].key]:
			// « Le Havre », « la rochelle »
			words++
			j++
			end = d.toks[j].end
			continue
		case w.key == "cedex":
			end = w.end
			if j+1 < len(d.toks) && d.toks[j+1].digitsOnly() && d.toks[j+1].end-d.toks[j+1].start <= 2 && !containsAny(d.gap(j), ",\n") {
				end = d.toks[j+1].end
			}
			return end, true
		case words > 0 && w.has(fDigit) && w.end-w.start <= 4 && (w.digitsOnly() || strings.HasSuffix(w.key, "e") || strings.HasSuffix(w.key, "eme") || strings.HasSuffix(w.key, "er")):
			// « Paris 15e », « LYON 3 »
			end = w.end
			continue
		case w.lettersOnly() && communeParticles[w.key] && words > 0 && w.has(fLower):
			continue
		case w.lettersOnly() && w.has(fLower) && words > 0 && communeParticles[d.toks[j-1].key] && !stopwords[w.key] &&
			(!d.lex.french.has(w.key) || geoWords[w.key]):
			// « 13090 aix en provence », « 62200 boulogne sur mer »
			words++
			end = w.end
			continue
		case w.lettersOnly() && (w.has(fCap) || w.has(fUpper) || w.has(fInitial)):
			if words > 0 && (nonNames[w.key] && !placeWord(w.key) || titles[w.key]) {
				break
			}
			words++
			end = w.end
			continue
		case w.lettersOnly() && words == 0 && !stopwords[w.key] && !addrStop[w.key]:
			// Lower-case commune: « 33000 bordeaux ».
			words++
			end = w.end
			continue
		}
		break
	}
	if words == 0 {
		return 0, false
	}
	return end, true
}

// placeWord reports whether a word listed as a non-name may still be part of a commune's name.
func placeWord(key string) bool {
	return key == "saint" || key == "sainte" || key == "st" || key == "ste" || months[key] == 0 && !titles[key] &&
		key != "caf" && key != "cpam" && key != "mairie" && key != "prefecture" && key != "france" && key != "cedex" &&
		key != "travail" && key != "emploi" && key != "tel" && key != "email"
}

// communeBefore reads capitalised words before the « ( » at gap k and returns where they start. A commune typed
// in lower case is read too when a preposition of place opens it: « elle vit a marseille 13014 », « de rennes
// 35000 ».
func (d *detector) communeBefore(k int) (int, bool) {
	if s, ok := d.lowerCommuneBefore(k); ok {
		return s, true
	}
	start := -1
	for j, n := k, 0; j >= 0 && n < 4; j, n = j-1, n+1 {
		w := &d.toks[j]
		if !w.lettersOnly() {
			break
		}
		if w.has(fCap) || w.has(fUpper) {
			if stopwords[w.key] || titles[w.key] {
				break
			}
			start = w.start
		} else if !communeParticles[w.key] {
			break
		}
		if j > 0 {
			g := d.gap(j - 1)
			if g != " " && g != "-" && g != "'" {
				break
			}
		}
	}
	return start, start >= 0
}

// lowerCommuneBefore reads a commune in lower case ending at token k (one word, or words joined by hyphens)
// after « à », « a », « de », « sur », « vers » or « habite ».
func (d *detector) lowerCommuneBefore(k int) (int, bool) {
	j := k
	for j > 0 && d.toks[j].lettersOnly() && d.toks[j].has(fLower) && (d.gap(j-1) == "-" || d.gap(j-1) == "'") {
		j-- // « aix-en-provence », « l'isle-adam »
	}
	w := &d.toks[j]
	if j == 0 || !w.lettersOnly() || !w.has(fLower) || w.in(tagStop|tagMonth|tagStreet|tagStreetAmb) || len(w.key) < 3 ||
		d.gap(j-1) != " " || !d.toks[k].has(fLower) {
		return 0, false
	}
	switch d.toks[j-1].key {
	case "a", "de", "sur", "vers", "habite", "jhabite", "jvis", "jreside":
		return w.start, true
	}
	// « domiciliée cergy 95000 », « je vis abbeville 80100 »: any dwelling cue, with no « à » typed.
	return w.start, d.toks[j-1].in(tagAddrCue)
}

// nearNaissance accepts « naissance » typed with one letter wrong, missing, extra or two swapped.
func nearNaissance(k string) bool {
	const w = "naissance"
	if len(k) < 8 || len(k) > 10 || k[0] != 'n' || k == w {
		return false
	}
	return editDistance1(k, w)
}

// editDistance1 reports whether a and b differ by at most one edit (Damerau: a swap counts as one).
func editDistance1(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:]
}

// dwellings are the words of a home that also name offices (« Maison de services », « Résidence autonomie »);
// after a possessive they are someone's home.
var dwellings = set(`maison residence pavillon villa appartement logement`)

// officeBefore reports whether the commune starting at byte s names an office: « CAF de Grenoble 38000 ».
func (d *detector) officeBefore(s int) bool {
	k := sort.Search(len(d.toks), func(k int) bool { return d.toks[k].start >= s }) - 1
	for n := 0; k >= 0 && n < 3; k, n = k-1, n+1 {
		key := d.toks[k].key
		if dwellings[key] && k > 0 && possessives[d.toks[k-1].key] {
			return false // « sa maison à Vierzon 18100 »: someone's home, not an office
		}
		if nonNames[key] || institutions[key] || roles[key] {
			return true
		}
		if key != "de" && key != "d" && key != "du" && key != "la" && key != "a" {
			return false
		}
	}
	return false
}

// addressWords start a line of a postal block: « résidence Les Glycines », « bâtiment B », « BP 12 ».
var addressWords = set(`residence res batiment bat appartement appart appt apt app etage escalier esc porte bp cs
	lieu-dit lieudit lieu hameau quartier section ferme mas domaine immeuble entree tour bloc villa cite lotissement
	lot bourg chez boite case logement chambre pavillon cedex tsa rez rdc`)

// addressBlocks widens each address or postcode found over the lines of the same postal block around it, joined
// by commas or line breaks: « résidence Les Glycines, escalier 2, appartement 31, 3 rue Paul-Bert, 94200
// Ivry-sur-Seine » is one address.
func (d *detector) addressBlocks() {
	n := len(d.cands)
	for ci := 0; ci < n; ci++ {
		c := &d.cands[ci]
		if c.label() != LabelAddress && c.label() != LabelPostcodeCity {
			continue
		}
		d.tick()
		start, end := c.start, c.end
		// Forward: the next lines while they belong to the block.
		k := sort.Search(len(d.toks), func(k int) bool { return d.toks[k].start >= end })
		for lines := 0; k < len(d.toks) && lines < 6; lines++ {
			g := d.text[end:d.toks[k].start]
			if !blockSep(g) {
				break
			}
			e, next, ok := d.blockLine(k)
			if !ok {
				break
			}
			end, k = e, next
		}
		// Backward: the lines before.
		k = sort.Search(len(d.toks), func(k int) bool { return d.toks[k].start >= start }) - 1
		for lines := 0; k >= 0 && lines < 6; lines++ {
			g := d.text[d.toks[k].end:start]
			if !blockSep(g) {
				break
			}
			// The line before starts after the previous separator, or at the address word that opens it within
			// the sentence: « j'habite au lieu-dit Kerhuel, 29870 … ».
			first := k
			for first > 0 && first > k-8 && !containsAny(d.gap(first-1), ",\n:;!?(") &&
				!(strings.Contains(d.gap(first-1), ".") && !d.abbrevDot(first-1)) {
				first--
			}
			open := -1
			for f := first; f <= k; f++ {
				if f > first && !lineOpeners[d.toks[f].key] {
					continue
				}
				if e, _, ok := d.blockLine(f); ok && (e == d.toks[k].end || d.lineReaches(f, k)) {
					open = f
					break
				}
			}
			if open < 0 {
				break
			}
			start = d.toks[open].start
			k = open - 1
			if open > first {
				break // the line began inside a sentence: nothing before it belongs to the block
			}
		}
		if start != c.start || end != c.end {
			c.start, c.end = start, end
			c.relabel(LabelAddress)
		}
	}
}

// blockSep is what separates two lines of a postal block.
func blockSep(g string) bool {
	g = strings.TrimSpace(strings.ReplaceAll(g, "\u00a0", " "))
	return g == "," || g == "" || g == "-" || g == "–"
}

// blockLine reads the line of a postal block starting at token k: it must start with an address word (maybe after
// a number: « 3e étage »), a street number and type, or a postcode; it ends at the next comma or line break.
func (d *detector) blockLine(k int) (end, next int, ok bool) {
	t := &d.toks[k]
	key := t.key
	if k+1 < len(d.toks) && t.has(fDigit) && len(key) <= 4 {
		key = d.toks[k+1].key // « 3e étage », « 12 rue … »
	}
	switch {
	case key == "chambre" && d.officeHeadAt(k, min(k+2, len(d.toks)-1)):
		return 0, 0, false // « Chambre d'agriculture »: an office's name, not a room
	case addressWords[key] || streetTypes[key] || streetTypesAmbiguous[key]:
	case t.key == "c" && k+1 < len(d.toks) && d.gap(k) == "/" && d.toks[k+1].key == "o": // « c/o Association … »
	case t.digitsOnly() && t.end-t.start == 5 && postcodeOK(d.text[t.start:t.end]):
	case k+1 < len(d.toks) && (t.key == "le" || t.key == "la") && (d.toks[k+1].key == "bourg" || d.toks[k+1].key == "village"):
	default:
		return 0, 0, false
	}
	if t.digitsOnly() && t.end-t.start == 5 {
		// A postcode line ends with its commune: « 13003 Marseille depuis 2019 » is not all address.
		if e, ok := d.commune(k); ok {
			j := sort.Search(len(d.toks), func(j int) bool { return d.toks[j].start >= e })
			return e, j, true
		}
	}
	j := k
	for j+1 < len(d.toks) && j < k+8 && !containsAny(d.gap(j), ",\n:;!?()") && (!strings.Contains(d.gap(j), ".") || d.abbrevDot(j)) {
		j++
	}
	if containsAny(d.gap(j), ".:;!?") && j+1 < len(d.toks) && !strings.Contains(d.gap(j), "\n") && j == k+8 {
		return 0, 0, false
	}
	return d.toks[j].end, j + 1, true
}

// abbrevDot reports that the dot after token j abbreviates an address word, « bât. B », « esc. 2 », « rés. les
// Mimosas », « apt. 12 », and ends no line.
func (d *detector) abbrevDot(j int) bool {
	g := d.gap(j)
	if g != "." && g != ". " || j+1 >= len(d.toks) {
		return false
	}
	k := d.toks[j].key
	return (addressWords[k] || abbreviatedStreet[k]) && d.toks[j].end-d.toks[j].start <= 5
}

// lineReaches reports that tokens f..k are one stretch of a line, with no separator between them but
// abbreviating dots: « lieu dit le haut bourg 22140 ».
func (d *detector) lineReaches(f, k int) bool {
	for j := f; j < k; j++ {
		if g := d.gap(j); containsAny(g, ",\n:;!?()") || strings.Contains(g, ".") && !d.abbrevDot(j) {
			return false
		}
	}
	return k-f <= 8
}

// lineOpeners open a line of a postal block even inside a sentence: « j'habite au lieu-dit Kerhuel, 29870 … ».
// « chez sa mère à Fougères » opens none.
var lineOpeners = set(`lieu lieudit hameau residence res cite batiment bat appartement appt apt bp cs lotissement domaine
	immeuble villa escalier esc ferme mas rue avenue av bd boulevard allee chemin impasse imp quai route rte place pl`)

// geoWords are French words that end commune names typed in lower case: « boulogne sur mer », « ivry sur seine ».
var geoWords = set(`mer seine marne bois mont monts lac loire rhone oise saone garonne dordogne lot tarn aube cher indre
	vienne orne sarthe meuse moselle yonne ain isere drome gironde champagne provence forez`)

// birthYear reports a year alone that the birth cue at token i introduces: « né en 1948 », « année de
// naissance : 1962 », « DDN 1975 ». Any other year is an event's (a trap).
func (d *detector) birthYear(i, j int) bool {
	t := &d.toks[j]
	if !t.digitsOnly() || t.end-t.start != 4 {
		return false
	}
	if y := atoi4(d.text[t.start:t.end]); y < 1900 || y > 2030 {
		return false
	}
	if j+1 < len(d.toks) && isDateSep(d.gap(j)) && d.toks[j+1].digitsOnly() {
		return false // a longer number, or a date the parser refused
	}
	switch cue := d.toks[i].key; {
	case cue == "ne" || cue == "nee" || cue == "nes" || cue == "nees":
		// « né en 1948 », or the year right after the participle in a writer's French: « elle née 1950 ».
		// « née vers 1995 »: an approximate year is still the person's.
		return (d.toks[j-1].key == "en" || d.toks[j-1].key == "vers") && j-1 > i || j == i+1 && strings.TrimSpace(d.gap(i)) == ""
	default:
		// « naissance : 1948 », « DDN 1975 », « année de naissance 1962 »
		return j == i+1 && strings.Trim(d.gap(i), " :\u00a0") == ""
	}
}

func atoi4(s string) int {
	n := 0
	for _, c := range []byte(s) {
		n = n*10 + int(c-'0')
	}
	return n
}
