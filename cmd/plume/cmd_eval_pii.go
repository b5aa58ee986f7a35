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
		summary: "mesure le filtre de données personnelles sur eval/pii (précision, rappel, F2, fuites, pièges)",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			split := fs.String("split", "dev", "jeu évalué : dev ou test")
			format := fs.String("format", "text", "sortie : text ou json")
			data := fs.String("data", "", "dossier des jeux annotés (par défaut eval/pii, cherché depuis le répertoire courant)")
			details := fs.Bool("details", false, "liste les valeurs qui fuient et les segments en trop")
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
				set, err := eval.LoadPIISplit(dir, *split)
				if err != nil {
					return err
				}
				timeout := a.cfg.PIITimeout
				if timeout <= 0 {
					timeout = 2 * time.Second
				}
				rep, err := eval.EvalPII(ctx, pii.NewFilter(timeout), set)
				if err != nil {
					return err
				}
				if *format == "json" {
					enc := json.NewEncoder(a.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rep)
				}
				fmt.Fprintf(a.stdout, "jeu %s (%s)\n", *split, dir)
				if err := rep.WriteText(a.stdout, *details); err != nil {
					return err
				}
				if miss := rep.Check(eval.DefaultPIITargets); len(miss) > 0 {
					fmt.Fprintf(a.stdout, "\nobjectifs manqués : %s\n", strings.Join(miss, " ; "))
				} else {
					fmt.Fprintf(a.stdout, "\ntous les objectifs sont atteints\n")
				}
				return nil
			}
		},
	})
}
