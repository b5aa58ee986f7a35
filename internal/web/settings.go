package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/store"
)

// settingsForm is the supervisors' page of prompt settings, with the message shown after saving.
type settingsForm struct {
	Organisation string
	Settings     store.PromptSettings
	Forbidden    string // one promise per line
	Saved        bool
	Errors       map[string]string
}

func (s *Server) showSettings(c *echo.Context) error {
	u, _ := userOf(c)
	ps, err := s.store.OrganisationPromptSettings(c.Request().Context(), u.OrganisationID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "settings.html", pageData{Title: "Réglages des brouillons", Data: settingsForm{
		Organisation: u.OrganisationName, Settings: ps, Forbidden: strings.Join(ps.Forbidden, "\n"), Saved: c.QueryParam("ok") == "1"}})
}

// saveSettings stores a supervisor's tone, signature and forbidden promises for their own organisation only.
func (s *Server) saveSettings(c *echo.Context) error {
	u, _ := userOf(c)
	ps := store.PromptSettings{Tone: strings.TrimSpace(c.FormValue("tone")), Signature: strings.TrimSpace(c.FormValue("signature"))}
	for _, line := range strings.Split(c.FormValue("forbidden"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			ps.Forbidden = append(ps.Forbidden, line)
		}
	}
	errs := map[string]string{}
	if utf8.RuneCountInString(ps.Tone) > 200 {
		errs["tone"] = "200 caractères au plus"
	}
	if utf8.RuneCountInString(ps.Signature) > 300 {
		errs["signature"] = "300 caractères au plus"
	}
	if len(ps.Forbidden) > 20 {
		errs["forbidden"] = "20 engagements au plus"
	}
	if len(errs) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "settings.html", pageData{Title: "Réglages des brouillons", Data: settingsForm{
			Organisation: u.OrganisationName, Settings: ps, Forbidden: c.FormValue("forbidden"), Errors: errs}})
	}
	ctx := c.Request().Context()
	if err := s.store.SetOrganisationPromptSettings(ctx, u.OrganisationID, ps); err != nil {
		return err
	}
	if err := s.audit(c, "prompts.edit", "organisation", u.OrganisationID, u.OrganisationID, map[string]any{"forbidden": len(ps.Forbidden)}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/parametres?ok=1")
}
