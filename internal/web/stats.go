package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"
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

	hours, ratios []float64
}

func (g *group) add(r store.ClosedReview) {
	if r.Status == store.StatusRejected {
		g.Rejected++
		return
	}
	g.Published++
	if r.PublishedAt != nil {
		g.hours = append(g.hours, r.PublishedAt.Sub(r.ArrivedAt).Hours())
	}
	if r.FirstDraft != nil && r.Published != "" {
		g.ratios = append(g.ratios, editRatio(*r.FirstDraft, r.Published))
	}
}

func (g *group) finish() {
	g.MedianHours = median(g.hours)
	g.Compared = len(g.ratios)
	g.LittleEdited, g.MeanRatio = math.NaN(), math.NaN()
	if len(g.ratios) > 0 {
		n, sum := 0, 0.0
		for _, r := range g.ratios {
			sum += r
			if r < littleEdited {
				n++
			}
		}
		g.LittleEdited = float64(n) / float64(len(g.ratios))
		g.MeanRatio = sum / float64(len(g.ratios))
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
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
	rs, err := s.store.ClosedReviews(c.Request().Context(), f.OrganisationID, since)
	if err != nil {
		return err
	}
	v := statsView{Weeks: weeks, Since: since, All: group{Label: "Toutes"}, Options: []int{4, 12, 26, 52}}
	topics := map[string]*group{}
	weekly := make([]group, weeks)
	for i := range weekly {
		weekly[i].Label = since.AddDate(0, 0, 7*i).Format("02/01")
	}
	reasons := map[string]int{}
	for _, r := range rs {
		v.All.add(r)
		t := strings.TrimSpace(r.Topic)
		if t == "" {
			t = "Sans thème"
		}
		if topics[t] == nil {
			topics[t] = &group{Label: t}
		}
		topics[t].add(r)
		if i := int(weekStart(r.ClosedAt).Sub(since).Hours() / (24 * 7)); i >= 0 && i < weeks {
			weekly[i].add(r)
		}
		if r.Status == store.StatusRejected {
			reason, _, _ := strings.Cut(r.RejectedReason, " : ")
			reasons[strings.TrimSpace(reason)]++
		}
	}
	v.All.finish()
	for _, g := range topics {
		g.finish()
		v.Topics = append(v.Topics, *g)
	}
	slices.SortFunc(v.Topics, func(a, b group) int {
		if n := (b.Published + b.Rejected) - (a.Published + a.Rejected); n != 0 {
			return n
		}
		return strings.Compare(a.Label, b.Label)
	})
	for i := range weekly {
		weekly[i].finish()
	}
	v.ByWeek = weekly
	for k, n := range reasons {
		v.Reasons = append(v.Reasons, count{Label: k, N: n})
	}
	slices.SortFunc(v.Reasons, func(a, b count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Label, b.Label)
	})

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
