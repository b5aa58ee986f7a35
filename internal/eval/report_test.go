package eval_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plume-services/plume/internal/eval"
	"github.com/plume-services/plume/internal/store"
)

func TestReportEscapes(t *testing.T) {
	t.Parallel()
	now := time.Now()
	hostile := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	run := store.EvalRun{ID: 7, Name: "nom <b>gras</b>", Kind: "reviews", Dataset: "jeu|<i>.jsonl", ItemCount: 2,
		Config: json.RawMessage(`{"model":"<svg onload=alert(1)>","k":5}`), StartedAt: now, FinishedAt: &now}
	judge, _ := json.Marshal([]eval.Verdict{{Criterion: "ton", Score: 4, Justification: hostile}})
	items := []store.EvalItem{
		{ItemID: "a<x>", Output: hostile, Metrics: map[string]float64{eval.MetricChrF: 40, eval.MetricGrounding: 0.5}, Judge: judge,
			Details: json.RawMessage(`{"checks":[{"code":"url","message":"lien","excerpt":"` + strings.ReplaceAll(hostile, `"`, `\"`) + `"}]}`)},
		{ItemID: "b", Output: "Bonjour", Metrics: map[string]float64{eval.MetricChrF: 60, eval.MetricGrounding: 1}, Error: hostile},
	}
	cmp := eval.Compare(run, items, run, items)
	rep := eval.NewReport(run, items, &cmp)
	var html bytes.Buffer
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	for _, bad := range []string{"<script>", "<img", "<b>gras", "<svg onload", "<i>.jsonl", "<x>"} {
		if strings.Contains(page, bad) {
			t.Errorf("HTML report contains unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "<svg xmlns", "chrF (réponse de référence)", "50,0", "dans le bruit", `lang="fr"`} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "http://") && !strings.Contains(page, "http://www.w3.org/2000/svg") {
		t.Error("the page must need no script nor external resource")
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "<b>") || !strings.Contains(md.String(), `jeu\|&lt;i&gt;.jsonl`) || !strings.Contains(md.String(), "| chrF (réponse de référence) | 50,0 | 40,0 | 60,0 | 2 |") {
		t.Errorf("markdown report:\n%s", md.String())
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back["summary"] == nil || back["comparison"] == nil {
		t.Errorf("json report: %v", err)
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	run := func(id int64) store.EvalRun {
		return store.EvalRun{ID: id, Kind: "reviews", Config: json.RawMessage(`{}`)}
	}
	var a, b []store.EvalItem
	for i := range 30 {
		id := string(rune('a'+i%26)) + string(rune('0'+i/26))
		a = append(a, store.EvalItem{ItemID: id, Metrics: map[string]float64{eval.MetricGrounding: 0.5, eval.MetricLatencyMS: 100 + float64(i%3)}})
		b = append(b, store.EvalItem{ItemID: id, Metrics: map[string]float64{eval.MetricGrounding: 0.5 + 0.1*float64(i%2+1), eval.MetricLatencyMS: 100 + float64((i+1)%3)}})
	}
	b = append(b, store.EvalItem{ItemID: "seulement-b", Metrics: map[string]float64{eval.MetricGrounding: 0}})
	c := eval.Compare(run(1), a, run(2), b)
	byName := map[string]eval.MetricComparison{}
	for _, m := range c.Metrics {
		byName[m.Info.Name] = m
	}
	g := byName[eval.MetricGrounding]
	type grounding struct {
		Paired                 int
		Verdict                string
		Improved, LowAboveZero bool
		Diffs                  int
		LargestFirst           bool
	}
	got := grounding{g.Paired.N, g.Verdict, g.Improved, g.Paired.Low > 0, len(g.Diffs), len(g.Diffs) == 30 && g.Diffs[0].Diff >= g.Diffs[29].Diff}
	if diff := cmp.Diff(grounding{30, "mieux", true, true, 30, true}, got); diff != "" {
		t.Errorf("grounding (-want +got):\n%s\n%+v", diff, g)
	}
	if l := byName[eval.MetricLatencyMS]; l.Verdict != "dans le bruit" {
		t.Errorf("latency: %+v", l.Paired)
	}
}
