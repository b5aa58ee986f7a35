package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/auth/oidctest"
	"github.com/plume-services/plume/internal/store/storetest"
	"github.com/plume-services/plume/internal/web"
)

// TestOIDCSignIn follows the browser through Plume's OpenID Connect sign-in against a fake provider: redirect
// with state and nonce, callback, session cookie; a forged state and an unknown organisation are refused.
func TestOIDCSignIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.NewDB(t)
	if _, err := st.EnsureOrganisation(ctx, "caf-33", "CAF de la Gironde", "caf"); err != nil {
		t.Fatal(err)
	}
	p := oidctest.New(t, "plume", "secret")
	o, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: p.URL, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		RedirectURL: "http://plume.test/auth/callback", OrgClaim: "organisation", RoleClaim: "groups",
		RoleMap: map[string]auth.Role{"plume-agents": auth.RoleAgent}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Deps{Config: testConfig(t), Store: st, Auth: auth.New(st, auth.Options{}), OIDC: o})
	if err != nil {
		t.Fatal(err)
	}
	do := func(target string, cookies []*http.Cookie) *http.Response {
		req := httptest.NewRequest("GET", target, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Result()
	}
	start := func() (state, nonce string, cookies []*http.Cookie) {
		res := do("/auth/oidc?suite=/avis", nil)
		if res.StatusCode != http.StatusFound {
			t.Fatalf("GET /auth/oidc = %d", res.StatusCode)
		}
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil || !strings.HasPrefix(loc.String(), p.URL) {
			t.Fatalf("redirect to %q, want the provider", res.Header.Get("Location"))
		}
		return loc.Query().Get("state"), loc.Query().Get("nonce"), res.Cookies()
	}

	state, nonce, cookies := start()
	p.Grant("code-1", oidctest.Grant{Subject: "sub-1", Nonce: nonce, Claims: map[string]any{
		"email": "camille.martin@caf.fr", "email_verified": true, "name": "Camille Martin",
		"organisation": "caf-33", "groups": []string{"plume-agents"}}})
	res := do("/auth/callback?code=code-1&state="+url.QueryEscape(state), cookies)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/avis" {
		t.Fatalf("callback = %d to %q, want 303 to /avis", res.StatusCode, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "plume_session" && c.Value != "" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("no HttpOnly, SameSite session cookie: %+v", res.Cookies())
	}
	if res := do("/", []*http.Cookie{session}); res.StatusCode != http.StatusOK {
		t.Errorf("home with the new session = %d", res.StatusCode)
	}

	// A callback whose state does not match the browser's cookie is refused.
	_, nonce, cookies = start()
	p.Grant("code-2", oidctest.Grant{Subject: "sub-1", Nonce: nonce, Claims: map[string]any{"organisation": "caf-33", "groups": []string{"plume-agents"}}})
	if res := do("/auth/callback?code=code-2&state=forged", cookies); res.StatusCode != http.StatusBadRequest {
		t.Errorf("forged state = %d, want 400", res.StatusCode)
	}

	// An identity from an organisation Plume does not have gets no account.
	state, nonce, cookies = start()
	p.Grant("code-3", oidctest.Grant{Subject: "sub-2", Nonce: nonce, Claims: map[string]any{
		"email": "x@cpam.fr", "organisation": "cpam-69", "groups": []string{"plume-agents"}}})
	if res := do("/auth/callback?code=code-3&state="+url.QueryEscape(state), cookies); res.StatusCode != http.StatusForbidden {
		t.Errorf("unknown organisation = %d, want 403", res.StatusCode)
	}
}
