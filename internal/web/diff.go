package web

import (
	"regexp"
	"strings"
)

// diffSpan is a run of a word diff: text kept (eq), added (ins) or removed (del). Templates escape Text.
type diffSpan struct {
	Op   string
	Text string
}

// tokenRE splits a text into words and the spaces between them, so that a diff rebuilds both texts exactly.
var tokenRE = regexp.MustCompile(`\s+|[^\s]+`)

// maxDiffCells bounds the LCS table; past it (two very long, very different texts) the diff degrades to
// « everything removed, everything added », which is still correct.
const maxDiffCells = 4_000_000

// wordDiff returns the word-level differences from a to b: the longest common subsequence of their tokens,
// after trimming the common prefix and suffix that most edits leave.
func wordDiff(a, b string) []diffSpan {
	x, y := tokenRE.FindAllString(a, -1), tokenRE.FindAllString(b, -1)
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	var out []diffSpan
	emit := func(op, tok string) {
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += tok
			return
		}
		out = append(out, diffSpan{Op: op, Text: tok})
	}
	for _, t := range x[:pre] {
		emit("eq", t)
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	n, m := len(mx), len(my)
	if n*m > maxDiffCells {
		for _, t := range mx {
			emit("del", t)
		}
		for _, t := range my {
			emit("ins", t)
		}
	} else {
		// lcs[i][j] is the LCS length of mx[i:] and my[j:], stored row by row.
		w := m + 1
		lcs := make([]int32, (n+1)*w)
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if mx[i] == my[j] {
					lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
				} else {
					lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n && j < m {
			switch {
			case mx[i] == my[j]:
				emit("eq", mx[i])
				i++
				j++
			case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				emit("del", mx[i])
				i++
			default:
				emit("ins", my[j])
				j++
			}
		}
		for ; i < n; i++ {
			emit("del", mx[i])
		}
		for ; j < m; j++ {
			emit("ins", my[j])
		}
	}
	for _, t := range x[len(x)-suf:] {
		emit("eq", t)
	}
	return out
}

// diffChanged reports whether a diff holds any change.
func diffChanged(d []diffSpan) bool {
	for _, s := range d {
		if s.Op != "eq" {
			return true
		}
	}
	return false
}

// editRatio is the word-level Levenshtein distance between a and b divided by the longer one's word count:
// 0 for identical texts, 1 for texts with nothing in common. Two empty texts are identical.
func editRatio(a, b string) float64 {
	x, y := strings.Fields(a), strings.Fields(b)
	longest := max(len(x), len(y))
	if longest == 0 {
		return 0
	}
	if len(x) < len(y) {
		x, y = y, x
	}
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(y)]) / float64(longest)
}
