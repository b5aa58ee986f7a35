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
			resync := fs.Bool("resync", false, "relit tout ce que le portail a publié depuis --since et réconcilie (réponses publiées depuis, avis publiés en retard) sans doublon, puis sort")
			since := fs.String("since", "", "avec --resync : premier jour relu, AAAA-MM-JJ")
			return func(ctx context.Context, a *app) error {
				if a.cfg.SPPBaseURL == "" {
					return errNoSource
				}
				if *resync {
					if _, err := time.Parse(time.DateOnly, *since); err != nil {
						return usagef("--resync attend --since AAAA-MM-JJ (reçu %q)", *since)
					}
				} else if *since != "" {
					return usagef("--since ne va qu'avec --resync")
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
				if *resync {
					fmt.Fprintf(a.stdout, "Resynchronisation de %s depuis le %s…\n", src.Source(), *since)
					sum, err := r.Resync(ctx, *since)
					if err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "Resynchronisation terminée : %s\n", sum)
					return nil
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
