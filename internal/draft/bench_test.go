package draft_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/plume-services/plume/internal/draft"
)

// BenchmarkPipelineOverhead measures filter + retrieval + prompt + checks + restore on the sample corpus, the
// model excluded (offline drafter), and reports p50 and p95 (target p95 ≤ 50 ms).
func BenchmarkPipelineOverhead(b *testing.B) {
	e := setupBench(b)
	ctx := context.Background()
	in := draft.Input{Organisation: "CPAM de Paris", Title: "Remboursement bloqué",
		Text:    "Bonjour, je m'appelle Élodie Ndiaye-Sarr, ma carte Vitale est perdue et mes remboursements de soins sont bloqués depuis deux mois. Appelez-moi au 06 12 34 56 78.",
		Feeling: "Négatif"}
	var overheads []time.Duration
	b.ResetTimer()
	for b.Loop() {
		res, err := e.Generate(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		overheads = append(overheads, res.Timings.Overhead())
	}
	b.StopTimer()
	sort.Slice(overheads, func(i, j int) bool { return overheads[i] < overheads[j] })
	q := func(p float64) float64 {
		return float64(overheads[int(p*float64(len(overheads)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.95), "p95-ms")
}
