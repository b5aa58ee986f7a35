package pii

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
)

// TaggerExample is an annotated text the tagger learns from: its PERSON spans as UTF-8 byte offsets.
type TaggerExample struct {
	Text    string
	Persons [][2]int
}

// TaggerSet holds the features of the candidate words of a batch of annotated texts (one writer's file),
// computed once by the rules' scan and reused by every model trained on it.
type TaggerSet struct {
	rows []taggerRow
	df   map[string]int // texts holding each word: the frequent ones become context words
}

type taggerRow struct {
	base   []uint32
	own    uint32   // the rules' decision for the word itself, used when TaggerOptions.OwnRule
	ruleF  []uint32 // the features read from the neighbours' decisions, used when TaggerOptions.NeighbourRules
	refs   []vocabRef
	person bool
	rule   uint8
	// start, end place the word in the original text (before the filter's normalisation).
	start, end int
}

// Len returns the number of candidate words of s and how many of them are a person's.
func (s *TaggerSet) Len() (words, persons int) {
	for _, r := range s.rows {
		if r.person {
			persons++
		}
	}
	return len(s.rows), persons
}

// NewTaggerSet scans every example with f's rules and keeps the features of its candidate words, each labelled
// by whether it lies inside an annotated person.
func NewTaggerSet(ctx context.Context, f *Filter, examples []TaggerExample) (*TaggerSet, error) {
	s := &TaggerSet{df: map[string]int{}}
	for _, ex := range examples {
		d := &detector{text: ex.Text, lex: f.lex, ctx: ctx, lastPerson: -10, collect: s}
		start := len(s.rows)
		if _, err := runDetector(d); err != nil {
			return nil, err
		}
		for k := start; k < len(s.rows); k++ {
			r := &s.rows[k]
			for _, p := range ex.Persons {
				if r.start < p[1] && p[0] < r.end {
					r.person = true
					break
				}
			}
		}
	}
	return s, nil
}

// runDetector runs one scan, turning its panics into errors as Find does.
func runDetector(d *detector) (spans []Span, err error) {
	defer func() {
		if r := recover(); r != nil {
			spans, err = nil, ErrFilter
		}
	}()
	return d.run(), nil
}

// collectRows records, for training, the features of every candidate word the rules did not give to another
// label, with its position in the original text.
func (d *detector) collectRows(c *tagCtx, spans []Span, rw *rewriting) {
	d.newTagCtx(c, spans, &Tagger{})
	c.training = true
	seen := map[string]bool{}
	for i := range d.toks {
		k := d.toks[i].key
		if !seen[k] {
			seen[k] = true
			d.collect.df[k]++
		}
		if c.rule[i] == ruleOther || !d.tagCandidate(c, i, true) {
			continue
		}
		c.refs = c.refs[:0]
		c.ruleF = c.ruleF[:0]
		f := d.features(c, i)
		row := taggerRow{own: fh(ftOwnRule, c.rule[i], 0, 0), refs: slices.Clone(c.refs), rule: c.rule[i], ruleF: slices.Clone(c.ruleF)}
		for _, h := range f {
			if h != row.own {
				row.base = append(row.base, h)
			}
		}
		s, e := d.toks[i].start, d.toks[i].end
		if rw != nil {
			s, e = rw.toOriginal(s, e)
		}
		row.start, row.end = s, e
		d.collect.rows = append(d.collect.rows, row)
	}
}

// features assembles the row's hashed features as model t reads them (its vocabulary, its use of the rules'
// decisions), reduced to its weight indices.
func (r *taggerRow) features(t *Tagger) []uint32 {
	f := slices.Clone(r.base)
	if t.ownRule {
		f = append(f, r.own)
	}
	if t.nbRules {
		f = append(f, r.ruleF...)
	}
	for _, v := range r.refs {
		if t.vocab[v.key] {
			f = append(f, fhs(v.t, v.a, v.key))
		}
	}
	mask := uint32(1)<<t.bits - 1
	for i := range f {
		f[i] &= mask
	}
	return f
}

// TaggerOptions are the training settings; the zero value takes the defaults.
type TaggerOptions struct {
	Bits    uint8   // hashed feature space of 2^Bits weights (default 17)
	Epochs  int     // passes over the rows (default 8)
	Rate    float64 // initial learning rate (default 0.1)
	L2      float64 // weight decay per update (default 1e-6)
	MinDF   int     // texts a word must appear in to be a context word (default 25)
	Seed    uint64  // shuffling seed (default 1)
	OwnRule bool    // give the rules' decision for the word itself as a feature (stacking)
	// NeighbourRules gives the rules' decisions for the neighbouring words (and whether the word is a person's
	// elsewhere in the text) as features.
	NeighbourRules bool
	// Uncovered trains on the words the rules left only (the ones the tagger will score), not on the rules'
	// persons too.
	Uncovered bool
}

func (o *TaggerOptions) defaults() {
	if o.Bits == 0 {
		o.Bits = 17
	}
	if o.Epochs == 0 {
		o.Epochs = 8
	}
	if o.Rate == 0 {
		o.Rate = 0.1
	}
	if o.L2 == 0 {
		o.L2 = 1e-6
	}
	if o.MinDF == 0 {
		o.MinDF = 25
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
}

// TrainTagger fits a logistic regression on the rows of sets, in their order, shuffled by a fixed seed: the same
// sets and options give the same model, byte for byte.
func TrainTagger(sets []*TaggerSet, o TaggerOptions) *Tagger {
	o.defaults()
	df := map[string]int{}
	for _, s := range sets {
		for k, n := range s.df {
			df[k] += n
		}
	}
	t := &Tagger{bits: o.Bits, ownRule: o.OwnRule, nbRules: o.NeighbourRules, vocab: map[string]bool{}}
	for k, n := range df {
		if n >= o.MinDF {
			t.vocab[k] = true
			t.words = append(t.words, k)
		}
	}
	slices.Sort(t.words)
	var rows [][]uint32
	var ys []bool
	for _, s := range sets {
		for _, r := range s.rows {
			if o.Uncovered && r.rule != ruleNone {
				continue
			}
			f := r.features(t)
			rows = append(rows, f)
			ys = append(ys, r.person)
		}
	}
	w := make([]float64, 1<<o.Bits)
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x706c756d65))
	for ep := range o.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := o.Rate / (1 + float64(ep))
		for _, k := range order {
			f := rows[k]
			var s float64
			for _, h := range f {
				s += w[h]
			}
			p := 1 / (1 + math.Exp(-s))
			y := 0.0
			if ys[k] {
				y = 1
			}
			g := rate * (y - p)
			for _, h := range f {
				w[h] += g - rate*o.L2*w[h]
			}
		}
	}
	t.w = make([]float32, len(w))
	for i, x := range w {
		t.w[i] = float32(x)
	}
	return t
}
