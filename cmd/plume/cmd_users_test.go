package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/store/storetest"
)

func TestUsersAndTokensCommands(t *testing.T) {
	t.Parallel()
	st := storetest.NewDB(t)
	url := storetest.URL(st)
	ctx := context.Background()
	if _, err := st.Pool.Exec(ctx, "INSERT INTO organisations (slug, name, kind) VALUES ('caf-33', 'CAF de la Gironde', 'caf')"); err != nil {
		t.Fatal(err)
	}
	e := env(map[string]string{"DATABASE_URL": url})
	plume := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, args, e, strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}

	// Generated password, printed once, and it signs in.
	code, out, errs := plume("", "users", "add", "--email", "agent@caf.fr", "--name", "Camille Martin", "--role", "superviseur", "--org", "caf-33")
	if code != 0 || !strings.Contains(out, "compte n° 1 créé : agent@caf.fr, Superviseur, CAF de la Gironde (caf-33)") {
		t.Fatalf("users add: %d %q %q", code, out, errs)
	}
	_, pw, _ := strings.Cut(out, "mot de passe (affiché une seule fois) : ")
	if pw = strings.TrimSpace(pw); len(pw) != 20 {
		t.Fatalf("generated password %q", pw)
	}
	// Password from stdin.
	if code, out, errs := plume("un mot de passe très long\n", "users", "add", "--email", "admin@plume.fr", "--name", "Admin", "--role", "admin", "--password-stdin"); code != 0 || strings.Contains(out, "mot de passe") {
		t.Fatalf("users add --password-stdin: %d %q %q", code, out, errs)
	}
	// Bad input names the flags at fault and stores nothing.
	code, _, errs = plume("", "users", "add", "--email", "pas-une-adresse", "--name", "X", "--role", "chef", "--org", "caf-33")
	if diff := cmp.Diff(outcome{1, map[string]bool{"--email": true, "--role": true}}, outcomeOf(code, errs, "--email", "--role")); diff != "" {
		t.Errorf("bad users add (-want +got):\n%s\nstderr %q", diff, errs)
	}
	if strings.Count(strings.TrimSpace(errs), "\n") > 0 {
		t.Errorf("bad users add: stderr on several lines, want one: %q", errs)
	}
	if code, _, errs := plume("", "users", "frobnicate"); code != 2 || !strings.Contains(errs, "action \"frobnicate\" inconnue") {
		t.Errorf("unknown action: %d %q", code, errs)
	}
	code, out, _ = plume("", "users", "list")
	want := outcome{0, map[string]bool{"agent@caf.fr": true, "admin@plume.fr": true, "pas-une-adresse": false}}
	if diff := cmp.Diff(want, outcomeOf(code, out, "agent@caf.fr", "admin@plume.fr", "pas-une-adresse")); diff != "" {
		t.Errorf("users list (-want +got):\n%s\nstdout %q", diff, out)
	}

	// Tokens: the raw value alone on stdout, listed, revoked.
	code, out, errs = plume("", "tokens", "create", "--email", "agent@caf.fr", "--name", "GRC", "--scopes", "reviews:read,export")
	raw := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(raw, "plm_") || !strings.Contains(errs, "ne sera plus affiché") {
		t.Fatalf("tokens create: %d %q %q", code, out, errs)
	}
	if code, _, errs := plume("", "tokens", "create", "--email", "agent@caf.fr", "--name", "x", "--scopes", "users:manage"); code != 1 || !strings.Contains(errs, "users:manage") {
		t.Errorf("token beyond the role: %d %q", code, errs)
	}
	code, out, _ = plume("", "tokens", "list", "--email", "agent@caf.fr")
	// The raw token must never be listed again.
	want = outcome{0, map[string]bool{"GRC": true, "actif": true, raw: false}}
	if diff := cmp.Diff(want, outcomeOf(code, out, "GRC", "actif", raw)); diff != "" {
		t.Errorf("tokens list (-want +got):\n%s\nstdout %q", diff, out)
	}
	if code, out, errs := plume("", "tokens", "revoke", "--email", "agent@caf.fr", "--id", "1"); code != 0 || !strings.Contains(out, "révoqué") {
		t.Errorf("tokens revoke: %d %q %q", code, out, errs)
	}
	if code, _, errs := plume("", "tokens", "revoke", "--email", "agent@caf.fr", "--id", "99"); code != 1 || !strings.Contains(errs, "aucun jeton n° 99") {
		t.Errorf("revoke unknown: %d %q", code, errs)
	}
	if code, out, _ := plume("", "tokens", "list", "--email", "agent@caf.fr"); code != 0 || !strings.Contains(out, "révoqué le") {
		t.Errorf("tokens list after revoke: %d %q", code, out)
	}
	if code, _, errs := plume("", "tokens", "list", "--email", "personne@caf.fr"); code != 1 || !strings.Contains(errs, "aucun compte pour personne@caf.fr") {
		t.Errorf("unknown owner: %d %q", code, errs)
	}
	if code, out, _ := plume("", "users", "disable", "--email", "agent@caf.fr"); code != 0 || !strings.Contains(out, "désactivé") {
		t.Errorf("users disable: %d %q", code, out)
	}
}

// outcome is what an assertion reads of a command's run: its exit status and, for each phrase, whether the
// output contains it.
type outcome struct {
	Code     int
	Contains map[string]bool
}

func outcomeOf(code int, text string, phrases ...string) outcome {
	o := outcome{Code: code, Contains: map[string]bool{}}
	for _, p := range phrases {
		o.Contains[p] = strings.Contains(text, p)
	}
	return o
}
