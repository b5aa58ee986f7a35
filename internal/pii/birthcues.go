package pii

import (
	"slices"
	"strings"
)

// durationWords stand before « N ans » when it is a length of time, not an age: « depuis 2 ans », « il y a 3 ans ».
var durationWords = set(`depuis pendant fait dans voila voici plus moins environ presque bientot deja de en sous apres avant
	des tous toutes chaque bout duree`)

// ageBirthdates finds a date of birth given through an age: « 18 ans depuis le 24/10/2005 », « elle a eu 6 ans le
// 3 mars 2019 »: the date of a birthday, with its year, tells the date of birth.
func (d *detector) ageBirthdates() {
	for i := 1; i+2 < len(d.toks); i++ {
		if k := d.toks[i].key; k != "ans" && k != "an" {
			continue
		}
		d.tick()
		n := &d.toks[i-1]
		if !n.digitsOnly() || n.end-n.start > 3 || atoi2(n.key) > 120 {
			continue
		}
		if i >= 2 {
			p := d.toks[i-2].key
			if durationWords[p] || p == "a" && i >= 3 && d.toks[i-3].key == "y" {
				continue // « il y a 3 ans le 12 mars », « depuis 2 ans »
			}
		}
		j := i + 1
		if d.toks[j].key == "depuis" {
			j++
		}
		if j >= len(d.toks) || d.toks[j].key != "le" || j+1 >= len(d.toks) {
			continue
		}
		if end, ok := d.parseDate(j + 1); ok && d.dateHasYear(j+1, end) {
			d.add(d.toks[j+1].start, d.toks[end].end, LabelBirthdate)
		}
	}
}

// dateHasYear reports whether the date in tokens a..b ends with a year: a birthday without one tells nothing.
func (d *detector) dateHasYear(a, b int) bool {
	y := &d.toks[b]
	return b > a && y.digitsOnly() && (y.end-y.start == 4 || y.end-y.start == 2)
}

// correctedBirthdates finds the date a birth date is said to replace, or to be replaced by: « date de naissance :
// 05/07/1971 au lieu du 07/05 », « né le 3 mai et non le 5 mai ». Both are the person's.
func (d *detector) correctedBirthdates() {
	for _, e := range d.candEnds(LabelBirthdate) {
		k := d.tokAt(e)
		if k+2 >= len(d.toks) || containsAny(d.gap(k-1), ".!?\n") {
			continue
		}
		d.tick()
		j := k
		switch {
		case d.toks[j].key == "au" && d.toks[j+1].key == "lieu" && j+2 < len(d.toks) && (d.toks[j+2].key == "du" || d.toks[j+2].key == "de"):
			j += 3
		case d.toks[j].key == "et" && (d.toks[j+1].key == "non" || d.toks[j+1].key == "pas"):
			j += 2
		case d.toks[j].key == "pas" || d.toks[j].key == "non":
			j++
		default:
			continue
		}
		if j < len(d.toks) && d.toks[j].key == "le" {
			j++
		}
		if j >= len(d.toks) {
			continue
		}
		if end, ok := d.parseDate(j); ok {
			d.add(d.toks[j].start, d.toks[end].end, LabelBirthdate)
		} else if end, ok := d.dayMonth(j); ok {
			d.add(d.toks[j].start, d.toks[end].end, LabelBirthdate)
		}
	}
}

// dayMonth reads a day and a month in digits without a year, « 07/05 », « 7.5 »; it returns the month's token.
func (d *detector) dayMonth(j int) (int, bool) {
	if j+1 >= len(d.toks) {
		return 0, false
	}
	a, b := &d.toks[j], &d.toks[j+1]
	if !a.digitsOnly() || !b.digitsOnly() || a.end-a.start > 2 || b.end-b.start > 2 || !isDateSep(d.gap(j)) {
		return 0, false
	}
	if dd, mm := atoi2(a.key), atoi2(b.key); dd < 1 || dd > 31 || mm < 1 || mm > 12 {
		return 0, false
	}
	return j + 1, true
}

// namedBirthYears finds a year given in parentheses right after a person's name, as a household summary gives
// each member's birth year: « Adam (2010), Ayoub (2013) », « M. Nguyen Van Long (1962) », « Mme Fanta Camara (née
// Sylla, 1990) », « sa fille Lena (mars 2012) ». A year in parentheses after anything else (« Renault Flins
// (1981-2014) », « ma génération (1964) ») is an event's, and a range or a date with its day is none of these.
// In a list of such members, one name found is enough for all: « Nassur (2016), Faïza (2018), Ankidine (2022) ».
func (d *detector) namedBirthYears() {
	persons := d.candEnds(LabelPerson)
	if len(persons) == 0 {
		return
	}
	slices.Sort(persons)
	type member struct{ name, open, from, year int } // first token of the name, of the parenthesis, of the birth; the year
	var list []member
	flush := func() {
		anchored := false
		for _, m := range list {
			_, found := slices.BinarySearch(persons, d.toks[m.open-1].end)
			anchored = anchored || found
		}
		for _, m := range list {
			if anchored {
				d.add(d.toks[m.from].start, d.toks[m.year].end, LabelBirthdate)
			}
		}
		list = list[:0]
	}
	for k := 1; k < len(d.toks); k++ {
		if !d.yearAlone(k) {
			continue
		}
		d.tick()
		open, from, ok := d.birthInParens(k)
		if !ok {
			continue
		}
		name := open - 1
		for name > 0 && from-name < 3 && (d.toks[name-1].has(fCap) || d.toks[name-1].has(fUpper)) &&
			(d.gap(name-1) == " " || d.gap(name-1) == "-") {
			name--
		}
		if !d.toks[name].has(fCap) && !d.toks[name].has(fUpper) {
			continue
		}
		if len(list) > 0 && !d.listJoin(list[len(list)-1].year, name) {
			flush()
		}
		list = append(list, member{name, open, from, k})
	}
	flush()
}

// birthInParens reports whether the year at token k stands alone in a parenthesis opened right after a word,
// maybe after a month or a birth cue and a maiden name (« (née Sylla, 1990) »); it returns the first token inside
// the parenthesis and the first of the birth date (the month's, or the year's).
func (d *detector) birthInParens(k int) (int, int, bool) {
	if g := strings.TrimLeft(d.gap(k), " "); !strings.HasPrefix(g, ")") && !strings.HasPrefix(g, ",") {
		return 0, 0, false // « (2010-2014) », « (2010 : naissance…) »
	}
	for f := k; f > 0 && f > k-4; f-- {
		if g := d.gap(f - 1); strings.TrimSpace(g) == "(" {
			if d.toks[f-1].digitsOnly() {
				return 0, 0, false
			}
			// Before the year: nothing, a month, or a birth cue and a maiden name.
			cue := false
			for m := f; m < k; m++ {
				switch t := &d.toks[m]; {
				case t.in(tagBirthCue):
					cue = true
				case cue && (t.has(fCap) || t.has(fUpper)), t.in(tagMonth) && m == k-1, t.key == "en" || t.key == "vers":
				default:
					return 0, 0, false
				}
			}
			if f < k && d.toks[k-1].in(tagMonth) {
				return f, k - 1, f == k-1
			}
			return f, k, f == k || cue || d.toks[f].key == "en" || d.toks[f].key == "vers"
		} else if containsAny(g, "()\n.;") {
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// listJoin reports whether the member of a list whose year is token y is followed by the one whose name starts at
// token n: « Adam (2010), Ayoub (2013) et Nour (2018) ».
func (d *detector) listJoin(y, n int) bool {
	g := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(d.gap(y)), ")"))
	switch {
	case n == y+1:
		return g == "," || g == ";" || g == ""
	case n == y+2 && d.toks[y+1].key == "et":
		return g == "" || g == ","
	}
	return false
}

// yearAlone reports a year of birth of four digits, 1900 to 2030, that is not the start of a longer number.
func (d *detector) yearAlone(k int) bool {
	t := &d.toks[k]
	if !t.digitsOnly() || t.end-t.start != 4 {
		return false
	}
	if y := atoi4(d.text[t.start:t.end]); y < 1900 || y > 2030 {
		return false
	}
	return k+1 >= len(d.toks) || !isDateSep(d.gap(k)) || !d.toks[k+1].digitsOnly()
}

// moreBirthYears finds the years listed after the birth year at token j, each of another person: « 2 enfants nés
// en 2016 et 2019 », « nés en 2010, 2013 et en 2018 ».
func (d *detector) moreBirthYears(j int) {
	for k, n := j+1, 0; k < len(d.toks) && n < 6; n++ {
		if g := strings.TrimSpace(d.gap(k - 1)); g != "," && g != "" {
			return
		}
		if d.toks[k].key == "et" {
			k++
			if k < len(d.toks) && d.toks[k].key == "en" {
				k++
			}
		}
		if k >= len(d.toks) || !d.yearAlone(k) {
			return
		}
		d.add(d.toks[k].start, d.toks[k].end, LabelBirthdate)
		k++
	}
}
