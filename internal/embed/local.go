package embed

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/fold"
	"github.com/plume-services/plume/internal/pii"
)

// LocalVersion changes whenever features, weights or hashing change: vectors of two versions are not comparable.
const LocalVersion = "local-sem-v3"

// Local is the built-in embedder, in two parts. The lexical part is a bag of hashed features of accent-folded,
// lightly stemmed French text — word unigrams, word bigrams and character 3–5-grams of each word — weighted by
// sublinear term frequency times inverse document frequency and projected on signed dimensions (the hashing
// trick): character n-grams match inflections and misspellings, and IDF learned from the corpus lets rare,
// telling words outweigh the vocabulary every fiche shares. The semantic part, once a Semantic model learned
// from the same corpus is attached, is the frequency-weighted mean of the text's word vectors (SIF), which brings
// together texts that describe one situation in different words. Each part is normalised and weighted, so that
// the cosine of two vectors is LexicalShare times the lexical cosine plus the rest times the semantic one.
type Local struct {
	dim int
	idf *IDF
	sem *Semantic
}

// LexicalShare is the weight of the lexical part in the cosine, chosen on the even-numbered questions of
// eval/retrieval/questions.jsonl (0.3 to 0.5 give the same recall; the semantic part alone is weaker).
const LexicalShare = 0.4

// SemanticDim is the number of dimensions of a dim-dimensional local vector given to the semantic part: a
// third, none below 48.
func SemanticDim(dim int) int {
	if dim < 48 {
		return 0
	}
	return dim / 3
}

// NewLocal returns a local embedder of dim dimensions, without IDF (every feature weighs 1) until WithIDF and
// lexical only until WithSemantic.
func NewLocal(dim int) *Local { return &Local{dim: dim} }

// WithIDF returns a copy of l weighting features by idf (nil: no weighting).
func (l *Local) WithIDF(idf *IDF) *Local { return &Local{dim: l.dim, idf: idf, sem: l.sem} }

// WithSemantic returns a copy of l whose last SemanticDim(Dim()) dimensions hold the mean word vector of s (nil:
// lexical only). It panics when s has another dimension: a programming error, not a data one.
func (l *Local) WithSemantic(s *Semantic) *Local {
	if s != nil && s.dim != SemanticDim(l.dim) {
		panic(fmt.Sprintf("embed: modèle sémantique en %d dimensions pour un vecteur de %d", s.dim, l.dim))
	}
	return &Local{dim: l.dim, idf: l.idf, sem: s}
}

// Semantic returns the model of l's semantic part, nil when none.
func (l *Local) Semantic() *Semantic { return l.sem }

// IDF returns the table l weights features with, nil when none.
func (l *Local) IDF() *IDF { return l.idf }

// Name is LocalVersion/dim.
func (l *Local) Name() string { return fmt.Sprintf("%s/%d", LocalVersion, l.dim) }

// Dim is the number of dimensions of the vectors.
func (l *Local) Dim() int { return l.dim }

// Embed embeds each text; it never fails except on a cancelled context.
func (l *Local) Embed(ctx context.Context, texts []pii.Redacted) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var fx featurizer
	for i, t := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i] = l.vector(&fx, t.String())
	}
	return out, nil
}

// Feature weights by kind, chosen so that a word counts about as much through its n-grams as through itself.
const (
	weightWord   = 1.0
	weightBigram = 0.7
	weightChars  = 1.0 // shared by all the character n-grams of one word
)

func (l *Local) vector(fx *featurizer, text string) []float32 {
	counts := fx.features(text)
	// Sorted, so that float rounding — and the vector — never depend on map order.
	fx.keys = fx.keys[:0]
	for h := range counts {
		fx.keys = append(fx.keys, h)
	}
	slices.Sort(fx.keys)
	v := make([]float32, l.dim)
	lex := v
	if l.sem != nil {
		lex = v[:l.dim-l.sem.dim]
	}
	for _, h := range fx.keys {
		c := counts[h]
		w := float32(1 + math.Log(float64(c.tf))) // sublinear: the 5th mention says less than the 1st
		w *= c.weight * l.idf.weight(h)
		idx := int((h >> 1) % uint64(len(lex)))
		if h&1 == 1 {
			lex[idx] -= w
		} else {
			lex[idx] += w
		}
	}
	if l.sem == nil {
		normalize(v)
		return v
	}
	sem := v[len(lex):]
	if !l.sem.add(sem, fx.stems) {
		normalize(lex) // no known word: the lexical part alone
		return v
	}
	normalize(lex)
	normalize(sem)
	a, b := float32(math.Sqrt(LexicalShare)), float32(math.Sqrt(1-LexicalShare))
	for i := range lex {
		lex[i] *= a
	}
	for i := range sem {
		sem[i] *= b
	}
	return v
}

func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}

// featureCount accumulates one hashed feature of a text.
type featureCount struct {
	tf     int32
	weight float32
}

// featurizer holds buffers reused across texts.
type featurizer struct {
	counts map[uint64]featureCount
	words  []string
	stems  []string // of the words that are not stopwords, in order: the semantic part's input
	buf    []byte
	keys   []uint64
}

const (
	kindWord   = 'w'
	kindBigram = 'b'
	kindChar   = 'c'
)

// features hashes the features of text, FNV-1a over a kind byte then the feature's bytes.
func (fx *featurizer) features(text string) map[uint64]featureCount {
	if fx.counts == nil {
		fx.counts = make(map[uint64]featureCount, 512)
	}
	clear(fx.counts)
	fx.words = Tokens(fx.words[:0], text)
	fx.stems = fx.stems[:0]
	prev := ""
	for _, w := range fx.words {
		if stopwords[w] {
			prev = ""
			continue
		}
		s := Stem(w)
		fx.stems = append(fx.stems, s)
		fx.add(hashParts(kindWord, s, ""), weightWord)
		if prev != "" {
			fx.add(hashParts(kindBigram, prev, s), weightBigram)
		}
		prev = s
		fx.charGrams(w)
	}
	return fx.counts
}

func (fx *featurizer) add(h uint64, w float32) {
	c := fx.counts[h]
	c.tf++
	c.weight = w
	fx.counts[h] = c
}

// charGrams adds the 3- to 5-grams of " word " (boundaries included), sharing weightChars between them.
func (fx *featurizer) charGrams(w string) {
	b := append(fx.buf[:0], ' ')
	b = append(b, w...)
	b = append(b, ' ')
	fx.buf = b
	if len(b) < 5 || len(b) > 120 { // 1–2 letters: the unigram says it all; > 120: not a word
		return
	}
	// byte offsets of rune starts, so n-grams never cut a multi-byte letter
	var starts [64]int
	n := 0
	for i := 0; i < len(b) && n < len(starts); {
		starts[n] = i
		n++
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	runes := n
	total := 0
	for g := 3; g <= 5; g++ {
		if runes >= g {
			total += runes - g + 1
		}
	}
	if total == 0 {
		return
	}
	wt := float32(weightChars / math.Sqrt(float64(total)))
	for g := 3; g <= 5; g++ {
		for i := 0; i+g <= runes; i++ {
			end := len(b)
			if i+g < runes {
				end = starts[i+g]
			}
			fx.add(hashBytes(kindChar, b[starts[i]:end]), wt)
		}
	}
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashParts(kind byte, a, b string) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for i := 0; i < len(a); i++ {
		h = (h ^ uint64(a[i])) * fnvPrime
	}
	if b != "" {
		h = (h ^ ' ') * fnvPrime
		for i := 0; i < len(b); i++ {
			h = (h ^ uint64(b[i])) * fnvPrime
		}
	}
	return mix(h)
}

func hashBytes(kind byte, s []byte) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for _, c := range s {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return mix(h)
}

// mix spreads FNV's low bits, which the modulo by the dimension and the IDF table use.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// Tokens appends to dst the words of text, lowercased and accent-folded, with French elisions (l', d', qu'…)
// removed; letters and digits make words, everything else separates them.
func Tokens(dst []string, text string) []string {
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			dst = append(dst, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case r == '\'' || r == '’':
			if w := b.String(); elided[w] {
				b.Reset()
				continue
			}
			flush()
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			fold.Rune(&b, unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return dst
}

var elided = map[string]bool{"l": true, "d": true, "j": true, "qu": true, "n": true, "s": true, "c": true, "m": true, "t": true, "jusqu": true, "lorsqu": true, "puisqu": true}

// suffixes are removed by Stem, longest first, when at least 4 letters remain: a light stemmer in the spirit of
// Savoy's for French, which conflates inflections and most derivations without the errors of a full one.
var suffixes = []string{
	"issements", "issement", "ements", "ement", "ations", "ation", "atrices", "atrice", "ateurs", "ateur",
	"ances", "ance", "ences", "ence", "ites", "ite", "iques", "ique", "ismes", "isme", "istes", "iste",
	"euses", "euse", "eurs", "eur", "ives", "ive", "ifs", "if", "ees", "ee", "es", "er", "e",
}

// Stem reduces a folded, lowercased word to its light stem: allocations → alloc, remboursement → rembours.
func Stem(w string) string {
	if len(w) <= 3 || !isAlpha(w) {
		return w
	}
	if strings.HasSuffix(w, "aux") && len(w) > 5 {
		w = w[:len(w)-3] + "al"
	} else if last := w[len(w)-1]; (last == 's' || last == 'x') && len(w) > 4 {
		w = w[:len(w)-1]
	}
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) && len(w)-len(s) >= 4 {
			w = w[:len(w)-len(s)]
			break
		}
	}
	if n := len(w); n > 4 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiou", rune(w[n-1])) {
		w = w[:n-1]
	}
	return w
}

func isAlpha(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// stopwords are folded French function words: they carry no subject.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les
		leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
		tes toi ton tu un une vos votre vous c d j l m n s t y etre avoir ai as avez avons ont est sont etait ete fait faire
		peut peuvent doit doivent plus moins tres comme si ni donc car quand quel quelle quels quelles dont ou cela ca
		celui celle ceux tout tous toute toutes autre autres aussi ainsi alors apres avant bien encore entre jusqu lors
		selon sans sous vers chez deja ici oui non bonjour merci svp madame monsieur
		comment pourquoi combien quoi koi ke kel kelle estce suis es sommes etes ete serai sera seront serait
		veux veut voudrais voudrait vouloir dois devoir devrais faut fallait peux puis pourrai pourrais pouvoir
		vais va allez aller fais faites ferai dit dire sais savoir ya etc cest jai jsuis chose choses truc trucs
		quelqu quelque quelques quoi quel quels hello stp slt`) {
		m[w] = true
	}
	return m
}()

// IDF holds quantised inverse document frequencies over hashed features, learned from the chunks of a corpus.
type IDF struct {
	docs int
	q    []uint8 // idf*idfScale per bucket; 0 means the feature was never seen
}

const (
	idfBuckets = 1 << 20
	idfScale   = 16
	idfMagic   = "PIDF1"
)

// weight is the IDF of the feature hashed h: unseen features weigh as the rarest, and no table weighs 1.
func (t *IDF) weight(h uint64) float32 {
	if t == nil {
		return 1
	}
	q := t.q[h%idfBuckets]
	if q == 0 {
		return float32(math.Log(float64(t.docs+1))) + 1
	}
	return float32(q) / idfScale
}

// Docs is the number of chunks the table was learned from.
func (t *IDF) Docs() int { return t.docs }

// IDFBuilder counts in how many texts each hashed feature occurs.
type IDFBuilder struct {
	docs int
	df   []uint32
	fx   featurizer
}

// NewIDFBuilder returns an empty builder.
func NewIDFBuilder() *IDFBuilder { return &IDFBuilder{df: make([]uint32, idfBuckets)} }

// Add counts the features of one text (a chunk as it will be embedded).
func (b *IDFBuilder) Add(text string) {
	b.docs++
	for h := range b.fx.features(text) {
		b.df[h%idfBuckets]++
	}
}

// Build returns the table: idf = ln((N+1)/(df+1)) + 1, quantised to 1/16.
func (b *IDFBuilder) Build() *IDF {
	t := &IDF{docs: b.docs, q: make([]uint8, idfBuckets)}
	for i, df := range b.df {
		if df == 0 {
			continue
		}
		v := (math.Log(float64(b.docs+1)/float64(df+1)) + 1) * idfScale
		t.q[i] = uint8(max(1, min(255, math.Round(v))))
	}
	return t
}

// MarshalBinary encodes the table for storage.
func (t *IDF) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, len(idfMagic)+4+len(t.q))
	out = append(out, idfMagic...)
	out = binary.BigEndian.AppendUint32(out, uint32(t.docs))
	return append(out, t.q...), nil
}

// UnmarshalIDF decodes a table written by MarshalBinary.
func UnmarshalIDF(b []byte) (*IDF, error) {
	if len(b) != len(idfMagic)+4+idfBuckets || string(b[:len(idfMagic)]) != idfMagic {
		return nil, errors.New("embed: table IDF illisible")
	}
	t := &IDF{docs: int(binary.BigEndian.Uint32(b[len(idfMagic):])), q: make([]uint8, idfBuckets)}
	copy(t.q, b[len(idfMagic)+4:])
	return t, nil
}
