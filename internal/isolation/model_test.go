package isolation_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"examiner/internal/seed"
)

// By default the test takes some seconds: modelDefaultRuns seeds of modelDefaultOps operations
// (about 1,700 requests each).
const (
	modelDefaultOps  = 400
	modelDefaultRuns = 4
)

// modelSettings reads EXAMINER_ISOLATION_OPS (operations per run) and EXAMINER_ISOLATION_SEED
// (the one seed to run) from the environment.
func modelSettings(t *testing.T) (ops int, seeds []uint64) {
	t.Helper()
	ops = modelDefaultOps
	if v := os.Getenv("EXAMINER_ISOLATION_OPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("EXAMINER_ISOLATION_OPS=%q: want a positive number of operations", v)
		}
		ops = n
	}
	if v := os.Getenv("EXAMINER_ISOLATION_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("EXAMINER_ISOLATION_SEED=%q: want a seed, a whole number", v)
		}
		return ops, []uint64{seed}
	}
	for seed := range uint64(modelDefaultRuns) {
		seeds = append(seeds, seed+1)
	}
	return ops, seeds
}

// TestModelIsolation: students acting in random interleavings through the real API never see or
// change each other's data, never get a 5xx, and always see what the model says they own.
func TestModelIsolation(t *testing.T) {
	t.Parallel()
	n, seeds := modelSettings(t)
	var (
		mu                        sync.Mutex
		ops, requests, violations int
		practice                  modelTally
	)
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				sequence := modelGenerate(seed, n)
				start := time.Now()
				out := modelExecute(t, sequence, nil)
				t.Logf("seed %d: %d operations, %d requests in %v", seed, out.Steps, out.Requests, time.Since(start).Round(time.Millisecond))
				mu.Lock()
				ops, requests = ops+out.Steps, requests+out.Requests
				practice.add(out.Practice)
				if out.Violation != nil {
					violations++
				}
				mu.Unlock()
				v := out.Violation
				if v == nil {
					return
				}
				t.Errorf("seed %d, step %d of %d (%s): %s: %s", seed, v.Step+1, n, v.Op, v.Kind, v.Detail)
				short := modelShrink(t, sequence, v, nil)
				t.Errorf("shortest failing sequence found (%d steps; %d replays on fresh databases in %v), failing with %s: %s\n%sreplay: EXAMINER_ISOLATION_SEED=%d EXAMINER_ISOLATION_OPS=%d go test -run TestModelIsolation ./internal/isolation/",
					len(short.Ops), short.Tries, short.Elapsed.Round(time.Millisecond), short.Violation.Kind,
					short.Violation.Detail, modelFormat(short.Ops), seed, n)
			})
		}
	})
	named := fmt.Sprint(seeds[0])
	if len(seeds) > 1 {
		named = fmt.Sprintf("%d..%d", seeds[0], seeds[len(seeds)-1])
	}
	runs := fmt.Sprintf("%d seeded runs", len(seeds))
	if len(seeds) == 1 {
		runs = "1 seeded run"
	}
	fmt.Printf("report: isolation model: %d operations (%d requests) over %s, %d violations, seeds %s; practice: %s\n",
		ops, requests, runs, violations, named, practice)
}

// TestModelCheckerCatchesBrokenServer: the checker is no use unless it can fail. Against servers
// broken on purpose it must report the violation, and shrink it to a few steps.
func TestModelCheckerCatchesBrokenServer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		wrap modelWrap
		want string
	}{
		{"lists answered with the previous student's token", modelLeakyLists, modelForeignRow},
		{"refused deletes retried with other students' tokens", modelDeletesAsAnyone, modelForeignWrite},
		{"refused reads of questions, answers and reviews retried with other students' tokens", modelPracticeReadsAsAnyone, modelForeignRow},
		{"questions served with their keys and explanations", modelQuestionsWithKeys, modelKeyLeak},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			const ops = 200
			for seed := uint64(1); seed <= 10; seed++ {
				sequence := modelGenerate(seed, ops)
				out := modelExecute(t, sequence, c.wrap)
				v := out.Violation
				if v == nil {
					t.Fatalf("seed %d: %d operations against a broken server found nothing wrong", seed, ops)
				}
				t.Logf("seed %d: step %d (%s): %s: %s", seed, v.Step+1, v.Op, v.Kind, v.Detail)
				if v.Kind != c.want {
					continue // caught, but as something else first: try the next seed
				}
				short := modelShrink(t, sequence, v, c.wrap)
				t.Logf("shrunk from %d to %d steps (%d replays in %v), failing with %s: %s\n%s",
					v.Step+1, len(short.Ops), short.Tries, short.Elapsed.Round(time.Millisecond),
					short.Violation.Kind, short.Violation.Detail, modelFormat(short.Ops))
				if short.Violation.Kind != c.want {
					t.Errorf("shrunk violation: got %s, want %s", short.Violation.Kind, c.want)
				}
				if len(short.Ops) > 5 {
					t.Errorf("shrunk sequence: got %d steps, want at most 5", len(short.Ops))
				}
				return
			}
			t.Fatalf("no seed in 1..10 was caught first with a %s", c.want)
		})
	}
}

// modelLeakyLists is a deliberately broken server: it answers every list of exams with the token
// of the student it saw most recently before the caller, as a session cache with the wrong key
// would.
func modelLeakyLists(next http.Handler) http.Handler {
	var seen modelSeenTokens
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if tok := modelBearer(req); tok != "" {
			if req.Method == http.MethodGet && req.URL.Path == "/api/exams" {
				if others := seen.others(tok); len(others) > 0 {
					req.Header.Set("Authorization", "Bearer "+others[len(others)-1])
				}
			}
			seen.add(tok)
		}
		next.ServeHTTP(w, req)
	})
}

// modelDeletesAsAnyone is a deliberately broken server: a DELETE of an exam that is refused with
// 404 is retried with the newest token of every other student it has seen, as a misguided
// "retry as the owner" fallback would.
func modelDeletesAsAnyone(next http.Handler) http.Handler {
	return modelRetriedAsAnyone(next, func(req *http.Request) bool {
		return req.Method == http.MethodDelete && strings.HasPrefix(req.URL.Path, "/api/exams/")
	})
}

// modelPracticeReadsAsAnyone is the same fallback on the reads of practice: an exam's questions,
// answers and review.
func modelPracticeReadsAsAnyone(next http.Handler) http.Handler {
	return modelRetriedAsAnyone(next, func(req *http.Request) bool {
		return req.Method == http.MethodGet && strings.HasPrefix(req.URL.Path, "/api/exams/") &&
			(strings.HasSuffix(req.URL.Path, "/questions") || strings.HasSuffix(req.URL.Path, "/answers") || strings.HasSuffix(req.URL.Path, "/review"))
	})
}

// modelRetriedAsAnyone retries a request that retry picks, refused with 404, with the newest
// token of every other student it has seen, and answers with the first that is not refused.
func modelRetriedAsAnyone(next http.Handler, retry func(*http.Request) bool) http.Handler {
	var seen modelSeenTokens
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		tok := modelBearer(req)
		if tok == "" {
			next.ServeHTTP(w, req)
			return
		}
		seen.add(tok)
		if !retry(req) {
			next.ServeHTTP(w, req)
			return
		}
		answer := httptest.NewRecorder()
		next.ServeHTTP(answer, req)
		if answer.Code == http.StatusNotFound {
			for _, other := range seen.others(tok) {
				as := req.Clone(req.Context()) // a GET or a DELETE: no body to replay
				as.Header.Set("Authorization", "Bearer "+other)
				again := httptest.NewRecorder()
				next.ServeHTTP(again, as)
				if again.Code < 300 {
					answer = again
					break
				}
			}
		}
		modelForward(w, answer, answer.Body.Bytes())
	})
}

// modelForward writes a recorded answer, with body as its body.
func modelForward(w http.ResponseWriter, answer *httptest.ResponseRecorder, body []byte) {
	for k, v := range answer.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(answer.Code)
	_, _ = w.Write(body)
}

// modelQuestionsWithKeys is a deliberately broken server: it serves an exam's questions with
// each one's key and explanation, as a questions query that joined question_keys through a
// connection past row-level security would. (It finds them in the shipped bank by the stem.)
func modelQuestionsWithKeys(next http.Handler) http.Handler {
	keys := map[string][2]string{}
	for _, subject := range seed.Subjects {
		bank, err := subject.Questions()
		if err != nil {
			continue
		}
		for _, q := range bank.Questions {
			keys[q.Stem] = [2]string{q.Answer, q.Explanation}
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet || !strings.HasPrefix(req.URL.Path, "/api/exams/") || !strings.HasSuffix(req.URL.Path, "/questions") {
			next.ServeHTTP(w, req)
			return
		}
		answer := httptest.NewRecorder()
		next.ServeHTTP(answer, req)
		var page struct {
			Items []map[string]any `json:"items"`
		}
		if answer.Code != http.StatusOK || json.Unmarshal(answer.Body.Bytes(), &page) != nil {
			modelForward(w, answer, answer.Body.Bytes())
			return
		}
		for _, item := range page.Items {
			stem, _ := item["stem"].(string)
			if k, ok := keys[stem]; ok {
				item["key"], item["explanation"] = k[0], k[1]
			}
		}
		body, err := json.Marshal(page)
		if err != nil {
			panic(err)
		}
		modelForward(w, answer, body)
	})
}

// modelSeenTokens remembers the newest token of each student (by its unverified subject), the
// most recently seen last.
type modelSeenTokens struct {
	mu     sync.Mutex
	recent []struct{ subject, token string }
}

func (s *modelSeenTokens) add(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := modelSubject(tok)
	for i, r := range s.recent {
		if r.subject == sub {
			s.recent = append(s.recent[:i], s.recent[i+1:]...)
			break
		}
	}
	s.recent = append(s.recent, struct{ subject, token string }{sub, tok})
}

// others are the newest tokens of the students other than tok's, the most recently seen last.
func (s *modelSeenTokens) others(tok string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := modelSubject(tok)
	var out []string
	for _, r := range s.recent {
		if r.subject != sub {
			out = append(out, r.token)
		}
	}
	return out
}

func modelBearer(req *http.Request) string {
	tok, _ := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	return tok
}

// modelSubject is a JWT's sub claim, read without checking the token.
func modelSubject(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Subject string `json:"sub"`
	}
	_ = json.Unmarshal(raw, &claims)
	return claims.Subject
}
