package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/store"
)

// assignmentView is who holds a review, as the review screen and the inbox card say it.
type assignmentView struct {
	Who  string // the colleague's name, or their address when they have none
	Mine bool
	store.Assignment
}

func newAssignmentView(a store.Assignment, u auth.User) *assignmentView {
	who := a.Name
	if who == "" {
		who = a.Email
	}
	return &assignmentView{Who: who, Mine: a.UserID == u.ID, Assignment: a}
}

// assignmentOf returns who holds the review, nil when no one does.
func (s *Server) assignmentOf(ctx context.Context, reviewID int64, u auth.User) (*assignmentView, error) {
	a, err := s.store.ReviewAssignment(ctx, reviewID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return newAssignmentView(a, u), nil
}

// assignReview is « me l'attribuer »: the review becomes the caller's, audited. When a colleague took it since the
// page was drawn, the page comes back with a 409 naming them, and nothing changes.
func (s *Server) assignReview(c *echo.Context) error {
	return s.changeAssignment(c, "review.assign", "attribue", func(ctx context.Context, rv store.Review, u auth.User) (store.Assignment, error) {
		return s.store.AssignReview(ctx, rv.ID, u.ID)
	})
}

// releaseReview is « libérer »: the caller gives the review back; a supervisor may free a colleague's. Anyone
// else trying to free a colleague's review gets a 409 naming who holds it.
func (s *Server) releaseReview(c *echo.Context) error {
	return s.changeAssignment(c, "review.release", "libere", func(ctx context.Context, rv store.Review, u auth.User) (store.Assignment, error) {
		return s.store.ReleaseReview(ctx, rv.ID, u.ID, canReleaseAny(u))
	})
}

// changeAssignment runs an assignment change on the review of the path, audits it as action and goes back to the
// review with flash; a colleague's hold refuses it with the review page and its holder named (409).
func (s *Server) changeAssignment(c *echo.Context, action, flash string,
	change func(context.Context, store.Review, auth.User) (store.Assignment, error)) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	a, err := change(c.Request().Context(), rv, u)
	if errors.Is(err, store.ErrAssignedElsewhere) {
		return s.renderReview(c, rv, http.StatusConflict, func(v *reviewView) {
			v.AssignConflict = newAssignmentView(a, u)
			v.Flash = ""
		})
	}
	if err != nil {
		return err
	}
	if err := s.audit(c, action, "review", rv.ID, rv.OrganisationID, nil); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reviewURL(rv.ID, flash, ""))
}

// canReleaseAny says whether u may free a review a colleague holds: those who manage the organisation's
// settings, so that a review held by someone absent does not stay stuck.
func canReleaseAny(u auth.User) bool { return u.Can(auth.ActEditPrompts) }

// holders returns who holds each listed review, for the inbox cards.
func (s *Server) holders(c *echo.Context, rows []store.Review) (map[int64]*assignmentView, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	as, err := s.store.Assignments(c.Request().Context(), ids)
	if err != nil {
		return nil, err
	}
	u, _ := userOf(c)
	out := make(map[int64]*assignmentView, len(as))
	for id, a := range as {
		out[id] = newAssignmentView(a, u)
	}
	return out, nil
}
