package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/julienschmidt/httprouter"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

	"examiner/internal/password"
)

// unmatched is the route label of every request no route of the table handled (an unknown path,
// a method the path does not have, a CORS preflight), so that random paths cannot each make a
// new series.
const unmatched = "unmatched"

// durationBuckets, in seconds, are dense around the 20 ms p99 target and reach the 5 s request
// timeout.
var durationBuckets = []float64{
	.0005, .001, .0025, .005, .0075, .01, .015, .02, .03, .05, .1, .25, .5, 1, 2.5, 5,
}

// Metrics is one server's metrics in Prometheus form: requests by route pattern, method and
// status, the database pool, password checks, and the Go runtime and process. Nothing in them
// names a student, an email or a token. A Metrics serves one server.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	logger   *slog.Logger
}

// NewMetrics returns a Metrics with a registry of its own (not Prometheus's global one), so that
// any number of servers can live in one process. Errors while gathering go to logger.
func NewMetrics(logger *slog.Logger) *Metrics {
	labels := []string{"route", "method", "status"}
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "examiner_http_requests_total",
			Help: "HTTP requests answered, by route pattern (\"unmatched\" when no route handled it), method and status.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "examiner_http_request_duration_seconds",
			Help:    "Time from receiving an HTTP request's headers to the end of its handler, by route pattern, method and status.",
			Buckets: durationBuckets,
		}, labels),
		logger: logger,
	}
	if m.logger == nil {
		m.logger = slog.New(slog.DiscardHandler)
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics: OpenMetrics when the scraper's Accept header asks for
// application/openmetrics-text (Prometheus does), else the Prometheus text format (text/plain;
// version=0.0.4), which is also what a browser or curl gets. No protobuf: with classic
// histograms only, it would carry nothing more.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:        slog.NewLogLogger(m.logger.Handler(), slog.LevelError),
		ErrorHandling:   promhttp.ContinueOnError, // a failing collector must not hide the others
		Registry:        m.registry,               // counts the handler's own errors
		AcceptedFormats: []expfmt.Format{expfmt.FmtText, expfmt.FmtOpenMetrics_1_0_0, expfmt.FmtOpenMetrics_0_0_1},
	})
}

// watch adds the gauges read at scrape time: the pool's and the password checks'.
func (m *Metrics) watch(pool *pgxpool.Pool, hasher *password.Hasher) {
	if pool != nil {
		m.registry.MustRegister(poolCollector{pool})
	}
	if hasher != nil {
		gauge := func(name, help string, f func() int) prometheus.Collector {
			return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
				func() float64 { return float64(f()) })
		}
		m.registry.MustRegister(
			gauge("examiner_password_checks_running", "Password hashes and checks running now.", hasher.InUse),
			gauge("examiner_password_checks_waiting", "Password hashes and checks waiting now for a free slot.", hasher.Waiting),
			gauge("examiner_password_check_slots", "The most password hashes and checks that run at once.", hasher.Concurrency),
		)
	}
}

// observe records one answered request. Only the method of a matched route is the route's
// own; any other is reduced to a fixed set, since a client may send any token as a method.
func (m *Metrics) observe(route, method string, status int, took time.Duration) {
	if route == unmatched {
		method = knownMethod(method)
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	m.duration.WithLabelValues(route, method, code).Observe(took.Seconds())
}

func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// poolCollector reads the pool's statistics once per scrape. pgxpool counts the connections
// by state but not the acquires waiting right now; what it has is the cumulative time spent
// waiting for a connection, whose rate approximates the mean number of requests waiting.
type poolCollector struct{ pool *pgxpool.Pool }

// poolStat is one statistic of the pool: its description, its kind and how to read it.
type poolStat struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(*pgxpool.Stat) float64
}

func poolGauge(name, help string, value func(*pgxpool.Stat) float64) poolStat {
	return poolStat{prometheus.NewDesc("examiner_db_pool_"+name, help, nil, nil), prometheus.GaugeValue, value}
}

func poolCounter(name, help string, value func(*pgxpool.Stat) float64) poolStat {
	return poolStat{prometheus.NewDesc("examiner_db_pool_"+name, help, nil, nil), prometheus.CounterValue, value}
}

var poolStats = []poolStat{
	poolGauge("acquired_connections", "Connections in use now.", func(s *pgxpool.Stat) float64 { return float64(s.AcquiredConns()) }),
	poolGauge("idle_connections", "Connections open and idle now.", func(s *pgxpool.Stat) float64 { return float64(s.IdleConns()) }),
	poolGauge("constructing_connections", "Connections being opened now.", func(s *pgxpool.Stat) float64 { return float64(s.ConstructingConns()) }),
	poolGauge("total_connections", "Connections now: acquired, idle and being opened.", func(s *pgxpool.Stat) float64 { return float64(s.TotalConns()) }),
	poolGauge("max_connections", "The most connections the pool opens.", func(s *pgxpool.Stat) float64 { return float64(s.MaxConns()) }),
	poolCounter("acquires_total", "Connections handed out.", func(s *pgxpool.Stat) float64 { return float64(s.AcquireCount()) }),
	poolCounter("acquire_seconds_total", "Time spent getting those connections, waiting or not.",
		func(s *pgxpool.Stat) float64 { return s.AcquireDuration().Seconds() }),
	poolCounter("empty_acquires_total", "Connections handed out only after waiting, because none was idle.",
		func(s *pgxpool.Stat) float64 { return float64(s.EmptyAcquireCount()) }),
	poolCounter("empty_acquire_wait_seconds_total",
		"Time spent waiting for a connection when none was idle, counted when the wait ends; its rate approximates the mean number of requests waiting (waits that gave up are not in it).",
		func(s *pgxpool.Stat) float64 { return s.EmptyAcquireWaitTime().Seconds() }),
	poolCounter("canceled_acquires_total", "Waits for a connection that ended with the request's context.",
		func(s *pgxpool.Stat) float64 { return float64(s.CanceledAcquireCount()) }),
	poolCounter("new_connections_total", "Connections opened.", func(s *pgxpool.Stat) float64 { return float64(s.NewConnsCount()) }),
}

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, p := range poolStats {
		ch <- p.desc
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	for _, p := range poolStats {
		ch <- prometheus.MustNewConstMetric(p.desc, p.kind, p.value(s))
	}
}

// handleMetrics serves GET /metrics, unless the deployment serves them elsewhere only.
func (s *server) handleMetrics() httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
		if s.HideMetrics {
			s.handleNotFound(w, r)
			return
		}
		s.metricsHandler.ServeHTTP(w, r)
	}
}

type routeKey struct{}

// withRoute tells withRequestContext which route of the table handles the request.
func withRoute(pattern string, h httprouter.Handle) httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		if slot, ok := r.Context().Value(routeKey{}).(*string); ok {
			*slot = pattern
		}
		h(w, r, ps)
	}
}

// withRouteSlot gives ctx the slot withRoute fills, "unmatched" until it does.
func withRouteSlot(ctx context.Context) (context.Context, *string) {
	route := unmatched
	return context.WithValue(ctx, routeKey{}, &route), &route
}
