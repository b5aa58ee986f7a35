// Package jobstest holds the fixture of River's schema, for tests (and harness scenarios) whose database runs jobs.
package jobstest

import (
	"context"

	"github.com/plume-services/plume/internal/jobs"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// River is the fixture of River's schema (jobs.Migrate) over Plume's: storetest.NewDB(tb, jobstest.River).
var River = storetest.Fixture{
	Name: "river",
	Load: func(ctx context.Context, s *store.Store) error { return jobs.Migrate(ctx, s.Pool) },
}
