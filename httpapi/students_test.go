package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestAStudentReadsAndUpdatesTheirProfile(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	me, tok := a.student("ada@example.com")

	var got profile
	a.do("PATCH", "/api/students/me", tok, map[string]any{
		"full_name": "Ada King", "target_grades": map[string]string{"9708": "A*", "9709": "B"},
	}).want(t, http.StatusOK).decode(t, &got)
	if got.ID != me.ID || got.FullName != "Ada King" || got.TargetGrades["9708"] != "A*" || got.TargetGrades["9709"] != "B" {
		t.Fatalf("after PATCH: got %+v", got)
	}

	got = profile{} // decoding into a filled map would merge keys
	a.do("PATCH", "/api/students/me", tok, map[string]any{"target_grades": map[string]string{}}).want(t, http.StatusOK).decode(t, &got)
	if got.FullName != "Ada King" || len(got.TargetGrades) != 0 {
		t.Fatalf("after clearing grades: got %+v, want the name kept and no grades", got)
	}

	a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusOK).decode(t, &got)
	if got.FullName != "Ada King" || got.Email != "ada@example.com" {
		t.Fatalf("GET after PATCH: got %+v", got)
	}
}

func TestProfileUpdatesAreValidatedAndChangeNothingWhenInvalid(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	tests := []struct {
		name      string
		body      string
		status    int
		wantField string
	}{
		{"an unknown grade", `{"target_grades": {"9708": "A+"}}`, 422, "target_grades.9708"},
		{"a grade that is a number", `{"target_grades": {"9708": 1}}`, 422, "target_grades"},
		{"a subject code with a space", `{"target_grades": {"97 08": "A"}}`, 422, "target_grades"},
		{"a name of 101 characters", `{"full_name": "` + strings.Repeat("x", 101) + `"}`, 422, "full_name"},
		{"a name that is a number", `{"full_name": 42}`, 422, "full_name"},
		{"a smuggled student_id", `{"full_name": "Eve", "student_id": "00000000-0000-0000-0000-000000000000"}`, 422, "student_id"},
		{"a smuggled id", `{"id": "00000000-0000-0000-0000-000000000000"}`, 422, "id"},
		{"an email change", `{"email": "eve@example.com"}`, 422, "email"},
		{"nothing to change", `{}`, 422, ""},
		{"an array", `[]`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := a.request("PATCH", "/api/students/me", tok, "application/json", tt.body).want(t, tt.status).problem(t)
			// Go 1.27's encoding/json names the map entry (target_grades.9708) where 1.26's names the map.
			if tt.status == 422 && (len(p.Errors) == 0 || p.Errors[0].Field != tt.wantField && !strings.HasPrefix(p.Errors[0].Field, tt.wantField+".")) {
				t.Fatalf("errors: got %+v, want the field %q", p.Errors, tt.wantField)
			}
		})
	}
	var got profile
	a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusOK).decode(t, &got)
	if got.FullName != "Student ada@example.com" || len(got.TargetGrades) != 0 {
		t.Fatalf("profile after invalid updates: got %+v, want it unchanged", got)
	}
}

// Through the API, a student only ever reaches their own account.
func TestStudentsOnlyEverReachThemselves(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ada, adaTok := a.student("ada@example.com")
	bob, bobTok := a.student("bob@example.com")

	var got profile
	a.do("GET", "/api/students/me", bobTok, nil).want(t, http.StatusOK).decode(t, &got)
	if got.ID != bob.ID {
		t.Fatalf("Bob's me: got %s, want %s", got.ID, bob.ID)
	}
	a.do("PATCH", "/api/students/me", bobTok, map[string]string{"full_name": "Bob B"}).want(t, http.StatusOK)
	a.do("POST", "/api/auth/logout", bobTok, nil).want(t, http.StatusNoContent)

	a.do("GET", "/api/students/me", adaTok, nil).want(t, http.StatusOK).decode(t, &got)
	if got.ID != ada.ID || got.FullName != "Student ada@example.com" {
		t.Fatalf("Ada after Bob's changes: got %+v, want her own unchanged profile", got)
	}

	// A request that tries to name Ada is refused, and her account is not in the answer.
	bobTok = a.login("bob@example.com", "a good password")
	res := a.request("GET", "/api/students/me?id="+ada.ID.String(), bobTok, "", nil).want(t, http.StatusUnprocessableEntity)
	if p := res.problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "id" || strings.Contains(string(res.body), ada.ID.String()) {
		t.Fatalf("me?id=<Ada>: %s", res.body)
	}
}

// A token for a student whose account is gone is refused, not answered with someone's data.
func TestATokenOfADeletedStudentIsRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	me, tok := a.student("ada@example.com")
	if _, err := a.pool.Exec(context.Background(), `DELETE FROM students WHERE id = $1`, me.ID); err != nil {
		t.Fatal(err)
	}
	a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusUnauthorized).problem(t)
}
