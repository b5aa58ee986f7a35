package embed

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Semantic holds word vectors learned from a corpus without any model: the positive pointwise mutual information
// of words seen near each other in the chunks, factorised by a truncated SVD (Levy and Goldberg's PPMI-SVD). Words
// used in the same contexts get close vectors — « accoucher » near « naissance » and « maternité », « dettes »
// near « créancier » and « surendettement » — so a citizen's words reach the fiche that names the situation
// differently, which neither the full-text leg nor hashed word features can do.
type Semantic struct {
	dim   int
	index map[string]int32
	words []string
	sif   []float32 // smooth inverse frequency a/(a+p(w)): frequent words say little about a text
	vecs  []float32 // len(words)*dim, as stored (quantised then restored), so a reload embeds identically
}

// Dim is the number of dimensions of the word vectors.
func (s *Semantic) Dim() int { return s.dim }

// Words is the size of the vocabulary.
func (s *Semantic) Words() int { return len(s.words) }

// Training parameters, chosen on the even-numbered questions of eval/retrieval/questions.jsonl.
const (
	semWindow     = 5      // words on each side that count as context
	semMinCount   = 2      // words seen once have no reliable context
	semMaxWords   = 50_000 // the most frequent words kept, to bound memory on big corpora
	semMaxWordLen = 40     // bytes: longer tokens are codes, not words
	semCDS        = 0.75   // context distribution smoothing: rare contexts would otherwise get huge PMI
	semOversample = 16     // extra columns of the randomized SVD
	semPowerIters = 2
	semSIF        = 1e-3
)

// SemanticBuilder collects the word sequences of a corpus's chunks.
type SemanticBuilder struct {
	index   map[string]int32
	words   []string
	counts  []int64
	streams [][]int32
	buf     []string
}

// NewSemanticBuilder returns an empty builder.
func NewSemanticBuilder() *SemanticBuilder { return &SemanticBuilder{index: map[string]int32{}} }

// Add records the words of one text (a chunk as it will be embedded).
func (b *SemanticBuilder) Add(text string) {
	b.buf = Tokens(b.buf[:0], text)
	seq := make([]int32, 0, len(b.buf))
	for _, w := range b.buf {
		if stopwords[w] || len(w) > semMaxWordLen {
			continue
		}
		s := Stem(w)
		id, ok := b.index[s]
		if !ok {
			id = int32(len(b.words))
			b.index[s] = id
			b.words = append(b.words, s)
			b.counts = append(b.counts, 0)
		}
		b.counts[id]++
		seq = append(seq, id)
	}
	b.streams = append(b.streams, seq)
}

// Build learns dim-dimensional word vectors; it returns nil when the corpus has too few words for them.
func (b *SemanticBuilder) Build(dim int) *Semantic {
	// Vocabulary: words seen at least semMinCount times, the most frequent first.
	var keep []int32
	for id, c := range b.counts {
		if c >= semMinCount {
			keep = append(keep, int32(id))
		}
	}
	slices.SortStableFunc(keep, func(x, y int32) int {
		if b.counts[x] != b.counts[y] {
			if b.counts[x] > b.counts[y] {
				return -1
			}
			return 1
		}
		return 0
	})
	if len(keep) > semMaxWords {
		keep = keep[:semMaxWords]
	}
	n := len(keep)
	cols := dim + semOversample
	if dim <= 0 || n < 2*cols {
		return nil
	}
	remap := make([]int32, len(b.words))
	for i := range remap {
		remap[i] = -1
	}
	for i, id := range keep {
		remap[id] = int32(i)
	}

	// Co-occurrences within the window, counted once per unordered pair.
	pairs := make(map[uint64]float32, 1<<16)
	var total int64
	for _, seq := range b.streams {
		for i, a := range seq {
			ra := remap[a]
			if ra < 0 {
				continue
			}
			total++
			for j := i + 1; j < len(seq) && j <= i+semWindow; j++ {
				rb := remap[seq[j]]
				if rb < 0 {
					continue
				}
				lo, hi := min(ra, rb), max(ra, rb)
				pairs[uint64(lo)<<32|uint64(hi)]++
			}
		}
	}
	rows := make([]float64, n) // row sums of the symmetric count matrix
	for k, c := range pairs {
		i, j := int(k>>32), int(k&0xffffffff)
		rows[i] += float64(c)
		rows[j] += float64(c)
	}
	var cdsSum float64
	for _, r := range rows {
		cdsSum += math.Pow(r, semCDS)
	}
	logCtx := make([]float64, n)
	logRow := make([]float64, n)
	for i, r := range rows {
		if r > 0 {
			logCtx[i] = semCDS*math.Log(r) - math.Log(cdsSum)
			logRow[i] = math.Log(r)
		}
	}
	// PPMI(i,j) = log(c_ij / (row_i · ctx_j)), kept when positive; P and its transpose as sparse rows.
	var ent []sparseEntry
	for k, c := range pairs {
		i, j := int32(k>>32), int32(k&0xffffffff)
		lc := math.Log(float64(c))
		if v := lc - logRow[i] - logCtx[j]; v > 0 {
			ent = append(ent, sparseEntry{i, j, float32(v)})
		}
		if i != j {
			if v := lc - logRow[j] - logCtx[i]; v > 0 {
				ent = append(ent, sparseEntry{j, i, float32(v)})
			}
		}
	}
	clear(pairs)
	p := newCSR(n, ent, false)
	pt := newCSR(n, ent, true)
	ent = nil

	u, sv := randomizedSVD(p, pt, n, dim, cols)
	s := &Semantic{dim: dim, index: make(map[string]int32, n), words: make([]string, n), sif: make([]float32, n), vecs: make([]float32, n*dim)}
	for i, id := range keep {
		w := b.words[id]
		s.words[i] = w
		s.index[w] = int32(i)
		s.sif[i] = float32(semSIF / (semSIF + float64(b.counts[id])/float64(max(total, 1))))
		row := s.vecs[i*dim : (i+1)*dim]
		for k := range dim {
			row[k] = float32(u.At(i, k) * math.Sqrt(sv[k]))
		}
		normalize(row)
	}
	// What is stored is quantised: use exactly that, so that the corpus's vectors and later queries agree.
	out, err := UnmarshalSemantic(s.marshal())
	if err != nil {
		panic(err) // marshal and unmarshal are each other's inverse, tested
	}
	return out
}

type sparseEntry struct {
	row, col int32
	val      float32
}

// csr is a square sparse matrix by rows.
type csr struct {
	start []int
	col   []int32
	val   []float32
}

func newCSR(n int, ent []sparseEntry, transpose bool) *csr {
	m := &csr{start: make([]int, n+1), col: make([]int32, len(ent)), val: make([]float32, len(ent))}
	row := func(e sparseEntry) (int32, int32) {
		if transpose {
			return e.col, e.row
		}
		return e.row, e.col
	}
	for _, e := range ent {
		r, _ := row(e)
		m.start[r+1]++
	}
	for i := range n {
		m.start[i+1] += m.start[i]
	}
	next := slices.Clone(m.start[:n])
	for _, e := range ent {
		r, c := row(e)
		m.col[next[r]], m.val[next[r]] = c, e.val
		next[r]++
	}
	return m
}

// mul returns m·x for a dense n×k matrix x, rows spread over the CPUs (each row summed in one order: the
// result does not depend on scheduling).
func (m *csr) mul(x *mat.Dense) *mat.Dense {
	n, k := x.Dims()
	out := mat.NewDense(n, k, nil)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				dst := out.RawRowView(i)
				for p := m.start[i]; p < m.start[i+1]; p++ {
					v := float64(m.val[p])
					src := x.RawRowView(int(m.col[p]))
					for j := range dst {
						dst[j] += v * src[j]
					}
				}
			}
		})
	}
	wg.Wait()
	return out
}

// randomizedSVD returns the first dim left singular vectors of p (n×n, pt its transpose) and their singular
// values, by subspace iteration on cols random directions (Halko, Martinsson and Tropp), with a fixed seed.
func randomizedSVD(p, pt *csr, n, dim, cols int) (*mat.Dense, []float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	omega := mat.NewDense(n, cols, nil)
	for i := range n {
		row := omega.RawRowView(i)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
	}
	y := p.mul(omega)
	orthonormalize(y)
	for range semPowerIters {
		z := pt.mul(y)
		orthonormalize(z)
		y = p.mul(z)
		orthonormalize(y)
	}
	// B = Qᵀ·P = (Pᵀ·Q)ᵀ; the eigenvectors of B·Bᵀ = Zᵀ·Z are B's left singular vectors.
	z := pt.mul(y)
	var g mat.SymDense
	g.SymOuterK(1, z.T())
	var eig mat.EigenSym
	if !eig.Factorize(&g, true) {
		panic("embed: décomposition propre impossible") // a symmetric positive matrix always factorises
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	order := make([]int, cols)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case vals[a] > vals[b]:
			return -1
		case vals[a] < vals[b]:
			return 1
		}
		return 0
	})
	top := mat.NewDense(cols, dim, nil)
	sv := make([]float64, dim)
	for k := range dim {
		sv[k] = math.Sqrt(max(vals[order[k]], 0))
		for i := range cols {
			top.Set(i, k, vecs.At(i, order[k]))
		}
	}
	var u mat.Dense
	u.Mul(y, top)
	return &u, sv
}

// orthonormalize makes the columns of a orthonormal in place, by modified Gram–Schmidt run twice (one pass
// loses orthogonality on ill-conditioned columns; two are enough).
func orthonormalize(a *mat.Dense) {
	n, k := a.Dims()
	col := make([][]float64, k)
	for j := range k {
		col[j] = make([]float64, n)
		mat.Col(col[j], j, a)
	}
	for range 2 {
		for j := range k {
			for i := range j {
				var d float64
				for t := range n {
					d += col[i][t] * col[j][t]
				}
				for t := range n {
					col[j][t] -= d * col[i][t]
				}
			}
			var s float64
			for _, v := range col[j] {
				s += v * v
			}
			if s = math.Sqrt(s); s > 0 {
				for t := range col[j] {
					col[j][t] /= s
				}
			}
		}
	}
	for j := range k {
		a.SetCol(j, col[j])
	}
}

// add adds to v (len dim) the smooth-inverse-frequency weighted vectors of stems, the stemmed content words of
// a text as the featurizer found them.
func (s *Semantic) add(v []float32, stems []string) bool {
	found := false
	for _, w := range stems {
		id, ok := s.index[w]
		if !ok {
			continue
		}
		found = true
		wt := s.sif[id]
		row := s.vecs[int(id)*s.dim : (int(id)+1)*s.dim]
		for k, x := range row {
			v[k] += wt * x
		}
	}
	return found
}

// Nearest returns up to k words of the vocabulary closest to word (stemmed as the embedder stems it), for
// inspection and tests.
func (s *Semantic) Nearest(word string, k int) []string {
	toks := Tokens(nil, word)
	if len(toks) != 1 {
		return nil
	}
	id, ok := s.index[Stem(toks[0])]
	if !ok {
		return nil
	}
	q := s.vecs[int(id)*s.dim : (int(id)+1)*s.dim]
	type scored struct {
		i   int
		sim float32
	}
	best := make([]scored, 0, len(s.words))
	for i := range s.words {
		if i == int(id) {
			continue
		}
		var d float32
		for k, x := range s.vecs[i*s.dim : (i+1)*s.dim] {
			d += x * q[k]
		}
		best = append(best, scored{i, d})
	}
	slices.SortFunc(best, func(a, b scored) int { return cmp.Or(cmp.Compare(b.sim, a.sim), a.i-b.i) })
	out := make([]string, 0, k)
	for _, b := range best[:min(k, len(best))] {
		out = append(out, s.words[b.i])
	}
	return out
}

const semMagic = "PSEM1"

// MarshalBinary encodes the model for storage: each word with its weight and its vector quantised to 8 bits.
func (s *Semantic) MarshalBinary() ([]byte, error) { return s.marshal(), nil }

func (s *Semantic) marshal() []byte {
	out := make([]byte, 0, len(semMagic)+8+len(s.words)*(s.dim+16))
	out = append(out, semMagic...)
	out = binary.BigEndian.AppendUint32(out, uint32(s.dim))
	out = binary.BigEndian.AppendUint32(out, uint32(len(s.words)))
	for i, w := range s.words {
		out = append(out, byte(len(w)))
		out = append(out, w...)
		out = binary.BigEndian.AppendUint32(out, math.Float32bits(s.sif[i]))
		row := s.vecs[i*s.dim : (i+1)*s.dim]
		var m float32
		for _, x := range row {
			m = max(m, float32(math.Abs(float64(x))))
		}
		scale := m / 127
		out = binary.BigEndian.AppendUint32(out, math.Float32bits(scale))
		for _, x := range row {
			q := int8(0)
			if scale > 0 {
				q = int8(math.Round(float64(x / scale)))
			}
			out = append(out, byte(q))
		}
	}
	return out
}

// UnmarshalSemantic decodes a model written by MarshalBinary.
func UnmarshalSemantic(b []byte) (*Semantic, error) {
	bad := errors.New("embed: modèle sémantique illisible")
	if len(b) < len(semMagic)+8 || string(b[:len(semMagic)]) != semMagic {
		return nil, bad
	}
	b = b[len(semMagic):]
	dim, n := int(binary.BigEndian.Uint32(b)), int(binary.BigEndian.Uint32(b[4:]))
	b = b[8:]
	if dim <= 0 || dim > 4096 || n < 0 || n > 10_000_000 {
		return nil, bad
	}
	s := &Semantic{dim: dim, index: make(map[string]int32, n), words: make([]string, n), sif: make([]float32, n), vecs: make([]float32, n*dim)}
	for i := range n {
		if len(b) < 1 {
			return nil, bad
		}
		l := int(b[0])
		if len(b) < 1+l+8+dim {
			return nil, fmt.Errorf("%w (mot %d tronqué)", bad, i)
		}
		w := string(b[1 : 1+l])
		b = b[1+l:]
		s.words[i] = w
		s.index[w] = int32(i)
		s.sif[i] = math.Float32frombits(binary.BigEndian.Uint32(b))
		scale := math.Float32frombits(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
		row := s.vecs[i*dim : (i+1)*dim]
		for k := range dim {
			row[k] = float32(int8(b[k])) * scale
		}
		b = b[dim:]
	}
	if len(b) != 0 {
		return nil, bad
	}
	return s, nil
}

// LoadCorpusModel decodes the IDF table and the word vectors stored with a corpus of dim-dimensional local
// vectors (semantic may be nil: a corpus too small for word vectors).
func LoadCorpusModel(dim int, idf, semantic []byte) (*IDF, *Semantic, error) {
	t, err := UnmarshalIDF(idf)
	if err != nil {
		return nil, nil, err
	}
	if semantic == nil {
		return t, nil, nil
	}
	s, err := UnmarshalSemantic(semantic)
	if err != nil {
		return nil, nil, err
	}
	if s.dim != SemanticDim(dim) {
		return nil, nil, fmt.Errorf("embed: modèle sémantique en %d dimensions, %d attendues", s.dim, SemanticDim(dim))
	}
	return t, s, nil
}
