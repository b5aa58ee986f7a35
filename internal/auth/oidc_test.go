package auth

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/auth/oidctest"
)

func newOIDC(t *testing.T, p *oidctest.Provider, edit func(*OIDCConfig)) *OIDC {
	t.Helper()
	cfg := OIDCConfig{
		Issuer: p.URL, ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: "https://plume.example/auth/callback",
		OrgClaim: "organisation", RoleClaim: "groups",
		RoleMap: map[string]Role{"plume-agents": RoleAgent, "plume-superviseurs": RoleSupervisor, "plume-admins": RoleAdmin},
	}
	if edit != nil {
		edit(&cfg)
	}
	o, err := NewOIDC(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOIDCExchange(t *testing.T) {
	t.Parallel()
	p := oidctest.New(t, "plume", "secret")
	o := newOIDC(t, p, nil)
	ctx := context.Background()

	u, err := url.Parse(o.AuthCodeURL("state-1", "nonce-1"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	type authURL struct {
		AtProvider, OpenIDScope                           bool
		State, Nonce, ClientID, RedirectURI, ResponseType string
	}
	wantURL := authURL{AtProvider: true, OpenIDScope: true, State: "state-1", Nonce: "nonce-1", ClientID: "plume",
		RedirectURI: "https://plume.example/auth/callback", ResponseType: "code"}
	gotURL := authURL{AtProvider: strings.HasPrefix(u.String(), p.URL), OpenIDScope: strings.Contains(q.Get("scope"), "openid"),
		State: q.Get("state"), Nonce: q.Get("nonce"), ClientID: q.Get("client_id"),
		RedirectURI: q.Get("redirect_uri"), ResponseType: q.Get("response_type")}
	if diff := cmp.Diff(wantURL, gotURL); diff != "" {
		t.Errorf("AuthCodeURL %s (-want +got):\n%s", u, diff)
	}

	good := oidctest.Grant{Subject: "sub-1", Nonce: "nonce-1", Claims: map[string]any{
		"email": "Camille.Martin@caf.fr", "email_verified": true, "given_name": "Camille", "usual_name": "Martin",
		"organisation": "CAF-33", "groups": []string{"autre", "plume-superviseurs", "plume-agents"},
	}}
	tests := []struct {
		name    string
		grant   func(g *oidctest.Grant)
		nonce   string
		wantErr error  // errors.Is target, or nil
		errText string // substring of the error, when wantErr is nil but an error is expected
	}{
		{name: "good token", nonce: "nonce-1"},
		{name: "wrong audience", grant: func(g *oidctest.Grant) { g.Audience = "another-client" }, nonce: "nonce-1", errText: "audience"},
		{name: "expired", grant: func(g *oidctest.Grant) { g.IssuedAt = time.Now().Add(-time.Hour); g.Lifetime = 10 * time.Minute }, nonce: "nonce-1", errText: "expired"},
		{name: "bad nonce", nonce: "nonce-2", wantErr: ErrBadNonce},
		{name: "no nonce expected", nonce: "", wantErr: ErrBadNonce},
		{name: "token without nonce", grant: func(g *oidctest.Grant) { g.Nonce = "" }, nonce: "nonce-1", wantErr: ErrBadNonce},
		{name: "forged signature", grant: func(g *oidctest.Grant) { g.UnknownKey = true }, nonce: "nonce-1", errText: "jeton d'identité refusé"},
		{name: "other issuer", grant: func(g *oidctest.Grant) { g.Issuer = "https://evil.example" }, nonce: "nonce-1", errText: "different provider"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := good
			if tt.grant != nil {
				tt.grant(&g)
			}
			code := "code-" + string(rune('a'+i))
			p.Grant(code, g)
			id, err := o.Exchange(ctx, code, tt.nonce)
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case tt.errText != "":
				if err == nil || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.errText)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				want := Identity{Issuer: p.URL, Subject: "sub-1", Email: "Camille.Martin@caf.fr", EmailVerified: true,
					Name: "Camille Martin", Organisation: "caf-33", OrgClaimValue: "CAF-33", Role: RoleSupervisor}
				if id != want {
					t.Errorf("identity\n got %+v\nwant %+v", id, want)
				}
			}
		})
	}
	// A code works once.
	p.Grant("once", good)
	if _, err := o.Exchange(ctx, "once", "nonce-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Exchange(ctx, "once", "nonce-1"); err == nil {
		t.Error("a code was exchanged twice")
	}
}

func TestOIDCRoleAndOrganisationMapping(t *testing.T) {
	t.Parallel()
	p := oidctest.New(t, "plume", "secret")
	ctx := context.Background()
	tests := []struct {
		name     string
		edit     func(*OIDCConfig)
		claims   map[string]any
		userinfo map[string]any
		role     Role
		org      string
	}{
		{"first mapped group wins", nil, map[string]any{"groups": []string{"plume-agents", "plume-admins"}, "organisation": "caf-33"}, nil, RoleAgent, "caf-33"},
		{"single string claim", nil, map[string]any{"groups": "plume-admins"}, nil, RoleAdmin, ""},
		{"unmapped group, no default", nil, map[string]any{"groups": []string{"compta"}, "organisation": "caf-33"}, nil, "", "caf-33"},
		{"unmapped group, default", func(c *OIDCConfig) { c.DefaultRole = RoleAdviser }, map[string]any{"groups": []string{"compta"}, "organisation": "caf-33"}, nil, RoleAdviser, "caf-33"},
		{"organisation map (ProConnect siret)", func(c *OIDCConfig) {
			c.OrgClaim = "siret"
			c.OrgMap = map[string]string{"53482449500021": "caf-33"}
		}, map[string]any{"groups": "plume-agents", "siret": "53482449500021"}, nil, RoleAgent, "caf-33"},
		{"organisation not in the map", func(c *OIDCConfig) {
			c.OrgClaim = "siret"
			c.OrgMap = map[string]string{"53482449500021": "caf-33"}
		}, map[string]any{"groups": "plume-agents", "siret": "11111111111111"}, nil, RoleAgent, ""},
		{"claims from userinfo", nil, map[string]any{}, map[string]any{"email": "a@caf.fr", "groups": []string{"plume-agents"}, "organisation": "caf-33"}, RoleAgent, "caf-33"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOIDC(t, p, tt.edit)
			claims := map[string]any{"email": "a@caf.fr"}
			if tt.userinfo != nil {
				claims = map[string]any{}
			}
			for k, v := range tt.claims {
				claims[k] = v
			}
			code := "map-" + string(rune('a'+i))
			p.Grant(code, oidctest.Grant{Subject: "s", Nonce: "n", Claims: claims, UserInfo: tt.userinfo})
			id, err := o.Exchange(ctx, code, "n")
			if err != nil {
				t.Fatal(err)
			}
			if id.Role != tt.role || id.Organisation != tt.org || id.Email != "a@caf.fr" {
				t.Errorf("identity %+v, want role %q organisation %q", id, tt.role, tt.org)
			}
		})
	}
}

func TestUpsertOIDCUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := oidctest.New(t, "plume", "secret")
	o := newOIDC(t, p, nil)
	ctx := context.Background()
	login := func(code string, claims map[string]any) (User, error) {
		t.Helper()
		p.Grant(code, oidctest.Grant{Subject: "sub-42", Nonce: "n", Claims: claims})
		id, err := o.Exchange(ctx, code, "n")
		if err != nil {
			t.Fatal(err)
		}
		return f.svc.UpsertOIDCUser(ctx, id)
	}
	u, err := login("c1", map[string]any{"email": "Agent@CAF.fr", "name": "Camille", "organisation": "caf-33", "groups": "plume-agents"})
	if err != nil {
		t.Fatal(err)
	}
	// Only the fields the claims decide are compared: the id comes from the database.
	want := User{Email: "agent@caf.fr", Role: RoleAgent, OrganisationID: f.caf, Name: "Camille"}
	if diff := cmp.Diff(want, User{Email: u.Email, Role: u.Role, OrganisationID: u.OrganisationID, Name: u.Name}); diff != "" {
		t.Errorf("created user (-want +got):\n%s", diff)
	}
	// Same (issuer, subject): the same account, updated from the new claims.
	u2, err := login("c2", map[string]any{"email": "agent@cpam.fr", "name": "Camille M.", "organisation": "cpam-69", "groups": "plume-superviseurs"})
	if err != nil {
		t.Fatal(err)
	}
	want = User{ID: u.ID, Role: RoleSupervisor, OrganisationID: f.cpam, Email: "agent@cpam.fr"}
	if diff := cmp.Diff(want, User{ID: u2.ID, Role: u2.Role, OrganisationID: u2.OrganisationID, Email: u2.Email}); diff != "" {
		t.Errorf("updated user (-want +got):\n%s", diff)
	}
	// The session opened for it works.
	se, err := f.svc.NewSession(ctx, u2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := f.svc.SessionUser(ctx, se.Token); err != nil || got != u2 {
		t.Errorf("SessionUser = %+v, %v", got, err)
	}
	// An OIDC account has no password: password sign-in fails like an unknown user.
	if _, _, err := f.svc.Login(ctx, "agent@cpam.fr", ""); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("password login of an OIDC account: %v", err)
	}
	if _, err := login("c3", map[string]any{"email": "agent@cpam.fr", "organisation": "cnav-75", "groups": "plume-agents"}); !errors.Is(err, ErrUnknownOrganisation) {
		t.Errorf("unknown organisation: %v", err)
	}
	if _, err := login("c4", map[string]any{"email": "agent@cpam.fr", "groups": "plume-agents"}); !errors.Is(err, ErrUnknownOrganisation) {
		t.Errorf("agent without organisation claim: %v", err)
	}
	if _, err := login("c5", map[string]any{"email": "agent@cpam.fr", "organisation": "cpam-69", "groups": "compta"}); !errors.Is(err, ErrNoRole) {
		t.Errorf("no role: %v", err)
	}
	// An email already used by a local account is not merged into the OIDC identity.
	f.addUser(t, "local@caf.fr", RoleAgent, "caf-33")
	p.Grant("c6", oidctest.Grant{Subject: "other-sub", Nonce: "n", Claims: map[string]any{"email": "local@caf.fr", "organisation": "caf-33", "groups": "plume-admins"}})
	id, err := o.Exchange(ctx, "c6", "n")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpsertOIDCUser(ctx, id); err == nil || !strings.Contains(err.Error(), "local@caf.fr") {
		t.Errorf("email of a local account: %v", err)
	}
	local, err := f.svc.UserByEmail(ctx, "local@caf.fr")
	if err != nil || local.Role != RoleAgent {
		t.Errorf("local account after the attempt: %+v, %v", local, err)
	}
	// A disabled account stays disabled.
	if err := f.svc.DisableUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := login("c7", map[string]any{"email": "agent@cpam.fr", "organisation": "cpam-69", "groups": "plume-agents"}); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled: %v", err)
	}
}
