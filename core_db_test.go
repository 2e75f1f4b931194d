package examiner_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner"
	"examiner/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// The database checks several of the core's rules again, in CHECK constraints. These tests try
// values on both sides of each rule in Go and in PostgreSQL, and fail when the two disagree.

// checker tries statements as the owner, each in a savepoint of one transaction that is rolled
// back at the end.
type checker struct {
	t       *testing.T
	tx      pgx.Tx
	student uuid.UUID
	subject uuid.UUID
}

func newChecker(t *testing.T) checker {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(ctx) })
	c := checker{t: t, tx: tx}
	if err := tx.QueryRow(ctx, `INSERT INTO public.students (email, email_key, password_hash, full_name)
		VALUES ('ada@example.com', 'ada@example.com', 'x', 'Ada') RETURNING id`).Scan(&c.student); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, `INSERT INTO public.subjects (code, name, level, exam_board, syllabus_year)
		VALUES ('9708', 'Economics', 'AS & A Level', 'Cambridge International', '2023-2025') RETURNING id`).Scan(&c.subject); err != nil {
		t.Fatal(err)
	}
	return c
}

// accepts reports whether the statement passes constraint: it succeeds, or fails for another
// reason (a foreign key checked after it, say).
func (c checker) accepts(constraint, sql string, args ...any) bool {
	c.t.Helper()
	ctx := context.Background()
	if _, err := c.tx.Exec(ctx, "SAVEPOINT try"); err != nil {
		c.t.Fatal(err)
	}
	_, err := c.tx.Exec(ctx, sql, args...)
	if _, rerr := c.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT try"); rerr != nil {
		c.t.Fatal(rerr)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == constraint {
		return false
	}
	if err != nil && !errors.As(err, &pgErr) {
		c.t.Fatalf("%s: %v", sql, err)
	}
	return true
}

// agree fails the test for each value where Go and the database disagree.
func agree[V any](t *testing.T, rule string, values []V, inGo func(V) bool, inDB func(V) bool) {
	t.Helper()
	for _, v := range values {
		if g, d := inGo(v), inDB(v); g != d {
			t.Errorf("%s, value %#v: the core says allowed=%v, the database says allowed=%v", rule, v, g, d)
		}
	}
}

func TestTheDatabaseAllowsExactlyTheCoresExamTypesAndStatuses(t *testing.T) {
	t.Parallel()
	c := newChecker(t)
	types := append(slices.Clone(examiner.ExamTypes), "", "practice", "PRACTICE ", "EXAM")
	agree(t, "exam_type", types, func(v string) bool { return slices.Contains(examiner.ExamTypes, v) }, func(v string) bool {
		return c.accepts("exams_exam_type", `INSERT INTO public.exams (student_id, subject_id, exam_type) VALUES ($1, $2, $3)`, c.student, c.subject, v)
	})
	statuses := append(slices.Clone(examiner.ExamStatuses), "", "pending", "STARTED", "CANCELLED")
	agree(t, "status", statuses, func(v string) bool { return slices.Contains(examiner.ExamStatuses, v) }, func(v string) bool {
		// started_at and completed_at as the other constraints want them for this status.
		return c.accepts("exams_status", `
			INSERT INTO public.exams (student_id, subject_id, exam_type, status, started_at, completed_at)
			VALUES ($1, $2, 'PRACTICE', $3,
			        CASE WHEN $3 <> 'PENDING' THEN now() END, CASE WHEN $3 = 'COMPLETED' THEN now() END)`,
			c.student, c.subject, v)
	})
}

func TestTheDatabaseAllowsExactlyTheCoresExamAndPaperNumbers(t *testing.T) {
	t.Parallel()
	c := newChecker(t)
	for _, tt := range []struct {
		column, examConstraint, paperConstraint string
		max                                     int
	}{
		{"paper_number", "exams_paper_number_range", "papers_number_range", examiner.MaxPaperNumber},
		{"duration_minutes", "exams_duration_range", "papers_duration_range", examiner.MaxDuration},
		{"total_marks", "exams_total_marks_range", "papers_total_marks_range", examiner.MaxTotalMarks},
	} {
		values := []int{-1, 0, 1, 2, tt.max - 1, tt.max, tt.max + 1, 32767}
		inGo := func(n int) bool { return n >= 1 && n <= tt.max }
		// The column names come from this table, not from input.
		agree(t, "exams."+tt.column, values, inGo, func(n int) bool {
			return c.accepts(tt.examConstraint, fmt.Sprintf(`INSERT INTO public.exams (student_id, subject_id, exam_type, %s) VALUES ($1, $2, 'PRACTICE', $3)`, tt.column),
				c.student, c.subject, n)
		})
		paperColumn := map[string]string{"paper_number": "number"}[tt.column]
		if paperColumn == "" {
			paperColumn = tt.column
		}
		agree(t, "papers."+paperColumn, values, inGo, func(n int) bool {
			row := map[string]int{"number": 1, "duration_minutes": 60, "total_marks": 30}
			row[paperColumn] = n
			return c.accepts(tt.paperConstraint, `
				INSERT INTO public.papers (subject_id, number, name, level, duration_minutes, total_marks)
				VALUES ($1, $2, 'Paper', 'AS Level', $3, $4)`, c.subject, row["number"], row["duration_minutes"], row["total_marks"])
		})
	}
}

func TestTheDatabaseAllowsExactlyTheCoresSubjectCodes(t *testing.T) {
	t.Parallel()
	c := newChecker(t)
	codes := []string{"9708", "A", "ab12CD", strings.Repeat("a", 16), strings.Repeat("a", 17), "", "97 08", "97-08",
		"97.08", "é", "９７０８", "9708\n", "Ω", "ß"}
	agree(t, "subject code", codes, examiner.SubjectCode.MatchString, func(v string) bool {
		return c.accepts("subjects_code_shape", `
			INSERT INTO public.subjects (code, name, level, exam_board, syllabus_year) VALUES ($1 || '', 'S', 'L', 'B', 'Y')`, v)
	})
	// Target grades are keyed by subject code and valued by grade.
	grades := append(slices.Clone(examiner.Grades), "", "a", "A+", "F", "a*", "A* ")
	agree(t, "target grade", grades, func(g string) bool { return slices.Contains(examiner.Grades, g) }, func(g string) bool {
		return c.accepts("students_target_grades_valid", `UPDATE public.students SET target_grades = jsonb_build_object('9708', $1::text) WHERE id = $2`, g, c.student)
	})
	agree(t, "target grade subject code", codes, examiner.SubjectCode.MatchString, func(code string) bool {
		return c.accepts("students_target_grades_valid", `UPDATE public.students SET target_grades = jsonb_build_object($1::text, 'A') WHERE id = $2`, code, c.student)
	})
}

func TestTheDatabaseAllowsExactlyTheCoresLengths(t *testing.T) {
	t.Parallel()
	c := newChecker(t)
	lengths := func(max int) []int { return []int{0, 1, 2, 3, max - 1, max, max + 1} }
	within := func(min, max int) func(int) bool { return func(n int) bool { return n >= min && n <= max } }
	// The validators themselves, not just the constants they are built from.
	agree(t, "full name", lengths(examiner.MaxFullNameLength), func(n int) bool {
		_, problem := examiner.CheckFullName(strings.Repeat("é", n))
		return problem == ""
	}, func(n int) bool {
		return c.accepts("students_full_name_length", `UPDATE public.students SET full_name = $1 WHERE id = $2`, strings.Repeat("é", n), c.student)
	})
	// Addresses of every length near the limits, all well formed ("xx…x@b.co"); the core's check
	// of the form is stricter than the database's, so only well-formed ones can agree.
	address := func(n int) string { return strings.Repeat("x", n-len("@b.co")) + "@b.co" }
	agree(t, "email", []int{6, 7, examiner.MaxEmailLength - 1, examiner.MaxEmailLength, examiner.MaxEmailLength + 1, 300}, func(n int) bool {
		_, _, problem := examiner.CheckEmail(address(n))
		return problem == ""
	}, func(n int) bool {
		return c.accepts("students_email_shape", `UPDATE public.students SET email = $1 WHERE id = $2`, address(n), c.student)
	})
	for _, tt := range []struct {
		column, constraint string
		max                int
	}{
		{"user_agent", "auth_events_user_agent_length", examiner.MaxUserAgentLength},
		{"request_id", "auth_events_request_id_length", examiner.MaxRequestIDLength},
		{"email", "auth_events_email_length", examiner.MaxEmailLength},
	} {
		agree(t, "auth_events."+tt.column, lengths(tt.max), within(0, tt.max), func(n int) bool {
			return c.accepts(tt.constraint, fmt.Sprintf(`INSERT INTO public.auth_events (student_id, kind, succeeded, %s) VALUES ($1, 'login', true, $2)`, tt.column),
				c.student, strings.Repeat("é", n))
		})
	}
}

func TestTheDatabaseAllowsExactlyTheCoresEventKindsAndReasons(t *testing.T) {
	t.Parallel()
	c := newChecker(t)
	kinds := append(slices.Clone(examiner.EventKinds), "", "LOGIN", "signup", "delete")
	agree(t, "event kind", kinds, func(k string) bool { return slices.Contains(examiner.EventKinds, k) }, func(k string) bool {
		return c.accepts("auth_events_kind", `INSERT INTO public.auth_events (student_id, kind, succeeded) VALUES ($1, $2, true)`, c.student, k)
	})
	reasons := append(slices.Clone(examiner.EventReasons), "", "WRONG_PASSWORD", "locked")
	agree(t, "event reason", reasons, func(r string) bool { return slices.Contains(examiner.EventReasons, r) }, func(r string) bool {
		return c.accepts("auth_events_reason", `INSERT INTO public.auth_events (student_id, kind, succeeded, reason) VALUES ($1, 'login', false, $2)`, c.student, r)
	})
}
