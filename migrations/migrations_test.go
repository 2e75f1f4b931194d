package migrations_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"examiner/internal/testdb"
	"examiner/migrations"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// schemaFingerprint describes everything the migrations create in the application's schemas:
// relations, columns, constraints, indexes, row-level security, policies, functions, owners and
// grants. Two databases with the same fingerprint have the same schema.
const schemaFingerprint = `
SELECT 'relation ' || c.oid::regclass || ' kind=' || c.relkind::text || ' owner=' || pg_get_userbyid(c.relowner)
       || ' rls=' || c.relrowsecurity || ' forced=' || c.relforcerowsecurity
       || ' acl=' || coalesce(c.relacl::text, '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('public', 'app')
UNION ALL
SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
       || ' acl=' || coalesce(a.attacl::text, '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname IN ('public', 'app') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || con.conrelid::regclass || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
WHERE n.nspname IN ('public', 'app')
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('public', 'app')
UNION ALL
SELECT 'policy ' || p.schemaname || '.' || p.tablename || ' ' || p.policyname || ' ' || p.permissive
       || ' ' || p.cmd || ' ' || p.roles::text || ' using=' || coalesce(p.qual, '') || ' check=' || coalesce(p.with_check, '')
FROM pg_policies p
WHERE p.schemaname IN ('public', 'app')
UNION ALL
SELECT 'function ' || p.oid::regprocedure || ' owner=' || pg_get_userbyid(p.proowner)
       || ' acl=' || coalesce(p.proacl::text, '') || ' ' || pg_get_functiondef(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('public', 'app')
UNION ALL
SELECT 'schema ' || n.nspname || ' owner=' || pg_get_userbyid(n.nspowner) || ' acl=' || coalesce(n.nspacl::text, '')
FROM pg_namespace n
WHERE n.nspname IN ('public', 'app')
ORDER BY 1`

func fingerprint(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), schemaFingerprint)
	if err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	return lines
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestUpDownUpLeavesTheSameSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := connect(t, testdb.EmptyURL(t))

	before := fingerprint(t, conn)
	if err := migrations.Up(ctx, conn); err != nil {
		t.Fatalf("up: %v", err)
	}
	head := fingerprint(t, conn)
	if v, err := migrations.Current(ctx, conn); err != nil || v != migrations.Head() {
		t.Fatalf("version after up: got %d (%v), want %d", v, err, migrations.Head())
	}

	if err := migrations.To(ctx, conn, 0); err != nil {
		t.Fatalf("down to zero: %v", err)
	}
	// Down to zero leaves only tern's own version table behind.
	var leftovers []string
	for _, line := range fingerprint(t, conn) {
		if !strings.Contains(line, "schema_version") && !contains(before, line) {
			leftovers = append(leftovers, line)
		}
	}
	if len(leftovers) > 0 {
		t.Fatalf("down to zero left behind:\n%s", strings.Join(leftovers, "\n"))
	}

	if err := migrations.Up(ctx, conn); err != nil {
		t.Fatalf("up again: %v", err)
	}
	again := fingerprint(t, conn)
	if diff := difference(head, again); diff != "" {
		t.Fatalf("schema after up, down, up differs from the first up:\n%s", diff)
	}
}

func TestEachMigrationStepsDownAndUpAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := connect(t, testdb.EmptyURL(t))
	if err := migrations.Up(ctx, conn); err != nil {
		t.Fatalf("up: %v", err)
	}
	head := fingerprint(t, conn)
	for v := migrations.Head() - 1; v >= 0; v-- {
		if err := migrations.To(ctx, conn, v); err != nil {
			t.Fatalf("down to %d: %v", v, err)
		}
		if err := migrations.To(ctx, conn, v+1); err != nil {
			t.Fatalf("up from %d: %v", v, err)
		}
		if err := migrations.To(ctx, conn, v); err != nil {
			t.Fatalf("down to %d again: %v", v, err)
		}
	}
	if err := migrations.Up(ctx, conn); err != nil {
		t.Fatalf("up: %v", err)
	}
	if diff := difference(head, fingerprint(t, conn)); diff != "" {
		t.Fatalf("schema differs after stepping down and up:\n%s", diff)
	}
}

func TestHeadCountsEveryMigrationFile(t *testing.T) {
	t.Parallel()
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var n int32
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".sql") {
			n++
		}
	}
	if got := migrations.Head(); got != n || n == 0 {
		t.Fatalf("Head() = %d, want %d (the .sql files here)", got, n)
	}
}

func contains(lines []string, line string) bool {
	for _, l := range lines {
		if l == line {
			return true
		}
	}
	return false
}

func difference(want, got []string) string {
	var b strings.Builder
	for _, l := range want {
		if !contains(got, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range got {
		if !contains(want, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// Exams written before the paper catalogue existed survive migration 007 as they are; from then
// on, an exam can only name a paper its subject has.
func TestThePaperCatalogueMigrationKeepsOlderExams(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	conn := connect(t, testdb.EmptyURL(t))
	if err := migrations.To(ctx, conn, 6); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `
		INSERT INTO students (id, email, email_key, password_hash, full_name)
		VALUES ('00000000-0000-4000-8000-000000000001', 'old@example.com', 'old@example.com', 'x', 'Old');
		INSERT INTO subjects (id, code, name, level, exam_board, syllabus_year)
		VALUES ('00000000-0000-4000-8000-000000000002', '9708', 'Economics', 'AS & A Level', 'Cambridge International', '2023-2025');
		INSERT INTO exams (student_id, subject_id, exam_type, paper_number)
		VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'FULL_PAPER', 2)`); err != nil {
		t.Fatal(err)
	}
	if err := migrations.Up(ctx, conn); err != nil {
		t.Fatalf("migrating a database with an exam on paper 2 but no catalogue: %v", err)
	}
	var papers int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM exams WHERE paper_number = 2`).Scan(&papers); err != nil || papers != 1 {
		t.Fatalf("the old exam: %d (%v)", papers, err)
	}
	_, err := conn.Exec(ctx, `
		INSERT INTO exams (student_id, subject_id, exam_type, paper_number)
		VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'FULL_PAPER', 3)`)
	if err == nil || !strings.Contains(err.Error(), "exams_paper_fkey") {
		t.Fatalf("a new exam on a paper the subject lacks: got %v, want a violation of exams_paper_fkey", err)
	}
}

// Roles and their memberships belong to the cluster, which several databases share (staging
// beside production, the tests' clones): migrating one database down must leave the login role of
// the others able to serve.
func TestMigratingOneDatabaseDownLeavesTheOthersLoginRoleWorking(t *testing.T) {
	ctx := context.Background()
	other := connect(t, testdb.URL(t))
	down := connect(t, testdb.URL(t))
	if err := migrations.To(ctx, down, 0); err != nil {
		t.Fatal(err)
	}
	var memberOf []string
	if err := other.QueryRow(ctx, `
		SELECT ARRAY(SELECT m.roleid::regrole::text FROM pg_catalog.pg_auth_members AS m
		             WHERE m.member = 'examiner_authenticator'::regrole ORDER BY 1)`).Scan(&memberOf); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(memberOf) != "[examiner_anon examiner_student]" {
		t.Fatalf("after another database migrated down to 0, examiner_authenticator is a member of %v, want [examiner_anon examiner_student]", memberOf)
	}
	if err := migrations.Up(ctx, down); err != nil {
		t.Fatal(err)
	}
}
