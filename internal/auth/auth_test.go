package auth

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	svc   *Service
	st    *store.Store
	clock *clock
	caf   int64 // organisation ids
	cpam  int64
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	st := storetest.NewDB(t)
	c := &clock{t: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)}
	f := fixture{st: st, clock: c, svc: New(st, Options{Now: c.Now, Argon2: testArgon2})}
	ctx := context.Background()
	for _, o := range []struct {
		slug, name, kind string
		id               *int64
	}{
		{"caf-33", "CAF de la Gironde", "caf", &f.caf},
		{"cpam-69", "CPAM du Rhône", "cpam", &f.cpam},
		{"fs-gironde", "France services Gironde", "france-services", new(int64)},
	} {
		if err := st.Pool.QueryRow(ctx, "INSERT INTO organisations (slug, name, kind) VALUES ($1, $2, $3) RETURNING id", o.slug, o.name, o.kind).Scan(o.id); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f fixture) addUser(t *testing.T, email string, role Role, org string) User {
	t.Helper()
	u, err := f.svc.AddUser(context.Background(), NewUser{Email: email, Name: "Camille Martin", Password: "mot de passe très long", Role: role, OrganisationSlug: org})
	if err != nil {
		t.Fatalf("AddUser %s: %v", email, err)
	}
	return u
}

func TestAddUserValidates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.addUser(t, "deja@caf.fr", RoleAgent, "caf-33")
	ok := NewUser{Email: "agent@caf.fr", Name: "Camille", Password: "douze-caract", Role: RoleAgent, OrganisationSlug: "caf-33"}
	tests := []struct {
		name   string
		edit   func(*NewUser)
		fields []string
	}{
		{"missing email", func(n *NewUser) { n.Email = "" }, []string{"email"}},
		{"bad email", func(n *NewUser) { n.Email = "Camille <agent@caf.fr>" }, []string{"email"}},
		{"no name", func(n *NewUser) { n.Name = "  " }, []string{"name"}},
		{"short password", func(n *NewUser) { n.Password = "onze-caract" }, []string{"password"}},
		{"unknown role", func(n *NewUser) { n.Role = "root" }, []string{"role"}},
		{"agent without organisation", func(n *NewUser) { n.OrganisationSlug = "" }, []string{"organisation"}},
		{"unknown organisation", func(n *NewUser) { n.OrganisationSlug = "cpam-99" }, []string{"organisation"}},
		{"email taken, other case", func(n *NewUser) { n.Email = " DEJA@Caf.fr" }, []string{"email"}},
		{"several at once", func(n *NewUser) { n.Email, n.Password = "x", "court" }, []string{"email", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nu := ok
			tt.edit(&nu)
			_, err := f.svc.AddUser(ctx, nu)
			var fe FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want FieldErrors", err)
			}
			if len(fe.FieldErrors()) != len(tt.fields) {
				t.Errorf("fields %v, want %v", fe, tt.fields)
			}
			for _, k := range tt.fields {
				if fe[k] == "" {
					t.Errorf("no message for %s in %v", k, fe)
				}
			}
		})
	}
	// Twelve characters, counted as characters and not bytes, is enough; the email is stored in lower case.
	nu := ok
	nu.Email, nu.Password = " Agent@CAF.fr ", "éééééééééééé"
	u, err := f.svc.AddUser(ctx, nu)
	if err != nil {
		t.Fatal(err)
	}
	// Only the fields the input decides are compared: the id and names come from the database.
	want := User{Email: "agent@caf.fr", OrganisationSlug: "caf-33", OrganisationID: f.caf, Role: RoleAgent}
	got := User{Email: u.Email, OrganisationSlug: u.OrganisationSlug, OrganisationID: u.OrganisationID, Role: u.Role, Network: u.Network}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created user (-want +got):\n%s", diff)
	}
	var hash string
	if err := f.st.Pool.QueryRow(ctx, "SELECT password_hash FROM users WHERE id = $1", u.ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$") || strings.Contains(hash, "éééé") {
		t.Errorf("stored password %q is not an argon2id hash", hash)
	}
	admin, err := f.svc.AddUser(ctx, NewUser{Email: "admin@plume.fr", Name: "Admin", Password: "mot de passe très long", Role: RoleAdmin})
	if err != nil || admin.OrganisationID != 0 {
		t.Errorf("admin without organisation: %+v, %v", admin, err)
	}
	adviser := f.addUser(t, "conseil@fs.fr", RoleAdviser, "fs-gironde")
	if adviser.Network != "fs-gironde" {
		t.Errorf("adviser of a France services organisation has network %q", adviser.Network)
	}
}

func TestLoginUnknownUserAndBadPasswordLookAlike(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.addUser(t, "agent@caf.fr", RoleAgent, "caf-33")
	_, _, errUnknown := f.svc.Login(ctx, "personne@caf.fr", "mot de passe très long")
	_, _, errBad := f.svc.Login(ctx, "agent@caf.fr", "mauvais mot de passe")
	if !errors.Is(errUnknown, ErrBadCredentials) || !errors.Is(errBad, ErrBadCredentials) || errUnknown.Error() != errBad.Error() {
		t.Errorf("unknown user: %v; bad password: %v; want the same ErrBadCredentials", errUnknown, errBad)
	}
	got, se, err := f.svc.Login(ctx, "AGENT@caf.fr", "mot de passe très long")
	if err != nil {
		t.Fatal(err)
	}
	// Token and CSRF are random: what matters is that they are set.
	type login struct {
		User              User
		UserID            int64
		HasToken, HasCSRF bool
		ExpiresAt         time.Time // compared with time.Time.Equal, which cmp uses
	}
	wantLogin := login{User: u, UserID: u.ID, HasToken: true, HasCSRF: true, ExpiresAt: f.clock.Now().Add(2 * time.Hour)}
	gotLogin := login{User: got, UserID: se.UserID, HasToken: se.Token != "", HasCSRF: se.CSRF != "", ExpiresAt: se.ExpiresAt}
	if diff := cmp.Diff(wantLogin, gotLogin); diff != "" {
		t.Errorf("login (-want +got):\n%s", diff)
	}
	// Sign-in attempts are audited, without the password.
	es, err := f.svc.AuditLog(ctx, AuditFilter{Action: "auth."})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action+":"+e.Actor)
		for _, v := range e.Details {
			if s, ok := v.(string); ok && strings.Contains(s, "mot de passe") {
				t.Errorf("audit entry %+v holds the password", e)
			}
		}
	}
	want := "auth.login:agent@caf.fr auth.login_failed:agent@caf.fr auth.login_failed:personne@caf.fr"
	if strings.Join(actions, " ") != want {
		t.Errorf("audited %v, want %s", actions, want)
	}
}

func TestLockoutAfterFiveFailuresAndUnlock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.addUser(t, "agent@caf.fr", RoleAgent, "caf-33")
	const good = "mot de passe très long"
	// Four failures, then a success: the count restarts.
	for range 4 {
		if _, _, err := f.svc.Login(ctx, "agent@caf.fr", "faux"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure: %v", err)
		}
	}
	if _, _, err := f.svc.Login(ctx, "agent@caf.fr", good); err != nil {
		t.Fatalf("success after 4 failures: %v", err)
	}
	for i := 1; i <= 5; i++ {
		_, _, err := f.svc.Login(ctx, "agent@caf.fr", "faux")
		want := ErrBadCredentials
		if i == 5 {
			want = ErrLocked
		}
		if !errors.Is(err, want) {
			t.Fatalf("failure %d: %v, want %v", i, err, want)
		}
	}
	// Locked: even the right password is refused, until the period is over.
	f.clock.Advance(14 * time.Minute)
	if _, _, err := f.svc.Login(ctx, "agent@caf.fr", good); !errors.Is(err, ErrLocked) {
		t.Fatalf("right password during the lock: %v, want ErrLocked", err)
	}
	f.clock.Advance(time.Minute + time.Second)
	if _, _, err := f.svc.Login(ctx, "agent@caf.fr", good); err != nil {
		t.Fatalf("right password after the lock: %v", err)
	}
	var failures int
	var locked *time.Time
	if err := f.st.Pool.QueryRow(ctx, "SELECT failed_logins, locked_until FROM users WHERE email = 'agent@caf.fr'").Scan(&failures, &locked); err != nil {
		t.Fatal(err)
	}
	if failures != 0 || locked != nil {
		t.Errorf("after success: failed_logins %d, locked_until %v", failures, locked)
	}
}

func TestLockoutCountsConcurrentGuesses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.addUser(t, "agent@caf.fr", RoleAgent, "caf-33")
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { _, _, _ = f.svc.Login(ctx, "agent@caf.fr", "faux") })
	}
	wg.Wait()
	if _, _, err := f.svc.Login(ctx, "agent@caf.fr", "mot de passe très long"); !errors.Is(err, ErrLocked) {
		t.Fatalf("after 10 parallel guesses: %v, want ErrLocked", err)
	}
}

func TestLoginRehashesWeakerHashes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.addUser(t, "agent@caf.fr", RoleAgent, "caf-33") // hashed with testArgon2
	strong := New(f.st, Options{Now: f.clock.Now})         // DefaultArgon2
	if _, _, err := strong.Login(ctx, "agent@caf.fr", "mot de passe très long"); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := f.st.Pool.QueryRow(ctx, "SELECT password_hash FROM users WHERE id = $1", u.ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(hash, "$m=65536,t=2,p=1$") {
		t.Errorf("hash not upgraded: %s", hash)
	}
}

func TestSessionsExpireSlideAndLogout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.addUser(t, "agent@caf.fr", RoleAgent, "caf-33")
	_, se, err := f.svc.Login(ctx, "agent@caf.fr", "mot de passe très long")
	if err != nil {
		t.Fatal(err)
	}
	// Only the SHA-256 of the cookie value is stored.
	var hashed, clear int
	if err := f.st.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE token_hash = sha256(convert_to($1, 'UTF8'))),
		count(*) FILTER (WHERE position($1 in s::text) > 0) FROM sessions s`, se.Token).Scan(&hashed, &clear); err != nil || hashed != 1 || clear != 0 {
		t.Errorf("sessions: %d rows with the token's SHA-256 (want 1), %d with the raw token (want 0), %v", hashed, clear, err)
	}
	// Used every 90 minutes, the session lives on past its 2-hour idle TTL…
	for range 4 {
		f.clock.Advance(90 * time.Minute)
		got, s2, err := f.svc.SessionUser(ctx, se.Token)
		if err != nil {
			t.Fatalf("at %v: %v", f.clock.Now(), err)
		}
		if got.ID != u.ID || s2.CSRF != se.CSRF {
			t.Errorf("session user %+v, csrf %q", got, s2.CSRF)
		}
	}
	// …but never past 12 hours after sign-in.
	for range 4 {
		f.clock.Advance(90 * time.Minute)
		_, _, _ = f.svc.SessionUser(ctx, se.Token)
	}
	if _, _, err := f.svc.SessionUser(ctx, se.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("session after 12h: %v, want ErrNoSession", err)
	}
	// Idle expiry.
	_, se2, err := f.svc.Login(ctx, "agent@caf.fr", "mot de passe très long")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2*time.Hour + time.Second)
	if _, _, err := f.svc.SessionUser(ctx, se2.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("idle session: %v, want ErrNoSession", err)
	}
	if n, err := f.svc.PurgeSessions(ctx); err != nil || n != 2 {
		t.Errorf("PurgeSessions = %d, %v; want 2", n, err)
	}
	// Logout.
	_, se3, err := f.svc.Login(ctx, "agent@caf.fr", "mot de passe très long")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Logout(ctx, se3.Token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.SessionUser(ctx, se3.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("after logout: %v", err)
	}
	if err := f.svc.Logout(ctx, se3.Token); err != nil {
		t.Errorf("second logout: %v", err)
	}
	for _, tok := range []string{"", "garbage", se3.Token + "x", strings.Repeat("A", 43)} {
		if _, _, err := f.svc.SessionUser(ctx, tok); !errors.Is(err, ErrNoSession) {
			t.Errorf("SessionUser(%q) = %v", tok, err)
		}
	}
}

func TestDisabledUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.addUser(t, "agent@caf.fr", RoleSupervisor, "caf-33")
	_, se, err := f.svc.Login(ctx, "agent@caf.fr", "mot de passe très long")
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := f.svc.CreateToken(ctx, u.ID, "intégration", []string{"reviews:read"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DisableUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.SessionUser(ctx, se.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("session of a disabled user: %v", err)
	}
	if _, _, err := f.svc.TokenUser(ctx, raw); !errors.Is(err, ErrNoToken) {
		t.Errorf("token of a disabled user: %v", err)
	}
	if _, _, err := f.svc.Login(ctx, "agent@caf.fr", "faux"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("disabled, wrong password: %v", err)
	}
	if _, _, err := f.svc.Login(ctx, "agent@caf.fr", "mot de passe très long"); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled, right password: %v", err)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	sup := f.addUser(t, "sup@caf.fr", RoleSupervisor, "caf-33")
	agent := f.addUser(t, "agent@caf.fr", RoleAgent, "caf-33")
	raw, tok, err := f.svc.CreateToken(ctx, sup.ID, "GRC", []string{"reviews:read", "export", "reviews:read"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "plm_") || len(raw) != 4+43 {
		t.Errorf("raw token %q", raw)
	}
	if strings.Join(tok.Scopes, ",") != "export,reviews:read" || !tok.Allows(ActExport) || tok.Allows(ActApprove) {
		t.Errorf("token scopes %v", tok.Scopes)
	}
	// Hashed at rest: the raw value appears nowhere in the table.
	var hashed, clear int
	if err := f.st.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE token_hash = sha256(convert_to($1, 'UTF8'))),
		count(*) FILTER (WHERE position($2 in t::text) > 0 OR position(convert_to($2, 'UTF8') in token_hash) > 0)
		FROM api_tokens t`, raw, raw[4:]).Scan(&hashed, &clear); err != nil || hashed != 1 || clear != 0 {
		t.Errorf("api_tokens: %d rows with the token's SHA-256 (want 1), %d with the raw token (want 0), %v", hashed, clear, err)
	}
	f.clock.Advance(time.Minute)
	u, used, err := f.svc.TokenUser(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	type use struct {
		UserID, TokenID int64
		LastUsedAt      *time.Time // cmp follows the pointer and compares with time.Time.Equal
	}
	now := f.clock.Now()
	wantUse := use{UserID: sup.ID, TokenID: tok.ID, LastUsedAt: &now}
	gotUse := use{UserID: u.ID, TokenID: used.ID, LastUsedAt: used.LastUsedAt}
	if diff := cmp.Diff(wantUse, gotUse); diff != "" {
		t.Fatalf("TokenUser (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "plm_", raw[4:], "plm_" + strings.Repeat("A", 43), raw + "A"} {
		if _, _, err := f.svc.TokenUser(ctx, bad); !errors.Is(err, ErrNoToken) {
			t.Errorf("TokenUser(%q) = %v", bad, err)
		}
	}
	// Scopes: known actions the owner's role allows, at least one.
	for _, scopes := range [][]string{nil, {"reviews:delete"}, {"users:manage"}} {
		var fe FieldErrors
		if _, _, err := f.svc.CreateToken(ctx, sup.ID, "x", scopes); !errors.As(err, &fe) || fe["scopes"] == "" {
			t.Errorf("scopes %v: %v, want a FieldErrors on scopes", scopes, err)
		}
	}
	// Another user cannot revoke it; its owner can, once and for all.
	if err := f.svc.RevokeToken(ctx, agent.ID, tok.ID); !errors.Is(err, ErrNoToken) {
		t.Errorf("revoke by another user: %v", err)
	}
	if _, _, err := f.svc.TokenUser(ctx, raw); err != nil {
		t.Errorf("token revoked by another user's attempt: %v", err)
	}
	if err := f.svc.RevokeToken(ctx, sup.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.TokenUser(ctx, raw); !errors.Is(err, ErrNoToken) {
		t.Errorf("revoked token: %v", err)
	}
	ts, err := f.svc.ListTokens(ctx, sup.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A revoked token stays listed, marked as revoked.
	type listed struct {
		Name    string
		Revoked bool
	}
	var gotTokens []listed
	for _, tk := range ts {
		gotTokens = append(gotTokens, listed{tk.Name, tk.RevokedAt != nil})
	}
	if diff := cmp.Diff([]listed{{"GRC", true}}, gotTokens); diff != "" {
		t.Errorf("ListTokens (-want +got):\n%s", diff)
	}
	if ts, _ := f.svc.ListTokens(ctx, agent.ID); len(ts) != 0 {
		t.Errorf("agent sees tokens %+v", ts)
	}
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := WithClientIP(context.Background(), "192.0.2.7")
	u := f.addUser(t, "agent@caf.fr", RoleAgent, "caf-33")
	events := []Event{
		{UserID: u.ID, Action: "review.view_clear", ObjectType: "review", ObjectID: "42", OrganisationID: f.caf},
		{UserID: u.ID, Action: "reply.approve", ObjectType: "review", ObjectID: "42", OrganisationID: f.caf, Details: map[string]any{"draft": 3}},
		{Actor: "purge", Action: "review.purge", ObjectType: "review", ObjectID: "7", OrganisationID: f.cpam, IP: "127.0.0.1"},
	}
	for _, e := range events {
		if err := f.svc.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Audit(ctx, Event{UserID: u.ID}); err == nil {
		t.Error("event without action accepted")
	}
	es, err := f.svc.AuditLog(ctx, AuditFilter{OrganisationID: f.caf, ObjectType: "review"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Action != "reply.approve" || es[1].Action != "review.view_clear" {
		t.Fatalf("caf review entries %+v", es)
	}
	// JSON gives the draft number back as a float64.
	want := []AuditEntry{{Actor: "agent@caf.fr", IP: "192.0.2.7", UserID: u.ID, Details: map[string]any{"draft": float64(3)}, At: f.clock.Now()}}
	got := auditFacts(es[:1], func(e AuditEntry) AuditEntry {
		return AuditEntry{Actor: e.Actor, IP: e.IP, UserID: e.UserID, Details: map[string]any{"draft": e.Details["draft"]}, At: e.At}
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("approve entry (-want +got):\n%s", diff)
	}
	es, err = f.svc.AuditLog(ctx, AuditFilter{Action: "review.purge"})
	if err != nil {
		t.Fatal(err)
	}
	want = []AuditEntry{{Actor: "purge", IP: "127.0.0.1", UserID: 0}}
	got = auditFacts(es, func(e AuditEntry) AuditEntry { return AuditEntry{Actor: e.Actor, IP: e.IP, UserID: e.UserID} })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("purge entries (-want +got):\n%s", diff)
	}
	// An account created by an administrator names the administrator.
	admin := f.addUser(t, "admin@plume.fr", RoleAdmin, "")
	created, err := f.svc.AddUser(WithActor(ctx, admin), NewUser{Email: "new@caf.fr", Name: "N", Password: "mot de passe très long", Role: RoleAgent, OrganisationSlug: "caf-33"})
	if err != nil {
		t.Fatal(err)
	}
	es, err = f.svc.AuditLog(ctx, AuditFilter{Action: "user.create", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	want = []AuditEntry{{UserID: admin.ID, Actor: "admin@plume.fr", ObjectID: strconv.FormatInt(created.ID, 10)}}
	got = auditFacts(es, func(e AuditEntry) AuditEntry {
		return AuditEntry{UserID: e.UserID, Actor: e.Actor, ObjectID: e.ObjectID}
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("user.create entries (-want +got):\n%s", diff)
	}
}

// auditFacts keeps of each entry only what keep copies, so that a diff shows the fields a test checks
// and not the ids and times it does not.
func auditFacts(es []AuditEntry, keep func(AuditEntry) AuditEntry) []AuditEntry {
	var out []AuditEntry
	for _, e := range es {
		out = append(out, keep(e))
	}
	return out
}
