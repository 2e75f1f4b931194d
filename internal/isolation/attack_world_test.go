package isolation_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/dbclaim"
	"examiner/internal/password"
	"examiner/internal/store"
	"examiner/internal/testdb"
)

// attackStudent is a student of the attacker suite's world, registered through the real path.
type attackStudent struct {
	name            string // "A", "B", "C"
	id              uuid.UUID
	email, emailKey string
	password        string
	gen             int64
	hash            string // as stored; searched for in every answer, never printed
	// running and completed are exams with questions and answers (migration 016): one started
	// and answered, one submitted and marked. Question 4 of each is the written one.
	running, completed uuid.UUID
}

// attackWorld is one database with three students: A, whose claim the attacker holds; B, the
// victim; C, the student the attacker's connection serves next.
type attackWorld struct {
	url       string
	owner     *pgx.Conn // the superuser: fixtures and checks behind row-level security
	ownerName string
	a, b, c   attackStudent
}

// newAttackWorld registers A, B and C as the server does (store.Register as examiner_anon, on the
// login role's connection), signs B in once (a login event in B's trail), and gives each a
// practice exam, B two, and two exams with questions and answers: one running, one completed and
// marked (so that every student has rows in exam_questions and answers, and the marking functions
// have an exam of B's to be called with).
func newAttackWorld(t *testing.T, url string) *attackWorld {
	t.Helper()
	ctx := context.Background()
	owner, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close(context.Background()) })
	w := &attackWorld{url: url, owner: owner}
	if err := owner.QueryRow(ctx, `SELECT session_user`).Scan(&w.ownerName); err != nil {
		t.Fatal(err)
	}

	hasher, err := password.NewHasher(4, 1) // the cheapest cost app.sign_in accepts
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(testdb.LoginPool(t, url))
	// Mixed case, so that an email and its key are different strings; and this world's own, so
	// that nothing another test's world shows can pass for them.
	tag := uuid.NewString()[:8]
	for _, s := range []struct {
		into        *attackStudent
		name, email string
	}{{&w.a, "A", "Alice.Attacker+" + tag + "@Example.com"}, {&w.b, "B", "Bea.Victim+" + tag + "@Example.com"}, {&w.c, "C", "Cal.Next+" + tag + "@Example.com"}} {
		s.into.name, s.into.email, s.into.emailKey = s.name, s.email, examiner.EmailKey(s.email)
		s.into.password = "the password of " + s.name
		hash, err := hasher.Hash(ctx, s.into.password)
		if err != nil {
			t.Fatal(err)
		}
		p, err := st.Register(ctx, s.into.email, s.into.emailKey, hash, "Student "+s.name, store.Client{})
		if err != nil {
			t.Fatalf("register %s: %v", s.name, err)
		}
		s.into.id = p.ID
	}
	if id, _, reason, err := st.SignIn(ctx, w.b.email, w.b.emailKey, password.Prehash(w.b.password), 4, store.Client{}); err != nil || id != w.b.id {
		t.Fatalf("B signs in: got %v, reason %q, error %v; want B", id, reason, err)
	}

	for _, s := range []*attackStudent{&w.a, &w.b, &w.c} {
		if err := owner.QueryRow(ctx, `SELECT token_generation, password_hash FROM public.students WHERE id = $1`, s.id).Scan(&s.gen, &s.hash); err != nil {
			t.Fatal(err)
		}
	}

	var subject uuid.UUID
	if err := owner.QueryRow(ctx, `
		WITH s AS (
		  INSERT INTO public.subjects (code, name, level, exam_board, syllabus_year)
		  VALUES ('9708', 'Economics', 'AS & A Level', 'Cambridge', '2026') RETURNING id
		), p AS (
		  INSERT INTO public.papers (subject_id, number, name, level, duration_minutes, total_marks)
		  SELECT s.id, n, 'Paper ' || n, 'AS', 60, 30 FROM s CROSS JOIN (VALUES (1), (2)) AS v(n)
		)
		SELECT id FROM s`).Scan(&subject); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*attackStudent{&w.a, &w.b, &w.b, &w.c} {
		if _, err := owner.Exec(ctx, `INSERT INTO public.exams (student_id, subject_id, exam_type) VALUES ($1, $2, 'PRACTICE')`, s.id, subject); err != nil {
			t.Fatal(err)
		}
	}
	questions, err := insertQuestions(ctx, owner, subject)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*attackStudent{&w.a, &w.b, &w.c} {
		for _, e := range []struct {
			into *uuid.UUID
			exam fixtureExam
		}{
			{&s.running, fixtureExam{status: "IN_PROGRESS", startedAgo: "5 minutes", duration: minutes(60),
				questions: []string{"m1", "m2", "m3", "w1"}, answers: map[int]string{1: "A", 4: "An essay of " + s.name + "."}}},
			{&s.completed, fixtureExam{status: "COMPLETED", startedAgo: "1 hour",
				questions: []string{"m1", "m2", "m3", "w1"}, answers: map[int]string{1: "B", 4: "An essay of " + s.name + "."}}},
		} {
			if *e.into, err = insertExam(ctx, owner, questions, s.id, s.gen, subject, e.exam); err != nil {
				t.Fatalf("an exam of %s: %v", s.name, err)
			}
		}
	}
	return w
}

// attackSetting is what the attacker sets app.claim to. app.student_id, which nothing reads any
// more, is B's id in every one of them.
type attackSetting struct {
	name  string
	claim string
	// genuine marks the one claim the database must accept: A's own.
	genuine bool
}

// settings are the claims an attacker can lay hands on or make: A's own, and every way of
// turning it (or nothing) into B's.
func (w *attackWorld) settings() []attackSetting {
	day := time.Now().Add(24 * time.Hour)
	genuine := testdb.Claims.Claim(w.a.id, w.a.gen, day)
	otherSecret := make([]byte, 32)
	if _, err := rand.Read(otherSecret); err != nil {
		panic(err)
	}
	randomKey, err := dbclaim.NewSigner(otherSecret, dbclaim.DefaultKID)
	if err != nil {
		panic(err)
	}
	uninstalled, err := dbclaim.NewSigner(testdb.JWTSecret, "attack9")
	if err != nil {
		panic(err)
	}
	return []attackSetting{
		{name: "A's genuine claim", claim: genuine, genuine: true},
		{name: "A's claim with B's uuid", claim: strings.Replace(genuine, w.a.id.String(), w.b.id.String(), 1)},
		{name: "a claim for B under a random key", claim: randomKey.Claim(w.b.id, w.b.gen, day)},
		{name: "A's expired claim", claim: testdb.Claims.Claim(w.a.id, w.a.gen, time.Now().Add(-time.Hour))},
		{name: "A's claim of another generation", claim: testdb.Claims.Claim(w.a.id, w.a.gen+1, day)},
		{name: "a claim for B under a kid not installed", claim: uninstalled.Claim(w.b.id, w.b.gen, day)},
		{name: "no claim", claim: ""},
	}
}

// others are the students whose ids and emails must never reach the attacker.
func (w *attackWorld) others() []attackStudent { return []attackStudent{w.b, w.c} }

// hashPrefixes mark a password hash in any answer: bcrypt's and the stored scheme's.
var hashPrefixes = []string{"$2a$", "$2b$", "$2y$", "sha384-bcrypt$"}

// leaks returns what of the secrets answer holds: another student's id or email, a stored hash
// (A's included), or anything shaped like one. echoes are the attempt's own arguments, which an
// answer may repeat without leaking anything.
func (w *attackWorld) leaks(answer string, echoes ...string) []string {
	for _, e := range echoes {
		if e != "" {
			answer = strings.ReplaceAll(answer, e, "")
		}
	}
	var found []string
	for _, s := range w.others() {
		if strings.Contains(answer, s.id.String()) {
			found = append(found, s.name+"'s id")
		}
		if strings.Contains(answer, s.email) || strings.Contains(answer, s.emailKey) {
			found = append(found, s.name+"'s email")
		}
	}
	for _, s := range []attackStudent{w.a, w.b, w.c} {
		if strings.Contains(answer, s.hash) {
			found = append(found, s.name+"'s password hash")
		}
	}
	for _, p := range hashPrefixes {
		if strings.Contains(answer, p) {
			found = append(found, "something shaped like a password hash ("+p+")")
		}
	}
	return found
}

// witnessSQL plants, as the owner, a trigger on every student-scoped table that reports each row
// a statement inserts, updates or deletes (and each TRUNCATE) to the client as a WARNING, with
// the row's student: the attempts are rolled back, so this is how the suite sees what a function
// wrote before it was. The schema is the harness's; no request role may use it, and a trigger
// function needs no privilege of the user whose statement fires it.
const witnessSQL = `
CREATE SCHEMA attack_witness;
CREATE FUNCTION attack_witness.report() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    RAISE WARNING USING MESSAGE = 'attack witness', DETAIL = concat_ws(' ', TG_OP, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
  END IF;
  RAISE WARNING USING MESSAGE = 'attack witness', DETAIL = concat_ws(' ', TG_OP, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
    coalesce(CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) ->> TG_ARGV[0] END, '-'),
    coalesce(CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) ->> TG_ARGV[0] END, '-'));
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION attack_witness.report() FROM PUBLIC`

func (w *attackWorld) plantWitness(t *testing.T, plan *attackPlan) {
	t.Helper()
	ctx := context.Background()
	if _, err := w.owner.Exec(ctx, witnessSQL); err != nil {
		t.Fatalf("plant the witness: %v", err)
	}
	for i, tb := range plan.tables {
		// Identifiers from the catalogue, quoted; the key column travels as a trigger argument.
		name := fmt.Sprintf("attack_witness_%d", i)
		for _, ddl := range []string{
			`CREATE TRIGGER ` + pgx.Identifier{name}.Sanitize() + ` AFTER INSERT OR UPDATE OR DELETE ON ` + tb.ident() +
				` FOR EACH ROW EXECUTE FUNCTION attack_witness.report(` + quoteLiteral(tb.key) + `)`,
			`CREATE TRIGGER ` + pgx.Identifier{name + "_truncate"}.Sanitize() + ` BEFORE TRUNCATE ON ` + tb.ident() +
				` FOR EACH STATEMENT EXECUTE FUNCTION attack_witness.report()`,
		} {
			if _, err := w.owner.Exec(ctx, ddl); err != nil {
				t.Fatalf("plant the witness on %s: %v", tb.name, err)
			}
		}
	}
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// attackSnapshot is digests of what the attacker must not change, by what they digest.
type attackSnapshot struct {
	names   []string
	digests map[string]string
}

// catalogueDigests digest, as the owner, what rule 3 protects: policies and row-level security,
// the ACLs of tables, columns, functions, schemas and the database, role attributes, memberships
// and settings, functions' bodies, owners and settings, the claim keys, large objects, extensions,
// triggers, and how many objects each schema holds (temporary ones included).
const catalogueDigests = `
SELECT 'policies', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s %s %s %s %s', p.polrelid::regclass, p.polname, p.polcmd, p.polpermissive,
                p.polroles::regrole[], pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)) AS x
  FROM pg_catalog.pg_policy p) AS s
UNION ALL
SELECT 'row-level security, owners and ACLs of relations', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s %s %s %s', c.oid::regclass, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relowner::regrole, c.relacl) AS x
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast') AS s
UNION ALL
SELECT 'column privileges', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s', a.attrelid::regclass, a.attname, a.attacl) AS x
  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE a.attacl IS NOT NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema')) AS s
UNION ALL
SELECT 'roles and their attributes', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s %s %s %s %s %s %s', r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb,
                r.rolcanlogin, r.rolreplication, r.rolbypassrls, r.rolconnlimit) AS x
  FROM pg_catalog.pg_roles r) AS s
UNION ALL
SELECT 'role memberships', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s', m.roleid::regrole, m.member::regrole, m.admin_option) AS x FROM pg_catalog.pg_auth_members m) AS s
UNION ALL
SELECT 'role settings (ALTER ROLE … SET)', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s', s.setdatabase, s.setrole, s.setconfig) AS x FROM pg_catalog.pg_db_role_setting s) AS s
UNION ALL
SELECT 'functions: bodies, owners, settings and ACLs', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s %s %s %s %s', p.oid::regprocedure, p.proowner::regrole, p.prosecdef, p.provolatile,
                p.proconfig, p.proacl, md5(p.prosrc)) AS x
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')) AS s
UNION ALL
SELECT 'schemas and their ACLs', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s', n.nspname, n.nspowner::regrole, n.nspacl) AS x
  FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_toast') AS s
UNION ALL
SELECT 'objects in each schema', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s %s', n.nspname,
                (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid),
                (SELECT count(*) FROM pg_catalog.pg_type y WHERE y.typnamespace = n.oid),
                (SELECT count(*) FROM pg_catalog.pg_operator o WHERE o.oprnamespace = n.oid)) AS x
  FROM pg_catalog.pg_namespace n) AS s
UNION ALL
SELECT 'the database''s ACL and owner', md5(format('%s %s', d.datacl, d.datdba::regrole))
FROM pg_catalog.pg_database d WHERE d.datname = current_database()
UNION ALL
SELECT 'default privileges', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s %s', d.defaclrole::regrole, d.defaclnamespace, d.defaclobjtype, d.defaclacl) AS x
  FROM pg_catalog.pg_default_acl d) AS s
UNION ALL
SELECT 'app.claim_keys', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s', k.kid, md5(k.key), k.created_at) AS x FROM app.claim_keys k) AS s
UNION ALL
SELECT 'large objects', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s', l.oid, l.lomowner::regrole, l.lomacl) AS x FROM pg_catalog.pg_largeobject_metadata l) AS s
UNION ALL
SELECT 'extensions', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s', e.extname, e.extnamespace::regnamespace, e.extversion) AS x FROM pg_catalog.pg_extension e) AS s
UNION ALL
SELECT 'triggers', md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT format('%s %s %s', g.tgrelid::regclass, g.tgname, g.tgenabled) AS x FROM pg_catalog.pg_trigger g WHERE NOT g.tgisinternal) AS s`

// snapshot digests B's rows in every student-scoped table and the catalogue, as the owner.
func (w *attackWorld) snapshot(t *testing.T, plan *attackPlan) attackSnapshot {
	t.Helper()
	ctx := context.Background()
	s := attackSnapshot{digests: map[string]string{}}
	for _, tb := range plan.tables {
		name := "B's rows in " + tb.name + " (by " + tb.key + ")"
		var digest string
		// As the owner, past row-level security; identifiers from the catalogue, quoted.
		if err := w.owner.QueryRow(ctx, `SELECT md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM `+
			tb.ident()+` AS t WHERE t.`+pgx.Identifier{tb.key}.Sanitize()+` = $1`, w.b.id).Scan(&digest); err != nil {
			t.Fatalf("digest B's rows in %s: %v", tb.name, err)
		}
		s.names = append(s.names, name)
		s.digests[name] = digest
	}
	rows, err := w.owner.Query(ctx, catalogueDigests)
	if err != nil {
		t.Fatalf("digest the catalogue: %v", err)
	}
	for rows.Next() {
		var name, digest string
		if err := rows.Scan(&name, &digest); err != nil {
			t.Fatal(err)
		}
		s.names = append(s.names, name)
		s.digests[name] = digest
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("digest the catalogue: %v", err)
	}
	return s
}

// catalogueBreaches runs the DBA's catalogue check as the owner and returns its rows.
func catalogueBreaches(t *testing.T, owner *pgx.Conn) []string {
	t.Helper()
	query, err := os.ReadFile("../../sql/audit/rls_violations.sql")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := owner.Query(context.Background(), string(query))
	if err != nil {
		t.Fatalf("catalogue check: %v", err)
	}
	var out []string
	for rows.Next() {
		var object, problem string
		if err := rows.Scan(&object, &problem); err != nil {
			t.Fatal(err)
		}
		out = append(out, object+": "+problem)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("catalogue check: %v", err)
	}
	return out
}
