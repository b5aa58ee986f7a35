package pii

import (
	"strings"
	"unicode/utf8"
)

// chunkable reports whether token t may be part of an identifier typed in groups: ASCII digits and letters
// with at least one digit, or a short group of capitals (country code, plate letters, Corsica's 2A).
func (d *detector) chunkable(i int) bool {
	t := &d.toks[i]
	if !t.has(fASCII) || t.end-t.start > 34 {
		return false
	}
	if t.has(fDigit) {
		return true
	}
	n := t.end - t.start
	if n <= 4 && (t.has(fUpper) || t.has(fInitial)) {
		// In a text typed in capitals, « EN », « ET », « AU » are words, unless glued to a code by a dash.
		return !d.allCaps || !stopwords[t.key] || i > 0 && d.gap(i-1) == "-" || i+1 < len(d.toks) && d.gap(i) == "-"
	}
	// Two lower-case letters beside three digits: a plate typed without capitals, « ek-318-zd ».
	if n == 2 && t.lettersOnly() && !t.in(tagStop) {
		three := func(k int) bool {
			return k >= 0 && k < len(d.toks) && d.toks[k].digitsOnly() && d.toks[k].end-d.toks[k].start == 3
		}
		if three(i+1) && len(d.gap(i)) == 1 || i > 0 && three(i-1) && len(d.gap(i-1)) == 1 {
			return true
		}
	}
	// Two or three lower-case letters between a number and a department: an old plate, « 2048 bn 69 ».
	if (n == 2 || n == 3) && t.lettersOnly() && i > 0 && i+1 < len(d.toks) && len(d.gap(i-1)) == 1 && len(d.gap(i)) == 1 {
		p, q := &d.toks[i-1], &d.toks[i+1]
		// Not a small word: « en mars 1990 le 12 » is a date.
		return p.digitsOnly() && p.end-p.start <= 4 && q.digitsOnly() && q.end-q.start == 2 && !t.in(tagMonth|tagStop)
	}
	return false
}

// numGap reports whether the gap between tokens i and i+1 is the kind of separator people type inside one
// number: spaces (also no-break and narrow no-break), dots, dashes, parentheses, one line break.
func (d *detector) numGap(i int) bool {
	g := d.gap(i)
	if len(g) == 0 || len(g) > 6 {
		return false
	}
	runes, newlines, dots := 0, 0, 0
	for _, r := range g {
		runes++
		switch r {
		case ' ', '\t', '\u00a0', '\u202f', '\u2009', '\u2007', '\u2008', '\u200a', '\u2002', '\u2003', '\u2004',
			'\u2005', '\u2006', '-', '\u2010', '\u2011', '\u2012', '\u2013', '(', ')', '/', '_':
		case '.':
			dots++
		case '\n':
			newlines++
		case '\r':
		default:
			return false
		}
	}
	if dots > 0 && strings.HasPrefix(g, ".") && len(g) > 1 && d.toks[i].digitsOnly() && (d.toks[i].end-d.toks[i].start > 2 || d.toks[i+1].end-d.toks[i+1].start > 2) {
		return false // « déposée en 2019. 5 ans plus tard »: a sentence ended
	}
	// « 18:03 »: the hour of a time of day starts no identifier, nor ends one.
	if strings.HasPrefix(d.text[d.toks[i+1].end:], ":") && d.toks[i+1].digitsOnly() && d.toks[i+1].end-d.toks[i+1].start <= 2 {
		return false
	}
	return runes <= 3 && newlines <= 1 && dots <= 1
}

// numbers finds identifiers typed as digits and capitals in groups: it splits the text into chunks of such
// groups, then, from each group, keeps the longest run of groups that reads as an identifier.
func (d *detector) numbers() {
	d.ribWords()
	toks := d.toks
	for i := 0; i < len(toks); {
		d.tick()
		if !d.chunkable(i) {
			i++
			continue
		}
		j := i
		for j+1 < len(toks) && d.chunkable(j+1) && d.numGap(j) {
			j++
		}
		d.chunk(i, j)
		i = j + 1
	}
	d.ribParts()
	d.cardParts()
}

// ribWords finds a bank account given as a RIB with its words: « banque 30004 guichet 00819 compte 00012345678
// clé 45 » is one IBAN span, from the bank code to the key.
func (d *detector) ribWords() {
	// next finds, within a few tokens after k and on the same line, the word w and the number after it.
	next := func(k int, w string) int {
		for j, n := k+1, 0; j+1 < len(d.toks) && n < 4; j, n = j+1, n+1 {
			if strings.Contains(d.gap(j-1), "\n") {
				return -1
			}
			if d.toks[j].key == w {
				for m := j + 1; m < len(d.toks) && m <= j+3; m++ {
					if d.toks[m].has(fDigit) {
						return m
					}
				}
				return -1
			}
		}
		return -1
	}
	for i := range d.toks {
		if d.toks[i].key != "banque" {
			continue
		}
		d.tick()
		b := -1
		for m := i + 1; m < len(d.toks) && m <= i+3; m++ {
			if d.toks[m].digitsOnly() && d.toks[m].end-d.toks[m].start == 5 {
				b = m
				break
			}
		}
		if b < 0 {
			continue
		}
		g := next(b, "guichet")
		if g < 0 {
			continue
		}
		c := next(g, "compte")
		if c < 0 {
			continue
		}
		end := d.toks[c].end
		if k := next(c, "cle"); k >= 0 && d.toks[k].end-d.toks[k].start == 2 {
			end = d.toks[k].end
		}
		d.add(d.toks[b].start, end, LabelIBAN)
	}
}

func (d *detector) chunk(i, j int) {
	var buf [40]byte
	for a := i; a <= j; {
		d.tick()
		if e, ok := d.serviceNumberAt(a, j); ok {
			// « 0 811 10 10 10 20 fois »: a service's number, then something else.
			a = e + 1
			continue
		}
		if e, ok := d.dateAt(a, j); ok {
			// A date inside a run of numbers is an event date, never part of an identifier.
			a = e + 1
			continue
		}
		if a < j && d.cueWord(a) {
			// « CNI 100892204119 », « NEPH 230475112874 », « TGV 9876 »: the word says what the number is;
			// it is not part of it.
			a++
			continue
		}
		first := &d.toks[a]
		c := d.cueBefore(a)
		plus := first.start > 0 && d.text[first.start-1] == '+'
		// The run from a: up to a date, 14 groups or 40 characters.
		var ends [14]int // ends[b-a]: length of the run's characters up to token b
		last, n := a, 0
		for b := a; b <= j && b < a+14; b++ {
			if b > a {
				if _, ok := d.dateAt(b, j); ok {
					break
				}
				if d.toks[b].lettersOnly() && containsAny(d.gap(b-1), ".\n()") && !strings.HasPrefix(d.gap(b-1), ")") {
					break // « 2187456390124. L'impôt », not a code
				}
			}
			t := &d.toks[b]
			if n+t.end-t.start > len(buf) {
				break
			}
			for k := t.start; k < t.end; k++ {
				ch := d.text[k]
				if ch >= 'a' && ch <= 'z' {
					ch -= 'a' - 'A'
				}
				buf[n] = ch
				n++
			}
			ends[b-a] = n
			last = b
		}
		if n == 0 {
			a++
			continue
		}
		// Words typed after the number in the same run (« 345 AVT 13 A ÉTÉ », « (RDV-2024-88123) ET »,
		// « 72290 AIX-EN ») are not part of it: the run is judged up to its last group holding a digit.
		e := last
		for e > a && d.toks[e].lettersOnly() {
			e--
		}
		whole := string(buf[:n])
		if d.safeNumber(a, e, whole[:ends[e-a]], c) && !plus {
			// The whole run is an amount, a legal reference, a public number…: none of its parts is
			// an identifier either.
			a = e + 1
			continue
		}
		if plus && d.ownerAfter(e) && !strings.HasPrefix(whole, "336") && !strings.HasPrefix(whole, "337") {
			a = e + 1 // « le +213 21 98 15 00 du consulat »: a service's switchboard abroad
			continue
		}
		if d.safeNumber(a, last, whole, c) && !plus {
			// The whole run is an amount, a legal reference, a public number…: none of its parts is
			// an identifier either.
			a = last + 1
			continue
		}
		best, bestLabel := -1, ""
		for b := a; b <= last; b++ {
			if lab := d.classify(a, b, whole[:ends[b-a]], c, plus); lab != "" {
				if b > a && d.toks[b].lettersOnly() && !d.codeJoined(b-1, b) && lab != LabelPlate {
					continue // a word after the number, « (592-1234567-89) ET », unless it ends a plate
				}
				best, bestLabel = b, lab
			}
		}
		// Five pairs with a letter for a digit are a phone, whatever shorter code the letter made of it:
		// « 07 41 22 9O 18 ».
		if p := a + 4; p <= last && best <= p && ends[4] == 10 && !allDigits(whole[:10]) && phoneWithLetters(whole[:10]) {
			best, bestLabel = p, LabelPhone
		}
		if best < 0 {
			if lab := d.byDefault(a, e, whole[:ends[e-a]], d.labelCue(a)); lab != "" {
				best, bestLabel = e, lab
			}
		}
		if best < 0 {
			a++
			continue
		}
		start := first.start
		if plus {
			start--
		}
		end := d.toks[best].end
		if bestLabel == LabelCard {
			end = d.cardTail(best)
		}
		if bestLabel == LabelPhone && best < last && d.toks[best+1].digitsOnly() && d.toks[best+1].end-d.toks[best+1].start == 1 {
			best++ // a digit too many: « 06 12 34 56 78 9 »
			end = d.toks[best].end
		}
		d.add(start, end, bestLabel)
		a = best + 1
	}
}

// groupLengths reports whether tokens a..b are digit groups of exactly the given lengths.
func (d *detector) groupLengths(a, b int, lens ...int) bool {
	if b-a+1 != len(lens) {
		return false
	}
	for i, n := range lens {
		if t := &d.toks[a+i]; !t.digitsOnly() || t.end-t.start != n {
			return false
		}
	}
	return true
}

// labelCue looks back, within the sentence, for the word that says what kind of identifier follows, past the
// small words that stop cueBefore: it only chooses a label, never whether to mask.
func (d *detector) labelCue(a int) cue {
	if c := d.labelCue1(a); c != cueNone {
		return c
	}
	return d.answerCue(a)
}

// labelCue1 is labelCue within the number's own sentence.
func (d *detector) labelCue1(a int) cue {
	for k, n := a-1, 0; k >= 0 && n < 8; k, n = k-1, n+1 {
		g := d.gap(k)
		if containsAny(g, "!?\n") || strings.Contains(g, ". ") && !abbreviations[d.toks[k].key] {
			return cueNone // a sentence ended, not the dot of « nr. », « réf. »
		}
		t := &d.toks[k]
		if t.in(tagCue) {
			if t.key == "carte" && k+1 < a {
				continue
			}
			return numberCues[t.key]
		}
		if len(t.key) >= 6 && t.lettersOnly() {
			if c, ok := fuzzyCue(t.key); ok {
				return c
			}
		}
		if t.has(fDigit) {
			return cueNone
		}
	}
	return cueNone
}

// classify names the identifier that s (tokens a..b, upper-cased, without separators) is, or returns "".
func (d *detector) classify(a, b int, s string, c cue, plus bool) string {
	L := len(s)
	digits := allDigits(s)
	// Bank account numbers: IBAN, or a bare RIB.
	if L >= 15 && isUpper(s[0]) && isUpper(s[1]) && isDigit(s[2]) && isDigit(s[3]) {
		if ibanOK(s) || c == cueIBAN && (L >= 20) || strings.HasPrefix(s, "FR") && L == 27 && d.hasCueNear(a, cueIBAN) ||
			ibanLayout(s) && d.groupsOf4(a, b) {
			// A country's IBAN length typed in groups of four is an IBAN, its key wrong or not.
			return LabelIBAN
		}
	}
	if L == 23 && isDigit(s[0]) && (ribOK(s) || c == cueIBAN && allDigits(s[:10])) {
		return LabelIBAN
	}
	// The reference of a tax notice is laid out 2-2-7-2, « 23 75 4021587 14 »: a file's reference, not the
	// taxpayer's number, unless said to be one.
	if digits && L == 13 && c != cueFiscal && d.groupLengths(a, b, 2, 2, 7, 2) {
		return LabelCaseID
	}
	// A tax number said to be one, typed with a digit missing or one too many: « numéro fiscal 32096654283 ».
	fiscal := c == cueFiscal || c != cueSecu && digits && L == 13 && d.fiscalContext(a)
	if digits && fiscal && L >= 10 && L <= 15 && !(L == 15 && nirShape(s) && nirKeyOK(s)) && !d.noticeReference(a) {
		return LabelTaxID
	}
	// A North American number, three, three and four digits: « 438-555-0192 ».
	if digits && L == 10 && s[0] >= '2' && b == a+2 && d.toks[a].end-d.toks[a].start == 3 && d.toks[a+1].end-d.toks[a+1].start == 3 &&
		d.codeJoined(a, b) && c != cueDossier && c != cueAlloc && c != cueFiscal && !isDocCue(c) {
		return LabelPhone
	}
	// A Swiss social security number (AVS): 756, then ten digits, « 756.1234.5678.97 ».
	if digits && L == 13 && strings.HasPrefix(s, "756") && (a == b || d.toks[a].end-d.toks[a].start == 3) {
		return LabelNIR
	}
	// Social security number: the key decides, or a cue nearby when the key is wrong, or the NIR's own layout in
	// six or seven groups (« 2 71 04 99 123 078 26 »), whatever word stands before it.
	if (L == 15 || L == 13) && nirShape(s) {
		if L == 15 && nirKeyOK(s) || c == cueSecu || b-a >= 5 && d.nirLayout(a, b) && c != cueFiscal && c != cueIBAN && c != cueDossier && c != cueAlloc {
			return LabelNIR
		}
		// Groups that cut a NIR's fields are a file's reference: « DSE 2024-67-0481532 ».
		cut := a != b && !d.nirLayout(a, b)
		// Fifteen digits laid out as a NIR with its key: a wrong key does not make it safe.
		if !cut && L == 15 && (s[0] == '1' || s[0] == '2') && nirMonthOK(s) && c != cueDossier && c != cueAlloc && c != cueCard && c != cueIBAN {
			return LabelNIR
		}
		// Thirteen digits laid out as a NIR (a sex, a year, a month) are one, key or not, unless said to be a
		// tax number or a reference: « immatriculée 2 88 07 75 112 034 ».
		if !cut && L == 13 && !plus && nirMonthOK(s) && !taxIDOK(s) && c != cueFiscal && c != cueDossier && c != cueAlloc && c != cueCard && c != cueIBAN {
			return LabelNIR
		}
	}
	if digits && L >= 13 && L <= 19 {
		// Four groups of four digits starting with a network's digit are a card, Luhn or not: « 4000 9906 … ».
		if L == 16 && s[0] >= '2' && s[0] <= '6' && b == a+3 && d.groupsOf4(a, b) && c != cueDossier && c != cueAlloc && c != cueIBAN {
			return LabelCard
		}
		// Card numbers start with their network's digit, 2 to 6 (Mastercard, Amex, Visa, Discover…): a Luhn-valid
		// « 0751120180112457 » is a file number.
		if luhnOK(s) && c != cueDossier && c != cueAlloc && c != cueSiret && (s[0] >= '2' && s[0] <= '6' || c == cueCard) &&
			(L == 16 || L == 15 && s[0] == '3' || L >= 17 || c == cueCard) {
			return LabelCard
		}
		if c == cueCard && L == 16 {
			return LabelCard
		}
	}
	if digits && L == 13 && s[0] <= '3' && (taxIDOK(s) || c == cueFiscal) && !d.noticeReference(a) {
		return LabelTaxID
	}
	if digits && (L == 9 || L == 14) && c == cueSiret {
		return LabelCaseID // the SIRET of a sole trader (an administration's is public: safeNumber)
	}
	if digits {
		if plus {
			if p := strings.TrimPrefix(s, "33"); len(p) < L {
				p = strings.TrimPrefix(p, "0")
				if len(p) == 9 && p[0] != '0' {
					return LabelPhone
				}
			} else if L >= 8 && L <= 15 {
				return LabelPhone
			}
		}
		if plus && L >= 8 && L <= 15 {
			return LabelPhone // a digit missing or one too many does not make it safe
		}
		// A number said to be a document's or a file's is one, even shaped like a phone: « numéro étranger
		// 0123456789 ».
		if L == 10 && s[0] == '0' && s[1] != '0' && s[1] != '8' && !((isDocCue(c) || c == cueAlloc || c == cueDossier || c == cueFiscal) && d.cueWithin(a, 3, c)) &&
			!d.signedNumber(a) {
			return LabelPhone
		}
		if strings.HasPrefix(s, "00") && !strings.HasPrefix(s, "0033") && L >= 11 && L <= 15 && s[2] != '0' && c != cueDossier && c != cueAlloc {
			return LabelPhone // the international prefix: « 00 212 612 345 678 »
		}
		if strings.HasPrefix(s, "0033") {
			p := strings.TrimPrefix(s[4:], "0")
			if len(p) == 9 && p[0] != '0' {
				return LabelPhone
			}
		}
	}
	if d.notIdentifier(a, b) {
		return ""
	}
	// Identity documents.
	if L == 9 && allDigits(s[:2]) && isUpper(s[2]) && isUpper(s[3]) && allDigits(s[4:]) {
		return LabelIDDoc // passport
	}
	switch c {
	case cueCNI, cuePassport:
		if L == 12 && allDigits(s[:4]) && allDigits(s[7:]) || L == 9 && hasDigitAndLetter(s) {
			return LabelIDDoc
		}
	case cueSejour:
		if digits && L == 10 {
			return LabelIDDoc
		}
	}
	// Number plates: SIV « AB-123-CD », old FNI « 1234 AB 56 ».
	if L == 7 && isUpper(s[0]) && isUpper(s[1]) && allDigits(s[2:5]) && isUpper(s[5]) && isUpper(s[6]) &&
		(d.upperAt(a, b) || d.codeJoined(a, b) || d.labelCue(a) == cuePlate) && !d.lowerWordsAround(a, b) {
		return LabelPlate
	}
	// Glued in capitals, « 1234AB56 », the old plate's three fields are its own sign: two or three letters between
	// a number and a department.
	if fniShape(s) && (c == cuePlate || d.fniGroups(a, b) || a == b && L >= 6 && c == cueNone && d.toks[a].has(fUpper) && fniLetters(s) >= 2) {
		return LabelPlate
	}
	// Case numbers.
	if d.safeNumber(a, b, s, c) {
		return ""
	}
	if L == 8 && allDigits(s[:7]) && isUpper(s[7]) {
		return LabelCaseID // identifiant France Travail
	}
	switch c {
	case cueAlloc:
		if digits && L >= 6 && L <= 13 { // an MSA member's number is a NIR's 13 digits
			return LabelCaseID
		}
	case cueFT:
		if L >= 7 && L <= 11 && countDigits(s) >= 6 {
			return LabelCaseID
		}
	case cueFiscal:
		// A foreign tax code of letters and digits: « codice fiscale BNCGLI85M52F205X ».
		if L >= 11 && d.mixedToken(a, b) && countDigits(s) >= 2 {
			return LabelTaxID
		}
		fallthrough
	case cueDossier:
		if L >= 5 && L <= 24 && (countDigits(s) >= 3 || L >= 8 && countDigits(s) >= 1 && d.mixedToken(a, b)) {
			return LabelCaseID
		}
	}
	return ""
}

// nirShape checks the layout of a NIR (13 characters, or 15 with the key): sex, year, month, department
// (digits or 2A/2B), commune, order.
func nirShape(s string) bool {
	if s[0] != '1' && s[0] != '2' && s[0] != '3' && s[0] != '4' && s[0] != '7' && s[0] != '8' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if i == 6 && s[5] == '2' && (s[6] == 'A' || s[6] == 'B') {
			continue
		}
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// nirMonthOK checks the month of a NIR: 01–12, or 20 and over (unknown month, overseas registrations).
func nirMonthOK(s string) bool {
	m := atoi2(s[3:5])
	return m >= 1 && m <= 12 || m >= 20
}

// fniShape checks an old-style plate: 1 to 4 digits, 1 to 3 letters, a department.
func fniShape(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i < 1 || i > 4 {
		return false
	}
	j := i
	for j < len(s) && isUpper(s[j]) {
		j++
	}
	if j-i < 1 || j-i > 3 {
		return false
	}
	dep := s[j:]
	return len(dep) == 2 && (allDigits(dep) || dep == "2A" || dep == "2B") || len(dep) == 3 && strings.HasPrefix(dep, "97")
}

func hasDigitAndLetter(s string) bool {
	return containsAny(s, "0123456789") && containsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// upperAt reports whether the letters of tokens a..b were typed in capitals.
func (d *detector) upperAt(a, b int) bool {
	for k := d.toks[a].start; k < d.toks[b].end; k++ {
		if c := d.text[k]; c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}

// lowerWordsAround reports whether a plate-shaped group is glued to words by dashes (a compound word).
func (d *detector) lowerWordsAround(a, b int) bool {
	if a > 0 && strings.HasSuffix(d.gap(a-1), "-") && d.toks[a-1].has(fLetter) && !d.toks[a-1].has(fDigit) {
		return true
	}
	return false
}

// notIdentifier rejects groups that read as a date, an amount, a percentage or a duration.
func (d *detector) notIdentifier(a, b int) bool {
	if a == b && timeLike(d.toks[a].key) {
		return true
	}
	// dd mm yyyy typed with dots, dashes or spaces.
	if b == a+2 && d.toks[a].digitsOnly() && d.toks[a+1].digitsOnly() && d.toks[b].digitsOnly() {
		dl, ml, yl := d.toks[a].end-d.toks[a].start, d.toks[a+1].end-d.toks[a+1].start, d.toks[b].end-d.toks[b].start
		if dl <= 2 && ml <= 2 && (yl == 2 || yl == 4) {
			return true
		}
	}
	rest := d.text[d.toks[b].end:]
	for len(rest) > 0 {
		r, n := utf8.DecodeRuneInString(rest)
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			rest = rest[n:]
			continue
		}
		switch r {
		case '€', '%', '$', '£':
			return true
		}
		break
	}
	if b+1 < len(d.toks) && len(d.gap(b)) <= 3 {
		switch d.toks[b+1].key {
		case "euros", "euro", "eur", "pourcent", "ans", "mois", "jours", "heures", "h", "min", "km", "kg",
			"habitants", "personnes", "e", "k":
			return true
		}
	}
	return false
}

// blockers stop the search for a cue: the number after them belongs to a law, a form, an amount.
var blockers = set(`article articles art cerfa formulaire loi decret code alinea euros eur montant somme
	rendez rdv vous le les du au depuis pendant depuis annee an ans mois jour jours heure heures
	entre vers`)

// cueBefore looks back from token a, within the same line, for a word that says what the number is.
func (d *detector) cueBefore(a int) cue {
	c := d.cueBefore1(a)
	if c != cueNone {
		return c
	}
	if c := d.answerCue(a); c != cueNone {
		return c
	}
	// « numéro », « n° » alone say it is a number of something, not of what.
	for k, n := a-1, 0; k >= 0 && n < 3; k, n = k-1, n+1 {
		switch d.toks[k].key {
		case "numero", "num", "no", "n", "nr", "nro", "numeros":
			return cueNumber
		}
		if containsAny(d.gap(k), "\n!?") {
			break
		}
	}
	return cueNone
}

// answerCue is the cue of the question a number answers in a dialogue (« Votre numéro de passeport ? ⏎ M. Sylla :
// P4417920 »), cueNone when it answers none: both cue lookups, labelCue and cueBefore, fall back on it.
func (d *detector) answerCue(a int) cue {
	if q := d.questionBefore(a); q >= 0 {
		return d.questionCue(q)
	}
	return cueNone
}

// questionBefore reports, for a number that opens the answer of a dialogue (« Usager : 4201 9385 77 »), the
// last token of the question on the line before (« Vous avez le numéro du récépissé ? »), or -1.
func (d *detector) questionBefore(a int) int {
	for k, n := a-1, 0; k >= 0 && n <= 3; k, n = k-1, n+1 {
		g := d.gap(k)
		if strings.Contains(g, "\n") {
			if strings.Contains(g, "?") && !strings.Contains(g, "\n\n") && (k == a-1 || strings.Contains(d.gap(a-1), ":")) {
				return k
			}
			return -1
		}
		if k < a-1 && strings.Trim(g, " .'’") != "" {
			return -1 // the speaker's label is a few words, a colon after them
		}
	}
	return -1
}

// questionCue finds, in the question that ends at token q, the word that says what number is asked for: the
// answer's number is of that kind.
func (d *detector) questionCue(q int) cue {
	for k, n := q, 0; k >= 0 && n < 8; k, n = k-1, n+1 {
		if k < q && containsAny(d.gap(k), ".!?\n") {
			break
		}
		t := &d.toks[k]
		if !t.in(tagCue) {
			continue
		}
		if c, ok := numberCues[t.key]; ok && c != cuePhone && !(t.key == "carte" && k < q) {
			return c
		}
	}
	return cueNone
}

// cueBefore1 looks for a cue that says what kind of number follows.
func (d *detector) cueBefore1(a int) cue {
	for k, n := a-1, 0; k >= 0 && n < 7; k, n = k-1, n+1 {
		g := d.gap(k)
		if containsAny(g, "!?") || strings.Contains(g, "\n\n") {
			return cueNone
		}
		t := &d.toks[k]
		c, ok := cueNone, false
		if t.in(tagCue) {
			c, ok = numberCues[t.key]
		}
		if !ok && len(t.key) >= 6 && t.lettersOnly() {
			c, ok = fuzzyCue(t.key)
		}
		if !ok && t.key == "residence" && k >= 2 && d.toks[k-1].key == "de" {
			switch d.toks[k-2].key {
			case "certificat", "carte", "titre", "permis":
				c, ok = cueSejour, true // « certificat de résidence algérien n° … »
			}
		}
		if ok {
			if t.key == "carte" && k+1 < a {
				// « carte vitale », « carte de séjour »: the next word said it already.
				continue
			}
			if isDocCue(c) && d.requestBefore(k) {
				return cueDossier // « pré-demande de passeport n° … »: the request's number, not the document's
			}
			return c
		}
		if t.has(fDigit) {
			return cueNone
		}
		if t.in(tagBlocker) && k != a-1 || t.key == "article" || t.key == "cerfa" || t.key == "art" {
			return cueNone
		}
		if strings.Contains(g, ". ") && len(t.key) > 4 {
			return cueNone
		}
	}
	return cueNone
}

// abbreviations end with a dot that does not end the sentence: « nr. 482157 », « réf. AB12 ».
var abbreviations = set(`n no nr nro num ref tel tél art av st ste`)

// cueWithin reports whether a cue of kind c is one of the n words before token a, in the same clause: « notre
// dossier, c'est 06 … » names no file number.
func (d *detector) cueWithin(a, n int, c cue) bool {
	for k := a - 1; k >= 0 && k >= a-n; k-- {
		if containsAny(d.gap(k), ",;.!?\n") && k < a-1 {
			return false
		}
		if numberCues[d.toks[k].key] == c {
			return true
		}
	}
	return false
}

// serviceNumberAt reports a service's number (08…, ten digits) typed in groups from token a, within a run that
// goes on past it, and returns its last token.
func (d *detector) serviceNumberAt(a, j int) (int, bool) {
	if !d.toks[a].digitsOnly() || d.text[d.toks[a].start] != '0' {
		return 0, false
	}
	var buf [12]byte
	n, layout := 0, 0
	for k := a; k <= j && d.toks[k].digitsOnly(); k++ {
		t := &d.toks[k]
		if n+t.end-t.start > 10 {
			return 0, false
		}
		n += copy(buf[n:], d.text[t.start:t.end])
		layout = layout*10 + t.end - t.start
		if n == 10 {
			return k, k < j && buf[1] == '8' && serviceLayouts[layout]
		}
	}
	return 0, false
}

// serviceLayouts are the ways a service's ten digits are grouped (each digit a group's length): « 08 00 12 34 56 »,
// « 0 800 123 456 », « 0800 12 34 56 ». « 08 79 398 416 842 », grouped otherwise, is one longer number.
var serviceLayouts = map[int]bool{22222: true, 1333: true, 13222: true, 433: true, 4222: true, 10: true, 136: true,
	46: true, 3322: true, 334: true}

// hasCueNear reports whether a cue of kind c appears in the few words before token a.
func (d *detector) hasCueNear(a int, c cue) bool {
	for k, n := a-1, 0; k >= 0 && n < 12; k, n = k-1, n+1 {
		// A word outside numberCues has no cue: its tag says so without the map.
		if (c == cueNone || d.toks[k].in(tagCue)) && numberCues[d.toks[k].key] == c {
			return true
		}
	}
	return false
}

// cardTail extends a card number over the expiry date and security code typed right after it (the label guide
// puts them in the card's span). A short number is a code only after its word or with no sentence's end between,
// and never an amount: « EXP 11/26. 612,40 € débités » ends at the expiry.
func (d *detector) cardTail(b int) int {
	end := d.toks[b].end
	codeWord := false
	for k, n := b+1, 0; k < len(d.toks) && n < 10; k, n = k+1, n+1 {
		g := d.gap(k - 1)
		if len(g) > 6 || len(strings.TrimSpace(g)) > 3 || strings.Contains(g, "\n") {
			break // up to a dash between spaces: « 4970 … 1023 – 09/27 – 418 »
		}
		t := &d.toks[k]
		switch {
		case t.key == "cvv" || t.key == "cvc" || t.key == "crypto" || t.key == "cryptogramme" || t.key == "code" ||
			t.key == "ccv" || t.key == "cvv2" || t.key == "securite" || t.key == "verso":
			codeWord = true
			continue
		case t.key == "exp" || t.key == "expire" || t.key == "expiration" || t.key == "date" || t.key == "d" ||
			t.key == "validite" || t.key == "valable" || t.key == "jusqu" || t.key == "au" || t.key == "fin" ||
			t.key == "de" || t.key == "le" || t.key == "et" || t.key == "expirant" || t.key == "exp.":
			continue
		case t.digitsOnly() && t.end-t.start <= 4:
			if t.end-t.start == 2 && k+1 < len(d.toks) && strings.TrimSpace(d.gap(k)) == "/" && d.toks[k+1].digitsOnly() {
				k++
				n++
				end = d.toks[k].end
				continue
			}
			if (t.end-t.start == 3 || t.end-t.start == 4) && (codeWord || !strings.Contains(g, ".")) && !d.amountAfter(k) {
				end = t.end
				codeWord = false
				continue
			}
		}
		break
	}
	return end
}

// mixedToken reports whether tokens a..b are a single token of letters and digits: « URA3FLXW1U ».
func (d *detector) mixedToken(a, b int) bool {
	return a == b && d.toks[a].has(fDigit) && d.toks[a].has(fLetter)
}

// timeLike reports a time of day typed as one token: « 16h45 », « 9h ».
func timeLike(k string) bool {
	i := 0
	for i < len(k) && isDigit(k[i]) {
		i++
	}
	if i == 0 || i > 2 || i >= len(k) || k[i] != 'h' {
		return false
	}
	return allDigits(k[i+1:]) && len(k)-i-1 <= 2 || i+1 == len(k)
}

// longCues are the cue words long enough to be recognised with one typo: « dsosier », « allocatiare ».
var longCues = []string{"dossier", "allocataire", "securite", "immatriculation", "passeport", "identifiant",
	"reference", "predemande", "reclamation", "identite", "telephone", "portable", "vehicule", "sejour", "fiscal"}

func fuzzyCue(k string) (cue, bool) {
	for _, w := range longCues {
		// One edit leaves the first letter, or moves the first two: a cheap test before the edit distance.
		if len(k) < 2 || k[0] != w[0] && k[1] != w[1] && k[0] != w[1] && k[1] != w[0] {
			continue
		}
		if len(w) >= 6 && editDistance1(k, w) {
			return numberCues[w], true
		}
	}
	return cueNone, false
}

// fniGroups reports an old-style plate typed as three groups, « 345 AVT 13 », « 1234 ab 56 »: digits, one to three
// letters that are no word (« 12 sur 15 » is not a plate), a department.
func (d *detector) fniGroups(a, b int) bool {
	if b != a+2 || !d.toks[a].digitsOnly() || !d.toks[a+1].lettersOnly() {
		return false
	}
	l := &d.toks[a+1]
	if l.has(fUpper) || l.has(fInitial) {
		_, cueing := numberCues[l.key]
		return !streetTypesAmbiguous[l.key] && !legalWords[l.key] && !institutions[l.key] && !cueing
	}
	return !d.lex.french.has(l.key) && !stopwords[l.key] && months[l.key] == 0
}

// fiscalWords say that the numbers around are the tax office's; secuWords, health insurance's.
var (
	fiscalWords = set(`fiscal fiscale fiscaux fiscales spi teledeclarant impots impot imposition dgfip sip contribuable
		foncier fonciere taxe`)
	secuWords = set(`secu securite sociale nir insee vitale cpam ameli assure assuree immatricule immatriculee`)
)

// noticeReference reports a number given as a reference, in its clause or in the question it answers: « réf. de
// l'avis 2429718450302 », « la référence de l'avis ? ⏎ 24 59 7 218 843 19 ». A tax notice's reference is a file's
// (CASE_ID in the label guide), whatever its length, unless the tax number is named nearer.
func (d *detector) noticeReference(a int) bool {
	from := a
	if q := d.questionBefore(a); q >= 0 {
		from = q + 1
	}
	for k, n := from-1, 0; k >= 0 && n < 6; k, n = k-1, n+1 {
		if k < from-1 && strings.ContainsAny(d.gap(k), "!?\n") {
			break
		}
		switch t := &d.toks[k]; {
		case t.key == "reference" || t.key == "ref" || t.key == "references":
			return true
		case t.in(tagFiscal) || t.has(fDigit):
			return false
		}
	}
	return false
}

// fiscalContext reports that, in the sentences before token a, the tax office was named more recently than
// health insurance: a thirteen-digit number there is a tax number even laid out like a NIR (« son numéro fiscal
// est …, le mien le 3012744589610 »).
func (d *detector) fiscalContext(a int) bool {
	from := d.toks[a].start - 300
	for k := a - 1; k >= 0 && d.toks[k].start >= from; k-- {
		// Tags, not the sets: a body of numbers has a hundred tokens in those 300 bytes, for every number.
		switch t := &d.toks[k]; {
		case t.in(tagSecu):
			return false
		case t.in(tagFiscal):
			return true
		}
	}
	return false
}

// cueWord reports a word that names the kind of the number after it, typed as a short group of capitals that
// would otherwise start the run: « CNI », « NEPH », « TGV », « RIB ».
func (d *detector) cueWord(a int) bool {
	t := &d.toks[a]
	if !t.lettersOnly() || !d.toks[a+1].has(fDigit) || d.codeJoined(a, a+1) || isDocCue(d.cueBefore(a)) {
		return false // « passeport FT 521874 »: after a cue, the letters start the document's number
	}
	_, ok := numberCues[t.key]
	return ok || legalWords[t.key]
}

// requestBefore reports « demande de », « pré-demande de carte d' », « renouvellement de » just before the
// document word at token k: the number is the request's. Not « la CPAM demande ma carte » (a verb), nor
// « récépissé de demande de titre de séjour » (the receipt is itself a document).
func (d *detector) requestBefore(k int) bool {
	j := k - 1
	if j >= 0 && (d.toks[j].key == "de" || d.toks[j].key == "d") && j >= 1 {
		switch d.toks[j-1].key {
		case "carte", "titre", "permis":
			j -= 2
		}
	}
	if j < 1 || d.toks[j].key != "de" && d.toks[j].key != "d" {
		return false
	}
	switch d.toks[j-1].key {
	case "demande", "predemande", "demandes", "renouvellement", "duplicata", "remplacement", "echange":
		if j >= 3 && (d.toks[j-2].key == "de" || d.toks[j-2].key == "d") {
			switch d.toks[j-3].key {
			case "recepisse", "attestation", "recepisses", "attestations":
				return false
			}
		}
		return true
	}
	return false
}

// bookingWords name a booking or a file whose reference may be letters only: « dossier QZKWPM », « réservation
// HTRNBX », « PNR KLMWQS ».
var bookingWords = set(`dossier reservation reference ref pnr billet billets voyage commande confirmation`)

// bookingCodes finds booking references typed as six capitals without a digit, right after a booking or file
// word (« de », « n° », another such word may stand between) or answering a question that names one: the
// default-deny rule only sees codes with digits.
// A word of any lexicon, a name, a service's acronym or a code with three vowels or more is left alone.
func (d *detector) bookingCodes() {
	for i := range d.toks {
		t := &d.toks[i]
		if t.end-t.start != 6 || !t.has(fUpper) || !t.has(fASCII) || !t.lettersOnly() {
			continue
		}
		d.tick()
		vowels := 0
		for _, c := range t.key {
			if strings.ContainsRune("aeiouy", c) {
				vowels++
			}
		}
		k := t.key
		if vowels > 2 || d.allCaps && vowels > 1 || d.lex.french.has(k) || d.lex.english.has(k) || d.lex.known.has(k) || d.lex.first[k] > 0 ||
			d.lex.last[k] > 0 || publicDomains[k] || institutions[k] || t.in(tagCue|tagLegal|tagStop) {
			continue
		}
		cued := false
		for j, n := i-1, 0; j >= 0 && n < 3; j, n = j-1, n+1 {
			if containsAny(d.gap(j), ".!?\n") && !(d.toks[j].key == "n" || d.toks[j].key == "ref") {
				break
			}
			key := d.toks[j].key
			if bookingWords[key] {
				cued = true
				break
			}
			if key != "de" && key != "du" && key != "n" && key != "no" && key != "numero" && key != "la" && key != "ma" {
				break
			}
		}
		if cued || d.bookingAsked(i) {
			d.add(t.start, t.end, LabelCaseID)
		}
	}
}

// shortCodes finds a code of four or five letters and digits (two of each at least) right after the word « code »,
// maybe with what it is for: « le code de cession 7K2QX », « code 4F7KQ ». The default-deny rule only sees codes
// of six characters; a code said to be one is personal at any length (« code APE 8411Z » names no « de »).
func (d *detector) shortCodes() {
	for i := range d.toks {
		if d.toks[i].key != "code" {
			continue
		}
		d.tick()
		k := i + 1
		if k+1 < len(d.toks) && (d.toks[k].key == "de" || d.toks[k].key == "d") && d.toks[k+1].lettersOnly() && !d.toks[k+1].has(fUpper) {
			k += 2
		}
		if k >= len(d.toks) || containsAny(d.gap(k-1), ".!?\n") {
			continue
		}
		t := &d.toks[k]
		n := t.end - t.start
		if n < 4 || n > 5 || !t.has(fASCII) {
			continue
		}
		if letters := countLetters(d.text[t.start:t.end]); letters >= 2 && n-letters >= 2 {
			d.add(t.start, t.end, LabelCaseID)
		}
	}
}

// countLetters counts the ASCII letters of s.
func countLetters(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			n++
		}
	}
	return n
}

// bookingAsked reports a code that opens the answer to a question naming a booking or a file: « Agent : Avez-vous
// la référence de votre dossier ? ⏎ Client : MPXKTL, au nom de … ».
func (d *detector) bookingAsked(i int) bool {
	q := d.questionBefore(i)
	for k, n := q, 0; q >= 0 && k >= 0 && n < 10; k, n = k-1, n+1 {
		if k < q && containsAny(d.gap(k), ".!?\n") {
			break
		}
		if bookingWords[d.toks[k].key] {
			return true
		}
	}
	return false
}

// nirLayout reports whether the groups of tokens a..b end where a NIR's fields end (sex, year, month,
// department, commune, order, key): « 1 84 12 76 451 089 46 », « 184127645108946 », or overseas, where the
// department takes three digits and the commune two: « 1 84 06 972 09 114 52 ».
func (d *detector) nirLayout(a, b int) bool {
	metro, overseas := true, true
	n := 0
	for k := a; k <= b; k++ {
		n += d.toks[k].end - d.toks[k].start
		switch n {
		case 1, 3, 5, 10, 13, 15:
		case 7:
			overseas = false
		case 8:
			metro = false
		default:
			return false
		}
	}
	return metro || overseas
}

// groupsOf4 reports whether tokens a..b are groups of four characters but the last, which may be shorter.
func (d *detector) groupsOf4(a, b int) bool {
	for k := a; k <= b; k++ {
		if l := d.toks[k].end - d.toks[k].start; l != 4 && (k < b || l > 4) {
			return false
		}
	}
	return a < b
}

// fniLetters counts the letters of an old plate's middle field.
func fniLetters(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isUpper(s[i]) {
			n++
		} else if n > 0 {
			break
		}
	}
	return n
}
