package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// endpoint is one kind of request of the load, made for a random student.
type endpoint struct {
	name   string
	method string
	want   int                                          // the status every answer must have
	path   func(w *world, i int, rng *rand.Rand) string // for student i
	body   func(rng *rand.Rand) []byte                  // the request's JSON body; nil for none
}

// fixedBody is a body that is the same for every request.
func fixedBody(b string) func(*rand.Rand) []byte { return func(*rand.Rand) []byte { return []byte(b) } }

var (
	listExams = endpoint{name: "GET /api/exams", method: "GET", want: http.StatusOK,
		path: func(*world, int, *rand.Rand) string { return "/api/exams" }}
	getExam = endpoint{name: "GET /api/exams/{id}", method: "GET", want: http.StatusOK,
		path: func(w *world, i int, rng *rand.Rand) string {
			return "/api/exams/" + w.exams[i][rng.IntN(len(w.exams[i]))].String()
		}}
	createExam = endpoint{name: "POST /api/exams", method: "POST", want: http.StatusCreated,
		path: func(*world, int, *rand.Rand) string { return "/api/exams" },
		body: fixedBody(`{"subject_code":"9708","exam_type":"FULL_PAPER","paper_number":2}`)}
	getMe = endpoint{name: "GET /api/students/me", method: "GET", want: http.StatusOK,
		path: func(*world, int, *rand.Rand) string { return "/api/students/me" }}
)

// sample is one request: when it started, from the start of the load, and how long it took to
// the last byte of the answer.
type sample struct{ start, latency time.Duration }

// loadResult is what a load recorded.
type loadResult struct {
	samples []sample
	errors  int      // answers with another status than the endpoint's, and failed requests
	failed  []string // the first few of them, described
	dials   int64    // connections opened: one per worker when keep-alive works
	began   time.Time
}

// recorder is one worker's share of a load: merged into the loadResult when the worker ends, so
// that workers share no lock while they run.
type recorder struct {
	samples []sample
	errors  int
	failed  []string
}

// fail counts a failed request, keeping the first few descriptions.
func (r *recorder) fail(what string) {
	r.errors++
	if len(r.failed) < 3 {
		r.failed = append(r.failed, what)
	}
}

// closedLoop runs conns workers and waits for them; each gets a random source of its own and a
// recorder, and runs its requests one after another until it returns.
func closedLoop(conns int, res *loadResult, worker func(n int, rng *rand.Rand, rec *recorder)) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for n := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := &recorder{samples: make([]sample, 0, 1<<14)}
			worker(n, rand.New(rand.NewPCG(uint64(n), uint64(time.Now().UnixNano()))), rec)
			mu.Lock()
			res.samples = append(res.samples, rec.samples...)
			res.errors += rec.errors
			if len(res.failed) < 5 {
				res.failed = append(res.failed, rec.failed...)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
}

// runLoad sends ep's requests from conns workers, each on its own keep-alive connection and each
// request with a random student's token, until ctx ends. Requests cut short by ctx are not
// counted.
func runLoad(ctx context.Context, base string, conns int, ep endpoint, w *world) *loadResult {
	res := &loadResult{began: time.Now()}
	closedLoop(conns, res, func(_ int, rng *rand.Rand, rec *recorder) {
		client := &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				atomic.AddInt64(&res.dials, 1)
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
			MaxConnsPerHost:     1,
			MaxIdleConnsPerHost: 1,
			DisableCompression:  true,
			IdleConnTimeout:     time.Minute,
		}}
		defer client.CloseIdleConnections()
		for ctx.Err() == nil {
			i := rng.IntN(len(w.students))
			var body io.Reader
			if ep.body != nil {
				body = bytes.NewReader(ep.body(rng))
			}
			req, err := http.NewRequestWithContext(ctx, ep.method, base+ep.path(w, i, rng), body)
			if err != nil {
				panic(err)
			}
			req.Header.Set("Authorization", "Bearer "+w.tokens[i])
			if ep.body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			start := time.Now()
			r, err := client.Do(req)
			var answer []byte
			if err == nil {
				answer, err = io.ReadAll(r.Body)
				r.Body.Close()
			}
			took := time.Since(start)
			if ctx.Err() != nil {
				break
			}
			switch {
			case err != nil:
				rec.fail(err.Error())
			case r.StatusCode != ep.want:
				rec.fail(fmt.Sprintf("%d %.200s", r.StatusCode, answer))
			default:
				rec.samples = append(rec.samples, sample{start: start.Sub(res.began), latency: took})
			}
		}
	})
	return res
}

// loadFor runs the load for warmup plus duration and summarises the requests started after the
// warm-up.
func loadFor(ctx context.Context, base string, conns int, ep endpoint, w *world, warmup, duration time.Duration) (*loadResult, stats) {
	ctx, cancel := context.WithTimeout(ctx, warmup+duration)
	defer cancel()
	res := runLoad(ctx, base, conns, ep, w)
	return res, summarize(res.samples, warmup, warmup+duration)
}
