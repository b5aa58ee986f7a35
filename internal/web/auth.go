package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/auth"
)

const (
	sessionCookie = "plume_session"
	oidcCookie    = "plume_oidc"
	ctxUser       = "plume.user"
	ctxSession    = "plume.session"
	ctxToken      = "plume.token"
)

// authenticate identifies the caller by session cookie or by API token (Authorization: Bearer plm_…); it lets
// anonymous requests through, and require decides what they may reach.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if s.auth == nil {
			return next(c)
		}
		ctx := auth.WithClientIP(c.Request().Context(), c.RealIP())
		// The lookup is bounded like a statement: a database that does not answer (black-holed) fails it in time.
		lookup, cancel := s.dbBound(ctx)
		defer cancel()
		if raw, ok := bearerToken(c.Request().Header.Get("Authorization")); ok {
			u, tok, err := s.auth.TokenUser(lookup, raw)
			switch {
			case errors.Is(err, auth.ErrNoToken):
				return err
			case err != nil:
				return fmt.Errorf("%w : %w", errAuthUnavailable, err)
			}
			c.Set(ctxUser, u)
			c.Set(ctxToken, tok)
		} else if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			u, se, err := s.auth.SessionUser(lookup, ck.Value)
			switch {
			case errors.Is(err, auth.ErrNoSession):
				s.clearCookie(c, sessionCookie)
			case err != nil:
				// The session may well be valid: keep the cookie, the person is not signed out by an outage.
				return fmt.Errorf("%w : %w", errAuthUnavailable, err)
			default:
				c.Set(ctxUser, u)
				c.Set(ctxSession, se)
			}
		}
		if u, ok := userOf(c); ok {
			ctx = auth.WithActor(ctx, u)
		}
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// bearerToken reads « Authorization: Bearer <token> »; the scheme is case-insensitive (RFC 9110 §11.1), so
// « bearer » and « BEARER » are accepted too.
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// userOf returns the signed-in user, if any.
func userOf(c *echo.Context) (auth.User, bool) {
	u, ok := c.Get(ctxUser).(auth.User)
	return u, ok
}

// require lets through only callers allowed to do action: the single place where roles gate routes, for pages
// and API alike. Organisation scoping is the other half, done where a resource is loaded (see reviewFor).
func (s *Server) require(action auth.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			u, ok := userOf(c)
			if !ok {
				return errSignIn
			}
			if !u.Can(action) {
				return errRoleForbidden
			}
			if tok, isToken := c.Get(ctxToken).(auth.Token); isToken && !tok.Allows(action) {
				return &scopeError{Action: action}
			}
			return next(c)
		}
	}
}

// requireUser lets through any signed-in user or API token, whatever the role.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if _, ok := userOf(c); !ok {
			return errSignIn
		}
		return next(c)
	}
}

// checkCSRF rejects state-changing requests of a cookie session that do not echo its token, in a form field or
// the X-CSRF-Token header that htmx sends. API tokens are not sent by browsers on their own, so they need none.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		se, ok := c.Get(ctxSession).(auth.Session)
		if !ok {
			return next(c)
		}
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			sent = c.FormValue("csrf")
		}
		if subtle.ConstantTimeCompare([]byte(sent), []byte(se.CSRF)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// loginLimiter bounds sign-in attempts per address; the account lockout bounds them per account.
func (s *Server) loginLimiter() echo.MiddlewareFunc {
	return s.rateLimit(func(c *echo.Context) (string, int) {
		return "login:" + c.RealIP(), s.cfg.LoginRatePerMin
	})
}

// draftLimiter bounds the drafts and answers a caller asks for, since each may cost a model call: per API token
// (PLUME_TOKEN_RATE, an integration serving a whole site) or per signed-in user (PLUME_DRAFT_RATE).
func (s *Server) draftLimiter() echo.MiddlewareFunc {
	return s.rateLimit(func(c *echo.Context) (string, int) {
		if tok, ok := c.Get(ctxToken).(auth.Token); ok {
			return "draft:t" + strconv.FormatInt(tok.ID, 10), s.cfg.TokenRatePerMin
		}
		if u, ok := userOf(c); ok {
			return "draft:u" + strconv.FormatInt(u.ID, 10), s.cfg.DraftRatePerMin
		}
		return "draft:ip" + c.RealIP(), s.cfg.DraftRatePerMin
	})
}

// rateWindow is the window every rate limit counts in.
const rateWindow = time.Minute

// rateLimit counts each request under the key and limit that rule returns, in PostgreSQL so that the limit
// holds across instances, and answers 429 with Retry-After and X-RateLimit-* once the limit is passed. If the
// database cannot count, the request goes on: the limit protects the model, not the database.
func (s *Server) rateLimit(rule func(*echo.Context) (key string, limit int)) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if s.store == nil {
				return next(c)
			}
			key, limit := rule(c)
			ctx, cancel := s.dbBound(c.Request().Context())
			w, err := s.store.HitRateLimit(ctx, key, rateWindow)
			cancel()
			if err != nil {
				s.log.WarnContext(c.Request().Context(), "limite de débit non comptée", "err", err)
				return next(c)
			}
			h := c.Response().Header()
			h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
			h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, limit-w.Hits)))
			h.Set("X-RateLimit-Reset", strconv.FormatInt(w.ResetAt.Unix(), 10))
			if w.Hits > limit {
				h.Set("Retry-After", strconv.Itoa(max(1, int(time.Until(w.ResetAt).Seconds()+0.999))))
				return errRateLimited
			}
			return next(c)
		}
	}
}

// dbBound bounds ctx by the statement timeout, for the database calls made before a handler runs (identification,
// rate limits, sign-in): a database that does not answer fails them in time instead of holding the request.
func (s *Server) dbBound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := s.cfg.DBStatementTimeout; d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return ctx, func() {}
}

func (s *Server) setSessionCookie(c *echo.Context, se auth.Session) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: se.Token, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode, Expires: se.ExpiresAt})
}

func (s *Server) clearCookie(c *echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// loginForm is what the sign-in page shows back after a failure.
type loginForm struct {
	Email, Next, Error string
	OIDC               bool
}

func (s *Server) showLogin(c *echo.Context) error {
	if _, ok := userOf(c); ok {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return s.render(c, http.StatusOK, "login.html", pageData{Title: "Connexion",
		Data: loginForm{Next: safeNext(c.QueryParam("suite")), OIDC: s.oidc != nil}})
}

func (s *Server) login(c *echo.Context) error {
	email, password, next := c.FormValue("email"), c.FormValue("password"), safeNext(c.FormValue("suite"))
	// Bounded like the session lookups: a database that does not answer fails the sign-in in time.
	ctx, cancel := s.dbBound(c.Request().Context())
	defer cancel()
	u, se, err := s.auth.Login(ctx, email, password)
	if err != nil {
		ae := classify(err)
		if ae.Status >= 500 {
			// An outage, not the person's mistake: the form comes back with the address typed and a 503.
			s.log.ErrorContext(c.Request().Context(), "connexion impossible", "err", err)
			ae = classify(fmt.Errorf("%w : %w", errAuthUnavailable, err))
		}
		return s.render(c, ae.Status, "login.html", pageData{Title: "Connexion",
			Data: loginForm{Email: email, Next: next, Error: ae.Message, OIDC: s.oidc != nil}})
	}
	s.setSessionCookie(c, se)
	if next == "/" {
		next = homeFor(u)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c *echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.auth.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	return c.Redirect(http.StatusSeeOther, "/connexion")
}

// startOIDC sends the browser to the identity provider, remembering state and nonce in a short-lived cookie.
func (s *Server) startOIDC(c *echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	state, err := auth.NewNonce()
	if err != nil {
		return err
	}
	nonce, err := auth.NewNonce()
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + url.QueryEscape(safeNext(c.QueryParam("suite"))),
		Path: "/auth/", HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	return c.Redirect(http.StatusFound, s.oidc.AuthCodeURL(state, nonce))
}

func (s *Server) finishOIDC(c *echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	ck, err := c.Cookie(oidcCookie)
	parts := []string{}
	if err == nil {
		parts = strings.SplitN(ck.Value, ".", 3)
	}
	s.clearCookie(c, oidcCookie)
	if len(parts) != 3 || subtle.ConstantTimeCompare([]byte(parts[0]), []byte(c.QueryParam("state"))) != 1 {
		return errOIDCState
	}
	if e := c.QueryParam("error"); e != "" {
		return errOIDCRefused
	}
	ctx := c.Request().Context()
	id, err := s.oidc.Exchange(ctx, c.QueryParam("code"), parts[1])
	if err != nil {
		s.log.Warn("connexion OIDC refusée", "err", err)
		return errOIDCRefused
	}
	u, err := s.auth.UpsertOIDCUser(ctx, id)
	if err != nil {
		return err
	}
	se, err := s.auth.NewSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, se)
	next, _ := url.QueryUnescape(parts[2])
	return c.Redirect(http.StatusSeeOther, safeNext(next))
}

// safeNext keeps a post-login redirect on this site: only an absolute path, never "//host" or a URL.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// homeFor is where each role starts.
func homeFor(u auth.User) string {
	switch {
	case u.Can(auth.ActReadReviews):
		return "/avis"
	case u.Can(auth.ActUseAssistant):
		return "/assistant"
	case u.Can(auth.ActRunEval):
		return "/"
	}
	return "/"
}
