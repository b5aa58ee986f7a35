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
		var b strings.Builder
		first, last, j, sep := i, i, i, ""
		for j < len(d.toks) {
			n := 1 // « deux T », « double T »: the letter twice
			if k := d.toks[j].key; (k == "deux" || k == "double") && j+1 < len(d.toks) && d.gap(j) == " " && d.spelledLetter(j+1) {
				n, j = 2, j+1
			} else if !d.spelledLetter(j) {
				break
			}
			b.WriteString(strings.Repeat(d.toks[j].key, n))
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
		word := b.String()
		if len(word) >= 4 && len(word) <= 30 && d.spelledName(word, first) {
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
