package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/plume-services/plume/internal/web"
)

func init() {
	register(&command{
		name:    "serve",
		summary: "applique les migrations puis sert l'interface web, l'API, /healthz, /readyz et /metrics sur PLUME_ADDR",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			return func(ctx context.Context, a *app) error {
				a.log.Info("démarrage", "config", a.cfg)
				st, err := a.openStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				srv, err := web.New(web.Deps{Config: a.cfg, Store: st, Log: a.log})
				if err != nil {
					return err
				}
				err = srv.ListenAndServe(ctx, func(addr string) {
					a.log.Info("serveur prêt", "url", "http://"+addr)
					fmt.Fprintf(a.stdout, "Plume écoute sur http://%s\n", addr)
				})
				a.log.Info("arrêt terminé")
				return err
			}
		},
	})
}
