package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/plume-services/plume/internal/pii"
)

func init() {
	register(&command{
		name:    "pii",
		args:    "scan",
		summary: "filtre les données personnelles de lignes JSON {\"id\",\"text\"} lues sur l'entrée standard",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			timeout := fs.Duration("timeout", 0, "délai maximal par texte (par défaut PII_TIMEOUT)")
			return func(ctx context.Context, a *app) error {
				if len(a.args) != 1 || a.args[0] != "scan" {
					return usagef("sous-commande attendue : scan")
				}
				d := *timeout
				if d <= 0 {
					d = a.cfg.PIITimeout
				}
				if d <= 0 {
					d = 2 * time.Second
				}
				start := time.Now()
				st, err := pii.ScanJSONL(ctx, pii.NewFilter(d), a.stdin, a.stdout)
				for _, le := range st.Errors {
					fmt.Fprintf(a.stderr, "plume pii scan : %v\n", le)
				}
				if st.Rejected > len(st.Errors) {
					fmt.Fprintf(a.stderr, "plume pii scan : … et %d autres lignes rejetées\n", st.Rejected-len(st.Errors))
				}
				fmt.Fprintf(a.stderr, "plume pii scan : %d lignes lues, %d filtrées, %d rejetées en %s\n",
					st.Lines, st.Written, st.Rejected, time.Since(start).Round(time.Millisecond))
				if err != nil {
					return err
				}
				if st.Rejected > 0 {
					return fmt.Errorf("%d ligne(s) rejetée(s) : rien n'a été écrit pour elles", st.Rejected)
				}
				return nil
			}
		},
	})
}
