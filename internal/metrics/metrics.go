// Package metrics exposes the worker's Prometheus metrics: the Temporal SDK's
// own (through tally) and the connector's (records by outcome, API latency
// and status per endpoint, 429s and retries), on one registry.
package metrics

import (
	"context"
	"path"

	"google.golang.org/grpc"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Metrics is the worker's registry and the connector's instruments.
type Metrics struct {
	Registry *prometheus.Registry

	records    *prometheus.CounterVec
	apiLatency *prometheus.HistogramVec
	apiCalls   *prometheus.CounterVec
	retries    *prometheus.CounterVec
	throttled  *prometheus.CounterVec
	rpcs       *prometheus.CounterVec

	closer interface{ Close() error }
}

// New makes the registry with Go runtime metrics and the connector's instruments.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connector_records_total", Help: "Records whose sync finished, by record type and outcome (synced, error, ignored, skipped).",
		}, []string{"type", "outcome"}),
		apiLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "connector_api_request_duration_seconds", Help: "Latency of Zuora and NetSuite API requests, by API, endpoint and HTTP status.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"api", "endpoint", "status"}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connector_api_requests_total", Help: "Zuora and NetSuite API requests, by API, endpoint and HTTP status (0 = no response).",
		}, []string{"api", "endpoint", "status"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connector_api_retries_total", Help: "API requests that were retries of an earlier attempt, by API and endpoint.",
		}, []string{"api", "endpoint"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connector_api_throttled_total", Help: "429 Too Many Requests answers, by API and endpoint.",
		}, []string{"api", "endpoint"}),
		rpcs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connector_temporal_rpcs_total", Help: "Calls from this process to the Temporal frontend, by method (heartbeats that reach the server are billable actions).",
		}, []string{"method"}),
	}
	reg.MustRegister(m.records, m.apiLatency, m.apiCalls, m.retries, m.throttled, m.rpcs)
	return m
}

// Observe records one API request (implements the clients' Observer).
func (m *Metrics) Observe(api, endpoint string, status int, d time.Duration, retried bool) {
	s := strconv.Itoa(status)
	m.apiLatency.WithLabelValues(api, endpoint, s).Observe(d.Seconds())
	m.apiCalls.WithLabelValues(api, endpoint, s).Inc()
	if retried {
		m.retries.WithLabelValues(api, endpoint).Inc()
	}
	if status == http.StatusTooManyRequests {
		m.throttled.WithLabelValues(api, endpoint).Inc()
	}
}

// Record counts a finished record sync.
func (m *Metrics) Record(recordType, outcome string) {
	m.records.WithLabelValues(recordType, outcome).Inc()
}

// TemporalHandler reports the SDK's metrics (workflow and activity task
// latencies, schedule-to-start, poller counts, ...) into the same registry.
func (m *Metrics) TemporalHandler() (client.MetricsHandler, error) {
	reporter, err := tallyprom.Configuration{TimerType: "histogram"}.NewReporter(tallyprom.ConfigurationOptions{
		Registry: m.Registry,
		OnError:  func(error) {}, // a duplicate registration must not kill the worker
	})
	if err != nil {
		return nil, err
	}
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	m.closer = closer
	return sdktally.NewMetricsHandler(scope), nil
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// Close flushes the SDK scope.
func (m *Metrics) Close() error {
	if m.closer != nil {
		return m.closer.Close()
	}
	return nil
}

// TemporalRPCInterceptor counts this process's calls to the Temporal
// frontend by method, e.g. RecordActivityTaskHeartbeat.
func (m *Metrics) TemporalRPCInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		m.rpcs.WithLabelValues(path.Base(method)).Inc()
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}
