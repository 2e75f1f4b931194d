package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

type exam struct {
	ID              string     `json:"id"`
	SubjectCode     string     `json:"subject_code"`
	ExamType        string     `json:"exam_type"`
	Status          string     `json:"status"`
	PaperNumber     *int       `json:"paper_number"`
	DurationMinutes *int       `json:"duration_minutes"`
	TotalMarks      *int       `json:"total_marks"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	StartedAt       *time.Time `json:"started_at"`
	CompletedAt     *time.Time `json:"completed_at"`
	QuestionCount   int        `json:"question_count"`
	Score           *int       `json:"score"`
	MaxScore        *int       `json:"max_score"`
	MarkedAt        *time.Time `json:"marked_at"`
}

type examPage struct {
	Items      []exam  `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func (a *app) createExam(tok string, body map[string]any) exam {
	a.t.Helper()
	var e exam
	res := a.do("POST", "/api/exams", tok, body).want(a.t, http.StatusCreated)
	res.decode(a.t, &e)
	if loc := res.header.Get("Location"); loc != "/api/exams/"+e.ID {
		a.t.Fatalf("Location: got %q for exam %s", loc, e.ID)
	}
	return e
}

func (a *app) practice(tok string) exam {
	a.t.Helper()
	return a.createExam(tok, map[string]any{"subject_code": "9708", "exam_type": "PRACTICE"})
}

func (a *app) examPage(tok, query string) examPage {
	a.t.Helper()
	var p examPage
	a.do("GET", "/api/exams"+query, tok, nil).want(a.t, http.StatusOK).decode(a.t, &p)
	return p
}

// allExams follows next_cursor from the first page to the last, with limit per page.
func (a *app) allExams(tok string, filters url.Values, limit int) (all []exam, pages int) {
	a.t.Helper()
	q := url.Values{}
	for k, v := range filters {
		q[k] = v
	}
	q.Set("limit", fmt.Sprint(limit))
	for {
		p := a.examPage(tok, "?"+q.Encode())
		pages++
		if len(p.Items) > limit || (p.NextCursor != nil && len(p.Items) != limit) {
			a.t.Fatalf("page %d: %d items with next_cursor %v at limit %d", pages, len(p.Items), p.NextCursor, limit)
		}
		all = append(all, p.Items...)
		if p.NextCursor == nil {
			return all, pages
		}
		q.Set("cursor", *p.NextCursor)
	}
}

func ids(exams []exam) []string {
	out := make([]string, len(exams))
	for i, e := range exams {
		out[i] = e.ID
	}
	return out
}

func ptr(n int) *int { return &n }

func eq(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func TestAStudentCreatesStartsAndCompletesAnExam(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("worker@example.com")

	created := a.createExam(tok, map[string]any{"subject_code": "9708", "exam_type": "FULL_PAPER", "paper_number": 2})
	if created.Status != "PENDING" || created.StartedAt != nil || created.CompletedAt != nil || created.SubjectCode != "9708" ||
		created.ExamType != "FULL_PAPER" || !eq(created.PaperNumber, ptr(2)) || created.CreatedAt.IsZero() {
		t.Fatalf("created: %+v", created)
	}
	var got exam
	a.do("GET", "/api/exams/"+created.ID, tok, nil).want(t, http.StatusOK).decode(t, &got)
	if got.ID != created.ID || !got.CreatedAt.Equal(created.CreatedAt) {
		t.Fatalf("read back: %+v, want %+v", got, created)
	}

	var started exam
	a.do("PATCH", "/api/exams/"+created.ID, tok, map[string]string{"status": "IN_PROGRESS"}).want(t, http.StatusOK).decode(t, &started)
	if started.Status != "IN_PROGRESS" || started.StartedAt == nil || started.CompletedAt != nil ||
		started.StartedAt.Before(created.CreatedAt) || !started.UpdatedAt.After(created.UpdatedAt) {
		t.Fatalf("started: %+v", started)
	}
	var done exam
	a.do("PATCH", "/api/exams/"+created.ID, tok, map[string]string{"status": "COMPLETED"}).want(t, http.StatusOK).decode(t, &done)
	if done.Status != "COMPLETED" || done.CompletedAt == nil || !done.StartedAt.Equal(*started.StartedAt) ||
		done.CompletedAt.Before(*done.StartedAt) {
		t.Fatalf("completed: %+v", done)
	}
	if p := a.examPage(tok, ""); len(p.Items) != 1 || p.Items[0].Status != "COMPLETED" || p.NextCursor != nil {
		t.Fatalf("list: %+v", p)
	}
}

func TestTimedAndFullPaperExamsTakeTheirNumbersFromThePaper(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("timer@example.com")
	cases := []struct {
		body            map[string]any
		duration, marks *int
	}{
		{map[string]any{"exam_type": "FULL_PAPER", "paper_number": 4}, ptr(120), ptr(60)},
		{map[string]any{"exam_type": "FULL_PAPER", "paper_number": 1, "duration_minutes": 75}, ptr(75), ptr(30)},
		{map[string]any{"exam_type": "TIMED", "paper_number": 3}, ptr(75), ptr(30)},
		{map[string]any{"exam_type": "TIMED", "paper_number": 2, "total_marks": 25}, ptr(90), ptr(25)},
		{map[string]any{"exam_type": "TIMED", "duration_minutes": 30}, ptr(30), nil},
		{map[string]any{"exam_type": "PRACTICE", "paper_number": 1}, nil, nil},
		{map[string]any{"exam_type": "PRACTICE", "duration_minutes": 600, "total_marks": 1000}, ptr(600), ptr(1000)},
		{map[string]any{"exam_type": "PRACTICE"}, nil, nil},
	}
	for _, c := range cases {
		c.body["subject_code"] = "9708"
		e := a.createExam(tok, c.body)
		if !eq(e.DurationMinutes, c.duration) || !eq(e.TotalMarks, c.marks) {
			t.Errorf("%v: got duration %v marks %v, want %v %v", c.body, deref(e.DurationMinutes), deref(e.TotalMarks), deref(c.duration), deref(c.marks))
		}
	}
}

func deref(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

func TestInvalidExamsAreRefusedNamingTheFieldAndNothingIsCreated(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("careless@example.com")
	cases := []struct {
		body  string
		field string
		says  string
	}{
		{`{"exam_type":"PRACTICE"}`, "subject_code", "is required"},
		{`{"subject_code":null,"exam_type":"PRACTICE"}`, "subject_code", "is required"},
		{`{"subject_code":"0000","exam_type":"PRACTICE"}`, "subject_code", "is not a subject"},
		{`{"subject_code":"97-08","exam_type":"PRACTICE"}`, "subject_code", "is not a subject"},
		{`{"subject_code":"9708"}`, "exam_type", "is required"},
		{`{"subject_code":"9708","exam_type":"practice"}`, "exam_type", "PRACTICE, TIMED, FULL_PAPER"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","paper_number":5}`, "paper_number", "papers are 1, 2, 3, 4"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","paper_number":0}`, "paper_number", "from 1 to 9"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","paper_number":40000}`, "paper_number", "from 1 to 9"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","paper_number":"1"}`, "paper_number", "a whole number"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","paper_number":1.5}`, "paper_number", "a whole number"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","duration_minutes":0}`, "duration_minutes", "from 1 to 600"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","duration_minutes":601}`, "duration_minutes", "from 1 to 600"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","total_marks":-1}`, "total_marks", "from 1 to 1000"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","total_marks":1e30}`, "total_marks", "a whole number"},
		{`{"subject_code":"9708","exam_type":"FULL_PAPER"}`, "paper_number", "required for a FULL_PAPER"},
		{`{"subject_code":"9708","exam_type":"TIMED"}`, "duration_minutes", "required for a TIMED"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","status":"COMPLETED"}`, "status", "not a known field"},
		{`{"subject_code":"9708","exam_type":"PRACTICE","student_id":"` + uuid.NewString() + `"}`, "student_id", "not a known field"},
	}
	for _, c := range cases {
		p := a.request("POST", "/api/exams", tok, "application/json", c.body).want(t, http.StatusUnprocessableEntity).problem(t)
		if len(p.Errors) == 0 || p.Errors[0].Field != c.field || !strings.Contains(p.Errors[0].Message, c.says) {
			t.Errorf("%s: errors %+v, want %s %q", c.body, p.Errors, c.field, c.says)
		}
	}
	a.request("POST", "/api/exams", tok, "text/plain", `{"subject_code":"9708","exam_type":"PRACTICE"}`).want(t, http.StatusUnsupportedMediaType).problem(t)
	a.request("POST", "/api/exams", tok, "application/json", `{"subject_code":"9708","exam_type":"PRACTICE"} {}`).want(t, http.StatusBadRequest).problem(t)
	a.request("POST", "/api/exams", tok, "application/json", `[]`).want(t, http.StatusBadRequest).problem(t)
	a.request("POST", "/api/exams", tok, "application/json", `{"subject_code":"9708","exam_type":"PRACTICE","x":"`+strings.Repeat("a", 1<<20)+`"}`).
		want(t, http.StatusRequestEntityTooLarge).problem(t)
	a.request("POST", "/api/exams", "", "application/json", `{"subject_code":"9708","exam_type":"PRACTICE"}`).want(t, http.StatusUnauthorized).problem(t)
	if p := a.examPage(tok, ""); len(p.Items) != 0 {
		t.Fatalf("refused requests created %d exams", len(p.Items))
	}
}

func TestExamsMoveOnlyFromPendingToInProgressToCompleted(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("mover@example.com")
	patch := func(id, status string) response {
		return a.do("PATCH", "/api/exams/"+id, tok, map[string]string{"status": status})
	}
	pending := a.practice(tok)
	inProgress := a.practice(tok)
	patch(inProgress.ID, "IN_PROGRESS").want(t, http.StatusOK)
	completed := a.practice(tok)
	patch(completed.ID, "IN_PROGRESS").want(t, http.StatusOK)
	patch(completed.ID, "COMPLETED").want(t, http.StatusOK)

	refused := []struct {
		exam exam
		to   string
		says string
	}{
		{pending, "PENDING", "already PENDING"},
		{pending, "COMPLETED", "can only move to IN_PROGRESS"},
		{inProgress, "IN_PROGRESS", "already IN_PROGRESS"},
		{inProgress, "PENDING", "cannot go back to PENDING"},
		{completed, "COMPLETED", "already COMPLETED"},
		{completed, "IN_PROGRESS", "cannot change status"},
		{completed, "PENDING", "cannot change status"},
	}
	for _, c := range refused {
		var before exam
		a.do("GET", "/api/exams/"+c.exam.ID, tok, nil).want(t, http.StatusOK).decode(t, &before)
		p := patch(c.exam.ID, c.to).want(t, http.StatusConflict).problem(t)
		if !strings.Contains(p.Detail, c.says) || p.Type != "urn:examiner:problem:conflict" {
			t.Errorf("%s → %s: %+v, want it to say %q", before.Status, c.to, p, c.says)
		}
		var after exam
		a.do("GET", "/api/exams/"+c.exam.ID, tok, nil).want(t, http.StatusOK).decode(t, &after)
		if !after.UpdatedAt.Equal(before.UpdatedAt) || after.Status != before.Status {
			t.Errorf("a refused move changed the exam: %+v → %+v", before, after)
		}
	}

	for body, field := range map[string]string{
		`{}`:                       "status",
		`{"status":null}`:          "status",
		`{"status":"STARTED"}`:     "status",
		`{"status":"in_progress"}`: "status",
		`{"status":"IN_PROGRESS","total_marks":5}`:                     "total_marks",
		`{"status":"IN_PROGRESS","started_at":"2020-01-01T00:00:00Z"}`: "started_at",
	} {
		p := a.request("PATCH", "/api/exams/"+pending.ID, tok, "application/json", body).want(t, http.StatusUnprocessableEntity).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("%s: errors %+v, want one on %s", body, p.Errors, field)
		}
	}
	var still exam
	a.do("GET", "/api/exams/"+pending.ID, tok, nil).want(t, http.StatusOK).decode(t, &still)
	if still.Status != "PENDING" || still.StartedAt != nil {
		t.Fatalf("invalid requests changed the exam: %+v", still)
	}
}

// Many tabs start the same exam at once: one wins, the rest are told it already started. The row
// is held locked until every request is waiting on it, so they all race for real.
func TestConcurrentStartsOfOneExamStartItOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("eager@example.com")
	e := a.practice(tok)

	tx := a.hold(t, `SELECT 1 FROM exams WHERE id = $1 FOR UPDATE`, e.ID)

	n := int(a.server.Config().MaxConns) // every request holds a connection while it waits
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = a.do("PATCH", "/api/exams/"+e.ID, tok, map[string]string{"status": "IN_PROGRESS"}).status
		}()
	}
	waitForLockWaiters(t, tx, n)
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	slices.Sort(statuses)
	want := append([]int{http.StatusOK}, slices.Repeat([]int{http.StatusConflict}, n-1)...)
	if !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want one 200 and %d 409s", statuses, n-1)
	}
}

func TestDeletingAnExamRemovesIt(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("tidy@example.com")
	keep, gone := a.practice(tok), a.practice(tok)
	res := a.do("DELETE", "/api/exams/"+gone.ID, tok, nil).want(t, http.StatusNoContent)
	if len(res.body) != 0 {
		t.Fatalf("204 with a body: %q", res.body)
	}
	a.do("GET", "/api/exams/"+gone.ID, tok, nil).want(t, http.StatusNotFound).problem(t)
	a.do("DELETE", "/api/exams/"+gone.ID, tok, nil).want(t, http.StatusNotFound).problem(t)
	if p := a.examPage(tok, ""); !slices.Equal(ids(p.Items), []string{keep.ID}) {
		t.Fatalf("left: %v, want only %s", ids(p.Items), keep.ID)
	}
}

// Another student's exam, a malformed id and a missing exam get the same 404, byte for byte but
// for the request id: a response never reveals that a row exists.
func TestAnotherStudentsExamIsIndistinguishableFromAMissingOne(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, owner := a.student("owner@example.com")
	_, other := a.student("other@example.com")
	mine := a.practice(owner)

	var first string
	for _, id := range []string{mine.ID, uuid.NewString(), "not-an-id", strings.ToUpper(mine.ID), "{" + mine.ID + "}",
		strings.ReplaceAll(mine.ID, "-", ""), "urn:uuid:" + mine.ID, "00000000-0000-0000-0000-000000000000", "1%27%20OR%201=1"} {
		for _, r := range []response{
			a.do("GET", "/api/exams/"+id, other, nil),
			a.do("PATCH", "/api/exams/"+id, other, map[string]string{"status": "IN_PROGRESS"}),
			a.do("DELETE", "/api/exams/"+id, other, nil),
		} {
			p := r.want(t, http.StatusNotFound).problem(t)
			p.RequestID = ""
			body := mustJSON(t, p)
			if first == "" {
				first = body
			} else if body != first {
				t.Fatalf("%s: 404 body %s differs from %s", id, body, first)
			}
		}
	}
	if p := a.examPage(other, ""); len(p.Items) != 0 {
		t.Fatalf("the other student lists %d exams", len(p.Items))
	}
	var still exam
	a.do("GET", "/api/exams/"+mine.ID, owner, nil).want(t, http.StatusOK).decode(t, &still)
	if still.Status != "PENDING" || !still.UpdatedAt.Equal(mine.UpdatedAt) {
		t.Fatalf("the other student changed the exam: %+v", still)
	}
}

func TestPagesWalkEveryExamOnceNewestFirst(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("pager@example.com")
	_, neighbour := a.student("neighbour@example.com")
	var made []string
	for range 25 {
		made = append(made, a.practice(tok).ID)
		a.practice(neighbour)
	}
	slices.Reverse(made) // newest first

	for _, c := range []struct{ limit, pages int }{{1, 25}, {10, 3}, {24, 2}, {25, 1}, {26, 1}, {100, 1}, {5, 5}} {
		all, pages := a.allExams(tok, nil, c.limit)
		if !slices.Equal(ids(all), made) || pages != c.pages {
			t.Errorf("limit %d: %d pages of %d exams, want %d pages of the 25 newest first", c.limit, pages, len(all), c.pages)
		}
	}
	if p := a.examPage(tok, ""); len(p.Items) != 20 || p.NextCursor == nil {
		t.Errorf("default page: %d items, next %v; want 20 and a cursor", len(p.Items), p.NextCursor)
	}
}

// Exams added or deleted between pages neither repeat nor hide the others.
func TestPagesStayConsistentWhileExamsComeAndGo(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("busy@example.com")
	var made []string
	for range 9 {
		made = append(made, a.practice(tok).ID)
	}
	slices.Reverse(made)
	first := a.examPage(tok, "?limit=3")
	a.practice(tok)                                                               // newer than every page: not in the walk
	a.do("DELETE", "/api/exams/"+made[4], tok, nil).want(t, http.StatusNoContent) // on the next page
	rest, _ := a.allExams(tok, url.Values{"cursor": {*first.NextCursor}}, 3)
	got := append(ids(first.Items), ids(rest)...)
	want := slices.Delete(slices.Clone(made), 4, 5)
	if !slices.Equal(got, want) {
		t.Fatalf("walk: got %v, want %v", got, want)
	}
}

// Exams created in the same microsecond still page in a fixed order, by id.
func TestExamsWithTheSameCreationTimePageByID(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("twins@example.com")
	for range 7 {
		a.practice(tok)
	}
	if _, err := a.pool.Exec(t.Context(), `UPDATE exams SET created_at = '2026-01-01T00:00:00Z'`); err != nil {
		t.Fatal(err)
	}
	all, _ := a.allExams(tok, nil, 2)
	got := ids(all)
	want := slices.Clone(got)
	slices.Sort(want)
	slices.Reverse(want)
	if len(got) != 7 || !slices.Equal(got, want) {
		t.Fatalf("got %v, want the 7 exams by id descending", got)
	}
}

func TestFiltersNarrowTheListAndItsPages(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("filter@example.com")
	var timedInProgress []string
	for i := range 12 {
		e := a.createExam(tok, map[string]any{"subject_code": "9708", "exam_type": []string{"PRACTICE", "TIMED", "FULL_PAPER"}[i%3], "paper_number": 1 + i%4})
		if i%2 == 0 {
			a.do("PATCH", "/api/exams/"+e.ID, tok, map[string]string{"status": "IN_PROGRESS"}).want(t, http.StatusOK)
			if e.ExamType == "TIMED" {
				timedInProgress = append(timedInProgress, e.ID)
			}
		}
	}
	slices.Reverse(timedInProgress)
	count := func(f url.Values) int {
		all, _ := a.allExams(tok, f, 2)
		for _, e := range all {
			if s := f.Get("status"); s != "" && e.Status != s || f.Get("exam_type") != "" && e.ExamType != f.Get("exam_type") {
				t.Errorf("filter %v returned %+v", f, e)
			}
		}
		return len(all)
	}
	for _, c := range []struct {
		f    url.Values
		want int
	}{
		{url.Values{"status": {"IN_PROGRESS"}}, 6},
		{url.Values{"status": {"PENDING"}}, 6},
		{url.Values{"status": {"COMPLETED"}}, 0},
		{url.Values{"exam_type": {"FULL_PAPER"}}, 4},
		{url.Values{"subject_code": {"9708"}}, 12},
		{url.Values{"subject_code": {"0000"}}, 0},
		{url.Values{"status": {"IN_PROGRESS"}, "exam_type": {"TIMED"}, "subject_code": {"9708"}}, 2},
	} {
		if got := count(c.f); got != c.want {
			t.Errorf("%v: %d exams, want %d", c.f, got, c.want)
		}
	}
	all, _ := a.allExams(tok, url.Values{"status": {"IN_PROGRESS"}, "exam_type": {"TIMED"}}, 1)
	if !slices.Equal(ids(all), timedInProgress) {
		t.Errorf("timed in progress: got %v, want %v", ids(all), timedInProgress)
	}
}

func TestBadListQueriesAre422NamingTheParameter(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("typo@example.com")
	for range 3 {
		a.practice(tok)
	}
	cursor := *a.examPage(tok, "?limit=1").NextCursor
	pendingCursor := *a.examPage(tok, "?limit=1&status=PENDING").NextCursor
	raw, _ := base64.RawURLEncoding.DecodeString(cursor)
	forged := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), `"v":1`, `"v":2`, 1)))
	for query, field := range map[string]string{
		"?limit=0":                              "limit",
		"?limit=101":                            "limit",
		"?limit=ten":                            "limit",
		"?limit=":                               "limit",
		"?limit=1&limit=2":                      "limit",
		"?status=DONE":                          "status",
		"?status=pending":                       "status",
		"?exam_type=MOCK":                       "exam_type",
		"?subject_code=97.08":                   "subject_code",
		"?offset=20":                            "offset",
		"?page=2":                               "page",
		"?cursor=garbage":                       "cursor",
		"?cursor=" + forged:                     "cursor",
		"?cursor=" + cursor + "&status=PENDING": "cursor", // made without the filter
		"?cursor=" + pendingCursor:              "cursor", // made with a filter now gone
		"?cursor=" + strings.Repeat("A", 300):   "cursor",
	} {
		p := a.do("GET", "/api/exams"+query, tok, nil).want(t, http.StatusUnprocessableEntity).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("%s: errors %+v, want one on %s", query, p.Errors, field)
		}
	}
	// The cursor works with the filters it was made under.
	a.do("GET", "/api/exams?status=PENDING&cursor="+pendingCursor, tok, nil).want(t, http.StatusOK)
}

// A cursor names a position, not a row anyone may read: a neighbour's cursor, used by another
// student, pages through that student's own exams only.
func TestACursorFromAnotherStudentShowsOnlyYourOwnExams(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, alice := a.student("alice@example.com")
	_, bob := a.student("bob@example.com")
	var bobs []string
	for range 3 {
		bobs = append(bobs, a.practice(bob).ID)
		a.practice(alice)
	}
	slices.Reverse(bobs)
	// Alice's cursor points at her newest exam, made after all of Bob's: Bob gets all his own.
	aliceCursor := *a.examPage(alice, "?limit=1").NextCursor
	all, _ := a.allExams(bob, url.Values{"cursor": {aliceCursor}}, 10)
	if !slices.Equal(ids(all), bobs) {
		t.Fatalf("bob with alice's cursor: got %v, want exactly his own %v", ids(all), bobs)
	}
}

// A status change stamps the time it is made, not the time its statement began: a request to
// complete an exam that waited for the row while someone else moved its start later still
// completes it after the start (the database's trigger stamps the times, migration 016).
func TestAnExamCompletesAfterItStartsEvenWhenItsRequestWaited(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("patient@example.com")
	e := a.practice(tok)
	a.do("PATCH", "/api/exams/"+e.ID, tok, map[string]string{"status": "IN_PROGRESS"}).want(t, http.StatusOK)

	tx := a.hold(t, `SELECT 1 FROM exams WHERE id = $1 FOR UPDATE`, e.ID)
	done := make(chan response, 1)
	go func() { done <- a.do("PATCH", "/api/exams/"+e.ID, tok, map[string]string{"status": "COMPLETED"}) }()
	waitForLockWaiters(t, tx, 1)
	// Meanwhile the start moves later than the waiting request began.
	if _, err := tx.Exec(t.Context(), `
		UPDATE exams SET started_at = clock_timestamp(), updated_at = clock_timestamp() WHERE id = $1`, e.ID); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	var got exam
	(<-done).want(t, http.StatusOK).decode(t, &got)
	if got.StartedAt == nil || got.CompletedAt == nil || got.CompletedAt.Before(*got.StartedAt) || got.UpdatedAt.Before(*got.StartedAt) {
		t.Fatalf("started %v, completed %v, updated %v: want completed and updated after started", got.StartedAt, got.CompletedAt, got.UpdatedAt)
	}
}

// Exams a microsecond apart (PostgreSQL's precision) page in order: the cursor keeps every digit.
func TestCursorsKeepMicroseconds(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("precise@example.com")
	for range 6 {
		a.practice(tok)
	}
	if _, err := a.pool.Exec(t.Context(), `
		UPDATE exams e SET created_at = '2026-01-01T00:00:00Z'::timestamptz + n.i * interval '1 microsecond'
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS i FROM exams) n WHERE n.id = e.id`); err != nil {
		t.Fatal(err)
	}
	all, _ := a.allExams(tok, nil, 1)
	for i := 1; i < len(all); i++ {
		if d := all[i-1].CreatedAt.Sub(all[i].CreatedAt); d != time.Microsecond {
			t.Fatalf("exam %d is %v older than the one before, want 1µs (got %v)", i, d, ids(all))
		}
	}
	if len(all) != 6 {
		t.Fatalf("walked %d exams, want 6", len(all))
	}
}

func TestCursorsOutsideAnyTimeTheServerMakesAre422(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("forger@example.com")
	a.practice(tok)
	a.practice(tok)
	// A real cursor with only its time changed (the old one is left under an unknown key).
	real, _ := base64.RawURLEncoding.DecodeString(*a.examPage(tok, "?limit=1").NextCursor)
	for _, at := range []string{"-1", "-1000000000000000000", "-9223372036854775808", "9223372036854775807", "4102444800000000"} {
		forged := strings.Replace(string(real), `"t":`, `"t":`+at+`,"old_t":`, 1)
		p := a.do("GET", "/api/exams?cursor="+base64.RawURLEncoding.EncodeToString([]byte(forged)), tok, nil).
			want(t, http.StatusUnprocessableEntity).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "cursor" {
			t.Errorf("t=%s: errors %+v, want one on cursor", at, p.Errors)
		}
	}
}

func TestHeadAndOptions(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	for _, path := range []string{"/openapi.json", "/docs", "/docs/swagger-ui.css", "/healthz", "/readyz"} {
		res := a.do("HEAD", path, "", nil).want(t, http.StatusOK)
		if len(res.body) != 0 {
			t.Errorf("HEAD %s: a body of %d bytes", path, len(res.body))
		}
	}
	res := a.do("OPTIONS", "/api/exams", "", nil).want(t, http.StatusMethodNotAllowed)
	res.problem(t)
	if allow := res.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow: %q", allow)
	}
}

// Starts and completions of one exam racing each other never skip a state: at most one start
// and one completion succeed, a completion only after the start, and every other request is a 409.
func TestRacingStatusChangesNeverSkipAState(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("racer@example.com")
	for round := range 5 {
		e := a.practice(tok)
		const n = 12
		type outcome struct {
			to     string
			status int
			exam   exam
		}
		outcomes := make([]outcome, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				to := []string{"IN_PROGRESS", "COMPLETED"}[i%2]
				res := a.do("PATCH", "/api/exams/"+e.ID, tok, map[string]string{"status": to})
				o := outcome{to: to, status: res.status}
				if res.status == http.StatusOK {
					res.decode(t, &o.exam)
				}
				outcomes[i] = o
			}()
		}
		wg.Wait()
		wins := map[string]int{}
		for _, o := range outcomes {
			switch o.status {
			case http.StatusOK:
				wins[o.to]++
				if o.to == "COMPLETED" && (o.exam.StartedAt == nil || o.exam.CompletedAt.Before(*o.exam.StartedAt)) {
					t.Fatalf("round %d: completed without a start before it: %+v", round, o.exam)
				}
			case http.StatusConflict:
			default:
				t.Fatalf("round %d: %s answered %d", round, o.to, o.status)
			}
		}
		var final exam
		a.do("GET", "/api/exams/"+e.ID, tok, nil).want(t, http.StatusOK).decode(t, &final)
		want := "IN_PROGRESS"
		if wins["COMPLETED"] == 1 {
			want = "COMPLETED"
		}
		if wins["IN_PROGRESS"] != 1 || wins["COMPLETED"] > 1 || final.Status != want {
			t.Fatalf("round %d: wins %v, final %s", round, wins, final.Status)
		}
	}
}
