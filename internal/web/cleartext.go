package web

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/fold"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/guard"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/store"
)

// Clear text is a scope: a caller without cleartext:view (by role, or by an API token's scopes) gets every
// citizen text filtered, placeholders in, and searches filtered text only; a caller with it reads clear text,
// and every such read, a list or one review, writes an audit row.

// seesClearText reports whether the caller may read citizens' text in clear.
func (s *Server) seesClearText(c *echo.Context) bool {
	u, ok := userOf(c)
	if !ok || !u.Can(auth.ActViewClearText) {
		return false
	}
	if tok, isToken := c.Get(ctxToken).(auth.Token); isToken && !tok.Allows(auth.ActViewClearText) {
		return false
	}
	return true
}

// redactor filters the texts of one review with its own mapping (the stored one, completed with the review's
// texts), so that values the detector would miss in a draft are masked all the same.
type redactor struct {
	ctx    context.Context
	filter *pii.Filter
	m      *pii.Mapping
}

func (s *Server) redactorFor(ctx context.Context, rv store.Review) (*redactor, error) {
	if s.filter == nil {
		return nil, errFilterDown
	}
	stored, err := s.store.PIIMapping(ctx, rv.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	m, err := guard.ReviewMapping(ctx, s.filter, stored, rv.Title, rv.Body)
	if err != nil {
		return nil, errFilterDown
	}
	m.AddKnown(pii.LabelPerson, rv.AuthorPseudonym)
	return &redactor{ctx: ctx, filter: s.filter, m: m}, nil
}

func (r *redactor) text(t string) (string, error) {
	if strings.TrimSpace(t) == "" {
		return t, nil
	}
	res, err := r.filter.RedactWith(r.ctx, r.m, t)
	if err != nil {
		return "", errFilterDown
	}
	return res.Text.String(), nil
}

// checks filters what a draft's checks quote of it.
func (r *redactor) checks(cs []ground.Check) ([]ground.Check, error) {
	if cs == nil {
		return nil, nil
	}
	out := make([]ground.Check, len(cs))
	for i, c := range cs {
		var err error
		if c.Message, err = r.text(c.Message); err != nil {
			return nil, err
		}
		if c.Excerpt, err = r.text(c.Excerpt); err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// grounding filters the draft's sentences its grounding repeats.
func (r *redactor) grounding(g *ground.Grounding) (*ground.Grounding, error) {
	if g == nil {
		return nil, nil
	}
	out := *g
	out.Sentences = make([]ground.Sentence, len(g.Sentences))
	for i, sn := range g.Sentences {
		var err error
		if sn.Text, err = r.text(sn.Text); err != nil {
			return nil, err
		}
		out.Sentences[i] = sn
	}
	return &out, nil
}

// review returns rv as a caller without clear text sees it.
func (r *redactor) review(rv store.Review) (store.Review, error) {
	var err error
	for _, p := range []*string{&rv.Title, &rv.Body, &rv.PublishedReply, &rv.RejectedReason, &rv.AuthorPseudonym} {
		if *p, err = r.text(*p); err != nil {
			return rv, err
		}
	}
	return rv, nil
}

// draft returns d as a caller without clear text sees it; the sources are official passages and stay.
func (r *redactor) draft(d store.Draft) (store.Draft, error) {
	var err error
	if d.Text, err = r.text(d.Text); err != nil {
		return d, err
	}
	if d.RedactedPrompt, err = r.text(d.RedactedPrompt); err != nil {
		return d, err
	}
	if d.Error, err = r.text(d.Error); err != nil {
		return d, err
	}
	if d.Checks, err = r.checks(d.Checks); err != nil {
		return d, err
	}
	if d.Grounding, err = r.grounding(d.Grounding); err != nil {
		return d, err
	}
	return d, nil
}

// viewReview returns rv for the caller: in clear with cleartext:view (the caller audits the read), filtered
// otherwise.
func (s *Server) viewReview(c *echo.Context, rv store.Review) (store.Review, *redactor, error) {
	if s.seesClearText(c) {
		return rv, nil, nil
	}
	r, err := s.redactorFor(c.Request().Context(), rv)
	if err != nil {
		return rv, nil, err
	}
	rv, err = r.review(rv)
	return rv, r, err
}

// auditClearList records that the caller read a list of reviews in clear: who, which reviews, through what.
func (s *Server) auditClearList(c *echo.Context, via string, rs []store.Review) error {
	if len(rs) == 0 {
		return nil
	}
	u, _ := userOf(c)
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return s.auth.Audit(c.Request().Context(), auth.Event{UserID: u.ID, Action: "review.list", ObjectType: "review",
		ObjectID: "liste", OrganisationID: u.OrganisationID, Details: map[string]any{"via": via, "reviews": ids}})
}

// matchesFiltered reports whether every word of a search query appears in the filtered text (compared on its
// first five letters, accents and case ignored): a caller without clear text cannot find a review by a name or
// a number the filter hides.
func matchesFiltered(query, filtered string) bool {
	words := map[string]bool{}
	for _, w := range searchWords(filtered) {
		words[w] = true
		if r := []rune(w); len(r) > 5 {
			words[string(r[:5])] = true
		}
	}
	for _, q := range searchWords(query) {
		if q == "or" {
			continue
		}
		if r := []rune(q); len(r) > 5 {
			q = string(r[:5])
		}
		if !words[q] {
			return false
		}
	}
	return true
}

func searchWords(s string) []string {
	return strings.FieldsFunc(fold.String(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// viewDraft returns d for the caller: filtered without clear text; in clear otherwise, audited as action when
// it is not empty (a draft just written is audited by its own action).
func (s *Server) viewDraft(c *echo.Context, rv store.Review, d store.Draft, action string) (store.Draft, error) {
	if s.seesClearText(c) {
		if action != "" {
			if err := s.audit(c, action, "draft", d.ID, rv.OrganisationID, map[string]any{"review_id": rv.ID, "via": "api"}); err != nil {
				return d, err
			}
		}
		return d, nil
	}
	r, err := s.redactorFor(c.Request().Context(), rv)
	if err != nil {
		return d, err
	}
	return r.draft(d)
}

// visibleReviews returns a page of reviews as the caller may read them: in clear, with one audit row for the
// whole list, or filtered, keeping only those whose filtered text still matches the search query.
func (s *Server) visibleReviews(c *echo.Context, query string, rs []store.Review, via string) ([]store.Review, error) {
	if s.seesClearText(c) {
		return rs, s.auditClearList(c, via, rs)
	}
	out := make([]store.Review, 0, len(rs))
	for _, rv := range rs {
		r, err := s.redactorFor(c.Request().Context(), rv)
		if err != nil {
			return nil, err
		}
		fr, err := r.review(rv)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(query) != "" && !matchesFiltered(query, fr.Title+"\n"+fr.Body) {
			continue
		}
		out = append(out, fr)
	}
	return out, nil
}
