package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/pii"
)

func init() {
	registerEval(&command{
		name:    "pii",
		summary: "mesure le filtre de données personnelles sur eval/pii, jeu par jeu (précision, rappel, F2, fuites, pièges)",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			split := fs.String("split", "all", "jeu évalué : un fichier de eval/pii sans .jsonl (test-blind-3, test-blind-4, test-blind, dev-blind, real43, templates-dev…) ou all")
			format := fs.String("format", "text", "sortie : text ou json")
			data := fs.String("data", "", "dossier des jeux annotés (par défaut eval/pii, cherché depuis le répertoire courant)")
			tagger := fs.Float64("tagger", pii.DefaultTaggerThreshold, "seuil du modèle de noms embarqué qui s'ajoute aux règles (par défaut celui que la validation croisée a choisi ; 0 : les règles seules)")
			details := fs.Bool("details", false, "liste les valeurs qui fuient et les segments en trop (jamais pour les jeux de mesure : test-blind-3, test-blind-4 et suivants, real43*)")
			return func(ctx context.Context, a *app) error {
				if *format != "text" && *format != "json" {
					return usagef("format %q inconnu : text ou json", *format)
				}
				dir := *data
				if dir == "" {
					var err error
					if dir, err = eval.PIIDataDir(); err != nil {
						return err
					}
				}
				splits := []string{*split}
				if *split == "all" {
					var err error
					if splits, err = eval.PIISplits(dir); err != nil {
						return err
					}
				}
				timeout := a.cfg.PIITimeout
				if timeout <= 0 {
					timeout = 2 * time.Second
				}
				f := pii.NewFilter(timeout)
				if *tagger < 0 || *tagger >= 1 {
					return usagef("tagger %v : un seuil entre 0 (les règles seules) et 1 est attendu", *tagger)
				}
				if *tagger == 0 {
					f = f.WithTagger(nil, 0)
				} else {
					f = f.WithTagger(pii.EmbeddedTagger(), *tagger)
				}
				reports := map[string]eval.PIIReport{}
				for _, s := range splits {
					set, err := eval.LoadPIISplit(dir, s)
					if err != nil {
						return err
					}
					rep, err := eval.EvalPII(ctx, f, set)
					if err != nil {
						return err
					}
					if eval.PIIMeasurementSplit(s) {
						// A measurement set is read in aggregate only: its misses are never listed, so nobody
						// tunes the filter on them.
						rep.Leaks, rep.FalsePos, rep.Missed, rep.TrapsLost = nil, nil, nil, nil
					}
					reports[s] = rep
					if *format == "json" {
						continue
					}
					fmt.Fprintf(a.stdout, "== jeu %s (%s/%s.jsonl)\n", s, dir, s)
					if err := rep.WriteText(a.stdout, *details && !eval.PIIMeasurementSplit(s)); err != nil {
						return err
					}
					if eval.PIITestSplit(s) {
						if miss := rep.Check(eval.IssueTargets); len(miss) > 0 {
							fmt.Fprintf(a.stdout, "objectifs manqués : %s\n", strings.Join(miss, " ; "))
						} else {
							fmt.Fprintf(a.stdout, "tous les objectifs sont atteints\n")
						}
					}
					fmt.Fprintln(a.stdout)
				}
				if *format == "json" {
					enc := json.NewEncoder(a.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(reports)
				}
				return nil
			}
		},
	})
}
