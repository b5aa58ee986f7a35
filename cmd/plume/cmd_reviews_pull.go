package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/spp"
)

func init() {
	register(&command{
		name:    "pull",
		summary: "collecte maintenant les nouveaux avis Services Publics+ (SPP_BASE_URL) et met leur rédaction en file",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			once := fs.Bool("once", false, "une seule collecte puis sortie (sinon : une collecte toutes les SPP_POLL_INTERVAL)")
			return func(ctx context.Context, a *app) error {
				if a.cfg.SPPBaseURL == "" {
					return errNoSource
				}
				st, err := a.openStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				if err := jobs.Migrate(ctx, st.Pool); err != nil {
					return err
				}
				src, err := spp.New(spp.Options{BaseURL: a.cfg.SPPBaseURL, Dataset: a.cfg.SPPDataset,
					Organisations: splitList(a.cfg.SPPOrganisations), Log: a.log})
				if err != nil {
					return err
				}
				// Insert-only: the drafts this pull queues are worked by `plume worker` or `plume serve`.
				r, err := jobs.New(st, jobs.Options{Source: src, Log: a.log})
				if err != nil {
					return err
				}
				for {
					fmt.Fprintf(a.stdout, "Collecte de %s…\n", src.Source())
					sum, err := r.Pull(ctx)
					if err != nil {
						if errors.Is(ctx.Err(), context.Canceled) {
							fmt.Fprintf(a.stdout, "Interrompu : %s\n", sum)
							return nil
						}
						return err
					}
					fmt.Fprintf(a.stdout, "Collecte terminée : %s\n", sum)
					if *once {
						return nil
					}
					t := time.NewTimer(a.cfg.SPPPollInterval)
					select {
					case <-ctx.Done():
						t.Stop()
						return nil
					case <-t.C:
					}
				}
			}
		},
	})
}
