package isolation_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Schema and host: as every role the login role reaches, and as itself, every way to change the
// rules (row-level security, policies, grants, roles, functions), to create objects that would
// outlive the statement or shadow ours, to reach the claim keys, and to reach the server's
// programs and files. Every one must fail.

// hostAttempt is one statement that must fail. residual, when set, says why the design accepts
// it succeeding (docs/design/verified-identity.md §5.6): the suite then reports it as a
// residual, not a violation. A query with empty set may succeed, but must answer no row.
type hostAttempt struct {
	sql      string
	residual string
	empty    bool
}

// hostAttempts are the statements, built for plan from the catalogue (its tables, their policies,
// the roles the login role cannot reach, the application's functions).
func (w *attackWorld) hostAttempts(plan *attackPlan) []hostAttempt {
	var out []hostAttempt
	add := func(sql ...string) {
		for _, s := range sql {
			out = append(out, hostAttempt{sql: s})
		}
	}
	for _, tb := range plan.tables {
		t := tb.ident()
		add("ALTER TABLE "+t+" NO FORCE ROW LEVEL SECURITY",
			"ALTER TABLE "+t+" DISABLE ROW LEVEL SECURITY",
			"CREATE POLICY attack ON "+t+" USING (true) WITH CHECK (true)",
			"GRANT ALL ON "+t+" TO PUBLIC",
			"ALTER TABLE "+t+" OWNER TO CURRENT_USER")
		for _, p := range tb.policies {
			add("DROP POLICY "+pgx.Identifier{p}.Sanitize()+" ON "+t,
				"ALTER POLICY "+pgx.Identifier{p}.Sanitize()+" ON "+t+" USING (true)")
		}
	}
	add(
		// The claim keys: reading one forges B's claim; adding one mints it.
		"SELECT kid, key FROM app.claim_keys",
		`INSERT INTO app.claim_keys (kid, key) VALUES ('attack', '\x`+strings.Repeat("00", 32)+`')`,
		"UPDATE app.claim_keys SET key = key",
		"DELETE FROM app.claim_keys",
		// The verifier itself, and every definer function.
		"CREATE OR REPLACE FUNCTION app.current_student_id() RETURNS uuid LANGUAGE sql AS $$ SELECT "+quoteLiteral(w.b.id.String())+"::uuid $$",
		"ALTER FUNCTION app.current_student_id() RESET search_path",
		"ALTER FUNCTION app.current_student_id() OWNER TO CURRENT_USER",
		// Objects that would outlive the statement, or shadow ours for the next request.
		"CREATE TEMP TABLE subjects (id uuid)",
		"CREATE TABLE pg_temp.students (id uuid)",
		"CREATE TEMP VIEW exams AS SELECT 1 AS id",
		"CREATE TABLE public.attack (id int)",
		"CREATE TABLE app.attack (id int)",
		"CREATE VIEW public.attack AS SELECT 1 AS id",
		"CREATE FUNCTION public.attack() RETURNS int LANGUAGE sql AS 'SELECT 1'",
		"CREATE FUNCTION app.attack() RETURNS int LANGUAGE sql AS 'SELECT 1'",
		"CREATE FUNCTION pg_temp.attack() RETURNS int LANGUAGE sql AS 'SELECT 1'",
		"CREATE SCHEMA attack",
		"CREATE EXTENSION hstore",
		// Roles.
		"CREATE ROLE attack",
		"CREATE ROLE attack SUPERUSER",
		"ALTER ROLE CURRENT_USER INHERIT",
		"ALTER ROLE CURRENT_USER CREATEROLE",
		"ALTER ROLE CURRENT_USER BYPASSRLS",
		"ALTER ROLE examiner_auth LOGIN",
		"SET SESSION AUTHORIZATION "+pgx.Identifier{w.ownerName}.Sanitize(),
		"SET SESSION AUTHORIZATION examiner_auth",
		"SELECT pg_catalog.pg_reload_conf()",
		// Settings only a superuser may set: one would let anyone read any large object, one
		// would turn triggers off.
		"SET LOCAL lo_compat_privileges = on",
		"SET LOCAL session_replication_role = replica",
		// The server's programs and files.
		"COPY (SELECT 1) TO PROGRAM 'id'",
		"COPY public.exams (exam_type) FROM PROGRAM 'id'",
		"COPY (SELECT 1) TO '/tmp/examiner-attack'",
		"COPY public.exams (exam_type) FROM '/etc/passwd'",
		"SELECT pg_catalog.pg_read_file('/etc/passwd')",
		"SELECT pg_catalog.pg_read_binary_file('/etc/passwd')",
		"SELECT pg_catalog.pg_ls_dir('/')",
		"SELECT pg_catalog.pg_stat_file('/etc/passwd')",
		"SELECT pg_catalog.lo_import('/etc/passwd')",
		"SELECT pg_catalog.lo_export(pg_catalog.lo_from_bytea(0, '\\x00'), '/tmp/examiner-attack')",
		"LOAD 'auto_explain'",
		"CREATE EXTENSION dblink",
	)
	// ALTER SYSTEM cannot run in a transaction, so ask the catalogue who may (PostgreSQL 15
	// grants it, and SET of a superuser's setting, per parameter).
	out = append(out,
		hostAttempt{sql: "SELECT name FROM pg_catalog.pg_settings WHERE pg_catalog.has_parameter_privilege(name, 'ALTER SYSTEM')", empty: true},
		hostAttempt{sql: "SELECT name FROM pg_catalog.pg_settings WHERE context = 'superuser' AND pg_catalog.has_parameter_privilege(name, 'SET')", empty: true})
	for _, role := range plan.unreachable {
		r := pgx.Identifier{role}.Sanitize()
		add("GRANT "+r+" TO CURRENT_USER", "GRANT "+r+" TO SESSION_USER", "SET ROLE "+r)
	}
	// PostgreSQL lets every role set its own defaults, which every later session of it starts
	// with. serve refuses to start, and its pool to open a connection, while the login role has
	// any (tenant.RefuseRoleDefaults: tenant/connect_test.go), so the server's new connections
	// fail until a DBA resets them. A denial of service, never a read; make audit reports it
	// (sql/audit/rls_violations.sql), and so does this suite should one be committed.
	for _, setting := range []string{"row_security = off", "default_transaction_read_only = on", "role = 'examiner_anon'"} {
		out = append(out, hostAttempt{sql: "ALTER ROLE CURRENT_USER SET " + setting,
			residual: "a role may set its own defaults: serve and its pool refuse to connect while there are any (a denial of service, which make audit reports)"})
	}
	// Large objects need no privilege to create; only their owner can read them (§5.6).
	out = append(out, hostAttempt{sql: "SELECT pg_catalog.lo_from_bytea(0, '\\x00')",
		residual: "anyone may create a large object, which only its owner can read; make audit reports one the login role owns"})
	return out
}

func (a *attacker) schemaAndHost(t *testing.T, plan *attackPlan) {
	t.Helper()
	attempts := a.w.hostAttempts(plan)
	genuine := a.w.settings()[0]
	for _, r := range plan.roles {
		a.begin(t, r, genuine)
		for _, h := range attempts {
			res := a.try(t, h.sql)
			if res.err != nil || slices.ContainsFunc(res.warnings, func(w string) bool { return strings.HasPrefix(w, "no privileges were granted") }) {
				continue
			}
			if h.empty {
				if len(res.rows) > 0 {
					a.report.violate("%s%s answered %d rows, want none", as(r, genuine), h.sql, len(res.rows))
				}
				continue
			}
			if h.residual != "" {
				a.report.residual("%s%s succeeds: %s", as(r, genuine), h.sql, h.residual)
				continue
			}
			a.report.violate("%s%s succeeded", as(r, genuine), h.sql)
		}
		a.exec(t, "ROLLBACK")
	}
}
