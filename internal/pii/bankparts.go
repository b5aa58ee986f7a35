package pii

import "strings"

// Bank details are often given in parts that no single run of digits holds: the card's expiry and security code a
// few words after its number (« carte 4974 … 8902 expire fin 09/27 et le code au dos 382 »), a RIB one field a
// line (« Banque : 30004 / Guichet : 00819 / Compte : … / Clé : 52 »). Each part alone is a short number that the
// default rules leave, as they must leave « 52 » or « 09/27 » elsewhere; next to the rest of the card or the RIB,
// it is personal.

// cardWindow is how many tokens after a card number its expiry and security code may stand.
const cardWindow = 30

// expiryCues introduce a card's expiry date. « date » alone introduces any date: it counts only right after the
// card number (nearCard tokens), « carte 4974 … 8902, date 11/26 ».
var expiryCues = set(`exp expire expirant expiration expiree validite valable peremption`)

// nearCard is how close to a card number « date » must stand to introduce its expiry.
const nearCard = 6

// securityCues introduce a card's security code; « code » and « chiffres » need a word saying where the code is
// (securityPlaces), as they are said of many other things.
var securityCues = set(`cvv cvc ccv cvv2 cvc2 cryptogramme crypto pictogramme`)

// securityPlaces say where the security code of a card is written: « le code au dos », « les 3 chiffres
// derrière ».
var securityPlaces = set(`dos derriere verso securite secret visuel`)

// cardParts masks the expiry and the security code said after a card number found earlier, each as its own
// CARD span.
func (d *detector) cardParts() {
	for _, e := range d.candEnds(LabelCard) {
		k0 := d.tokAt(e)
		for k := k0; k < len(d.toks) && k < k0+cardWindow; k++ {
			d.tick()
			if strings.Contains(d.gap(k-1), "\n\n") {
				break // a new paragraph is about something else
			}
			t := &d.toks[k]
			switch {
			case expiryCues[t.key] || t.key == "date" && k < k0+nearCard:
				if v := d.expiryAfter(k); v >= 0 {
					d.add(d.toks[v].start, d.toks[v+1].end, LabelCard)
					k = v + 1
				}
			case securityCues[t.key] || (t.key == "code" || t.key == "chiffres") && d.securityPlaceNear(k):
				if v := d.shortNumberAfter(k, 3, 4, 6); v >= 0 {
					d.add(d.toks[v].start, d.toks[v].end, LabelCard)
					k = v
				}
			}
		}
	}
}

// candEnds lists where the candidates of a label found so far end: the rules that look after them may add more.
func (d *detector) candEnds(label string) []int {
	var ends []int
	for _, c := range d.cands {
		if c.label() == label {
			ends = append(ends, c.end)
		}
	}
	return ends
}

// expiryAfter finds, within a few tokens after k, a month and year written « 09/27 » or « 09/2027 »; it returns
// the month's token, or -1.
func (d *detector) expiryAfter(k int) int {
	for v := k + 1; v+1 < len(d.toks) && v <= k+5; v++ {
		m, y := &d.toks[v], &d.toks[v+1]
		if !m.digitsOnly() || m.end-m.start != 2 {
			continue
		}
		if strings.TrimSpace(d.gap(v)) != "/" || !y.digitsOnly() || y.end-y.start != 2 && y.end-y.start != 4 {
			return -1
		}
		if mm := d.text[m.start:m.end]; mm < "01" || mm > "12" {
			return -1
		}
		return v
	}
	return -1
}

// securityPlaceNear reports a word saying where a card's code is written, right around token k: « code au dos »,
// « code de sécurité », « chiffres derrière ».
func (d *detector) securityPlaceNear(k int) bool {
	for j := k + 1; j < len(d.toks) && j <= k+3; j++ {
		if securityPlaces[d.toks[j].key] {
			return true
		}
	}
	return false
}

// shortNumberAfter finds, within span tokens after k and in the same sentence, a number of minLen to maxLen
// digits standing alone (not the start of a longer number); it returns its token, or -1.
func (d *detector) shortNumberAfter(k, minLen, maxLen, span int) int {
	for v := k + 1; v < len(d.toks) && v <= k+span; v++ {
		if containsAny(d.gap(v-1), ".!?\n") && !strings.HasPrefix(strings.TrimSpace(d.gap(v-1)), ":") {
			return -1
		}
		t := &d.toks[v]
		if !t.has(fDigit) {
			continue
		}
		n := t.end - t.start
		if !t.digitsOnly() || n < minLen || n > maxLen || v+1 < len(d.toks) && d.toks[v+1].digitsOnly() && d.numGap(v) {
			return -1
		}
		return v
	}
	return -1
}

// ribField is one field of a RIB: the word that names it and the lengths its value may have.
type ribField struct {
	minLen, maxLen int
}

// ribFields name the fields of a French RIB: bank code (5 digits), branch code (5), account number (11, letters
// allowed), key (2).
var ribFields = map[string]ribField{
	"banque": {5, 5}, "etablissement": {5, 5},
	"guichet": {5, 5}, "agence": {5, 5},
	"compte": {10, 11},
	"cle":    {2, 2},
}

// ribWindow is how many tokens the fields of one RIB may spread over.
const ribWindow = 40

// ribParts masks the fields of a RIB given one by one, on separate lines or with other words between them than
// ribWords reads: each value is its own IBAN span, once two fields, the branch or the account among them, are
// found near each other.
func (d *detector) ribParts() {
	type part struct {
		key string
		v   int
	}
	var parts []part
	for k := range d.toks {
		if !d.toks[k].in(tagRib) {
			continue // most words: a bit, not a hash
		}
		f, ok := ribFields[d.toks[k].key]
		if !ok {
			continue
		}
		d.tick()
		v := d.ribValueAfter(k, f)
		if v >= 0 {
			parts = append(parts, part{ribKind(d.toks[k].key), v})
		}
	}
	for i := 0; i < len(parts); {
		j, kinds, core := i, map[string]bool{}, false
		for ; j < len(parts) && parts[j].v-parts[i].v <= ribWindow; j++ {
			kinds[parts[j].key] = true
			core = core || parts[j].key == "guichet" || parts[j].key == "compte"
		}
		if len(kinds) >= 2 && core {
			for _, p := range parts[i:j] {
				d.add(d.toks[p.v].start, d.toks[p.v].end, LabelIBAN)
			}
		}
		i = j
	}
}

// ribKind folds the synonyms of a RIB field's word: « établissement » is the bank, « agence » the branch.
func ribKind(key string) string {
	switch key {
	case "etablissement":
		return "banque"
	case "agence":
		return "guichet"
	}
	return key
}

// ribValueAfter finds the value of a RIB field after its word at k: the first token holding a digit within three
// tokens (past « code », « n° », « : »), of the field's length; it returns its token, or -1.
func (d *detector) ribValueAfter(k int, f ribField) int {
	for v := k + 1; v < len(d.toks) && v <= k+3; v++ {
		t := &d.toks[v]
		if !t.has(fDigit) {
			continue
		}
		n := t.end - t.start
		if n < f.minLen || n > f.maxLen || !t.has(fASCII) {
			return -1
		}
		// A number that goes on is not this field: « compte 0123 4567 » is typed otherwise.
		if v+1 < len(d.toks) && d.toks[v+1].digitsOnly() && len(strings.TrimSpace(d.gap(v))) == 0 && !strings.Contains(d.gap(v), "\n") {
			return -1
		}
		digits := 0
		for i := t.start; i < t.end; i++ {
			if isDigit(d.text[i]) {
				digits++
			}
		}
		if digits < n-1 {
			return -1
		}
		return v
	}
	return -1
}
