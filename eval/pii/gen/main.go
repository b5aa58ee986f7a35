// Command gen writes the annotated evaluation sets of the personal-data filter, eval/pii/templates-dev.jsonl and
// eval/pii/templates-heldout.jsonl, from hand-written templates and value pools. The two splits share no template and no
// name, street or commune; every identifier is generated with its own checksum code (not the filter's), most
// valid, some deliberately wrong but announced by a strong cue. The seed is fixed: the files are reproducible.
//
//	go run ./eval/pii/gen [-out eval/pii] [-n 300]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

type span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
}

type example struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Spans []span `json:"spans"`
}

// style is how a citizen types: formal, SMS-like without accents or capitals, all in capitals, with typos.
type style int

const (
	styleNormal style = iota
	styleSMS
	styleCaps
	styleTypos
)

func main() {
	out := flag.String("out", "eval/pii", "dossier de sortie")
	n := flag.Int("n", 300, "avis par jeu")
	flag.Parse()
	for _, sp := range []struct {
		name  string
		tpls  []string
		traps []string
		pools *pools
		seed  uint64
	}{
		{"templates-dev", devTemplates, devTraps, devPools(), 20240501},
		{"templates-heldout", testTemplates, testTraps, testPools(), 20240917},
	} {
		rng := rand.New(rand.NewPCG(sp.seed, sp.seed^0x9e3779b97f4a7c15))
		g := &gen{rng: rng, p: sp.pools}
		path := filepath.Join(*out, sp.name+".jsonl")
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		w := bufio.NewWriter(f)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range *n {
			var tpl string
			if i%5 == 4 {
				tpl = sp.traps[rng.IntN(len(sp.traps))]
			} else {
				tpl = sp.tpls[rng.IntN(len(sp.tpls))]
			}
			st := styleNormal
			switch r := rng.IntN(20); {
			case r < 3:
				st = styleSMS
			case r < 5:
				st = styleCaps
			case r < 8:
				st = styleTypos
			}
			ex := g.render(tpl, st)
			ex.ID = fmt.Sprintf("%s-%03d", sp.name, i+1)
			if err := enc.Encode(ex); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		if err := w.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		f.Close()
		fmt.Printf("%s : %d avis\n", path, *n)
	}
}

type gen struct {
	rng *rand.Rand
	p   *pools
	// values drawn for the current review, so a template can repeat one (same person in the signature).
	person []string
}

// render fills the slots {NAME} of tpl; each slot's value is recorded as a span unless the slot is a trap.
func (g *gen) render(tpl string, st style) example {
	var b strings.Builder
	var spans []span
	g.person = nil
	for tpl != "" {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(g.styleText(tpl, st))
			break
		}
		b.WriteString(g.styleText(tpl[:i], st))
		j := strings.IndexByte(tpl[i:], '}')
		slot := tpl[i+1 : i+j]
		tpl = tpl[i+j+1:]
		v, label := g.slot(slot)
		v = g.styleValue(v, label, st)
		start := b.Len()
		b.WriteString(v)
		if label != "" {
			spans = append(spans, span{start, b.Len(), label})
		}
	}
	text := b.String()
	// « {FIRST} {LAST} » is one name: one span.
	var merged []span
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.Label == "PERSON" && merged[n-1].Label == "PERSON" && text[merged[n-1].End:sp.Start] == " " {
			merged[n-1].End = sp.End
			continue
		}
		merged = append(merged, sp)
	}
	if merged == nil {
		merged = []span{}
	}
	return example{Text: text, Spans: merged}
}

var accents = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y", "É", "E", "È", "E", "Ê", "E",
	"À", "A", "Ç", "C", "Î", "I", "Ô", "O", "œ", "oe")

func stripAccents(s string) string { return accents.Replace(s) }

func (g *gen) styleText(s string, st style) string {
	switch st {
	case styleSMS:
		s = stripAccents(strings.ToLower(s))
		for _, r := range [][2]string{{"je suis", "jsuis"}, {"s'il vous plait", "svp"}, {"s'il vous plaît", "svp"}, {"bonjour", "bjr"}, {"toujours", "tjrs"}, {"c'est", "c"}, {"pourquoi", "pk"}, {"rendez-vous", "rdv"}, {"quelque", "qlq"}, {"beaucoup", "bcp"}} {
			s = strings.ReplaceAll(s, r[0], r[1])
		}
		return s
	case styleCaps:
		return strings.ToUpper(s)
	case styleTypos:
		words := strings.Split(s, " ")
		for k, w := range words {
			rs := []rune(w)
			if len(rs) > 5 && g.rng.IntN(6) == 0 {
				p := 1 + g.rng.IntN(len(rs)-3)
				if unicode.IsLetter(rs[p]) && unicode.IsLetter(rs[p+1]) {
					rs[p], rs[p+1] = rs[p+1], rs[p]
				}
				words[k] = string(rs)
			}
		}
		return strings.Join(words, " ")
	}
	return s
}

func (g *gen) styleValue(v, label string, st style) string {
	switch st {
	case styleCaps:
		return strings.ToUpper(v)
	case styleSMS:
		switch label {
		case "PERSON", "ADDRESS", "POSTCODE_CITY", "":
			if g.rng.IntN(2) == 0 {
				return stripAccents(strings.ToLower(v))
			}
		case "EMAIL":
			return strings.ToLower(v)
		}
	}
	return v
}
