package pii

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
)

// The tagger is a logistic regression over hashed features of a word and its neighbours: it scores each word the
// rules left unmasked and that could be a name, and adds a PERSON span where the score clears a threshold. The
// rules stay the floor; the tagger only adds. Its features describe the kind of word and of place (shape,
// lexicons, suffix, the words around, the line, the rules' decisions for the neighbours), never the word itself
// unless it is one of the frequent context words of the training texts, so that it learns what a name looks like
// where names stand rather than the names of the texts it was trained on (tagtrain, data/README.md).

//go:embed data/tagger.bin.gz
var taggerGZ []byte

// DefaultTaggerThreshold is the score above which the embedded tagger adds a word to the persons, chosen by
// leave-one-writer-out cross-validation (go run ./internal/pii/tagtrain -cv): the highest zero-leak share that
// masks no more traps than the rules alone. NewFilter uses it at this threshold; WithTagger(nil, 0) gives the
// rules alone (what tagtrain compares with).
const DefaultTaggerThreshold = 0.8

// Tagger is a trained name tagger: hashed feature weights and the frequent context words it may name.
type Tagger struct {
	bits    uint8
	w       []float32
	vocab   map[string]bool
	words   []string // vocab, sorted, for MarshalBinary
	ownRule bool     // trained with the rules' decision for the word itself
	nbRules bool     // trained with the rules' decisions for the neighbours
}

const taggerMagic = "plume-tagger-1\n"

var (
	taggerOnce sync.Once
	embedded   *Tagger
)

// EmbeddedTagger returns the model of data/tagger.bin.gz, loaded once for the whole process; a corrupt model is a
// build defect and panics, as a corrupt lexicon does.
func EmbeddedTagger() *Tagger {
	taggerOnce.Do(func() {
		t, err := LoadTagger(taggerGZ)
		if err != nil {
			panic(fmt.Sprintf("pii: embedded tagger: %v", err))
		}
		embedded = t
	})
	return embedded
}

// ErrTaggerModel is wrapped by LoadTagger's errors: the bytes are not a model this version can read.
var ErrTaggerModel = errors.New("pii: invalid tagger model")

// LoadTagger reads a model written by MarshalBinary (gzip-compressed).
func LoadTagger(data []byte) (*Tagger, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTaggerModel, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTaggerModel, err)
	}
	if !bytes.HasPrefix(raw, []byte(taggerMagic)) || len(raw) < len(taggerMagic)+6 {
		return nil, fmt.Errorf("%w: bad header", ErrTaggerModel)
	}
	raw = raw[len(taggerMagic):]
	t := &Tagger{bits: raw[0], ownRule: raw[1]&1 != 0, nbRules: raw[1]&2 != 0}
	if t.bits < 8 || t.bits > 24 {
		return nil, fmt.Errorf("%w: %d hash bits", ErrTaggerModel, t.bits)
	}
	nv := int(binary.LittleEndian.Uint32(raw[2:6]))
	raw = raw[6:]
	t.vocab = make(map[string]bool, nv)
	for range nv {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			return nil, fmt.Errorf("%w: vocabulary cut short", ErrTaggerModel)
		}
		w := string(raw[:i])
		t.words = append(t.words, w)
		t.vocab[w] = true
		raw = raw[i+1:]
	}
	n := 1 << t.bits
	if len(raw) != 4*n {
		return nil, fmt.Errorf("%w: %d weight bytes, want %d", ErrTaggerModel, len(raw), 4*n)
	}
	t.w = make([]float32, n)
	for i := range t.w {
		t.w[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return t, nil
}

// MarshalBinary writes the model as LoadTagger reads it, gzip-compressed; the same model gives the same bytes.
func (t *Tagger) MarshalBinary() ([]byte, error) {
	var raw bytes.Buffer
	raw.WriteString(taggerMagic)
	own := byte(0)
	if t.ownRule {
		own |= 1
	}
	if t.nbRules {
		own |= 2
	}
	raw.Write([]byte{t.bits, own})
	raw.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(t.words))))
	for _, w := range t.words {
		raw.WriteString(w)
		raw.WriteByte('\n')
	}
	b := make([]byte, 0, 4*len(t.w))
	for _, x := range t.w {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	raw.Write(b)
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// WithTagger returns a filter that adds to the rules' persons the words t scores above threshold; a nil t turns
// the tagger off (the rules alone).
func (f *Filter) WithTagger(t *Tagger, threshold float64) *Filter {
	g := *f
	g.tagger, g.threshold = t, threshold
	return &g
}

// Rule decisions for a token, as features and to choose the words scored.
const (
	ruleNone   = 0
	rulePerson = 1
	ruleOther  = 2 // inside a span of another label
	rulePublic = 3 // an office's, a web or e-mail address: left alone
)

// tagCtx is what the tagger reads of one scanned text, computed once per text.
type tagCtx struct {
	rule []uint8 // per token: ruleNone…rulePublic
	line []int32 // per token: line number
	// info caches what the lexicons say of each token (a token is read as a word and as the neighbour of up
	// to four others; the lexicon's index is large and its lookups miss the cache); seen marks the entries
	// filled, voc caches whether the token is a context word (0 unknown, 1 yes, 2 no).
	info    []wordInfo
	seen    []bool
	voc     []uint8
	hit     []bool   // the words scored above the threshold
	unit    []int32  // per token: index+1 of its name unit in d.us, 0 when none
	persons []string // keys of the rules' person words, to see a word named elsewhere in the text
	lines   int32    // number of lines
	feats   []uint32
	ownRule bool
	nbRules bool
	ruleF   []uint32 // while training: the features read from the rules' decisions, kept apart
	vocab   map[string]bool
	// refs, when training, collects the context-word features instead of hashing them: which words are
	// frequent enough to be named depends on the texts a model is trained on.
	refs     []vocabRef
	training bool
}

// vocabRef is a context-word feature waiting for the vocabulary: template, value, word.
type vocabRef struct {
	t, a byte
	key  string
}

// ruleFeat appends a feature read from the rules' decisions, when the model uses them; while training it is
// kept apart, for TaggerOptions.NeighbourRules to choose.
func (c *tagCtx) ruleFeat(f []uint32, h uint32) []uint32 {
	if c.training {
		c.ruleF = append(c.ruleF, h)
		return f
	}
	if c.nbRules {
		f = append(f, h)
	}
	return f
}

// word appends the feature of context word key (token i), or defers it while training.
func (c *tagCtx) word(f []uint32, t, a byte, i int, key string) []uint32 {
	if c.training {
		c.refs = append(c.refs, vocabRef{t, a, key})
		return f
	}
	if c.voc[i] == 0 {
		c.voc[i] = 2
		if c.vocab[key] {
			c.voc[i] = 1
		}
	}
	if c.voc[i] == 1 {
		f = append(f, fhs(t, a, key))
	}
	return f
}

// infoOf returns what the lexicons say of token i, looked up once per text.
func (d *detector) infoOf(c *tagCtx, i int) wordInfo {
	if !c.seen[i] {
		c.info[i], c.seen[i] = d.lex.word(d.toks[i].key), true
	}
	return c.info[i]
}

// ruleDecisions marks each token with the decision of the spans (rewritten-text coordinates, sorted).
func (d *detector) ruleDecisions(rule []uint8, spans []Span) []uint8 {
	rule = grow(rule, len(d.toks))
	j := 0
	for i := range d.toks {
		t := &d.toks[i]
		for j < len(spans) && spans[j].End <= t.start {
			j++
		}
		if j < len(spans) && spans[j].Start < t.end {
			if spans[j].Label == LabelPerson {
				rule[i] = rulePerson
			} else {
				rule[i] = ruleOther
			}
		}
		if len(d.public) > 0 && overlapsPairs(d.public, t.start, t.end) || len(d.officeAddrs) > 0 && overlapsPairs(d.officeAddrs, t.start, t.end) || d.inURL(t.start, t.end) {
			rule[i] = rulePublic
		}
	}
	return rule
}

// newTagCtx fills c, reused from scan to scan, with the per-token facts the features read.
func (d *detector) newTagCtx(c *tagCtx, spans []Span, t *Tagger) {
	n := len(d.toks)
	c.rule = d.ruleDecisions(c.rule, spans)
	c.line = grow(c.line, n)
	c.info = grow(c.info, n)
	c.seen = grow(c.seen, n)
	c.voc = grow(c.voc, n)
	c.vocab, c.ownRule, c.nbRules, c.training = t.vocab, t.ownRule, t.nbRules, false
	c.ruleF = c.ruleF[:0]
	c.unit = grow(c.unit, n)
	// The name units of the rules looked the single-token words up already.
	for k := range d.us {
		u := &d.us[k]
		if u.b >= n || d.toks[u.a].start != u.start {
			continue
		}
		for j := u.a; j <= u.b; j++ {
			c.unit[j] = int32(k + 1)
		}
		if u.a == u.b {
			c.info[u.a], c.seen[u.a] = u.lex, true
		}
	}
	c.persons = c.persons[:0]
	for i := range d.toks {
		if c.rule[i] == rulePerson && len(d.toks[i].key) >= 3 && len(c.persons) < 32 && !slices.Contains(c.persons, d.toks[i].key) {
			c.persons = append(c.persons, d.toks[i].key)
		}
	}
	var ln int32
	for i := range d.toks {
		c.line[i] = ln
		if strings.IndexByte(d.gap(i), '\n') >= 0 {
			ln++
		}
	}
	c.lines = ln + 1
}

// grow returns s resized to n zero values, reusing its array when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// tagCandidate reports whether token i may be scored: a word of letters the rules left, not a stopword, and
// either in a name list, not French, or capitalised inside a sentence of a text where case means something.
func (d *detector) tagCandidate(c *tagCtx, i int, training bool) bool {
	t := &d.toks[i]
	if !t.lettersOnly() || c.rule[i] == rulePublic || !training && c.rule[i] != ruleNone {
		return false
	}
	info := d.infoOf(c, i)
	// The words the rules hold never to be (part of) a name (unit.notName): « Signé », « Maître », « mairie ».
	if info&(wStop|wNonName|wTitle|wRole|wRelation|wInstitution|wStreet|wSignoff) != 0 {
		return false
	}
	// In a text where case means something, a word in lower case is no name: « je m'apel Gheorghe ».
	if t.has(fLower) && !d.lowerish && !d.allCaps {
		return false
	}
	french := info&(wFrench|wEnglish|wFrenchExtra) != 0
	if french && (t.has(fLower) || d.allCaps || i > 0 && determiners[d.toks[i-1].key]) {
		// « kevin blanc de colère », « MES REVENUS N'ONT PAS CHANGÉ », « La Rose des vents »: a French word in lower
		// case, in a text in capitals or after an article is the rules' to call a name.
		return false
	}
	if info&(wFirst|wLast|wKnown) != 0 || !french {
		return true
	}
	return !d.allCaps && t.has(fCap|fUpper|fInitial) && !t.has(fSentStart)
}

// namedThings are the things, laws and firms named after a person: « la loi Chassaigne », « la société
// Transports Lemaire ».
var namedThings = set(`loi lois decret reforme amendement circulaire dispositif plan societe entreprise ets etablissements groupe marque
	transports ambulances taxis`)

// companyForms are the legal forms written after a firm's name: « Nestlé SA ».
var companyForms = set(`sa sas sasu sarl eurl sci snc gmbh ag ltd inc llc bv spa srl`)

// townBefore introduce a town: « à Neuilly », « en Avignon ».
var townBefore = set(`a en de d vers pres habite`)

// placeArticles put a place or a thing after them, not a person: « du Morvan », « au Raincy ».
var placeArticles = set(`du au aux`)

// ofWords join an office to its town: « la DDFIP de Florence ».
var ofWords = set(`de du d des`)

// determiners make the word after them a common noun: « la Rose des vents », « le Moulin ».
var determiners = set(`le la les un une des du l`)

// Feature templates: each hashed feature starts with one of these.
const (
	ftBias byte = iota + 1
	ftShape
	ftLex
	ftLexClass
	ftShapeLex
	ftShapeStyle
	ftFreq
	ftSuf2
	ftSuf3
	ftOwnRule
	ftNbWord
	ftNbShape
	ftNbRule
	ftNbLexClass
	ftNbLexBits
	ftGapBefore
	ftGapAfter
	ftLine
	ftShapeGapBefore
	ftPrevWordShape
	ftNextWordShape
	ftNbRuleLexClass
	ftLen
	ftLineLen
	ftUnit
	ftUnitLex
	ftLeftCtx
	ftCapRun
	ftNamedElsewhere
)

func fnvByte(h uint32, b byte) uint32 { return (h ^ uint32(b)) * 16777619 }

func fnvStr(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// fh hashes a template and up to three small values.
func fh(t byte, a, b, c byte) uint32 {
	h := uint32(2166136261)
	return fnvByte(fnvByte(fnvByte(fnvByte(h, t), a), b), c)
}

// fhs hashes a template, a small value and a string.
func fhs(t byte, a byte, s string) uint32 {
	return fnvStr(fnvByte(fnvByte(uint32(2166136261), t), a), s)
}

// shapeOf is the case of a token: 1 capitalised, 2 capitals, 3 initial, 4 lower, 5 other.
func shapeOf(t *tok) byte {
	switch {
	case t.has(fInitial):
		return 3
	case t.has(fUpper):
		return 2
	case t.has(fCap):
		return 1
	case t.has(fLower):
		return 4
	}
	return 5
}

// lexClass sums up the lexicons: 1 name only, 2 French only, 3 both, 4 neither; +4 when a place.
func lexClass(info wordInfo) byte {
	name := info&(wFirst|wLast|wKnown) != 0
	fr := info&(wFrench|wEnglish|wFrenchExtra) != 0
	c := byte(4)
	switch {
	case name && fr:
		c = 3
	case name:
		c = 1
	case fr:
		c = 2
	}
	if info&wPlace != 0 {
		c += 4
	}
	return c
}

// gapClass sums up the text between two tokens: 1 spaces, 2 line break, 3 comma, 4 full stop or similar,
// 5 hyphen, 6 apostrophe, 7 colon, 8 bracket or quote, 9 other, 10 the edge of the text.
func gapClass(g string, edge bool) byte {
	if edge {
		return 10
	}
	switch {
	case strings.IndexByte(g, '\n') >= 0:
		return 2
	case strings.IndexByte(g, ',') >= 0:
		return 3
	case containsAny(g, ".!?;…"):
		return 4
	case strings.IndexByte(g, ':') >= 0:
		return 7
	case containsAny(g, "()[]\"«»“”"):
		return 8
	case g == "-":
		return 5
	case g == "'" || g == "’":
		return 6
	case strings.Trim(g, " \t\u00a0\u202f") == "":
		return 1
	}
	return 9
}

func lenBucket(n int) byte {
	switch {
	case n <= 1:
		return 1
	case n == 2:
		return 2
	case n == 3:
		return 3
	case n <= 5:
		return 4
	case n <= 8:
		return 5
	}
	return 6
}

func freqBucket(n int) byte {
	if n <= 0 {
		return 0
	}
	return byte(min(1+int(math.Log10(float64(n))), 9))
}

// features appends the hashed features of token i to c.feats.
func (d *detector) features(c *tagCtx, i int) []uint32 {
	f := c.feats[:0]
	t := &d.toks[i]
	info := d.infoOf(c, i)
	sh, lc := shapeOf(t), lexClass(info)
	style := byte(0)
	if d.allCaps {
		style = 1
	} else if d.lowerish {
		style = 2
	}
	sent := byte(0)
	if t.has(fSentStart) {
		sent = 1
	}
	f = append(f, fh(ftBias, 0, 0, 0), fh(ftShape, sh, sent, 0), fh(ftLexClass, lc, 0, 0), fh(ftShapeLex, sh, lc, sent),
		fh(ftShapeStyle, sh, style, lc), fh(ftLen, lenBucket(len(t.key)), sh, 0))
	for b := range 20 {
		if info&(1<<b) != 0 {
			f = append(f, fh(ftLex, byte(b), 0, 0))
		}
	}
	if info&(wFirst|wLast) != 0 {
		f = append(f, fh(ftFreq, 1, freqBucket(d.lex.first[t.key]), 0), fh(ftFreq, 2, freqBucket(d.lex.last[t.key]), 0))
	}
	if n := len(t.key); n >= 4 {
		f = append(f, fhs(ftSuf2, 0, t.key[n-2:]), fhs(ftSuf3, 0, t.key[n-3:]))
	}
	if c.ownRule || c.training {
		f = append(f, fh(ftOwnRule, c.rule[i], 0, 0)) // last of the base features: training may drop it
	}
	f = c.word(f, ftNbWord, 0, i, t.key)
	// Neighbours, two on each side, within the same line only for the second ones.
	for _, off := range [...]int{-2, -1, 1, 2} {
		j := i + off
		o := byte(off + 2)
		if j < 0 || j >= len(d.toks) {
			f = append(f, fh(ftNbShape, o, 0, 0))
			continue
		}
		n := &d.toks[j]
		var ninfo wordInfo
		if n.lettersOnly() {
			ninfo = d.infoOf(c, j)
		}
		nsh := shapeOf(n)
		if !n.lettersOnly() {
			nsh = 6
			if n.digitsOnly() {
				nsh = 7
			}
		}
		f = append(f, fh(ftNbShape, o, nsh, 0), fh(ftNbLexClass, o, lexClass(ninfo), nsh))
		// A neighbour inside another label's span or an office's is a fact about places and numbers, kept in every
		// model; a neighbour the rules made a person is used only by a model trained to lean on it.
		if r := c.rule[j]; r == ruleOther || r == rulePublic {
			f = append(f, fh(ftNbRule, o, r, 0))
		} else {
			f = c.ruleFeat(f, fh(ftNbRule, o, r, 0))
		}
		if off == -1 || off == 1 {
			f = c.ruleFeat(f, fh(ftNbRuleLexClass, o, c.rule[j], lc))
			for _, b := range [...]wordInfo{wTitle, wRole, wRelation, wSignoff, wNameParticle, wInstitution, wStreet, wStop, wFirst, wLast, wPlace, wCountry} {
				if ninfo&b != 0 {
					f = append(f, fh(ftNbLexBits, o, byte(bitIndex(b)), 0))
				}
			}
		}
		f = c.word(f, ftNbWord, o, j, n.key)
		if off == -1 {
			f = c.word(f, ftPrevWordShape, sh, j, n.key)
		}
		if off == 1 {
			f = c.word(f, ftNextWordShape, sh, j, n.key)
		}
	}
	gb, ga := gapClass(d.gap(i-1), i == 0), gapClass(d.gap(i), i == len(d.toks)-1)
	f = append(f, fh(ftGapBefore, gb, 0, 0), fh(ftGapAfter, ga, 0, 0), fh(ftShapeGapBefore, sh, gb, ga))
	// Where in the text: first line, last lines (a signature), alone on its line.
	fromEnd := c.lines - 1 - c.line[i]
	pos := byte(3)
	switch {
	case c.line[i] == 0:
		pos = 0
	case fromEnd == 0:
		pos = 1
	case fromEnd <= 2:
		pos = 2
	}
	lineLen := byte(0) // tokens on the line: 1, 2-3, 4+
	k := 0
	for j := i - 1; j >= 0 && c.line[j] == c.line[i] && k < 4; j-- {
		k++
	}
	for j := i + 1; j < len(d.toks) && c.line[j] == c.line[i] && k < 4; j++ {
		k++
	}
	switch {
	case k == 0:
		lineLen = 1
	case k <= 2:
		lineLen = 2
	default:
		lineLen = 3
	}
	f = append(f, fh(ftLine, pos, sh, 0), fh(ftLineLen, lineLen, pos, lc))
	// The name unit (« Saint-Sébastien », « Jean-Moulin », « N'Diaye »): its size, the place of the word in it, and
	// what the lexicons say of the whole.
	if k := c.unit[i]; k > 0 {
		u := &d.us[k-1]
		size, at := byte(min(u.b-u.a+1, 3)), byte(0)
		if u.a < u.b {
			at = 1
			if i == u.b {
				at = 2
			}
		}
		f = append(f, fh(ftUnit, size, at, sh))
		if u.a < u.b {
			f = append(f, fh(ftUnitLex, lexClass(u.lex), size, 0))
			if u.lex&(wStreet|wInstitution) != 0 {
				f = append(f, fh(ftUnitLex, 20, 0, 0))
			}
		}
	}
	// What stands up to four words before on the same line: a street type or an institution (« rue du Docteur
	// Gabriel », « lycée Jean »), a title (« Mme Anne Le »), a preposition of place.
	for j := i - 1; j >= 0 && j >= i-4 && c.line[j] == c.line[i]; j-- {
		if !d.toks[j].lettersOnly() {
			break
		}
		inf := d.infoOf(c, j)
		for _, b := range [...]wordInfo{wStreet, wInstitution, wTitle, wRole, wRelation, wSignoff, wPlace, wCountry} {
			if inf&b != 0 {
				f = append(f, fh(ftLeftCtx, byte(bitIndex(b)), byte(i-j), 0))
			}
		}
	}
	// The run of capitalised words the word is in: names run two or three words, offices longer.
	if sh <= 3 {
		a, b := i, i
		for a > 0 && i-a < 5 && shapeOf(&d.toks[a-1]) <= 3 && d.toks[a-1].lettersOnly() && c.line[a-1] == c.line[i] && d.spaced(a-1) {
			a--
		}
		for b+1 < len(d.toks) && b-i < 5 && shapeOf(&d.toks[b+1]) <= 3 && d.toks[b+1].lettersOnly() && c.line[b+1] == c.line[i] && d.spaced(b) {
			b++
		}
		f = append(f, fh(ftCapRun, byte(min(b-a+1, 5)), byte(min(i-a, 3)), 0))
	}
	if slices.Contains(c.persons, t.key) {
		f = c.ruleFeat(f, fh(ftNamedElsewhere, 1, 0, 0))
	}
	c.feats = f
	return f
}

func bitIndex(b wordInfo) int {
	for i := range 32 {
		if b == 1<<i {
			return i
		}
	}
	return 0
}

// afterPlaceWord reports a word that follows, on its line and within four words, a street type or an institution
// (« avenue du Docteur Paul Rivet », « l'école maternelle Paul Éluard », « la DDFIP de Florence »): the rules
// leave the places and offices named after people, and the tagger does not undo that.
func (d *detector) afterPlaceWord(c *tagCtx, i int) bool {
	for j := i - 1; j >= 0 && j >= i-4 && c.line[j] == c.line[i]; j-- {
		if !d.toks[j].lettersOnly() {
			return false
		}
		inf := d.infoOf(c, j)
		if inf&(wStreet|wInstitution) != 0 {
			return true
		}
		// An office's acronym then « de »: « la DDFIP de Florence », « la CPAM du Var ».
		if j == i-2 && d.toks[j].has(fUpper) && len(d.toks[j].key) <= 6 && inf&(wFirst|wLast) == 0 && ofWords[d.toks[i-1].key] {
			return true
		}
		if g := d.gap(j); containsAny(g, ",.;:()") {
			return false
		}
	}
	return false
}

// notPersonNext reports the places where a capitalised word is no person: after a reference's word (« la
// référence MARTIN »), after « du » or « au » (« les habitants du Morvan »), after a law's or a firm's word, after
// a town, a town after « à », before a firm's legal form or thanks in another language (« Mila esker »).
func (d *detector) notPersonNext(c *tagCtx, i int) bool {
	if i > 0 && (bookingWords[d.toks[i-1].key] || identifierLabels[d.toks[i-1].key] || placeArticles[d.toks[i-1].key] ||
		namedThings[d.toks[i-1].key]) {
		return true
	}
	if i+1 < len(d.toks) && companyForms[d.toks[i+1].key] && d.toks[i+1].has(fUpper) {
		return true // « Nestlé SA »
	}
	// A town after « à », « en », « de »: « chez ses parents, à Neuilly ».
	if i > 0 && townBefore[d.toks[i-1].key] {
		if inf := d.infoOf(c, i); inf&wPlace != 0 && inf&(wFirst|wLast) == 0 {
			return true
		}
	}
	// A district after its town: « Toulouse Borderouge », « Saint-Denis Pleyel ».
	if i > 0 && d.toks[i-1].lettersOnly() && strings.Trim(d.gap(i-1), " ") == "" && d.toks[i-1].has(fCap|fUpper) {
		if inf := d.infoOf(c, i-1); inf&wPlace != 0 && inf&(wFirst|wLast) == 0 {
			return true
		}
	}
	return i+1 < len(d.toks) && foreignThanks[d.toks[i+1].key]
}

// spaced reports whether tokens i and i+1 are separated by spaces, a hyphen or an apostrophe only.
func (d *detector) spaced(i int) bool {
	g := d.gap(i)
	return g == "-" || g == "'" || g == "’" || strings.Trim(g, " \u00a0\u202f") == ""
}

// score is the tagger's probability that the word of features f is part of a person's name.
func (t *Tagger) score(f []uint32) float64 {
	mask := uint32(1)<<t.bits - 1
	var s float32
	for _, h := range f {
		s += t.w[h&mask]
	}
	return 1 / (1 + math.Exp(-float64(s)))
}

// tag adds to spans (rewritten-text coordinates, sorted) the words the tagger scores above the threshold: a word
// next to a person's span (spaces, a hyphen or an apostrophe between) extends it, runs of such words make one span.
func (d *detector) tag(c *tagCtx, spans []Span, t *Tagger, threshold float64) []Span {
	d.newTagCtx(c, spans, t)
	hit := grow(c.hit, len(d.toks))
	c.hit = hit
	any := false
	for i := range d.toks {
		if i&63 == 0 {
			d.tick()
		}
		if !d.tagCandidate(c, i, false) {
			continue
		}
		if t.score(d.features(c, i)) >= threshold && !d.afterPlaceWord(c, i) && !d.notPersonNext(c, i) {
			hit[i], any = true, true
		}
	}
	if !any {
		return spans
	}
	// A word joined by hyphens to others is a name only with all of them: « Saint-Étienne » is not « Saint »,
	// « Croix-Blanche » not « Blanche ».
	for k := range d.us {
		u := &d.us[k]
		if u.a == u.b || u.b >= len(d.toks) {
			continue
		}
		all, some := true, false
		for j := u.a; j <= u.b; j++ {
			some = some || hit[j]
			all = all && (hit[j] || c.rule[j] == rulePerson)
		}
		if some && !all {
			for j := u.a; j <= u.b; j++ {
				hit[j] = false
			}
		}
	}
	joined := func(i int) bool { // tokens i and i+1 belong to one name
		g := d.gap(i)
		return g == "-" || g == "'" || g == "’" || strings.Trim(g, " \u00a0\u202f") == "" && strings.IndexByte(g, '\n') < 0
	}
	out := spans
	for i := 0; i < len(d.toks); i++ {
		if !hit[i] {
			continue
		}
		a, b := i, i
		for b+1 < len(d.toks) && hit[b+1] && joined(b) {
			b++
		}
		i = b
		s, e := d.toks[a].start, d.toks[b].end
		if a > 0 && c.rule[a-1] == rulePerson && joined(a-1) {
			s = d.toks[a-1].start
		}
		if b+1 < len(d.toks) && c.rule[b+1] == rulePerson && joined(b) {
			e = d.toks[b+1].end
		}
		out = append(out, Span{Start: s, End: e, Label: LabelPerson})
	}
	slices.SortFunc(out, func(a, b Span) int { return a.Start - b.Start })
	merged := out[:0]
	for _, sp := range out {
		if n := len(merged); n > 0 && sp.Start < merged[n-1].End {
			// Only persons meet here (the tagger's words were nobody's); anything else keeps the earlier span.
			if merged[n-1].Label == LabelPerson && sp.Label == LabelPerson {
				merged[n-1].End = max(merged[n-1].End, sp.End)
			}
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}
