package isolation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner/internal/testdb"
)

// The exam's state, straight in SQL (migration 016): what a student may do to their own rows
// depends on the state of their exam, and the database decides it. Each case is one statement, as
// examiner_student with A's genuine claim unless it says otherwise, against A's own exams:
//
//   - an answer is written only while the exam is IN_PROGRESS and before its deadline: not to a
//     COMPLETED exam, not to a running one whose time is up;
//   - a question's key is read only once its exam is COMPLETED;
//   - marks (answers.marks_awarded, exams.score) are never the student's to set, and a self-mark
//     stays within the question's marks;
//   - another student, or nobody, cannot mark A's exam through the marking functions.
//
// A case passes when the statement is refused, or when what it guards (read as the owner, before
// and after) did not change, or when it reads exactly what it may. The cross-student matrix is
// sql_test.go's.

// newSQLStateWorld is the matrix's world with more of A's exams: one COMPLETED and marked (an MCQ
// answered right, an essay answered, an MCQ unanswered), and one IN_PROGRESS whose 30 minutes
// ended an hour and a half ago (one of its two MCQs answered in time); and one of B's, COMPLETED,
// whose question is in none of A's exams.
func newSQLStateWorld(t *testing.T) sqlWorld {
	t.Helper()
	w := newSQLWorld(t)
	conn, err := pgx.Connect(context.Background(), w.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	w.addExams(t, conn, w.a, map[string]fixtureExam{
		"completed": {status: "COMPLETED", startedAgo: "1 hour", questions: []string{"d1", "d2", "d3"},
			answers: map[int]string{1: "B", 2: "An essay."}},
		"expired": {status: "IN_PROGRESS", startedAgo: "2 hours", duration: minutes(30), questions: []string{"x1", "x2"},
			answers: map[int]string{1: "A"}},
	})
	w.addExams(t, conn, w.b, map[string]fixtureExam{
		"completed": {status: "COMPLETED", startedAgo: "1 hour", questions: []string{"b1"}, answers: map[int]string{1: "A"}},
	})
	return w
}

// stateCase is one statement and what it may do.
type stateCase struct {
	name string
	// acting is whose genuine claim the transaction has: "A" (the default), "B", or "nobody".
	acting string
	sql    string
	args   func(w sqlWorld) []any
	// guards, read as the owner before and after the statement, must not change: A's rows the
	// statement must leave alone.
	guards stateGuard
	// reads, when set, is what the statement must return (each row's columns joined by spaces):
	// the rows it may read.
	reads []string
	// raises, when set, is the SQLSTATE the statement must fail with.
	raises string
}

// stateGuard is a digest of some of A's rows, read as the owner: its query and its arguments.
type stateGuard func(w sqlWorld) (string, []any)

// answersOf digests the answers of A's exam.
func answersOf(exam string) stateGuard {
	return func(w sqlWorld) (string, []any) {
		return `SELECT count(*) || ' ' || coalesce(md5(string_agg(a::text, ',' ORDER BY a.number)), '') FROM answers a WHERE a.exam_id = $1`,
			[]any{w.exams[w.a][exam]}
	}
}

// questionsOf digests the questions of A's exam.
func questionsOf(exam string) stateGuard {
	return func(w sqlWorld) (string, []any) {
		return `SELECT count(*) || ' ' || coalesce(md5(string_agg(q::text, ',' ORDER BY q.number)), '') FROM exam_questions q WHERE q.exam_id = $1`,
			[]any{w.exams[w.a][exam]}
	}
}

// marksOfA digests the marks of every answer of A's.
func marksOfA(w sqlWorld) (string, []any) {
	return `SELECT coalesce(md5(string_agg(concat_ws(' ', a.exam_id, a.number, a.marks_awarded, a.self_marked, a.marked_at), ',' ORDER BY a.exam_id, a.number)), '')
	        FROM answers a WHERE a.student_id = $1`, []any{w.a}
}

// scoresOfA digests the scores of every exam of A's.
func scoresOfA(w sqlWorld) (string, []any) {
	return `SELECT coalesce(md5(string_agg(concat_ws(' ', e.id, e.score, e.max_score, e.marked_at), ',' ORDER BY e.id)), '')
	        FROM exams e WHERE e.student_id = $1`, []any{w.a}
}

// everythingOfA digests every exam and answer of A's.
func everythingOfA(w sqlWorld) (string, []any) {
	return `SELECT md5(concat((SELECT string_agg(a::text, ',' ORDER BY a.exam_id, a.number) FROM answers a WHERE a.student_id = $1),
	                          (SELECT string_agg(e::text, ',' ORDER BY e.id) FROM exams e WHERE e.student_id = $1)))`, []any{w.a}
}

// Arguments: the id of one of A's fixture exams (and A's id), or of a fixture question.
func examOfA(name string) func(w sqlWorld) []any {
	return func(w sqlWorld) []any { return []any{w.exams[w.a][name]} }
}

func examOfAAndA(name string) func(w sqlWorld) []any {
	return func(w sqlWorld) []any { return []any{w.exams[w.a][name], w.a} }
}

func question(name string) func(w sqlWorld) []any {
	return func(w sqlWorld) []any { return []any{w.questions[name]} }
}

// readKey reads a question's key and explanation (a written question has no key, only the rest).
const readKey = `SELECT concat_ws(' ', answer, explanation) FROM question_keys WHERE question_id = $1`

var stateCases = []stateCase{
	// Answers by the exam's state and deadline.
	{name: "an answer to A's own COMPLETED exam",
		sql: `INSERT INTO answers (exam_id, number, student_id, choice) VALUES ($1, 3, $2, 'A')`, args: examOfAAndA("completed"), guards: answersOf("completed")},
	{name: "a changed answer of A's own COMPLETED exam",
		sql: `UPDATE answers SET choice = 'D' WHERE exam_id = $1 AND number = 1`, args: examOfA("completed"), guards: answersOf("completed")},
	{name: "an autosave (upsert) to A's own COMPLETED exam",
		sql:  `INSERT INTO answers (exam_id, number, student_id, choice) VALUES ($1, 1, $2, 'D') ON CONFLICT (exam_id, number) DO UPDATE SET choice = EXCLUDED.choice, saved_at = now()`,
		args: examOfAAndA("completed"), guards: answersOf("completed")},
	{name: "an answer to A's own IN_PROGRESS exam past its deadline",
		sql: `INSERT INTO answers (exam_id, number, student_id, choice) VALUES ($1, 2, $2, 'C')`, args: examOfAAndA("expired"), guards: answersOf("expired")},
	{name: "a changed answer of A's own IN_PROGRESS exam past its deadline",
		sql: `UPDATE answers SET choice = 'D' WHERE exam_id = $1`, args: examOfA("expired"), guards: answersOf("expired")},
	{name: "an autosave (upsert) to A's own IN_PROGRESS exam past its deadline",
		sql:  `INSERT INTO answers (exam_id, number, student_id, choice) VALUES ($1, 1, $2, 'D') ON CONFLICT (exam_id, number) DO UPDATE SET choice = EXCLUDED.choice, saved_at = now()`,
		args: examOfAAndA("expired"), guards: answersOf("expired")},
	{name: "a question added to A's own running exam",
		sql:  `INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks) SELECT $1, 4, $2, q.id, q.marks FROM questions q WHERE q.code = 'isolation-spare'`,
		args: examOfAAndA("running"), guards: questionsOf("running")},

	// Keys by the exam's state.
	{name: "the key of a question of A's PENDING exam", sql: readKey, args: question("w1"), reads: []string{}},
	{name: "the key of a question of A's running exam", sql: readKey, args: question("m2"), reads: []string{}},
	{name: "the key of a question of A's IN_PROGRESS exam past its deadline", sql: readKey, args: question("x1"), reads: []string{}},
	{name: "the key of a question of B's COMPLETED exam", sql: readKey, args: question("b1"), reads: []string{}},
	{name: "the key of a question of A's COMPLETED exam", sql: readKey, args: question("d1"), reads: []string{"B Because."}},
	{name: "every key A reads",
		sql:   `SELECT q.code FROM question_keys k JOIN questions q ON q.id = k.question_id ORDER BY q.code`,
		reads: []string{"isolation-d1", "isolation-d2", "isolation-d3"}},
	{name: "the key of a question of A's COMPLETED exam, without a claim", acting: "nobody", sql: readKey, args: question("d1"), reads: []string{}},

	// Marks.
	{name: "A sets answers.marks_awarded",
		sql: `UPDATE answers SET marks_awarded = 10 WHERE student_id = $1`, args: func(w sqlWorld) []any { return []any{w.a} }, guards: marksOfA},
	{name: "A flags their answers self-marked",
		sql: `UPDATE answers SET self_marked = true WHERE student_id = $1`, args: func(w sqlWorld) []any { return []any{w.a} }, guards: marksOfA},
	{name: "A inserts an answer with its marks",
		sql: `INSERT INTO answers (exam_id, number, student_id, choice, marks_awarded) VALUES ($1, 3, $2, 'C', 1)`, args: examOfAAndA("running"), guards: marksOfA},
	{name: "A sets exams.score",
		sql: `UPDATE exams SET score = 99, max_score = 99 WHERE student_id = $1`, args: func(w sqlWorld) []any { return []any{w.a} }, guards: scoresOfA},
	{name: "A self-marks the essay above its 10 marks", sql: `SELECT app.self_mark($1, 2, 11)`, args: examOfA("completed"), raises: "22023", guards: marksOfA},
	{name: "A self-marks the essay below 0", sql: `SELECT app.self_mark($1, 2, -1)`, args: examOfA("completed"), raises: "22023", guards: marksOfA},
	{name: "A self-marks the essay 10 of 10 (the score: the right MCQ and 10)", sql: `SELECT app.self_mark($1, 2, 10)`, args: examOfA("completed"), reads: []string{"11"}},
	{name: "A self-marks an MCQ", sql: `SELECT app.self_mark($1, 1, 1)`, args: examOfA("completed"), reads: []string{""}, guards: marksOfA},
	{name: "A marks their running exam", sql: `SELECT app.mark_exam($1)`, args: examOfA("running"), reads: []string{""}, guards: marksOfA},

	// The marking functions, for another student or nobody.
	{name: "B marks A's COMPLETED exam", acting: "B", sql: `SELECT app.mark_exam($1)`, args: examOfA("completed"), reads: []string{""}, guards: everythingOfA},
	{name: "B self-marks A's essay", acting: "B", sql: `SELECT app.self_mark($1, 2, 10)`, args: examOfA("completed"), reads: []string{""}, guards: everythingOfA},
	{name: "nobody marks A's COMPLETED exam", acting: "nobody", sql: `SELECT app.mark_exam($1)`, args: examOfA("completed"), reads: []string{""}, guards: everythingOfA},
}

// runStateCase runs c on a fresh connection in a transaction that is rolled back, and returns
// what it answered and how it broke its rule ("" when it did not).
func (w sqlWorld) runStateCase(ctx context.Context, c stateCase) (answer, violation string, err error) {
	conn, err := pgx.Connect(ctx, w.url)
	if err != nil {
		return "", "", err
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return "", "", err
	}
	defer tx.Rollback(ctx)
	guard := func() (string, error) {
		if c.guards == nil {
			return "", nil
		}
		sql, args := c.guards(w)
		var digest string
		err := tx.QueryRow(ctx, sql, args...).Scan(&digest)
		return digest, err
	}
	before, err := guard()
	if err != nil {
		return "", "", fmt.Errorf("guard: %w", err)
	}
	claim := "" // nobody
	switch c.acting {
	case "", "A":
		claim = testdb.Student(w.a, 0).Claim
	case "B":
		claim = testdb.Student(w.b, 0).Claim
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('app.claim', $1, true)`, claim); err != nil {
		return "", "", err
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('role', 'examiner_student', true)`); err != nil {
		return "", "", err
	}
	if _, err := tx.Exec(ctx, `SAVEPOINT attempt`); err != nil {
		return "", "", err
	}
	var args []any
	if c.args != nil {
		args = c.args(w)
	}
	got := []string{}
	rows, err := tx.Query(ctx, c.sql, args...)
	if err == nil {
		for rows.Next() {
			values, verr := rows.Values()
			if verr != nil {
				err = verr
				break
			}
			cols := make([]string, len(values))
			for i, v := range values {
				if v != nil {
					cols[i] = fmt.Sprint(v)
				}
			}
			got = append(got, strings.Join(cols, " "))
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		answer = fmt.Sprintf("%s %q", rows.CommandTag(), got)
	case errors.As(err, &pgErr):
		answer = fmt.Sprintf("refused (%s)", pgErr.Code)
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT attempt`); err != nil {
			return "", "", err
		}
	default:
		return "", "", err
	}
	if _, err := tx.Exec(ctx, `RESET ROLE`); err != nil {
		return "", "", err
	}
	after, err := guard()
	if err != nil {
		return "", "", fmt.Errorf("guard: %w", err)
	}
	switch {
	case c.raises != "" && (pgErr == nil || pgErr.Code != c.raises):
		violation = fmt.Sprintf("answered %s, want refused (%s)", answer, c.raises)
	case c.reads != nil && (pgErr != nil || !slices.Equal(got, c.reads)):
		violation = fmt.Sprintf("answered %s, want %q", answer, c.reads)
	case before != after:
		violation = fmt.Sprintf("answered %s and changed A's rows it must leave alone", answer)
	}
	return answer, violation, nil
}

// stateMatrix runs every state case and returns the printed answers and the violations.
func (w sqlWorld) stateMatrix(t *testing.T) (matrix string, violations []string) {
	t.Helper()
	var b strings.Builder
	for _, c := range stateCases {
		answer, violation, err := w.runStateCase(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		acting := c.acting
		if acting == "" {
			acting = "A"
		}
		fmt.Fprintf(&b, "as %-6s %-70s %s\n", acting+",", c.name+":", answer)
		if violation != "" {
			violations = append(violations, fmt.Sprintf("as %s, %s: %s", acting, c.name, violation))
		}
	}
	return b.String(), violations
}

func TestStraightInSQLAnExamsStateDecidesWhatItsStudentMayDo(t *testing.T) {
	t.Parallel()
	w := newSQLStateWorld(t)
	matrix, violations := w.stateMatrix(t)
	t.Logf("what each statement answered:\n%s", matrix)
	if len(violations) > 0 {
		t.Fatalf("%d exam-state violations:\n%s", len(violations), strings.Join(violations, "\n"))
	}
	fmt.Printf("report: isolation SQL exam-state cases: %d cases (answers by state and deadline, keys by state, marks, the marking functions), 0 violations\n", len(stateCases))
}

// Each fault, made by the owner as a migration could, must turn up as a violation of the case
// named.
func TestTheStateCasesCatchAPlantedFault(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name, ddl, want string
	}{
		{"a key policy without the exam's status",
			`DROP POLICY question_keys_after_completion ON question_keys;
			 CREATE POLICY question_keys_after_completion ON question_keys FOR SELECT TO examiner_student
			   USING (EXISTS (SELECT FROM public.exam_questions AS eq JOIN public.exams AS e ON e.id = eq.exam_id
			                  WHERE eq.question_id = question_keys.question_id))`,
			"as A, the key of a question of A's PENDING exam: answered SELECT 1"},
		{"an answer policy without the deadline",
			`CREATE OR REPLACE FUNCTION app.accepts_answers(p_status text, p_started_at timestamptz, p_duration_minutes integer)
			 RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
			 AS $$ SELECT p_status = 'IN_PROGRESS' $$`,
			"as A, an answer to A's own IN_PROGRESS exam past its deadline: answered INSERT 0 1"},
		{"marks_awarded granted to examiner_student",
			`GRANT UPDATE (marks_awarded) ON answers TO examiner_student`,
			"as A, A sets answers.marks_awarded: answered UPDATE"},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			w := newSQLStateWorld(t)
			conn, err := pgx.Connect(context.Background(), w.url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), f.ddl); err != nil {
				t.Fatalf("making the fault: %v", err)
			}
			_, violations := w.stateMatrix(t)
			if !slices.ContainsFunc(violations, func(v string) bool { return strings.HasPrefix(v, f.want) }) {
				t.Fatalf("the state cases missed the fault; want a violation %q, got:\n%s", f.want, strings.Join(violations, "\n"))
			}
		})
	}
}
