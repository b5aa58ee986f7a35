package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/plume-services/plume/internal/store"
)

func init() {
	register(&command{
		name:    "migrate",
		summary: "applique les migrations du schéma qui manquent à la base DATABASE_URL",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			return func(ctx context.Context, a *app) error {
				ms, err := store.Migrate(ctx, a.cfg.DatabaseURL)
				for _, m := range ms {
					fmt.Fprintf(a.stdout, "migration %03d_%s appliquée\n", m.Version, m.Name)
				}
				if err != nil {
					return err
				}
				if len(ms) == 0 {
					fmt.Fprintln(a.stdout, "schéma à jour : aucune migration à appliquer")
				}
				return nil
			}
		},
	})
}

// openStore migrates the database then opens the pool: every subcommand that needs the database calls it.
func (a *app) openStore(ctx context.Context) (*store.Store, error) {
	return a.openPool(ctx, 0)
}

// openServingStore is openStore for serve and worker, whose statements are bounded by PLUME_DB_STATEMENT_TIMEOUT
// so that no request waits on the database longer; offline commands (a corpus load) are not.
func (a *app) openServingStore(ctx context.Context) (*store.Store, error) {
	return a.openPool(ctx, a.cfg.DBStatementTimeout)
}

func (a *app) openPool(ctx context.Context, statementTimeout time.Duration) (*store.Store, error) {
	if _, err := store.Migrate(ctx, a.cfg.DatabaseURL); err != nil {
		return nil, err
	}
	return store.OpenPool(ctx, a.cfg.DatabaseURL, store.PoolOptions{MaxConns: a.cfg.DBMaxConns,
		ConnectTimeout: a.cfg.DBConnectTimeout, StatementTimeout: statementTimeout})
}
