package web

import (
	"errors"
	"net/http"
	"strconv"
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
	Replies      []store.StandardReply
	Reply        store.StandardReply // the standard reply form as the supervisor filled it
	ReplyErrors  map[string]string
	ReplyDone    string // what happened to a standard reply, after the redirect
}

func (s *Server) showSettings(c *echo.Context) error {
	u, _ := userOf(c)
	ps, err := s.store.OrganisationPromptSettings(c.Request().Context(), u.OrganisationID)
	if err != nil {
		return err
	}
	replies, err := s.store.ListStandardReplies(c.Request().Context(), u.OrganisationID)
	if err != nil {
		return err
	}
	done := map[string]string{"ajoutee": "Réponse type ajoutée.", "supprimee": "Réponse type supprimée."}[c.QueryParam("reponse")]
	return s.render(c, http.StatusOK, "settings.html", pageData{Title: "Réglages des brouillons", Data: settingsForm{
		Organisation: u.OrganisationName, Settings: ps, Forbidden: strings.Join(ps.Forbidden, "\n"), Saved: c.QueryParam("ok") == "1",
		Replies: replies, ReplyDone: done}})
}

// addStandardReply stores a paragraph agents of the supervisor's organisation insert from the editor with « / ».
// A refused form is shown again as typed, each error on its field.
func (s *Server) addStandardReply(c *echo.Context) error {
	u, _ := userOf(c)
	ctx := c.Request().Context()
	r := store.StandardReply{OrganisationID: u.OrganisationID, CreatedBy: u.Email,
		Title: strings.TrimSpace(c.FormValue("titre")), Body: strings.TrimSpace(strings.ReplaceAll(c.FormValue("corps"), "\r\n", "\n"))}
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(r.Title); {
	case n == 0:
		errs["titre"] = "Donnez un titre court, par exemple « Délais de traitement »."
	case n > 80:
		errs["titre"] = "80 caractères au plus."
	}
	switch n := utf8.RuneCountInString(r.Body); {
	case n == 0:
		errs["corps"] = "Écrivez le texte à insérer."
	case n > 4000:
		errs["corps"] = "4 000 caractères au plus."
	}
	if len(errs) == 0 {
		_, err := s.store.AddStandardReply(ctx, r)
		switch {
		case errors.Is(err, store.ErrDuplicateTitle):
			errs["titre"] = "Une réponse type porte déjà ce titre."
		case err != nil:
			return err
		default:
			if err := s.audit(c, "standard_reply.add", "organisation", u.OrganisationID, u.OrganisationID, map[string]any{"title": r.Title}); err != nil {
				return err
			}
			return c.Redirect(http.StatusSeeOther, "/parametres?reponse=ajoutee#reponses-types")
		}
	}
	ps, err := s.store.OrganisationPromptSettings(ctx, u.OrganisationID)
	if err != nil {
		return err
	}
	replies, err := s.store.ListStandardReplies(ctx, u.OrganisationID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, "settings.html", pageData{Title: "Réglages des brouillons", Data: settingsForm{
		Organisation: u.OrganisationName, Settings: ps, Forbidden: strings.Join(ps.Forbidden, "\n"), Replies: replies, Reply: r, ReplyErrors: errs}})
}

// deleteStandardReply removes one of the organisation's standard replies.
func (s *Server) deleteStandardReply(c *echo.Context) error {
	u, _ := userOf(c)
	id, err := strconv.ParseInt(c.Param("reply"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.store.DeleteStandardReply(c.Request().Context(), u.OrganisationID, id); err != nil {
		return err
	}
	if err := s.audit(c, "standard_reply.delete", "organisation", u.OrganisationID, u.OrganisationID, map[string]any{"id": id}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/parametres?reponse=supprimee#reponses-types")
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
