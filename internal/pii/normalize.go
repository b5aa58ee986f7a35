package pii

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Before detection, contacts written to dodge robots and numbers written in words are rewritten as the digits and
// signs they stand for: « prenom point nom arobase gmail point com » → « prenom.nom@gmail.com », « zéro six douze »
// → « 0 6 12 ». Detection runs on the rewritten text; each span found is mapped back to the original text, a span
// touching a rewritten part covering all of it.

// edit replaces the original bytes [start, end) with repl.
type edit struct {
	start, end int
	repl       string
	nstart     int // where repl starts in the rewritten text
}

// rewriting is a text and the edits that made it.
type rewriting struct {
	text  string
	edits []edit // sorted, not overlapping
}

// toOriginal maps a span [s, e) of the rewritten text back to the original.
func (rw *rewriting) toOriginal(s, e int) (int, int) {
	return rw.mapPos(s, false), rw.mapPos(e, true)
}

func (rw *rewriting) mapPos(p int, isEnd bool) int {
	// The last edit starting at or before p in the rewritten text.
	i := sort.Search(len(rw.edits), func(i int) bool { return rw.edits[i].nstart > p }) - 1
	if isEnd {
		i = sort.Search(len(rw.edits), func(i int) bool { return rw.edits[i].nstart >= p }) - 1
	}
	if i < 0 {
		return p
	}
	ed := &rw.edits[i]
	nend := ed.nstart + len(ed.repl)
	if p < nend || isEnd && p == nend {
		// Inside a rewritten part: the whole original part.
		if isEnd {
			return ed.end
		}
		return ed.start
	}
	return ed.end + (p - nend)
}

// rewrite applies the edits (sorted, not overlapping) to text.
func rewrite(text string, edits []edit) *rewriting {
	var b strings.Builder
	b.Grow(len(text))
	pos := 0
	for i := range edits {
		ed := &edits[i]
		b.WriteString(text[pos:ed.start])
		ed.nstart = b.Len()
		b.WriteString(ed.repl)
		pos = ed.end
	}
	b.WriteString(text[pos:])
	return &rewriting{text: b.String(), edits: edits}
}

// normEdits finds the parts of text (split into toks) to rewrite. It is linear: one pass over the tokens, each
// looked at a bounded number of times.
func (d *detector) normEdits(text string, ws []tok) []edit {
	edits := d.emailEdits(text, ws)
	edits = append(edits, d.numberEdits(text, ws)...)
	edits = append(edits, spelledEdits(text, ws)...)
	if len(edits) == 0 {
		return nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	out := edits[:0]
	end := -1
	for _, e := range edits {
		if e.start >= end {
			out = append(out, e)
			end = e.end
		}
	}
	return out
}

// ---- e-mail addresses written to dodge robots ----

var atWords = set(`arobase arobas arobaze arrobase arroba at`)
var dotWords = set(`point dot pt`)
var mailProviders = set(`gmail googlemail hotmail yahoo orange wanadoo free sfr neuf laposte outlook live msn icloud
	me aol gmx protonmail proton bbox numericable club-internet voila yandex mail`)
var tlds = set(`com fr net org eu be ch it es de uk io info biz co me pt pl ro ma dz tn sn ci cm re gp mq gf yt nc pf
	ca us lu nl at ie gouv edu mg vn tr ru ua cn jp br ar mx`)

func isEmailPart(text string, w tok) bool {
	for i := w.start; i < w.end; i++ {
		if text[i] >= utf8.RuneSelf {
			return false
		}
	}
	return w.end > w.start
}

// atGap reports a gap that is an at-sign, maybe doubled, with spaces around: « paul . girard @ sfr . fr ».
func atGap(g string) bool {
	if strings.IndexByte(g, '@') < 0 {
		return false // most gaps: no trimming
	}
	sg := strings.TrimSpace(g)
	return sg == "@" || sg == "@@"
}

// emailEdits rewrites « x arobase y point fr », « x [at] y.fr », « x (at) y (dot) com », « x at y point com »,
// and addresses typed with spaces or a doubled sign: « paul . girard @ sfr . fr », « jdupont@@gmail.com ».
func (d *detector) emailEdits(text string, ws []tok) []edit {
	var edits []edit
	for k := 1; k+1 < len(ws); k++ {
		w := ws[k]
		local, dom0 := k-1, k+1 // the last word of the local part, the first of the domain
		if atGap(text[ws[k-1].end:w.start]) {
			// The sign typed as a sign, but with spaces, doubled, or before a domain typed loosely.
			local, dom0 = k-1, k
		} else if !w.in(tagAt) && w.key != "chez" {
			continue
		} else {
			// The sign: « arobase », « [at] », « (at) », « at » between spaces only if the rest looks like an address.
			before, after := text[ws[k-1].end:w.start], text[w.end:ws[k+1].start]
			bracketed := strings.HasSuffix(strings.TrimSpace(before), "[") && strings.HasPrefix(strings.TrimSpace(after), "]") ||
				strings.HasSuffix(strings.TrimSpace(before), "(") && strings.HasPrefix(strings.TrimSpace(after), ")")
			if (w.key == "at" || w.key == "chez") && !bracketed && !(strings.TrimSpace(before) == "" && strings.TrimSpace(after) == "") {
				continue
			}
			if containsAny(before+after, "\n,;:!?") {
				continue
			}
		}
		d.tick()
		// The domain: parts joined by « . » or « point », ending with a top-level domain.
		j := dom0
		last := -1
		for j < len(ws) && j < dom0+11 {
			if !isEmailPart(text, ws[j]) {
				break
			}
			if j > dom0 && tlds[ws[j].key] {
				last = j
			}
			if j+1 >= len(ws) {
				break
			}
			if g := text[ws[j].end:ws[j+1].start]; g == "-" {
				j++
				continue
			}
			if step := emailDot(text, ws, j, false); step > 0 {
				j += step
				continue
			}
			break
		}
		if last < 0 {
			continue
		}
		// The local part: the word before the sign, and those joined to it by « . », « _ », « - » or « point ».
		i := local
		if !isEmailPart(text, ws[i]) {
			continue
		}
		for i > 0 {
			g := text[ws[i-1].end:ws[i].start]
			if (g == "_" || g == "-") && isEmailPart(text, ws[i-1]) {
				i--
				continue
			}
			if step := emailDot(text, ws, i, true); step > 0 && !stopwords[ws[i-step].key] {
				i -= step
				continue
			}
			break
		}
		// « chez » is the sign only before a mail provider, after a local part that reads as one: « o.diallo chez
		// gmail point com », not « je travaille chez orange.fr ».
		if w.key == "chez" && !(mailProviders[ws[dom0].key] && (i < local || ws[local].has(fDigit) ||
			!d.lex.french.has(ws[local].key) && !stopwords[ws[local].key])) {
			continue
		}
		// Rebuild the address.
		var b strings.Builder
		for m := i; m <= local; m++ {
			if dotWords[ws[m].key] && m > i && m < local {
				continue
			}
			if m > i {
				g := text[ws[m-1].end:ws[m].start]
				switch {
				case g == "_" || g == "-":
					b.WriteString(g)
				default:
					b.WriteByte('.')
				}
			}
			b.WriteString(text[ws[m].start:ws[m].end])
		}
		b.WriteByte('@')
		for m := dom0; m <= last; m++ {
			if dotWords[ws[m].key] && m > dom0 && m < last {
				continue
			}
			if m > dom0 {
				if g := text[ws[m-1].end:ws[m].start]; g == "-" {
					b.WriteByte('-')
				} else {
					b.WriteByte('.')
				}
			}
			b.WriteString(text[ws[m].start:ws[m].end])
		}
		if repl := b.String(); repl != text[ws[i].start:ws[last].end] {
			edits = append(edits, edit{start: ws[i].start, end: ws[last].end, repl: repl})
		}
		k = last
	}
	return edits
}

// emailDot reports how many words separate word j from the next part of an address (from the previous one when
// back): 1 for a dot typed as a sign, maybe between spaces (« sfr . fr »), 2 for a dot typed as a word, between
// spaces or brackets (« gmail point com », « gmail(dot)com », « claire[dot]morel »); 0 when it is not a dot.
func emailDot(text string, ws []tok, j int, back bool) int {
	next := func(k int) int { return k + 1 }
	if back {
		next = func(k int) int { return k - 1 }
	}
	n := next(j)
	if n < 0 || n >= len(ws) || !isEmailPart(text, ws[n]) {
		return 0
	}
	between := func(a, b int) string {
		if a > b {
			a, b = b, a
		}
		return text[ws[a].end:ws[b].start]
	}
	if g := between(j, n); g == "[.]" || g == "(.)" {
		return 1 // a dot in brackets: « gmail[.]com »
	}
	if g := between(j, n); g == "." || g == " . " || !back && strings.TrimSpace(g) == "." && len(g) <= 3 {
		return 1 // back, only a dot between spaces: « Voici mon mail. jean@… » does not join « mail »
	}
	if !dotWords[ws[n].key] {
		return 0
	}
	m := next(n)
	if m < 0 || m >= len(ws) || !isEmailPart(text, ws[m]) {
		return 0
	}
	g1, g2 := between(j, n), between(n, m)
	if back {
		g1, g2 = g2, g1
	}
	switch strings.TrimSpace(g1) + strings.TrimSpace(g2) {
	case "()", "[]":
		return 2
	case "":
		if g1 != "" && g2 != "" && len(g1) <= 2 && len(g2) <= 2 {
			return 2
		}
	}
	return 0
}

// ---- numbers written in words ----

var numberWords = map[string]int{
	"zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
	"neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
	"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "septante": 70,
	"huitante": 80, "octante": 80, "nonante": 90, "cent": 100, "cents": 100, "mille": 1000, "mil": 1000,
}

// numberEdits rewrites runs of number words: « zéro six, douze, quarante-sept » → « 0 6 12 47 »,
// « mil neuf cent soixante-dix » → « 1970 ». A run of one word is rewritten only next to digits, and « un » or
// « une » alone never: they are articles far more often.
func (d *detector) numberEdits(text string, ws []tok) []edit {
	var edits []edit
	for k := 0; k < len(ws); k++ {
		if !ws[k].in(tagNumWord) {
			continue
		}
		d.tick()
		// The run: number words joined by spaces, hyphens, commas, « et ».
		j := k
		words := 1
		// A number dictated from « zéro » is a phone: its pairs may be cut by dots, « zéro six. vingt. trente ».
		dictated := ws[k].key == "zero"
		for j+1 < len(ws) && j < k+40 {
			g := text[ws[j].end:ws[j+1].start]
			dotted := dictated && (g == "." || g == ". " || g == " . ") && ws[j+1].in(tagNumWord)
			if !dotted && (len(g) > 3 || containsAny(g, "\n.;:!?")) {
				break
			}
			nk := ws[j+1].key
			if ws[j+1].in(tagNumWord) {
				j++
				words++
				continue
			}
			if nk == "et" && j+2 < len(ws) {
				if v, ok := numberWords[ws[j+2].key]; ok && (v == 1 || v == 11) {
					j += 2
					words++
					continue
				}
			}
			break
		}
		nums := parseFrenchNumbers(ws[k : j+1])
		nearDigits := k > 0 && digitsNear(text, ws[k-1], ws[k]) || j+1 < len(ws) && digitsNear(text, ws[j], ws[j+1])
		single := words == 1
		// A day said in words before its month is a date's day: « le seize juin », « quatre novembre ».
		dayOfMonth := single && j+1 < len(ws) && ws[j+1].in(tagMonth) && months[ws[j+1].key] > 0 && ws[j+1].key != "sept" &&
			strings.TrimSpace(text[ws[j].end:ws[j+1].start]) == "" && len(nums) == 1 && nums[0] != "0" && len(nums[0]) <= 2
		if single && !dayOfMonth && (!nearDigits || ws[k].key == "un" || ws[k].key == "une") || len(nums) == 0 {
			k = j
			continue
		}
		edits = append(edits, edit{start: ws[k].start, end: ws[j].end, repl: strings.Join(nums, " ")})
		k = j
	}
	return edits
}

// digitsNear reports whether one of two neighbouring words is a number in digits and the gap is short.
func digitsNear(text string, a, b tok) bool {
	g := text[a.end:b.start]
	if len(g) > 3 || containsAny(g, "\n.;:!?") {
		return false
	}
	// Only short groups: « 02 cinquante et un 37 » is a phone read in pairs; « le 3230 quatre fois » is not.
	short := func(t tok) bool { return t.end-t.start <= 3 && allDigits(text[t.start:t.end]) }
	return short(a) || short(b)
}

// parseFrenchNumbers reads a run of number words as the numbers a person says one after the other: a phone
// read in pairs (« zéro six, douze, quarante-sept ») or a year (« mil neuf cent soixante-dix »). A new number
// starts whenever the next word cannot continue the current one. « zéro » gives the digit 0 kept as such.
func parseFrenchNumbers(ws []tok) []string {
	var out []string
	cur, have := 0, false
	flush := func() {
		if have {
			out = append(out, strconv.Itoa(cur))
		}
		cur, have = 0, false
	}
	for i := 0; i < len(ws); i++ {
		k := ws[i].key
		if k == "et" {
			continue
		}
		v, ok := numberWords[k]
		if !ok {
			flush()
			continue
		}
		next := -1
		if i+1 < len(ws) {
			if nv, ok := numberWords[ws[i+1].key]; ok {
				next = nv
			}
		}
		switch {
		case v == 0:
			flush()
			out = append(out, "0")
		case v == 1000:
			if !have {
				cur = 1
			}
			cur *= 1000
			have = true
		case v == 100:
			if !have {
				cur = 1
			}
			if cur%1000 != 0 || cur == 1 || cur < 10 {
				cur = cur/1000*1000 + cur%1000*100
			} else {
				cur += 100
			}
			have = true
		case v == 20 && have && cur%100 == 4:
			cur += 80 - 4 // quatre-vingt
		case v >= 20 && v < 100:
			if have && cur%100 != 0 {
				flush()
			}
			cur += v
			have = true
		case v == 4 && next == 20:
			if have && cur%100 != 0 {
				flush()
			}
			cur += 4
			have = true
		case v < 20:
			u := cur % 100
			switch {
			case have && (u == 60 || u == 80) && v >= 1:
				cur += v // soixante-douze, quatre-vingt-dix
			case have && u == 70 && v >= 1 && v <= 9 || have && u == 90 && v >= 1 && v <= 9:
				cur += v
			case have && u >= 20 && u%10 == 0 && v <= 9:
				cur += v // vingt-trois
			case have && u == 10 && v >= 7 && v <= 9:
				cur += v // dix-sept
			case have && u == 0 && cur >= 100:
				cur += v // cent deux, mil neuf
			default:
				flush()
				cur, have = v, true
			}
		}
	}
	flush()
	return out
}

// mapBack maps spans found in the rewritten text to the original; spans that now overlap (two parts of one
// rewritten number) are merged into the first.
func (rw *rewriting) mapBack(spans []Span) []Span {
	out := spans[:0]
	for _, sp := range spans {
		sp.Start, sp.End = rw.toOriginal(sp.Start, sp.End)
		if n := len(out); n > 0 && sp.Start < out[n-1].End {
			out[n-1].End = max(out[n-1].End, sp.End)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// spelledEdits joins an identifier dictated one character at a time with commas between, as a transcript writes
// it: « Z, 2, 7, 1, 9, 4, 0, 3, 8, 5, 6 » → « Z2719403856 ». Eight characters at least, or six with a letter, and
// five digits: a list of letters, of marks (« 5, 3, 4, 2, 5 ») or of numbers in order (« 1, 2, 3, 5, 8 ») is not one.
func spelledEdits(text string, ws []tok) []edit {
	var edits []edit
	one := func(w tok) bool {
		return w.end-w.start == 1 && (isDigit(text[w.start]) || text[w.start] >= 'A' && text[w.start] <= 'Z')
	}
	for k := 0; k < len(ws); k++ {
		if !one(ws[k]) {
			continue
		}
		j, digits, rising, last := k, 0, true, byte(0)
		for {
			if c := text[ws[j].start]; isDigit(c) {
				digits++
				rising = rising && c > last
				last = c
			} else {
				rising = false
			}
			if j+1 >= len(ws) || !one(ws[j+1]) {
				break
			}
			if g := strings.TrimSpace(text[ws[j].end:ws[j+1].start]); g != "," {
				break
			}
			j++
		}
		if (j-k >= 7 || j-k >= 5 && digits <= j-k) && digits >= 5 && !rising {
			var b strings.Builder
			for m := k; m <= j; m++ {
				b.WriteByte(text[ws[m].start])
			}
			edits = append(edits, edit{start: ws[k].start, end: ws[j].end, repl: b.String()})
		}
		k = j
	}
	return edits
}
