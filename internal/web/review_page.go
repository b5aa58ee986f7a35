package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/guard"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
)

// maxReplyRunes bounds a reply an agent saves or publishes.
const maxReplyRunes = 10000

// rewrite is one of the rewriting instructions the editor offers.
type rewrite struct {
	Key, Label, Instruction string
}

// rewrites are the editor's rewriting buttons; Instruction is what the model is asked.
var rewrites = []rewrite{
	{"plus_court", "Plus court", "Rends cette réponse plus courte, sans perdre d'information utile ni de source."},
	{"plus_formel", "Plus formel", "Rends cette réponse plus formelle, dans le registre d'une administration."},
	{"langage_clair", "Langage clair", "Réécris cette réponse en langage clair : phrases courtes, mots courants, une idée par phrase."},
	{"plus_chaleureux", "Plus chaleureux", "Rends cette réponse plus chaleureuse et empathique, sans promesse ni information nouvelle."},
}

// segment is a piece of the draft as shown for review: a sentence no source supports is Unsupported.
type segment struct {
	Text        string
	Unsupported bool
	Missing     string // figures of the sentence found in no source
}

// passageView is a source as the sources panel shows it.
type passageView struct {
	ground.Passage
	Insert string // what « Insérer » puts in the editor
}

// reviewView is what review.html shows.
type reviewView struct {
	Review         store.Review
	Current        *store.Draft
	Text           string // the editor's content
	Versions       int
	Passages       []passageView
	Segments       []segment
	Unsupported    int
	Checks         []ground.Check
	Redacted       string // the citizen's text as the model saw it
	RedactedNote   string // why it cannot be shown
	Publication    *store.Publication
	Pending        bool // a publication is requested and not acknowledged
	Abandoned      bool // the publisher gave up: the agent may approve again
	Editable       bool
	CanEdit        bool
	CanApprove     bool
	CanPublish     bool // background jobs are there to publish
	Rewrites       []rewrite
	Reasons        []string
	Feedback       feedbackView
	Flash          string
	CSRF           string // for the partials, which receive this view rather than the page
	Offline        bool   // no model configured: rewrites are unavailable, drafts come from the offline drafter
	Conflict       *store.Draft
	FieldErrors    map[string]string // French message per form field, after a refused post
	Motif          string            // the set-aside form as the agent filled it
	Precision      string
	Viewers        []viewerNote // colleagues who opened this review in the last minutes
	Next           int64        // the next open review in inbox order, 0 when none
	Previous       int64
	Replies        []store.StandardReply
	Assignment     *assignmentView // who took the review, nil when no one has
	AssignConflict *assignmentView // the colleague who took it first, after a refused « me l'attribuer »
	CanReleaseAny  bool            // a supervisor may free a colleague's review
}

// flashes are the messages an action's redirect may ask for; only these keys are accepted, so no text is
// reflected from the URL.
var flashes = map[string]string{
	"enregistre":  "Votre version est enregistrée.",
	"brouillon":   "Nouveau brouillon prêt.",
	"publication": "Réponse approuvée : publication en cours.",
	"ecarte":      "L'avis est écarté.",
	"retour":      "Merci, votre avis sur le brouillon est enregistré.",
	"rouvert":     "L'avis est rouvert.",
	"attribue":    "L'avis vous est attribué : il apparaît dans « Mes avis ».",
	"libere":      "L'avis est libéré.",
}

// showReview is the review screen: the citizen's text, the draft in an editor, the sources and the checks.
// Reading the citizen's text in clear is audited.
func (s *Server) showReview(c *echo.Context) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	return s.renderReview(c, rv, http.StatusOK, nil)
}

// renderReview draws the review screen; adjust, when not nil, changes the view before it is drawn (the agent's
// own text kept after a conflict or a refused form, field errors).
func (s *Server) renderReview(c *echo.Context, rv store.Review, status int, adjust func(*reviewView)) error {
	ctx := c.Request().Context()
	u, _ := userOf(c)
	v := reviewView{Review: rv, Rewrites: rewrites, Reasons: reviews.RejectReasons, CanPublish: s.flow.CanPublish(), Offline: s.model == nil,
		CanEdit: u.Can(auth.ActEditDrafts), CanApprove: u.Can(auth.ActApprove), Flash: flashes[c.QueryParam("fait")]}
	if se, ok := c.Get(ctxSession).(auth.Session); ok {
		v.CSRF = se.CSRF
	}
	ds, err := s.store.ListDrafts(ctx, rv.ID)
	if err != nil {
		return err
	}
	v.Versions = len(ds)
	if len(ds) > 0 {
		cur := ds[len(ds)-1]
		v.Current = &cur
		v.Text = cur.Text
		ps := store.LatestSources(ds)
		for _, p := range ps {
			v.Passages = append(v.Passages, passageView{Passage: p, Insert: insertText(p)})
		}
		v.Segments, v.Unsupported = groundedSegments(cur.Text, ps)
		v.Checks = checksOf(cur, ps)
		if p, err := s.store.PublicationFor(ctx, rv.ID, cur.ID); err == nil {
			v.Publication = &p
			v.Pending = (p.Status == store.PublicationPending || p.Status == store.PublicationFailed) && rv.Status != store.StatusPublished
			v.Abandoned = p.Status == store.PublicationAbandoned && rv.Status != store.StatusPublished
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// Feedback is about what the model wrote: the latest model draft, not the agent's own edits.
		for i := len(ds) - 1; i >= 0; i-- {
			if ds[i].Kind == store.DraftAI || ds[i].Kind == store.DraftOffline {
				if v.Feedback, err = s.feedbackFor(ctx, u, ds[i]); err != nil {
					return err
				}
				break
			}
		}
	}
	v.Editable = v.CanEdit && !v.Pending && rv.Status != store.StatusPublished && rv.Status != store.StatusRejected
	v.Redacted, v.RedactedNote = s.modelView(ctx, rv)
	if v.Viewers, err = s.otherViewers(ctx, rv, u); err != nil {
		return err
	}
	if v.Next, v.Previous, err = s.neighbours(ctx, rv); err != nil {
		return err
	}
	if v.Replies, err = s.store.ListStandardReplies(ctx, rv.OrganisationID); err != nil {
		return err
	}
	if v.Assignment, err = s.assignmentOf(ctx, rv.ID, u); err != nil {
		return err
	}
	v.CanReleaseAny = canReleaseAny(u)
	if adjust != nil {
		adjust(&v)
	}
	if v.Text != "" && adjust != nil {
		v.Segments, v.Unsupported = groundedSegments(v.Text, store.LatestSources(ds))
	}
	if err := s.audit(c, "review.view", "review", rv.ID, rv.OrganisationID, map[string]any{"via": "page"}); err != nil {
		return err
	}
	title := rv.Title
	if title == "" {
		title = "Avis n° " + strconv.FormatInt(rv.ID, 10)
	}
	return s.render(c, status, "review.html", pageData{Title: title, Data: v})
}

// modelView re-runs the filter on the citizen's text with the review's stored mapping, which gives back the
// placeholders the model saw.
func (s *Server) modelView(ctx context.Context, rv store.Review) (string, string) {
	if s.filter == nil {
		return "", "Le filtre de données personnelles n'est pas configuré sur ce serveur."
	}
	m, err := s.store.PIIMapping(ctx, rv.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		m = pii.NewMapping() // never drafted: the filter numbers afresh, as the first draft will
	case err != nil:
		s.log.Error("table de correspondance illisible", "review", rv.ID, "err", err)
		return "", "La table de correspondance des données personnelles de cet avis est illisible : le texte filtré ne peut pas être affiché."
	}
	text := rv.Body
	if rv.Title != "" {
		text = rv.Title + "\n\n" + rv.Body
	}
	res, err := s.filter.RedactWith(ctx, m, text)
	if err != nil {
		return "", "Le filtre n'a pas abouti : le texte filtré ne peut pas être affiché."
	}
	return res.Text.String(), ""
}

// insertText is what inserting a passage puts in the draft: its text and where it comes from.
func insertText(p ground.Passage) string {
	t := strings.TrimSpace(p.Text)
	if utf8.RuneCountInString(t) > 700 {
		t = reviews.Excerpt(t, 700)
	}
	if p.URL != "" {
		t += " (source : " + p.URL + ")"
	}
	return t
}

// groundedSegments splits text into its sentences and marks the claims no passage supports. The grounding is
// recomputed on the text shown, so that edits and restored placeholders are judged as they read.
func groundedSegments(text string, ps []ground.Passage) ([]segment, int) {
	g := ground.Ground(text, ps)
	var out []segment
	pos, unsupported := 0, 0
	for _, sn := range g.Sentences {
		if sn.Start < pos || sn.End > len(text) || sn.Start > sn.End {
			continue
		}
		if sn.Start > pos {
			out = append(out, segment{Text: text[pos:sn.Start]})
		}
		seg := segment{Text: text[sn.Start:sn.End]}
		if sn.Claim && !sn.Supported {
			seg.Unsupported = true
			seg.Missing = strings.Join(sn.MissingNumbers, ", ")
			unsupported++
		}
		out = append(out, seg)
		pos = sn.End
	}
	if pos < len(text) {
		out = append(out, segment{Text: text[pos:]})
	}
	return out, unsupported
}

// checksOf returns the output-check warnings of a version: those stored with a model draft, recomputed for an
// agent's edit.
func checksOf(d store.Draft, ps []ground.Passage) []ground.Check {
	if (d.Kind == store.DraftAI || d.Kind == store.DraftOffline) && d.Checks != nil {
		return d.Checks
	}
	return ground.RunChecks(d.Text, ground.DraftRules, ps)
}

// replyText reads the reply posted by the editor.
func replyText(c *echo.Context) (string, error) {
	// Bidirectional controls could reverse what readers of the published reply see: never kept.
	text := strings.TrimSpace(guard.StripBidi(strings.ReplaceAll(c.FormValue("texte"), "\r\n", "\n")))
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", badRequest{"La réponse est vide : écrivez ou générez un brouillon d'abord."}
	case n > maxReplyRunes:
		return "", badRequest{fmt.Sprintf("La réponse compte %d caractères : %d au plus.", n, maxReplyRunes)}
	}
	return text, nil
}

func reviewURL(id int64, flash, anchor string) string {
	u := "/avis/" + strconv.FormatInt(id, 10)
	if flash != "" {
		u += "?fait=" + flash
	}
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

// saveReview stores the editor's text as a new version.
func (s *Server) saveReview(c *echo.Context) error {
	rv, e, err := s.editOf(c)
	if err != nil {
		return err
	}
	if _, err := s.flow.Save(c.Request().Context(), e); err != nil {
		return s.conflict(c, rv, e, err)
	}
	return s.redirectAfter(c, rv, "enregistre", "editeur")
}

// regenerateReview drafts anew, or rewrites with an instruction, for browsers without JavaScript; review.js
// streams the same drafts through the API instead.
func (s *Server) regenerateReview(c *echo.Context) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	req := draft.Request{ReviewID: rv.ID, Actor: u.Email}
	if key := c.FormValue("consigne"); key != "" {
		i := slices.IndexFunc(rewrites, func(r rewrite) bool { return r.Key == key })
		if i < 0 {
			return badRequest{fmt.Sprintf("consigne %q inconnue", key)}
		}
		req.Instruction = rewrites[i].Instruction
		req.Previous = strings.TrimSpace(c.FormValue("texte"))
	}
	d, _, err := s.drafts.DraftReview(c.Request().Context(), req)
	if err != nil {
		return err
	}
	if err := s.audit(c, draftAction(req), "draft", d.ID, rv.OrganisationID, map[string]any{"review_id": rv.ID, "model": d.Model, "via": "page"}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reviewURL(rv.ID, "brouillon", "editeur"))
}

// approveReview approves the editor's text: the workflow saves it as a version, runs the publication guard, and
// moves the review to en relecture with its publication queued, in one transaction.
func (s *Server) approveReview(c *echo.Context) error {
	rv, e, err := s.editOf(c)
	if err != nil {
		return err
	}
	e.Acknowledged = acknowledged(c)
	a, err := s.flow.Approve(c.Request().Context(), e)
	if err != nil {
		return s.conflict(c, rv, e, err)
	}
	if !a.Queued { // approved twice: the first publication stands
		return c.Redirect(http.StatusSeeOther, reviewURL(rv.ID, "publication", "publication"))
	}
	return s.redirectAfter(c, rv, "publication", "publication")
}

// rejectReview sets a review aside with a reason; a missing reason keeps the form, with the error on its field.
func (s *Server) rejectReview(c *echo.Context) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	r := reviews.Rejection{Reason: strings.TrimSpace(c.FormValue("motif")), Precision: strings.TrimSpace(c.FormValue("precision"))}
	err = s.flow.Reject(c.Request().Context(), rv.ID, u, r)
	var fe reviews.FieldErrors
	if errors.As(err, &fe) {
		return s.renderReview(c, rv, http.StatusUnprocessableEntity, func(v *reviewView) {
			v.FieldErrors = fe
			v.Motif, v.Precision = r.Reason, r.Precision
		})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reviewURL(rv.ID, "ecarte", ""))
}

// reopenReview brings a review set aside back to the inbox.
func (s *Server) reopenReview(c *echo.Context) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	if err := s.flow.Reopen(c.Request().Context(), rv.ID, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reviewURL(rv.ID, "rouvert", ""))
}

// version is one entry of a review's history.
type version struct {
	Draft     store.Draft
	KindLabel string
	Diff      []diffSpan
	Changed   bool
	First     bool
	Published *time.Time // when this version's publication was acknowledged
	Requested string     // who approved it for publication
}

// historyEvent is one audited action on the review.
type historyEvent struct {
	At     time.Time
	Actor  string
	Action string
}

// historyView is what history.html shows.
type historyView struct {
	Review     store.Review
	Versions   []version
	Events     []historyEvent
	Latest     int  // the latest version, which a restore replaces
	Restorable bool // the caller may restore an older version as a new one
}

func kindLabel(d store.Draft) string {
	switch d.Kind {
	case store.DraftAI:
		return "Brouillon du modèle (" + d.Model + ")"
	case store.DraftOffline:
		return "Brouillon hors ligne"
	case store.DraftEdit:
		return "Modification"
	case store.DraftPublished:
		return "Texte publié"
	}
	return string(d.Kind)
}

// actionLabels say in French what an audited action was.
var actionLabels = map[string]string{
	"review.view":          "a consulté l'avis",
	"draft.generate":       "a demandé un brouillon",
	draft.ActionDraftReady: "a fait passer l'avis en « brouillon prêt » par son premier brouillon",
	"draft.rewrite":        "a demandé une réécriture",
	"draft.edit":           "a enregistré une version",
	"draft.feedback":       "a donné son avis sur un brouillon",
	"reply.approve":        "a approuvé la réponse et demandé sa publication",
	"review.reject":        "a écarté l'avis",
	"review.reopen":        "a rouvert l'avis",
	"review.assign":        "s'est attribué l'avis",
	"review.release":       "a libéré l'avis",
}

// showHistory lists every version of the reply with a word diff to the one before, and who did what.
func (s *Server) showHistory(c *echo.Context) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ds, err := s.store.ListDrafts(ctx, rv.ID)
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	v := historyView{Review: rv, Restorable: u.Can(auth.ActEditDrafts) && rv.Status != store.StatusPublished && rv.Status != store.StatusRejected}
	if n := len(ds); n > 0 {
		v.Latest = ds[n-1].Version
	}
	prev := ""
	for i, d := range ds {
		ver := version{Draft: d, KindLabel: kindLabel(d), First: i == 0}
		if i > 0 {
			ver.Diff = wordDiff(prev, d.Text)
			ver.Changed = diffChanged(ver.Diff)
		}
		if p, err := s.store.PublicationFor(ctx, rv.ID, d.ID); err == nil {
			ver.Requested = p.RequestedBy
			ver.Published = p.PublishedAt
		}
		prev = d.Text
		v.Versions = append(v.Versions, ver)
	}
	slices.Reverse(v.Versions)
	objects := []auth.AuditFilter{{ObjectType: "review", ObjectID: strconv.FormatInt(rv.ID, 10), Limit: 500}}
	for _, d := range ds {
		objects = append(objects, auth.AuditFilter{ObjectType: "draft", ObjectID: strconv.FormatInt(d.ID, 10), Limit: 50})
	}
	for _, f := range objects {
		es, err := s.auth.AuditLog(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range es {
			label, ok := actionLabels[e.Action]
			if !ok {
				label = e.Action
			}
			v.Events = append(v.Events, historyEvent{At: e.At, Actor: e.Actor, Action: label})
		}
	}
	slices.SortStableFunc(v.Events, func(a, b historyEvent) int { return b.At.Compare(a.At) })
	if err := s.audit(c, "review.view", "review", rv.ID, rv.OrganisationID, map[string]any{"via": "historique"}); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "history.html", pageData{Title: "Historique de l'avis n° " + strconv.FormatInt(rv.ID, 10), Data: v})
}
