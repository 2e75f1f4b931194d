package httpapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

type authEvent struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Succeeded bool      `json:"succeeded"`
	Reason    *string   `json:"reason"`
	Email     *string   `json:"email"`
	ClientIP  *string   `json:"client_ip"`
	UserAgent *string   `json:"user_agent"`
	RequestID *string   `json:"request_id"`
	CreatedAt time.Time `json:"created_at"`
}

func (a *app) events(tok, query string) (items []authEvent, next *string) {
	a.t.Helper()
	var p struct {
		Items      []authEvent `json:"items"`
		NextCursor *string     `json:"next_cursor"`
	}
	a.do("GET", "/api/students/me/events"+query, tok, nil).want(a.t, http.StatusOK).decode(a.t, &p)
	return p.Items, p.NextCursor
}

func summary(evs []authEvent) []string {
	var out []string
	for _, e := range evs {
		s := e.Kind
		if e.Reason != nil {
			s += ":" + *e.Reason
		}
		out = append(out, s)
	}
	return out
}

func TestAStudentReadsTheirSignInHistoryNewestFirst(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.register("history@example.com", "a good password", "History")
	failed := a.requestWith("POST", "/api/auth/login", "application/json",
		`{"email":"HISTORY@example.com","password":"a wrong password"}`, http.Header{"User-Agent": {"GuessBot/1.0"}}).
		want(t, http.StatusUnauthorized)
	tok := a.login("history@example.com", "a good password")
	a.do("PUT", "/api/students/me/password", tok, map[string]string{"current_password": "a good password", "new_password": "a newer password"}).
		want(t, http.StatusNoContent)
	tok = a.login("history@example.com", "a newer password")

	evs, next := a.events(tok, "")
	if got, want := summary(evs), []string{"login", "password_change", "login", "login:wrong_password", "register"}; !slices.Equal(got, want) || next != nil {
		t.Fatalf("events: %v (next %v), want %v", got, next, want)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].CreatedAt.After(evs[i-1].CreatedAt) {
			t.Fatalf("not newest first: %v then %v", evs[i-1].CreatedAt, evs[i].CreatedAt)
		}
	}
	f := evs[3]
	if f.Succeeded || *f.Email != "HISTORY@example.com" || *f.ClientIP != "127.0.0.1" || *f.UserAgent != "GuessBot/1.0" ||
		*f.RequestID != failed.header.Get("X-Request-Id") {
		t.Fatalf("the failed attempt: %+v (request id %s)", f, failed.header.Get("X-Request-Id"))
	}
	raw := a.do("GET", "/api/students/me/events", tok, nil).body
	for _, secret := range []string{"a good password", "a newer password", "a wrong password", tok, "$2a$", "sha384-bcrypt"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the trail shows %q", secret)
		}
	}
}

// A student sees the events filed under their own account, and only those: attempts on their
// email by anyone, not attempts on anyone else's.
func TestTheTrailShowsOnlyYourOwnAccount(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, alice := a.student("alice@example.com")
	_, bob := a.student("bob@example.com")
	a.do("POST", "/api/auth/login", "", map[string]string{"email": "alice@example.com", "password": "bob guessing"}).want(t, http.StatusUnauthorized)
	a.do("POST", "/api/auth/login", "", map[string]string{"email": "nobody@example.com", "password": "x"}).want(t, http.StatusUnauthorized)

	aliceEvents, _ := a.events(alice, "")
	bobEvents, _ := a.events(bob, "")
	if got := summary(aliceEvents); !slices.Equal(got, []string{"login:wrong_password", "login", "register"}) {
		t.Errorf("alice: %v", got)
	}
	if got := summary(bobEvents); !slices.Equal(got, []string{"login", "register"}) {
		t.Errorf("bob: %v", got)
	}
	for _, e := range bobEvents {
		if slices.ContainsFunc(aliceEvents, func(x authEvent) bool { return x.ID == e.ID }) {
			t.Fatalf("event %s is in both trails", e.ID)
		}
	}
	a.do("GET", "/api/students/me/events", "", nil).want(t, http.StatusUnauthorized).problem(t)
}

func TestTheTrailPagesAndFilters(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.register("busy@example.com", "a good password", "Busy")
	var tok string
	for range 5 {
		tok = a.login("busy@example.com", "a good password")
		a.do("POST", "/api/auth/login", "", map[string]string{"email": "busy@example.com", "password": "nope nope"}).want(t, http.StatusUnauthorized)
	}
	all, _ := a.events(tok, "?limit=100")
	var walked []authEvent
	q := url.Values{"limit": {"3"}}
	for {
		items, next := a.events(tok, "?"+q.Encode())
		walked = append(walked, items...)
		if next == nil {
			break
		}
		q.Set("cursor", *next)
	}
	if len(all) != 11 || !slices.EqualFunc(all, walked, func(x, y authEvent) bool { return x.ID == y.ID }) {
		t.Fatalf("walked %d events in pages of 3, want the same 11 as one page: %v vs %v", len(walked), summary(walked), summary(all))
	}
	logins, _ := a.events(tok, "?kind=login")
	if len(logins) != 10 {
		t.Fatalf("kind=login: %d events, want 10", len(logins))
	}
	_, next := a.events(tok, "?kind=login&limit=1")
	loginCursor := *next // a cursor made under kind=login...
	for query, field := range map[string]string{
		"?kind=signin":                       "kind",
		"?limit=0":                           "limit",
		"?cursor=" + loginCursor:             "cursor", // ...is refused without it
		"?kind=logout&cursor=" + loginCursor: "cursor",
		"?student_id=x":                      "student_id",
	} {
		p := a.do("GET", "/api/students/me/events"+query, tok, nil).want(t, http.StatusUnprocessableEntity).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("%s: errors %+v, want one on %s", query, p.Errors, field)
		}
	}
}
