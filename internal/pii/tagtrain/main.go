// Command tagtrain trains the personal-data filter's name tagger (internal/pii/tagger.go) on the annotated sets
// of eval/pii and writes the embedded model; with -cv it measures instead, by leave-one-writer-out
// cross-validation: each training file (about one writer) is held out in turn, a model trained on the others,
// and the held-out file scored with the rules alone and with the rules and the tagger at each threshold.
// The measured sets (test-blind-7 and later, the real experiences: measured) are never read.
//
//	go run ./internal/pii/tagtrain -out internal/pii/data/tagger.bin.gz
//	go run ./internal/pii/tagtrain -cv
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/pii"
)

func main() {
	out := flag.String("out", "", "fichier du modèle écrit (gzip)")
	cv := flag.Bool("cv", false, "validation croisée en laissant un auteur de côté, au lieu d'entraîner")
	ths := flag.String("thresholds", "0.5,0.6,0.7,0.8,0.9", "seuils mesurés par -cv")
	templates := flag.Bool("templates", false, "entraîner aussi sur les gabarits (templates-*)")
	own := flag.Bool("own", false, "la décision des règles pour le mot lui-même est un trait")
	nbrules := flag.Bool("nbrules", false, "les décisions des règles pour les mots voisins sont des traits")
	uncovered := flag.Bool("uncovered", false, "n'apprendre que sur les mots laissés par les règles")
	epochs := flag.Int("epochs", 0, "passes (0 : défaut)")
	bits := flag.Int("bits", 0, "bits de hachage (0 : défaut)")
	mindf := flag.Int("mindf", 0, "textes où un mot de contexte doit paraître (0 : défaut)")
	details := flag.Bool("details", false, "avec -cv, liste les segments ajoutés par le modèle au premier seuil (jeux de réglage seulement)")
	flag.Parse()
	opts := pii.TaggerOptions{OwnRule: *own, NeighbourRules: *nbrules, Uncovered: *uncovered, Epochs: *epochs, Bits: uint8(*bits), MinDF: *mindf}
	if err := run(*out, *cv, *ths, *templates, *details, opts); err != nil {
		fmt.Fprintln(os.Stderr, "tagtrain :", err)
		os.Exit(1)
	}
}

type split struct {
	name string
	ex   []eval.PIIExample
	set  *pii.TaggerSet
}

func run(out string, cv bool, ths string, templates, details bool, opts pii.TaggerOptions) error {
	if !cv && out == "" {
		return fmt.Errorf("-out ou -cv est requis")
	}
	ctx := context.Background()
	dir, err := eval.PIIDataDir()
	if err != nil {
		return err
	}
	names, err := eval.PIISplits(dir)
	if err != nil {
		return err
	}
	rules := pii.NewFilter(0).WithTagger(nil, 0)
	var splits []split
	t0 := time.Now()
	for _, n := range names {
		if measured(n) || !templates && strings.HasPrefix(n, "templates") {
			continue
		}
		ex, err := eval.LoadPIISplit(dir, n)
		if err != nil {
			return err
		}
		var tex []pii.TaggerExample
		for _, e := range ex {
			te := pii.TaggerExample{Text: e.Text}
			for _, s := range e.Spans {
				if s.Label == pii.LabelPerson {
					te.Persons = append(te.Persons, [2]int{s.Start, s.End})
				}
			}
			tex = append(tex, te)
		}
		set, err := pii.NewTaggerSet(ctx, rules, tex)
		if err != nil {
			return fmt.Errorf("%s : %w", n, err)
		}
		w, p := set.Len()
		fmt.Fprintf(os.Stderr, "%s : %d textes, %d mots candidats dont %d de personnes\n", n, len(ex), w, p)
		splits = append(splits, split{n, ex, set})
	}
	fmt.Fprintf(os.Stderr, "traits calculés en %s\n", time.Since(t0).Round(time.Millisecond))
	if !cv {
		t1 := time.Now()
		m := pii.TrainTagger(setsOf(splits), opts)
		b, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "modèle appris en %s, %d octets\n", time.Since(t1).Round(time.Millisecond), len(b))
		return os.WriteFile(out, b, 0o644)
	}
	var thresholds []float64
	for _, s := range strings.Split(ths, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("seuil %q : %w", s, err)
		}
		thresholds = append(thresholds, v)
	}
	// Pooled counts over the held-out files: rules alone, then one per threshold.
	pooled := make([]counts, len(thresholds)+1)
	fmt.Println("| held out | texts | rules: PERSON R / P, zero leak, traps | " + strings.Join(mapf(thresholds, func(t float64) string {
		return fmt.Sprintf("≥ %.2f", t)
	}), " | ") + " |")
	fmt.Println("|---|---|---|" + strings.Repeat("---|", len(thresholds)))
	for i, h := range splits {
		var train []*pii.TaggerSet
		for j, s := range splits {
			if j != i {
				train = append(train, s.set)
			}
		}
		if strings.HasPrefix(h.name, "templates") {
			continue // the templates are one author's patterns, not a writer to transfer to
		}
		m := pii.TrainTagger(train, opts)
		if details {
			if err := printAdded(ctx, h, rules, rules.WithTagger(m, thresholds[0])); err != nil {
				return err
			}
		}
		cs, _, err := score(ctx, rules, m, thresholds, h.ex)
		if err != nil {
			return err
		}
		row := []string{h.name, strconv.Itoa(len(h.ex))}
		for k, c := range cs {
			pooled[k].add(c)
			row = append(row, c.String())
		}
		fmt.Println("| " + strings.Join(row, " | ") + " |")
	}
	row := []string{"**pooled**", ""}
	for _, c := range pooled {
		row = append(row, c.String())
	}
	fmt.Println("| " + strings.Join(row, " | ") + " |")
	if templates {
		return nil
	}
	// The templates (one author's patterns, not learnt from): scored by a model trained on every blind file.
	m := pii.TrainTagger(setsOf(splits), opts)
	for _, n := range names {
		if !strings.HasPrefix(n, "templates") {
			continue
		}
		ex, err := eval.LoadPIISplit(dir, n)
		if err != nil {
			return err
		}
		cs, reps, err := score(ctx, rules, m, thresholds, ex)
		if err != nil {
			return err
		}
		row := []string{n + " (not learnt from)", strconv.Itoa(len(ex))}
		for k, c := range cs {
			row = append(row, fmt.Sprintf("%s, %.1f %% clean texts masked", c, 100*reps[k].TrapReviewsMasked))
		}
		fmt.Println("| " + strings.Join(row, " | ") + " |")
	}
	return nil
}

// setsOf returns the candidate words of every split.
func setsOf(splits []split) []*pii.TaggerSet {
	sets := make([]*pii.TaggerSet, len(splits))
	for i, s := range splits {
		sets[i] = s.set
	}
	return sets
}

// score evaluates ex with the rules alone, then with the rules and m at each threshold.
func score(ctx context.Context, rules *pii.Filter, m *pii.Tagger, thresholds []float64, ex []eval.PIIExample) ([]counts, []eval.PIIReport, error) {
	var cs []counts
	var reps []eval.PIIReport
	for k := -1; k < len(thresholds); k++ {
		f := rules
		if k >= 0 {
			f = rules.WithTagger(m, thresholds[k])
		}
		rep, err := eval.EvalPII(ctx, f, ex)
		if err != nil {
			return nil, nil, err
		}
		cs = append(cs, countsOf(rep))
		reps = append(reps, rep)
	}
	return cs, reps, nil
}

// measured reports the sets that stay measured, never learnt from: the real experiences and the blind test
// splits from test-blind-7 on (test-blind-5 and -6 are tuning sets since the 5th session's test splits came).
func measured(split string) bool {
	if strings.HasPrefix(split, "real") {
		return true
	}
	n, ok := strings.CutPrefix(split, "test-blind-")
	if !ok {
		return eval.PIIMeasurementSplit(split) && split != "test-blind"
	}
	k, err := strconv.Atoi(n)
	return err != nil || k >= 7
}

// printAdded lists, for a held-out tuning file, the spans the tagger added and whether an annotated person
// covers them (+) or not (-), and the annotated persons still leaking afterwards (!).
func printAdded(ctx context.Context, h split, rules, tagged *pii.Filter) error {
	for _, e := range h.ex {
		a, err := rules.Find(ctx, e.Text)
		if err != nil {
			return err
		}
		b, err := tagged.Find(ctx, e.Text)
		if err != nil {
			return err
		}
		inA := map[[2]int]bool{}
		for _, s := range a {
			inA[[2]int{s.Start, s.End}] = true
		}
		for _, s := range b {
			if inA[[2]int{s.Start, s.End}] || s.Label != pii.LabelPerson {
				continue
			}
			mark := "-"
			for _, g := range e.Spans {
				if g.Label == pii.LabelPerson && g.Start < s.End && s.Start < g.End {
					mark = "+"
				}
			}
			lo, hi := max(0, s.Start-40), min(len(e.Text), s.End+30)
			fmt.Fprintf(os.Stderr, "%s %s %s: %q in %q\n", mark, h.name, e.ID, e.Text[s.Start:s.End], e.Text[lo:hi])
		}
		res, err := tagged.Redact(ctx, e.Text)
		if err != nil {
			return err
		}
		out := res.Text.String()
		for _, g := range e.Spans {
			if g.Label == pii.LabelPerson && strings.Contains(out, e.Text[g.Start:g.End]) {
				lo, hi := max(0, g.Start-40), min(len(e.Text), g.End+30)
				fmt.Fprintf(os.Stderr, "! %s %s: %q in %q\n", h.name, e.ID, e.Text[g.Start:g.End], e.Text[lo:hi])
			}
		}
	}
	return nil
}

// counts are the figures of one evaluation, summable over files.
type counts struct {
	gold, found, pred, matched, reviews, clean, traps int
	trapsMasked                                       float64
}

func countsOf(r eval.PIIReport) counts {
	c := counts{reviews: r.Reviews, clean: int(r.ZeroLeakShare*float64(r.Reviews) + 0.5), traps: r.Traps,
		trapsMasked: r.TrapMasked * float64(r.Traps)}
	for _, k := range r.Classes {
		if k.Label == pii.LabelPerson {
			c.gold, c.found, c.pred, c.matched = k.Gold, k.Found, k.Predicted, k.Matched
		}
	}
	return c
}

func (c *counts) add(o counts) {
	c.gold += o.gold
	c.found += o.found
	c.pred += o.pred
	c.matched += o.matched
	c.reviews += o.reviews
	c.clean += o.clean
	c.traps += o.traps
	c.trapsMasked += o.trapsMasked
}

func (c counts) String() string {
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	return fmt.Sprintf("%.3f / %.3f, %.3f, %.1f %%", div(float64(c.found), float64(c.gold)), div(float64(c.matched), float64(c.pred)),
		div(float64(c.clean), float64(c.reviews)), 100*div(c.trapsMasked, float64(c.traps)))
}

func mapf[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
