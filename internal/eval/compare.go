package eval

import (
	"encoding/json"
	"math"
	"sort"
	"time"

	"github.com/plume-services/plume/internal/store"
)

// Stat is a metric over a run's items: its mean over the items it applies to.
type Stat struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// Summary is a run with the means of its metrics.
type Summary struct {
	Run          store.EvalRun      `json:"run"`
	Config       RunConfig          `json:"config"`
	Items        int                `json:"items"`
	Errors       int                `json:"errors"`
	Metrics      map[string]Stat    `json:"metrics"`
	Order        []string           `json:"order"` // metric names in report order
	Cost         float64            `json:"cost"`
	Tokens       int                `json:"tokens"`
	Duration     time.Duration      `json:"duration_ns"` // start to finish, or to the last item stored
	MeanTimingMS map[string]float64 `json:"mean_timings_ms"`
}

// SummariseRun computes the means of every metric stored for a run.
func SummariseRun(run store.EvalRun, items []store.EvalItem) Summary {
	s := Summary{Run: run, Items: len(items), Metrics: map[string]Stat{}, MeanTimingMS: map[string]float64{}}
	_ = json.Unmarshal(run.Config, &s.Config)
	timingN := map[string]int{}
	var last time.Time
	for _, it := range items {
		if it.Error != "" {
			s.Errors++
		}
		s.Cost += it.Cost
		s.Tokens += it.PromptTokens + it.CompletionTokens
		for k, v := range it.Metrics {
			st, ok := s.Metrics[k]
			if !ok {
				st.Min, st.Max = v, v
			}
			st.N++
			st.Mean += v
			st.Min, st.Max = math.Min(st.Min, v), math.Max(st.Max, v)
			s.Metrics[k] = st
		}
		for k, v := range it.TimingsMS {
			s.MeanTimingMS[k] += v
			timingN[k]++
		}
		if it.CreatedAt.After(last) {
			last = it.CreatedAt
		}
	}
	names := make([]string, 0, len(s.Metrics))
	for k, st := range s.Metrics {
		st.Mean /= float64(st.N)
		s.Metrics[k] = st
		names = append(names, k)
	}
	for k := range s.MeanTimingMS {
		s.MeanTimingMS[k] /= float64(timingN[k])
	}
	s.Order = metricOrder(names)
	switch {
	case run.FinishedAt != nil:
		s.Duration = run.FinishedAt.Sub(run.StartedAt)
	case !last.IsZero():
		s.Duration = last.Sub(run.StartedAt)
	}
	return s
}

// ItemDiff is one item's value of a metric in both runs.
type ItemDiff struct {
	ItemID string  `json:"item_id"`
	A      float64 `json:"a"`
	B      float64 `json:"b"`
	Diff   float64 `json:"diff"` // B − A
}

// MetricComparison sets a metric of two runs side by side, with the paired bootstrap interval of B − A over the
// items both runs scored.
type MetricComparison struct {
	Info     MetricInfo `json:"info"`
	A        Stat       `json:"a"`
	B        Stat       `json:"b"`
	Paired   Interval   `json:"paired"`
	Verdict  string     `json:"verdict"` // mieux, moins bien, bruit (French, for readers)
	Diffs    []ItemDiff `json:"diffs"`   // largest absolute difference first
	Improved bool       `json:"improved"`
}

// Comparison is two runs side by side.
type Comparison struct {
	A       Summary            `json:"a"`
	B       Summary            `json:"b"`
	Metrics []MetricComparison `json:"metrics"`
}

// Compare pairs the items of two runs by id and compares every metric both have.
func Compare(runA store.EvalRun, itemsA []store.EvalItem, runB store.EvalRun, itemsB []store.EvalItem) Comparison {
	c := Comparison{A: SummariseRun(runA, itemsA), B: SummariseRun(runB, itemsB)}
	byID := map[string]store.EvalItem{}
	for _, it := range itemsA {
		byID[it.ItemID] = it
	}
	var names []string
	for _, n := range c.A.Order {
		if _, ok := c.B.Metrics[n]; ok {
			names = append(names, n)
		}
	}
	for _, n := range names {
		mc := MetricComparison{Info: Info(n), A: c.A.Metrics[n], B: c.B.Metrics[n]}
		var diffs []float64
		for _, b := range itemsB {
			a, ok := byID[b.ItemID]
			if !ok {
				continue
			}
			va, okA := a.Metrics[n]
			vb, okB := b.Metrics[n]
			if !okA || !okB {
				continue
			}
			diffs = append(diffs, vb-va)
			mc.Diffs = append(mc.Diffs, ItemDiff{ItemID: b.ItemID, A: va, B: vb, Diff: vb - va})
		}
		sort.SliceStable(mc.Diffs, func(i, j int) bool { return math.Abs(mc.Diffs[i].Diff) > math.Abs(mc.Diffs[j].Diff) })
		mc.Paired = PairedBootstrap(diffs, BootstrapResamples, BootstrapSeed)
		switch {
		case !mc.Paired.Significant():
			mc.Verdict = "dans le bruit"
		case (mc.Paired.Mean > 0) == mc.Info.HigherBetter:
			mc.Verdict, mc.Improved = "mieux", true
		default:
			mc.Verdict = "moins bien"
		}
		c.Metrics = append(c.Metrics, mc)
	}
	return c
}
