package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v5"

	"github.com/plume-services/plume/internal/store"
)

// littleEdited is the edit ratio under which a published reply counts as the draft published with little editing.
const littleEdited = 0.2

// group is the statistics of a set of closed reviews: a topic, a week, or all of them.
type group struct {
	Label        string
	Published    int
	Rejected     int
	MedianHours  float64 // arrival to acknowledged publication; NaN without any
	Compared     int     // published replies with a first draft to compare with
	LittleEdited float64 // share of Compared whose edit ratio is under littleEdited
	MeanRatio    float64 // mean normalised edit distance, first draft to published reply
}

// groupOf reads the figures the database aggregated.
func groupOf(label string, cs store.ClosedStats) group {
	g := group{Label: label, Published: cs.Published, Rejected: cs.Rejected, Compared: cs.Compared,
		MedianHours: math.NaN(), LittleEdited: math.NaN(), MeanRatio: math.NaN()}
	if cs.MedianHours != nil {
		g.MedianHours = *cs.MedianHours
	}
	if cs.Compared > 0 && cs.MeanRatio != nil {
		g.LittleEdited = float64(cs.LittleEdited) / float64(cs.Compared)
		g.MeanRatio = *cs.MeanRatio
	}
	return g
}

// count is a label and how many times it occurs.
type count struct {
	Label string
	N     int
}

// bar is one bar of a horizontal bar chart, in SVG user units.
type bar struct {
	Label, Value      string
	Y, W, TextY, ValX float64
}

// point is one point of a line chart.
type point struct {
	X, Y         float64
	Label, Value string
}

// chart is a server-side SVG chart; templates draw it with a <title>, a <desc> and a data table beside it.
type chart struct {
	ID, Title, Desc string
	Width, Height   float64
	LabelWidth      float64
	Bars            []bar
	Points          []point
	Line            string // the polyline's points
	Baseline        float64
	Top             float64
	MaxLabel        string
	Empty           bool
}

func barChart(id, title, desc string, rows []count) chart {
	c := chart{ID: id, Title: title, Desc: desc, Width: 640, LabelWidth: 240, Empty: len(rows) == 0}
	maxN := 1
	for _, r := range rows {
		maxN = max(maxN, r.N)
	}
	const rowH = 28.0
	span := c.Width - c.LabelWidth - 60
	for i, r := range rows {
		y := float64(i)*rowH + 4
		w := span * float64(r.N) / float64(maxN)
		c.Bars = append(c.Bars, bar{Label: shorten(r.Label, 34), Value: strconv.Itoa(r.N), Y: y, W: max(w, 1),
			TextY: y + rowH/2 + 1, ValX: c.LabelWidth + max(w, 1) + 6})
	}
	c.Height = float64(len(rows))*rowH + 8
	return c
}

func lineChart(id, title, desc string, labels []string, values []float64, format func(float64) string) chart {
	c := chart{ID: id, Title: title, Desc: desc, Width: 640, Height: 240, Baseline: 200, Top: 20}
	top := 0.0
	for _, v := range values {
		if !math.IsNaN(v) {
			top = max(top, v)
		}
	}
	c.Empty = top == 0
	if c.Empty {
		return c
	}
	c.MaxLabel = format(top)
	left, right := 60.0, 620.0
	step := 0.0
	if len(values) > 1 {
		step = (right - left) / float64(len(values)-1)
	}
	var pts []string
	for i, v := range values {
		if math.IsNaN(v) {
			continue
		}
		p := point{X: left + float64(i)*step, Y: c.Baseline - (c.Baseline-c.Top)*v/top, Label: labels[i], Value: format(v)}
		c.Points = append(c.Points, p)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", p.X, p.Y))
	}
	c.Line = strings.Join(pts, " ")
	return c
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// statsView is what stats.html shows.
type statsView struct {
	Weeks   int
	Since   time.Time
	All     group
	Reasons []count
	Topics  []group
	ByWeek  []group
	Charts  []chart
	Options []int
}

// weekStart is the Monday, in Paris, of the week of t.
func weekStart(t time.Time) time.Time {
	t = t.In(paris)
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, paris)
}

// showStats shows the organisation's statistics: response time, how much agents edit the drafts, why reviews
// are set aside, per topic and per week. Only the caller's organisation counts (all for an administrator).
func (s *Server) showStats(c *echo.Context) error {
	f, err := reviewFilterFrom(c)
	if err != nil {
		return err
	}
	weeks := 12
	if w := c.QueryParam("semaines"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > 104 {
			return badRequest{"semaines : un entier entre 1 et 104"}
		}
		weeks = n
	}
	since := weekStart(time.Now()).AddDate(0, 0, -7*(weeks-1))
	ctx := c.Request().Context()
	q := store.StatsQuery{OrganisationID: f.OrganisationID, Since: since, LittleEdited: littleEdited}
	// Ratios are computed once, by the first statistics after a publication, and stored; the period's counters
	// are folded, so that the page sums one row per week, topic and reason.
	if _, err := s.store.FillEditRatios(ctx, q, editRatio); err != nil {
		return err
	}
	if err := s.store.CompactReviewStats(ctx, q); err != nil {
		return err
	}
	rep, err := s.store.ClosedReviewStats(ctx, q)
	if err != nil {
		return err
	}
	v := statsView{Weeks: weeks, Since: since, All: groupOf("Toutes", rep.All), Options: []int{4, 12, 26, 52}}
	weekly := make([]group, weeks)
	for i := range weekly {
		weekly[i] = groupOf(since.AddDate(0, 0, 7*i).Format("02/01"), store.ClosedStats{})
	}
	for _, w := range rep.Weeks {
		// Rounded: a week across a change of time is an hour shorter or longer.
		if i := int(math.Round(w.Week.Sub(since).Hours() / (24 * 7))); i >= 0 && i < weeks {
			weekly[i] = groupOf(weekly[i].Label, w.ClosedStats)
		}
	}
	for _, t := range rep.Topics {
		label := t.Topic
		if label == "" {
			label = "Sans thème"
		}
		v.Topics = append(v.Topics, groupOf(label, t.ClosedStats))
	}
	v.ByWeek = weekly
	for _, r := range rep.Reasons {
		v.Reasons = append(v.Reasons, count{Label: r.Reason, N: r.N})
	}

	labels, hours, published := make([]string, weeks), make([]float64, weeks), make([]count, weeks)
	for i, g := range weekly {
		labels[i], hours[i] = g.Label, g.MedianHours
		published[i] = count{Label: "Semaine du " + g.Label, N: g.Published}
	}
	var topicCounts []count
	for _, g := range v.Topics {
		topicCounts = append(topicCounts, count{Label: g.Label, N: g.Published})
	}
	v.Charts = []chart{
		lineChart("graph-delai", "Délai médian de publication par semaine",
			"Délai médian entre l'arrivée d'un avis et la publication de sa réponse, pour chaque semaine de la période.", labels, hours, formatHours),
		barChart("graph-semaines", "Réponses publiées par semaine", "Nombre de réponses publiées chaque semaine de la période.", published),
		barChart("graph-themes", "Réponses publiées par thème", "Nombre de réponses publiées pour chaque thème, du plus fréquent au moins fréquent.", topicCounts),
		barChart("graph-motifs", "Motifs des avis écartés", "Nombre d'avis écartés pour chaque motif.", v.Reasons),
	}
	return s.render(c, http.StatusOK, "stats.html", pageData{Title: "Statistiques", Data: v})
}
