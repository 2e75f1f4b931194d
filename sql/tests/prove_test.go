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
	pgProve, dbURL := requirePgTAP(t, false)
	files := suiteFiles(t)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	for _, sql := range []string{
		`DROP POLICY exams_delete ON exams`,
		`ALTER TABLE auth_events NO FORCE ROW LEVEL SECURITY`,
	} {
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
