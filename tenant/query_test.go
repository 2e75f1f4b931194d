package tenant_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner/internal/testdb"
	"examiner/tenant"
)

// countRows is a Query callback that counts the rows into n.
func countRows(n *int) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		for rows.Next() {
			*n++
		}
		return rows.Err()
	}
}

// queryFunc is tenant.Query or inFourRoundTrips.
type queryFunc = func(context.Context, tenant.DB, tenant.Student, func(pgx.Rows) error, string, ...any) (pgconn.CommandTag, error)

// inFourRoundTrips runs one statement the way most row-level-security servers do, and as
// cmd/bench measures it against Query: BEGIN, the setting, the statement and COMMIT, each waiting
// for the answer to the one before (tenant.Run with one statement).
func inFourRoundTrips(ctx context.Context, db tenant.DB, s tenant.Student, read func(pgx.Rows) error, sql string, args ...any) (tag pgconn.CommandTag, err error) {
	err = tenant.Run(ctx, db, s, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if read != nil {
			if err := read(rows); err != nil {
				return err
			}
		}
		for rows.Next() {
		}
		rows.Close()
		tag = rows.CommandTag()
		return rows.Err()
	})
	return tag, err
}

// The point of Query: the setting, the token check and the statement reach the server in one
// network round trip, once statements are prepared, in every query execution mode but
// describe_exec, which asks for a description first every time (simple_protocol and exec are for
// PgBouncer).
func TestQuerySendsTheWholeTransactionInOneRoundTrip(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	ctx := context.Background()
	listOwn := func(query queryFunc) func(tenant.DB) (int, error) {
		return func(db tenant.DB) (int, error) {
			n := 0
			_, err := query(ctx, db, student(w.a), countRows(&n), `SELECT id FROM exams WHERE student_id = $1`, w.a)
			return n, err
		}
	}
	for _, tt := range []struct {
		name   string
		mode   pgx.QueryExecMode
		call   func(tenant.DB) (int, error)
		writes int64
	}{
		{"Query, cached statements", pgx.QueryExecModeCacheStatement, listOwn(tenant.Query), 1},
		{"Query, cached descriptions", pgx.QueryExecModeCacheDescribe, listOwn(tenant.Query), 1},
		{"Query, describe then exec (a description every time)", pgx.QueryExecModeDescribeExec, listOwn(tenant.Query), 2},
		{"Query, exec (for PgBouncer)", pgx.QueryExecModeExec, listOwn(tenant.Query), 1},
		{"Query, simple protocol (for PgBouncer)", pgx.QueryExecModeSimpleProtocol, listOwn(tenant.Query), 1},
		{"the usual way: Run with one statement", pgx.QueryExecModeCacheStatement, listOwn(inFourRoundTrips), 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pool, writes := testdb.CountingPool(t, w.pool.Config().ConnString(), tt.mode, false)
			// The first call connects and prepares; the second is the steady state.
			if _, err := tt.call(pool); err != nil {
				t.Fatal(err)
			}
			before := writes.Load()
			n, err := tt.call(pool)
			if err != nil {
				t.Fatal(err)
			}
			if got := writes.Load() - before; got != tt.writes {
				t.Errorf("got %d round trips (network writes), want %d", got, tt.writes)
			}
			if n != 1 {
				t.Errorf("got %d of A's exams, want 1", n)
			}
		})
	}
}

// A revoked token stops the pipeline inside the server: the statement the claim goes with never
// takes effect; nor does it in the usual four round trips. A statement verifies the claim before
// it computes anything from a student's rows.
func TestQueryRefusesARevokedTokenBeforeTheStatementRuns(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4)
	ctx := context.Background()
	if _, err := w.owner.Exec(ctx, `UPDATE students SET token_generation = 1 WHERE id = $1`, w.a); err != nil {
		t.Fatal(err)
	}
	revokedA := testdb.Student(w.a, 0)
	for name, query := range map[string]queryFunc{
		"one round trip": tenant.Query, "four round trips": inFourRoundTrips,
	} {
		t.Run(name, func(t *testing.T) {
			// A statement that would fail its own way on A's rows: the refusal must come first.
			if _, err := query(ctx, w.pool, revokedA, nil, `SELECT 1 / (e.total_marks - e.total_marks) FROM exams AS e`); !errors.Is(err, tenant.ErrTokenRevoked) {
				t.Fatalf("a revoked token with a failing statement: got %v, want ErrTokenRevoked", err)
			}
			tag, err := query(ctx, w.pool, revokedA, nil, `UPDATE students SET full_name = 'Changed' WHERE id = $1`, w.a)
			if !errors.Is(err, tenant.ErrTokenRevoked) {
				t.Fatalf("got %v, want ErrTokenRevoked", err)
			}
			if tag.RowsAffected() != 0 {
				t.Fatalf("got %d rows affected, want 0", tag.RowsAffected())
			}
		})
	}
	if name := w.fullName(t, w.a); name != "Student" {
		t.Fatalf("A's name after updates with a revoked token: got %q, want \"Student\"", name)
	}
}

// What Query sets is local to its pipeline's implicit transaction: on a pool of one connection,
// nothing of it survives into the next use, after success, after a failing statement and after a
// revoked token; and a failure does not cost the pool its connection.
func TestQuerySettingsDoNotSurviveAndFailuresKeepTheConnection(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	ctx := context.Background()
	var firstPID uint32
	if err := w.pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&firstPID); err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		name    string
		student tenant.Student
		sql     string
		args    []any
		wantErr error
	}{
		{"a read", student(w.a), `SELECT id FROM exams`, nil, nil},
		{"a write", student(w.a), `UPDATE exams SET updated_at = 'epoch' WHERE student_id = $1`, []any{w.a}, nil},
		{"a failing statement", student(w.a), `SELECT 1 / (count(*) - count(*)) FROM exams WHERE student_id <> $1`, []any{w.a}, errDivisionByZero},
		{"a revoked token (a student who does not exist)", testdb.Student(uuid.New(), 0), `SELECT id FROM exams WHERE student_id = $1`, []any{w.a}, tenant.ErrTokenRevoked},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			_, err := tenant.Query(ctx, w.pool, c.student, nil, c.sql, c.args...)
			if !matches(err, c.wantErr) {
				t.Fatalf("got error %v, want %v", err, c.wantErr)
			}
			var setting, role string
			var pid uint32
			if err := w.pool.QueryRow(ctx, `SELECT coalesce(current_setting('app.claim', true), ''), current_user, pg_backend_pid()`).Scan(&setting, &role, &pid); err != nil {
				t.Fatal(err)
			}
			if setting != "" || role == tenant.Role {
				t.Errorf("next use of the connection: got app.student_id %q and role %q, want empty and the login user", setting, role)
			}
			if pid != firstPID {
				t.Errorf("the pool's connection changed from backend %d to %d: the call left it unusable", firstPID, pid)
			}
			n := 0
			_, err = tenant.Query(ctx, w.pool, student(w.b), countRows(&n), `SELECT id FROM exams`)
			if err != nil || n != 1 {
				t.Errorf("B's read after A's call: got %d exams (err %v), want B's 1", n, err)
			}
		})
	}
	var marks *int
	if err := w.owner.QueryRow(ctx, `SELECT CASE WHEN updated_at = 'epoch' THEN 50 END FROM exams WHERE id = $1`, w.examA).Scan(&marks); err != nil {
		t.Fatal(err)
	}
	if marks == nil || *marks != 50 {
		t.Fatalf("A's exam after Query's write: got total_marks %v, want 50 (committed)", marks)
	}
}

// errDivisionByZero stands for PostgreSQL's division_by_zero (22012) in matches.
var errDivisionByZero = errors.New("division by zero (22012)")

func matches(err, want error) bool {
	if want == errDivisionByZero {
		var pgErr *pgconn.PgError
		return errors.As(err, &pgErr) && pgErr.Code == "22012"
	}
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}
