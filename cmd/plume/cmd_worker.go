package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
)

func init() {
	register(&command{
		name:    "worker",
		summary: "exécute les tâches de fond (collecte Services Publics+, rédaction, publication) sans interface web",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			return func(ctx context.Context, a *app) error {
				st, err := a.openServingStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				svc, err := buildServices(ctx, a, st, true)
				if err != nil {
					return err
				}
				if err := svc.jobs.Start(ctx); err != nil {
					return err
				}
				a.log.Info("travailleur démarré")
				fmt.Fprintln(a.stdout, "Plume traite les tâches de fond ; Ctrl-C pour arrêter.")
				<-ctx.Done()
				stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
				defer cancel()
				err = svc.jobs.Stop(stopCtx)
				a.log.Info("travailleur arrêté")
				return err
			}
		},
	})
}

// errNoSource explains how to configure pulling.
var errNoSource = errors.New("SPP_BASE_URL n'est pas défini : indiquez l'adresse du portail Opendatasoft de Services Publics+, par exemple https://data.economie.gouv.fr")
