package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/retention"
	"github.com/plume-services/plume/internal/reviews"
)

func init() {
	register(&command{
		name:    "purge",
		summary: "remplace par leur forme filtrée les textes d'usagers publiés ou écartés depuis plus de PLUME_RETENTION",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			return func(ctx context.Context, a *app) error {
				st, err := a.openStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				n, err := retention.New(st, pii.NewFilter(a.cfg.PIITimeout), a.cfg.RetentionPeriod, a.cfg.ConversationRetention).Purge(ctx)
				fmt.Fprintf(a.stdout, "%d avis purgés (conservation : %s)\n", n, a.cfg.RetentionPeriod)
				return err
			}
		},
	})
	register(&command{
		name:    "citizen",
		args:    "export|erase",
		summary: "exporte (JSON lines) ou efface les avis d'un usager, désigné par son pseudonyme ou l'identifiant d'un avis",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			source := fs.String("source", reviews.SourceSPP, "source des avis")
			pseudo := fs.String("pseudonym", "", "pseudonyme de l'usager à la source")
			ext := fs.String("external-id", "", "identifiant à la source d'un avis de l'usager")
			return func(ctx context.Context, a *app) error {
				if len(a.args) != 1 || (a.args[0] != "export" && a.args[0] != "erase") {
					return usagef("export ou erase attendu")
				}
				st, err := a.openStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				svc := retention.New(st, pii.NewFilter(a.cfg.PIITimeout), a.cfg.RetentionPeriod, a.cfg.ConversationRetention)
				c := retention.Citizen{Source: *source, Pseudonym: *pseudo, ExternalID: *ext}
				if a.args[0] == "export" {
					n, err := svc.Export(ctx, c, a.stdout)
					fmt.Fprintf(a.stderr, "%d avis exportés\n", n)
					return err
				}
				n, err := svc.Erase(ctx, c)
				if err != nil {
					return err
				}
				// The erasure itself is recorded, without the citizen's identifiers.
				if err := newAuth(a.cfg, st).Audit(ctx, auth.Event{Actor: "ligne de commande", Action: "citizen.erase",
					ObjectType: "review", Details: map[string]any{"source": *source, "reviews": n}}); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%d avis effacés avec leurs brouillons\n", n)
				return nil
			}
		},
	})
}
