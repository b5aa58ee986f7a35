package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/plume-services/plume/internal/store"
)

// ErrBadNonce is returned when the ID token does not carry the nonce of the sign-in that asked for it:
// a replayed or injected token.
var ErrBadNonce = errors.New("oidc : nonce du jeton d'identité invalide")

// OIDCConfig describes an OpenID Connect provider (ProConnect or any other) and how its claims map to Plume.
type OIDCConfig struct {
	Issuer       string // exact issuer URL; discovery reads Issuer + "/.well-known/openid-configuration"
	ClientID     string
	ClientSecret string
	RedirectURL  string   // Plume's callback URL, as registered with the provider
	Scopes       []string // default: openid email profile; "openid" is always added
	// OrgClaim names the claim that says which organisation the user belongs to (ProConnect: "siret").
	OrgClaim string
	// OrgMap translates OrgClaim values to organisation slugs; when empty the value, lower-cased, is the slug.
	OrgMap map[string]string
	// RoleClaim names the claim (a string or a list of strings) that carries the user's groups or roles.
	RoleClaim string
	// RoleMap translates RoleClaim values to roles; the first value of the claim that maps wins.
	RoleMap map[string]Role
	// DefaultRole is given when no value maps; empty refuses such users (ErrNoRole).
	DefaultRole Role
	HTTPClient  *http.Client     // default http.DefaultClient
	Now         func() time.Time // for tests; default time.Now
}

// OIDC signs users in through an OpenID Connect provider: authorisation code flow, ID token verified by
// signature, issuer, audience, expiry and nonce.
type OIDC struct {
	cfg      OIDCConfig
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// Identity is who the provider says signed in, with organisation and role already mapped.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Organisation  string // organisation slug from OrgClaim through OrgMap; empty when the claim is absent
	OrgClaimValue string // the raw value, for error messages and audit
	Role          Role   // from RoleClaim through RoleMap, else DefaultRole; empty when neither applies
}

// NewOIDC discovers the provider's endpoints and keys at cfg.Issuer.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("oidc : OIDC_ISSUER manquant")
	case cfg.ClientID == "":
		return nil, errors.New("oidc : OIDC_CLIENT_ID manquant")
	case cfg.RedirectURL == "":
		return nil, errors.New("oidc : OIDC_REDIRECT_URL manquant")
	case cfg.DefaultRole != "" && !cfg.DefaultRole.Valid():
		return nil, fmt.Errorf("oidc : rôle par défaut %q inconnu", cfg.DefaultRole)
	}
	for k, r := range cfg.RoleMap {
		if !r.Valid() {
			return nil, fmt.Errorf("oidc : la valeur %q est associée au rôle inconnu %q", k, r)
		}
	}
	ctx = cfg.clientContext(ctx)
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc : découverte de %s : %w", cfg.Issuer, err)
	}
	scopes := []string{oidc.ScopeOpenID}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"email", "profile"}
	}
	for _, s := range cfg.Scopes {
		if s != oidc.ScopeOpenID {
			scopes = append(scopes, s)
		}
	}
	return &OIDC{
		cfg:      cfg,
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: cfg.Now}),
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: scopes,
		},
	}, nil
}

func (c OIDCConfig) clientContext(ctx context.Context) context.Context {
	if c.HTTPClient != nil {
		return oidc.ClientContext(ctx, c.HTTPClient)
	}
	return ctx
}

// AuthCodeURL is where to send the browser to sign in; state and nonce must be fresh random values
// (NewNonce) that the callback checks: state against the cookie, nonce through Exchange.
func (o *OIDC) AuthCodeURL(state, nonce string) string {
	return o.oauth.AuthCodeURL(state, oidc.Nonce(nonce))
}

// Exchange trades the callback's code for tokens and returns the verified identity. The ID token's
// signature, issuer, audience and expiry are checked by go-oidc, its nonce here; claims missing from the ID
// token are read from the userinfo endpoint when the provider has one (ProConnect puts them there).
func (o *OIDC) Exchange(ctx context.Context, code, nonce string) (Identity, error) {
	ctx = o.cfg.clientContext(ctx)
	tok, err := o.oauth.Exchange(ctx, code)
	if err != nil {
		return Identity{}, fmt.Errorf("oidc : échange du code : %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, errors.New("oidc : le fournisseur n'a pas renvoyé de jeton d'identité")
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("oidc : jeton d'identité refusé : %w", err)
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return Identity{}, ErrBadNonce
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("oidc : revendications illisibles : %w", err)
	}
	if o.missing(claims) && o.provider.UserInfoEndpoint() != "" {
		ui, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return Identity{}, fmt.Errorf("oidc : userinfo : %w", err)
		}
		if ui.Subject != idt.Subject {
			return Identity{}, errors.New("oidc : userinfo concerne un autre utilisateur que le jeton d'identité")
		}
		extra := map[string]any{}
		if err := ui.Claims(&extra); err != nil {
			return Identity{}, fmt.Errorf("oidc : userinfo illisible : %w", err)
		}
		for k, v := range extra {
			if _, ok := claims[k]; !ok {
				claims[k] = v
			}
		}
	}
	return o.identity(idt.Issuer, idt.Subject, claims), nil
}

// missing reports whether a claim Plume needs is absent from the ID token.
func (o *OIDC) missing(claims map[string]any) bool {
	for _, k := range []string{"email", o.cfg.OrgClaim, o.cfg.RoleClaim} {
		if _, ok := claims[k]; k != "" && !ok {
			return true
		}
	}
	return false
}

func (o *OIDC) identity(issuer, subject string, claims map[string]any) Identity {
	id := Identity{Issuer: issuer, Subject: subject}
	id.Email, _ = claims["email"].(string)
	id.EmailVerified, _ = claims["email_verified"].(bool)
	id.Name, _ = claims["name"].(string)
	if id.Name == "" {
		// ProConnect: given_name and usual_name.
		given, _ := claims["given_name"].(string)
		family, _ := claims["usual_name"].(string)
		if family == "" {
			family, _ = claims["family_name"].(string)
		}
		id.Name = strings.TrimSpace(given + " " + family)
	}
	if o.cfg.OrgClaim != "" {
		if v := claimStrings(claims[o.cfg.OrgClaim]); len(v) > 0 {
			id.OrgClaimValue = v[0]
			if len(o.cfg.OrgMap) > 0 {
				id.Organisation = o.cfg.OrgMap[v[0]]
			} else {
				id.Organisation = strings.ToLower(v[0])
			}
		}
	}
	id.Role = o.cfg.DefaultRole
	if o.cfg.RoleClaim != "" {
		for _, v := range claimStrings(claims[o.cfg.RoleClaim]) {
			if r, ok := o.cfg.RoleMap[v]; ok {
				id.Role = r
				break
			}
		}
	}
	return id
}

// claimStrings reads a claim that is a string, a number or a list of them.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case float64:
		return []string{fmt.Sprintf("%.0f", v)}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, claimStrings(e)...)
		}
		return out
	}
	return nil
}

// UpsertOIDCUser creates or refreshes the account of a verified identity, keyed by (issuer, subject): email,
// name, role and organisation follow the provider's claims at every sign-in. It returns ErrUnknownOrganisation
// when the organisation claim names no organisation of Plume (or is absent for a non-admin), ErrNoRole when no
// role maps, ErrDisabled for a disabled account, and refuses an email already used by another account rather
// than merging them.
func (s *Service) UpsertOIDCUser(ctx context.Context, id Identity) (User, error) {
	if id.Issuer == "" || id.Subject == "" {
		return User{}, errors.New("oidc : identité sans émetteur ni sujet")
	}
	if !id.Role.Valid() {
		return User{}, ErrNoRole
	}
	email := normaliseEmail(id.Email)
	if msg := checkEmail(email); msg != "" {
		return User{}, fmt.Errorf("oidc : identité sans adresse électronique valable (%s)", msg)
	}
	slug := strings.ToLower(strings.TrimSpace(id.Organisation))
	if slug == "" && (id.Role != RoleAdmin || id.OrgClaimValue != "") {
		return User{}, fmt.Errorf("%w : « %s »", ErrUnknownOrganisation, id.OrgClaimValue)
	}
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name = email
	}
	if prev, err := s.st.UserByOIDC(ctx, id.Issuer, id.Subject); err == nil && prev.DisabledAt != nil {
		return User{}, ErrDisabled
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return User{}, fmt.Errorf("auth: oidc user: %w", err)
	}
	row, err := s.st.UpsertOIDCUser(ctx, store.NewUser{
		OrganisationSlug: slug, Email: email, Name: name, Role: string(id.Role), OIDCIssuer: id.Issuer, OIDCSubject: id.Subject,
	})
	switch {
	case errors.Is(err, store.ErrUnknownOrganisation):
		return User{}, fmt.Errorf("%w : « %s »", ErrUnknownOrganisation, slug)
	case errors.Is(err, store.ErrEmailTaken):
		return User{}, fmt.Errorf("oidc : un autre compte utilise déjà l'adresse %s", email)
	case err != nil:
		return User{}, fmt.Errorf("auth: oidc user: %w", err)
	}
	u := userFrom(row)
	s.audit(ctx, Event{UserID: u.ID, Action: "auth.login", OrganisationID: u.OrganisationID,
		Details: map[string]any{"method": "oidc", "issuer": id.Issuer, "role": string(u.Role)}})
	return u, nil
}
