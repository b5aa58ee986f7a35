package web

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/guard"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
)

// viewerNote is a colleague who opened the review recently.
type viewerNote struct {
	Who     string
	Minutes int
}

// presenceWindow is how long after opening a review a colleague counts as still reading it.
const presenceWindow = 10 * time.Minute

// otherViewers lists the colleagues who opened the review in the last minutes, from the audit log that records
// every opening anyway, so two agents do not answer the same citizen twice.
func (s *Server) otherViewers(ctx context.Context, rv store.Review, u auth.User) ([]viewerNote, error) {
	if s.auth == nil {
		return nil, nil
	}
	es, err := s.auth.AuditLog(ctx, auth.AuditFilter{ObjectType: "review", ObjectID: strconv.FormatInt(rv.ID, 10),
		Action: "review.view", Since: time.Now().Add(-presenceWindow), Limit: 50})
	if err != nil {
		return nil, err
	}
	var out []viewerNote
	for _, e := range es {
		if e.Actor == u.Email || e.Actor == "" || slices.ContainsFunc(out, func(v viewerNote) bool { return v.Who == e.Actor }) {
			continue
		}
		out = append(out, viewerNote{Who: e.Actor, Minutes: int(time.Since(e.At).Minutes())})
	}
	return out, nil
}

// openForWork is a status an agent still has to act on.
func openForWork(st store.ReviewStatus) bool {
	return st == store.StatusNew || st == store.StatusDraftReady
}

// neighbours returns the open reviews before and after rv in the inbox's default order (oldest unanswered
// first), for « avis suivant » and the keyboard shortcuts; 0 when there is none.
func (s *Server) neighbours(ctx context.Context, rv store.Review) (next, prev int64, err error) {
	page, err := s.store.ListReviews(ctx, store.ReviewFilter{OrganisationID: rv.OrganisationID, Order: store.OldestOpenFirst, Limit: 500})
	if err != nil {
		return 0, 0, err
	}
	var open []int64
	at := -1
	for _, r := range page.Reviews {
		if r.ID == rv.ID {
			at = len(open)
			open = append(open, r.ID)
			continue
		}
		if openForWork(r.Status) {
			open = append(open, r.ID)
		}
	}
	switch {
	case at < 0 && len(open) > 0:
		return open[0], 0, nil
	case at < 0:
		return 0, 0, nil
	}
	if at+1 < len(open) {
		next = open[at+1]
	} else if at > 0 {
		next = open[0] // wrap around to the oldest one left
	}
	if at > 0 {
		prev = open[at-1]
	}
	return next, prev, nil
}

// redirectAfter ends a successful save or approval: back to the review, or on to the next open review when the
// agent chose « … et avis suivant ».
func (s *Server) redirectAfter(c *echo.Context, rv store.Review, flash, anchor string) error {
	if c.FormValue("suivant") != "" {
		next, _, err := s.neighbours(c.Request().Context(), rv)
		if err != nil {
			return err
		}
		if next != 0 && next != rv.ID {
			return c.Redirect(http.StatusSeeOther, "/avis/"+strconv.FormatInt(next, 10)+"?fait="+flash+"&precedent="+strconv.FormatInt(rv.ID, 10))
		}
		return c.Redirect(http.StatusSeeOther, "/avis?fait="+flash)
	}
	return c.Redirect(http.StatusSeeOther, reviewURL(rv.ID, flash, anchor))
}

// editOf parses an editor's form: the review, its text and the version the editor was loaded with (none said:
// the no-JavaScript history restore), for the workflow's optimistic concurrency.
func (s *Server) editOf(c *echo.Context) (store.Review, reviews.Edit, error) {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return rv, reviews.Edit{}, err
	}
	text, err := replyText(c)
	if err != nil {
		return rv, reviews.Edit{}, err
	}
	u, _ := userOf(c)
	e := reviews.Edit{ReviewID: rv.ID, Actor: u, Text: text, Version: reviews.AnyVersion}
	if posted := strings.TrimSpace(c.FormValue("version")); posted != "" {
		n, err := strconv.Atoi(posted)
		if err != nil || n < 0 {
			return rv, e, badRequest{"version : nombre entier attendu"}
		}
		e.Version = n
	}
	return rv, e, nil
}

// conflict answers an edit refused because a colleague (or the model) stored a newer version since the editor
// was loaded: the review screen again, with both texts, rather than silently overwriting theirs. Other errors
// go to the error table.
func (s *Server) conflict(c *echo.Context, rv store.Review, e reviews.Edit, err error) error {
	var stale *reviews.StaleError
	if !errors.As(err, &stale) {
		return err
	}
	return s.renderReview(c, rv, http.StatusConflict, func(v *reviewView) {
		v.Conflict = &stale.Latest
		v.Text = e.Text
		v.Flash = ""
	})
}

// relecture is the live grounding check: the sentences of the text being edited that no source supports, drawn
// with their live citation markers, for review.js to put under the editor while the agent types.
func (s *Server) relecture(c *echo.Context) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(c.FormValue("texte"), "\r\n", "\n")
	if utf8.RuneCountInString(text) > maxReplyRunes {
		return badRequest{"texte : " + strconv.Itoa(maxReplyRunes) + " caractères au plus"}
	}
	ds, err := s.store.ListDrafts(c.Request().Context(), rv.ID)
	if err != nil {
		return err
	}
	v := reviewView{Review: rv, Text: text}
	v.Segments, v.Unsupported = groundedSegments(text, store.LatestSources(ds))
	return s.renderPartial(c, "_relecture", v)
}

// renderPartial executes one partial template, for the screens' scripts.
func (s *Server) renderPartial(c *echo.Context, name string, data any) error {
	var b strings.Builder
	if err := s.pages.ExecuteTemplate(&b, name, data); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTML(http.StatusOK, b.String())
}

// addressRE finds what must never reach a person's screen from a technical error: URLs and host:port pairs of
// internal services.
var addressRE = regexp.MustCompile(`(?i)(https?://[^\s"']+|\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\blocalhost(?::\d+)?\b|\[[0-9a-f:]+\](?::\d+)?)`)

// scrubAddresses replaces internal addresses in a technical message by « [adresse masquée] ».
func scrubAddresses(msg string) string {
	return addressRE.ReplaceAllString(msg, "[adresse masquée]")
}

// warning is one item of the publish dialog: Hard ones block publication, the others need the agent's tick.
type warning struct {
	Key     string `json:"key"`
	Message string `json:"message"`
	Hard    bool   `json:"hard"`
}

// verification is what the publish dialog lists before the agent confirms.
type verification struct {
	Version  int       `json:"version"` // the version saved for the check, to approve
	Warnings []warning `json:"warnings"`
}

// hardChecks are the output checks that block publication in the dialog: a personal-data marker left in the
// text or broken characters. Personal data itself is the publication guard's call (guard.Check), listed first.
var hardChecks = map[string]bool{"placeholder": true, "encoding": true}

// verifyReview saves the text about to be published (so that nothing typed is lost, whatever the dialog's
// outcome) and lists what the agent must see before confirming: checks of the text, sentences without source,
// an offline draft left as written, a very short reply. The server checks again when the approval arrives.
func (s *Server) verifyReview(c *echo.Context) error {
	rv, e, err := s.editOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	saved, err := s.flow.Save(ctx, e)
	if err != nil {
		return s.conflict(c, rv, e, err)
	}
	d := saved.Draft
	ds, err := s.store.ListDrafts(ctx, rv.ID)
	if err != nil {
		return err
	}
	ps := store.LatestSources(ds)
	out := verification{Version: d.Version, Warnings: []warning{}}
	var blocked *guard.Blocked
	if err := s.flow.CheckPublishable(ctx, rv, e.Text); errors.As(err, &blocked) {
		for i, f := range blocked.Findings {
			out.Warnings = append(out.Warnings, warning{Key: "garde-" + strconv.Itoa(i), Message: f.Message, Hard: true})
		}
	} else if err != nil {
		return err
	}
	for i, ch := range checksOf(d, ps) {
		if ch.Code == "offline" {
			continue // said once below, in the agent's terms
		}
		msg := scrubAddresses(ch.Message)
		if ch.Excerpt != "" {
			msg += " « " + ch.Excerpt + " »"
		}
		out.Warnings = append(out.Warnings, warning{Key: "controle-" + strconv.Itoa(i), Message: msg, Hard: hardChecks[ch.Code] && blocked == nil})
	}
	if _, n := groundedSegments(e.Text, ps); n > 0 {
		out.Warnings = append(out.Warnings, warning{Key: "sans-source", Message: plural(n, "phrase affirme", "phrases affirment") + " quelque chose qu'aucune source ne soutient."})
	}
	if d.Kind == store.DraftOffline {
		out.Warnings = append(out.Warnings, warning{Key: "hors-ligne", Message: "Brouillon rédigé hors ligne, sans modèle, publié tel quel."})
	}
	if n := utf8.RuneCountInString(e.Text); n < 200 {
		out.Warnings = append(out.Warnings, warning{Key: "courte", Message: "Réponse très courte (" + strconv.Itoa(n) + " caractères)."})
	}
	return c.JSON(http.StatusOK, out)
}

// warningKeyRE is the key of a point to read again in the publish dialog (see verifyReview).
var warningKeyRE = regexp.MustCompile(`^(?:controle-\d{1,2}|sans-source|hors-ligne|courte)$`)

// acknowledged returns the points to read again that the agent acknowledged with « J'ai relu ces points,
// publier », as the dialog posts them (« relu », comma-separated), for the approval's audit entry: the one
// gesture stays traceable. Unknown keys are dropped.
func acknowledged(c *echo.Context) []string {
	out := []string{}
	for _, k := range strings.Split(c.FormValue("relu"), ",") {
		if k = strings.TrimSpace(k); warningKeyRE.MatchString(k) && !slices.Contains(out, k) && len(out) < 20 {
			out = append(out, k)
		}
	}
	return out
}

// plural writes a count with the singular or plural form of what follows it.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
