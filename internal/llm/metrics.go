package llm

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the Prometheus series of model calls; one value is shared by every client on a registry.
type Metrics struct {
	Requests *prometheus.CounterVec   // plume_llm_requests_total{mode,outcome}
	Retries  *prometheus.CounterVec   // plume_llm_retries_total{reason}
	Latency  *prometheus.HistogramVec // plume_llm_request_duration_seconds{mode}
	Tokens   *prometheus.CounterVec   // plume_llm_tokens_total{kind}
	InFlight prometheus.Gauge         // plume_llm_in_flight
}

// NewMetrics registers the model-call series on reg; call it once per registry.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		Requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "plume_llm_requests_total",
			Help: "Model calls by mode (complete, stream) and outcome (ok, unavailable, timeout, rate_limited, bad_output, stream_cut, rejected, canceled).",
		}, []string{"mode", "outcome"}),
		Retries: f.NewCounterVec(prometheus.CounterOpts{
			Name: "plume_llm_retries_total",
			Help: "Model requests sent again after a failure, by reason.",
		}, []string{"reason"}),
		Latency: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "plume_llm_request_duration_seconds",
			Help:    "Wall time of a model call, retries included.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120},
		}, []string{"mode"}),
		Tokens: f.NewCounterVec(prometheus.CounterOpts{
			Name: "plume_llm_tokens_total",
			Help: "Tokens used by successful model calls, by kind (prompt, completion); estimated when the server does not say.",
		}, []string{"kind"}),
		InFlight: f.NewGauge(prometheus.GaugeOpts{
			Name: "plume_llm_in_flight",
			Help: "Model requests being sent now (bounded by the concurrency limit).",
		}),
	}
}

// defaultMetrics registers on the default registry at most once, however many clients are built.
var defaultMetrics = sync.OnceValue(func() *Metrics { return NewMetrics(prometheus.DefaultRegisterer) })
