// Package storetest gives tests a fresh PostgreSQL database built from Plume's migrations, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plume-services/plume/internal/config"
	"github.com/plume-services/plume/internal/store"
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

// NewDB creates a fresh, migrated database and returns a Store on it; the database is dropped when tb ends.
// A missing server fails the test: a test suite that silently skips its database tests proves nothing.
func NewDB(tb testing.TB) *store.Store {
	tb.Helper()
	s, _ := NewDBURL(tb)
	return s
}

// NewDBURL is NewDB that also returns the new database's URL, for code that opens its own connections.
func NewDBURL(tb testing.TB) (*store.Store, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin := AdminURL()
	tmpl, err := ensureTemplate(ctx, admin)
	if err != nil {
		tb.Fatalf("storetest: PostgreSQL must run for these tests (%s): %v", redacted(admin), err)
	}
	name := "plume_test_" + randomHex(6)
	if err := exec(ctx, admin, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl)); err != nil {
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
	return s, dbURL
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

func exec(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
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
