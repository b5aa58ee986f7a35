// Package jobstest gives tests a database holding Plume's and River's schemas, River's migrated once per test process.
package jobstest

import (
	"context"
	"testing"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// River is the fixture of River's schema (jobs.Migrate) over Plume's.
var River = storetest.Fixture{
	Name: "river",
	Load: func(ctx context.Context, s *store.Store) error { return jobs.Migrate(ctx, s.Pool) },
}

// NewDBURL returns a fresh database with Plume's and River's schemas, and its URL; it is dropped when tb ends.
func NewDBURL(tb testing.TB) (*store.Store, string) {
	tb.Helper()
	return storetest.NewDBFrom(tb, River)
}
