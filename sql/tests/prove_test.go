// Package sqltests runs the DBA's pgTAP suite, sql/tests/*.sql, with pg_prove against a freshly
// migrated database, and proves that the suite fails when the isolation it describes is broken.
//
// pgTAP is optional on a developer's machine: without pg_prove on PATH or the pgtap extension on
// the server the tests skip and say what to install, unless EXAMINER_REQUIRE_PGTAP=1 (CI sets
// it), which turns the skip into a failure.
package sqltests

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"examiner/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

const installHint = "install pgTAP: apt-get install pgtap postgresql-15-pgtap (pg_prove on the host, the extension on the server; " +
	"the CI image built by .ci/build-pg-image.sh has the extension)"

// summary is pg_prove's closing line, e.g. "Files=6, Tests=187,  1 wallclock secs (…)".
var summary = regexp.MustCompile(`(?m)^Files=(\d+), Tests=(\d+),`)

// TestThePgTAPSuitePasses runs every sql/tests/*.sql on a migrated database and prints one
// "report: " line with the counts.
func TestThePgTAPSuitePasses(t *testing.T) {
	t.Parallel()
	pgProve, dbURL := requirePgTAP(t, true)
	files := suiteFiles(t)

	start := time.Now()
	out, err := prove(t, pgProve, dbURL, files)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("pg_prove failed (%v); its output:\n%s", err, out)
	}
	m := summary.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "All tests successful.") {
		t.Fatalf("pg_prove exited 0 but its output has no success summary; its output:\n%s", out)
	}
	nFiles, _ := strconv.Atoi(m[1])
	nTests, _ := strconv.Atoi(m[2])
	if nFiles != len(files) || nTests == 0 {
		t.Fatalf("pg_prove ran %d tests in %d files, want tests in all %d files; its output:\n%s", nTests, nFiles, len(files), out)
	}
	fmt.Printf("report: pgTAP: %d tests in %d files passed (pg_prove, %.1fs)\n", nTests, nFiles, elapsed.Seconds())
}

// TestThePgTAPSuiteCatchesABrokenSchema breaks the isolation on a fresh database as its owner
// would by mistake, drops a policy and unforces row-level security, and checks that pg_prove
// fails and names the checks that caught it.
func TestThePgTAPSuiteCatchesABrokenSchema(t *testing.T) {
	t.Parallel()
	out := proveBroken(t,
		`DROP POLICY exams_delete ON exams`,
		`ALTER TABLE auth_events NO FORCE ROW LEVEL SECURITY`,
	)
	for _, want := range []string{
		"not ok",
		"row-level security is forced on auth_events",
		"exams has exactly these policies",
		"exams_delete",
		"every student-scoped table (students, and any table with a student_id column) has row-level security enabled and forced",
		"Result: FAIL",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("pg_prove's output does not contain %q; its output:\n%s", want, out)
		}
	}
	t.Logf("pg_prove on the broken schema, as expected, failed:\n%s", out)
}

// macBlindVerifier is app.current_student_id() as migration 014 makes it but for the MAC, which
// it never compares: it trusts any claim under an installed kid, unexpired, whose student is at
// the claim's generation. Its catalogue entry (owner, SECURITY DEFINER, search_path, grants) is
// the real one's, so only the checks that try edited claims can tell.
const macBlindVerifier = `CREATE OR REPLACE FUNCTION app.current_student_id() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  c text := pg_catalog.current_setting('app.claim', true);
  payload text;
  v_id uuid;
BEGIN
  IF c IS NULL OR c = '' THEN
    RETURN NULL;
  END IF;
  IF pg_catalog.length(c) BETWEEN 110 AND 200 THEN
    payload := pg_catalog.left(c, -65);
    IF EXISTS (SELECT 1 FROM app.claim_keys AS ck WHERE ck.kid = pg_catalog.split_part(payload, '.', 4))
       AND pg_catalog.to_timestamp(pg_catalog.split_part(payload, '.', 3)::bigint) > pg_catalog.now() THEN
      v_id := pg_catalog.split_part(payload, '.', 1)::uuid;
      PERFORM FROM public.students AS s
      WHERE s.id = v_id AND s.token_generation = pg_catalog.split_part(payload, '.', 2)::bigint;
      IF FOUND THEN
        RETURN v_id;
      END IF;
    END IF;
  END IF;
  RAISE EXCEPTION 'claim refused' USING ERRCODE = 'EXA01';
END
$$`

// TestThePgTAPSuiteCatchesAMACBlindVerifier replaces the verifier with one that skips the MAC
// check and checks that the claim tests fail, each by name: the golden claim with its MAC or its
// student, generation-0 for both, or its expiry edited must still be refused.
func TestThePgTAPSuiteCatchesAMACBlindVerifier(t *testing.T) {
	t.Parallel()
	out := proveBroken(t, macBlindVerifier)
	for _, desc := range []string{
		"the golden claim with the last digit of its MAC changed is refused (EXA01)",
		"the golden claim edited to name student ...0008, who exists at generation 0, is refused (EXA01)",
		"the expired claim edited to expire in 2100 is refused (EXA01)",
		"with the MAC changed, reading students fails with EXA01 (no rows)",
		"B's claim edited to name A is refused (EXA01): its MAC no longer matches",
	} {
		if !regexp.MustCompile(`(?m)^not ok \d+ - ` + regexp.QuoteMeta(desc) + `$`).MatchString(out) {
			t.Errorf("pg_prove's output has no failed check %q; its output:\n%s", desc, out)
		}
	}
	if !strings.Contains(out, "Result: FAIL") {
		t.Errorf("pg_prove's output does not say Result: FAIL; its output:\n%s", out)
	}
	t.Logf("pg_prove with a MAC-blind verifier, as expected, failed:\n%s", out)
}

// Exam integrity (migration 016), broken three ways at once as a migration could break it: the key
// policy without the exam's status, so that a key shows while the exam runs; app.accepts_answers
// without the deadline; and the students' UPDATE privilege on marks_awarded. Each must fail its
// checks in 09_exam_integrity.sql, by name.
func TestThePgTAPSuiteCatchesBrokenExamIntegrity(t *testing.T) {
	t.Parallel()
	out := proveBroken(t,
		`DROP POLICY question_keys_after_completion ON public.question_keys;
		 CREATE POLICY question_keys_after_completion ON public.question_keys FOR SELECT TO examiner_student
		   USING (EXISTS (SELECT FROM public.exam_questions AS eq JOIN public.exams AS e ON e.id = eq.exam_id
		                  WHERE eq.question_id = question_keys.question_id))`,
		`CREATE OR REPLACE FUNCTION app.accepts_answers(p_status text, p_started_at timestamptz, p_duration_minutes integer)
		 RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
		 AS $$ SELECT p_status = 'IN_PROGRESS' $$`,
		`GRANT UPDATE (marks_awarded) ON public.answers TO examiner_student`,
	)
	for _, desc := range []string{
		"A reads no key of a question of their PENDING exam",
		"A reads no key of a question of their IN_PROGRESS exam",
		"A cannot answer a question of their IN_PROGRESS exam whose deadline has passed (42501, answers_while_open_insert)",
		"A's UPDATE of an answer of their IN_PROGRESS exam whose deadline has passed changes nothing (answers_while_open_update)",
		"A cannot set marks_awarded on their own answers, even while the exam runs (42501)",
	} {
		if !regexp.MustCompile(`(?m)^not ok \d+ - ` + regexp.QuoteMeta(desc) + `$`).MatchString(out) {
			t.Errorf("pg_prove's output has no failed check %q; its output:\n%s", desc, out)
		}
	}
	if !strings.Contains(out, "Result: FAIL") {
		t.Errorf("pg_prove's output does not say Result: FAIL; its output:\n%s", out)
	}
	t.Logf("pg_prove with the exam integrity broken, as expected, failed:\n%s", out)
}

// A deadline read from now(), the transaction's start, as migration 016 was first written: a
// transaction opened before the deadline writes answers after it. Only the check that lets the
// deadline pass inside one transaction can tell.
func TestThePgTAPSuiteCatchesADeadlineByTheTransactionsClock(t *testing.T) {
	t.Parallel()
	out := proveBroken(t,
		`CREATE OR REPLACE FUNCTION app.accepts_answers(p_status text, p_started_at timestamptz, p_duration_minutes integer)
		 RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
		 AS $$ SELECT p_status = 'IN_PROGRESS'
		         AND (p_duration_minutes IS NULL
		              OR pg_catalog.now() <= p_started_at + pg_catalog.make_interval(mins => p_duration_minutes) + app.answer_grace()) $$`,
	)
	desc := "past E3's deadline, in the same transaction, A's UPDATE changes nothing: the deadline is the statement's clock, not the transaction's"
	if !regexp.MustCompile(`(?m)^not ok \d+ - ` + regexp.QuoteMeta(desc) + `$`).MatchString(out) {
		t.Errorf("pg_prove's output has no failed check %q; its output:\n%s", desc, out)
	}
}

// proveBroken runs the suite on a fresh database after running faults on it as its owner, and
// returns pg_prove's output; it fails the test unless pg_prove exits non-zero.
func proveBroken(t *testing.T, faults ...string) string {
	t.Helper()
	pgProve, dbURL := requirePgTAP(t, false)
	files := suiteFiles(t)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	for _, sql := range faults {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	conn.Close(ctx)

	out, err := prove(t, pgProve, dbURL, files)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 {
		t.Fatalf("pg_prove on a broken schema: got %v, want a non-zero exit; its output:\n%s", err, out)
	}
	return out
}

// requirePgTAP returns the path of pg_prove and the URL of a new migrated database, or skips the
// test (fails it when EXAMINER_REQUIRE_PGTAP=1) when pg_prove or the server's pgtap extension is
// missing. With report set, a skip also prints a "report: " line, so the summary says so.
func requirePgTAP(t *testing.T, report bool) (pgProve, dbURL string) {
	t.Helper()
	// The database first: without one the test fails, never skips, whatever else is missing.
	dbURL = testdb.URL(t)
	missing := func(what string) {
		t.Helper()
		msg := "pgTAP tests not run: " + what + "; " + installHint
		if os.Getenv("EXAMINER_REQUIRE_PGTAP") == "1" {
			t.Fatal(msg + " (EXAMINER_REQUIRE_PGTAP=1 requires them)")
		}
		if report {
			fmt.Printf("report: pgTAP: skipped, %s (apt-get install pgtap postgresql-15-pgtap)\n", what)
		}
		t.Skip(msg)
	}
	pgProve, err := exec.LookPath("pg_prove")
	if err != nil {
		missing("pg_prove is not on PATH")
	}
	if _, err := exec.LookPath("psql"); err != nil {
		missing("psql, which pg_prove runs, is not on PATH")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var available bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = $1)`, "pgtap").Scan(&available); err != nil {
		t.Fatalf("look for the pgtap extension: %v", err)
	}
	if !available {
		missing("the database server has no pgtap extension (pg_available_extensions)")
	}
	return pgProve, dbURL
}

// suiteFiles lists sql/tests/*.sql in order; the test runs in sql/tests.
func suiteFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no pgTAP files in sql/tests (%v)", err)
	}
	return files
}

// prove runs pg_prove on files against dbURL and returns its combined output. The password goes
// to psql through PGPASSWORD, never on a command line or into a log.
func prove(t *testing.T, pgProve, dbURL string, files []string) (string, error) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("bad database URL: %v", err)
	}
	args := []string{"--norc", "--nocolor", "--failures", "--comments",
		"--dbname", strings.TrimPrefix(u.Path, "/")}
	if h := u.Hostname(); h != "" {
		args = append(args, "--host", h)
	}
	if p := u.Port(); p != "" {
		args = append(args, "--port", p)
	}
	if name := u.User.Username(); name != "" {
		args = append(args, "--username", name)
	}
	args = append(args, files...)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pgProve, args...)
	// libpq's own variables (PGHOST, PGSERVICE, PGOPTIONS, …) must not redirect psql elsewhere.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	if pw, ok := u.User.Password(); ok {
		env = append(env, "PGPASSWORD="+pw)
	}
	if mode := u.Query().Get("sslmode"); mode != "" {
		env = append(env, "PGSSLMODE="+mode)
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}
