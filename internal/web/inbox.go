package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/reviews"
	"github.com/plume-services/plume/internal/store"
)

// inboxRow is one review as the inbox lists it.
type inboxRow struct {
	ID          int64
	Title       string
	Excerpt     string
	Feeling     string
	Topic       string
	Structure   string
	Status      store.ReviewStatus
	StatusLabel string
	WrittenAt   time.Time
	Drafts      int
	AgeDays     int  // days since the citizen wrote
	Late        bool // open and older than the target delay
	Assignee    *assignmentView
}

// statusTab is one status with its count, as a link that keeps the other filters.
type statusTab struct {
	Label   string
	Count   string // countLabel's; empty when the search matches too many to count per status
	Href    string
	Current bool
}

// inboxForm is the filters as the agent typed them, shown back in the form.
type inboxForm struct {
	Status, Since, Until, Topic, Feeling, Query, Sort, Limit string
	Mine                                                     bool // « mes avis »: only the reviews the agent took
}

// inboxData is what inbox.html shows.
type inboxData struct {
	Form     inboxForm
	Rows     []inboxRow
	Tabs     []statusTab
	Total    string // countLabel's
	Next     string // URL of the next page, empty on the last
	First    string // URL of the first page, when this one is not
	Feelings []string
	Filtered bool // a filter other than the status is set: the filters are shown open
	Target   int  // the target delay in days (PLUME_TARGET_DAYS)
	Offline  bool // no model configured: drafts are written offline
	Flash    string
	MineHref string // the same filters with « mes avis » switched
}

// feelings are the citizens' ratings as Services Publics+ gives them.
var feelings = []string{"Positif", "Neutre", "Négatif"}

// inboxFilter reads the inbox filters: those of the API (reviewFilterFrom, which scopes to the organisation),
// plus an end date and the order, oldest unanswered first unless the agent asks for the newest.
func inboxFilter(c *echo.Context) (store.ReviewFilter, inboxForm, error) {
	f, err := reviewFilterFrom(c)
	if err != nil {
		return f, inboxForm{}, err
	}
	form := inboxForm{Status: string(f.Status), Since: c.QueryParam("depuis"), Until: c.QueryParam("jusqu_au"),
		Topic: f.Topic, Feeling: f.Feeling, Query: f.Query, Sort: c.QueryParam("tri"), Limit: c.QueryParam("limite")}
	switch c.QueryParam("mes") {
	case "":
	case "1":
		u, _ := userOf(c)
		form.Mine, f.AssignedTo = true, u.ID
	default:
		return f, form, badRequest{"mes : « 1 » attendu"}
	}
	if form.Until != "" {
		t, err := time.ParseInLocation("2006-01-02", form.Until, paris)
		if err != nil {
			return f, form, badRequest{"jusqu_au : date AAAA-MM-JJ attendue"}
		}
		f.Until = t.AddDate(0, 0, 1) // the whole day
	}
	if form.Since != "" {
		// reviewFilterFrom reads the date in UTC; an agent means midnight in Paris.
		t, _ := time.ParseInLocation("2006-01-02", form.Since, paris)
		f.Since = t
	}
	switch form.Sort {
	case "", "anciens":
		form.Sort = "anciens"
		f.Order = store.OldestOpenFirst
	case "recents":
		f.Order = store.NewestFirst
	default:
		return f, form, badRequest{"tri : « anciens » ou « recents »"}
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	return f, form, nil
}

// query rebuilds the filters as URL parameters, with status replaced.
func (f inboxForm) query(status string) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("statut", status)
	set("depuis", f.Since)
	set("jusqu_au", f.Until)
	set("theme", f.Topic)
	set("ressenti", f.Feeling)
	set("q", f.Query)
	set("limite", f.Limit)
	if f.Mine {
		v.Set("mes", "1")
	}
	if f.Sort != "anciens" {
		set("tri", f.Sort)
	}
	return v
}

func inboxURL(v url.Values) string {
	if len(v) == 0 {
		return "/avis"
	}
	return "/avis?" + v.Encode()
}

// showInbox lists the organisation's reviews. An htmx request for the results only gets them alone.
func (s *Server) showInbox(c *echo.Context) error {
	f, form, err := inboxFilter(c)
	if err != nil {
		return err
	}
	page, err := s.store.ListReviews(c.Request().Context(), f)
	if err != nil {
		return err
	}
	d := inboxData{Form: form, Feelings: feelings, Target: s.cfg.TargetDays, Offline: s.model == nil,
		Filtered: form.Query != "" || form.Topic != "" || form.Feeling != "" || form.Since != "" || form.Until != "" || form.Sort != "anciens",
		Flash:    flashes[c.QueryParam("fait")]}
	if d.Target == 0 {
		d.Target = 7
	}
	all := statusTab{Label: "Tous", Href: inboxURL(form.query("")), Current: form.Status == ""}
	total := 0
	for _, st := range store.ReviewStatuses {
		n := page.Counts[st]
		total += n
		tab := statusTab{Label: st.Label(), Count: countLabel(n), Href: inboxURL(form.query(string(st))), Current: form.Status == string(st)}
		if page.Over {
			tab.Count = ""
		}
		d.Tabs = append(d.Tabs, tab)
	}
	all.Count = countLabel(total)
	if page.Over {
		all.Count = "plus de " + frenchInt(store.SearchCountCap)
	}
	d.Tabs = append([]statusTab{all}, d.Tabs...)
	d.Total = all.Count
	if form.Status != "" && !page.Over {
		d.Total = countLabel(page.Counts[store.ReviewStatus(form.Status)])
	}
	rows, err := s.visibleReviews(c, f.Query, page.Reviews, "page")
	if err != nil {
		return err
	}
	held, err := s.holders(c, rows)
	if err != nil {
		return err
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, inboxRow{Assignee: held[r.ID], ID: r.ID, Title: r.Title, Excerpt: reviews.Excerpt(r.Body, 180), Feeling: r.Feeling,
			Topic: r.Topic, Structure: r.OrganisationLabel, Status: r.Status, StatusLabel: r.Status.Label(),
			WrittenAt: r.WrittenAt, Drafts: r.DraftCount, AgeDays: ageDays(r.WrittenAt)})
		d.Rows[len(d.Rows)-1].Late = openForWork(r.Status) && d.Rows[len(d.Rows)-1].AgeDays > d.Target
	}
	q := form.query(form.Status)
	mine := form
	mine.Mine = !form.Mine
	d.MineHref = inboxURL(mine.query(form.Status))
	if page.Next != nil {
		next := form.query(form.Status)
		next.Set("apres", page.Next.String())
		d.Next = inboxURL(next)
	}
	if f.After != nil {
		d.First = inboxURL(q)
	}
	name := "inbox.html"
	if c.Request().Header.Get("HX-Request") == "true" && c.Request().Header.Get("HX-Target") == "resultats" {
		name = "inbox-results"
	}
	return s.render(c, http.StatusOK, name, pageData{Title: "Avis à traiter", Data: d})
}

// countLabel writes a count of ListReviews: « plus de 10 000 » beyond store.CountCap.
func countLabel(n int) string {
	if n > store.CountCap {
		return "plus de " + frenchInt(store.CountCap)
	}
	return frenchInt(n)
}

// frenchInt writes n with a narrow no-break space between thousands (« 10 000 »).
func frenchInt(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "\u202f" + s[i:]
	}
	return s
}

// ageDays is how many whole days ago t was, in Paris.
func ageDays(t time.Time) int {
	if t.IsZero() {
		return 0
	}
	return int(time.Since(t).Hours() / 24)
}
