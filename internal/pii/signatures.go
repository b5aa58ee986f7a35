package pii

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Letters and e-mails citizens forward end with a signature block: the name alone on its line, then the lines
// of a postal address, then a phone or a mailbox. Abroad and overseas those lines follow no French pattern
// (« Rue de la Station 58 bte 3, 5000 Namur », « Cité 200 logements, bât. 7, n° 12, Bordj El Kiffan, Alger »,
// « LE PRÉ VERT, 63210 … »): their place under a private person's name is what makes them an address.

// signatureStops are words that end a signature's postal lines: a label, a contact line, a birth.
var signatureStops = set(`tel telephone tél portable mobile gsm cell fax mail email courriel site ne nee nes
	numero num nir secu allocataire dossier reference ref objet date`)

// signatureBlocks masks, as one address, the postal lines under a private person's name that stands alone on
// its line (a title before it, nothing after it but a comma or an age or a trade). An agent's signature (« Julie,
// conseillère », a line naming an office) has no such lines.
func (d *detector) signatureBlocks() {
	n := len(d.cands)
	var others []int // the other identifiers' [start, end) pairs: a line holding one is a contact line
	var postcodes []int
	for _, c := range d.cands {
		switch c.label() {
		case LabelPostcodeCity:
			postcodes = append(postcodes, c.start, c.end)
		case LabelAddress, LabelPerson, LabelCaseID:
		default:
			others = append(others, c.start, c.end)
		}
	}
	others, postcodes = pairsSorted(others), pairsSorted(postcodes)
	for ci := 0; ci < n; ci++ {
		c := d.cands[ci]
		if c.label() != LabelPerson {
			continue
		}
		d.tick()
		ls, le, ok := d.shortLine(c.start, c.end)
		if !ok || !d.nameLine(ls, c.start, c.end, le) {
			continue
		}
		start, end := -1, -1
		for pos, lines := le, 0; lines < 3 && pos < len(d.text) && d.text[pos] == '\n'; lines++ {
			ns := pos + 1
			ne := len(d.text)
			if i := strings.IndexByte(d.text[ns:], '\n'); i >= 0 {
				ne = ns + i
			}
			if !d.postalLine(ns, ne, others) {
				break
			}
			if start < 0 {
				start = ns
			}
			end = ns + len(strings.TrimRight(d.text[ns:ne], " \t\r,;.\u00a0"))
			pos = ne
		}
		// A block that is only a postcode and its commune, found already, is a POSTCODE_CITY: no street.
		if start >= 0 && end > start && !insidePairs(postcodes, start, end) {
			d.add(start, end, LabelAddress)
		}
	}
}

// A signature's name line is short: a few titles before the name, a role after it. shortLine looks no further
// than these bounds for the line's ends, since reading to the line's ends for every name made the pass quadratic
// on a text of one long line (a 200 KB body of names took 75 s).
const (
	nameLineBefore = 64
	nameLineAfter  = 300
)

// shortLine returns the ends [ls, le) of the line holding [s, e), or false when the line reaches further than a
// name line can.
func (d *detector) shortLine(s, e int) (ls, le int, ok bool) {
	lo := max(0, s-nameLineBefore)
	ls = strings.LastIndexByte(d.text[lo:s], '\n') + 1 + lo
	if ls == lo && lo > 0 {
		return 0, 0, false
	}
	hi := min(len(d.text), e+nameLineAfter)
	if i := strings.IndexByte(d.text[e:hi], '\n'); i >= 0 {
		return ls, e + i, true
	}
	return ls, hi, hi == len(d.text)
}

// nameLine reports that the name [s, e) fills the line [ls, le): a title may stand before it; after it only a
// comma, an age or a trade that is no agent's role (« Yvette Roux, 83 ans », « Paul Nguyen, artisan »).
func (d *detector) nameLine(ls, s, e, le int) bool {
	for _, k := range strings.FieldsFunc(foldString(d.text[ls:s]), func(r rune) bool { return r == ' ' || r == '.' || r == '\u00a0' }) {
		if !titles[k] && k != "veuve" {
			return false
		}
	}
	after := strings.TrimSpace(d.text[e:le])
	if after == "" || after == "," {
		return true
	}
	if !strings.HasPrefix(after, ",") && !strings.HasPrefix(after, "–") && !strings.HasPrefix(after, "-") {
		return false
	}
	for _, k := range strings.FieldsFunc(foldString(after), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if roles[k] || officeHeads[k] || signatureStops[k] {
			return false
		}
	}
	return !containsAny(after, "@:")
}

// postalLine reports a line [s, e) of a private postal address: a number or an address word, no office's name,
// no label, no contact or other identifier (others, sorted pairs) in it.
func (d *detector) postalLine(s, e int, others []int) bool {
	line := d.text[s:e]
	if strings.TrimSpace(line) == "" || len(line) > 140 || containsAny(line, ":@") || overlapsPairs(others, s, e) {
		return false
	}
	postal := false
	for k := d.tokAt(s); k < len(d.toks) && d.toks[k].start < e; k++ {
		t := &d.toks[k]
		switch {
		case officeHeads[t.key] || signatureStops[t.key] || roles[t.key]:
			return false
		case t.has(fDigit) || addressWords[t.key] || t.in(tagStreet) || t.in(tagStreetAmb):
			postal = true
		}
	}
	return postal
}

// joinBlocks makes one address of the pieces of a postal block the street readers leave apart: a road's
// milestone (« route de Tunis km 4 »), a district's line between the street and the postcode (« 8 impasse des
// Lilas, Bellevue, 97460 … »), a foreign four-digit postcode and its commune (« …, 3027 Sfax »).
func (d *detector) joinBlocks() {
	var blocks []int // ADDRESS and POSTCODE_CITY candidates' indexes, by start
	for i, c := range d.cands {
		if c.label() == LabelAddress || c.label() == LabelPostcodeCity {
			blocks = append(blocks, i)
		}
	}
	if len(blocks) == 0 {
		return
	}
	slices.SortFunc(blocks, func(a, b int) int { return d.cands[a].start - d.cands[b].start })
	for n, i := range blocks {
		c := &d.cands[i]
		if c.label() != LabelAddress {
			continue
		}
		d.tick()
		end := c.end
		if m := kmAfter.FindStringIndex(d.text[end:]); m != nil {
			end += m[1]
		}
		// The next piece, past at most a district's line.
		if n+1 < len(blocks) {
			nx := &d.cands[blocks[n+1]]
			if nx.start >= end && nx.start-end <= 40 && d.districtBetween(end, nx.start) {
				end = max(end, nx.end)
				nx.relabel(LabelAddress)
				nx.start = c.start
			}
		}
		if m := foreignPostcodeAfter.FindStringIndex(d.text[end:]); m != nil {
			end += m[1]
		}
		if end != c.end {
			c.end = end
			c.relabel(LabelAddress)
		}
	}
}

var (
	// kmAfter is a road's milestone after its name: « km 4 », « , km 12,5 ».
	kmAfter = regexp.MustCompile(`^,?[ \x{00a0}]+[Kk][Mm][ \x{00a0}]*\d{1,3}(?:[,.]\d)?\b`)
	// foreignPostcodeAfter is a four-digit postcode and its commune after an address: « , 3027 Sfax ».
	foreignPostcodeAfter = regexp.MustCompile(`^,[ \x{00a0}]*\d{4}[ \x{00a0}]+\p{Lu}[\p{L}'’-]+(?:[ \x{00a0}-]\p{Lu}[\p{L}'’-]+){0,2}`)
)

// districtBetween reports that [s, e) only separates two pieces of one postal block: commas and at most two
// capitalised words that are nobody's name and no office's (« , Bellevue, »).
func (d *detector) districtBetween(s, e int) bool {
	g := d.text[s:e]
	// A district on its own line of the block is as much part of it as one between commas: « 47, chemin …⏎Ravine
	// des Cabris⏎97432 Saint-Pierre ».
	lines := strings.Count(g, "\n")
	if containsAny(g, ".;:!?()") || strings.Contains(g, "\n\n") || lines == 1 {
		return false
	}
	words := 0
	for k := d.tokAt(s); k < len(d.toks) && d.toks[k].start < e; k++ {
		t := &d.toks[k]
		if t.lettersOnly() && communeParticles[t.key] && t.has(fLower) && words > 0 {
			continue // « Baie de l'Orphelinat », « Ravine des Cabris »
		}
		if !t.lettersOnly() || !t.has(fCap|fUpper) || officeHeads[t.key] {
			return false
		}
		if k > 0 && d.gap(k-1) == "-" && d.toks[k-1].start >= s {
			continue // « Ravine-Blanche » is one word: only its head could be a first name
		}
		if d.lex.first[t.key] > 0 {
			return false
		}
		words++
	}
	return words >= 1 && words <= 3 && (strings.Count(g, ",") >= 1 || lines == 2)
}
