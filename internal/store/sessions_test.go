package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/store"
	"github.com/plume-services/plume/internal/store/storetest"
)

// TestTouchesThrottled: a session's and a token's last use are written at most once per store.TouchEvery, while
// every lookup still checks expiry and revocation at once.
func TestTouchesThrottled(t *testing.T) {
	t.Parallel()
	s := storetest.NewDB(t)
	ctx := context.Background()
	u, err := s.InsertUser(ctx, store.NewUser{Email: "admin@test.fr", Name: "Admin", Role: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	hash := []byte("session-hash-0123456789abcdef012")
	if err := s.InsertSession(ctx, store.Session{TokenHash: hash, UserID: u.ID, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(2 * time.Hour), LastSeenAt: t0}); err != nil {
		t.Fatal(err)
	}
	tok, err := s.InsertToken(ctx, store.APIToken{UserID: u.ID, Name: "t", TokenHash: []byte("token-hash-0123456789abcdef01234"), CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	xmin := func(table string) string {
		t.Helper()
		var x string
		if err := s.Pool.QueryRow(ctx, "SELECT xmin::text FROM "+table).Scan(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	seen := func(at time.Time) (time.Time, time.Time) {
		t.Helper()
		se, err := s.TouchSession(ctx, hash, at, at.Add(2*time.Hour), 12*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tk, err := s.UseToken(ctx, tok.TokenHash, at)
		if err != nil || tk.LastUsedAt == nil {
			t.Fatalf("use token: %+v, %v", tk, err)
		}
		return se.LastSeenAt, *tk.LastUsedAt
	}

	// The token's first use is written; the session was just created.
	if sl, tl := seen(t0.Add(10 * time.Second)); !sl.Equal(t0) || !tl.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("first use: session %v, token %v", sl, tl)
	}
	sx, tx := xmin("sessions"), xmin("api_tokens")
	for _, d := range []time.Duration{20 * time.Second, 40 * time.Second, 59 * time.Second} {
		if sl, tl := seen(t0.Add(d)); !sl.Equal(t0) || !tl.Equal(t0.Add(10*time.Second)) {
			t.Errorf("after %s: session %v, token %v; want the last writes kept", d, sl, tl)
		}
	}
	if xmin("sessions") != sx || xmin("api_tokens") != tx {
		t.Error("a lookup within a minute of the last write wrote the row")
	}
	later := t0.Add(80 * time.Second)
	if sl, tl := seen(later); !sl.Equal(later) || !tl.Equal(later) {
		t.Errorf("after a minute: session %v, token %v; want both written at %v", sl, tl, later)
	}
	var expires time.Time
	if err := s.Pool.QueryRow(ctx, "SELECT expires_at FROM sessions").Scan(&expires); err != nil || !expires.Equal(later.Add(2*time.Hour)) {
		t.Errorf("expiry %v (%v), want slid to %v", expires, err, later.Add(2*time.Hour))
	}

	// Expiry and revocation are checked on every lookup, throttled or not.
	if _, err := s.TouchSession(ctx, hash, later.Add(3*time.Hour), later.Add(5*time.Hour), 12*time.Hour); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session: %v, want ErrNotFound", err)
	}
	if err := s.RevokeToken(ctx, u.ID, tok.ID, later.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseToken(ctx, tok.TokenHash, later.Add(2*time.Second)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token: %v, want ErrNotFound", err)
	}
}
