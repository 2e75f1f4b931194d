package migrations_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"examiner/internal/testdb"
)

// schemaFile is the current schema in one file, for a reader; the migrations stay the source.
const schemaFile = "../sql/schema.sql"

var updateSchema = flag.Bool("update", false, "rewrite "+schemaFile+" from a freshly migrated database (make schema)")

// schemaHeader opens sql/schema.sql: what pg_dump cannot say.
const schemaHeader = `-- examiner's current schema: what pg_dump --schema-only prints for a database after every
-- migration in migrations/ has run, so a table, its policies, grants and functions read in one
-- place. Do not edit it: change the schema with a new migration, then run make schema, which
-- rewrites this file; a test fails while it is stale.
--
-- Roles are cluster-wide, so pg_dump leaves them out; migrations 001 and 012 create them:
--   examiner_student        every request on behalf of a student runs as it, under row-level
--                           security;
--   examiner_anon           the unauthenticated requests (register, login): no table, only
--                           functions;
--   examiner_auth           owns the SECURITY DEFINER functions of those paths;
--   examiner_verifier       owns the verifier of claims, app.current_student_id, and alone reads
--                           app.claim_keys;
--   examiner_authenticator  what the server logs in as: LOGIN NOINHERIT, a member of
--                           examiner_student and examiner_anon only, owning nothing.
-- All but the last are NOLOGIN. "postgres" below is the role that ran the migrations: in
-- production, the owner, which owns the tables and is not what the server logs in as.

`

// TestSchemaSQLIsWhatTheMigrationsMake dumps a freshly migrated database and compares it with
// sql/schema.sql; with -update (make schema) it writes the file instead.
func TestSchemaSQLIsWhatTheMigrationsMake(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile(schemaFile)
	if err != nil && !(*updateSchema && os.IsNotExist(err)) {
		t.Fatalf("%v: run make schema", err)
	}
	fileMajor := dumpedMajor(string(want))
	dbURL := testdb.URL(t)
	major, user := server(t, dbURL)
	otherMajor := fileMajor != "" && fileMajor != major
	if *updateSchema {
		if otherMajor {
			t.Fatalf("%s is the dump of PostgreSQL %s, and this server is PostgreSQL %s: run make schema on PostgreSQL %[2]s "+
				"(EXAMINER_TEST_BACKEND=local, or EXAMINER_TEST_BACKEND=docker PGTEST_IMAGE=examiner/postgres:15); "+
				"to move the file to another version, delete it first", schemaFile, fileMajor, major)
		}
		got := dumpSchema(t, dbURL, mustFindPgDump(t, major), user)
		name := strings.TrimPrefix(schemaFile, "../")
		if string(want) == got {
			fmt.Printf("make schema: %s is up to date\n", name)
			return
		}
		if err := os.WriteFile(schemaFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("make schema: wrote %s\n", name)
		return
	}
	if otherMajor {
		// Another major version (GitHub's runners have PostgreSQL 16) may print the same schema
		// differently, so a difference here cannot tell a stale file: the test then skips, and
		// says so in the report; .ci/run and the local backend compare on the file's version.
		notCompared := func(why string) {
			t.Helper()
			fmt.Printf("report: sql/schema.sql: not compared on PostgreSQL %s (it is the dump of PostgreSQL %s)\n", major, fileMajor)
			t.Skipf("%s is the dump of PostgreSQL %s and this server is PostgreSQL %s, so it is not compared here "+
				"(compare on PostgreSQL %[2]s: EXAMINER_TEST_BACKEND=local, or EXAMINER_TEST_BACKEND=docker PGTEST_IMAGE=examiner/postgres:15): %s",
				schemaFile, fileMajor, major, why)
		}
		pgDump, err := findPgDump(major)
		if err != nil {
			notCompared(err.Error())
		}
		got := dumpedVersion.ReplaceAllString(dumpSchema(t, dbURL, pgDump, user), "${1}"+fileMajor)
		if diff := lineDiff(string(want), got, 60); diff != "" {
			notCompared("its dump differs, by version or because the file is stale:\n" + diff)
		}
		return
	}
	if diff := lineDiff(string(want), dumpSchema(t, dbURL, mustFindPgDump(t, major), user), 60); diff != "" {
		t.Fatalf("%s is not the schema the migrations make: run make schema. Lines of the file (-) and of the migrated database's dump (+):\n%s",
			schemaFile, diff)
	}
}

var (
	// pg_dump 15.14 and later fence the dump with \restrict and \unrestrict and a random key.
	restrictLine = regexp.MustCompile(`(?m)^\\(un)?restrict [0-9A-Za-z]+\n\n?`)
	// "-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)": only the major version
	// is kept, so a minor upgrade of the server or of pg_dump changes nothing.
	// PostgreSQL 15.20 as this machine's Debian archive builds it records a number in every
	// column's options (pg_attver=…), which pg_dump prints as ALTER … SET; it comes from the
	// server, not from the migrations, and other builds have none.
	attverLine    = regexp.MustCompile(`(?m)^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(pg_attver=\d+\);\n`)
	dumpedVersion = regexp.MustCompile(`(?m)^(-- Dumped (?:from database|by pg_dump) version )(\d+)\S*(?: \(.*\))?$`)
	// "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
	pgDumpVersion = regexp.MustCompile(`^pg_dump \(PostgreSQL\) (\d+)`)
	simpleIdent   = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
)

// dumpedMajor returns the server's major version that a dump names, "" if none.
func dumpedMajor(dump string) string {
	if m := dumpedVersion.FindStringSubmatch(dump); m != nil {
		return m[2]
	}
	return ""
}

// server returns the major version of the server at dbURL and the user connected.
func server(t *testing.T, dbURL string) (major, user string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT (pg_catalog.current_setting('server_version_num')::int / 10000)::text, current_user::text`).Scan(&major, &user)
	if err != nil {
		t.Fatal(err)
	}
	return major, user
}

// dumpSchema returns sql/schema.sql's text for the database at dbURL, to which user is
// connected: the header and pg_dump's schema, made the same on every run and every backend.
func dumpSchema(t *testing.T, dbURL, pgDump, user string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("bad database URL: %v", err)
	}
	password, _ := u.User.Password()
	u.User = url.User(u.User.Username())
	cmd := exec.Command(pgDump, "--schema-only", "--dbname", u.String())
	// The password reaches pg_dump through PGPASSWORD, never on its command line; libpq's other
	// variables (PGHOST, PGSERVICE, …) must not send it elsewhere.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", pgDump, err, stderr.String())
	}
	dump := restrictLine.ReplaceAllString(string(out), "")
	dump = attverLine.ReplaceAllString(dump, "")
	dump = dumpedVersion.ReplaceAllString(dump, "${1}${2}")
	return schemaHeader + asPostgres(dump, user)
}

// findPgDump returns a pg_dump of the server's major version: older ones refuse a newer server,
// and newer ones may print the same schema differently.
func findPgDump(major string) (string, error) {
	candidates := []string{"/usr/lib/postgresql/" + major + "/bin/pg_dump"}
	if dir := os.Getenv("PG_BIN"); dir != "" {
		candidates = append([]string{filepath.Join(dir, "pg_dump")}, candidates...)
	}
	if p, err := exec.LookPath("pg_dump"); err == nil {
		candidates = append(candidates, p)
	}
	var seen []string
	for _, p := range candidates {
		out, err := exec.Command(p, "--version").Output()
		if err != nil {
			continue
		}
		version := strings.TrimSpace(string(out))
		seen = append(seen, p+": "+version)
		if m := pgDumpVersion.FindStringSubmatch(version); m != nil && m[1] == major {
			return p, nil
		}
	}
	return "", fmt.Errorf("no pg_dump %s for this PostgreSQL %[1]s server (found: %q): apt-get install postgresql-client-%[1]s", major, seen)
}

func mustFindPgDump(t *testing.T, major string) string {
	t.Helper()
	p, err := findPgDump(major)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// asPostgres names the role that ran the migrations "postgres", as the local and Docker backends
// do, when it is another (a TEST_DATABASE_URL's user): in owners, and in grants to it.
func asPostgres(dump, user string) string {
	if user == "postgres" {
		return dump
	}
	ident := user
	if !simpleIdent.MatchString(user) {
		ident = pgx.Identifier{user}.Sanitize()
	}
	lines := strings.SplitAfter(dump, "\n")
	for i, line := range lines {
		for _, pair := range [][2]string{
			{"; Owner: " + user + "\n", "; Owner: postgres\n"},
			{" TO " + ident + ";\n", " TO postgres;\n"},
			{" FROM " + ident + ";\n", " FROM postgres;\n"},
		} {
			if strings.HasSuffix(line, pair[0]) {
				lines[i] = strings.TrimSuffix(line, pair[0]) + pair[1]
			}
		}
	}
	return strings.Join(lines, "")
}

// lineDiff returns the lines only in a (-) and only in b (+), from their longest common
// subsequence, numbered by their line in a or b; at most limit lines; "" when a == b.
func lineDiff(a, b string, limit int) string {
	if a == b {
		return ""
	}
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j]: the length of the longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for (i < len(x) || j < len(y)) && len(out) < limit {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, fmt.Sprintf("-%5d %s", i+1, x[i]))
			i++
		default:
			out = append(out, fmt.Sprintf("+%5d %s", j+1, y[j]))
			j++
		}
	}
	if strings.Join(x[i:], "\n") != strings.Join(y[j:], "\n") {
		out = append(out, "… (and more)")
	}
	return strings.Join(out, "\n")
}
