package llm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/plume-services/plume/internal/llm"
	"github.com/plume-services/plume/internal/llm/llmtest"
)

// BenchmarkStream measures the client's cost per streamed delta against the local fake server (no model time):
// SSE decoding, watchdog resets and the callback.
func BenchmarkStream(b *testing.B) {
	srv := llmtest.New(b)
	chunks := make([]string, 200)
	for i := range chunks {
		chunks[i] = fmt.Sprintf("mot%d ", i)
	}
	srv.Handle(func(llmtest.Request) llmtest.Reply { return llmtest.Reply{Chunks: chunks} })
	c, err := llm.New(llm.Options{BaseURL: srv.URL, Model: "m", Metrics: llm.NewMetrics(prometheus.NewRegistry()), Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		n := 0
		if _, err := c.Stream(context.Background(), request(), func(string) error { n++; return nil }); err != nil || n != len(chunks) {
			b.Fatalf("%d deltas, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(chunks)), "ns/delta")
}
