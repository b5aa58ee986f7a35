package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/assistant"
	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/ground"
)

// assistantHandlers serve the assistant's page and API; svc is nil when the assistant could not be built
// (no personal-data filter), and every handler then answers 503.
type assistantHandlers struct {
	s   *Server
	svc *assistant.Service
	err error
}

// newAssistantHandlers builds the assistant on the server's collaborators; a failure leaves the pages up with a
// clear message rather than stopping the server.
func newAssistantHandlers(s *Server) *assistantHandlers {
	h := &assistantHandlers{s: s}
	h.svc, h.err = assistant.New(assistant.Options{Store: s.store, Searcher: s.search, Model: s.model,
		WriterOptions: ground.WriterOptions{Filter: s.filter, Log: s.log, Limits: s.cfg.PromptLimits}})
	if h.err != nil {
		s.log.Warn("assistant indisponible", "err", h.err)
	}
	return h
}

// assistantPage is what assistant.html receives.
type assistantPage struct {
	Conversations []assistant.Conversation
	Current       *assistant.Conversation
	Turns         []turnView
	Offline       bool
	Tags          []struct{ Value, Label string }
	Question      string // shown back after a failure
	Error         string
}

// turnView is one question and answer ready for the page.
type turnView struct {
	ID         int64
	Anchor     string // prefix of the sources' ids, unique in the page
	Question   string
	AnswerHTML template.HTML
	Sources    []ground.Passage
	Offline    bool
	Model      string
	Feedback   *assistant.Feedback
	CreatedAt  time.Time
	Tags       []struct{ Value, Label string }
	CSRF       string
}

func (h *assistantHandlers) showPage(c *echo.Context) error {
	if h.svc == nil {
		return errAssistantDown
	}
	u, _ := userOf(c)
	var id int64
	if p := c.Param("id"); p != "" {
		var err error
		if id, err = strconv.ParseInt(p, 10, 64); err != nil {
			return echo.ErrNotFound
		}
	}
	page, err := h.page(c, u, id)
	if err != nil {
		return err
	}
	return h.s.render(c, http.StatusOK, "assistant.html", pageData{Title: "Assistant", Data: page})
}

func (h *assistantHandlers) page(c *echo.Context, u auth.User, id int64) (assistantPage, error) {
	ctx := c.Request().Context()
	page := assistantPage{Offline: h.svc.Offline(), Tags: assistant.FeedbackTags}
	var err error
	if page.Conversations, err = h.svc.Conversations(ctx, u.ID); err != nil {
		return page, err
	}
	if id != 0 {
		conv, msgs, err := h.svc.Conversation(ctx, u.ID, id)
		if err != nil {
			return page, err
		}
		page.Current = &conv
		for _, m := range msgs {
			page.Turns = append(page.Turns, h.turn(c, m))
		}
	}
	return page, nil
}

func (h *assistantHandlers) turn(c *echo.Context, m assistant.Message) turnView {
	anchor := "src-" + strconv.FormatInt(m.ID, 10)
	t := turnView{ID: m.ID, Anchor: anchor, Question: m.Question, AnswerHTML: answerHTML(m.Answer, anchor, len(m.Sources)),
		Sources: m.Sources, Offline: m.Offline, Model: m.Model, Feedback: m.Feedback, CreatedAt: m.CreatedAt, Tags: assistant.FeedbackTags}
	if se, ok := c.Get(ctxSession).(auth.Session); ok {
		t.CSRF = se.CSRF
	}
	return t
}

// answerHTML escapes an answer and turns its citations into links to the sources panel and its lines into
// paragraphs and list items; nothing of the text itself becomes markup.
func answerHTML(text, anchor string, sources int) template.HTML {
	var b strings.Builder
	inList := false
	for _, para := range strings.Split(strings.TrimSpace(text), "\n") {
		line := strings.TrimSpace(para)
		if line == "" {
			continue
		}
		item, isItem := listItem(line)
		switch {
		case isItem && !inList:
			b.WriteString("<ul>")
			inList = true
		case !isItem && inList:
			b.WriteString("</ul>")
			inList = false
		}
		var esc strings.Builder
		for _, p := range ground.SplitCitations(item) {
			if p.Cite < 1 || p.Cite > sources {
				esc.WriteString(template.HTMLEscapeString(p.Text))
				continue
			}
			fmt.Fprintf(&esc, `<a href="#%s-%d" class="plume-cite" aria-label="source %d">%s</a>`, anchor, p.Cite, p.Cite, template.HTMLEscapeString(p.Text))
		}
		if isItem {
			b.WriteString("<li>" + esc.String() + "</li>")
		} else {
			b.WriteString("<p>" + esc.String() + "</p>")
		}
	}
	if inList {
		b.WriteString("</ul>")
	}
	return template.HTML(b.String()) //nolint:gosec // built from escaped text only
}

var numberedItemRE = regexp.MustCompile(`^\d{1,2}[.)]\s+`)

// listItem recognises "- étape" and "1. étape" lines, keeping the number of numbered steps.
func listItem(line string) (string, bool) {
	if rest, ok := strings.CutPrefix(line, "- "); ok {
		return rest, true
	}
	if numberedItemRE.MatchString(line) {
		return line, true
	}
	return line, false
}

// ask answers a question of the chat. A browser running assistant.js asks for text/event-stream and gets the
// answer as it is written; without JavaScript the form posts normally and lands on the conversation.
func (h *assistantHandlers) ask(c *echo.Context) error {
	if h.svc == nil {
		return errAssistantDown
	}
	u, _ := userOf(c)
	question := c.FormValue("question")
	var convID int64
	if v := c.FormValue("conversation"); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return badRequest{"conversation : identifiant numérique attendu."}
		}
		convID = id
	}
	if !strings.Contains(c.Request().Header.Get("Accept"), "text/event-stream") {
		return h.askPlain(c, u, convID, question)
	}
	return h.askStream(c, u, convID, question)
}

func (h *assistantHandlers) askPlain(c *echo.Context, u auth.User, convID int64, question string) error {
	ans, err := h.svc.Ask(c.Request().Context(), assistant.Question{UserID: u.ID, ConversationID: convID, Text: question})
	if ae := classify(err); err != nil && shownInChat(ae) {
		// The adviser keeps their question on the page, with the table's message above it.
		page, perr := h.page(c, u, convID)
		if perr != nil {
			return perr
		}
		page.Error, page.Question = ae.Message, question
		return h.s.render(c, ae.Status, "assistant.html", pageData{Title: "Assistant", Data: page})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assistant/conversations/%d#m%d", ans.ConversationID, ans.MessageID))
}

// shownInChat tells the errors of a question the adviser reads in the chat itself (their question refused, the
// model or the filter down, a conflict) from those that get the error page (a missing conversation, a bug).
func shownInChat(ae apiError) bool {
	return ae.Status != http.StatusNotFound && ae.Status != http.StatusInternalServerError
}

// streamTimeout bounds a streamed answer, past the server's ordinary write timeout.
const streamTimeout = 5 * time.Minute

func (h *assistantHandlers) askStream(c *echo.Context, u auth.User, convID int64, question string) error {
	sse := newSSE(c, streamTimeout)
	defer sse.close()
	if err := sse.event("start", struct{}{}); err != nil {
		return nil
	}
	q := assistant.Question{UserID: u.ID, ConversationID: convID, Text: question,
		OnSources: func(srcs []ground.Passage) error {
			html, err := h.fragment("assistant-sources", turnView{Anchor: "src-live", Sources: srcs})
			if err != nil {
				return err
			}
			return sse.event("sources", map[string]any{"html": html, "count": len(srcs)})
		},
		OnDelta: func(d string) error { return sse.event("delta", map[string]string{"text": d}) },
	}
	ans, err := h.svc.Ask(c.Request().Context(), q)
	if err != nil {
		ae := classify(err)
		switch {
		case c.Request().Context().Err() != nil:
			return nil // the adviser left: nobody to tell
		case ae.Status == http.StatusInternalServerError:
			h.s.log.ErrorContext(c.Request().Context(), "assistant : erreur", "err", err)
		}
		// The stream has started (status 200): the error travels as an event the page shows.
		_ = sse.event("error", ae)
		return nil
	}
	_, msgs, err := h.svc.Conversation(c.Request().Context(), u.ID, ans.ConversationID)
	if err != nil || len(msgs) == 0 {
		_ = sse.event("error", map[string]string{"message": "La réponse a été donnée mais n'a pas pu être relue : rechargez la page."})
		return nil
	}
	html, err := h.fragment("assistant-turn", h.turn(c, msgs[len(msgs)-1]))
	if err != nil {
		return err
	}
	return sse.event("done", map[string]any{"html": html, "conversation": ans.ConversationID, "message": ans.MessageID,
		"url": fmt.Sprintf("/assistant/conversations/%d", ans.ConversationID), "title": titleOf(msgs[0].Question)})
}

func titleOf(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if r := []rune(q); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return q
}

// fragment renders a partial template to a string, for the streamed events.
func (h *assistantHandlers) fragment(name string, data any) (string, error) {
	var buf bytes.Buffer
	if err := h.s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// target is what an action on one message or conversation starts from: the service (or errAssistantDown), the
// signed-in adviser and the id in the path; a malformed id is a 404, as an unknown one is.
func (h *assistantHandlers) target(c *echo.Context) (auth.User, int64, error) {
	if h.svc == nil {
		return auth.User{}, 0, errAssistantDown
	}
	u, _ := userOf(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return u, 0, echo.ErrNotFound
	}
	return u, id, nil
}

func (h *assistantHandlers) feedback(c *echo.Context) error {
	u, id, err := h.target(c)
	if err != nil {
		return err
	}
	rating := 0
	switch c.FormValue("note") {
	case "utile":
		rating = 1
	case "inutile":
		rating = -1
	}
	form, err := c.FormValues()
	if err != nil {
		return badRequest{"Formulaire illisible."}
	}
	f, err := h.svc.SetFeedback(c.Request().Context(), u.ID, assistant.Feedback{MessageID: id, Rating: rating, Tags: form["etiquettes"], Comment: c.FormValue("commentaire")})
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		return c.HTML(http.StatusOK, feedbackThanks(f))
	}
	return c.Redirect(http.StatusSeeOther, c.Request().Referer())
}

func feedbackThanks(f assistant.Feedback) string {
	what := "utile"
	if f.Rating < 0 {
		what = "pas utile"
	}
	return `<p class="fr-text--sm fr-mb-0" role="status">Merci : avis « ` + template.HTMLEscapeString(what) + ` » enregistré.</p>`
}

func (h *assistantHandlers) deleteConversation(c *echo.Context) error {
	u, id, err := h.target(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteConversation(c.Request().Context(), u.ID, id); err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", "/assistant")
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, "/assistant")
}

// export sends the adviser's own conversations as redacted JSON lines, for evaluation.
func (h *assistantHandlers) export(c *echo.Context) error {
	if h.svc == nil {
		return errAssistantDown
	}
	u, _ := userOf(c)
	var buf bytes.Buffer
	if _, err := h.svc.Export(c.Request().Context(), u.ID, &buf); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="conversations-assistant.jsonl"`)
	return c.Blob(http.StatusOK, "application/jsonl; charset=utf-8", buf.Bytes())
}
