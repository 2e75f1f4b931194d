package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestABodyNestedTooDeepIsRefusedAsMalformed(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	for name, body := range map[string]string{
		"a million brackets": strings.Repeat("[", 1<<20),
		"33 levels in a field": `{"email":` + strings.Repeat("[", 33) + strings.Repeat("]", 33) +
			`,"password":"a good password","full_name":"N"}`,
	} {
		p := a.request("POST", "/api/auth/register", "", "application/json", body).want(t, http.StatusBadRequest).problem(t)
		if !strings.Contains(p.Detail, "too deep") {
			t.Errorf("%s: detail %q, want it to say the nesting is too deep", name, p.Detail)
		}
	}
}

// A string that is not valid UTF-8 would be stored with U+FFFD in place of what was sent: it is
// refused, naming the field, and changes nothing.
func TestTextThatIsNotUTF8IsRefusedNamingTheFieldAndChangesNothing(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	countEvents := func() int {
		var n int
		if err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM public.auth_events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	register := func(name string) string {
		return `{"email":"new@example.com","password":"a good password","full_name":"` + name + `"}`
	}
	form := func(v url.Values) string { return v.Encode() }
	tests := []struct {
		name, method, path, bearer, contentType, body string
		wantField                                     string
	}{
		{"raw bytes in a registration", "POST", "/api/auth/register", "", "application/json", register("\xff\xfe"), "full_name"},
		{"a truncated sequence", "POST", "/api/auth/register", "", "application/json", register("caf\xc3"), "full_name"},
		{"a lone high surrogate", "POST", "/api/auth/register", "", "application/json", register(`\ud800`), "full_name"},
		{"a lone low surrogate", "POST", "/api/auth/register", "", "application/json", register(`x\udc00`), "full_name"},
		{"a key", "POST", "/api/auth/register", "", "application/json", "{\"email\xff\":\"new@example.com\"}", "email\uFFFD"},
		{"raw bytes in a profile", "PATCH", "/api/students/me", tok, "application/json", `{"full_name":"` + "\xff\xfe" + `"}`, "full_name"},
		{"a nested key", "PATCH", "/api/students/me", tok, "application/json", `{"target_grades":{"97\ud808":"A"}}`, "target_grades.97\uFFFD"},
		{"a JSON sign-in", "POST", "/api/auth/login", "", "application/json", `{"email":"ada@example.com","password":"\ud800"}`, "password"},
		{"a form sign-in", "POST", "/api/auth/login", "", "application/x-www-form-urlencoded",
			form(url.Values{"grant_type": {"password"}, "username": {"ada@example.com\xff"}, "password": {"a good password"}}), "username"},
		{"a query value", "GET", "/api/subjects/9708/syllabus?q=%ff%fe", tok, "", "", "q"},
		{"a filter", "GET", "/api/exams?status=%c3", tok, "", "", "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, events := snapshot(t, a.pool), countEvents()
			var body any
			if tt.body != "" {
				body = tt.body
			}
			p := a.request(tt.method, tt.path, tt.bearer, tt.contentType, body).want(t, http.StatusUnprocessableEntity).problem(t)
			if len(p.Errors) != 1 || p.Errors[0].Field != tt.wantField || !strings.Contains(p.Errors[0].Message, "UTF-8") {
				t.Fatalf("errors: got %+v, want one about UTF-8 naming %q", p.Errors, tt.wantField)
			}
			if after := snapshot(t, a.pool); after != before {
				t.Fatalf("data changed:\nbefore %s\nafter  %s", before, after)
			}
			if n := countEvents(); n != events {
				t.Fatalf("auth events: got %d, want %d (none recorded)", n, events)
			}
		})
	}
}

// Only what cannot be text is refused: U+FFFD itself, written as an escape or as its bytes, and
// characters outside the BMP, written as a surrogate pair, are text like any other.
func TestTheReplacementCharacterAndSurrogatePairsAreAccepted(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	var p profile
	a.request("POST", "/api/auth/register", "", "application/json",
		`{"email":"fffd@example.com","password":"a good password","full_name":"\ufffd \ud83d\ude00 `+"\uFFFD"+`"}`).
		want(t, http.StatusCreated).decode(t, &p)
	if want := "\uFFFD 😀 \uFFFD"; p.FullName != want {
		t.Fatalf("full_name: got %q, want %q", p.FullName, want)
	}
	a.request("GET", "/api/subjects/9708/syllabus?q=%EF%BF%BD", a.login("fffd@example.com", "a good password"), "", nil).
		want(t, http.StatusOK)
}
