package migrations_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/tern/v2/migrate"

	"examiner/internal/testdb"
	"examiner/migrations"
)

// ownerPolicyVersion is the version of the migration that introduces app.create_owner_policies,
// found by its name so that renumbering the file needs no change here.
func ownerPolicyVersion(t *testing.T) int32 {
	t.Helper()
	names, err := migrate.FindMigrations(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		if strings.HasSuffix(name, "_owner_policy_shape.sql") {
			return int32(i + 1)
		}
	}
	t.Fatalf("no *_owner_policy_shape.sql among the migrations %q", names)
	return 0
}

// policies returns the fingerprint lines of the policies, and the oids of examiner_student's.
func policies(t *testing.T, conn *pgx.Conn) (lines []string, studentOIDs []uint32) {
	t.Helper()
	for _, line := range fingerprint(t, conn) {
		if strings.HasPrefix(line, "policy ") {
			lines = append(lines, line)
		}
	}
	rows, err := conn.Query(context.Background(),
		`SELECT p.oid FROM pg_catalog.pg_policy p WHERE 'examiner_student'::regrole = ANY (p.polroles) ORDER BY p.oid`)
	if err != nil {
		t.Fatal(err)
	}
	studentOIDs, err = pgx.CollectRows(rows, pgx.RowTo[uint32])
	if err != nil {
		t.Fatal(err)
	}
	return lines, studentOIDs
}

func TestTheOwnerPolicyMigrationRecreatesThePoliciesExactlyAsTheyWere(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := connect(t, testdb.EmptyURL(t))
	v := ownerPolicyVersion(t)
	if err := migrations.To(ctx, conn, v-1); err != nil {
		t.Fatalf("up to %d: %v", v-1, err)
	}
	before, beforeOIDs := policies(t, conn)
	if err := migrations.To(ctx, conn, v); err != nil {
		t.Fatalf("up to %d: %v", v, err)
	}
	after, afterOIDs := policies(t, conn)
	if diff := difference(before, after); diff != "" {
		t.Fatalf("the policies differ after the owner-policy migration:\n%s", diff)
	}
	// The same policies, but made anew: the procedure wrote the ones the migration dropped.
	var recreated int
	for _, oid := range beforeOIDs {
		if !slices.Contains(afterOIDs, oid) {
			recreated++
		}
	}
	if recreated != 12 {
		t.Fatalf("examiner_student's policies recreated by the migration: got %d, want 12 (four on each of students, auth_events and exams)", recreated)
	}
}

// A new student-scoped table needs one call for its four policies, and the catalogue check then
// finds nothing to report; a name that needs quoting is quoted.
func TestOneCallGivesANewStudentTableItsOwnerPolicies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := connect(t, testdb.URL(t))
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `
		CREATE TABLE public."Study notes" (id int, student_id uuid);
		ALTER TABLE public."Study notes" ENABLE ROW LEVEL SECURITY;
		ALTER TABLE public."Study notes" FORCE ROW LEVEL SECURITY;
		GRANT SELECT, INSERT, UPDATE, DELETE ON public."Study notes" TO examiner_student`); err != nil {
		t.Fatal(err)
	}
	if got := breaches(t, tx); len(got) == 0 {
		t.Fatal("the catalogue check found nothing wrong with a student table without policies; it cannot prove the call below")
	}
	if _, err := tx.Exec(ctx, `CALL app.create_owner_policies($1, $2)`, `public."Study notes"`, "student_id"); err != nil {
		t.Fatalf("create_owner_policies: %v", err)
	}
	if got := breaches(t, tx); len(got) > 0 {
		t.Fatalf("after create_owner_policies the catalogue check found breaches:\n%s", strings.Join(got, "\n"))
	}
	rows, err := tx.Query(ctx, `SELECT policyname || ' ' || cmd || ' ' || roles::text FROM pg_catalog.pg_policies
		WHERE schemaname = 'public' AND tablename = 'Study notes' ORDER BY policyname`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Study notes_delete DELETE {examiner_student}",
		"Study notes_insert INSERT {examiner_student}",
		"Study notes_select SELECT {examiner_student}",
		"Study notes_update UPDATE {examiner_student}",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("policies: got %q, want %q", got, want)
	}
}

func TestNoRequestRoleMayCreateOwnerPolicies(t *testing.T) {
	t.Parallel()
	for _, role := range []string{"examiner_student", "examiner_anon", "examiner_auth"} {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			conn := connect(t, testdb.URL(t))
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, `SELECT pg_catalog.set_config('role', $1, true)`, role); err != nil {
				t.Fatal(err)
			}
			_, err = tx.Exec(ctx, `CALL app.create_owner_policies('public.exams', 'student_id')`)
			// Not the table's owner, it would fail at CREATE POLICY anyway; the procedure's own
			// privilege must stop it first.
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.Contains(pgErr.Message, "procedure create_owner_policies") {
				t.Fatalf("CALL as %s: got %v, want permission denied for procedure create_owner_policies (42501)", role, err)
			}
		})
	}
}
