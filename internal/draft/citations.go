package draft

import (
	"regexp"
	"strconv"
	"strings"
)

// citationRE finds markers such as [1], [2] or [1, 3]; placeholders ([PERSONNE_1]) never match, they hold letters.
var citationRE = regexp.MustCompile(`\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]`)

// Citations is what checkCitations found in a draft.
type Citations struct {
	Used    []int // source numbers cited, in order of first use
	Unknown []int // numbers cited that match no source given; removed from the text
}

// checkCitations keeps the markers that point to a source given (numbered 1..n) and removes the others, so that
// an agent never sees a citation that leads nowhere; the removed numbers are reported as a warning.
func checkCitations(text string, n int) (string, Citations) {
	var c Citations
	seen := map[int]bool{}
	unknown := map[int]bool{}
	out := citationRE.ReplaceAllStringFunc(text, func(m string) string {
		var keep []string
		for _, f := range strings.FieldsFunc(m[1:len(m)-1], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			k, err := strconv.Atoi(f)
			if err != nil {
				continue
			}
			if k < 1 || k > n {
				if !unknown[k] {
					unknown[k] = true
					c.Unknown = append(c.Unknown, k)
				}
				continue
			}
			if !seen[k] {
				seen[k] = true
				c.Used = append(c.Used, k)
			}
			keep = append(keep, "["+f+"]")
		}
		return strings.Join(keep, "")
	})
	// A removed marker may leave a space before punctuation: "payée [9]." becomes "payée ."
	out = strings.NewReplacer(" .", ".", " ,", ",", "  ", " ").Replace(out)
	return out, c
}

// citedIn returns the source numbers one sentence cites.
func citedIn(sentence string) []int {
	var out []int
	for _, m := range citationRE.FindAllStringSubmatch(sentence, -1) {
		for _, f := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			if k, err := strconv.Atoi(f); err == nil {
				out = append(out, k)
			}
		}
	}
	return out
}
