package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/corpus"
	"github.com/plume-services/plume/internal/draft"
	"github.com/plume-services/plume/internal/fold"
	"github.com/plume-services/plume/internal/ground"
	"github.com/plume-services/plume/internal/pii"
	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/search"
	"github.com/plume-services/plume/internal/store"
)

// reviewFor loads a review the caller may see; another organisation's review is reported as not found, not
// forbidden, so that ids reveal nothing.
func (s *Server) reviewFor(c *echo.Context, idParam string) (store.Review, error) {
	id, err := strconv.ParseInt(c.Param(idParam), 10, 64)
	if err != nil || id <= 0 {
		return store.Review{}, store.ErrNotFound
	}
	rv, err := s.store.GetReview(c.Request().Context(), id)
	if err != nil {
		return store.Review{}, err
	}
	u, _ := userOf(c)
	if !u.SeesOrganisation(rv.OrganisationID) {
		return store.Review{}, fmt.Errorf("web: review %d outside the caller's organisation: %w", id, store.ErrNotFound)
	}
	return rv, nil
}

// audit records an action on an object; a failed audit write fails the request, since the log must be complete.
func (s *Server) audit(c *echo.Context, action, objectType string, objectID int64, orgID int64, details map[string]any) error {
	u, _ := userOf(c)
	return s.auth.Audit(c.Request().Context(), auth.Event{UserID: u.ID, Action: action, ObjectType: objectType,
		ObjectID: strconv.FormatInt(objectID, 10), OrganisationID: orgID, Details: details})
}

// reviewJSON is a review as the API returns it.
type reviewJSON struct {
	ID             int64      `json:"id"`
	Source         string     `json:"source"`
	ExternalID     string     `json:"external_id"`
	Organisation   string     `json:"organisation"`
	Structure      string     `json:"structure,omitempty"`
	Title          string     `json:"title"`
	Body           string     `json:"body"`
	Feeling        string     `json:"feeling,omitempty"`
	Topic          string     `json:"topic,omitempty"`
	Status         string     `json:"status"`
	StatusLabel    string     `json:"status_label"`
	WrittenAt      time.Time  `json:"written_at"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
	PublishedReply string     `json:"published_reply,omitempty"`
	RejectedReason string     `json:"rejected_reason,omitempty"`
	Drafts         int        `json:"drafts"`
}

func toReviewJSON(r store.Review) reviewJSON {
	return reviewJSON{ID: r.ID, Source: r.Source, ExternalID: r.ExternalID, Organisation: r.OrganisationSlug,
		Structure: r.OrganisationLabel, Title: r.Title, Body: r.Body, Feeling: r.Feeling, Topic: r.Topic,
		Status: string(r.Status), StatusLabel: r.Status.Label(), WrittenAt: r.WrittenAt.In(paris), PublishedAt: inParis(r.PublishedAt),
		PublishedReply: r.PublishedReply, RejectedReason: r.RejectedReason, Drafts: r.DraftCount}
}

// inParis writes an optional time with the Paris offset, as every date of the API is.
func inParis(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	p := t.In(paris)
	return &p
}

// draftJSON is a stored draft as the API returns it, its audit fields decoded.
type draftJSON struct {
	ID             int64              `json:"id"`
	ReviewID       int64              `json:"review_id"`
	Version        int                `json:"version"`
	Kind           string             `json:"kind"`
	Offline        bool               `json:"offline"`
	Text           string             `json:"text"`
	Model          string             `json:"model"`
	PromptVersion  string             `json:"prompt_version,omitempty"`
	RedactedPrompt string             `json:"redacted_prompt,omitempty"`
	Sources        []apiPassage       `json:"sources,omitempty"`
	Checks         []ground.Check     `json:"checks,omitempty"`
	Grounding      *ground.Grounding  `json:"grounding,omitempty"`
	Usage          *apiUsage          `json:"usage,omitempty"`
	LatencyMS      map[string]float64 `json:"latency_ms,omitempty"`
	Error          string             `json:"error,omitempty"`
	CreatedBy      string             `json:"created_by,omitempty"`
	CreatedAt      time.Time          `json:"created_at"`
}

// toDraftJSON writes a draft in the API's style: snake_case usage, the Paris offset, and the model's failure
// without the model server's address.
func toDraftJSON(d store.Draft) draftJSON {
	out := draftJSON{ID: d.ID, ReviewID: d.ReviewID, Version: d.Version, Kind: string(d.Kind), Offline: d.Kind == store.DraftOffline,
		Text: d.Text, Model: d.Model, PromptVersion: d.PromptVersion, RedactedPrompt: d.RedactedPrompt, Sources: apiPassages(d.Sources),
		Checks: d.Checks, Grounding: d.Grounding, LatencyMS: d.LatencyMS, Error: scrubAddresses(d.Error),
		CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.In(paris)}
	if len(out.Sources) == 0 {
		out.Sources = nil
	}
	if d.Usage != nil {
		u := toAPIUsage(*d.Usage)
		out.Usage = &u
	}
	return out
}

// listReviewsAPI returns a page of the caller's organisation's reviews.
func (s *Server) listReviewsAPI(c *echo.Context) error {
	f, err := reviewFilterFrom(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListReviews(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Reviews []reviewJSON   `json:"reviews"`
		Next    string         `json:"next,omitempty"`
		Counts  map[string]int `json:"counts"`
		// CountsOver says a search matches more than store.SearchCountCap reviews, too many to count per status.
		CountsOver bool `json:"counts_over,omitempty"`
	}{Reviews: []reviewJSON{}, Counts: map[string]int{}, CountsOver: page.Over}
	reviews, err := s.visibleReviews(c, f.Query, page.Reviews, "api")
	if err != nil {
		return err
	}
	for _, r := range reviews {
		out.Reviews = append(out.Reviews, toReviewJSON(r))
	}
	if page.Next != nil {
		out.Next = page.Next.String()
	}
	for k, v := range page.Counts {
		out.Counts[string(k)] = v
	}
	return c.JSON(http.StatusOK, out)
}

// enumError is a parameter outside its list of values: a 422 that lists them, rather than a silently empty result.
func enumError(param, got string, allowed []string) error {
	return reviews.FieldErrors{param: fmt.Sprintf("valeur « %s » inconnue ; valeurs admises : %s", got, strings.Join(allowed, ", "))}
}

// reviewFilterFrom reads the inbox filters of a request and scopes them to the caller's organisation; only an
// administrator may choose another one.
func reviewFilterFrom(c *echo.Context) (store.ReviewFilter, error) {
	u, _ := userOf(c)
	f := store.ReviewFilter{OrganisationID: u.OrganisationID, Query: strings.TrimSpace(c.QueryParam("q")),
		Feeling: c.QueryParam("ressenti"), Topic: c.QueryParam("theme")}
	if u.Role == auth.RoleAdmin {
		f.OrganisationID = 0
		if o := c.QueryParam("organisation"); o != "" {
			id, err := strconv.ParseInt(o, 10, 64)
			if err != nil {
				return f, badRequest{"organisation : identifiant numérique attendu"}
			}
			f.OrganisationID = id
		}
	}
	if st := c.QueryParam("statut"); st != "" {
		f.Status = store.ReviewStatus(st)
		if !f.Status.Valid() {
			allowed := make([]string, len(store.ReviewStatuses))
			for i, v := range store.ReviewStatuses {
				allowed[i] = string(v)
			}
			return f, enumError("statut", st, allowed)
		}
	}
	if f.Feeling != "" && !slices.ContainsFunc(feelings, func(v string) bool { return strings.EqualFold(fold.String(v), fold.String(f.Feeling)) }) {
		return f, enumError("ressenti", f.Feeling, feelings)
	}
	if d := c.QueryParam("depuis"); d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			return f, badRequest{"depuis : date AAAA-MM-JJ attendue"}
		}
		f.Since = t
	}
	if a := c.QueryParam("apres"); a != "" {
		cur, err := store.ParseReviewCursor(a)
		if err != nil {
			return f, badRequest{err.Error()}
		}
		f.After = &cur
	}
	if l := c.QueryParam("limite"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return f, badRequest{"limite : un entier entre 1 et 500"}
		}
		f.Limit = n
	}
	return f, nil
}

// createReviewAPI stores one review (idempotent by source and external id) and queues its first draft.
func (s *Server) createReviewAPI(c *echo.Context) error {
	var in reviews.ReviewInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, _ := userOf(c)
	if u.Role != auth.RoleAdmin {
		// An integration writes for its own organisation only.
		if in.OrganisationSlug != "" && in.OrganisationSlug != u.OrganisationSlug {
			return reviews.FieldErrors{"organisation_slug": "hors de votre organisation (" + u.OrganisationSlug + ")"}
		}
		in.OrganisationSlug = u.OrganisationSlug
		if in.Organisation == "" {
			in.Organisation = u.OrganisationName
		}
	}
	ctx := c.Request().Context()
	var drafts reviews.Drafts // the review and its drafting job commit together, or neither does
	if s.jobs != nil {
		drafts = s.jobs
	}
	id, res, err := reviews.Save(ctx, s.store, drafts, in)
	if err != nil {
		return err // a *reviews.KeptError is a 409 review_kept
	}
	rv, err := s.store.GetReview(ctx, id)
	if err != nil {
		return err
	}
	if rv, _, err = s.viewReview(c, rv); err != nil {
		return err
	}
	status := http.StatusOK
	if res == store.Inserted {
		status = http.StatusCreated
	}
	return c.JSON(status, map[string]any{"review": toReviewJSON(rv), "result": []string{"inchangé", "créé", "mis à jour"}[res]})
}

// showReviewAPI returns a review with all its drafts; reading a citizen's text in clear is audited.
func (s *Server) showReviewAPI(c *echo.Context) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	ds, err := s.store.ListDrafts(c.Request().Context(), rv.ID)
	if err != nil {
		return err
	}
	rv, red, err := s.viewReview(c, rv)
	if err != nil {
		return err
	}
	if red == nil {
		if err := s.audit(c, "review.view", "review", rv.ID, rv.OrganisationID, map[string]any{"via": "api"}); err != nil {
			return err
		}
	}
	out := struct {
		Review reviewJSON  `json:"review"`
		Drafts []draftJSON `json:"drafts"`
	}{Review: toReviewJSON(rv), Drafts: []draftJSON{}}
	for _, d := range ds {
		if red != nil {
			if d, err = red.draft(d); err != nil {
				return err
			}
		}
		out.Drafts = append(out.Drafts, toDraftJSON(d))
	}
	return c.JSON(http.StatusOK, out)
}

// showDraftAPI returns one draft, if its review is the caller's organisation's.
func (s *Server) showDraftAPI(c *echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	d, err := s.store.GetDraft(c.Request().Context(), id)
	if err != nil {
		return err
	}
	rv, err := s.store.GetReview(c.Request().Context(), d.ReviewID)
	if err != nil {
		return err
	}
	if u, _ := userOf(c); !u.SeesOrganisation(rv.OrganisationID) {
		return store.ErrNotFound
	}
	if d, err = s.viewDraft(c, rv, d, "draft.view"); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDraftJSON(d))
}

// draftRequest is the body of POST /api/v1/reviews/{id}/drafts.
type draftRequest struct {
	Instruction string `json:"instruction"` // a rewrite: « plus court », « plus formel », « langage clair »…
	Text        string `json:"text"`        // the text to rewrite; empty: the latest draft
	// KeepDraft asks for an error rather than an offline draft when the model fails (the review screen).
	KeepDraft bool `json:"keep_draft"`
	Offline   bool `json:"offline"` // write with the offline drafter, without the model
}

// createDraftAPI drafts a reply now; with ?stream=true the text arrives as server-sent events (delta events,
// then a draft event with the stored draft, or an error event).
func (s *Server) createDraftAPI(c *echo.Context) error {
	rv, err := s.reviewFor(c, "id")
	if err != nil {
		return err
	}
	var body draftRequest
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
	}
	u, _ := userOf(c)
	req := draft.Request{ReviewID: rv.ID, Actor: u.Email, Instruction: strings.TrimSpace(body.Instruction), Previous: body.Text,
		KeepOnModelFailure: body.KeepDraft, Offline: body.Offline}
	stream, err := boolParam(c, "stream")
	if err != nil {
		return err
	}
	if stream {
		// What would be refused is refused now, with its status, before the stream answers 200.
		if err := draftable(rv, req); err != nil {
			return err
		}
		return s.streamDraft(c, rv, req)
	}
	d, _, err := s.drafts.DraftReview(c.Request().Context(), req)
	if err != nil {
		return err
	}
	if err := s.audit(c, draftAction(req), "draft", d.ID, rv.OrganisationID, map[string]any{"review_id": rv.ID, "model": d.Model}); err != nil {
		return err
	}
	if d, err = s.viewDraft(c, rv, d, ""); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toDraftJSON(d))
}

// draftable checks, before a stream starts, what DraftReview would refuse: a published or set-aside review, or a
// rewrite with no draft to rewrite.
func draftable(rv store.Review, req draft.Request) error {
	switch {
	case rv.Status == store.StatusPublished || rv.Status == store.StatusRejected:
		return draft.ErrNotDraftable
	case req.Instruction != "" && req.Previous == "" && rv.DraftCount == 0:
		return draft.ErrNothingToRewrite
	}
	return nil
}

func draftAction(r draft.Request) string {
	if r.Instruction != "" {
		return "draft.rewrite"
	}
	return "draft.generate"
}

// streamDraft writes the draft as server-sent events while the model writes it.
func (s *Server) streamDraft(c *echo.Context, rv store.Review, req draft.Request) error {
	// A stream outlives the server's write timeout: extend it for this response only.
	sse := newSSE(c, s.cfg.LLMTimeout+2*time.Minute)
	defer sse.close()
	send := sse.event
	// A first event at once: the agent's browser, and any proxy between, know the draft is on its way even while
	// the model is busy.
	if err := send("start", struct{}{}); err != nil {
		return nil
	}
	req.OnDelta = func(delta string) error { return send("delta", map[string]string{"text": delta}) }
	d, _, err := s.drafts.DraftReview(c.Request().Context(), req)
	if err != nil {
		// A model that failed: the agent keeps their text, the cause is shown folded away (the table's Detail).
		return send("error", s.classifyLogged(c.Request().Context(), err))
	}
	if err := s.audit(c, draftAction(req), "draft", d.ID, rv.OrganisationID, map[string]any{"review_id": rv.ID, "model": d.Model, "stream": true}); err != nil {
		return send("error", s.classifyLogged(c.Request().Context(), err))
	}
	if d, err = s.viewDraft(c, rv, d, ""); err != nil {
		return send("error", s.classifyLogged(c.Request().Context(), err))
	}
	return send("draft", toDraftJSON(d))
}

// scanPIIAPI runs the personal-data filter on one {"id","text"} item, for integrators.
func (s *Server) scanPIIAPI(c *echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	it, err := pii.ParseScanItem(body)
	if err != nil {
		return badRequest{err.Error()}
	}
	res, err := s.filter.Scan(c.Request().Context(), it)
	if err != nil {
		return err // every error of the filter wraps pii.ErrFilter
	}
	return c.JSON(http.StatusOK, res)
}

// searchAudiences are the values of search's audience filter: the corpus's audiences.
var searchAudiences = []string{corpus.AudienceParticuliers, corpus.AudienceProfessionnels, corpus.AudienceAssociations, corpus.AudienceLocal}

// searchAPI returns the passages that answer q; the query goes through the filter before it is embedded.
func (s *Server) searchAPI(c *echo.Context) error {
	q := c.QueryParam("q")
	if err := search.CheckQuery(q); err != nil {
		return badRequest{err.Error()}
	}
	k := 10
	if v := c.QueryParam("k"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return badRequest{"k : un entier entre 1 et 50"}
		}
		k = n
	}
	audience := c.QueryParam("audience")
	if audience != "" && !slices.Contains(searchAudiences, audience) {
		return enumError("audience", audience, searchAudiences)
	}
	byDoc, err := boolParam(c, "par_fiche")
	if err != nil {
		return err
	}
	red, err := s.filter.Redact(c.Request().Context(), q)
	if err != nil {
		return err // every error of the filter wraps pii.ErrFilter
	}
	rs, err := s.search.Search(c.Request().Context(), search.Query{Text: red.Text, K: k, Audience: audience,
		DocID: c.QueryParam("fiche"), ByDocument: byDoc})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"query": q, "results": apiPassages(rs)})
}

// boolParam reads a yes/no query parameter: true or 1, false or 0, or absent (false).
func boolParam(c *echo.Context, name string) (bool, error) {
	switch v := c.QueryParam(name); strings.ToLower(v) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	default:
		return false, enumError(name, v, []string{"true", "false", "1", "0"})
	}
}

// decodeJSON reads a JSON body strictly: unknown fields and trailing data are client errors with a French reason.
func decodeJSON(c *echo.Context, v any) error {
	if ct := c.Request().Header.Get("Content-Type"); ct != "" && !jsonContentType(ct) {
		return errNotJSON
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return jsonMistake(err)
	}
	if dec.More() {
		return badRequest{"JSON invalide : des données suivent l'objet."}
	}
	return nil
}

func readBody(c *echo.Context) ([]byte, error) {
	var raw json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}
