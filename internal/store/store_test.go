package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	url := storetest.URL(s)
	ctx := context.Background()
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready on a migrated database: %v", err)
	}
	// Several instances starting at once: the advisory lock lets exactly none of them re-apply anything.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	applied := make([]int, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ms, err := store.Migrate(ctx, url)
			errs[i], applied[i] = err, len(ms)
		}()
	}
	wg.Wait()
	for i := range 4 {
		if errs[i] != nil || applied[i] != 0 {
			t.Errorf("migrator %d: applied %d, err %v; want 0, nil", i, applied[i], errs[i])
		}
	}
}

func TestMigrateFreshDatabaseConcurrently(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	url := storetest.URL(s)
	ctx := context.Background()
	// Empty the schema so that the migrators really race on a fresh database.
	if _, err := s.Pool.Exec(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	total := make([]int, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ms, err := store.Migrate(ctx, url)
			if err != nil {
				t.Errorf("migrator %d: %v", i, err)
			}
			total[i] = len(ms)
		}()
	}
	wg.Wait()
	sum, nonZero := 0, 0
	for _, n := range total {
		sum += n
		if n > 0 {
			nonZero++
		}
	}
	if nonZero != 1 {
		t.Errorf("migrations applied by %d migrators (%v), want exactly 1", nonZero, total)
	}
	var n int
	if err := s.Pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != sum {
		t.Errorf("schema_migrations has %d rows, migrators applied %d", n, sum)
	}
}

func TestReadyReportsMissingMigration(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	if _, err := s.Pool.Exec(ctx, "DELETE FROM schema_migrations WHERE version = 1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(ctx); err == nil {
		t.Fatal("Ready succeeded with migration 001 missing")
	}
}
