package tenant_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/internal/seed"
	"examiner/internal/testdb"
	"examiner/tenant"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// world is a database with two students, A and B, each owning one exam and one audit event,
// created as the owner (outside row-level security).
type world struct {
	pool           *pgxpool.Pool // the server's: the login role, examiner_authenticator
	owner          *pgxpool.Pool // the database's owner, for setting up and checking behind its back
	a, b           uuid.UUID
	examA, examB   uuid.UUID
	eventA, eventB uuid.UUID
}

func newWorld(t *testing.T, maxConns int32) world {
	t.Helper()
	ctx := context.Background()
	url := testdb.URL(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := seed.Run(ctx, pool); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(testdb.LoginURL(url))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	login, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(login.Close)
	w := world{pool: login, owner: pool}
	for _, s := range []struct {
		email       string
		id          *uuid.UUID
		exam, event *uuid.UUID
	}{{"a@example.com", &w.a, &w.examA, &w.eventA}, {"b@example.com", &w.b, &w.examB, &w.eventB}} {
		err := pool.QueryRow(ctx, `
			INSERT INTO students (email, email_key, password_hash, full_name) VALUES ($1, $1, 'not a real hash', 'Student')
			RETURNING id`, s.email).Scan(s.id)
		if err != nil {
			t.Fatal(err)
		}
		err = pool.QueryRow(ctx, `
			INSERT INTO exams (student_id, subject_id, exam_type)
			SELECT $1, id, 'PRACTICE' FROM subjects WHERE code = '9708'
			RETURNING id`, *s.id).Scan(s.exam)
		if err != nil {
			t.Fatal(err)
		}
		err = pool.QueryRow(ctx, `
			INSERT INTO auth_events (student_id, kind, succeeded) VALUES ($1, 'login', true)
			RETURNING id`, *s.id).Scan(s.event)
		if err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// isDenied reports whether err is PostgreSQL's insufficient_privilege (42501): a missing grant or
// a row-level-security WITH CHECK failure.
func isDenied(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

// wantDenied runs each statement in a transaction of its own, started by run, and expects
// permission denied (42501) for every one.
func wantDenied(t *testing.T, run func(fn func(pgx.Tx) error) error, statements ...string) {
	t.Helper()
	for _, q := range statements {
		err := run(func(tx pgx.Tx) error {
			_, err := tx.Exec(context.Background(), q)
			return err
		})
		if !isDenied(err) {
			t.Errorf("%s: got %v, want permission denied (42501)", q, err)
		}
	}
}

// fullName reads a student's name as the owner, outside row-level security.
func (w world) fullName(t *testing.T, id uuid.UUID) string {
	t.Helper()
	var name string
	if err := w.owner.QueryRow(context.Background(), `SELECT full_name FROM students WHERE id = $1`, id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// student is id at token generation 0 with a valid claim: what a fresh sign-in gives.
func student(id uuid.UUID) tenant.Student {
	return testdb.Student(id, 0)
}

func count(t *testing.T, tx pgx.Tx, query string, args ...any) int {
	t.Helper()
	var n int
	if err := tx.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestAStudentSeesOnlyTheirOwnRows(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	err := tenant.Run(context.Background(), w.pool, student(w.b), func(tx pgx.Tx) error {
		for _, q := range []string{
			`SELECT count(*) FROM students`,
			`SELECT count(*) FROM exams`,
			`SELECT count(*) FROM auth_events`,
		} {
			if got := count(t, tx, q); got != 1 {
				t.Errorf("%s: got %d, want 1 (B's own)", q, got)
			}
		}
		for _, q := range []struct {
			query string
			id    uuid.UUID
		}{
			{`SELECT count(*) FROM students WHERE id = $1`, w.a},
			{`SELECT count(*) FROM exams WHERE id = $1`, w.examA},
			{`SELECT count(*) FROM exams WHERE student_id = $1`, w.a},
			{`SELECT count(*) FROM auth_events WHERE id = $1`, w.eventA},
		} {
			if got := count(t, tx, q.query, q.id); got != 0 {
				t.Errorf("%s with A's id: got %d rows, want 0", q.query, got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAStudentCannotChangeAnotherStudentsRows(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	ctx := context.Background()
	changes := []struct {
		name  string
		query string
		arg   uuid.UUID
	}{
		{"update A's profile", `UPDATE students SET full_name = 'Hacked' WHERE id = $1`, w.a},
		{"delete A's account", `DELETE FROM students WHERE id = $1`, w.a},
		{"update A's exam", `UPDATE exams SET status = 'IN_PROGRESS', started_at = now() WHERE id = $1`, w.examA},
		{"delete A's exam", `DELETE FROM exams WHERE id = $1`, w.examA},
		{"delete every exam of A", `DELETE FROM exams WHERE student_id = $1`, w.a},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			err := tenant.Run(ctx, w.pool, student(w.b), func(tx pgx.Tx) error {
				tag, err := tx.Exec(ctx, c.query, c.arg)
				if err != nil {
					return err
				}
				if tag.RowsAffected() != 0 {
					t.Errorf("got %d rows changed, want 0", tag.RowsAffected())
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	var name string
	var exams int
	if err := w.owner.QueryRow(ctx, `SELECT full_name, (SELECT count(*) FROM exams WHERE student_id = $1 AND status = 'PENDING') FROM students WHERE id = $1`, w.a).Scan(&name, &exams); err != nil {
		t.Fatal(err)
	}
	if name != "Student" || exams != 1 {
		t.Fatalf("A after B's attempts: got name %q and %d pending exams, want \"Student\" and 1", name, exams)
	}
}

// Handing one's own row to another student fails the policies' WITH CHECK.
func TestMovingARowToAnotherStudentFailsWithAnRLSError(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	ctx := context.Background()
	err := tenant.Run(ctx, w.pool, student(w.b), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE exams SET student_id = $1 WHERE id = $2`, w.a, w.examB)
		return err
	})
	// A student may update no exam's student_id at all (migration 016's column grants), and the
	// policies' WITH CHECK would refuse the move besides: 42501 either way.
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("B handing B's exam to A: got %v, want a permission (42501) error", err)
	}
}

func TestInsertingARowForAnotherStudentFailsWithAnRLSError(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	ctx := context.Background()
	inserts := []struct {
		name  string
		query string
	}{
		{"an exam", `INSERT INTO exams (student_id, subject_id, exam_type) SELECT $1, id, 'PRACTICE' FROM subjects`},
		{"an audit event", `INSERT INTO auth_events (student_id, kind, succeeded) VALUES ($1, 'logout', true)`},
		{"an upserted exam", `INSERT INTO exams (id, student_id, subject_id, exam_type) SELECT gen_random_uuid(), $1, id, 'PRACTICE' FROM subjects ON CONFLICT (id) DO NOTHING`},
	}
	for _, in := range inserts {
		t.Run(in.name, func(t *testing.T) {
			err := tenant.Run(ctx, w.pool, student(w.b), func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, in.query, w.a)
				return err
			})
			if !isDenied(err) {
				t.Fatalf("got %v, want an insufficient_privilege (42501) row-level security error", err)
			}
		})
	}
}

// Without a usable student setting, every student-scoped table shows nothing, and says so
// without an error that could leak anything.
func TestWithoutAStudentSettingNothingIsVisible(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	ctx := context.Background()
	settings := []struct {
		name  string
		setup string
	}{
		{"unset", `SELECT set_config('role', 'examiner_student', true)`},
		{"empty", `SELECT set_config('role', 'examiner_student', true), set_config('app.student_id', '', true)`},
		{"not a uuid", `SELECT set_config('role', 'examiner_student', true), set_config('app.student_id', 'not-a-uuid', true)`},
		{"a uuid with braces", `SELECT set_config('role', 'examiner_student', true), set_config('app.student_id', '{` + w.a.String() + `}', true)`},
		{"an injection attempt", `SELECT set_config('role', 'examiner_student', true), set_config('app.student_id', ''' OR true --', true)`},
	}
	for _, s := range settings {
		t.Run(s.name, func(t *testing.T) {
			run := func(fn func(pgx.Tx) error) error {
				return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
					if _, err := tx.Exec(ctx, s.setup); err != nil {
						return err
					}
					return fn(tx)
				})
			}
			err := run(func(tx pgx.Tx) error {
				for _, table := range []string{"students", "exams", "auth_events"} {
					if got := count(t, tx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()); got != 0 {
						t.Errorf("%s: got %d rows, want 0", table, got)
					}
				}
				tag, err := tx.Exec(ctx, `UPDATE exams SET updated_at = now()`)
				if err != nil {
					return err
				}
				if tag.RowsAffected() != 0 {
					t.Errorf("update: got %d rows changed, want 0", tag.RowsAffected())
				}
				tag, err = tx.Exec(ctx, `DELETE FROM exams`)
				if err != nil {
					return err
				}
				if tag.RowsAffected() != 0 {
					t.Errorf("delete: got %d rows deleted, want 0", tag.RowsAffected())
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTheRequestRoleCannotReadPasswordHashesOrTokenGenerations(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	asA := func(fn func(pgx.Tx) error) error { return tenant.Run(context.Background(), w.pool, student(w.a), fn) }
	wantDenied(t, asA,
		`SELECT password_hash FROM students`,
		`SELECT token_generation FROM students`,
		`SELECT app.sign_in('a@example.com', 'a@example.com', repeat('A', 64), 4, NULL, '', '')`,
		`SELECT crypto.crypt('x', 'y')`,
		`SELECT * FROM app.claim_keys`,
		`INSERT INTO students (id, email, email_key, password_hash, full_name) VALUES (gen_random_uuid(), 'x@example.com', 'x@example.com', 'h', 'X')`,
		`UPDATE students SET token_generation = 0`,
		`UPDATE auth_events SET succeeded = false`,
		`DELETE FROM auth_events`,
		`INSERT INTO subjects (code, name, level, exam_board, syllabus_year) VALUES ('X1', 'X', 'X', 'X', 'X')`,
		// The doors of register and login belong to examiner_anon: a student's transaction
		// cannot look anyone up, sign in as anyone or write their audit trail.
		`SELECT app.record_auth_failure('login', 'a@example.com', 'a@example.com', 'wrong_password', NULL, '', '')`,
		`SELECT * FROM app.register_student('x@example.com', 'x@example.com', 'h', 'X', NULL, '', '')`,
	)
}

// The anonymous role reaches no table at all, and none of a signed-in student's doors.
func TestTheAnonymousRoleReachesNoTable(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	anonymous := func(fn func(pgx.Tx) error) error { return tenant.RunAnonymous(context.Background(), w.pool, fn) }
	wantDenied(t, anonymous,
		`SELECT count(*) FROM students`,
		`SELECT count(*) FROM exams`,
		`SELECT count(*) FROM auth_events`,
		`SELECT count(*) FROM subjects`,
		`DELETE FROM exams`,
		`SELECT app.revoke_tokens()`,
		`SELECT app.change_password_checked(repeat('A', 64), 'b')`,
		`SELECT app.current_student_id()`,
		`SELECT * FROM app.claim_keys`,
		`SELECT crypto.hmac('a', 'b', 'sha256')`,
		`INSERT INTO auth_events (kind, succeeded, reason) VALUES ('login', false, 'wrong_password')`,
		`INSERT INTO students (email, email_key, password_hash, full_name) VALUES ('x@example.com', 'x@example.com', 'h', 'X')`,
	)
}

// With one pooled connection shared by two students, nothing of the first transaction's role
// or setting survives into the next use of the connection.
func TestSettingsDoNotSurviveIntoTheNextUseOfAPooledConnection(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	ctx := context.Background()
	var pidA, pidB uint32
	err := tenant.Run(ctx, w.pool, student(w.a), func(tx pgx.Tx) error {
		pidA = tx.Conn().PgConn().PID()
		if got := count(t, tx, `SELECT count(*) FROM exams WHERE id = $1`, w.examA); got != 1 {
			t.Errorf("A reading A's exam: got %d rows, want 1", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var setting, role string
	if err := w.pool.QueryRow(ctx, `SELECT coalesce(current_setting('app.claim', true), ''), current_user`).Scan(&setting, &role); err != nil {
		t.Fatal(err)
	}
	if setting != "" || role == tenant.Role {
		t.Fatalf("after A's transaction, outside any: got app.claim %q and role %q, want empty and the login user", setting, role)
	}

	err = tenant.Run(ctx, w.pool, student(w.b), func(tx pgx.Tx) error {
		pidB = tx.Conn().PgConn().PID()
		if got := count(t, tx, `SELECT count(*) FROM exams WHERE id = $1`, w.examA); got != 0 {
			t.Errorf("B reading A's exam on the same connection: got %d rows, want 0", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pidA != pidB {
		t.Fatalf("the two transactions used backends %d and %d; the test needs one shared connection", pidA, pidB)
	}

	// A failed transaction must not leave its settings behind either.
	_ = tenant.Run(ctx, w.pool, student(w.a), func(tx pgx.Tx) error {
		return errors.New("boom")
	})
	if err := w.pool.QueryRow(ctx, `SELECT coalesce(current_setting('app.claim', true), ''), current_user`).Scan(&setting, &role); err != nil {
		t.Fatal(err)
	}
	if setting != "" || role == tenant.Role {
		t.Fatalf("after a rolled-back transaction: got app.claim %q and role %q, want empty and the login user", setting, role)
	}
}

func TestRunCommitsOnSuccessAndRollsBackOnError(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	ctx := context.Background()
	rename := func(name string, fail bool) error {
		return tenant.Run(ctx, w.pool, student(w.a), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE students SET full_name = $2 WHERE id = $1`, w.a, name); err != nil {
				return err
			}
			if fail {
				return errors.New("fail after the update")
			}
			return nil
		})
	}
	if err := rename("Committed", false); err != nil {
		t.Fatal(err)
	}
	if err := rename("Rolled back", true); err == nil {
		t.Fatal("got nil error from a failing fn, want its error")
	}
	if name := w.fullName(t, w.a); name != "Committed" {
		t.Fatalf("got full_name %q, want \"Committed\"", name)
	}
}

func TestRevokedTokensAreRefusedBeforeAnyWork(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	ctx := context.Background()
	// Three logouts or password changes since the student registered.
	if _, err := w.owner.Exec(ctx, `UPDATE students SET token_generation = 3 WHERE id = $1`, w.a); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		student tenant.Student
		revoked bool
	}{
		{"of an earlier generation", testdb.Student(w.a, 2), true},
		{"of the first generation", testdb.Student(w.a, 0), true},
		{"of the student's generation", testdb.Student(w.a, 3), false},
		{"of a later generation", testdb.Student(w.a, 4), true},
		{"a student who does not exist", testdb.Student(uuid.New(), 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran := false
			err := tenant.Run(ctx, w.pool, tt.student, func(tx pgx.Tx) error {
				ran = true
				return nil
			})
			if got := errors.Is(err, tenant.ErrTokenRevoked); got != tt.revoked {
				t.Fatalf("got error %v, want revoked=%v", err, tt.revoked)
			}
			if ran == tt.revoked {
				t.Fatalf("fn ran=%v, want %v", ran, !tt.revoked)
			}
		})
	}
}
