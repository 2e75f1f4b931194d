package httpapi_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"examiner/httpapi"
	"examiner/internal/password"
)

// Password checks are bounded to a few at once on purpose, so a storm of logins queues for them.
// The queue must not turn into failures: logins wait up to PasswordTimeout, not RequestTimeout,
// and every one of them gets its token.
func TestAStormOfLoginsQueuesForPasswordChecksAndEveryLoginSucceeds(t *testing.T) {
	t.Parallel()
	const logins = 60
	// bcrypt cost 8 on one slot: 60 checks take over a second in all (ten times that under the
	// race detector), twice the request deadline below, well within the password one.
	hasher, err := password.NewHasherNice(8, 1, password.DefaultNice)
	if err != nil {
		t.Fatal(err)
	}
	a := newAppWith(t, func(d *httpapi.Deps) {
		d.Passwords, d.RequestTimeout, d.PasswordTimeout = hasher, 500*time.Millisecond, 2*time.Minute
	})
	_, tok := a.student("ada@example.com")
	start := time.Now()
	statuses := make([]int, logins)
	var wg sync.WaitGroup
	for i := range logins {
		wg.Go(func() {
			statuses[i] = a.do("POST", "/api/auth/login", "", map[string]string{"email": "ada@example.com", "password": "a good password"}).status
		})
	}
	// Meanwhile other requests keep their own, short deadline and are answered.
	a.do("GET", "/api/exams", tok, nil).want(t, http.StatusOK)
	wg.Wait()
	took := time.Since(start)
	for i, status := range statuses {
		if status != http.StatusOK {
			t.Errorf("login %d: got %d, want 200", i, status)
		}
	}
	if took < 500*time.Millisecond {
		t.Fatalf("the storm took %s, within one request deadline: it did not test the queue", took)
	}
	t.Logf("%d logins on one password slot took %s", logins, took)
}
