package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/plume-services/plume/internal/store"
)

// migrateLock serialises River migrations between processes starting together.
const migrateLock int64 = 0x7269766572 // "river"

// Migrate creates or upgrades River's tables (river_job, river_leader…) on the database of pool; running it again
// changes nothing. serve, worker and tests call it after store.Migrate.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("jobs : migration de River : %w", err)
	}
	defer conn.Release()
	unlock, err := store.LockSession(ctx, conn, migrateLock)
	if err != nil {
		return fmt.Errorf("jobs : migration de River : verrou : %w", err)
	}
	defer unlock()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("jobs : migration de River : %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs : migration de River : %w", err)
	}
	if err := store.EnsureJobIndexes(ctx, conn); err != nil {
		return fmt.Errorf("jobs : migration de River : %w", err)
	}
	return nil
}
