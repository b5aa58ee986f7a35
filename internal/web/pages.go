package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/store"
)

// viewer is the signed-in person as the layout shows them.
type viewer struct {
	Name, Role string
}

// navItem is one entry of the main menu.
type navItem struct {
	Href, Label string
	Current     bool
}

// pageData is what every page template receives: the layout reads Title, User, CSRF and Nav, the page reads Data.
type pageData struct {
	Title string
	User  *viewer
	CSRF  string
	Nav   []navItem
	Data  any
}

// templateFuncs are the few helpers templates need; formatting stays out of handlers.
var templateFuncs = template.FuncMap{
	"statusBadge": func(st store.ReviewStatus) string {
		switch st {
		case store.StatusNew:
			return "fr-badge--new"
		case store.StatusDraftReady:
			return "fr-badge--info"
		case store.StatusInReview:
			return "fr-badge--warning"
		case store.StatusPublished:
			return "fr-badge--success"
		}
		return ""
	},
	"pct": func(f float64) string {
		if math.IsNaN(f) {
			return "—"
		}
		return fmt.Sprintf("%.0f %%", f*100)
	},
	"num": func(f float64) string {
		if math.IsNaN(f) {
			return "—"
		}
		return frenchDecimal(fmt.Sprintf("%.2f", f))
	},
	"asset": assetURL,
	"cites": ground.SplitCitations,
	"scrub": scrubAddresses,
	"hours": formatHours,
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(paris).Format("02/01/2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(paris).Format("02/01/2006 à 15:04")
	},
}

// formatHours writes a duration in hours as a person reads it: minutes, hours or days.
func formatHours(h float64) string {
	switch {
	case math.IsNaN(h):
		return "—"
	case h < 1:
		return fmt.Sprintf("%.0f min", h*60)
	case h < 48:
		return frenchDecimal(fmt.Sprintf("%.1f h", h))
	}
	return frenchDecimal(fmt.Sprintf("%.1f j", h/24))
}

// frenchDecimal writes a formatted number the French way: a decimal comma (« 0,16 »).
func frenchDecimal(s string) string { return strings.Replace(s, ".", ",", 1) }

// paris is the time zone agents read dates in; UTC is the fallback on a machine without tzdata.
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()

// render executes a page template into a buffer first, so a template error never sends half a page. It fills
// in the signed-in user, the CSRF token and the menu, so handlers only pass their own data.
func (s *Server) render(c *echo.Context, status int, name string, data pageData) error {
	if u, ok := userOf(c); ok {
		data.User = &viewer{Name: u.Name, Role: u.Role.Label()}
		data.Nav = navFor(u, c.Request().URL.Path)
	}
	if se, ok := c.Get(ctxSession).(auth.Session); ok {
		data.CSRF = se.CSRF
	}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// navFor lists the screens a user's role opens, marking the current one.
func navFor(u auth.User, path string) []navItem {
	var items []navItem
	add := func(href, label string) {
		items = append(items, navItem{Href: href, Label: label, Current: path == href || (href != "/" && strings.HasPrefix(path, href+"/"))})
	}
	if u.Can(auth.ActReadReviews) {
		add("/avis", "Avis à traiter")
	}
	if u.Can(auth.ActViewStats) {
		add("/statistiques", "Statistiques")
	}
	if u.Can(auth.ActEditPrompts) {
		add("/parametres", "Réglages")
	}
	if u.Can(auth.ActUseAssistant) {
		add("/assistant", "Assistant")
	}
	return items
}

func (s *Server) showHome(c *echo.Context) error {
	return s.render(c, http.StatusOK, "home.html", pageData{Title: "Accueil"})
}

// showAccessibility is the accessibility statement the RGAA requires, with what was tested and how.
func (s *Server) showAccessibility(c *echo.Context) error {
	return s.render(c, http.StatusOK, "accessibilite.html", pageData{Title: "Déclaration d'accessibilité"})
}

// showLegalNotice is the legal notice every State service publishes.
func (s *Server) showLegalNotice(c *echo.Context) error {
	return s.render(c, http.StatusOK, "mentions-legales.html", pageData{Title: "Mentions légales"})
}

// showPrivacyNotice says what personal data Plume processes, why and for how long.
func (s *Server) showPrivacyNotice(c *echo.Context) error {
	return s.render(c, http.StatusOK, "donnees-personnelles.html", pageData{Title: "Données personnelles"})
}
