package httpapi_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"examiner/httpapi"
	"examiner/internal/password"
)

// metrics is one scrape of /metrics, parsed.
type metrics struct {
	body     string
	families map[string]*dto.MetricFamily
}

func parseMetrics(t testing.TB, body string) metrics {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	return metrics{body: body, families: fams}
}

// scrape GETs /metrics through the contract check, in the Prometheus text format.
func (a *app) scrape() metrics {
	a.t.Helper()
	res := a.do("GET", "/metrics", "", nil).want(a.t, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		a.t.Fatalf("Content-Type: got %q, want text/plain; version=0.0.4", ct)
	}
	return parseMetrics(a.t, string(res.body))
}

// scrapeUntil scrapes until ok holds, for counts recorded just after a response was sent.
func (a *app) scrapeUntil(what string, ok func(metrics) bool) metrics {
	a.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		m := a.scrape()
		if ok(m) {
			return m
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("/metrics: %s: not so for 5s\n%s", what, m.body)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sample is the metric of family name with exactly labels, or nil.
func (m metrics) sample(name string, labels map[string]string) *dto.Metric {
	f := m.families[name]
	if f == nil {
		return nil
	}
	for _, s := range f.GetMetric() {
		if len(s.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, l := range s.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if match {
			return s
		}
	}
	return nil
}

// value is a counter's or gauge's value, or NaN when there is no such sample.
func (m metrics) value(name string, labels map[string]string) float64 {
	s := m.sample(name, labels)
	switch {
	case s == nil:
		return math.NaN()
	case s.Counter != nil:
		return s.GetCounter().GetValue()
	case s.Gauge != nil:
		return s.GetGauge().GetValue()
	}
	return s.GetUntyped().GetValue()
}

func requestLabels(route, method string, status int) map[string]string {
	return map[string]string{"route": route, "method": method, "status": strconv.Itoa(status)}
}

func TestMetricsCountRequestsByRoutePatternMethodAndStatus(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	me, tok := a.student("ada@example.com")
	for range 2 {
		a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusOK)
	}
	// Three ids, one series: the label is the route's pattern, never the path.
	var ids []string
	for range 3 {
		id := uuid.NewString()
		ids = append(ids, id)
		a.do("GET", "/api/exams/"+id, tok, nil).want(t, http.StatusNotFound)
	}
	// Paths that are no route, and a method no route has, share one label each.
	var junk []string
	for range 3 {
		p := "/no-such-" + uuid.NewString()
		junk = append(junk, p)
		a.do("GET", p, "", nil).want(t, http.StatusNotFound)
	}
	a.do("BREW", "/healthz", "", nil).want(t, http.StatusMethodNotAllowed)
	a.do("BREW-"+strings.ToUpper(uuid.NewString()[:8]), "/healthz", "", nil).want(t, http.StatusMethodNotAllowed)

	m := a.scrape()
	const requests = "examiner_http_requests_total"
	for _, c := range []struct {
		route, method string
		status        int
		want          float64
	}{
		{"/api/auth/register", "POST", 201, 1},
		{"/api/auth/login", "POST", 200, 1},
		{"/api/students/me", "GET", 200, 2},
		{"/api/exams/:id", "GET", 404, 3},
		{"unmatched", "GET", 404, 3},
		{"unmatched", "other", 405, 2},
	} {
		if got := m.value(requests, requestLabels(c.route, c.method, c.status)); got != c.want {
			t.Errorf("%s{route=%q,method=%q,status=\"%d\"}: got %v, want %v", requests, c.route, c.method, c.status, got, c.want)
		}
	}

	// The histogram has the same labels, and buckets around the 20 ms target.
	h := m.sample("examiner_http_request_duration_seconds", requestLabels("/api/students/me", "GET", 200)).GetHistogram()
	if h.GetSampleCount() != 2 || h.GetSampleSum() <= 0 {
		t.Errorf("duration of GET /api/students/me: got count %d sum %v, want count 2 and a positive sum", h.GetSampleCount(), h.GetSampleSum())
	}
	bounds := map[float64]bool{}
	for _, b := range h.GetBucket() {
		bounds[b.GetUpperBound()] = true
	}
	for _, want := range []float64{0.0005, 0.01, 0.02, 0.05, 5} {
		if !bounds[want] {
			t.Errorf("duration buckets: got %v, want one ending at %v", bounds, want)
		}
	}

	// Every route label is a pattern from the route table or "unmatched"; every method label is
	// bounded too.
	patterns := map[string]bool{"unmatched": true}
	for _, r := range httpapi.Routes() {
		patterns[r.Path] = true
	}
	methods := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true, "other": true}
	for _, name := range []string{requests, "examiner_http_request_duration_seconds"} {
		for _, s := range m.families[name].GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "route" && !patterns[l.GetValue()] {
					t.Errorf("%s: route label %q is not a pattern of the route table", name, l.GetValue())
				}
				if l.GetName() == "method" && !methods[l.GetValue()] {
					t.Errorf("%s: method label %q is not a known method", name, l.GetValue())
				}
			}
		}
	}

	// Nothing about a student, and no path or secret, is in the body.
	secrets := append(append([]string{tok, "ada@example.com", me.ID.String(), testSecret, "a good password", "BREW-"}, ids...), junk...)
	for _, s := range secrets {
		if strings.Contains(m.body, s) {
			t.Errorf("/metrics contains %q", s)
		}
	}

	// /metrics counts its own requests, as any route.
	a.scrapeUntil("the scrapes are counted", func(m metrics) bool {
		return m.value(requests, requestLabels("/metrics", "GET", 200)) >= 1
	})
}

func TestMetricsReportThePoolAndThePasswordChecks(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.student("ada@example.com")
	m := a.scrape()

	g := func(name string) float64 { return m.value(name, nil) }
	max, total := g("examiner_db_pool_max_connections"), g("examiner_db_pool_total_connections")
	if want := float64(a.server.Stat().MaxConns()); max != want {
		t.Errorf("examiner_db_pool_max_connections: got %v, want %v", max, want)
	}
	acquired, idle, constructing := g("examiner_db_pool_acquired_connections"), g("examiner_db_pool_idle_connections"), g("examiner_db_pool_constructing_connections")
	if total < 1 || total > max || acquired < 0 || idle < 0 || constructing < 0 || acquired+idle+constructing != total {
		t.Errorf("pool: got total %v (max %v) = acquired %v + idle %v + constructing %v, want 1 ≤ total ≤ max and the sum", total, max, acquired, idle, constructing)
	}
	// Registering and signing in took connections from the pool.
	if got := g("examiner_db_pool_acquires_total"); got < 2 {
		t.Errorf("examiner_db_pool_acquires_total: got %v, want at least 2", got)
	}
	for _, name := range []string{"examiner_db_pool_acquire_seconds_total", "examiner_db_pool_empty_acquires_total",
		"examiner_db_pool_empty_acquire_wait_seconds_total", "examiner_db_pool_canceled_acquires_total", "examiner_db_pool_new_connections_total"} {
		if got := g(name); !(got >= 0) {
			t.Errorf("%s: got %v, want a count", name, got)
		}
	}
	if got := g("examiner_db_pool_new_connections_total"); got < 1 {
		t.Errorf("examiner_db_pool_new_connections_total: got %v, want at least 1", got)
	}

	// newApp's hasher runs 4 checks at once; none is running or waiting between requests.
	for name, want := range map[string]float64{
		"examiner_password_check_slots":    4,
		"examiner_password_checks_running": 0,
		"examiner_password_checks_waiting": 0,
	} {
		if got := g(name); got != want {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	// And the Go runtime's and the process's own.
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if m.families[name] == nil {
			t.Errorf("%s: missing", name)
		}
	}
}

func TestMetricsShowPasswordChecksWaitingForASlot(t *testing.T) {
	t.Parallel()
	// Cost 12 holds the only slot for a few hundred milliseconds: long enough to queue behind it.
	hasher, err := password.NewHasher(12, 1)
	if err != nil {
		t.Fatal(err)
	}
	a := newAppWith(t, func(d *httpapi.Deps) { d.Passwords = hasher })

	done := make(chan error, 1)
	go func() {
		_, err := hasher.Hash(context.Background(), "correct horse battery staple")
		done <- err
	}()
	waitFor := func(what string, f func() int, want int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for f() != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: got %d for 5s, want %d", what, f(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitFor("InUse", hasher.InUse, 1)
	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan error, 2)
	for range 2 {
		go func() { queued <- hasher.Waste(ctx, "another password") }()
	}
	waitFor("Waiting", hasher.Waiting, 2)

	m := a.scrape()
	cancel()
	for name, want := range map[string]float64{
		"examiner_password_check_slots":    1,
		"examiner_password_checks_running": 1,
		"examiner_password_checks_waiting": 2,
	} {
		if got := m.value(name, nil); got != want {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	for range 2 {
		if err := <-queued; !errors.Is(err, context.Canceled) {
			t.Errorf("queued Waste: got error %v, want %v", err, context.Canceled)
		}
	}
	if err := <-done; err != nil {
		t.Errorf("Hash holding the slot: got error %v, want nil", err)
	}
}

func TestMetricsAreOpenMetricsWhenTheScraperAsks(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	res := a.requestWith("GET", "/metrics", "", nil, http.Header{
		// What Prometheus sends.
		"Accept": {"application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"},
	}).want(t, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text; version=1.0.0") {
		t.Errorf("Content-Type: got %q, want application/openmetrics-text; version=1.0.0", ct)
	}
	if !strings.HasSuffix(string(res.body), "# EOF\n") {
		t.Errorf("OpenMetrics body: got no # EOF at the end:\n%s", res.body)
	}
	// A browser or curl gets the plain text format.
	res = a.requestWith("GET", "/metrics", "", nil, http.Header{"Accept": {"*/*"}}).want(t, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type for */*: got %q, want text/plain; version=0.0.4", ct)
	}
}

func TestMetricsCanBeServedOnlyElsewhere(t *testing.T) {
	t.Parallel()
	m := httpapi.NewMetrics(nil)
	a := newAppWith(t, func(d *httpapi.Deps) { d.Metrics, d.HideMetrics = m, true })
	a.do("GET", "/metrics", "", nil).want(t, http.StatusNotFound).problem(t)
	a.do("GET", "/healthz", "", nil).want(t, http.StatusOK)

	internal := httptest.NewServer(m.Handler())
	t.Cleanup(internal.Close)
	res, err := http.Get(internal.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := parseMetrics(t, string(body))
	if v := got.value("examiner_http_requests_total", requestLabels("/healthz", "GET", 200)); v != 1 {
		t.Errorf("requests to /healthz on the internal address: got %v, want 1", v)
	}
	if got.families["examiner_db_pool_total_connections"] == nil || got.families["examiner_password_checks_waiting"] == nil {
		t.Errorf("the internal address lacks the pool or password gauges:\n%s", body)
	}
}
