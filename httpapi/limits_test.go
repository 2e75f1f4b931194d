package httpapi_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"examiner/httpapi"
	"examiner/internal/ratelimit"
)

// clock is a settable clock for the rate limits.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func limitedApp(t *testing.T, limits httpapi.Limits, proxies string) (*app, *clock) {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	a := newAppWith(t, func(d *httpapi.Deps) {
		d.Limits, d.Now = limits, c.Now
		if proxies != "" {
			p, err := httpapi.ParseProxies(proxies)
			if err != nil {
				t.Fatal(err)
			}
			d.TrustedProxies = p
		}
	})
	return a, c
}

// loginFrom logs in as if from addr, through the trusted proxy at 127.0.0.1.
func (a *app) loginFrom(addr, email, pw string) response {
	a.t.Helper()
	return a.requestWith("POST", "/api/auth/login", "application/json",
		`{"email":"`+email+`","password":"`+pw+`"}`, http.Header{"X-Forwarded-For": {addr}})
}

func (a *app) reasons(t *testing.T, kind string) map[string]int {
	t.Helper()
	rows, err := a.pool.Query(t.Context(), `SELECT coalesce(reason, 'ok') FROM auth_events WHERE kind = $1`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out[r]++
	}
	return out
}

func wantLimited(t *testing.T, r response, retryAfter time.Duration) {
	t.Helper()
	p := r.want(t, http.StatusTooManyRequests).problem(t)
	if p.Type != "urn:examiner:problem:rate_limited" {
		t.Errorf("type %q", p.Type)
	}
	if got := r.header.Get("Retry-After"); got != strconv.Itoa(int(retryAfter.Seconds())) {
		t.Errorf("Retry-After: got %q, want %v", got, retryAfter.Seconds())
	}
}

func TestFailedSignInsAreLimitedPerAccountWhetherOrNotItExists(t *testing.T) {
	t.Parallel()
	a, c := limitedApp(t, httpapi.Limits{LoginFailuresPerAccount: ratelimit.Limit{Burst: 3, Per: 20 * time.Minute}}, "127.0.0.1")
	a.register("target@example.com", "the right password", "Target")
	for _, email := range []string{"target@example.com", "nobody@example.com"} {
		for i := range 3 {
			a.loginFrom("198.51.100."+strconv.Itoa(i+1), email, "guess "+strconv.Itoa(i)).want(t, http.StatusUnauthorized)
		}
		// From yet another address, and even with the right password: the account waits.
		wantLimited(t, a.loginFrom("198.51.100.99", email, "the right password"), 20*time.Minute)
	}
	// Successful sign-ins of another account from the same addresses never count.
	a.register("other@example.com", "other password", "Other")
	for range 10 {
		a.loginFrom("198.51.100.1", "other@example.com", "other password").want(t, http.StatusOK)
	}
	c.advance(20 * time.Minute) // one token back
	a.loginFrom("198.51.100.1", "target@example.com", "the right password").want(t, http.StatusOK)
	if got := a.reasons(t, "login"); got["rate_limited"] != 2 || got["wrong_password"] != 3 || got["unknown_email"] != 3 {
		t.Fatalf("login events: %v, want 2 rate_limited, 3 wrong_password, 3 unknown_email", got)
	}
}

func TestFailedSignInsAreLimitedPerClientAddress(t *testing.T) {
	t.Parallel()
	a, _ := limitedApp(t, httpapi.Limits{LoginFailuresPerAddress: ratelimit.Limit{Burst: 4, Per: time.Hour}}, "127.0.0.1")
	a.register("victim@example.com", "the right password", "Victim")
	for i := range 4 { // credential stuffing: one address, many accounts
		a.loginFrom("203.0.113.5", "user"+strconv.Itoa(i)+"@example.com", "password").want(t, http.StatusUnauthorized)
	}
	wantLimited(t, a.loginFrom("203.0.113.5", "victim@example.com", "the right password"), time.Hour)
	// The account itself is not locked for everyone else.
	a.loginFrom("203.0.113.6", "victim@example.com", "the right password").want(t, http.StatusOK)
	// Without a trusted proxy, X-Forwarded-For is ignored: everyone here is 127.0.0.1.
	direct, _ := limitedApp(t, httpapi.Limits{LoginFailuresPerAddress: ratelimit.Limit{Burst: 2, Per: time.Hour}}, "")
	for i := range 2 {
		direct.loginFrom("203.0.113."+strconv.Itoa(i), "a@example.com", "x").want(t, http.StatusUnauthorized)
	}
	wantLimited(t, direct.loginFrom("203.0.113.77", "b@example.com", "x"), time.Hour)
}

func TestRegistrationsAreLimitedPerClientAddress(t *testing.T) {
	t.Parallel()
	a, c := limitedApp(t, httpapi.Limits{RegistrationsPerAddress: ratelimit.Limit{Burst: 2, Per: 30 * time.Minute}}, "")
	a.register("one@example.com", "a good password", "One")
	a.register("two@example.com", "a good password", "Two")
	res := a.do("POST", "/api/auth/register", "", map[string]string{"email": "three@example.com", "password": "a good password", "full_name": "Three"})
	wantLimited(t, res, 30*time.Minute)
	var accounts int
	if err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM students WHERE email = 'three@example.com'`).Scan(&accounts); err != nil || accounts != 0 {
		t.Fatalf("a refused registration made %d accounts (%v)", accounts, err)
	}
	// Invalid requests are refused before the limit, and do not use it up.
	c.advance(30 * time.Minute)
	a.do("POST", "/api/auth/register", "", map[string]string{"email": "bad", "password": "x", "full_name": ""}).want(t, http.StatusUnprocessableEntity)
	a.register("three@example.com", "a good password", "Three")
	if got := a.reasons(t, "register"); got["rate_limited"] != 1 || got["ok"] != 3 {
		t.Fatalf("register events: %v, want 3 ok and 1 rate_limited", got)
	}
}

// With the default limits, 100 concurrent sign-ins of one account from one address all succeed:
// only failures count.
func TestAHundredConcurrentSignInsOfOneAccountAllSucceed(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, func(d *httpapi.Deps) { d.Limits = httpapi.Limits{} })
	a.register("popular@example.com", "a good password", "Popular")
	const n = 100
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = a.request("POST", "/api/auth/login", "", "application/json",
				`{"email":"popular@example.com","password":"a good password"}`).status
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Fatalf("sign-in %d: %d, want every one 200 (all: %v)", i, s, statuses)
		}
	}
}

// Failed sign-ins fired all at once cannot get past the limit: each reserves a token before its
// password check, so 40 concurrent guesses against a burst of 3 are 3 checked and 37 refused.
func TestConcurrentFailedSignInsCannotExceedTheLimit(t *testing.T) {
	t.Parallel()
	a, _ := limitedApp(t, httpapi.Limits{LoginFailuresPerAccount: ratelimit.Limit{Burst: 3, Per: time.Hour}}, "")
	a.register("besieged@example.com", "the right password", "Besieged")
	const n = 40
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- a.request("POST", "/api/auth/login", "", "application/json",
				`{"email":"besieged@example.com","password":"guess `+strconv.Itoa(i)+`"}`).status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusUnauthorized] != 3 || count[http.StatusTooManyRequests] != n-3 {
		t.Fatalf("statuses %v, want 3 checked (401) and %d refused (429)", count, n-3)
	}
	// Refused attempts are recorded, but not one row each: one a minute per account and address.
	if got := a.reasons(t, "login"); got["wrong_password"] != 3 || got["rate_limited"] != 1 {
		t.Fatalf("login events %v, want 3 wrong_password and 1 rate_limited", got)
	}
}

// Once an address is out of sign-ins, trying new emails from it writes no new events: the
// refusals are recorded once a minute per exhausted limit, not per email tried.
func TestRefusalsFromOneAddressAreRecordedOnceAMinute(t *testing.T) {
	t.Parallel()
	a, c := limitedApp(t, httpapi.Limits{LoginFailuresPerAddress: ratelimit.Limit{Burst: 2, Per: time.Hour}}, "")
	for i := range 2 {
		a.do("POST", "/api/auth/login", "", map[string]string{"email": "u" + strconv.Itoa(i) + "@example.com", "password": "x"}).want(t, http.StatusUnauthorized)
	}
	for i := range 30 {
		wantLimited(t, a.do("POST", "/api/auth/login", "", map[string]string{"email": "spray" + strconv.Itoa(i) + "@example.com", "password": "x"}), time.Hour)
	}
	if got := a.reasons(t, "login"); got["rate_limited"] != 1 {
		t.Fatalf("login events %v, want 1 rate_limited for 30 refusals", got)
	}
	c.advance(time.Minute)
	wantLimited(t, a.do("POST", "/api/auth/login", "", map[string]string{"email": "later@example.com", "password": "x"}), time.Hour-time.Minute)
	if got := a.reasons(t, "login"); got["rate_limited"] != 2 {
		t.Fatalf("login events %v, want a second rate_limited a minute later", got)
	}
}
