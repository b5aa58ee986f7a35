package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/pii"
)

// PIIExample is one annotated review of eval/pii/*.jsonl.
type PIIExample struct {
	ID    string        `json:"id"`
	Text  string        `json:"text"`
	Spans []PIIGoldSpan `json:"spans"`
}

// PIIGoldSpan is an annotated value: UTF-8 byte offsets into Text and its label.
type PIIGoldSpan struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
}

// LoadPIISet reads an annotated set, one JSON example per line, checking every span.
func LoadPIISet(r io.Reader) ([]PIIExample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	labels := map[string]bool{}
	for _, l := range pii.Labels() {
		labels[l] = true
	}
	var out []PIIExample
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var ex PIIExample
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			return nil, fmt.Errorf("ligne %d : JSON invalide : %w", line, err)
		}
		for i, s := range ex.Spans {
			if s.Start < 0 || s.End > len(ex.Text) || s.Start >= s.End || !labels[s.Label] {
				return nil, fmt.Errorf("ligne %d : segment %d invalide (%d-%d %q)", line, i+1, s.Start, s.End, s.Label)
			}
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// PIIDataDir finds eval/pii from the working directory or one of its parents (the module root).
func PIIDataDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "eval", "pii")
		if _, err := os.Stat(filepath.Join(p, "test.jsonl")); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("dossier eval/pii introuvable depuis le répertoire courant (option --data)")
		}
		dir = parent
	}
}

// LoadPIISplit reads dir/<split>.jsonl.
func LoadPIISplit(dir, split string) ([]PIIExample, error) {
	if split != "dev" && split != "test" {
		return nil, fmt.Errorf("jeu %q inconnu : dev ou test", split)
	}
	f, err := os.Open(filepath.Join(dir, split+".jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, err := LoadPIISet(f)
	if err != nil {
		return nil, fmt.Errorf("%s : %w", f.Name(), err)
	}
	return ex, nil
}

// PIIClassScore holds the span-level figures of one class (or of all, under Label "ALL").
type PIIClassScore struct {
	Label     string  `json:"label"`
	Gold      int     `json:"gold"`
	Predicted int     `json:"predicted"`
	Matched   int     `json:"matched"` // predictions matching a gold span of the same label at IoU ≥ 0.5
	Found     int     `json:"found"`   // gold spans matched
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F2        float64 `json:"f2"`
}

// PIILeak is an annotated value not entirely covered by the filter's spans.
type PIILeak struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// PIIReport is the result of EvalPII.
type PIIReport struct {
	Reviews       int             `json:"reviews"`
	TrapReviews   int             `json:"trap_reviews"` // reviews with no personal data
	Classes       []PIIClassScore `json:"classes"`
	Overall       PIIClassScore   `json:"overall"`
	ZeroLeakShare float64         `json:"zero_leak_share"`
	TrapMasked    float64         `json:"trap_masked_rate"`
	Leaks         []PIILeak       `json:"leaks"`
	FalsePos      []PIILeak       `json:"false_positives"` // predicted spans matching nothing (first ones)
}

// EvalPII runs the filter on every example and scores it: per-class precision, recall and F2 with a span match
// at IoU ≥ 0.5 and the same label, the share of reviews without any leaked value (a value leaks when one of its
// letters or digits is covered by no predicted span, whatever its label), and the share of trap reviews (no
// personal data) where anything was masked.
func EvalPII(ctx context.Context, f *pii.Filter, set []PIIExample) (PIIReport, error) {
	rep := PIIReport{Reviews: len(set)}
	per := map[string]*PIIClassScore{}
	for _, l := range pii.Labels() {
		per[l] = &PIIClassScore{Label: l}
	}
	zeroLeak, trapsMasked := 0, 0
	for _, ex := range set {
		pred, err := f.Find(ctx, ex.Text)
		if err != nil {
			return PIIReport{}, fmt.Errorf("%s : %w", ex.ID, err)
		}
		for _, g := range ex.Spans {
			per[g.Label].Gold++
		}
		usedGold := make([]bool, len(ex.Spans))
		for _, p := range pred {
			per[p.Label].Predicted++
			best, bestIoU := -1, 0.0
			for gi, g := range ex.Spans {
				if usedGold[gi] || g.Label != p.Label {
					continue
				}
				if v := piiIoU(p.Start, p.End, g.Start, g.End); v >= 0.5 && v > bestIoU {
					best, bestIoU = gi, v
				}
			}
			if best >= 0 {
				usedGold[best] = true
				per[p.Label].Matched++
				per[p.Label].Found++
			} else if len(rep.FalsePos) < 200 {
				rep.FalsePos = append(rep.FalsePos, PIILeak{ID: ex.ID, Label: p.Label, Value: ex.Text[p.Start:p.End]})
			}
		}
		leaked := false
		for _, g := range ex.Spans {
			if !piiCovered(ex.Text, g, pred) {
				leaked = true
				if len(rep.Leaks) < 200 {
					rep.Leaks = append(rep.Leaks, PIILeak{ID: ex.ID, Label: g.Label, Value: ex.Text[g.Start:g.End]})
				}
			}
		}
		if !leaked {
			zeroLeak++
		}
		if len(ex.Spans) == 0 {
			rep.TrapReviews++
			if len(pred) > 0 {
				trapsMasked++
			}
		}
	}
	all := PIIClassScore{Label: "ALL"}
	for _, l := range pii.Labels() {
		c := per[l]
		piiScore(c)
		rep.Classes = append(rep.Classes, *c)
		all.Gold += c.Gold
		all.Predicted += c.Predicted
		all.Matched += c.Matched
		all.Found += c.Found
	}
	piiScore(&all)
	rep.Overall = all
	if rep.Reviews > 0 {
		rep.ZeroLeakShare = float64(zeroLeak) / float64(rep.Reviews)
	}
	if rep.TrapReviews > 0 {
		rep.TrapMasked = float64(trapsMasked) / float64(rep.TrapReviews)
	}
	return rep, nil
}

func piiScore(c *PIIClassScore) {
	c.Precision, c.Recall = 1, 1
	if c.Predicted > 0 {
		c.Precision = float64(c.Matched) / float64(c.Predicted)
	}
	if c.Gold > 0 {
		c.Recall = float64(c.Found) / float64(c.Gold)
	}
	if p, r := c.Precision, c.Recall; p+r > 0 {
		c.F2 = 5 * p * r / (4*p + r)
	}
}

func piiIoU(a0, a1, b0, b1 int) float64 {
	inter := min(a1, b1) - max(a0, b0)
	if inter <= 0 {
		return 0
	}
	return float64(inter) / float64(max(a1, b1)-min(a0, b0))
}

// covered reports whether every letter and digit of the gold span lies inside some predicted span.
func piiCovered(text string, g PIIGoldSpan, pred []pii.Span) bool {
	for i := g.Start; i < g.End; {
		r, n := utf8.DecodeRuneInString(text[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			in := false
			for _, p := range pred {
				if p.Start <= i && i+n <= p.End {
					in = true
					break
				}
			}
			if !in {
				return false
			}
		}
		i += n
	}
	return true
}

// PIITargets are the figures the filter must reach on the test split.
type PIITargets struct {
	Recall        map[string]float64
	Precision     float64 // overall
	ZeroLeakShare float64
	TrapMaskedMax float64
}

// DefaultPIITargets are the targets of issue 4.
var DefaultPIITargets = PIITargets{
	Recall: map[string]float64{
		pii.LabelNIR: 0.99, pii.LabelIBAN: 0.99, pii.LabelCard: 0.99, pii.LabelTaxID: 0.99,
		pii.LabelPhone: 0.98, pii.LabelEmail: 0.98, pii.LabelPerson: 0.92,
		pii.LabelAddress: 0.92, pii.LabelBirthdate: 0.92, pii.LabelCaseID: 0.92, pii.LabelPlate: 0.92, pii.LabelIDDoc: 0.92,
	},
	Precision:     0.90,
	ZeroLeakShare: 0.97,
	TrapMaskedMax: 0.05,
}

// Check returns, in French, every target the report misses.
func (r PIIReport) Check(t PIITargets) []string {
	var miss []string
	for _, c := range r.Classes {
		if want, ok := t.Recall[c.Label]; ok && c.Gold > 0 && c.Recall < want {
			miss = append(miss, fmt.Sprintf("rappel %s %.3f < %.2f", c.Label, c.Recall, want))
		}
	}
	if r.Overall.Precision < t.Precision {
		miss = append(miss, fmt.Sprintf("précision globale %.3f < %.2f", r.Overall.Precision, t.Precision))
	}
	if r.ZeroLeakShare < t.ZeroLeakShare {
		miss = append(miss, fmt.Sprintf("avis sans fuite %.3f < %.2f", r.ZeroLeakShare, t.ZeroLeakShare))
	}
	if r.TrapMasked >= t.TrapMaskedMax {
		miss = append(miss, fmt.Sprintf("pièges masqués %.3f ≥ %.2f", r.TrapMasked, t.TrapMaskedMax))
	}
	return miss
}

// WriteText prints the report as a table, in French.
func (r PIIReport) WriteText(w io.Writer, details bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d avis, dont %d pièges sans donnée personnelle\n\n", r.Reviews, r.TrapReviews)
	fmt.Fprintf(&b, "%-14s %6s %6s %9s %7s %6s\n", "classe", "réf.", "préd.", "précision", "rappel", "F2")
	for _, c := range append(append([]PIIClassScore{}, r.Classes...), r.Overall) {
		fmt.Fprintf(&b, "%-14s %6d %6d %9.3f %7.3f %6.3f\n", c.Label, c.Gold, c.Predicted, c.Precision, c.Recall, c.F2)
	}
	fmt.Fprintf(&b, "\navis sans aucune fuite : %.1f %%\npièges masqués à tort : %.1f %%\n", 100*r.ZeroLeakShare, 100*r.TrapMasked)
	if details {
		for _, l := range r.Leaks {
			fmt.Fprintf(&b, "fuite     %s %s %q\n", l.ID, l.Label, l.Value)
		}
		for _, l := range r.FalsePos {
			fmt.Fprintf(&b, "en trop   %s %s %q\n", l.ID, l.Label, l.Value)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
