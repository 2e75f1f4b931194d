package isolation_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// What the attacker suite attacks, read from the catalogue (as the owner, so that nothing is
// missed for want of a privilege): the login role and every role it can switch to, every
// student-scoped table, and every function each of those roles may execute.

// loginRole is the role the server logs in as (migration 012).
const loginRole = "examiner_authenticator"

// attackPlan is the catalogue as the suite attacks it.
type attackPlan struct {
	// roles are the login role itself, then every role reachable from it through
	// pg_auth_members (SET ROLE needs membership, inherited or not).
	roles []attackRole
	// unreachable are all other roles: the suite tries to grant each to itself and to switch to it.
	unreachable []string
	tables      []attackTable
}

// attackRole is one role and what the catalogue says it may do.
type attackRole struct {
	name string
	// functions are those it may execute in the schemas app, public and crypto.
	functions []attackFunction
	// columns[table] are the columns of each student-scoped table it may select and update.
	selectable, updatable map[string][]string
}

// isLogin says whether r is the login role itself, with no role switched to.
func (r attackRole) isLogin() bool { return r.name == loginRole }

type attackFunction struct {
	signature   string // app.sign_in(text,text,…)
	schema, fn  string
	procedure   bool
	argTypes    []string // format_type of each input argument
	returnsVoid bool
}

// attackTable is a student-scoped table: students itself (keyed by id), or a table with a
// student_id column or a foreign key to students(id) (keyed by that column).
type attackTable struct {
	name         string // schema-qualified: public.exams
	schema, rel  string
	key          string
	keyIsUnique  bool
	columns      []attackColumn
	policies     []string
	victimRow    map[string]any // one of B's rows, as row_to_json gives it
	attackerRow  map[string]any // one of A's, or nil
	attackerRows int            // how many rows A has there
}

type attackColumn struct {
	name, typ           string
	notNull, hasDefault bool
	primaryKey, unique  bool
}

func (tb attackTable) ident() string { return pgx.Identifier{tb.schema, tb.rel}.Sanitize() }

func (p *attackPlan) functionCount() int {
	seen := map[string]bool{}
	for _, r := range p.roles {
		for _, f := range r.functions {
			seen[f.signature] = true
		}
	}
	return len(seen)
}

const reachableRolesSQL = `
WITH RECURSIVE reach (oid) AS (
  SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.member WHERE r.rolname = $1
  UNION
  SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN reach ON m.member = reach.oid
)
SELECT r.rolname, r.oid IN (SELECT oid FROM reach)
FROM pg_catalog.pg_roles r WHERE r.rolname <> $1 ORDER BY r.rolname`

const scopedTablesSQL = `
WITH students AS (
  SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relname = 'students'
), keyed (rel, key) AS (
  SELECT s.oid, 'id'::name FROM students s
  UNION
  SELECT con.conrelid, a.attname
  FROM pg_catalog.pg_constraint con JOIN students s ON con.confrelid = s.oid
  JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
  WHERE con.contype = 'f' AND pg_catalog.cardinality(con.conkey) = 1
  UNION
  SELECT a.attrelid, a.attname
  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE a.attname = 'student_id' AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
)
SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), n.nspname, c.relname, k.key,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
               WHERE i.indrelid = k.rel AND i.indisunique AND i.indnatts = 1
                 AND i.indkey[0] = (SELECT a.attnum FROM pg_catalog.pg_attribute a WHERE a.attrelid = k.rel AND a.attname = k.key))
FROM keyed k JOIN pg_catalog.pg_class c ON c.oid = k.rel JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
ORDER BY 1, 4`

const tableColumnsSQL = `
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '',
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey::int2[])),
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique AND a.attnum = ANY (i.indkey::int2[]))
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`

const columnPrivilegesSQL = `
SELECT a.attname,
       pg_catalog.has_column_privilege($1::name, a.attrelid, a.attname, 'SELECT'),
       pg_catalog.has_column_privilege($1::name, a.attrelid, a.attname, 'UPDATE')
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = $2::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`

const executableFunctionsSQL = `
SELECT p.oid::regprocedure::text, n.nspname, p.proname, p.prokind = 'p',
       ARRAY(SELECT pg_catalog.format_type(u.t, NULL) FROM pg_catalog.unnest(p.proargtypes::oid[]) WITH ORDINALITY AS u (t, i) ORDER BY u.i),
       p.prorettype = 'pg_catalog.void'::pg_catalog.regtype
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('app', 'public', 'crypto') AND p.prokind IN ('f', 'p')
  AND p.prorettype <> ALL ('{pg_catalog.trigger,pg_catalog.event_trigger,pg_catalog.internal}'::pg_catalog.regtype[])
  AND pg_catalog.has_function_privilege($1::name, p.oid, 'EXECUTE')
ORDER BY 1`

// discover reads the plan from the catalogue.
func (w *attackWorld) discover(t *testing.T) *attackPlan {
	t.Helper()
	ctx := context.Background()
	plan := &attackPlan{}
	names := []string{loginRole}
	rows, err := w.owner.Query(ctx, reachableRolesSQL, loginRole)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var reachable bool
		if err := rows.Scan(&name, &reachable); err != nil {
			t.Fatal(err)
		}
		if reachable {
			names = append(names, name)
		} else {
			plan.unreachable = append(plan.unreachable, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(names) < 2 {
		t.Fatalf("the login role %s reaches no role: is migration 012 in?", loginRole)
	}

	rows, err = w.owner.Query(ctx, scopedTablesSQL)
	if err != nil {
		t.Fatal(err)
	}
	plan.tables, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (attackTable, error) {
		var tb attackTable
		err := r.Scan(&tb.name, &tb.schema, &tb.rel, &tb.key, &tb.keyIsUnique)
		return tb, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.tables) == 0 {
		t.Fatal("the catalogue has no student-scoped table")
	}
	for i := range plan.tables {
		w.describe(t, &plan.tables[i])
	}

	for _, name := range names {
		r := attackRole{name: name, selectable: map[string][]string{}, updatable: map[string][]string{}}
		rows, err := w.owner.Query(ctx, executableFunctionsSQL, name)
		if err != nil {
			t.Fatal(err)
		}
		r.functions, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (attackFunction, error) {
			var f attackFunction
			err := row.Scan(&f.signature, &f.schema, &f.fn, &f.procedure, &f.argTypes, &f.returnsVoid)
			return f, err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range plan.tables {
			rows, err := w.owner.Query(ctx, columnPrivilegesSQL, name, tb.name)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var col string
				var sel, upd bool
				if err := rows.Scan(&col, &sel, &upd); err != nil {
					t.Fatal(err)
				}
				if sel {
					r.selectable[tb.name] = append(r.selectable[tb.name], col)
				}
				if upd {
					r.updatable[tb.name] = append(r.updatable[tb.name], col)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}
		plan.roles = append(plan.roles, r)
	}
	return plan
}

// describe reads a table's columns, policies, one of B's rows and how many rows A has.
func (w *attackWorld) describe(t *testing.T, tb *attackTable) {
	t.Helper()
	ctx := context.Background()
	rows, err := w.owner.Query(ctx, tableColumnsSQL, tb.name)
	if err != nil {
		t.Fatal(err)
	}
	tb.columns, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (attackColumn, error) {
		var c attackColumn
		err := r.Scan(&c.name, &c.typ, &c.notNull, &c.hasDefault, &c.primaryKey, &c.unique)
		return c, err
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err = w.owner.Query(ctx, `SELECT polname FROM pg_catalog.pg_policy WHERE polrelid = $1::regclass ORDER BY 1`, tb.name)
	if err != nil {
		t.Fatal(err)
	}
	if tb.policies, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	key := pgx.Identifier{tb.key}.Sanitize()
	for _, r := range []struct {
		s    attackStudent
		into *map[string]any
	}{{w.b, &tb.victimRow}, {w.a, &tb.attackerRow}} {
		var doc string
		// As the owner; identifiers from the catalogue, quoted.
		err = w.owner.QueryRow(ctx, `SELECT row_to_json(t)::text FROM `+tb.ident()+` AS t WHERE t.`+key+` = $1 ORDER BY t::text LIMIT 1`, r.s.id).Scan(&doc)
		if err == pgx.ErrNoRows {
			t.Fatalf("%s has no row in %s, a student-scoped table: give them one in newAttackWorld, so that the suite can aim at it", r.s.name, tb.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber() // a bigint stays exact
		if err := dec.Decode(r.into); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.owner.QueryRow(ctx, `SELECT count(*) FROM `+tb.ident()+` AS t WHERE t.`+key+` = $1`, w.a.id).Scan(&tb.attackerRows); err != nil {
		t.Fatal(err)
	}
}
