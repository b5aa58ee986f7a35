package eval

import (
	"strings"
	"unicode"
)

// ChrFOrder and ChrFBeta are sacrebleu's chrF defaults: character n-grams up to 6, recall weighted twice as
// much as precision.
const (
	ChrFOrder = 6
	ChrFBeta  = 2
)

// ChrF is the character n-gram F-score of hyp against ref on a 0–100 scale, computed as sacrebleu's
// sentence-level chrF (char_order 6, word_order 0, beta 2, whitespace removed, no eps smoothing): precision
// and recall are averaged over the orders both texts have n-grams of, then combined into F-beta.
func ChrF(hyp, ref string) float64 {
	h := []rune(stripSpaces(hyp))
	r := []rune(stripSpaces(ref))
	var avgPrec, avgRec float64
	effective := 0
	for n := 1; n <= ChrFOrder; n++ {
		hc, hn := charNgrams(h, n)
		rc, rn := charNgrams(r, n)
		if hn == 0 || rn == 0 {
			continue
		}
		match := 0
		for g, c := range hc {
			match += min(c, rc[g])
		}
		avgPrec += float64(match) / float64(hn)
		avgRec += float64(match) / float64(rn)
		effective++
	}
	if effective == 0 {
		return 0
	}
	avgPrec /= float64(effective)
	avgRec /= float64(effective)
	if avgPrec+avgRec == 0 {
		return 0
	}
	f := float64(ChrFBeta * ChrFBeta)
	return 100 * (1 + f) * avgPrec * avgRec / (f*avgPrec + avgRec)
}

// stripSpaces removes every white space, as sacrebleu does before extracting character n-grams.
func stripSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func charNgrams(rs []rune, n int) (map[string]int, int) {
	if len(rs) < n {
		return nil, 0
	}
	m := make(map[string]int, len(rs))
	for i := 0; i+n <= len(rs); i++ {
		m[string(rs[i:i+n])]++
	}
	return m, len(rs) - n + 1
}

// RougeL is the ROUGE-L F-measure (beta 1) of hyp against ref on a 0–1 scale: the longest common subsequence
// of their lowercased word tokens, over the hypothesis length (precision) and the reference length (recall).
// Tokens are runs of letters and digits, so accented French words stay whole.
func RougeL(hyp, ref string) float64 {
	h, r := WordTokens(hyp), WordTokens(ref)
	if len(h) == 0 || len(r) == 0 {
		return 0
	}
	l := lcs(h, r)
	if l == 0 {
		return 0
	}
	p := float64(l) / float64(len(h))
	rec := float64(l) / float64(len(r))
	return 2 * p * rec / (p + rec)
}

// WordTokens splits text into lowercased runs of letters and digits.
func WordTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// lcs is the length of the longest common subsequence of a and b, in O(len(a)·len(b)) time and O(len(b)) memory.
func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
