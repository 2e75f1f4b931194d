package httpapi_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// fuzzRoutes are the requests FuzzRequests aims its inputs at (op % len). Logout and password
// changes are left out: one success would revoke the token every later input uses.
var fuzzRoutes = []struct {
	method, path string
	bodyAsQuery  bool // the input is the query string rather than the body
}{
	{"POST", "/api/auth/register", false},
	{"POST", "/api/auth/login", false},
	{"PATCH", "/api/students/me", false},
	{"POST", "/api/exams", false},
	{"PATCH", "/api/exams/{exam}", false},
	{"GET", "/api/exams", true},
	{"GET", "/api/subjects/9708/syllabus", true},
	{"GET", "/api/students/me/events", true},
}

// fuzzCase is one input of FuzzRequests: which route, the Authorization header ("" for the
// attacker's valid token, "-" for none), the Content-Type and the body or query string.
type fuzzCase struct {
	op                         uint8
	authorization, contentType string
	body                       string
}

// hostileRequests is the seed corpus of FuzzRequests (testdata/fuzz/FuzzRequests).
var hostileRequests = map[string]fuzzCase{
	"register_10000_char_name":     {0, "-", "application/json", `{"email":"long@example.com","password":"a good password","full_name":"` + strings.Repeat("n", 10000) + `"}`},
	"register_invalid_utf8":        {0, "-", "application/json", "{\"email\":\"utf@example.com\",\"password\":\"a good password\",\"full_name\":\"\xff\xfe\"}"},
	"register_nul_escaped":         {0, "-", "application/json", `{"email":"nul@example.com","password":"a good password","full_name":"a\u0000b"}`},
	"register_nul_raw":             {0, "-", "application/json", "{\"email\":\"nul\x00@example.com\",\"password\":\"a good password\",\"full_name\":\"N\"}"},
	"register_duplicate_email_key": {0, "-", "application/json", `{"email":"a@example.com","email":"attacker@example.com","password":"a good password","full_name":"D"}`},
	"register_smuggled_id":         {0, "-", "application/json", `{"email":"s@example.com","password":"a good password","full_name":"S","id":"00000000-0000-4000-8000-000000000001"}`},
	"register_number_for_string":   {0, "-", "application/json", `{"email":12,"password":true,"full_name":["x"]}`},
	"register_deeply_nested":       {0, "-", "application/json", `{"email":` + strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000) + `}`},
	"register_empty":               {0, "-", "application/json", ``},
	"register_null":                {0, "-", "application/json", `null`},
	"register_huge_number":         {0, "-", "application/json", `{"email":1e999999}`},
	"login_form_grant_none":        {1, "-", "application/x-www-form-urlencoded", `grant_type=none&username=victim@example.com&password=x`},
	"login_form_nul":               {1, "-", "application/x-www-form-urlencoded", `grant_type=password&username=victim%00@example.com&password=%00`},
	"login_duplicate_password":     {1, "-", "application/json", `{"email":"victim@example.com","password":"x","password":"victim password"}`},
	"login_case_smuggled":          {1, "-", "application/json", `{"Email":"victim@example.com","PASSWORD":"victim password"}`},
	"login_10000_char_email":       {1, "-", "application/json", `{"email":"` + strings.Repeat("e", 10000) + `@example.com","password":"x"}`},
	"me_student_id":                {2, "", "application/json", `{"full_name":"X","student_id":"victim"}`},
	"me_Student_ID":                {2, "", "application/json", `{"full_name":"X","Student_ID":"victim"}`},
	"me_10000_char_name":           {2, "", "application/json", `{"full_name":"` + strings.Repeat("n", 10000) + `"}`},
	"me_grades_nested":             {2, "", "application/json", `{"target_grades":{"9708":{"grade":"A"}}}`},
	"me_grades_duplicate":          {2, "", "application/json", `{"target_grades":{"9708":"A","9708":"U"}}`},
	"me_no_token":                  {2, "-", "application/json", `{"full_name":"X"}`},
	"me_alg_none":                  {2, "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDEifQ.", "application/json", `{"full_name":"X"}`},
	"me_dots_token":                {2, "Bearer " + strings.Repeat(".", 4000), "application/json", `{"full_name":"X"}`},
	"me_basic_auth":                {2, "Basic dmljdGltOnBhc3M=", "application/json", `{"full_name":"X"}`},
	"me_token_8k":                  {2, "Bearer " + strings.Repeat("A", 8000), "application/json", `{"full_name":"X"}`},
	"exam_smuggled_student":        {3, "", "application/json", `{"subject_code":"9708","exam_type":"PRACTICE","student_id":"victim"}`},
	"exam_sql_subject":             {3, "", "application/json", `{"subject_code":"9708' OR '1'='1","exam_type":"PRACTICE"}`},
	"exam_string_for_number":       {3, "", "application/json", `{"subject_code":"9708","exam_type":"TIMED","duration_minutes":"90"}`},
	"exam_huge_numbers":            {3, "", "application/json", `{"subject_code":"9708","exam_type":"TIMED","duration_minutes":9223372036854775807,"total_marks":-9223372036854775808}`},
	"exam_duplicate_type":          {3, "", "application/json", `{"subject_code":"9708","exam_type":"PRACTICE","exam_type":"FULL_PAPER"}`},
	"exam_text_plain":              {3, "", "text/plain", `{"subject_code":"9708","exam_type":"PRACTICE"}`},
	"exam_status_lowercase":        {4, "", "application/json", `{"status":"completed"}`},
	"exam_status_skip":             {4, "", "application/json", `{"status":"COMPLETED"}`},
	"exam_status_extra":            {4, "", "application/json", `{"status":"IN_PROGRESS","student_id":"victim"}`},
	"list_limit_huge":              {5, "", "", `limit=1000000000`},
	"list_cursor_garbage":          {5, "", "", `cursor=eyJ2IjoxLCJ0IjotMSwiaWQiOiJ4IiwiZiI6IiJ9`},
	"list_sql_subject":             {5, "", "", `subject_code=9708%27%20OR%201%3D1`},
	"list_nul_status":              {5, "", "", `status=%00`},
	"list_repeated":                {5, "", "", `status=PENDING&status=COMPLETED`},
	"list_bad_encoding":            {5, "", "", `status=%zz`},
	"syllabus_10000_chars":         {6, "", "", `q=` + strings.Repeat("a", 10000)},
	"syllabus_invalid_utf8":        {6, "", "", `q=%ff%fe`},
	"syllabus_like_wildcards":      {6, "", "", `q=%25_%5C`},
	"events_kind_sql":              {7, "", "", `kind=login%27--`},
	"events_student_id":            {7, "", "", `student_id=victim`},
}

// snapshot is every student and exam row as text: what a refused request must not change. (The
// audit trail is left out: refused sign-ins are rightly recorded.)
func snapshot(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	var s string
	if err := pool.QueryRow(t.Context(), `
		SELECT coalesce((SELECT string_agg(row_to_json(s)::text, E'\n' ORDER BY s.id) FROM students s), '') || E'\n' ||
		       coalesce((SELECT string_agg(row_to_json(e)::text, E'\n' ORDER BY e.id) FROM exams e), '')`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzRequests sends hostile requests as a signed-in attacker (or with hostile credentials): every
// one gets an answer the contract allows and never a 5xx; a refused one changes nothing; none
// ever touches the victim's account or exams or moves an exam to another student.
func FuzzRequests(f *testing.F) {
	a := newApp(f)
	victim, victimTok := a.student("victim@example.com")
	a.practice(victimTok)
	attacker, tok := a.student("attacker@example.com")
	exam := a.practice(tok)
	victimRows := func(t testing.TB) string {
		t.Helper()
		var s string
		if err := a.pool.QueryRow(t.Context(), `
			SELECT (SELECT row_to_json(s)::text FROM students s WHERE id = $1) || E'\n' ||
			       (SELECT string_agg(row_to_json(e)::text, E'\n' ORDER BY e.id) FROM exams e WHERE student_id = $1)`,
			victim.ID).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	victimBefore := victimRows(f)
	for _, c := range hostileRequests {
		f.Add(c.op, c.authorization, c.contentType, []byte(c.body))
	}
	f.Fuzz(func(t *testing.T, op uint8, authorization, contentType string, body []byte) {
		ai := *a
		ai.t = t
		if !sendable(authorization) || !sendable(contentType) {
			return // a header value no HTTP client sends (Go's refuses it before it leaves)
		}
		route := fuzzRoutes[int(op)%len(fuzzRoutes)]
		path := strings.Replace(route.path, "{exam}", exam.ID, 1)
		header := http.Header{}
		switch authorization {
		case "":
			header.Set("Authorization", "Bearer "+tok)
		case "-":
		default:
			if len(authorization) > 8<<10 {
				return // not a header a client can send; the server's header limits are tested elsewhere
			}
			header.Set("Authorization", authorization)
		}
		var sendBody any = body
		if route.bodyAsQuery {
			if strings.ContainsAny(string(body), " #\r\n\x00\x7f") || !isPrintable(body) {
				return // not a query string a client can send
			}
			path += "?" + string(body)
			sendBody = nil
		}
		before := snapshot(t, a.pool)
		res := ai.requestWith(route.method, path, contentType, sendBody, header)
		if res.status >= 500 {
			t.Fatalf("%s %s: %d %s", route.method, path, res.status, res.body)
		}
		if res.status >= 400 {
			if after := snapshot(t, a.pool); after != before {
				t.Fatalf("%s %s answered %d but changed data:\nbefore %s\nafter  %s", route.method, path, res.status, before, after)
			}
		}
		if got := victimRows(t); got != victimBefore {
			t.Fatalf("%s %s changed the victim's rows:\nbefore %s\nafter  %s", route.method, path, victimBefore, got)
		}
		var strays int
		if err := a.pool.QueryRow(t.Context(), `SELECT count(*) FROM exams WHERE student_id NOT IN ($1, $2)`,
			attacker.ID, victim.ID).Scan(&strays); err != nil || strays != 0 {
			t.Fatalf("%d exams belong to neither student (%v)", strays, err)
		}
	})
}

// sendable reports whether v can be an HTTP header value: no control characters but tab.
func sendable(v string) bool {
	for _, c := range []byte(v) {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func isPrintable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// The committed corpus (testdata/fuzz/FuzzRequests, run by every go test) holds every hostile
// case. With EXAMINER_WRITE_CORPUS=1 this test first rewrites it from hostileRequests.
func TestTheRequestCorpusHoldsEveryHostileCase(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRequests")
	for name, c := range hostileRequests {
		file := filepath.Join(dir, name)
		if os.Getenv("EXAMINER_WRITE_CORPUS") != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			content := fmt.Sprintf("go test fuzz v1\nbyte(%q)\nstring(%q)\nstring(%q)\n[]byte(%q)\n", c.op, c.authorization, c.contentType, c.body)
			if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := os.Stat(file); err != nil {
			t.Errorf("corpus case %s is missing (EXAMINER_WRITE_CORPUS=1 go test -run Corpus ./httpapi writes it): %v", name, err)
		}
	}
}
