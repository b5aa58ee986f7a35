package pii

import "strings"

// spelledNames masks a name spelled letter by letter, as a caller dictates it on the phone or a note records it:
// « C-O-U-L-I-B-A-L-Y », « S O A R E S », « R, A, Z, A, F, I… », « D comme Denise, U, C, H… », « deux T ». The
// letters are a name when they spell a word of the text that is no French word (the name said just before) or
// a known name that is not French: a run of letters alone may be a code, and codes are the identifier rules'.
func (d *detector) spelledNames() {
	for i := 0; i < len(d.toks); i++ {
		if !d.spelledLetter(i) {
			continue
		}
		d.tick()
		// The letters in a buffer on the stack: single letters are frequent (« a », « y »), a run of them rarely
		// four long, and a builder per run was a third of a review's allocations.
		var buf [32]byte
		b := buf[:0]
		first, last, j, sep := i, i, i, ""
		for j < len(d.toks) {
			n := 1 // « deux T », « double T »: the letter twice
			if k := d.toks[j].key; (k == "deux" || k == "double") && j+1 < len(d.toks) && d.gap(j) == " " && d.spelledLetter(j+1) {
				n, j = 2, j+1
			} else if !d.spelledLetter(j) {
				break
			}
			for ; n > 0 && len(b) < len(buf); n-- {
				b = append(b, d.toks[j].key...)
			}
			last = j
			// « D comme Denise »: the word names the letter.
			if j+2 < len(d.toks) && d.toks[j+1].key == "comme" && d.gap(j) == " " && d.gap(j+1) == " " &&
				d.toks[j+2].lettersOnly() && d.toks[j+2].key[0] == d.toks[j].key[0] {
				last = j + 2
				j += 2
			}
			g := d.gap(last)
			if !spellingGap(g) || sep != "" && normSep(g) != sep && j > first {
				break
			}
			if sep == "" {
				sep = normSep(g)
			}
			j = last + 1
		}
		if len(b) >= 4 && len(b) <= 30 && d.spelledName(string(b), first) {
			d.add(d.toks[first].start, d.toks[last].end, LabelPerson)
		}
		i = last
	}
}

// spelledLetter reports a token that is one letter, a capital or a lower-case one between others.
func (d *detector) spelledLetter(i int) bool {
	t := &d.toks[i]
	return t.lettersOnly() && t.end-t.start <= 2 && len(t.key) == 1
}

// spellingGap reports what stands between two spelled letters: a space, a hyphen, a comma.
func spellingGap(g string) bool {
	switch g {
	case " ", "-", ", ", ",", " - ", "–":
		return true
	}
	return false
}

// normSep makes the separators of one spelling comparable: « , » and « , » alike, and any hyphen.
func normSep(g string) string {
	switch g {
	case ",", ", ":
		return ","
	case "-", " - ", "–":
		return "-"
	}
	return g
}

// spelledName reports letters that spell a word said near them (within 200 tokens, as a name is said just before
// it is spelled: a text of letters stays linear) that is no French word, or a known name that is not French.
func (d *detector) spelledName(word string, at int) bool {
	w := d.lex.word(word)
	if w&(wFrench|wFrenchExtra|wStop|wEnglish) != 0 && w&(wFirst|wLast) == 0 {
		return false
	}
	if w&(wFirst|wLast|wKnown) != 0 {
		return true
	}
	for i := max(0, at-200); i < min(len(d.toks), at+200); i++ {
		if d.toks[i].key == word {
			return true
		}
	}
	return false
}

// quotedNames masks a name alone between quotation marks: what someone is called (« Momo » at the counter,
// « Alex » on the phone, a badge « F.D. »), or a name as it was misspelt (« Ngasam »). A relation word may come
// before it, « Tonton Dédé ». The word is no French or English word (unless a frequent first name), no acronym,
// no function word: « Accueil », « Contact », « OK », « CPF » stay.
func (d *detector) quotedNames(us []unit, found map[string]bool) {
	for u := range us {
		if !openQuote(d.text[:us[u].start]) {
			continue
		}
		d.tick()
		k := u
		if (us[k].lex&wRelation != 0 || familyNames[us[k].key]) && us[k].cap && k+1 < len(us) && plainSpace(d.ugap(us, k)) {
			k++ // « Tonton Dédé »
		}
		last := k
		if us[k].initial {
			// « F.D. »: initials joined by dots.
			for last+1 < len(us) && us[last+1].initial && d.ugap(us, last) == "." {
				last++
			}
			if last == k || !strings.HasPrefix(d.text[us[last].end:], ".") || !closeQuote(d.text[us[last].end+1:]) {
				continue
			}
		} else {
			w := &us[k]
			if !closeQuote(d.text[w.end:]) || d.allCaps || !(w.cap || w.upper && w.end-w.start >= 6) || w.stop || w.english ||
				w.lex&(wTitle|wRole|wInstitution|wStreet|wSignoff) != 0 || w.french && (w.first < minLoneFirst || w.common) ||
				!(w.inLex() || w.known || w.foreign()) {
				continue
			}
		}
		if last == k {
			foundName(&us[k], found)
		}
		d.add(us[k].start, us[last].end+strings.Count(d.text[us[last].end:us[last].end+min(1, len(d.text)-us[last].end)], "."), LabelPerson)
	}
}

// familyNames are what children call relatives before their first name: « Tonton Dédé », « Mamie Jo ». Not
// relations: annotators take them into the name, « Mamie Jeanne » is masked whole.
var familyNames = set(`tonton tata tatie tati mamie mamy papi papy parrain marraine`)

// openQuote reports text that ends with an opening quotation mark and maybe a space.
func openQuote(before string) bool {
	before = strings.TrimRight(before, " \u00a0\u202f")
	return strings.HasSuffix(before, "«") || strings.HasSuffix(before, "“") || strings.HasSuffix(before, "\"")
}

// closeQuote reports text that starts, maybe after a space, with a closing quotation mark.
func closeQuote(after string) bool {
	after = strings.TrimLeft(after, " \u00a0\u202f")
	return strings.HasPrefix(after, "»") || strings.HasPrefix(after, "”") || strings.HasPrefix(after, "\"")
}

// yearListNames masks the names of a list whose items are a name and a year of birth between parentheses, as a
// case note lists children: « Nassur (2016), Faïza (2018), Ankidine (2022) ». Two such items or more, one of
// them a known name, and none a French word or a place: « Renault (2019) » alone says nothing.
func (d *detector) yearListNames(us []unit, found map[string]bool) {
	var items []int
	first := false
	for u := range us {
		w := &us[u]
		if !yearInParens(d.text[w.end:]) {
			continue
		}
		d.tick()
		if !w.cap || d.allCaps || w.stop || w.place || w.notName() || w.english || w.french && !w.inLex() || !(w.inLex() || w.known || w.foreign()) {
			continue
		}
		items = append(items, u)
		first = first || w.first > 0 || w.known && !w.french
	}
	if len(items) < 2 || !first {
		return
	}
	for _, u := range items {
		d.add(us[u].start, us[u].end, LabelPerson)
		foundName(&us[u], found)
	}
}

// yearInParens reports text that starts with a year of birth between parentheses: « (2016) », « (1958) ».
func yearInParens(s string) bool {
	s = strings.TrimLeft(s, " \u00a0")
	if len(s) < 6 || s[0] != '(' || s[5] != ')' || !(s[1:3] == "19" || s[1:3] == "20") {
		return false
	}
	return s[3] >= '0' && s[3] <= '9' && s[4] >= '0' && s[4] <= '9'
}

// foundName marks a name found by a rule outside the main loop of persons, so that its other mentions are
// masked too (« scolarisation de Nassur » after « Nassur (2016) »): a word that is no French word.
func foundName(w *unit, found map[string]bool) {
	if len(w.key) >= 3 && !w.french && !w.stop {
		found[w.key] = true
	}
}
