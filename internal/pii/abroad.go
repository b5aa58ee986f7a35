package pii

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Postal addresses abroad follow their country's layout, not the French one: the street's type after its name
// (« 27 Kingsley Road », « Bağdat Caddesi No: 245 »), glued to it (« Lindenstraße 5 »), or before it with the
// number last (« Rua da Igreja 27 », « Calle de Alcalá 145 »); complements in the country's words (« apto 52 »,
// « 2. OG », « Daire 6 »); postcodes of their own shapes (« 4750-123 », « M14 6AB », « 01426-001 », « 550123 »)
// before or after the town; the country's name last, often in its own language. foreignAddresses reads such a
// block from its street line to its country, line by line or comma by comma, and masks it whole: a town or a
// country on its own line of the block is part of the address, not a name.

// foreignStreetBefore are street types written before the street's name, in the languages of people who write to
// French services from abroad; French ones are read by street().
var foreignStreetBefore = set(`av rua calle avenida avda strada viale piazza corso carrer ulica ul rruga travessa
	estrada largo praca calea bulevardul bulevar soseaua`)

// foreignStreetAfter are street types written after the street's name.
var foreignStreetAfter = set(`road street lane drive close crescent caddesi cad sokak sok sokagi straat laan
	gracht plein strasse gasse weg platz`)

// streetSuffixes end a street's name glued to its type: « Hauptstraße », « Kalverstraat », « Vesterbrogade ».
var streetSuffixes = []string{"strasse", "str", "gasse", "weg", "platz", "straat", "laan", "gracht", "vej", "gade", "gatan", "utca"}

// foreignComplements open a complement line of an address abroad: flat, floor, block, staircase.
var foreignComplements = set(`apto apt apartamento apartment dpto depto departamento piso ap bl bloc bloque sc scara et
	etaj daire kat flat suite unit og eg stock tuer top izq izquierda dcha derecha dto esq rc no nr numero casa lote quinta
	villa building bldg floor andar sala bte boite bus m lok kv`)

// countryNames are countries as people abroad write them, in French, in English or in their own language.
var countryNames = set(`espana spain portugal romania deutschland germany allemagne italia italy brasil brazil
	bresil peru mexico colombia chile chili argentina ecuador equateur venezuela bolivia bolivie uruguay paraguay
	uk england angleterre scotland ecosse wales ireland irlande usa canada belgie belgique belgium schweiz suisse
	svizzera switzerland nederland netherlands pays-bas polska poland pologne turkiye turkey turquie maroc morocco
	algerie algeria tunisie tunisia senegal mali madagascar vietnam cameroun cameroon haiti ukraine ukraina russia
	russie greece grece ellada sverige sweden suede norge norway danmark denmark suomi finland osterreich austria
	autriche luxembourg china chine india inde japan japon liban lebanon egypte egypt mauritanie guinee niger
	burkina congo gabon benin togo comores mayotte magyarorszag hungary hongrie bulgaria bulgarie moldova serbia
	srbija hrvatska croatia armenia armenie hayastan georgia georgie sakartvelo israel`)

// countryPairs are countries named in two words: « United Kingdom », « Viet Nam ».
var countryPairs = set(`united-kingdom united-states viet-nam cote-ivoire sri-lanka costa-rica new-zealand
	south-africa burkina-faso el-salvador`)

// foreignAddresses masks the postal blocks of addresses abroad: each street line found, with the lines of the
// same block around it.
func (d *detector) foreignAddresses() {
	covered := -1
	for i := range d.toks {
		t := &d.toks[i]
		if t.start < covered || !t.lettersOnly() {
			continue
		}
		d.tick()
		var s, e int
		ok := false
		switch {
		case t.in(tagAbroad) && foreignStreetAfter[t.key] && t.has(fCap|fUpper):
			s, e, ok = d.streetTypeAfter(i)
		case t.in(tagAbroad) && foreignStreetBefore[t.key] && (t.has(fCap|fUpper) || d.gap(i) == ". "):
			// « Calle Mayor 27 », and the abbreviations written in lower case: « ul. Piotrkowska 112 ».
			s, e, ok = d.streetTypeBefore(i)
		case t.has(fCap) && t.end-t.start >= 7 && gluedStreet(t.key):
			s, e, ok = d.streetTypeBefore(i)
		}
		if !ok {
			continue
		}
		s, e = d.foreignBlock(s, e)
		d.add(s, e, LabelAddress)
		covered = e
	}
}

// gluedStreet reports a street's name glued to its type: « lindenstrasse ».
func gluedStreet(k string) bool {
	for _, suf := range streetSuffixes {
		if len(k) >= len(suf)+3 && strings.HasSuffix(k, suf) {
			return true
		}
	}
	return false
}

// houseNumber reports a house number: « 27 », « 112a », « 3B ».
func (d *detector) houseNumber(k int) bool {
	t := &d.toks[k]
	if t.digitsOnly() {
		return t.end-t.start <= 5
	}
	n := countDigits(t.key)
	return t.has(fDigit) && isDigit(t.key[0]) && n >= 1 && n <= 5 && len(t.key)-n <= 2
}

// streetTypeAfter reads « 27 Kingsley Road », « Bağdat Caddesi No: 245 » around the type at token i.
func (d *detector) streetTypeAfter(i int) (s, e int, ok bool) {
	j := i
	for j > 0 && i-j < 3 && plainSpace(d.gap(j-1)) && d.toks[j-1].lettersOnly() && d.toks[j-1].has(fCap|fUpper) {
		j--
	}
	if j == i {
		return 0, 0, false
	}
	e = d.toks[i].end
	// The number after: « Caddesi No: 245 », « Road 12 ».
	if n, ok := d.numberAfterType(i); ok {
		return d.toks[j].start, d.toks[n].end, true
	}
	if j > 0 && d.houseNumber(j-1) && (plainSpace(d.gap(j-1)) || strings.TrimSpace(d.gap(j-1)) == ",") {
		return d.toks[j-1].start, e, true
	}
	return 0, 0, false
}

// streetTypeBefore reads « Rua da Igreja 27 », « Calle de Alcalá 145 », « Strada Republicii nr. 14 »,
// « Lindenstraße 5 » from the type (or the glued name) at token i to the house number.
func (d *detector) streetTypeBefore(i int) (s, e int, ok bool) {
	s = d.toks[i].start
	j := i
	for n := 0; n < 5; n++ {
		if n, ok := d.numberAfterType(j); ok {
			return s, d.toks[n].end, true
		}
		if j+1 >= len(d.toks) || !(plainSpace(d.gap(j)) || d.gap(j) == ". " && j == i) {
			return 0, 0, false
		}
		w := &d.toks[j+1]
		if !w.lettersOnly() || !(w.has(fCap|fUpper) || communeParticles[w.key] || nameParticles[w.key] || w.key == "do" || w.key == "dos" || w.key == "das") {
			return 0, 0, false
		}
		j++
	}
	return 0, 0, false
}

// numberAfterType reads, after token j, the house number of a street: « 27 », « nr. 14 », « No: 245 », « , 1234 »
// (typed after a comma in Brazil). It returns the number's token.
func (d *detector) numberAfterType(j int) (int, bool) {
	k := j + 1
	if k >= len(d.toks) {
		return 0, false
	}
	g := d.gap(j)
	if (d.toks[k].key == "no" || d.toks[k].key == "nr" || d.toks[k].key == "n") && (plainSpace(g) || g == ", ") && k+1 < len(d.toks) {
		if g2 := strings.TrimSpace(d.gap(k)); g2 == "" || g2 == "." || g2 == ":" || g2 == "°" || g2 == "º" {
			k++
			g = " "
		}
	}
	if !(plainSpace(g) || g == ", ") || !d.houseNumber(k) {
		return 0, false
	}
	// Not an amount, a duration or a year: « Street 2019 », « Road 12 km ».
	if d.toks[k].digitsOnly() && d.toks[k].end-d.toks[k].start > 4 {
		return 0, false
	}
	// « 112 m. 5 » is a flat (Polish « mieszkanie »), not 112 metres.
	flat := k+2 < len(d.toks) && d.toks[k+1].key == "m" && d.gap(k+1) == ". " && d.toks[k+2].digitsOnly()
	if k+1 < len(d.toks) && plainSpace(d.gap(k)) && (postcodeStops[d.toks[k+1].key] && !flat || d.toks[k+1].in(tagMonth)) {
		return 0, false
	}
	return k, true
}

// foreignBlock widens the street line [s, e) over the other lines of its postal block: complements before and
// after, the postcode and the town in either order, the country last.
func (d *detector) foreignBlock(s, e int) (int, int) {
	// Backward: complement lines, « Flat 3B, », « Quinta do Vale, ».
	for n := 0; n < 2; n++ {
		k := d.tokAt(s) - 1
		if k < 0 || !foreignSep(d.text[d.toks[k].end:s]) {
			break
		}
		f := d.lineStart(k)
		if f < 0 || !foreignComplements[d.toks[f].key] || k-f > 4 {
			break
		}
		s = d.toks[f].start
	}
	// Forward: complement, town, postcode and country lines; a town is taken only when a postcode or a country
	// follows it in the block.
	end := e
	for n := 0; n < 6; n++ {
		k := d.tokAt(end)
		if k >= len(d.toks) || !foreignSep(d.text[end:d.toks[k].start]) {
			break
		}
		last, kind := d.foreignLine(k)
		if kind == lineNone {
			break
		}
		end = d.toks[last].end
		if m := provinceAfter.FindStringIndex(d.text[end:]); m != nil && kind != lineComplement {
			end += m[1] // « 03501 Benidorm (Alicante) »
		}
		if kind != lineTown {
			e = end
		}
		if kind == lineCountry {
			break
		}
	}
	return s, e
}

// provinceAfter is a province or a region in brackets after a town: « (Alicante) », « (MG) ».
var provinceAfter = regexp.MustCompile(`^[ \x{00a0}]?\(\p{Lu}[\p{L}'’ -]{0,30}\)`)

// spanishFloor reports a floor written with an ordinal indicator: « 2º », « 3ª », « 1o ».
func spanishFloor(k string) bool {
	n := countDigits(k)
	if n == 0 || n > 2 || !allDigits(k[:n]) {
		return false
	}
	r := k[n:]
	return r == "º" || r == "ª"
}

// foreignSep is what separates two lines of a postal block abroad: a comma, a line break, a dash.
func foreignSep(g string) bool {
	if strings.Count(g, "\n") > 1 {
		return false
	}
	nl := strings.Contains(g, "\n")
	g = strings.TrimSpace(strings.ReplaceAll(g, "\u00a0", " "))
	return g == "," || g == "" || g == "–" || g == "-" || g == ", –" || g == "." && nl // « 4º izq.⏎28009 Madrid »
}

// lineStart returns the first token of the line or comma-separated piece that ends with token k.
func (d *detector) lineStart(k int) int {
	f := k
	for f > 0 && k-f < 6 && !containsAny(d.gap(f-1), ",\n:;!?()") {
		f--
	}
	return f
}

// lineKind is what a line of a postal block abroad holds.
type lineKind int

const (
	lineNone lineKind = iota
	lineComplement
	lineTown     // capitalised words only: a town or a district, kept when a postcode or a country follows
	linePostcode // a postcode, maybe with its town
	lineCountry
)

// foreignLine reads the line (or comma-separated piece) of a postal block abroad starting at token k: it returns
// its last token and what it holds.
func (d *detector) foreignLine(k int) (int, lineKind) {
	last := k
	for last+1 < len(d.toks) && last-k < 6 && !containsAny(d.gap(last), ",\n:;!?()–") &&
		!(strings.Contains(d.gap(last), ".") && d.toks[last].end-d.toks[last].start > 4) {
		last++
	}
	t := &d.toks[k]
	// The country may end a sentence that goes on: « …, Canada depuis 2015 ».
	for c := k; c <= min(k+2, last); c++ {
		if d.country(k, c) {
			return c, lineCountry
		}
	}
	switch {
	case foreignComplements[t.key] && t.lettersOnly() || d.houseNumber(k) && k < last && foreignComplements[d.toks[k+1].key]:
		return last, lineComplement
	case spanishFloor(t.key):
		return last, lineComplement // « 2º B », « 3ª izq. »
	}
	postcode, words := false, 0
	for j := k; j <= last; j++ {
		w := &d.toks[j]
		switch {
		case d.postcodeAbroad(j):
			postcode = true
		case w.lettersOnly() && (w.has(fCap|fUpper) || communeParticles[w.key] && j > k):
			words++
		case w.lettersOnly() && d.lowerish && !w.in(tagStop):
			words++
		default:
			return 0, lineNone
		}
	}
	switch {
	case postcode:
		return last, linePostcode
	case words >= 1 && words <= 3:
		return last, lineTown
	}
	return 0, lineNone
}

// country reports that tokens k..last name a country.
func (d *detector) country(k, last int) bool {
	switch last - k {
	case 0:
		return countryNames[d.toks[k].key] || d.lex.places.has(d.toks[k].key) && d.toks[k].has(fUpper)
	case 1:
		return countryPairs[d.toks[k].key+"-"+d.toks[last].key]
	case 2:
		return countryPairs[d.toks[k].key+"-"+d.toks[last].key] && len(d.toks[k+1].key) <= 2 // « Côte d'Ivoire »
	}
	return false
}

// postcodeAbroad reports a postcode abroad starting at token j (or, for two-part codes, the token j and the
// next): four to six digits, « 4750-123 », « 01426-001 », « M14 6AB », « H2K 2M6 ».
func (d *detector) postcodeAbroad(j int) bool {
	t := &d.toks[j]
	n := t.end - t.start
	if t.digitsOnly() {
		if n >= 4 && n <= 6 {
			return true
		}
		// The second half of « 4750-123 », « 01426-001 »; the first of a Polish « 90-006 ».
		return n == 3 && j > 0 && d.gap(j-1) == "-" && d.toks[j-1].digitsOnly() ||
			n == 2 && j+1 < len(d.toks) && d.gap(j) == "-" && d.toks[j+1].digitsOnly() && d.toks[j+1].end-d.toks[j+1].start == 3
	}
	if n > 4 || n < 2 || !t.has(fDigit) || !t.has(fLetter) {
		return false
	}
	// The two halves of a British or Canadian code: letters and digits, both halves present.
	k := t.key
	if isDigit(k[0]) {
		return j > 0 && plainSpace(d.gap(j-1)) && ukOutward(d.toks[j-1].key) && n == 3
	}
	return j+1 < len(d.toks) && plainSpace(d.gap(j)) && ukOutward(k) && d.toks[j+1].end-d.toks[j+1].start == 3 && isDigit(d.toks[j+1].key[0])
}

// ukOutward reports the first half of a British (« m14 », « sw1a ») or Canadian (« h2k ») postcode.
func ukOutward(k string) bool {
	if len(k) < 2 || len(k) > 4 || isDigit(k[0]) {
		return false
	}
	digits := countDigits(k)
	return digits >= 1 && digits <= 2 && k[0] < utf8.RuneSelf
}
