package pii

import "strings"

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
		if k+2 >= len(d.toks) || strings.ContainsAny(d.gap(k-1), ".!?\n") {
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
