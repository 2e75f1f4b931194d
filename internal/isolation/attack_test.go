package isolation_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"examiner/internal/testdb"
)

// The attacker suite (docs/design/verified-identity.md §6). The threat: SQL of the attacker's
// choosing runs on the server's database connection, logged in as examiner_authenticator, inside
// any request transaction, while the attacker holds a genuine claim for their own student A. The
// victim is student B; student C is whoever the connection serves next. Against that attacker:
//
//  1. no row of another student is read or changed in any student-scoped table, whatever
//     settings they set, roles they switch to or functions they call;
//  2. no password hash is read, not even A's; no password, email, token generation or claim key
//     changes but A's own through the verified path; no identity is minted for another student;
//  3. no schema, policy, FORCE, grant or role changes; no server program or file is reached; no
//     temporary object is created;
//  4. nothing left on the connection (settings, prepared statements, temporary objects, role,
//     cursors) changes what the next request on it sees or writes.
//
// Nothing here is a fixed list of tables, roles or functions: the suite reads them from the
// catalogue (attack_plan_test.go), so a migration that adds a table, a function or a role
// membership is attacked the day it lands. Every attempt runs in a savepoint that is rolled back;
// an error is a refusal, and a success that reads or touches another student's row is a
// violation, seen in the attempt's answer or by a witness trigger on every student-scoped table.
// Afterwards the owner checks that B's rows and a digest of the catalogue are what they were
// before, and that the DBA's catalogue check (sql/audit/rls_violations.sql) finds nothing.

// attackReport is what one run of the suite found. Violations are breaches of the four rules;
// residuals are what the attacker can do that docs/design/verified-identity.md accepts (§5.5,
// §5.6): denials of service, never a read or a write of another student's data.
type attackReport struct {
	violations []string
	residuals  []string
	// malformed are attempts that failed for a reason that has nothing to do with the attacker's
	// privileges (a syntax error, an unknown column): a bug of the suite's.
	malformed []string
	// refusals counts the failed attempts by SQLSTATE.
	refusals                                     map[string]int
	roles, settings, tables, functions, attempts int
}

func (r *attackReport) violate(format string, args ...any) {
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

func (r *attackReport) residual(format string, args ...any) {
	r.residuals = append(r.residuals, fmt.Sprintf(format, args...))
}

func (r *attackReport) counts() string {
	return fmt.Sprintf("%d roles, %d settings, %d student-scoped tables, %d functions, %d attempts",
		r.roles, r.settings, r.tables, r.functions, r.attempts)
}

// refused lists the refusals by SQLSTATE, the most frequent first.
func (r *attackReport) refused() string {
	codes := make([]string, 0, len(r.refusals))
	for c := range r.refusals {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if r.refusals[codes[i]] != r.refusals[codes[j]] {
			return r.refusals[codes[i]] > r.refusals[codes[j]]
		}
		return codes[i] < codes[j]
	})
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s×%d", c, r.refusals[c])
	}
	return strings.Join(parts, " ")
}

// attackOptions vary how the pools of the other students' requests are set up, for the planted
// faults.
type attackOptions struct {
	// mode is the pgx query execution mode of those pools, by DB_QUERY_EXEC_MODE's names; ""
	// is what serve runs with once pg_prepared_statement is revoked: cache_describe with
	// private statements.
	mode string
}

// runAttackSuite attacks the database at url (the owner's URL of a migrated test database) and
// returns what it found. Only a broken harness (a fixture that cannot be made, a connection that
// cannot be had) stops the test; everything the attacker achieves is in the report.
func runAttackSuite(t *testing.T, url string, opts attackOptions) attackReport {
	t.Helper()
	ctx := context.Background()
	report := attackReport{refusals: map[string]int{}}
	w := newAttackWorld(t, url)
	plan := w.discover(t)
	w.plantWitness(t, plan)
	before := w.snapshot(t, plan)

	report.roles = len(plan.roles)
	report.settings = len(w.settings())
	report.tables = len(plan.tables)
	report.functions = plan.functionCount()

	a := w.attacker(t, &report)
	a.matrix(t, plan)
	a.schemaAndHost(t, plan)
	if err := a.conn.Close(ctx); err != nil {
		t.Fatalf("close the attacker's connection: %v", err)
	}
	w.leftovers(t, &report, opts)
	w.neighbours(t, plan, &report, opts)

	after := w.snapshot(t, plan)
	for _, name := range before.names {
		if before.digests[name] != after.digests[name] {
			report.violate("afterwards: %s changed", name)
		}
	}
	for _, breach := range catalogueBreaches(t, w.owner) {
		report.violate("afterwards: the catalogue check (sql/audit/rls_violations.sql) reports %s", breach)
	}
	return report
}

// The suite against every way serve may run its pool, but simple_protocol (a planted fault
// below: it is not safe against this attacker).
func TestInjectedSQLReachesNoOtherStudentAndChangesNothing(t *testing.T) {
	t.Parallel()
	for _, m := range []struct{ name, mode string }{
		{"serve's default: cache_describe with private statements", ""},
		{"cache_describe, as serve runs while pg_prepared_statement is not revoked", "cache_describe"},
		{"exec, for PgBouncer", "exec"},
	} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			report := runAttackSuite(t, testdb.URL(t), attackOptions{mode: m.mode})
			t.Logf("attacker suite: %s in %v; refused by SQLSTATE: %s", report.counts(), time.Since(start).Round(time.Millisecond), report.refused())
			for _, r := range report.residuals {
				t.Logf("accepted residual: %s", r)
			}
			if len(report.malformed) > 0 {
				t.Errorf("the suite built %d attempts that could not work for anyone:\n%s", len(report.malformed), strings.Join(report.malformed, "\n"))
			}
			if len(report.violations) > 0 {
				t.Fatalf("the attacker got through %d times:\n%s", len(report.violations), strings.Join(report.violations, "\n"))
			}
			fmt.Printf("report: attacker suite (%s): %s, 0 violations, %d accepted residuals\n", m.name, report.counts(), len(report.residuals))
		})
	}
}

// attackFault is a mistake planted, as the superuser, in a database the suite then attacks.
type attackFault struct {
	name string
	// plant is the SQL that makes the mistake; undo takes it back. A fault with undo changes a
	// role, which belongs to the whole cluster: it runs alone, and is undone when it ends.
	plant, undo string
	opts        attackOptions
	// want is part of the violation that must be among those found.
	want string
}

var attackFaults = []attackFault{
	{
		name:  "the login role inherits its request roles' privileges",
		plant: `ALTER ROLE examiner_authenticator INHERIT`,
		undo:  `ALTER ROLE examiner_authenticator NOINHERIT`,
		want:  "examiner_authenticator itself",
	},
	{
		name:  "a policy reads the raw setting app.student_id",
		plant: `ALTER POLICY exams_select ON public.exams USING (student_id = nullif(pg_catalog.current_setting('app.student_id', true), '')::uuid)`,
		want:  "public.exams: read a row of B's",
	},
	{
		name:  "the verifier runs without a fixed search_path",
		plant: `ALTER FUNCTION app.current_student_id() RESET search_path`,
		want:  "app.current_student_id(): SECURITY DEFINER without a fixed search_path",
	},
	{
		name:  "PUBLIC may create temporary objects again",
		plant: `DO $$ BEGIN EXECUTE pg_catalog.format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', pg_catalog.current_database()); END $$`,
		want:  "CREATE TEMP TABLE subjects",
	},
	{
		name:  "the login role may create roles",
		plant: `ALTER ROLE examiner_authenticator CREATEROLE`,
		undo:  `ALTER ROLE examiner_authenticator NOCREATEROLE`,
		want:  `GRANT "examiner_auth" TO CURRENT_USER`,
	},
	{
		// Beyond the design's five: a definer function that writes every student's row, and
		// answers nothing that names one; only the witness trigger sees it.
		name: "a definer function writes every student's row",
		plant: `CREATE OR REPLACE FUNCTION app.revoke_tokens() RETURNS bigint
			LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$ UPDATE public.students AS s SET token_generation = s.token_generation + 1 RETURNING s.token_generation $$`,
		want: "app.revoke_tokens(): UPDATE public.students touched a row of B's",
	},
	{
		name:  "a request role may read password hashes",
		plant: `GRANT SELECT (password_hash) ON public.students TO examiner_student`,
		want:  "public.students: read A's password hash",
	},
	{
		name:  "a student may set their own token generation back",
		plant: `GRANT UPDATE (token_generation) ON public.students TO examiner_student`,
		want:  "UPDATE of A's own token_generation succeeded",
	},
	{
		// Exam integrity (migration 016): marks are the marking functions' to write.
		name:  "a student may set the marks of their own answers",
		plant: `GRANT UPDATE (marks_awarded) ON public.answers TO examiner_student`,
		want:  "UPDATE of A's own marks_awarded succeeded",
	},
	{
		// The marker's policies forget the student, and app.mark_exam marks whatever exam it is
		// given: only a call with one of B's exam ids, seen by the witness, can tell.
		name: "the marking function marks any student's exam",
		plant: `ALTER POLICY answers_marker_select ON public.answers USING (current_user = 'examiner_marker');
			ALTER POLICY answers_marker_update ON public.answers USING (current_user = 'examiner_marker') WITH CHECK (current_user = 'examiner_marker');
			CREATE OR REPLACE FUNCTION app.mark_exam(p_exam_id uuid) RETURNS integer
			LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
			AS $$ UPDATE public.answers AS a SET marked_at = pg_catalog.now() WHERE a.exam_id = p_exam_id RETURNING 0 $$`,
		want: "app.mark_exam(uuid): UPDATE public.answers touched a row of B's",
	},
	{
		// And two of the pool. pgx's default names statements after their text, so the
		// swap of prepared statements works against it.
		name: "the next request's pool names statements after their text (pgx's cache_statement)",
		opts: attackOptions{mode: "cache_statement"},
		want: "swapped prepared statements",
	},
	{
		// The simple protocol sends every value inside the statement's text, which the login
		// role reads from pg_stat_activity for every connection of its own.
		name: "the other requests' values travel inline (DB_QUERY_EXEC_MODE=simple_protocol)",
		opts: attackOptions{mode: "simple_protocol"},
		want: "pg_stat_activity",
	},
}

// TestTheAttackerSuiteCatchesEachPlantedFault proves the suite can fail: each fault, planted in a
// fresh database, must give at least one violation, and the one it is known by. The faults that
// change a role run first, one at a time, while no other test of this binary runs (this test
// is not parallel, so the parallel ones wait for it); the others run in parallel afterwards. With
// TEST_DATABASE_URL, other test binaries on that server may see a role fault for a second.
func TestTheAttackerSuiteCatchesEachPlantedFault(t *testing.T) {
	start := time.Now()
	for _, f := range attackFaults {
		t.Run(f.name, func(t *testing.T) {
			if f.undo == "" {
				t.Parallel()
			}
			url := testdb.URL(t)
			owner, err := pgx.Connect(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer owner.Close(context.Background())
			if f.undo != "" {
				t.Cleanup(func() {
					undo, err := pgx.Connect(context.Background(), url)
					if err == nil {
						_, err = undo.Exec(context.Background(), f.undo)
						undo.Close(context.Background())
					}
					if err != nil {
						t.Errorf("undo the planted fault (%s): %v; the cluster keeps it", f.undo, err)
					}
				})
			}
			if f.plant != "" {
				if _, err := owner.Exec(context.Background(), f.plant); err != nil {
					t.Fatalf("plant the fault: %v", err)
				}
			}
			report := runAttackSuite(t, url, f.opts)
			t.Logf("%s: %d violations (%s), the first:\n%s", f.name, len(report.violations), report.counts(),
				strings.Join(report.violations[:min(len(report.violations), 4)], "\n"))
			if len(report.violations) == 0 {
				t.Fatalf("with the fault planted the suite found nothing")
			}
			for _, v := range report.violations {
				if strings.Contains(v, f.want) {
					return
				}
			}
			t.Fatalf("got violations:\n%s\nwant one containing %q", strings.Join(report.violations, "\n"), f.want)
		})
	}
	t.Cleanup(func() {
		t.Logf("planted faults: %v", time.Since(start).Round(time.Millisecond))
		if !t.Failed() {
			fmt.Printf("report: attacker suite: each of %d planted faults caught\n", len(attackFaults))
		}
	})
}
