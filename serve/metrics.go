package serve

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/edgerules/edgerules/nethttp"
)

// metrics are the service's Prometheus metrics. The counts of requests,
// actions and rule matches are the middleware's own, read when Prometheus
// scrapes, so deciding pays nothing more for them.
type metrics struct {
	registry *prometheus.Registry
	reloads  *prometheus.CounterVec
	errors   *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	httpLatency, grpcLatency prometheus.Observer // bound once, not per request
}

func newMetrics(rules *nethttp.Middleware) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgerules_reloads_total",
			Help: "Reloads of the rules file, by result: ok, or failed (the rules in force stayed).",
		}, []string{"result"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgerules_unreadable_requests_total",
			Help: "Requests the service could not read, answered by --on-error, by transport.",
		}, []string{"transport"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "edgerules_decision_seconds",
			Help:    "Time to read a request and decide, by transport (http or grpc).",
			Buckets: []float64{5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 5e-3},
		}, []string{"transport"}),
	}
	m.httpLatency, m.grpcLatency = m.latency.WithLabelValues("http"), m.latency.WithLabelValues("grpc")
	for _, result := range []string{"ok", "failed"} {
		m.reloads.WithLabelValues(result)
	}
	m.registry.MustRegister(m.reloads, m.errors, m.latency, countsCollector{rules},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records the time since start.
func (m *metrics) observe(o prometheus.Observer, start time.Time) {
	o.Observe(time.Since(start).Seconds())
}

// Handler serves the metrics in Prometheus' text format.
func (s *Service) Handler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

var (
	requestsDesc = prometheus.NewDesc("edgerules_requests_total",
		"Requests decided.", nil, nil)
	actionsDesc = prometheus.NewDesc("edgerules_decisions_total",
		"Decisions taken, by action, and matches of log rules.", []string{"action"}, nil)
	matchesDesc = prometheus.NewDesc("edgerules_rule_matches_total",
		"Matches of each rule of the rules in force (from zero again after a reload).", []string{"rule", "action"}, nil)
)

// countsCollector reads the middleware's counters at each scrape.
type countsCollector struct{ rules *nethttp.Middleware }

func (c countsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- requestsDesc
	ch <- actionsDesc
	ch <- matchesDesc
}

func (c countsCollector) Collect(ch chan<- prometheus.Metric) {
	counts := c.rules.Counts()
	ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.CounterValue, float64(counts.Requests))
	for action, n := range counts.Actions {
		ch <- prometheus.MustNewConstMetric(actionsDesc, prometheus.CounterValue, float64(n), string(action))
	}
	for _, r := range counts.Rules {
		ch <- prometheus.MustNewConstMetric(matchesDesc, prometheus.CounterValue, float64(r.Matches), r.Rule, string(r.Action))
	}
}
