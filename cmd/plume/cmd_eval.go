package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
)

// evalCommands are the subcommands of « plume eval », each registered by its own file with registerEval.
var evalCommands = map[string]*command{}

//lint:ignore U1000 each evaluation (pii, retrieval, drafts) registers itself from its own file
func registerEval(c *command) {
	if _, dup := evalCommands[c.name]; dup {
		panic("plume: eval command registered twice: " + c.name)
	}
	evalCommands[c.name] = c
}

func init() {
	register(&command{
		name:    "eval",
		args:    "<sous-commande> [options]",
		summary: "évaluations hors ligne (filtre de données personnelles, recherche, brouillons)",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			fs.Usage = func() {
				fmt.Fprintf(fs.Output(), "Usage : plume eval <sous-commande> [options]\n\nSous-commandes :\n")
				names := make([]string, 0, len(evalCommands))
				for n := range evalCommands {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					fmt.Fprintf(fs.Output(), "  %-10s %s\n", n, evalCommands[n].summary)
				}
			}
			return func(ctx context.Context, a *app) error {
				if len(a.args) == 0 {
					return usagef("sous-commande manquante")
				}
				c, ok := evalCommands[a.args[0]]
				if !ok {
					return usagef("sous-commande inconnue %q", a.args[0])
				}
				sub := newFlagSet(&command{name: "eval " + c.name, args: c.args, summary: c.summary}, a.stderr)
				runSub := c.setup(sub)
				if err := sub.Parse(a.args[1:]); err != nil {
					if strings.Contains(err.Error(), "help requested") {
						return nil
					}
					return usagef("%v", err)
				}
				sa := *a
				sa.args = sub.Args()
				return runSub(ctx, &sa)
			}
		},
	})
}
