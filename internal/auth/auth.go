// Package auth holds Plume's accounts, roles and audit domain: local passwords with lockout, sessions, API
// tokens, OpenID Connect sign-in, the one role→action table, and the append-only audit log.
// It knows nothing of HTTP: the web layer turns its sessions into cookies and its errors into responses.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/plume-services/plume/internal/fielderr"
	"github.com/plume-services/plume/internal/store"
)

// Errors the web layer maps to responses; their text is French and safe to show.
var (
	// ErrBadCredentials is the same for an unknown email and a wrong password, so sign-in reveals no account.
	ErrBadCredentials = errors.New("adresse électronique ou mot de passe incorrect")
	// ErrLocked follows too many consecutive failures; it lasts Options.LockoutFor.
	ErrLocked = errors.New("compte temporairement verrouillé après trop d'échecs : réessayez plus tard")
	// ErrDisabled is returned to a user whose account an administrator disabled.
	ErrDisabled = errors.New("compte désactivé : contactez votre administrateur")
	// ErrNoSession means the cookie names no live session: sign in again.
	ErrNoSession = errors.New("session absente ou expirée")
	// ErrNoToken means the API token is unknown, revoked or its owner disabled.
	ErrNoToken = errors.New("jeton d'API inconnu ou révoqué")
	// ErrUnknownOrganisation is returned when an account would belong to an organisation Plume does not have.
	ErrUnknownOrganisation = store.ErrUnknownOrganisation
	// ErrNoRole is returned when an OpenID Connect identity maps to no Plume role and no default is set.
	ErrNoRole = errors.New("aucun rôle Plume ne correspond à cette identité")
)

// MinPasswordLen is the shortest password accepted, in characters (ANSSI recommends 12 or more).
const MinPasswordLen = 12

// maxPasswordLen bounds the bytes hashed, so a huge form field cannot cost the server.
const maxPasswordLen = 1024

// FieldErrors maps a form field (email, name, password, role, organisation, scopes) to a French message.
type FieldErrors = fielderr.Errors

// Options tunes a Service; zero fields take the defaults shown.
type Options struct {
	SessionTTL    time.Duration // idle lifetime of a session, extended on each use; default 2h
	SessionMaxAge time.Duration // lifetime of a session however active; default 12h
	MaxFailures   int           // consecutive wrong passwords that lock an account; default 5
	LockoutFor    time.Duration // how long the lock lasts; default 15 min
	Argon2        Argon2Params  // password hashing cost; default DefaultArgon2
	Now           func() time.Time
}

// Service is Plume's accounts domain over the store.
type Service struct {
	st   *store.Store
	opts Options

	dummyOnce sync.Once
	dummyHash string
}

// New returns a Service on st, filling the defaults of opts.
func New(st *store.Store, opts Options) *Service {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 2 * time.Hour
	}
	if opts.SessionMaxAge <= 0 {
		opts.SessionMaxAge = 12 * time.Hour
	}
	opts.SessionMaxAge = max(opts.SessionMaxAge, opts.SessionTTL)
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = 5
	}
	if opts.LockoutFor <= 0 {
		opts.LockoutFor = 15 * time.Minute
	}
	if opts.Argon2 == (Argon2Params{}) {
		opts.Argon2 = DefaultArgon2
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{st: st, opts: opts}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Microsecond) }

// NewUser is what AddUser needs to create a local account.
type NewUser struct {
	Email            string
	Name             string
	Password         string
	Role             Role
	OrganisationSlug string // empty only for an admin
}

// AddUser validates and creates a local account with an argon2id password hash.
// Invalid input is a FieldErrors naming each bad field.
func (s *Service) AddUser(ctx context.Context, nu NewUser) (User, error) {
	email := normaliseEmail(nu.Email)
	name := strings.TrimSpace(nu.Name)
	slug := strings.ToLower(strings.TrimSpace(nu.OrganisationSlug))
	fe := FieldErrors{}
	if msg := checkEmail(email); msg != "" {
		fe["email"] = msg
	}
	switch {
	case name == "":
		fe["name"] = "le nom est obligatoire"
	case utf8.RuneCountInString(name) > 200:
		fe["name"] = "le nom dépasse 200 caractères"
	}
	switch {
	case utf8.RuneCountInString(nu.Password) < MinPasswordLen:
		fe["password"] = fmt.Sprintf("le mot de passe doit compter au moins %d caractères", MinPasswordLen)
	case len(nu.Password) > maxPasswordLen:
		fe["password"] = fmt.Sprintf("le mot de passe dépasse %d octets", maxPasswordLen)
	}
	if !nu.Role.Valid() {
		fe["role"] = fmt.Sprintf("rôle %q inconnu : %s attendu", nu.Role, roleList())
	}
	if slug == "" && nu.Role != RoleAdmin {
		fe["organisation"] = "l'organisation est obligatoire (sauf pour un administrateur)"
	}
	if len(fe) > 0 {
		return User{}, fe
	}
	hash, err := HashPassword(nu.Password, s.opts.Argon2)
	if err != nil {
		return User{}, err
	}
	row, err := s.st.InsertUser(ctx, store.NewUser{
		OrganisationSlug: slug, Email: email, Name: name, Role: string(nu.Role), PasswordHash: hash,
	})
	switch {
	case errors.Is(err, store.ErrEmailTaken):
		return User{}, FieldErrors{"email": "un compte existe déjà avec cette adresse"}
	case errors.Is(err, store.ErrUnknownOrganisation):
		return User{}, FieldErrors{"organisation": fmt.Sprintf("organisation « %s » inconnue", slug)}
	case err != nil:
		return User{}, err
	}
	u := userFrom(row)
	s.audit(ctx, Event{Action: "user.create", ObjectType: "user", ObjectID: fmt.Sprint(u.ID),
		OrganisationID: u.OrganisationID, Details: map[string]any{"email": u.Email, "role": string(u.Role), "method": "password"}})
	return u, nil
}

func normaliseEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func checkEmail(email string) string {
	if email == "" {
		return "l'adresse électronique est obligatoire"
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return fmt.Sprintf("adresse électronique %q invalide", email)
	}
	return ""
}

func roleList() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func userFrom(r store.User) User {
	u := User{
		ID: r.ID, OrganisationID: r.OrganisationID, OrganisationSlug: r.OrganisationSlug,
		OrganisationName: r.OrganisationName, Email: r.Email, Name: r.Name, Role: Role(r.Role),
	}
	if r.OrganisationKind == "france-services" {
		u.Network = r.OrganisationSlug
	}
	return u
}

// dummyVerify spends the time of one password verification, so an unknown email answers as slowly as a
// known one.
func (s *Service) dummyVerify(password string) {
	s.dummyOnce.Do(func() {
		s.dummyHash, _ = HashPassword("plume-dummy-password", s.opts.Argon2)
	})
	_, _, _ = VerifyPassword(password, s.dummyHash)
}

// Login checks an email and password and opens a session.
// It returns ErrBadCredentials for an unknown email and a wrong password alike, ErrLocked once MaxFailures
// consecutive failures lock the account (and for the rest of LockoutFor, without checking the password), and
// ErrDisabled for a correct password on a disabled account. A success resets the failure count.
func (s *Service) Login(ctx context.Context, email, password string) (User, Session, error) {
	email = normaliseEmail(email)
	now := s.now()
	if len(password) > maxPasswordLen {
		password = password[:maxPasswordLen]
	}
	row, err := s.st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && row.PasswordHash == "") {
		s.dummyVerify(password)
		actor := email
		if checkEmail(email) != "" {
			actor = "(identifiant invalide)" // users sometimes type their password in the email field
		}
		s.audit(ctx, Event{UserID: row.ID, Actor: actor, Action: "auth.login_failed", Details: map[string]any{"reason": "unknown"}})
		return User{}, Session{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("auth: login: %w", err)
	}
	u := userFrom(row)
	if row.LockedUntil != nil && row.LockedUntil.After(now) {
		s.dummyVerify(password)
		s.audit(ctx, Event{UserID: u.ID, Action: "auth.login_refused", OrganisationID: u.OrganisationID, Details: map[string]any{"reason": "locked"}})
		return User{}, Session{}, ErrLocked
	}
	ok, params, err := VerifyPassword(password, row.PasswordHash)
	if err != nil {
		return User{}, Session{}, fmt.Errorf("auth: login %s: %w", email, err)
	}
	if !ok {
		locked, err := s.st.RecordLoginFailure(ctx, u.ID, s.opts.MaxFailures, now.Add(s.opts.LockoutFor))
		if err != nil {
			return User{}, Session{}, fmt.Errorf("auth: login: %w", err)
		}
		s.audit(ctx, Event{UserID: u.ID, Action: "auth.login_failed", OrganisationID: u.OrganisationID,
			Details: map[string]any{"reason": "password", "locked": locked}})
		if locked {
			return User{}, Session{}, ErrLocked
		}
		return User{}, Session{}, ErrBadCredentials
	}
	if row.DisabledAt != nil {
		s.audit(ctx, Event{UserID: u.ID, Action: "auth.login_refused", OrganisationID: u.OrganisationID, Details: map[string]any{"reason": "disabled"}})
		return User{}, Session{}, ErrDisabled
	}
	if err := s.st.ResetLoginFailures(ctx, u.ID); err != nil {
		return User{}, Session{}, fmt.Errorf("auth: login: %w", err)
	}
	if params.weaker(s.opts.Argon2) {
		if h, err := HashPassword(password, s.opts.Argon2); err == nil {
			_ = s.st.SetPasswordHash(ctx, u.ID, h) // the old hash still works if this fails
		}
	}
	se, err := s.NewSession(ctx, u.ID)
	if err != nil {
		return User{}, Session{}, err
	}
	s.audit(ctx, Event{UserID: u.ID, Action: "auth.login", OrganisationID: u.OrganisationID, Details: map[string]any{"method": "password"}})
	return u, se, nil
}

// Session is a signed-in browser. Token is the raw cookie value (32 random bytes, base64url), returned only
// here: the database keeps its SHA-256. CSRF is the token forms must echo.
type Session struct {
	Token     string
	CSRF      string
	UserID    int64
	ExpiresAt time.Time
}

const sessionTokenBytes = 32

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewNonce returns 32 random bytes, base64url: for OpenID Connect state and nonce values.
func NewNonce() (string, error) { return randomToken(32) }

func hashToken(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

// NewSession opens a session for a user already authenticated, by password (Login) or OpenID Connect.
func (s *Service) NewSession(ctx context.Context, userID int64) (Session, error) {
	tok, err := randomToken(sessionTokenBytes)
	if err != nil {
		return Session{}, err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	row := store.Session{TokenHash: hashToken(tok), UserID: userID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL), LastSeenAt: now}
	if err := s.st.InsertSession(ctx, row); err != nil {
		return Session{}, fmt.Errorf("auth: new session: %w", err)
	}
	return Session{Token: tok, CSRF: csrf, UserID: userID, ExpiresAt: row.ExpiresAt}, nil
}

// SessionUser returns the user and session a cookie value names, and slides the session's expiry
// (never past SessionMaxAge after sign-in). A missing, expired or disabled user's session is ErrNoSession.
func (s *Service) SessionUser(ctx context.Context, token string) (User, Session, error) {
	if b, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(b) != sessionTokenBytes {
		return User{}, Session{}, ErrNoSession
	}
	now := s.now()
	row, err := s.st.TouchSession(ctx, hashToken(token), now, now.Add(s.opts.SessionTTL), s.opts.SessionMaxAge)
	if errors.Is(err, store.ErrNotFound) {
		return User{}, Session{}, ErrNoSession
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("auth: session: %w", err)
	}
	ur, err := s.st.UserByID(ctx, row.UserID)
	if err != nil {
		return User{}, Session{}, fmt.Errorf("auth: session: %w", err)
	}
	if ur.DisabledAt != nil {
		_, _ = s.st.DeleteSession(ctx, row.TokenHash)
		return User{}, Session{}, ErrNoSession
	}
	return userFrom(ur), Session{Token: token, CSRF: row.CSRF, UserID: row.UserID, ExpiresAt: row.ExpiresAt}, nil
}

// Logout ends the session the cookie value names; ending a session that does not exist is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	userID, err := s.st.DeleteSession(ctx, hashToken(token))
	if err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	if userID != 0 {
		s.audit(ctx, Event{UserID: userID, Action: "auth.logout"})
	}
	return nil
}

// PurgeSessions deletes expired sessions and returns how many; run it periodically.
func (s *Service) PurgeSessions(ctx context.Context) (int, error) {
	n, err := s.st.PurgeSessions(ctx, s.now())
	if err != nil {
		return 0, fmt.Errorf("auth: %w", err)
	}
	return n, nil
}

// UserByEmail returns the account with that email, or an error wrapping store.ErrNotFound.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	r, err := s.st.UserByEmail(ctx, normaliseEmail(email))
	if err != nil {
		return User{}, fmt.Errorf("auth: %w", err)
	}
	return userFrom(r), nil
}

// Account is a user with the state an administrator needs to see.
type Account struct {
	User
	HasPassword bool
	OIDCIssuer  string // set for accounts created through OpenID Connect
	LockedUntil *time.Time
	DisabledAt  *time.Time
	CreatedAt   time.Time
}

// Accounts lists every account, by organisation then email.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := s.st.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	out := make([]Account, len(rows))
	for i, r := range rows {
		out[i] = Account{User: userFrom(r), HasPassword: r.PasswordHash != "", OIDCIssuer: r.OIDCIssuer,
			LockedUntil: r.LockedUntil, DisabledAt: r.DisabledAt, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// DisableUser disables an account and ends its sessions; its API tokens stop working too.
func (s *Service) DisableUser(ctx context.Context, userID int64) error {
	if err := s.st.DisableUser(ctx, userID, s.now()); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	s.audit(ctx, Event{Action: "user.disable", ObjectType: "user", ObjectID: fmt.Sprint(userID)})
	return nil
}

// Token is an API token as shown to its owner; the raw value exists only in CreateToken's result.
type Token struct {
	ID         int64
	Name       string
	Scopes     []string // Action values
	UserID     int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Allows reports whether the token's scopes include the action. A request made with a token may do an action
// only if both the token allows it and its owner Can do it.
func (t Token) Allows(a Action) bool { return slices.Contains(t.Scopes, string(a)) }

// TokenPrefix starts every raw API token, so leaked tokens are recognisable (secret scanners, logs).
const TokenPrefix = "plm_"

func tokenFrom(r store.APIToken) Token {
	return Token{ID: r.ID, Name: r.Name, Scopes: r.Scopes, UserID: r.UserID, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
}

// CreateToken creates an API token for the user and returns the raw value, to be shown once.
// Scopes are Action values the owner's role allows; anything else is a FieldErrors.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string, scopes []string) (string, Token, error) {
	ur, err := s.st.UserByID(ctx, userID)
	if err != nil {
		return "", Token{}, fmt.Errorf("auth: create token: %w", err)
	}
	u := userFrom(ur)
	name = strings.TrimSpace(name)
	fe := FieldErrors{}
	switch {
	case name == "":
		fe["name"] = "le nom du jeton est obligatoire"
	case utf8.RuneCountInString(name) > 100:
		fe["name"] = "le nom du jeton dépasse 100 caractères"
	}
	var clean []string
	for _, sc := range scopes {
		sc = strings.TrimSpace(sc)
		if sc == "" || slices.Contains(clean, sc) {
			continue
		}
		a := Action(sc)
		if !a.Valid() {
			fe["scopes"] = fmt.Sprintf("portée %q inconnue", sc)
			break
		}
		if !u.Can(a) {
			fe["scopes"] = fmt.Sprintf("le rôle %s ne permet pas la portée %q", u.Role, sc)
			break
		}
		clean = append(clean, sc)
	}
	if len(clean) == 0 && fe["scopes"] == "" {
		fe["scopes"] = "au moins une portée est obligatoire"
	}
	if ur.DisabledAt != nil {
		fe["user"] = "compte désactivé"
	}
	if len(fe) > 0 {
		return "", Token{}, fe
	}
	sort.Strings(clean)
	secret, err := randomToken(32)
	if err != nil {
		return "", Token{}, err
	}
	raw := TokenPrefix + secret
	row, err := s.st.InsertToken(ctx, store.APIToken{UserID: userID, Name: name, TokenHash: hashToken(raw), Scopes: clean, CreatedAt: s.now()})
	if err != nil {
		return "", Token{}, fmt.Errorf("auth: create token: %w", err)
	}
	t := tokenFrom(row)
	s.audit(ctx, Event{UserID: userID, Action: "token.create", ObjectType: "api_token", ObjectID: fmt.Sprint(t.ID),
		OrganisationID: u.OrganisationID, Details: map[string]any{"name": name, "scopes": clean}})
	return raw, t, nil
}

// TokenUser returns the owner and token of a raw API token and stamps its last use.
// Unknown, revoked and disabled owners' tokens are ErrNoToken.
func (s *Service) TokenUser(ctx context.Context, raw string) (User, Token, error) {
	secret, ok := strings.CutPrefix(raw, TokenPrefix)
	if b, err := base64.RawURLEncoding.DecodeString(secret); !ok || err != nil || len(b) != 32 {
		return User{}, Token{}, ErrNoToken
	}
	row, err := s.st.UseToken(ctx, hashToken(raw), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return User{}, Token{}, ErrNoToken
	}
	if err != nil {
		return User{}, Token{}, fmt.Errorf("auth: token: %w", err)
	}
	ur, err := s.st.UserByID(ctx, row.UserID)
	if err != nil {
		return User{}, Token{}, fmt.Errorf("auth: token: %w", err)
	}
	if ur.DisabledAt != nil {
		return User{}, Token{}, ErrNoToken
	}
	return userFrom(ur), tokenFrom(row), nil
}

// RevokeToken revokes one of the user's tokens; another user's token, or an unknown id, is ErrNoToken.
func (s *Service) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	err := s.st.RevokeToken(ctx, userID, tokenID, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoToken
	}
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	s.audit(ctx, Event{UserID: userID, Action: "token.revoke", ObjectType: "api_token", ObjectID: fmt.Sprint(tokenID)})
	return nil
}

// ListTokens returns the user's tokens, revoked ones included, newest first.
func (s *Service) ListTokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.st.ListTokens(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = tokenFrom(r)
	}
	return out, nil
}
