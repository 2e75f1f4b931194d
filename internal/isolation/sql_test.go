package isolation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner/internal/dbclaim"
	"examiner/internal/seed"
	"examiner/internal/testdb"
)

// The SQL matrix: straight in SQL as examiner_student, every student-scoped table, every command,
// under every state of the claim (app.claim, migration 014). Students A and B own rows in every
// table; each case aims a command at A's rows, or at every row. Only A, with A's genuine claim, may
// see or change A's rows, and only B B's; anyone else — nobody, an empty or malformed claim, A's
// claim edited or expired or signed with another key, A's id in the old app.student_id setting —
// must see none and change nothing, whatever the command answers. The exam tables' commands aim
// at A's exams in the state that would let A write them: questions at A's PENDING exam, answers
// at A's running one, so that the owner policies alone stand in the way. What A may do to A's own
// rows, given their exam's state, is sql_state_test.go's.
//
// The cases switch into examiner_student from the owner's connection, not the login role's, so
// that the owner can read, in the same transaction before it is rolled back, what the command
// did; the policies are the same whoever switched. The attacker suite (attack_test.go) runs as
// the login role.

// sqlSetting is one state of app.claim (and app.student_id) for a case.
type sqlSetting struct {
	name string
	// acting is the student whose genuine claim this is ("A" or "B"), or "" for none.
	acting string
	// claim is the claim set, given the world; unset means the connection never had it.
	claim func(w sqlWorld) string
	unset bool
	// studentID, when set, is put into the old setting app.student_id ("A" for A's id).
	studentID string
}

var sqlSettings = []sqlSetting{
	{name: "right student", acting: "A", claim: func(w sqlWorld) string { return testdb.Student(w.a, 0).Claim }},
	{name: "wrong student", acting: "B", claim: func(w sqlWorld) string { return testdb.Student(w.b, 0).Claim }},
	{name: "unset", unset: true},
	{name: "empty", claim: func(sqlWorld) string { return "" }},
	{name: "not a claim", claim: func(sqlWorld) string { return "not-a-claim" }},
	{name: "B's claim edited to A", claim: func(w sqlWorld) string {
		return strings.Replace(testdb.Student(w.b, 0).Claim, w.b.String(), w.a.String(), 1)
	}},
	{name: "A's claim expired", claim: func(w sqlWorld) string { return testdb.Claims.Claim(w.a, 0, time.Now().Add(-time.Minute)) }},
	{name: "A's claim under another key", claim: func(w sqlWorld) string {
		s, err := dbclaim.NewSigner([]byte("not the secret the database holds a key of"), dbclaim.DefaultKID)
		if err != nil {
			panic(err)
		}
		return s.Claim(w.a, 0, time.Now().Add(time.Hour))
	}},
	{name: "A's id in app.student_id", claim: func(sqlWorld) string { return "" }, studentID: "A"},
}

// sqlArgs are the values a command may use: the target student (A), the id of one of A's
// existing rows (for the exam tables, the exam of one), a subject, a question in no exam, and
// self: the acting student (B when nobody acts).
type sqlArgs struct {
	target, row, subject, question, self uuid.UUID
}

type sqlCommand struct {
	name string
	sql  string
	args func(sqlArgs) []any
}

// sqlTable is how the matrix exercises one student-scoped table. Every statement is written out:
// nothing is built from strings.
type sqlTable struct {
	// owners lists the owner of every row the acting role can see.
	owners string
	// commands are the writes aimed at the target's rows.
	commands []sqlCommand
	// fingerprint digests the rows of the student $1 (read as the superuser, past RLS), and
	// anyRow returns one of them.
	fingerprint, anyRow string
}

func target(a sqlArgs) []any               { return []any{a.target} }
func targetAndRow(a sqlArgs) []any         { return []any{a.target, a.row} }
func targetAndSubject(a sqlArgs) []any     { return []any{a.target, a.subject} }
func targetRowAndSubject(a sqlArgs) []any  { return []any{a.target, a.row, a.subject} }
func selfRowAndSubject(a sqlArgs) []any    { return []any{a.self, a.row, a.subject} }
func selfAndRow(a sqlArgs) []any           { return []any{a.self, a.row} }
func targetRowAndQuestion(a sqlArgs) []any { return []any{a.target, a.row, a.question} }
func selfRowAndQuestion(a sqlArgs) []any   { return []any{a.self, a.row, a.question} }
func none(sqlArgs) []any                   { return nil }

// sqlTables must name every student-scoped table: TestTheSQLMatrixCoversEveryStudentScopedTable
// fails when a migration adds one that is not here.
var sqlTables = map[string]sqlTable{
	"public.students": {
		owners: `SELECT id FROM students`,
		commands: []sqlCommand{
			{"INSERT", `INSERT INTO students (id, email, email_key, password_hash, full_name) VALUES ($1, 'new@example.com', 'new@example.com', 'x', 'New')`, target},
			{"UPDATE", `UPDATE students SET full_name = 'Mallory' WHERE id = $1`, target},
			{"DELETE", `DELETE FROM students WHERE id = $1`, target},
			{"INSERT ON CONFLICT DO UPDATE", `INSERT INTO students (id, email, email_key, password_hash, full_name) VALUES ($1, 'new@example.com', 'new@example.com', 'x', 'New') ON CONFLICT (id) DO UPDATE SET full_name = 'Mallory'`, target},
			{"INSERT ON CONFLICT DO NOTHING", `INSERT INTO students (id, email, email_key, password_hash, full_name) VALUES ($1, 'new@example.com', 'new@example.com', 'x', 'New') ON CONFLICT DO NOTHING`, target},
			{"UPDATE every row", `UPDATE students SET full_name = 'Mallory'`, none},
			{"DELETE every row", `DELETE FROM students`, none},
		},
		fingerprint: `SELECT count(*), coalesce(md5(string_agg(s::text, ',' ORDER BY s.id)), '') FROM students s WHERE id = $1`,
		anyRow:      `SELECT id FROM students WHERE id = $1`,
	},
	"public.exams": {
		owners: `SELECT student_id FROM exams`,
		commands: []sqlCommand{
			{"INSERT", `INSERT INTO exams (student_id, subject_id, exam_type) VALUES ($1, $2, 'PRACTICE')`, targetAndSubject},
			// A student's UPDATE of an exam may set its status and times only (migration 016):
			// updated_at is one of those, and app.exam_state() lets it through.
			{"UPDATE", `UPDATE exams SET updated_at = now() WHERE student_id = $1`, target},
			{"DELETE", `DELETE FROM exams WHERE student_id = $1`, target},
			{"INSERT ON CONFLICT DO UPDATE", `INSERT INTO exams (student_id, id, subject_id, exam_type) VALUES ($1, $2, $3, 'PRACTICE') ON CONFLICT (id) DO UPDATE SET updated_at = now()`, targetRowAndSubject},
			{"INSERT ON CONFLICT DO NOTHING", `INSERT INTO exams (student_id, id, subject_id, exam_type) VALUES ($1, $2, $3, 'PRACTICE') ON CONFLICT DO NOTHING`, targetRowAndSubject},
			// Without a WHERE clause the SELECT policy does not join in: the UPDATE and DELETE
			// policies alone decide. And an upsert proposing the actor's own row on A's id
			// passes the INSERT check, leaving the conflict to the UPDATE policy alone.
			{"UPDATE every row", `UPDATE exams SET updated_at = now()`, none},
			{"DELETE every row", `DELETE FROM exams`, none},
			{"INSERT own row ON CONFLICT with A's id DO UPDATE", `INSERT INTO exams (student_id, id, subject_id, exam_type) VALUES ($1, $2, $3, 'PRACTICE') ON CONFLICT (id) DO UPDATE SET updated_at = now()`, selfRowAndSubject},
			{"UPDATE of the score", `UPDATE exams SET score = 1, max_score = 1 WHERE student_id = $1`, target},
		},
		fingerprint: `SELECT count(*), coalesce(md5(string_agg(e::text, ',' ORDER BY e.id)), '') FROM exams e WHERE student_id = $1`,
		anyRow:      `SELECT id FROM exams WHERE student_id = $1 LIMIT 1`,
	},
	"public.auth_events": {
		owners: `SELECT student_id FROM auth_events`,
		commands: []sqlCommand{
			{"INSERT", `INSERT INTO auth_events (student_id, kind, succeeded) VALUES ($1, 'logout', true)`, target},
			{"UPDATE", `UPDATE auth_events SET succeeded = NOT succeeded WHERE student_id = $1`, target},
			{"DELETE", `DELETE FROM auth_events WHERE student_id = $1`, target},
			{"INSERT ON CONFLICT DO UPDATE", `INSERT INTO auth_events (student_id, id, kind, succeeded) VALUES ($1, $2, 'logout', true) ON CONFLICT (id) DO UPDATE SET succeeded = false`, targetAndRow},
			{"INSERT ON CONFLICT DO NOTHING", `INSERT INTO auth_events (student_id, id, kind, succeeded) VALUES ($1, $2, 'logout', true) ON CONFLICT DO NOTHING`, targetAndRow},
			{"UPDATE every row", `UPDATE auth_events SET succeeded = NOT succeeded`, none},
			{"DELETE every row", `DELETE FROM auth_events`, none},
			{"INSERT own row ON CONFLICT with A's id DO UPDATE", `INSERT INTO auth_events (student_id, id, kind, succeeded) VALUES ($1, $2, 'logout', true) ON CONFLICT (id) DO UPDATE SET succeeded = false`, selfAndRow},
		},
		fingerprint: `SELECT count(*), coalesce(md5(string_agg(e::text, ',' ORDER BY e.id)), '') FROM auth_events e WHERE student_id = $1`,
		anyRow:      `SELECT id FROM auth_events WHERE student_id = $1 LIMIT 1`,
	},
	// Aimed at A's PENDING exam, which still takes questions. Students may not UPDATE or DELETE
	// an exam's questions at all; the commands are tried anyway.
	"public.exam_questions": {
		owners: `SELECT student_id FROM exam_questions`,
		commands: []sqlCommand{
			{"INSERT", `INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks) VALUES ($2, 3, $1, $3, 1)`, targetRowAndQuestion},
			{"UPDATE", `UPDATE exam_questions SET question_id = question_id WHERE student_id = $1`, target},
			{"DELETE", `DELETE FROM exam_questions WHERE student_id = $1`, target},
			{"INSERT ON CONFLICT DO UPDATE", `INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks) VALUES ($2, 1, $1, $3, 1) ON CONFLICT (exam_id, number) DO UPDATE SET question_id = EXCLUDED.question_id`, targetRowAndQuestion},
			{"INSERT ON CONFLICT DO NOTHING", `INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks) VALUES ($2, 3, $1, $3, 1) ON CONFLICT DO NOTHING`, targetRowAndQuestion},
			{"UPDATE every row", `UPDATE exam_questions SET question_id = question_id`, none},
			{"DELETE every row", `DELETE FROM exam_questions`, none},
			{"INSERT own row ON CONFLICT with A's exam DO UPDATE", `INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks) VALUES ($2, 1, $1, $3, 1) ON CONFLICT (exam_id, number) DO UPDATE SET question_id = EXCLUDED.question_id`, selfRowAndQuestion},
		},
		fingerprint: `SELECT count(*), coalesce(md5(string_agg(q::text, ',' ORDER BY q.exam_id, q.number)), '') FROM exam_questions q WHERE student_id = $1`,
		anyRow: `SELECT q.exam_id FROM exam_questions q JOIN exams e ON e.id = q.exam_id
		         WHERE q.student_id = $1 AND e.status = 'PENDING' LIMIT 1`,
	},
	// Aimed at A's running exam, which still takes answers: question 3 is unanswered.
	"public.answers": {
		owners: `SELECT student_id FROM answers`,
		commands: []sqlCommand{
			{"INSERT", `INSERT INTO answers (exam_id, number, student_id, choice) VALUES ($2, 3, $1, 'A')`, targetAndRow},
			{"UPDATE", `UPDATE answers SET saved_at = now() WHERE student_id = $1`, target},
			{"UPDATE of the choice", `UPDATE answers SET choice = 'D' WHERE student_id = $1 AND number = 1`, target},
			{"UPDATE of the marks", `UPDATE answers SET marks_awarded = 1 WHERE student_id = $1`, target},
			{"DELETE", `DELETE FROM answers WHERE student_id = $1`, target},
			{"INSERT ON CONFLICT DO UPDATE", `INSERT INTO answers (exam_id, number, student_id, choice) VALUES ($2, 1, $1, 'D') ON CONFLICT (exam_id, number) DO UPDATE SET choice = EXCLUDED.choice, saved_at = now()`, targetAndRow},
			{"INSERT ON CONFLICT DO NOTHING", `INSERT INTO answers (exam_id, number, student_id, choice) VALUES ($2, 3, $1, 'A') ON CONFLICT DO NOTHING`, targetAndRow},
			// saved_at, not the choice: an answer of every kind takes it without the question's
			// kind (app.answer_fits_question()) standing in the way.
			{"UPDATE every row", `UPDATE answers SET saved_at = now()`, none},
			{"DELETE every row", `DELETE FROM answers`, none},
			{"INSERT own row ON CONFLICT with A's exam DO UPDATE", `INSERT INTO answers (exam_id, number, student_id, choice) VALUES ($2, 1, $1, 'D') ON CONFLICT (exam_id, number) DO UPDATE SET saved_at = now()`, selfAndRow},
		},
		fingerprint: `SELECT count(*), coalesce(md5(string_agg(a::text, ',' ORDER BY a.exam_id, a.number)), '') FROM answers a WHERE student_id = $1`,
		anyRow: `SELECT a.exam_id FROM answers a JOIN exams e ON e.id = a.exam_id
		         WHERE a.student_id = $1 AND app.accepts_answers(e.status, e.started_at, e.duration_minutes) LIMIT 1`,
	},
}

// studentScopedTables lists, from the catalogue, every table that holds students' rows: those
// with a student_id column, and students itself (the same rule as sql/audit/rls_violations.sql).
const studentScopedTables = `
	SELECT format('%I.%I', n.nspname, c.relname)
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p')
	  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
	  AND (c.relname = 'students'
	       OR EXISTS (SELECT 1 FROM pg_attribute a
	                  WHERE a.attrelid = c.oid AND a.attname = 'student_id' AND a.attnum > 0 AND NOT a.attisdropped))
	ORDER BY 1`

// sqlWorld is a database where students A and B own a row in every student-scoped table: each
// has an audit event, a PENDING exam with two questions, and a running exam (started five
// minutes ago, for an hour) with three questions, two of them answered.
type sqlWorld struct {
	url           string
	a, b, subject uuid.UUID
	questions     map[string]uuid.UUID
	// exams[student][name] are the fixture exams: "pending", "running", and in the state world
	// (newSQLStateWorld) "completed", "expired".
	exams map[uuid.UUID]map[string]uuid.UUID
}

var (
	pendingExam = fixtureExam{status: "PENDING", questions: []string{"m1", "w1"}}
	runningExam = fixtureExam{status: "IN_PROGRESS", startedAgo: "5 minutes", duration: minutes(60),
		questions: []string{"m1", "w1", "m2"}, answers: map[int]string{1: "B", 2: "An answer."}}
)

func newSQLWorld(t *testing.T) sqlWorld {
	t.Helper()
	ctx := context.Background()
	w := sqlWorld{url: testdb.URL(t)}
	conn, err := pgx.Connect(ctx, w.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := seed.Run(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT id FROM subjects WHERE code = '9708'`).Scan(&w.subject); err != nil {
		t.Fatal(err)
	}
	if w.questions, err = insertQuestions(ctx, conn, w.subject); err != nil {
		t.Fatal(err)
	}
	w.exams = map[uuid.UUID]map[string]uuid.UUID{}
	for _, s := range []struct {
		email string
		id    *uuid.UUID
	}{{"a@example.com", &w.a}, {"b@example.com", &w.b}} {
		err := conn.QueryRow(ctx, `
			WITH s AS (
			  INSERT INTO students (email, email_key, password_hash, full_name) VALUES ($1, $1, 'not a real hash', 'Student')
			  RETURNING id
			), ev AS (
			  INSERT INTO auth_events (student_id, kind, succeeded) SELECT s.id, 'login', true FROM s
			)
			SELECT id FROM s`, s.email).Scan(s.id)
		if err != nil {
			t.Fatal(err)
		}
		w.addExams(t, conn, *s.id, map[string]fixtureExam{"pending": pendingExam, "running": runningExam})
	}
	return w
}

// addExams adds the fixture exams, by name, for student (at token generation 0).
func (w sqlWorld) addExams(t *testing.T, conn *pgx.Conn, student uuid.UUID, exams map[string]fixtureExam) {
	t.Helper()
	if w.exams[student] == nil {
		w.exams[student] = map[string]uuid.UUID{}
	}
	for name, e := range exams {
		id, err := insertExam(context.Background(), conn, w.questions, student, 0, w.subject, e)
		if err != nil {
			t.Fatalf("%s exam of %s: %v", name, who(w, student), err)
		}
		w.exams[student][name] = id
	}
}

// sqlOutcome is what one case did: the command's answer and what became of the rows.
type sqlOutcome struct {
	answer     string // "3 rows", "denied (42501)", …
	violations []string
}

// runSQLCase runs one command on a fresh connection, as examiner_student with setting, in a
// transaction that is rolled back. It reads what the acting role could see, then, as the
// superuser, whether A's or B's rows changed. The connection is fresh because once a session
// has set app.claim, even transaction-locally, the setting reads as empty, no longer unset.
func (w sqlWorld) runSQLCase(ctx context.Context, table sqlTable, setting sqlSetting, command *sqlCommand) (sqlOutcome, error) {
	var out sqlOutcome
	conn, err := pgx.Connect(ctx, w.url)
	if err != nil {
		return out, err
	}
	defer conn.Close(ctx)
	fingerprints := func(q pgx.Tx) ([2]string, error) {
		var fp [2]string
		for i, id := range []uuid.UUID{w.a, w.b} {
			var n int
			var digest string
			if err := q.QueryRow(ctx, table.fingerprint, id).Scan(&n, &digest); err != nil {
				return fp, err
			}
			fp[i] = fmt.Sprint(n, digest)
		}
		return fp, nil
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return out, err
	}
	defer tx.Rollback(ctx)
	before, err := fingerprints(tx)
	if err != nil {
		return out, err
	}
	var row uuid.UUID
	if err := tx.QueryRow(ctx, table.anyRow, w.a).Scan(&row); err != nil {
		return out, fmt.Errorf("A's row: %w", err)
	}
	acting := map[string]*uuid.UUID{"A": &w.a, "B": &w.b}[setting.acting]
	if !setting.unset {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.claim', $1, true)`, setting.claim(w)); err != nil {
			return out, err
		}
	}
	if setting.studentID == "A" {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.student_id', $1, true)`, w.a.String()); err != nil {
			return out, err
		}
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('role', 'examiner_student', true)`); err != nil {
		return out, err
	}

	// The command runs in a savepoint, so that its error leaves the transaction usable.
	if _, err := tx.Exec(ctx, `SAVEPOINT attempt`); err != nil {
		return out, err
	}
	var cmdErr error
	if command == nil {
		var owners []*uuid.UUID
		rows, err := tx.Query(ctx, table.owners)
		if err == nil {
			owners, err = pgx.CollectRows(rows, pgx.RowTo[*uuid.UUID])
		}
		cmdErr = err
		if err == nil {
			out.answer = fmt.Sprintf("sees %d rows", len(owners))
			own := 0
			for _, o := range owners {
				switch {
				case acting != nil && o != nil && *o == *acting:
					own++
				case o == nil:
					out.violations = append(out.violations, "sees a row that belongs to no student")
				default:
					out.violations = append(out.violations, fmt.Sprintf("sees a row of student %s", who(w, *o)))
				}
			}
			if setting.acting == "A" && own == 0 {
				out.violations = append(out.violations, "A cannot see A's own rows")
			}
		}
	} else {
		self := w.b
		if acting != nil {
			self = *acting
		}
		tag, err := tx.Exec(ctx, command.sql, command.args(sqlArgs{target: w.a, row: row, subject: w.subject, question: w.questions["spare"], self: self})...)
		cmdErr = err
		if err == nil {
			out.answer = fmt.Sprintf("%d rows", tag.RowsAffected())
		}
	}
	if cmdErr != nil {
		var pgErr *pgconn.PgError
		if !errors.As(cmdErr, &pgErr) {
			return out, cmdErr
		}
		out.answer = fmt.Sprintf("refused (%s)", pgErr.Code)
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT attempt`); err != nil {
			return out, err
		}
	}
	if _, err := tx.Exec(ctx, `RESET ROLE`); err != nil {
		return out, err
	}
	after, err := fingerprints(tx)
	if err != nil {
		return out, err
	}
	if after[0] != before[0] && setting.acting != "A" {
		out.violations = append(out.violations, "changed A's rows")
	}
	if after[1] != before[1] && setting.acting != "B" {
		out.violations = append(out.violations, "changed B's rows")
	}
	return out, nil
}

func who(w sqlWorld, id uuid.UUID) string {
	switch id {
	case w.a:
		return "A"
	case w.b:
		return "B"
	}
	return id.String()
}

// sqlMatrix runs every case and returns the printed matrix, the number of cases and the
// violations found.
func (w sqlWorld) sqlMatrix(t *testing.T) (matrix string, cases int, violations []string) {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	names := make([]string, 0, len(sqlTables))
	for name := range sqlTables {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		table := sqlTables[name]
		commands := []*sqlCommand{nil} // nil: SELECT what the acting role sees
		for i := range table.commands {
			commands = append(commands, &table.commands[i])
		}
		for _, c := range commands {
			command := "SELECT"
			if c != nil {
				command = c.name
			}
			fmt.Fprintf(&b, "%-20s %-30s", name, command)
			for _, s := range sqlSettings {
				out, err := w.runSQLCase(ctx, table, s, c)
				if err != nil {
					t.Fatalf("%s %s, setting %s: %v", name, command, s.name, err)
				}
				cases++
				fmt.Fprintf(&b, " | %s: %s", s.name, out.answer)
				for _, v := range out.violations {
					violations = append(violations, fmt.Sprintf("%s %s with the setting %s: %s", name, command, s.name, v))
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String(), cases, violations
}

func TestStraightInSQLNoSettingButTheRightStudentReachesAStudentsRows(t *testing.T) {
	t.Parallel()
	w := newSQLWorld(t)
	matrix, cases, violations := w.sqlMatrix(t)
	t.Logf("what each command answered, aimed at A's rows, under each setting:\n%s", matrix)
	if len(violations) > 0 {
		t.Fatalf("%d isolation violations:\n%s", len(violations), strings.Join(violations, "\n"))
	}
	fmt.Printf("report: isolation SQL matrix: %d cases (%d tables x %d settings x SELECT, INSERT, UPDATE, DELETE, INSERT ON CONFLICT DO UPDATE / DO NOTHING, with and without WHERE), 0 violations\n",
		cases, len(sqlTables), len(sqlSettings))
}

func TestTheSQLMatrixCoversEveryStudentScopedTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, studentScopedTables)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range tables {
		if _, ok := sqlTables[name]; !ok {
			t.Errorf("%s holds students' rows but the SQL matrix does not exercise it: add it to sqlTables", name)
		}
	}
	for name := range sqlTables {
		if !slices.Contains(tables, name) {
			t.Errorf("sqlTables names %s, which is not a student-scoped table of the schema", name)
		}
	}
}

// The matrix must catch a policy that lets rows through: each fault below, made by the owner
// as a migration could, must turn up as a violation.
func TestTheSQLMatrixCatchesAPolicyThatLetsRowsThrough(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name, ddl, want string
	}{
		{"a SELECT policy replaced by one for everyone",
			`DROP POLICY exams_select ON exams; CREATE POLICY exams_select ON exams FOR SELECT TO examiner_student USING (true)`,
			"public.exams SELECT with the setting wrong student: sees a row of student A"},
		// UPDATE and DELETE with a WHERE clause reach only rows the SELECT policy shows too, so
		// these faults are in both.
		{"UPDATE and SELECT policies that compare nothing",
			`DROP POLICY students_update ON students; CREATE POLICY students_update ON students FOR UPDATE TO examiner_student USING (true) WITH CHECK (true);
			 DROP POLICY students_select ON students; CREATE POLICY students_select ON students FOR SELECT TO examiner_student USING (true)`,
			"public.students UPDATE with the setting wrong student: changed A's rows"},
		{"DELETE and SELECT policies that forgot the unset case",
			`DROP POLICY exams_delete ON exams; CREATE POLICY exams_delete ON exams FOR DELETE TO examiner_student USING (current_setting('app.claim', true) IS NULL OR student_id = app.current_student_id());
			 DROP POLICY exams_select ON exams; CREATE POLICY exams_select ON exams FOR SELECT TO examiner_student USING (current_setting('app.claim', true) IS NULL OR student_id = app.current_student_id())`,
			"public.exams DELETE with the setting unset: changed A's rows"},
		{"SELECT and UPDATE policies that read the raw setting, not the verified claim",
			`DROP POLICY students_select ON students; CREATE POLICY students_select ON students FOR SELECT TO examiner_student USING (id = nullif(current_setting('app.student_id', true), '')::uuid);
			 DROP POLICY students_update ON students; CREATE POLICY students_update ON students FOR UPDATE TO examiner_student USING (id = nullif(current_setting('app.student_id', true), '')::uuid)`,
			"public.students UPDATE with the setting A's id in app.student_id: changed A's rows"},
		{"a verifier that trusts the claim's uuid without its MAC",
			`CREATE OR REPLACE FUNCTION app.current_student_id() RETURNS uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			 AS $$ SELECT CASE WHEN pg_catalog.length(pg_catalog.current_setting('app.claim', true)) > 36 THEN pg_catalog.left(pg_catalog.current_setting('app.claim', true), 36)::uuid END $$`,
			"public.exams UPDATE with the setting B's claim edited to A: changed A's rows"},
		{"an UPDATE policy alone that compares nothing",
			`DROP POLICY exams_update ON exams; CREATE POLICY exams_update ON exams FOR UPDATE TO examiner_student USING (true) WITH CHECK (true)`,
			"public.exams UPDATE every row with the setting wrong student: changed A's rows"},
		{"a DELETE policy alone that compares nothing",
			`DROP POLICY exams_delete ON exams; CREATE POLICY exams_delete ON exams FOR DELETE TO examiner_student USING (true)`,
			"public.exams DELETE every row with the setting wrong student: changed A's rows"},
		{"an INSERT policy without a check",
			`DROP POLICY auth_events_insert ON auth_events; CREATE POLICY auth_events_insert ON auth_events FOR INSERT TO examiner_student WITH CHECK (true)`,
			"public.auth_events INSERT with the setting wrong student: changed A's rows"},
		// The exam tables (migration 016). exam_questions_while_pending cannot stand in for the
		// owner policy: another student's exam is invisible to it, so NOT EXISTS holds.
		{"an exam_questions INSERT policy without a check",
			`DROP POLICY exam_questions_insert ON exam_questions; CREATE POLICY exam_questions_insert ON exam_questions FOR INSERT TO examiner_student WITH CHECK (true)`,
			"public.exam_questions INSERT with the setting wrong student: changed A's rows"},
		{"an answers SELECT policy for every signed-in student",
			`DROP POLICY answers_select ON answers; CREATE POLICY answers_select ON answers FOR SELECT TO examiner_student USING ((SELECT app.current_student_id()) IS NOT NULL)`,
			"public.answers SELECT with the setting wrong student: sees a row of student A"},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			w := newSQLWorld(t)
			conn, err := pgx.Connect(context.Background(), w.url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), f.ddl); err != nil {
				t.Fatalf("making the fault: %v", err)
			}
			_, _, violations := w.sqlMatrix(t)
			if !slices.ContainsFunc(violations, func(v string) bool { return strings.HasPrefix(v, f.want) }) {
				t.Fatalf("the matrix missed the fault; want a violation %q, got:\n%s", f.want, strings.Join(violations, "\n"))
			}
		})
	}
}
