package pii

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// cand is a candidate span before overlaps are resolved. It holds no pointer, its label being an index in classes:
// a body of names gives a candidate every few bytes, which the slice's growth and resolve's sort moved with write
// barriers and the collector scanned (a body of « Mme Dupont, » spent a fifth of its scan growing and sorting them).
type cand struct {
	start, end int
	prio       int32 // the class's priority, copied for the sort
	cls        uint8 // index in classes
}

// label is the candidate's label.
func (c *cand) label() string { return classes[c.cls].label }

// relabel gives the candidate another label, and that label's priority.
func (c *cand) relabel(label string) {
	c.cls = classIndex(label)
	c.prio = int32(classes[c.cls].priority)
}

// detector holds the state of one scan; it is never shared between goroutines.
type detector struct {
	text     string
	toks     []tok
	lex      *lexicon
	cands    []cand
	us       []unit
	allCaps  bool // the text is written in capitals: case says nothing about names
	lowerish bool // the text is written without capitals (SMS style)

	lastPerson  int             // last unit of the last name found, for « Noah et Jade »
	named       map[string]bool // words given as a name after « s'appelle »: every mention is masked
	urls        []int           // sorted [start, end) pairs of public web and e-mail addresses: nothing there is personal
	names       []int           // sorted [start, end) pairs of the name candidates, for the office rules (institutions.go)
	officeAddrs []int           // sorted [start, end) pairs of the offices' addresses found
	public      []int           // sorted [start, end) pairs released as an office's: the second pass leaves them too
	orgs        []int           // [start, end) pairs of the firms and public figures the name rules left (persons.go)

	tagger    *Tagger // adds the persons the rules missed (tagger.go); nil: the rules alone
	threshold float64
	collect   *TaggerSet // when training, receives the candidate words' features

	ctx      context.Context
	deadline time.Time
	ticks    int
	err      error
}

// buffers are the scratch slices of one scan, reused across scans.
type buffers struct {
	toks  []tok // the tokens of the text as given
	toks2 []tok // the tokens of the text normalized, then of the text the second pass reads
	used2 int   // the most tokens toks2 held during the scan: what is cleared after it
	arena []byte
	units []unit
	cands []cand
	tag   tagCtx
}

var bufPool = sync.Pool{New: func() any { return &buffers{} }}

// errStop unwinds a scan whose context ended or whose deadline passed.
var errStop = errors.New("pii: scan stopped")

// tick checks, every so often, that the scan may go on; it unwinds the scan with errStop otherwise.
func (d *detector) tick() {
	d.ticks++
	if d.ticks&63 != 0 {
		return
	}
	d.checkNow()
}

// checkNow unwinds the scan with errStop if its context ended or its deadline passed.
func (d *detector) checkNow() {
	if err := d.ctx.Err(); err != nil {
		d.err = err
		panic(errStop)
	}
	if !d.deadline.IsZero() && time.Now().After(d.deadline) {
		d.err = context.DeadlineExceeded
		panic(errStop)
	}
}

func (d *detector) add(start, end int, label string) {
	if start >= end || d.inURL(start, end) {
		return
	}
	c := cand{start: start, end: end}
	c.relabel(label)
	d.cands = append(d.cands, c)
}

// scanHook, when set by a test, runs at the start of every scan (to make one panic or stall).
var scanHook func(text string)

// run finds every span of text, sorted and without overlap.
func (d *detector) run() []Span {
	if scanHook != nil {
		scanHook(d.text)
	}
	b := bufPool.Get().(*buffers)
	done := false
	defer func() {
		if !done {
			// A scan stopped midway (deadline, context, panic) leaves its buffers to the collector: clearing them
			// here was tens of milliseconds past the deadline for a 3.5 MB body, and nothing of the text is pooled.
			return
		}
		// Keys point into a string built per text, so nothing of this text survives in the pool but capacity.
		// Only what this scan wrote is cleared: a short text after a long one does not clear megabytes.
		clear(b.toks)
		clear(b.toks2[:min(b.used2, cap(b.toks2))]) // used2 may count a slice replaced since: that one is dropped
		clear(b.units)
		b.toks, b.toks2, b.units, b.used2 = b.toks[:0], b.toks2[:0], b.units[:0], 0
		clear(b.tag.refs)
		b.tag.refs = b.tag.refs[:0]
		b.cands = b.cands[:0]
		bufPool.Put(b)
	}()
	orig := d.text
	d.toks, b.arena = tokenize(d.text, b.toks, b.arena, d.checkNow)
	b.toks = d.toks // kept whole for the second pass, which reads the same text but its spans
	var rw *rewriting
	if edits := d.normEdits(d.text, d.toks); len(edits) > 0 {
		rw = rewrite(d.text, edits)
		d.text = rw.text
		d.toks, b.arena = tokenize(d.text, b.toks2, b.arena, d.checkNow)
		b.toks2, b.used2 = d.toks, len(d.toks)
	}
	d.urls = webAddresses(d.text, d.urls[:0])
	d.us = b.units[:0]
	d.cands = b.cands[:0]
	d.style()
	hasDigit := containsAny(d.text, "0123456789")
	if strings.IndexByte(d.text, '@') >= 0 {
		d.emails()
	}
	if hasDigit {
		d.numbers()
		d.birthdates()
		d.ageBirthdates()
		d.correctedBirthdates()
	}
	d.bookingCodes()
	if hasDigit {
		d.shortCodes()
	}
	d.addresses()
	d.foreignAddresses()
	d.addressBlocks()
	d.persons()
	if hasDigit {
		d.namedBirthYears()
	}
	d.spelledNames()
	d.localityLines()
	d.greetingHandles()
	d.mailHeaders()
	d.signatureBlocks()
	d.joinBlocks()
	d.dropOffices()
	b.units = d.us
	b.cands = d.cands
	spans := d.resolve()
	if d.collect != nil {
		d.collectRows(&b.tag, spans, rw)
	}
	if d.tagger != nil {
		spans = d.tag(&b.tag, spans, d.tagger, d.threshold)
	}
	if rw != nil {
		spans = rw.mapBack(spans)
		d.public = mapPairs(rw, d.public)
	}
	spans = d.secondPass(orig, spans, b)
	done = true
	return spans
}

// secondPass looks at the text as it will leave, the spans replaced, for anything still shaped like an
// identifier (a run of digits, an e-mail address, a letter-digit code) and masks it too: a miss of the first
// pass, or the remainder of a number a higher-priority span cut, cannot reach a prompt. Spans are in orig.
func (d *detector) secondPass(orig string, spans []Span, b *buffers) []Span {
	// Nothing to look for when every digit and at-sign is already inside a span.
	rest, pos := false, 0
	for _, sp := range append(spans, Span{Start: len(orig), End: len(orig)}) {
		if containsAny(orig[pos:sp.Start], "0123456789@") {
			rest = true
			break
		}
		pos = sp.End
	}
	if !rest {
		return spans
	}
	edits := make([]edit, len(spans))
	for i, sp := range spans {
		edits[i] = edit{start: sp.Start, end: sp.End, repl: "[•]"}
	}
	rw := rewrite(orig, edits)
	d.text = rw.text
	// The text's tokens outside the spans are the second pass's: copied, not made again from the text (a
	// second tokenize was a fifth of the scan of a long text).
	var ok bool
	if d.toks, ok = retokenize(d.text, b.toks, spans, "[•]", b.toks2, d.checkNow); !ok {
		d.toks, b.arena = tokenize(d.text, b.toks2, b.arena, d.checkNow)
	}
	b.toks2, b.used2 = d.toks, max(b.used2, len(d.toks))
	d.urls = webAddresses(d.text, d.urls[:0])
	d.cands = d.cands[:0] // resolved already: the slice is reused
	if strings.IndexByte(d.text, '@') >= 0 {
		d.emails()
	}
	d.numbers()
	b.cands = d.cands
	if len(d.cands) == 0 {
		return spans
	}
	more := d.leavePublic(rw.mapBack(d.resolve()))
	// Merge: the first pass's spans keep their labels; a new span overlapping one is joined to it.
	all := append(append(make([]Span, 0, len(spans)+len(more)), spans...), more...)
	slices.SortFunc(all, func(a, b Span) int { return a.Start - b.Start })
	out := all[:0]
	for _, sp := range all {
		if n := len(out); n > 0 && sp.Start < out[n-1].End {
			out[n-1].End = max(out[n-1].End, sp.End)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// style decides whether case carries information in this text.
func (d *detector) style() {
	letters, upper, starts, capStarts, capsInside := 0, 0, 0, 0, 0
	for i := range d.toks {
		t := &d.toks[i]
		if !t.has(fLetter) {
			continue
		}
		letters++
		if t.has(fUpper) {
			upper++
		}
		if t.has(fSentStart) {
			starts++
			if t.has(fCap | fUpper | fInitial) {
				capStarts++
			}
		} else if t.has(fCap | fUpper) {
			capsInside++
		}
	}
	d.allCaps = letters >= 6 && upper*10 >= letters*7
	d.lowerish = !d.allCaps && starts > 0 && capStarts*2 < starts && capsInside*5 < letters
}

// resolve keeps, among overlapping candidates, the one of higher priority, then the longer. Candidates are
// taken best first and each is checked against a bitmap of the bytes already taken, so the cost is the sum of
// the candidates' lengths: linear in the text, not quadratic in the number of candidates.
func (d *detector) resolve() []Span {
	cs := d.cands
	slices.SortFunc(cs, func(a, b cand) int {
		if a.prio != b.prio {
			return int(b.prio) - int(a.prio)
		}
		if la, lb := a.end-a.start, b.end-b.start; la != lb {
			return lb - la
		}
		return a.start - b.start
	})
	taken := make([]uint64, len(d.text)/64+1)
	kept := make([]cand, 0, len(cs))
	for _, c := range cs {
		d.tick()
		free := true
		for i := c.start; i < c.end; i++ {
			if taken[i>>6]&(1<<(i&63)) != 0 {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		for i := c.start; i < c.end; i++ {
			taken[i>>6] |= 1 << (i & 63)
		}
		kept = append(kept, c)
	}
	slices.SortFunc(kept, func(a, b cand) int { return a.start - b.start })
	spans := make([]Span, len(kept))
	for i, k := range kept {
		spans[i] = Span{Start: k.start, End: k.end, Label: k.label()}
	}
	return spans
}

// gap returns the text between tokens i and i+1; the ends of the text stand for the missing tokens (before the
// first, after the last), so that a rule reading the separator around a token at either end of the text sees one
// instead of indexing past the tokens.
func (d *detector) gap(i int) string {
	switch {
	case len(d.toks) == 0:
		return d.text
	case i < 0:
		return d.text[:d.toks[0].start]
	case i+1 >= len(d.toks):
		return d.text[d.toks[i].end:]
	}
	return d.text[d.toks[i].end:d.toks[i+1].start]
}

// publicDomains are the words of the domains of public services: « caf.fr », « crous-lyon.fr », « ac-lille.fr ».
var publicDomains = set(`caf cpam ameli msa urssaf ants crous carsat cnav lassuranceretraite info retraite francetravail
	pole emploi impots dgfip mdph prefecture interieur justice education ac univ mairie ville departement region
	cnaf agirc arrco ircantec cnracl sante ars anah franceconnect service public securite sociale`)

// serviceAddress reports an address of a service, not of a person: a public service's domain and a local part made of French words that are nobody's name, or acronyms beside them: « contact.mse@crous.fr »,
// « service-usagers@urssaf.fr ». An agent's own address, « jean.dupont@caf.fr », stays personal.
func (d *detector) serviceAddress(local, dom string) bool {
	dom = strings.ToLower(dom)
	public := strings.HasSuffix(dom, ".gouv.fr")
	for i, p := range strings.FieldsFunc(dom, func(r rune) bool { return r == '.' || r == '-' }) {
		if i == 0 && personalSubdomains[p] {
			return false // « prenom.nom@etu.univ-… »: a student's own mailbox
		}
		public = public || publicDomains[p]
	}
	if !public || local == "" {
		return false // a sole trader's « contact@plomberie-renard.fr » is personal
	}
	words := 0
	for _, p := range strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
		k := foldString(p)
		switch {
		case containsAny(k, "0123456789") && !officeCode(k):
			return false
		case d.lex.first[k] > 0 || d.lex.last[k] > 0:
			return false
		case d.lex.french.has(k) || serviceMailWords[k] || nonNames[k]:
			words++ // « sip.nanterre@dgfip.finances.gouv.fr »
		case officeCode(k):
			words++ // « drfip75.pgf@dgfip.finances.gouv.fr »: an office's acronym and its department
		case len(k) > 4:
			return false
		}
	}
	return words > 0
}

// officeCode reports an office's acronym followed by its department number: « drfip75 », « ddfip13 », « cdad93 ».
func officeCode(k string) bool {
	i := 0
	for i < len(k) && k[i] >= 'a' && k[i] <= 'z' {
		i++
	}
	return i >= 3 && i <= 6 && len(k)-i >= 2 && len(k)-i <= 3 && allDigits(k[i:])
}

// serviceMailWords are the local parts services use that no French dictionary lists.
var serviceMailWords = set(`noreply no reply ne pas repondre contact info infos accueil usagers usager mediation
	mediateur reclamation reclamations relation relations webmaster secretariat courrier support rgpd dpo`)

// ---- web addresses ----

// webAddresses appends the [start, end) of the host and path of every web address of s (« https://… »,
// « www.… »), up to its query string: pages of public sites name forms, fiches and years, not people. What
// follows « ? » or « # » may carry a reference of the citizen's and is scanned as usual.
func webAddresses(s string, out []int) []int {
	for from := 0; from < len(s); {
		k := strings.Index(s[from:], "://")
		w := strings.Index(s[from:], "www.")
		switch {
		case k < 0 && w < 0:
			return out
		case k < 0 || w >= 0 && w < k:
			k = from + w
		default:
			k = from + k
			for k > from && isAlnumASCII(s[k-1]) {
				k-- // the scheme
			}
		}
		e := k
		for e < len(s) && s[e] > ' ' && s[e] < utf8.RuneSelf && s[e] != '?' && s[e] != '#' && s[e] != '"' && s[e] != '<' && s[e] != '>' {
			e++
		}
		if e < len(s) && (s[e] == '?' || s[e] == '#') && publicHost(s[k:e]) {
			// A public site's query names its own texts (« legifrance.gouv.fr/…?cidTexte=LEGITEXT… »).
			for e < len(s) && s[e] > ' ' && s[e] < utf8.RuneSelf && s[e] != '"' && s[e] != '<' && s[e] != '>' {
				e++
			}
		}
		if e > k+4 {
			out = append(out, k, e)
		}
		from = max(e, k+4)
	}
	return out
}

// publicHost reports a web address on a public service's site: a .gouv.fr host or one named after a service.
func publicHost(u string) bool {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		u = rest
	}
	host, _, _ := strings.Cut(strings.ToLower(u), "/")
	if strings.HasSuffix(host, ".gouv.fr") {
		return true
	}
	for _, p := range strings.FieldsFunc(host, func(r rune) bool { return r == '.' || r == '-' }) {
		if publicDomains[p] || p == "legifrance" || p == "senat" || p == "europa" {
			return true
		}
	}
	return false
}

// insertRange inserts [a, b) into the sorted, disjoint pairs rs, unless it overlaps one.
func insertRange(rs []int, a, b int) []int {
	i := sort.SearchInts(rs, a)
	if i%2 == 1 || i < len(rs) && rs[i] < b {
		return rs
	}
	rs = slices.Insert(rs, i, a, b)
	return rs
}

// inURL reports whether [start, end) lies inside the host and path of a web address.
func (d *detector) inURL(start, end int) bool {
	if len(d.urls) == 0 {
		return false
	}
	i := sort.SearchInts(d.urls, start+1) // the first bound past start
	return i%2 == 1 && end <= d.urls[i]
}

// ---- e-mail addresses ----

func isEmailLocal(c byte) bool {
	return isAlnumASCII(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '%'
}

func isEmailDomain(c byte) bool { return isAlnumASCII(c) || c == '.' || c == '-' }

func (d *detector) emails() {
	s := d.text
	from := 0
	for {
		k := strings.IndexByte(s[from:], '@')
		if k < 0 {
			return
		}
		at := from + k
		from = at + 1
		d.tick()
		a := at
		for a > 0 {
			c := s[a-1]
			if isEmailLocal(c) {
				a--
				continue
			}
			if c >= utf8.RuneSelf {
				r, n := utf8.DecodeLastRuneInString(s[:a])
				if isWordRune(r) {
					a -= n
					continue
				}
			}
			break
		}
		for a < at && (s[a] == '.' || s[a] == '-') {
			a++
		}
		b := at + 1
		for b < len(s) && isEmailDomain(s[b]) {
			b++
		}
		for b > at+1 && (s[b-1] == '.' || s[b-1] == '-') {
			b--
		}
		dom := s[at+1 : b]
		dot := strings.LastIndexByte(dom, '.')
		if a == at || dot <= 0 || len(dom)-dot-1 < 2 {
			continue
		}
		if d.serviceAddress(s[a:at], dom) || d.serviceMailbox(s[a:at], dom) {
			d.urls = insertRange(d.urls, a, b) // nothing inside a service's address is anyone's either
			from = b
			continue
		}
		d.add(a, b, LabelEmail)
		from = b
	}
}
