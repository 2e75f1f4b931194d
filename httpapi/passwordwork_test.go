package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"examiner/httpapi"
	"examiner/internal/password"
	"examiner/internal/ratelimit"
)

// Thirty wrong current passwords were thirty bcrypt checks and thirty 422s, unrecorded. They are
// guesses like failed sign-ins: past the limit a 429 with Retry-After, and every failure is in
// the student's trail.
func TestWrongCurrentPasswordsAreLimitedAndAppearInTheTrail(t *testing.T) {
	t.Parallel()
	a, _ := limitedApp(t, httpapi.Limits{PasswordChangeFailuresPerAccount: ratelimit.Limit{Burst: 10, Per: 6 * time.Minute}}, "")
	_, tok := a.student("ada@example.com")
	wrong := map[string]string{"current_password": "not the password", "new_password": "a newer password"}
	for i := range 30 {
		res := a.do("PUT", "/api/students/me/password", tok, wrong)
		if i < 10 {
			p := res.want(t, http.StatusUnprocessableEntity).problem(t)
			if len(p.Errors) != 1 || p.Errors[0].Field != "current_password" {
				t.Fatalf("attempt %d: errors %+v, want current_password", i, p.Errors)
			}
			continue
		}
		wantLimited(t, res, 6*time.Minute)
	}
	items, _ := a.events(tok, "?kind=password_change_failed&limit=100")
	got := map[string]int{}
	for _, s := range summary(items) {
		got[s]++
	}
	if got["password_change_failed:wrong_password"] != 10 || got["password_change_failed:rate_limited"] != 1 || len(got) != 2 {
		t.Fatalf("trail: got %v, want 10 wrong_password and 1 rate_limited (refusals once a minute)", got)
	}
	// The right password waits for the limit too; the token is untouched.
	wantLimited(t, a.do("PUT", "/api/students/me/password", tok, map[string]string{"current_password": "a good password", "new_password": "a newer password"}), 6*time.Minute)
	a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusOK)
}

// A 1 MB password went to bcrypt's pre-hash. Over 1 KiB a login gets the 422 of any other bad
// field, at once: with the only password slot taken, a login that checked anything would wait.
func TestALoginWithAPasswordOver1KiBIsRefusedWith422BeforeAnyHashing(t *testing.T) {
	t.Parallel()
	hasher, err := password.New(password.Options{Cost: 4, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := newAppWith(t, func(d *httpapi.Deps) { d.Passwords, d.PasswordTimeout = hasher, 10*time.Second })
	a.register("ada@example.com", "a good password", "Ada")
	release, err := hasher.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for _, body := range []map[string]string{
		{"email": "ada@example.com", "password": strings.Repeat("x", 1025)},
		{"email": "nobody@example.com", "password": strings.Repeat("x", 1<<20/2)},
	} {
		p := a.do("POST", "/api/auth/login", "", body).want(t, http.StatusUnprocessableEntity).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "password" {
			t.Fatalf("errors: got %+v, want password", p.Errors)
		}
	}
	if got := a.reasons(t, "login"); len(got) != 0 {
		t.Errorf("login events: got %v, want none", got)
	}
}

// The queue for password slots is bounded overall and per client address: beyond either bound a
// login is answered 503 with Retry-After at once, and the logins queued are served.
func TestAFullPasswordQueueAnswers503WithRetryAfter(t *testing.T) {
	t.Parallel()
	hasher, err := password.New(password.Options{Cost: 4, Concurrency: 1, Queue: 2, QueuePerClient: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := newAppWith(t, func(d *httpapi.Deps) {
		d.Passwords, d.Limits, d.TrustedProxies = hasher, generous, mustProxies(t, "127.0.0.1")
	})
	b.register("ada@example.com", "a good password", "Ada")
	release, err := hasher.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	var wg sync.WaitGroup
	statuses := make(chan int, 2)
	queue := func(addr string) {
		before := hasher.Waiting()
		wg.Go(func() { statuses <- b.loginFrom(addr, "ada@example.com", "a good password").status })
		deadline := time.Now().Add(10 * time.Second)
		for hasher.Waiting() != before+1 {
			if time.Now().After(deadline) {
				t.Fatalf("the login from %s never queued", addr)
			}
			time.Sleep(time.Millisecond)
		}
	}
	full := func(addr string) {
		t.Helper()
		res := b.loginFrom(addr, "ada@example.com", "a good password").want(t, http.StatusServiceUnavailable)
		res.problem(t)
		if res.header.Get("Retry-After") == "" {
			t.Errorf("503 from %s without Retry-After", addr)
		}
	}
	queue("198.51.100.1")
	full("198.51.100.1") // that address's one place in the queue is taken
	queue("198.51.100.2")
	full("198.51.100.3") // and now the whole queue
	release()
	wg.Wait()
	close(statuses)
	for status := range statuses {
		if status != http.StatusOK {
			t.Errorf("a queued login: got %d, want 200", status)
		}
	}
}

func mustProxies(t *testing.T, s string) httpapi.Proxies {
	t.Helper()
	p, err := httpapi.ParseProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
