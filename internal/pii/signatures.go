package pii

import (
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
		switch c.label {
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
		if c.label != LabelPerson {
			continue
		}
		d.tick()
		ls := strings.LastIndexByte(d.text[:c.start], '\n') + 1
		le := len(d.text)
		if i := strings.IndexByte(d.text[c.end:], '\n'); i >= 0 {
			le = c.end + i
		}
		if !d.nameLine(ls, c.start, c.end, le) {
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
	return !strings.ContainsAny(after, "@:")
}

// postalLine reports a line [s, e) of a private postal address: a number or an address word, no office's name,
// no label, no contact or other identifier (others, sorted pairs) in it.
func (d *detector) postalLine(s, e int, others []int) bool {
	line := d.text[s:e]
	if strings.TrimSpace(line) == "" || len(line) > 140 || strings.ContainsAny(line, ":@") || overlapsPairs(others, s, e) {
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
