package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

func TestBadBodiesGetAClearClientError(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	valid := `{"email":"ada@example.com","password":"a good password","full_name":"Ada"}`
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
	}{
		{"a body over 1 MiB", "application/json", `{"email":"` + strings.Repeat("a", 1<<20) + `"}`, 413},
		{"plain text", "text/plain", valid, 415},
		{"no content type", "", valid, 415},
		{"form data", "application/x-www-form-urlencoded", "email=a", 415},
		{"an empty body", "application/json", "", 400},
		{"broken JSON", "application/json", `{"email":`, 400},
		{"not JSON at all", "application/json", `<xml/>`, 400},
		{"two JSON values", "application/json", valid + ` {}`, 400},
		{"trailing garbage", "application/json", valid + `x`, 400},
		{"an unknown field", "application/json", `{"email":"a@example.com","password":"a good password","full_name":"A","admin":true}`, 422},
		{"a number for a string", "application/json", `{"email":1,"password":"a good password","full_name":"A"}`, 422},
		{"a deeply nested value", "application/json", `{"email":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, 400},
		{"a string of invalid UTF-8", "application/json", "{\"email\":\"a@example.com\",\"password\":\"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\",\"full_name\":\"\xff\"}", 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := a.request("POST", "/api/auth/register", "", tt.contentType, tt.body).want(t, tt.status)
			if tt.status >= 400 {
				res.problem(t)
			}
		})
	}
}

func TestUnknownRoutesAndWrongMethodsAreProblems(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.do("GET", "/api/nothing-here", "", nil).want(t, http.StatusNotFound).problem(t)
	res := a.do("DELETE", "/api/students/me", "", nil).want(t, http.StatusMethodNotAllowed)
	res.problem(t)
	if allow := res.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") {
		t.Fatalf("Allow: got %q, want GET and PATCH in it", allow)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.do("GET", "/healthz", "", nil).want(t, http.StatusOK)
	var ready struct {
		Status        string `json:"status"`
		SchemaVersion int    `json:"schema_version"`
	}
	a.do("GET", "/readyz", "", nil).want(t, http.StatusOK).decode(t, &ready)
	if ready.Status != "ready" || ready.SchemaVersion == 0 {
		t.Fatalf("readyz: got %+v", ready)
	}
	if _, err := a.pool.Exec(t.Context(), `UPDATE schema_version SET version = version - 1`); err != nil {
		t.Fatal(err)
	}
	p := a.do("GET", "/readyz", "", nil).want(t, http.StatusServiceUnavailable).problem(t)
	if !strings.Contains(p.Detail, "migrate") {
		t.Fatalf("readyz detail: got %q, want it to say how to migrate", p.Detail)
	}
	a.do("GET", "/healthz", "", nil).want(t, http.StatusOK)
}

func TestEveryResponseCarriesTheSafetyHeaders(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	for _, res := range []response{
		a.do("GET", "/healthz", "", nil),
		a.do("GET", "/api/students/me", "", nil),
		a.do("POST", "/api/auth/login", "", map[string]string{"email": "x@example.com", "password": "y"}),
		a.do("GET", "/nope", "", nil),
	} {
		for header, want := range map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
			if got := res.header.Get(header); got != want {
				t.Errorf("%s: got %q, want %q", header, got, want)
			}
		}
		if res.header.Get("X-Request-Id") == "" {
			t.Errorf("X-Request-Id: got none")
		}
		if ct := res.header.Get("Content-Type"); !strings.HasSuffix(ct, "json; charset=utf-8") {
			t.Errorf("Content-Type: got %q, want JSON with charset", ct)
		}
	}
}

func TestARequestIDFromTheClientIsKeptOnlyWhenWellFormed(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	for id, kept := range map[string]bool{
		"0f8fad5b-d9cb-469f-a165-70867728950e":   true, // a UUID
		"0F8FAD5B-D9CB-469F-A165-70867728950E":   true,
		"4bf92f3577b34da6a3ce929d0e0e4736":       true, // nginx's $request_id, a W3C trace id
		"0123456789abcdef":                       true,
		strings.Repeat("a", 64):                  true,
		strings.Repeat("a", 65):                  false,
		"0123456789abcde":                        false, // 15 digits
		"{0f8fad5b-d9cb-469f-a165-70867728950e}": false,
		"abc-123_x.y":                            false,
		"Your.account.is.locked:call-0800-0000":  false,
		"has space":                              false,
		"0123456789abcdeg":                       false,
	} {
		req, _ := http.NewRequest("GET", a.url+"/healthz", nil)
		req.Header.Set("X-Request-Id", id)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		got := res.Header.Get("X-Request-Id")
		if (got == id) != kept || got == "" {
			t.Errorf("X-Request-Id %q: got %q, want it kept=%v", id, got, kept)
		}
	}
}

// A sign-in attempt is filed under the account it names, whoever makes it: the request id that
// goes with it must be one that carries no message to that account's student.
func TestAnotherStudentsTrailHoldsNoWordsFromTheClient(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, alice := a.student("alice@example.com")
	const message = "Your-account-is-locked.Call-0800-000000"
	res := a.requestWith("POST", "/api/auth/login", "application/json", `{"email":"alice@example.com","password":"mallory guessing"}`,
		http.Header{"X-Request-Id": {message}}).want(t, http.StatusUnauthorized)
	evs, _ := a.events(alice, "?kind=login")
	if len(evs) == 0 || evs[0].Succeeded || evs[0].RequestID == nil {
		t.Fatalf("alice's trail: got %+v, want the failed attempt first", evs)
	}
	if got := *evs[0].RequestID; got == message || got != res.header.Get("X-Request-Id") {
		t.Fatalf("the attempt's request id: got %q, want the one the server made (%q)", got, res.header.Get("X-Request-Id"))
	}
}

// Nothing secret ever reaches the logs: not a password, a hash or a token.
func TestTheLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	a.do("POST", "/api/auth/login", "", map[string]string{"email": "ada@example.com", "password": "a wrong password"})
	a.do("POST", "/api/auth/login", "", map[string]string{"email": "ada\r\n{\"level\":\"ERROR\"}@example.com", "password": "a wrong password"})
	a.do("PUT", "/api/students/me/password", tok, map[string]string{"current_password": "a good password", "new_password": "a newer password"})
	a.do("GET", "/api/students/me", tok, nil)
	a.do("GET", "/api/students/me", tok+"tampered", nil)

	logs := a.logs.String()
	if !strings.Contains(logs, `"msg":"auth event"`) {
		t.Fatalf("logs: got no auth events, so this test would prove nothing:\n%s", logs)
	}
	for _, secret := range []string{"a good password", "a wrong password", "a newer password", tok, strings.Split(tok, ".")[2], "sha384-bcrypt", "$2a$"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !strings.HasPrefix(line, `{"time":`) {
			t.Errorf("log line not written by the logger (forged?): %q", line)
		}
		var ev struct {
			Msg, Kind, Reason string
			ClientIP          string `json:"client_ip"`
			RequestID         string `json:"request_id"`
			Succeeded         bool
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Errorf("log line is not one JSON object: %q", line)
		}
		if ev.Msg == "auth event" {
			if ev.ClientIP != "127.0.0.1" || ev.RequestID == "" {
				t.Errorf("auth event without client or request: %s", line)
			}
			seen[fmt.Sprint(ev.Kind, " ", ev.Succeeded, " ", ev.Reason)] = true
		}
	}
	// The logs carry the same events as auth_events.
	for _, want := range []string{"register true ", "login true ", "login false wrong_password", "login false unknown_email", "password_change true "} {
		if !seen[want] {
			t.Errorf("no auth event %q in the logs (saw %v)", want, seen)
		}
	}
}

// When the database goes away, requests get a quick 503 problem, never a 500 or a hang, and
// /healthz still says the process is up.
func TestADatabaseThatIsGoneGives503(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	var name string
	if err := a.pool.QueryRow(t.Context(), `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	a.server.Reset() // drop idle connections so the next requests must connect anew
	admin, err := pgx.Connect(t.Context(), strings.Replace(a.pool.Config().ConnString(), "/"+name, "/postgres", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(t.Context(), "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	for _, res := range []response{
		a.do("GET", "/api/students/me", tok, nil),
		a.do("POST", "/api/auth/login", "", map[string]string{"email": "ada@example.com", "password": "a good password"}),
		a.do("POST", "/api/auth/register", "", map[string]string{"email": "bob@example.com", "password": "a good password", "full_name": "Bob"}),
		a.do("GET", "/readyz", "", nil),
	} {
		res.want(t, http.StatusServiceUnavailable).problem(t)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("four requests took %v against a missing database, want quick answers", elapsed)
	}
	a.do("GET", "/healthz", "", nil).want(t, http.StatusOK)
	if logs := a.logs.String(); strings.Contains(logs, "a good password") {
		t.Errorf("logs contain a password")
	}
}

// encoding/json alone would match "Status" to status and let the last of two keys win; a body
// means one thing only, to this server and to anything that reads it on the way.
func TestFieldNamesMustMatchExactlyAndAppearOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	owner, tok := a.student("exact@example.com")
	e := a.practice(tok)
	cases := []struct {
		method, path, body, field, says string
	}{
		{"POST", "/api/exams", `{"SUBJECT_CODE":"9708","exam_type":"PRACTICE"}`, "SUBJECT_CODE", `case-sensitive: "subject_code"`},
		{"POST", "/api/exams", `{"subject_code":"9708","Exam_Type":"PRACTICE"}`, "Exam_Type", "case-sensitive"},
		{"POST", "/api/exams", `{"subject_code":"9708","exam_type":"PRACTICE","Student_ID":"` + uuid.NewString() + `"}`, "Student_ID", "not a known field"},
		{"POST", "/api/exams", `{"subject_code":"9708","exam_type":"PRACTICE","paper_number":1,"paper_number":null}`, "paper_number", "more than once"},
		{"PATCH", "/api/exams/" + e.ID, `{"status":"IN_PROGRESS","status":"COMPLETED"}`, "status", "more than once"},
		{"PATCH", "/api/exams/" + e.ID, `{"Status":"IN_PROGRESS"}`, "Status", "case-sensitive"},
		{"PATCH", "/api/students/me", `{"target_grades":{"9708":"A","9708":"U"}}`, "9708", "more than once"},
		{"PATCH", "/api/students/me", `{"full_name":"X","FULL_NAME":"Y"}`, "FULL_NAME", "case-sensitive"},
		{"POST", "/api/auth/register", `{"email":"x@example.com","password":"a good password","full_name":"X","Email":"y@example.com"}`, "Email", "case-sensitive"},
	}
	for _, c := range cases {
		p := a.request(c.method, c.path, tok, "application/json", c.body).want(t, http.StatusUnprocessableEntity).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != c.field || !strings.Contains(p.Errors[0].Message, c.says) {
			t.Errorf("%s %s %s: errors %+v, want %s %q", c.method, c.path, c.body, p.Errors, c.field, c.says)
		}
	}
	// Nothing changed: one exam, still pending; the profile as registered; no second account.
	if p := a.examPage(tok, ""); len(p.Items) != 1 || p.Items[0].Status != "PENDING" {
		t.Fatalf("exams after refused requests: %+v", p.Items)
	}
	var me profile
	a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusOK).decode(t, &me)
	if me.FullName != owner.FullName || len(me.TargetGrades) != 0 {
		t.Fatalf("profile after refused requests: %+v", me)
	}
	a.do("POST", "/api/auth/login", "", map[string]string{"email": "x@example.com", "password": "a good password"}).want(t, http.StatusUnauthorized)
	// Each object has its own keys: the same key at two levels is no duplicate.
	p := a.request("PATCH", "/api/students/me", tok, "application/json", `{"full_name":"Z","target_grades":{"full_name":"A"}}`).
		want(t, http.StatusUnprocessableEntity).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "target_grades" {
		t.Fatalf("a key repeated at another level: errors %+v, want only the subject code complaint", p.Errors)
	}
}

// A path that is almost a route is a 404 problem, not a redirect with an HTML body.
func TestNearMissPathsAre404sNotRedirects(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	for _, path := range []string{"/healthz/", "/HEALTHZ", "/api//subjects", "/api/exams/", "/docs/../healthz"} {
		req, _ := http.NewRequest("GET", a.url+path, nil)
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json; charset=utf-8" {
			t.Errorf("GET %s: %d %s, want a 404 problem", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}
