package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
)

func init() {
	register(&command{
		name:    "demo",
		summary: "prépare une démonstration : échantillon de fiches et d'avis chargés une fois, comptes de démonstration (mots de passe affichés)",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			file := fs.String("reviews", "internal/reviews/testdata/spp-experiences-sample.csv", "avis d'exemple à importer si la base n'en a aucun")
			return func(ctx context.Context, a *app) error {
				st, err := a.openStore(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				if err := seedCorpus(ctx, a, st); err != nil {
					return err
				}
				org, err := seedReviews(ctx, a, st, *file)
				if err != nil {
					return err
				}
				return seedUsers(ctx, a, st, org)
			}
		},
	})
}

// seedCorpus loads the shipped sample of fiches into an empty corpus only.
func seedCorpus(ctx context.Context, a *app, st *store.Store) error {
	emb, err := embed.FromConfig(a.cfg)
	if err != nil {
		return err
	}
	loaded, stats, err := search.LoadSampleIfEmpty(ctx, st, emb)
	switch {
	case err != nil:
		return err
	case loaded:
		fmt.Fprintf(a.stdout, "Échantillon de fiches chargé : %d fiches, %d passages.\n", stats.Documents, stats.Chunks)
	default:
		fmt.Fprintln(a.stdout, "Corpus déjà chargé : inchangé.")
	}
	return nil
}

// seedReviews imports the sample reviews into a database that has none, and returns the organisation with the
// most reviews, for the demo accounts.
func seedReviews(ctx context.Context, a *app, st *store.Store, file string) (store.Organisation, error) {
	page, err := st.ListReviews(ctx, store.ReviewFilter{Limit: 1})
	if err != nil {
		return store.Organisation{}, err
	}
	if len(page.Reviews) == 0 {
		f, err := os.Open(file)
		if err != nil {
			return store.Organisation{}, fmt.Errorf("avis d'exemple : %w", err)
		}
		defer f.Close()
		format, err := reviews.DetectFormat(file)
		if err != nil {
			return store.Organisation{}, err
		}
		sum, err := reviews.Import(ctx, st, f, format, reviews.ImportOptions{})
		if err != nil {
			return store.Organisation{}, err
		}
		fmt.Fprintf(a.stdout, "Avis d'exemple importés : %s\n", sum)
	} else {
		fmt.Fprintln(a.stdout, "Avis déjà présents : aucun import.")
	}
	org, err := st.BusiestOrganisation(ctx)
	if err != nil {
		return store.Organisation{}, fmt.Errorf("organisation de démonstration : %w", err)
	}
	return org, nil
}

// seedUsers creates the demo accounts, or gives them a fresh password, and prints the credentials.
func seedUsers(ctx context.Context, a *app, st *store.Store, org store.Organisation) error {
	svc := newAuth(a.cfg, st)
	fsOrg, err := st.EnsureOrganisation(ctx, "france-services-demo", "France services (démonstration)", "france-services")
	if err != nil {
		return err
	}
	accounts := []struct {
		email, name string
		role        auth.Role
		org         string
	}{
		{"agent@demo.plume.local", "Agent de démonstration", auth.RoleAgent, org.Slug},
		{"superviseur@demo.plume.local", "Superviseure de démonstration", auth.RoleSupervisor, org.Slug},
		{"conseiller@demo.plume.local", "Conseiller France services", auth.RoleAdviser, fsOrg.Slug},
	}
	fmt.Fprintf(a.stdout, "\nComptes de démonstration (%s) :\n", org.Name)
	for _, acc := range accounts {
		password := rand.Text()[:20]
		u, err := st.UserByEmail(ctx, acc.email)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if _, err := svc.AddUser(ctx, auth.NewUser{Email: acc.email, Name: acc.name, Password: password, Role: acc.role, OrganisationSlug: acc.org}); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			hash, err := auth.HashPassword(password, auth.DefaultArgon2)
			if err != nil {
				return err
			}
			if err := st.SetPasswordHash(ctx, u.ID, hash); err != nil {
				return err
			}
		}
		fmt.Fprintf(a.stdout, "  %-12s %-32s mot de passe : %s\n", acc.role, acc.email, password)
	}
	return nil
}
