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
		summary: "applique les migrations puis sert l'interface web, l'API, /healthz, /readyz et /metrics sur PLUME_ADDR, avec les tâches de fond",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			return func(ctx context.Context, a *app) error {
				a.log.Info("démarrage", "config", a.cfg)
				st, err := a.openServingStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				oidc, err := newOIDC(ctx, a.cfg)
				if err != nil {
					return err
				}
				svc, err := buildServices(ctx, a, st, true)
				if err != nil {
					return err
				}
				if err := svc.jobs.Start(ctx); err != nil {
					return err
				}
				defer func() {
					stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
					defer cancel()
					if err := svc.jobs.Stop(stopCtx); err != nil {
						a.log.Warn("arrêt des tâches de fond", "err", err)
					}
				}()
				srv, err := web.New(web.Deps{Config: a.cfg, Store: st, Log: a.log, Auth: newAuth(a.cfg, st), OIDC: oidc,
					Filter: svc.filter, Search: svc.searcher, Drafts: svc.drafts, Model: svc.model, Jobs: svc.jobs})
				if err != nil {
					return err
				}
				err = srv.ListenAndServe(ctx, web.ServeHooks{Ready: func(addr string) {
					a.log.Info("serveur prêt", "url", "http://"+addr)
					fmt.Fprintf(a.stdout, "Plume écoute sur http://%s\n", addr)
				}})
				a.log.Info("arrêt terminé")
				return err
			}
		},
	})
}
