package eval

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/plume-services/plume/internal/store"
)

// Report is what `plume eval report` renders: a run, its items, and optionally a comparison with another run.
type Report struct {
	Summary    Summary          `json:"summary"`
	Items      []ReportItem     `json:"items"`
	Comparison *Comparison      `json:"comparison,omitempty"`
	Generated  time.Time        `json:"generated"`
	Histograms []Histogram      `json:"-"`
	raw        []store.EvalItem `json:"-"`
}

// ReportItem is one item as reports show it.
type ReportItem struct {
	ID        string             `json:"id"`
	Output    string             `json:"output"`
	Metrics   map[string]float64 `json:"metrics"`
	Judge     []Verdict          `json:"judge,omitempty"`
	Details   json.RawMessage    `json:"details,omitempty"`
	Error     string             `json:"error,omitempty"`
	LatencyMS float64            `json:"latency_ms"`
	Cost      float64            `json:"cost"`
}

// Histogram is the distribution of one metric over a run's items, in equal bins over its scale.
type Histogram struct {
	Info   MetricInfo
	Lo, Hi float64
	Counts []int
}

// NewReport builds the report of a run; compare may be nil.
func NewReport(run store.EvalRun, items []store.EvalItem, compare *Comparison) Report {
	r := Report{Summary: SummariseRun(run, items), Comparison: compare, Generated: time.Now().UTC(), raw: items}
	for _, it := range items {
		ri := ReportItem{ID: it.ItemID, Output: it.Output, Metrics: it.Metrics, Details: it.Details, Error: it.Error, LatencyMS: it.LatencyMS, Cost: it.Cost}
		if len(it.Judge) > 0 {
			_ = json.Unmarshal(it.Judge, &ri.Judge)
		}
		r.Items = append(r.Items, ri)
	}
	for _, n := range []string{MetricChrF, MetricRougeL, MetricGrounding, MetricWords, MetricRecall5, MetricMRR, MetricLatencyMS} {
		if h, ok := histogram(n, items, 10); ok {
			r.Histograms = append(r.Histograms, h)
		}
	}
	return r
}

func histogram(name string, items []store.EvalItem, bins int) (Histogram, bool) {
	var vs []float64
	for _, it := range items {
		if v, ok := it.Metrics[name]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) < 2 {
		return Histogram{}, false
	}
	h := Histogram{Info: Info(name), Counts: make([]int, bins)}
	h.Lo, h.Hi = 0, h.Info.Max
	if h.Hi == 0 {
		h.Lo, h.Hi = math.Inf(1), math.Inf(-1)
		for _, v := range vs {
			h.Lo, h.Hi = math.Min(h.Lo, v), math.Max(h.Hi, v)
		}
		if h.Hi == h.Lo {
			h.Hi = h.Lo + 1
		}
	}
	for _, v := range vs {
		b := int(float64(bins) * (v - h.Lo) / (h.Hi - h.Lo))
		h.Counts[min(max(b, 0), bins-1)]++
	}
	return h, true
}

// WriteJSON writes the report as indented JSON, for CI.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// fmtValue prints a metric value with its digits, French decimal comma.
func fmtValue(mi MetricInfo, v float64) string {
	return strings.Replace(fmt.Sprintf("%.*f", mi.Digits, v), ".", ",", 1)
}

func fmtSigned(mi MetricInfo, v float64) string {
	s := fmtValue(mi, v)
	if v > 0 {
		s = "+" + s
	}
	return s
}

// WriteMarkdown writes the summary (and comparison) as Markdown tables, for CI logs and pull requests.
func (r Report) WriteMarkdown(w io.Writer) error {
	s := r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "# Évaluation %d%s\n\n", s.Run.ID, nameSuffix(s.Run.Name))
	fmt.Fprintf(&b, "- Jeu : `%s` (%s, %d éléments, %d en erreur)\n", mdEscape(s.Run.Dataset), s.Run.Kind, s.Items, s.Errors)
	fmt.Fprintf(&b, "- Configuration : %s\n", mdEscape(configLine(s.Config)))
	fmt.Fprintf(&b, "- Commit : `%s` — durée %s — coût %s — %d jetons\n\n", mdEscape(orDash(s.Run.GitCommit)), s.Duration.Round(time.Millisecond), fmtCost(s.Cost), s.Tokens)
	b.WriteString("| Métrique | Moyenne | Min | Max | n |\n|---|---:|---:|---:|---:|\n")
	for _, n := range s.Order {
		st, mi := s.Metrics[n], Info(n)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d |\n", mdEscape(mi.Label), fmtValue(mi, st.Mean), fmtValue(mi, st.Min), fmtValue(mi, st.Max), st.N)
	}
	if c := r.Comparison; c != nil {
		fmt.Fprintf(&b, "\n## Comparaison : A = %d%s, B = %d%s\n\n", c.A.Run.ID, nameSuffix(c.A.Run.Name), c.B.Run.ID, nameSuffix(c.B.Run.Name))
		b.WriteString("| Métrique | A | B | B − A | IC 95 % (bootstrap apparié) | Verdict |\n|---|---:|---:|---:|---|---|\n")
		for _, m := range c.Metrics {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | [%s ; %s] (n=%d) | %s |\n", mdEscape(m.Info.Label), fmtValue(m.Info, m.A.Mean), fmtValue(m.Info, m.B.Mean),
				fmtSigned(m.Info, m.Paired.Mean), fmtValue(m.Info, m.Paired.Low), fmtValue(m.Info, m.Paired.High), m.Paired.N, m.Verdict)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func nameSuffix(n string) string {
	if n == "" {
		return ""
	}
	return " « " + mdEscape(n) + " »"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func fmtCost(c float64) string { return strings.Replace(fmt.Sprintf("%.4f", c), ".", ",", 1) }

// mdEscape keeps text from breaking a Markdown table or injecting markup.
func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'").Replace(s)
}

func configLine(c RunConfig) string {
	model := c.Model
	if model == "" {
		model = "rédacteur hors ligne"
	}
	judge := c.JudgeModel
	if judge == "" {
		judge = "aucun"
	}
	rr := c.Reranker
	if rr == "" {
		rr = "aucun"
	}
	return fmt.Sprintf("prompt %s, modèle %s, embedder %s, k=%d, reranker %s, juge %s (%s)", orDash(c.PromptVersion), model, orDash(c.Embedder), c.K, rr, judge, c.JudgeVersion)
}

//go:embed report.html.tmpl
var reportHTML string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"info":       Info,
	"fmt":        fmtValue,
	"signed":     fmtSigned,
	"cost":       fmtCost,
	"config":     configLine,
	"dash":       orDash,
	"bars":       bars,
	"height":     func(b []Bar) int { return len(b) * 24 },
	"histo":      histoBars,
	"sortedKeys": sortedKeys,
	"excerpt":    func(s string, n int) string { return truncate(s, n) },
	"details":    detailsLines,
	"dur":        func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(reportHTML))

// WriteHTML writes a self-contained page: inline CSS, server-side SVG charts, no script. Every value is escaped.
func (r Report) WriteHTML(w io.Writer) error {
	return reportTmpl.Execute(w, r)
}

// Bar is one bar of an SVG chart, its geometry computed here so the template only places it.
type Bar struct {
	Label, Value    string
	Y, Width, TextX float64
	Fill            string
}

// bars draws the mean of every bounded metric as a share of its scale.
func bars(s Summary) []Bar {
	var out []Bar
	for _, n := range s.Order {
		mi := Info(n)
		if mi.Max == 0 {
			continue
		}
		v := s.Metrics[n].Mean
		w := 300 * math.Max(0, math.Min(1, v/mi.Max))
		fill := "#000091"
		if !mi.HigherBetter {
			fill = "#c9191e"
		}
		out = append(out, Bar{Label: mi.Label, Value: fmtValue(mi, v), Y: float64(len(out)) * 24, Width: w, TextX: 250 + w, Fill: fill})
	}
	return out
}

// HistoBar is one bin of a histogram.
type HistoBar struct {
	X, Y, H float64
	Count   int
	Title   string
}

func histoBars(h Histogram) []HistoBar {
	peak := 1
	for _, c := range h.Counts {
		peak = max(peak, c)
	}
	out := make([]HistoBar, len(h.Counts))
	step := (h.Hi - h.Lo) / float64(len(h.Counts))
	for i, c := range h.Counts {
		hh := 100 * float64(c) / float64(peak)
		out[i] = HistoBar{X: float64(i) * 30, Y: 110 - hh, H: hh, Count: c,
			Title: fmt.Sprintf("%s – %s : %d", fmtValue(h.Info, h.Lo+float64(i)*step), fmtValue(h.Info, h.Lo+float64(i+1)*step), c)}
	}
	return out
}

func sortedKeys(m map[string]float64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// detailsLines turns an item's details into short lines a reader can scan.
func detailsLines(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var d struct {
		ReviewDetails
		QuestionDetails
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil
	}
	var out []string
	if d.Model != "" {
		out = append(out, "Modèle : "+d.Model)
	}
	if d.ModelError != "" {
		out = append(out, "Erreur du modèle : "+d.ModelError)
	}
	for _, c := range d.Checks {
		line := "Contrôle « " + c.Code + " » : " + c.Message
		if c.Excerpt != "" {
			line += " (" + c.Excerpt + ")"
		}
		out = append(out, line)
	}
	for _, s := range d.Sources {
		out = append(out, "Source "+s)
	}
	for _, s := range d.Unground {
		out = append(out, "Non appuyé : "+truncate(s, 200))
	}
	if len(d.Leaks) > 0 {
		out = append(out, "DONNÉES PERSONNELLES DANS LE PROMPT : "+strings.Join(d.Leaks, ", "))
	}
	if len(d.Relevant) > 0 {
		out = append(out, "Fiches pertinentes : "+strings.Join(d.Relevant, ", "))
		out = append(out, "Classement : "+strings.Join(d.Ranked, ", "))
	}
	return out
}
