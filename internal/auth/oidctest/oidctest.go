// Package oidctest runs a fake OpenID Connect provider on an httptest server: discovery, an authorisation
// endpoint that signs a browser in as the identity queued for it, JWKS, a token endpoint that returns RS256-signed
// ID tokens for identities a test scripts, and userinfo.
package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/plume-services/plume/internal/testscope"
)

// Grant is the identity the token endpoint answers for one authorisation code.
type Grant struct {
	Subject string
	Nonce   string
	// Claims are added to the ID token (email, name, the organisation and role claims…).
	Claims map[string]any
	// UserInfo is served by /userinfo, with "sub", for this grant's access token.
	UserInfo map[string]any
	Audience string        // default: the provider's client id
	Issuer   string        // default: the provider's URL
	IssuedAt time.Time     // default: now
	Lifetime time.Duration // default 5 minutes; negative issues a token already expired
	// UnknownKey signs the ID token with a key absent from the JWKS, as a forger would.
	UnknownKey bool
}

// Provider is a running fake provider; URL is its issuer.
type Provider struct {
	URL          string
	ClientID     string
	ClientSecret string

	mu       sync.Mutex
	grants   map[string]Grant
	userinfo map[string]Grant // by access token
	logins   []Grant          // the identities the next authorisation requests sign in as, in order
}

var (
	keysOnce     sync.Once
	signingKey   *rsa.PrivateKey
	forgerKey    *rsa.PrivateKey
	errKeyCreate error
)

const keyID = "plume-test-key"

func keys(tb testscope.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	tb.Helper()
	// Generated once per test binary: RSA key generation is the slow part of starting a provider.
	keysOnce.Do(func() {
		signingKey, errKeyCreate = rsa.GenerateKey(rand.Reader, 2048)
		if errKeyCreate == nil {
			forgerKey, errKeyCreate = rsa.GenerateKey(rand.Reader, 2048)
		}
	})
	if errKeyCreate != nil {
		tb.Fatalf("oidctest: RSA key: %v", errKeyCreate)
	}
	return signingKey, forgerKey
}

// New starts a provider for one client, stopped when tb ends.
func New(tb testscope.TB, clientID, clientSecret string) *Provider {
	tb.Helper()
	key, forger := keys(tb)
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, grants: map[string]Grant{}, userinfo: map[string]Grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                p.URL,
			"authorization_endpoint":                p.URL + "/authorize",
			"token_endpoint":                        p.URL + "/token",
			"userinfo_endpoint":                     p.URL + "/userinfo",
			"jwks_uri":                              p.URL + "/jwks",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		pub := key.PublicKey
		writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
			"kty": "RSA", "use": "sig", "alg": "RS256", "kid": keyID,
			"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
		}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != p.ClientID || secret != p.ClientSecret {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
			return
		}
		if r.PostForm.Get("grant_type") != "authorization_code" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
			return
		}
		p.mu.Lock()
		g, ok := p.grants[r.PostForm.Get("code")]
		delete(p.grants, r.PostForm.Get("code")) // codes are single-use
		p.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
		signer := key
		if g.UnknownKey {
			signer = forger
		}
		idToken, err := p.idToken(g, signer)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
			return
		}
		at := b64(randomBytes(24))
		p.mu.Lock()
		p.userinfo[at] = g
		p.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token": at, "token_type": "Bearer", "expires_in": 300, "id_token": idToken,
		})
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		at, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		p.mu.Lock()
		g, ok := p.userinfo[at]
		p.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
			return
		}
		claims := map[string]any{"sub": g.Subject}
		for k, v := range g.UserInfo {
			claims[k] = v
		}
		writeJSON(w, http.StatusOK, claims)
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// SignInAs queues the identity the next authorisation request signs in as, as a person would at the provider's
// login page: the browser goes back to the client with a code for g, carrying the nonce of the request.
func (p *Provider) SignInAs(g Grant) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logins = append(p.logins, g)
}

// authorize answers an authorisation request with the next queued identity, or with access_denied (the person
// cancelled at the provider) when none is queued.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !back.IsAbs() || q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	p.mu.Lock()
	var g Grant
	ok := len(p.logins) > 0
	if ok {
		g, p.logins = p.logins[0], p.logins[1:]
	}
	p.mu.Unlock()
	v := back.Query()
	v.Set("state", q.Get("state"))
	if ok {
		code := b64(randomBytes(16))
		g.Nonce = q.Get("nonce")
		p.Grant(code, g)
		v.Set("code", code)
	} else {
		v.Set("error", "access_denied")
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// Grant scripts the identity the token endpoint returns for code; each code works once.
func (p *Provider) Grant(code string, g Grant) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.grants[code] = g
}

func (p *Provider) idToken(g Grant, key *rsa.PrivateKey) (string, error) {
	iat := g.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	life := g.Lifetime
	if life == 0 {
		life = 5 * time.Minute
	}
	claims := map[string]any{}
	for k, v := range g.Claims {
		claims[k] = v
	}
	claims["iss"] = or(g.Issuer, p.URL)
	claims["sub"] = g.Subject
	claims["aud"] = or(g.Audience, p.ClientID)
	claims["iat"] = iat.Unix()
	claims["exp"] = iat.Add(life).Unix()
	if g.Nonce != "" {
		claims["nonce"] = g.Nonce
	}
	return SignRS256(key, keyID, claims)
}

// SignRS256 returns a compact JWS of claims signed with key (RFC 7515, RS256).
func SignRS256(key *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signing := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
