// Package storetest gives tests (and the scenarios of the test harness, cmd/plumetest) a fresh PostgreSQL
// database built from Plume's migrations and optional fixtures, dropped when the owner ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/config"
	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/testscope"
)

// templateLock serialises the creation of the template database between test processes.
const templateLock int64 = 0x706c756d6574 // "plumet"

// AdminURL is the server tests create their databases on: PLUME_TEST_DATABASE_URL, then DATABASE_URL, then the local default.
func AdminURL() string {
	for _, v := range []string{"PLUME_TEST_DATABASE_URL", "DATABASE_URL"} {
		if u := os.Getenv(v); u != "" {
			return u
		}
	}
	return config.DefaultDatabaseURL
}

// NewDB creates a fresh, migrated database holding the data of fixtures, loaded in that order, and returns a
// Store on it; the database is dropped when tb ends. The first call of the process with given fixtures loads
// them into a template database, every call copies it: tests may change their copy freely. A missing server
// fails the test: a test suite that silently skips its database tests proves nothing.
func NewDB(tb testscope.TB, fixtures ...Fixture) *store.Store {
	tb.Helper()
	admin := AdminURL()
	if len(fixtures) == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		tmpl, err := ensureTemplate(ctx, admin)
		if err != nil {
			tb.Fatalf("storetest: PostgreSQL must run for these tests (%s): %v", redacted(admin), err)
		}
		return copyOf(tb, admin, tmpl)
	}
	f := fixtures[0]
	if len(fixtures) > 1 {
		names := make([]string, len(fixtures))
		for i, g := range fixtures {
			names[i] = g.Name
		}
		f = Fixture{Name: strings.Join(names, "_"), Load: func(ctx context.Context, s *store.Store) error {
			for _, g := range fixtures {
				if err := g.Load(ctx, s); err != nil {
					return fmt.Errorf("%s: %w", g.Name, err)
				}
			}
			return nil
		}}
	}
	fixturesMu.Lock()
	b := built[f.Name]
	if b == nil {
		b = &builtFixture{}
		built[f.Name] = b
	}
	fixturesMu.Unlock()
	b.once.Do(func() { b.db, b.err = buildFixture(admin, f) })
	if b.err != nil {
		tb.Fatalf("storetest: fixture %s: %v", f.Name, b.err)
	}
	return copyOf(tb, admin, b.db)
}

// URL is the URL of a database NewDB made, for code that opens its own connections: a command run as a
// process, a server.
func URL(s *store.Store) string { return s.Pool.Config().ConnString() }

// copyOf creates a database copied from tmpl, opens a Store on it and drops it when tb ends.
func copyOf(tb testscope.TB, admin, tmpl string) *store.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	name := "plume_test_" + randomHex(6)
	if err := exec(ctx, admin, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl), noSyncCommit(name)); err != nil {
		tb.Fatalf("storetest: create database: %v", err)
	}
	dbURL := withDatabase(admin, name)
	s, err := store.OpenPool(ctx, dbURL, store.PoolOptions{})
	if err != nil {
		tb.Fatalf("storetest: open: %v", err)
	}
	tb.Cleanup(func() {
		s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			tb.Logf("storetest: drop %s: %v", name, err)
		}
	})
	return s
}

// ensureTemplate builds, once per schema version, a migrated database that fresh test databases are copied from.
func ensureTemplate(ctx context.Context, admin string) (string, error) {
	digest, err := store.MigrationsDigest()
	if err != nil {
		return "", err
	}
	tmpl := "plume_tmpl_" + digest
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", templateLock) //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", tmpl).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return tmpl, nil
	}
	building := tmpl + "_wip"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	if _, err := store.Migrate(ctx, withDatabase(admin, building)); err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	// Renamed only once complete, so an interrupted build is never used as a template.
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, tmpl)); err != nil {
		return "", err
	}
	return tmpl, nil
}

// Fixture is data many tests of a package read: loaded once per test process into a template database, which
// each test then copies in a fraction of the time loading it again would take (the sample corpus: seconds under
// the race detector, per test).
type Fixture struct {
	// Name tells the fixture apart from the others of the process: lower-case letters, digits and underscores.
	Name string
	// Load fills a freshly migrated database; it must leave no connection open.
	Load func(ctx context.Context, s *store.Store) error
}

// fixtureTimeout bounds the loading of one fixture, the sample corpus under the race detector on a busy machine.
const fixtureTimeout = 10 * time.Minute

var (
	fixturesMu sync.Mutex
	built      = map[string]*builtFixture{} // by fixture name
)

// builtFixture is a fixture's template database for this process; once closes when it is built or has failed.
type builtFixture struct {
	once sync.Once
	db   string
	err  error
}

// buildFixture copies the migrated template into a database named after f and this process and loads f into it.
//
// The database must not outlive the process, and a test binary has no hook at its end (short of a TestMain in
// every package): the process instead holds, until it exits, a connection whose application_name is the
// database's name, its lease. Every build drops the fixture databases whose lease has gone, those of processes
// that ended or were killed. A connection to the template itself would forbid copying it, hence a separate one.
func buildFixture(admin string, f Fixture) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), fixtureTimeout)
	defer cancel()
	base, err := ensureTemplate(ctx, admin)
	if err != nil {
		return "", err
	}
	name := fixturePrefix + f.Name + "_" + randomHex(4)
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		return "", err
	}
	cfg.RuntimeParams["application_name"] = name
	lease, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", err
	}
	// Never closed: the lease ends with the process.
	fixturesMu.Lock()
	leases = append(leases, lease)
	fixturesMu.Unlock()
	if err := dropOrphanFixtures(ctx, lease); err != nil {
		return "", err
	}
	for _, sql := range []string{fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, base), noSyncCommit(name)} {
		if _, err := lease.Exec(ctx, sql); err != nil {
			return "", err
		}
	}
	s, err := store.OpenPool(ctx, withDatabase(admin, name), store.PoolOptions{})
	if err != nil {
		return "", err
	}
	err = f.Load(ctx, s)
	s.Close()
	if err != nil {
		return "", err
	}
	return name, nil
}

// fixturePrefix starts the name of every fixture database, so that orphans can be found.
const fixturePrefix = "plume_fix_"

// leases keeps the lease connections reachable for the life of the process.
var leases []*pgx.Conn

// dropOrphanFixtures drops the fixture databases that no live process holds a lease on.
func dropOrphanFixtures(ctx context.Context, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database
		WHERE starts_with(datname, $1)
		  AND datname NOT IN (SELECT application_name FROM pg_stat_activity WHERE application_name IS NOT NULL)`, fixturePrefix)
	if err != nil {
		return err
	}
	orphans, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, db := range orphans {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)"); err != nil {
			return err
		}
	}
	return nil
}

// noSyncCommit is the statement that makes the commits of database name return before their WAL reaches the
// disk. A test database is thrown away, so losing its last commits in a crash costs nothing, while waiting for
// the disk costs every commit a flush (7 ms each on this shared machine, 1 ms with it off, over 200 commits):
// the pull of 5,000 reviews commits tens of thousands of times. It is a database setting, which CREATE DATABASE
// does not copy from the template, so each database gets it.
func noSyncCommit(name string) string {
	return fmt.Sprintf("ALTER DATABASE %s SET synchronous_commit = off", name)
}

// exec runs each statement on its own, outside any transaction, on one connection to url.
func exec(ctx context.Context, url string, sqls ...string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, sql := range sqls {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return err
		}
	}
	return nil
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "DATABASE_URL"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
