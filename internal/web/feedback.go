package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/store"
)

// tagOption is a feedback tag as a checkbox.
type tagOption struct {
	Value, Label string
	Checked      bool
}

// feedbackView is the feedback form of the current draft, filled with what the agent said before.
type feedbackView struct {
	DraftID int64
	Version int
	Thumbs  int
	Tags    []tagOption
	Comment string
	Given   bool
	Others  int // feedback given by colleagues on this draft
}

func (s *Server) feedbackFor(ctx context.Context, u auth.User, d store.Draft) (feedbackView, error) {
	v := feedbackView{DraftID: d.ID, Version: d.Version}
	fs, err := s.store.ReviewFeedback(ctx, d.ReviewID)
	if err != nil {
		return v, err
	}
	var mine *store.Feedback
	for i, f := range fs {
		if f.DraftID != d.ID {
			continue
		}
		if f.UserID == u.ID {
			mine = &fs[i]
		} else {
			v.Others++
		}
	}
	for _, t := range store.FeedbackTags {
		opt := tagOption{Value: t, Label: store.FeedbackTagLabel(t)}
		if mine != nil {
			for _, m := range mine.Tags {
				opt.Checked = opt.Checked || m == t
			}
		}
		v.Tags = append(v.Tags, opt)
	}
	if mine != nil {
		v.Given, v.Thumbs, v.Comment = true, mine.Thumbs, mine.Comment
	}
	return v, nil
}

// saveFeedback records the agent's thumb, tags and comment on one draft of a review they may see.
func (s *Server) saveFeedback(c *echo.Context) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	draftID, err := strconv.ParseInt(c.Param("draft"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	ctx := c.Request().Context()
	d, err := s.store.GetDraft(ctx, draftID)
	if err != nil {
		return err
	}
	if d.ReviewID != rv.ID {
		return store.ErrNotFound
	}
	thumbs, _ := strconv.Atoi(c.FormValue("pouce"))
	form, err := c.FormValues()
	if err != nil {
		return badRequest{"Formulaire illisible."}
	}
	u, _ := userOf(c)
	f, err := s.store.SaveFeedback(ctx, store.Feedback{DraftID: d.ID, UserID: u.ID, Thumbs: thumbs, Tags: form["etiquettes"], Comment: c.FormValue("commentaire")})
	if err != nil {
		var fe *store.FeedbackError
		if errors.As(err, &fe) {
			return badRequest{fe.Msg}
		}
		return err
	}
	if err := s.audit(c, "draft.feedback", "review", rv.ID, rv.OrganisationID,
		map[string]any{"draft_id": d.ID, "thumbs": f.Thumbs, "tags": f.Tags}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reviewURL(rv.ID, "retour", "retour"))
}
