package isolation_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner/internal/testdb"
)

// The matrix: as every role the login role reaches (and as itself), under every claim the
// attacker can set, every command against every student-scoped table and a call of every
// function the role may execute, each aimed at B.

// attacker is the attacker's connection: the login role, on a connection of its own, in the
// simple protocol, so that every answer arrives as text to be searched.
type attacker struct {
	w      *attackWorld
	conn   *pgx.Conn
	report *attackReport
	seen   []string // what the witness reported during the current attempt
	warned []string // the other warnings of the current attempt
}

func (w *attackWorld) attacker(t *testing.T, report *attackReport) *attacker {
	t.Helper()
	cfg, err := pgx.ParseConfig(testdb.LoginURL(w.url))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	a := &attacker{w: w, report: report}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		if n.Message == "attack witness" {
			a.seen = append(a.seen, n.Detail)
		} else {
			a.warned = append(a.warned, n.Message)
		}
	}
	a.conn, err = pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("connect as the login role: %v", err)
	}
	return a
}

// exec runs the harness's own statements on the attacker's connection (BEGIN, SAVEPOINT, …):
// one failing means the harness is broken, not that the attacker was stopped.
func (a *attacker) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := a.conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("attacker's connection: %s: %v", sql, err)
	}
}

// attempt is what one attack statement did before it was rolled back.
type attempt struct {
	rows    [][]string
	tag     pgconn.CommandTag
	err     error
	touched []witnessed
	// warnings are the server's other notices: a GRANT of what one may not grant succeeds with
	// the warning "no privileges were granted".
	warnings []string
}

// witnessed is one row change (or a TRUNCATE) the witness trigger saw.
type witnessed struct {
	op, table      string
	oldKey, newKey string // the row's student before and after; "-" for none
}

// try runs sql in a savepoint and rolls it back.
func (a *attacker) try(t *testing.T, sql string, args ...any) attempt {
	t.Helper()
	a.report.attempts++
	a.seen, a.warned = a.seen[:0], a.warned[:0]
	a.exec(t, "SAVEPOINT attempt")
	var res attempt
	rows, err := a.conn.Query(context.Background(), sql, args...)
	if err == nil {
		for rows.Next() {
			raw := rows.RawValues()
			row := make([]string, len(raw))
			for i, v := range raw {
				row[i] = string(v) // text, in the simple protocol; NULL is ""
			}
			res.rows = append(res.rows, row)
		}
		rows.Close()
		err = rows.Err()
		res.tag = rows.CommandTag()
	}
	res.err = err
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		a.report.refusals[pgErr.Code]++
		if malformed[pgErr.Code] {
			a.report.malformed = append(a.report.malformed, fmt.Sprintf("%s: %s", sql, pgErr.Message))
		}
	}
	res.warnings = slices.Clone(a.warned)
	a.exec(t, "ROLLBACK TO SAVEPOINT attempt")
	for _, detail := range a.seen {
		f := strings.Fields(detail)
		wd := witnessed{op: f[0], table: f[1], oldKey: "-", newKey: "-"}
		if len(f) == 4 {
			wd.oldKey, wd.newKey = f[2], f[3]
		}
		res.touched = append(res.touched, wd)
	}
	return res
}

// malformed are the SQLSTATEs of a statement that could not have worked for anyone: an attempt
// refused with one of them tested nothing, and the suite is wrong.
var malformed = map[string]bool{
	"42601": true, // syntax_error
	"42703": true, // undefined_column
	"42P01": true, // undefined_table
	"42883": true, // undefined_function
	"42804": true, // datatype_mismatch
	"42P18": true, // indeterminate_datatype
	"42725": true, // ambiguous_function
	"22P02": true, // invalid_text_representation: an argument the suite built badly
}

// answer is all an attempt returned, as one string to search.
func (res attempt) answer() string {
	var b strings.Builder
	for _, row := range res.rows {
		b.WriteString(strings.Join(row, " "))
		b.WriteString("\n")
	}
	return b.String()
}

// whose names the student key is: "B's", "C's", "A's", or another student's.
func (w *attackWorld) whose(key string) string {
	for _, s := range []attackStudent{w.a, w.b, w.c} {
		if key == s.id.String() {
			return s.name + "'s"
		}
	}
	if key == "" || key == "-" {
		return "nobody's"
	}
	return "another student's"
}

// isOther says whether key is a student the attacker is not: B or C.
func (w *attackWorld) isOther(key string) bool {
	return key == w.b.id.String() || key == w.c.id.String()
}

// judgeWrites reports every row of B's or C's the attempt inserted, changed or deleted, and any
// TRUNCATE. byDesign, when not nil, excuses what the design files under B on purpose.
func (a *attacker) judgeWrites(who string, res attempt, byDesign func(witnessed) bool) {
	for _, wd := range res.touched {
		if byDesign != nil && byDesign(wd) {
			continue
		}
		if wd.op == "TRUNCATE" {
			a.report.violate("%sTRUNCATE %s succeeded: every student's rows gone", who, wd.table)
			continue
		}
		for _, key := range []string{wd.oldKey, wd.newKey} {
			if a.w.isOther(key) {
				a.report.violate("%s%s %s touched a row of %s", who, wd.op, wd.table, a.w.whose(key))
				break
			}
		}
	}
}

// as labels what follows with the role and the claim.
func as(r attackRole, s attackSetting) string {
	if r.isLogin() {
		return fmt.Sprintf("as %s itself (no role switched to), %s: ", r.name, s.name)
	}
	return fmt.Sprintf("as %s, %s: ", r.name, s.name)
}

// begin opens a transaction as role r with setting s, as an attacker would in a request: the role
// switched to (or reset) and app.claim and app.student_id set, transaction-locally.
func (a *attacker) begin(t *testing.T, r attackRole, s attackSetting) {
	t.Helper()
	a.exec(t, "BEGIN")
	if r.isLogin() {
		a.exec(t, "SET LOCAL ROLE NONE")
	} else {
		a.exec(t, "SET LOCAL ROLE "+pgx.Identifier{r.name}.Sanitize())
	}
	a.exec(t, "SELECT pg_catalog.set_config('app.claim', $1, true), pg_catalog.set_config('app.student_id', $2, true)", s.claim, a.w.b.id.String())
}

func (a *attacker) matrix(t *testing.T, plan *attackPlan) {
	t.Helper()
	for _, r := range plan.roles {
		for _, s := range a.w.settings() {
			a.begin(t, r, s)
			for _, tb := range plan.tables {
				a.attackTable(t, r, s, tb)
			}
			for _, f := range r.functions {
				a.call(t, r, s, f)
			}
			a.exec(t, "ROLLBACK")
		}
	}
}

// Values the attacker passes where a password hash or its pre-hash goes: the right shapes, nobody's.
var (
	attackHashLike    = "sha384-bcrypt$$2a$10$" + strings.Repeat("N", 53)
	attackPrehashLike = strings.Repeat("Aa0+", 16)
)

// attackTable runs every command against tb, each aimed at B.
func (a *attacker) attackTable(t *testing.T, r attackRole, s attackSetting, tb attackTable) {
	t.Helper()
	w := a.w
	who := as(r, s)
	key := pgx.Identifier{tb.key}.Sanitize()
	// The login role must reach no table at all until it has switched to a request role.
	reached := func(what string, res attempt) {
		if res.err == nil && r.isLogin() {
			a.report.violate("%s%s on %s succeeded: the login role reaches a table without switching role", who, what, tb.name)
		}
	}

	res := a.try(t, "SELECT count(*) FROM "+tb.ident())
	reached("SELECT count(*)", res)
	if res.err == nil {
		allowed := 0
		if s.genuine {
			allowed = tb.attackerRows
		}
		if n, _ := strconv.Atoi(res.rows[0][0]); n > allowed {
			a.report.violate("%s%s: sees %d rows, want at most %d (A's own)", who, tb.name, n, allowed)
		}
	}

	if cols := r.selectable[tb.name]; len(cols) > 0 {
		keyAt := -1
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = pgx.Identifier{c}.Sanitize()
			if c == tb.key {
				keyAt = i
			}
		}
		res := a.try(t, "SELECT "+strings.Join(quoted, ", ")+" FROM "+tb.ident())
		reached("SELECT", res)
		for _, row := range res.rows {
			if keyAt >= 0 && row[keyAt] != w.a.id.String() {
				a.report.violate("%s%s: read a row of %s", who, tb.name, w.whose(row[keyAt]))
			}
			for _, leak := range w.leaks(strings.Join(row, " ")) {
				a.report.violate("%s%s: read %s", who, tb.name, leak)
			}
		}
	}

	cols, doc := tb.proposal(w, w.b.id, false)
	res = a.try(t, insertSQL(tb, cols), doc)
	reached("INSERT", res)
	if res.err == nil && res.tag.RowsAffected() > 0 {
		what := "a row for B"
		if tb.keyIsUnique {
			what = "a new student"
		}
		a.report.violate("%sINSERT of %s into %s succeeded", who, what, tb.name)
	}
	a.judgeWrites(who, res, nil)

	set := tb.key
	if up := r.updatable[tb.name]; len(up) > 0 {
		set = up[0]
	}
	setIdent := pgx.Identifier{set}.Sanitize()
	for _, c := range []struct {
		what, sql string
		args      []any
	}{
		{"UPDATE of B's rows", updateSQL(tb, set), []any{w.b.id.String(), jsonText(tb.victimRow)}},
		{"UPDATE giving A's rows to B", "UPDATE " + tb.ident() + " SET " + key + " = $1::uuid WHERE " + key + " = $2::uuid", []any{w.b.id.String(), w.a.id.String()}},
		{"DELETE of B's rows", "DELETE FROM " + tb.ident() + " WHERE " + key + " = $1::uuid", []any{w.b.id.String()}},
		{"TRUNCATE", "TRUNCATE " + tb.ident(), nil},
	} {
		res := a.try(t, c.sql, c.args...)
		reached(c.what, res)
		if res.err == nil && (res.tag.RowsAffected() > 0 || c.what == "TRUNCATE") {
			a.report.violate("%s%s in %s succeeded (%s)", who, c.what, tb.name, res.tag)
		}
		a.judgeWrites(who, res, nil)
	}

	// A's own rows, but the columns rule 2 keeps to the verified paths: changing one's token
	// generation back would bring revoked tokens back to life, and one's marks are the marking
	// functions' to write.
	for _, c := range tb.columns {
		if !slices.Contains(guardedColumns[tb.name], c.name) {
			continue
		}
		res := a.try(t, updateSQL(tb, c.name), w.a.id.String(), jsonText(tb.attackerRow))
		reached("UPDATE of A's own "+c.name, res)
		if res.err == nil && res.tag.RowsAffected() > 0 {
			a.report.violate("%s%s: UPDATE of A's own %s succeeded, outside the verified path", who, tb.name, c.name)
		}
		a.judgeWrites(who, res, nil)
	}

	pk := tb.primaryKey()
	if len(pk) == 0 {
		return
	}
	// On conflict with B's row: as A's row where the key is not the primary key (so the insert
	// itself passes every check and only the conflict reaches B), as B's own where it is.
	owner := w.a.id
	if tb.keyIsUnique {
		owner = w.b.id
	}
	cols, doc = tb.proposal(w, owner, true)
	res = a.try(t, insertSQL(tb, cols)+" ON CONFLICT ("+identList(pk)+") DO UPDATE SET "+setIdent+" = EXCLUDED."+setIdent, doc)
	reached("INSERT … ON CONFLICT DO UPDATE", res)
	if res.err == nil && res.tag.RowsAffected() > 0 {
		a.report.violate("%sINSERT … ON CONFLICT DO UPDATE on B's row in %s succeeded", who, tb.name)
	}
	a.judgeWrites(who, res, nil)

	cols, doc = tb.proposal(w, w.b.id, true)
	res = a.try(t, insertSQL(tb, cols)+" ON CONFLICT DO NOTHING", doc)
	reached("INSERT … ON CONFLICT DO NOTHING", res)
	if res.err == nil && res.tag.RowsAffected() > 0 {
		a.report.violate("%sINSERT … ON CONFLICT DO NOTHING of B's row into %s inserted it", who, tb.name)
	}
	a.judgeWrites(who, res, nil)
}

// guardedColumns are, by table, the columns of a student's own rows that only the definer
// functions change: sign-in, password change and logout (rule 2), and marking (migration 016).
// The exams' are tried too, though app.exam_state() would keep a student's score as it was.
var guardedColumns = map[string][]string{
	"public.students": {"password_hash", "email", "email_key", "token_generation"},
	"public.answers":  {"marks_awarded", "self_marked", "marked_at"},
	"public.exams":    {"score", "max_score", "marked_at"},
}

// updateSQL sets column col of the rows of student $1 in tb to its value in the JSON document $2
// (the row's own, so that no constraint stands in the way, only privileges and policies), without
// reading the column: an UPDATE needs no more privilege than that.
func updateSQL(tb attackTable, col string) string {
	c := pgx.Identifier{col}.Sanitize()
	return "UPDATE " + tb.ident() + " AS t SET " + c + " = r." + c +
		" FROM pg_catalog.json_populate_record(NULL::" + tb.ident() + ", $2::json) AS r WHERE t." + pgx.Identifier{tb.key}.Sanitize() + " = $1::uuid"
}

func jsonText(row map[string]any) string {
	doc, err := json.Marshal(row)
	if err != nil {
		panic(err)
	}
	return string(doc)
}

// insertSQL inserts the columns cols of the JSON document $1 into tb. The statement is built
// from the catalogue's identifiers, quoted; the values travel as one parameter.
func insertSQL(tb attackTable, cols []string) string {
	list := identList(cols)
	return "INSERT INTO " + tb.ident() + " (" + list + ") SELECT " + list +
		" FROM pg_catalog.json_populate_record(NULL::" + tb.ident() + ", $1::json) AS r"
}

func identList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = pgx.Identifier{n}.Sanitize()
	}
	return strings.Join(q, ", ")
}

func (tb attackTable) primaryKey() []string {
	var pk []string
	for _, c := range tb.columns {
		if c.primaryKey {
			pk = append(pk, c.name)
		}
	}
	return pk
}

// proposal is a row to insert, made from one of B's: the key column set to owner, and the
// columns an insert needs (NOT NULL without a default), with the primary key when withKey. Without
// withKey, every unique column is made new, so that the row collides with nothing and only the
// policies stand in its way. A stored hash in it becomes one that is nobody's: the attacker
// does not know B's.
func (tb attackTable) proposal(w *attackWorld, owner uuid.UUID, withKey bool) ([]string, string) {
	row := map[string]any{}
	var cols []string
	for _, c := range tb.columns {
		if !(c.name == tb.key || (c.notNull && !c.hasDefault) || (withKey && c.primaryKey)) {
			continue
		}
		cols = append(cols, c.name)
		v := tb.victimRow[c.name]
		if s, ok := v.(string); ok && (s == w.b.hash || strings.HasPrefix(s, "sha384-bcrypt$")) {
			v = attackHashLike
		}
		if !withKey && c.unique {
			switch c.typ {
			case "uuid":
				v = uuid.NewString()
			case "text", "character varying", "citext":
				v = "attack-" + uuid.NewString()[:8] + "-" + fmt.Sprint(v)
			}
		}
		row[c.name] = v
	}
	if !withKey && tb.keyIsUnique {
		row[tb.key] = uuid.NewString() // a student of the attacker's making
	} else {
		row[tb.key] = owner.String()
	}
	return cols, jsonText(row)
}

// argChoices are the values the attacker passes for an argument of type typ, built from B's data
// (as text, cast by the call): B's id and the ids of B's running and completed exams, B's email
// and email key, a hash and a pre-hash of the right shape, B's token generation and the next one,
// 4 (a cost app.sign_in accepts, and the number of the written question of B's exams: marks a
// self-mark of 4 is within). nil is NULL, for a type the suite has no value for.
func (w *attackWorld) argChoices(typ string) []any {
	switch typ {
	case "uuid":
		return []any{w.b.id.String(), w.b.running.String(), w.b.completed.String()}
	case "text", "character varying", "name", "citext":
		return []any{w.b.email, w.b.emailKey, attackHashLike, attackPrehashLike}
	case "bigint":
		return []any{strconv.FormatInt(w.b.gen, 10), strconv.FormatInt(w.b.gen+1, 10)}
	case "integer", "smallint":
		return []any{"4"}
	case "timestamp with time zone", "timestamp without time zone", "date":
		return []any{time.Now().UTC().Format(time.RFC3339)}
	case "inet":
		return []any{"127.0.0.1"}
	case "jsonb", "json":
		return []any{"{}"}
	case "boolean":
		return []any{"true"}
	case "bytea":
		return []any{`\x` + strings.Repeat("00", 32)}
	}
	return []any{nil}
}

// signInSignature is the sign-in the suite also calls on purpose, with B's email and a wrong
// pre-hash: it must not answer B's id.
const signInSignature = "app.sign_in(text,text,text,integer,inet,text,text)"

// filedUnderBByDesign excuses, in calls of app.sign_in and app.record_auth_failure, the failed
// attempt they file in B's trail when given B's email: that is what they are for, and HTTP does
// as much (docs/design/verified-identity.md §5.5).
func filedUnderBByDesign(f attackFunction) func(witnessed) bool {
	if f.schema != "app" || (f.fn != "sign_in" && f.fn != "record_auth_failure") {
		return nil
	}
	return func(wd witnessed) bool { return wd.op == "INSERT" && wd.table == "public.auth_events" }
}

// call calls f with arguments built by type from B's data, once per choice of the type with the
// most choices, and searches every answer.
func (a *attacker) call(t *testing.T, r attackRole, s attackSetting, f attackFunction) {
	t.Helper()
	w := a.w
	who := as(r, s)
	variants := 1
	for _, typ := range f.argTypes {
		variants = max(variants, len(w.argChoices(typ)))
	}
	var calls [][]any
	for v := 0; v < variants; v++ {
		args := make([]any, len(f.argTypes))
		for i, typ := range f.argTypes {
			choices := w.argChoices(typ)
			args[i] = choices[v%len(choices)]
		}
		calls = append(calls, args)
	}
	signIn := f.signature == signInSignature
	if signIn {
		calls = append(calls, []any{w.b.email, w.b.emailKey, attackPrehashLike, "4", "127.0.0.1", "attacker", "attack"})
	}
	for i, args := range calls {
		params := make([]string, len(args))
		var echoes []string
		for j, arg := range args {
			params[j] = fmt.Sprintf("$%d::text::%s", j+1, f.argTypes[j])
			if s, ok := arg.(string); ok {
				echoes = append(echoes, s)
			}
		}
		fn := pgx.Identifier{f.schema, f.fn}.Sanitize() + "(" + strings.Join(params, ", ") + ")"
		sql := "SELECT r FROM " + fn + " AS r"
		if f.procedure {
			sql = "CALL " + fn
		}
		res := a.try(t, sql, args...)
		for _, leak := range w.leaks(res.answer(), echoes...) {
			a.report.violate("%s%s answered %s", who, f.signature, leak)
		}
		if signIn && i == len(calls)-1 && res.err == nil && strings.Contains(res.answer(), w.b.id.String()) {
			a.report.violate("%s%s with B's email and a wrong password answered B's id", who, f.signature)
		}
		a.judgeWrites(who+f.signature+": ", res, filedUnderBByDesign(f))
	}
}
