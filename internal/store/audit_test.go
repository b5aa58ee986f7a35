package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	at := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	entry := store.AuditEntry{At: at, Actor: "agent@caf.fr", Action: "review.view_clear", ObjectType: "review", ObjectID: "42", OrganisationID: 1, Details: map[string]any{"k": "v"}, IP: "192.0.2.1"}
	id, err := s.InsertAudit(ctx, entry)
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"UPDATE audit_log SET actor = 'personne' WHERE id = $1",
		"UPDATE audit_log SET details = '{}' WHERE id = $1",
		"DELETE FROM audit_log WHERE id = $1",
	} {
		_, err := s.Pool.Exec(ctx, sql, id)
		if err == nil || !strings.Contains(err.Error(), "ajout seul") {
			t.Errorf("%s: err = %v, want the append-only refusal", sql, err)
		}
	}
	if _, err := s.Pool.Exec(ctx, "TRUNCATE audit_log"); err == nil || !strings.Contains(err.Error(), "ajout seul") {
		t.Errorf("TRUNCATE: err = %v, want the append-only refusal", err)
	}
	es, err := s.ListAudit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	entry.ID = id
	if diff := cmp.Diff([]store.AuditEntry{entry}, es); diff != "" {
		t.Errorf("entries after the attempts (-want +got):\n%s", diff)
	}
	// Appending still works.
	if _, err := s.InsertAudit(ctx, store.AuditEntry{At: at, Action: "system.start"}); err != nil {
		t.Errorf("second insert: %v", err)
	}
}

func TestAuditFilters(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	t0 := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	for i, e := range []store.AuditEntry{
		{UserID: 1, Action: "auth.login", OrganisationID: 1},
		{UserID: 1, Action: "review.view_clear", ObjectType: "review", ObjectID: "42", OrganisationID: 1},
		{UserID: 2, Action: "review.view_clear", ObjectType: "review", ObjectID: "43", OrganisationID: 2},
		{UserID: 2, Action: "auth.logout", OrganisationID: 2},
	} {
		e.At = t0.Add(time.Duration(i) * time.Hour)
		if _, err := s.InsertAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		f    store.AuditFilter
		want []string // actions, newest first
	}{
		{"all", store.AuditFilter{}, []string{"auth.logout", "review.view_clear", "review.view_clear", "auth.login"}},
		{"user", store.AuditFilter{UserID: 1}, []string{"review.view_clear", "auth.login"}},
		{"organisation", store.AuditFilter{OrganisationID: 2}, []string{"auth.logout", "review.view_clear"}},
		{"family", store.AuditFilter{Action: "auth."}, []string{"auth.logout", "auth.login"}},
		{"object", store.AuditFilter{ObjectType: "review", ObjectID: "43"}, []string{"review.view_clear"}},
		{"period", store.AuditFilter{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour)}, []string{"review.view_clear", "review.view_clear"}},
		{"limit", store.AuditFilter{Limit: 1}, []string{"auth.logout"}},
		{"like is not a wildcard", store.AuditFilter{Action: "auth%"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := s.ListAudit(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Action)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Paging by id walks the log without gaps.
	all, err := s.ListAudit(ctx, store.AuditFilter{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	page1, err := s.ListAudit(ctx, store.AuditFilter{Limit: 2})
	if err != nil || len(page1) != 2 {
		t.Fatalf("first page: %d entries, %v", len(page1), err)
	}
	page2, err := s.ListAudit(ctx, store.AuditFilter{Limit: 2, BeforeID: page1[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all, append(page1, page2...)); diff != "" {
		t.Errorf("two pages of 2 against one of 4 (-want +got):\n%s", diff)
	}
	if len(all) != 4 || all[3].Action != "auth.login" {
		t.Errorf("the four newest entries %+v: want four, the oldest auth.login", all)
	}
}

func TestUsersSchemaConstraints(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	if _, err := s.Pool.Exec(ctx, "INSERT INTO organisations (slug, name) VALUES ('caf-33', 'CAF de la Gironde')"); err != nil {
		t.Fatal(err)
	}
	u, err := s.InsertUser(ctx, store.NewUser{OrganisationSlug: "caf-33", Email: "agent@caf.fr", Name: "A", Role: "agent", PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if u.OrganisationSlug != "caf-33" || u.OrganisationName != "CAF de la Gironde" || u.PasswordHash != "h" {
		t.Errorf("inserted %+v", u)
	}
	if _, err := s.InsertUser(ctx, store.NewUser{OrganisationSlug: "caf-33", Email: "agent@caf.fr", Name: "B", Role: "agent"}); err == nil || !strings.Contains(err.Error(), store.ErrEmailTaken.Error()) {
		t.Errorf("duplicate email: %v", err)
	}
	if _, err := s.InsertUser(ctx, store.NewUser{OrganisationSlug: "cpam-69", Email: "x@cpam.fr", Name: "B", Role: "agent"}); err == nil || !strings.Contains(err.Error(), store.ErrUnknownOrganisation.Error()) {
		t.Errorf("unknown organisation: %v", err)
	}
	for _, sql := range []string{
		// Upper-case email, even written by hand: the unique index is on lower(email) and the check forbids it.
		"INSERT INTO users (organisation_id, email, name, role) SELECT id, 'AGENT@caf.fr', 'x', 'agent' FROM organisations",
		"INSERT INTO users (email, name, role) VALUES ('sans-org@caf.fr', 'x', 'agent')",
		"INSERT INTO users (organisation_id, email, name, role) SELECT id, 'r@caf.fr', 'x', 'root' FROM organisations",
		"INSERT INTO users (organisation_id, email, name, role, oidc_issuer) SELECT id, 'o@caf.fr', 'x', 'agent', 'https://idp' FROM organisations",
	} {
		if _, err := s.Pool.Exec(ctx, sql); err == nil {
			t.Errorf("accepted: %s", sql)
		}
	}
	if _, err := s.Pool.Exec(ctx, "INSERT INTO users (email, name, role) VALUES ('admin@plume.fr', 'x', 'admin')"); err != nil {
		t.Errorf("admin without organisation refused: %v", err)
	}
}
