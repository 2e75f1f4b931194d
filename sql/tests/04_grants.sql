-- Grants. Policies decide which rows a role reaches; privileges decide which tables, columns and
-- commands. examiner_student gets exactly what the API needs, never password_hash (not even its
-- own), and the audit trail is append-only for it. examiner_anon gets no table or column at all:
-- register and sign-in reach the tables only through the functions of 05_functions.sql. Neither
-- request role may create objects (an owner bypasses privileges and row-level security). The
-- login role, examiner_authenticator, holds no privilege on any table: it may find names in schema
-- app, and reaches rows only after a transaction has switched it into a request role. The claim
-- keys (app.claim_keys) are examiner_verifier's alone to read, and examiner_verifier reads of a
-- student only the two columns the verifier compares. Marks (migration 016) are examiner_marker's
-- alone to write: a student writes an exam's status (its times are the database's), its questions
-- while it is pending and the answers, never a mark or a score.
--
-- Run by hand: pg_prove -d examiner sql/tests/04_grants.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(55);

-- examiner_student, table by table. (Table privileges; column privileges follow.)
SELECT table_privs_are('public', 'students', 'examiner_student', ARRAY['DELETE'],
  'examiner_student may DELETE from students; its SELECT and UPDATE there are per column');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.students') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_student', a.attrelid, a.attnum, 'SELECT')$$,
  ARRAY['id', 'email', 'full_name', 'target_grades', 'created_at', 'updated_at'],
  'examiner_student may read exactly these columns of students (not password_hash, email_key or token_generation)');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.students') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_student', a.attrelid, a.attnum, 'UPDATE')$$,
  ARRAY['full_name', 'target_grades', 'updated_at'],
  'examiner_student may update exactly these columns of students (not email, password_hash or token_generation)');
SELECT is_empty(
  $$SELECT a.attname::text || ': ' || p.priv FROM pg_attribute a
    CROSS JOIN (VALUES ('INSERT'), ('REFERENCES')) AS p(priv)
    WHERE a.attrelid = to_regclass('public.students') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_student', a.attrelid, a.attnum, p.priv)$$,
  'examiner_student may not INSERT into students (registration is app.register_student) nor reference it');
SELECT column_privs_are('public', 'students', 'password_hash', 'examiner_student', ARRAY[]::name[],
  'examiner_student has no privilege on students.password_hash, not even to read its own');
SELECT table_privs_are('public', 'exams', 'examiner_student', ARRAY['SELECT', 'INSERT', 'DELETE'],
  'examiner_student may SELECT, INSERT and DELETE exams (the policies keep it to its own); its UPDATE is per column');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.exams') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_student', a.attrelid, a.attnum, 'UPDATE')$$,
  ARRAY['status', 'started_at', 'completed_at', 'updated_at'],
  'examiner_student may update exactly the status and times of exams (not score, max_score, marked_at, duration or type; app.exam_state() sets the times)');
SELECT table_privs_are('public', 'auth_events', 'examiner_student', ARRAY['SELECT', 'INSERT'],
  'examiner_student may SELECT and INSERT auth_events, not UPDATE or DELETE them (the trail is append-only)');
SELECT table_privs_are('public', 'subjects', 'examiner_student', ARRAY['SELECT'], 'examiner_student may only SELECT subjects');
SELECT table_privs_are('public', 'papers', 'examiner_student', ARRAY['SELECT'], 'examiner_student may only SELECT papers');
SELECT table_privs_are('public', 'syllabus_points', 'examiner_student', ARRAY['SELECT'], 'examiner_student may only SELECT syllabus_points');
-- The question bank (migration 016): read-only, the keys behind their policy.
SELECT table_privs_are('public', 'questions', 'examiner_student', ARRAY['SELECT'], 'examiner_student may only SELECT questions');
SELECT table_privs_are('public', 'question_syllabus_points', 'examiner_student', ARRAY['SELECT'], 'examiner_student may only SELECT question_syllabus_points');
SELECT table_privs_are('public', 'question_keys', 'examiner_student', ARRAY['SELECT'],
  'examiner_student may only SELECT question_keys (its policy shows the keys of its own completed exams only)');
SELECT table_privs_are('public', 'exam_questions', 'examiner_student', ARRAY['SELECT', 'INSERT'],
  'examiner_student may SELECT and INSERT exam_questions, not UPDATE or DELETE them (an exam''s questions are fixed)');
SELECT table_privs_are('public', 'answers', 'examiner_student', ARRAY['SELECT'],
  'examiner_student may SELECT answers; its INSERT and UPDATE are per column, and it may not DELETE them');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.answers') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_student', a.attrelid, a.attnum, 'INSERT')$$,
  ARRAY['exam_id', 'number', 'student_id', 'choice', 'text'],
  'examiner_student may insert exactly these columns of answers (not marks_awarded, self_marked or marked_at)');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.answers') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_student', a.attrelid, a.attnum, 'UPDATE')$$,
  ARRAY['choice', 'text', 'saved_at'],
  'examiner_student may update exactly the answer itself (not its exam, number, owner or marks)');
SELECT is_empty(
  $$SELECT format('%s.%I: %s', c.oid::regclass, a.attname, p.priv)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('REFERENCES')) AS p(priv)
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND c.oid NOT IN (SELECT to_regclass(t) FROM unnest(ARRAY['public.students', 'public.exams', 'public.answers']) AS t
                        WHERE to_regclass(t) IS NOT NULL)
      AND has_column_privilege('examiner_student', c.oid, a.attnum, p.priv)
      AND NOT has_table_privilege('examiner_student', c.oid, p.priv)$$,
  'examiner_student holds no column privilege beyond its table privileges, except on students, exams and answers as above');
SELECT is_empty(
  $$SELECT c.oid::regclass::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND c.oid NOT IN (SELECT to_regclass(t) FROM unnest(ARRAY['public.students', 'public.exams', 'public.auth_events',
                                                             'public.subjects', 'public.papers', 'public.syllabus_points',
                                                             'public.questions', 'public.question_syllabus_points', 'public.question_keys',
                                                             'public.exam_questions', 'public.answers']) AS t
                        WHERE to_regclass(t) IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      AND (has_table_privilege('examiner_student', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege('examiner_student', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
           OR (c.relkind = 'S' AND has_sequence_privilege('examiner_student', c.oid, 'USAGE, SELECT, UPDATE')))$$,
  'examiner_student has no privilege on any other table, view or sequence');

-- examiner_anon: nothing.
SELECT table_privs_are('public', 'students', 'examiner_anon', ARRAY[]::name[], 'examiner_anon has no privilege on students');
SELECT table_privs_are('public', 'exams', 'examiner_anon', ARRAY[]::name[], 'examiner_anon has no privilege on exams');
SELECT table_privs_are('public', 'auth_events', 'examiner_anon', ARRAY[]::name[], 'examiner_anon has no privilege on auth_events');
SELECT is_empty(
  $$SELECT c.oid::regclass::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      AND (has_table_privilege('examiner_anon', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege('examiner_anon', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
           OR (c.relkind = 'S' AND has_sequence_privilege('examiner_anon', c.oid, 'USAGE, SELECT, UPDATE')))$$,
  'examiner_anon has no privilege on any table, column, view or sequence');

-- Schemas: the request roles may use app (to call its functions) and public, and create in neither.
SELECT schema_privs_are('app', 'examiner_student', ARRAY['USAGE'], 'examiner_student may use schema app, not create in it');
SELECT schema_privs_are('app', 'examiner_anon', ARRAY['USAGE'], 'examiner_anon may use schema app, not create in it');
SELECT ok(NOT has_schema_privilege('examiner_student', 'public', 'CREATE'), 'examiner_student cannot create objects in schema public');
SELECT ok(NOT has_schema_privilege('examiner_anon', 'public', 'CREATE'), 'examiner_anon cannot create objects in schema public');
SELECT ok(NOT has_database_privilege('examiner_student', current_database(), 'CREATE'), 'examiner_student cannot create schemas in this database');
SELECT ok(NOT has_database_privilege('examiner_anon', current_database(), 'CREATE'), 'examiner_anon cannot create schemas in this database');

-- examiner_auth: what its functions need, and no more.
SELECT table_privs_are('public', 'students', 'examiner_auth', ARRAY['SELECT', 'INSERT'],
  'examiner_auth may SELECT and INSERT students (sign-in and registration); its UPDATE is per column');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.students') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_auth', a.attrelid, a.attnum, 'UPDATE')$$,
  ARRAY['password_hash', 'token_generation', 'updated_at'],
  'examiner_auth may update exactly these columns of students (rehash, password change, logout)');
SELECT table_privs_are('public', 'auth_events', 'examiner_auth', ARRAY['INSERT'],
  'examiner_auth may only INSERT auth_events (register and login events)');

-- examiner_marker: what the marking functions read, and the marks they write; nothing else.
SELECT table_privs_are('public', 'exams', 'examiner_marker', ARRAY['SELECT'],
  'examiner_marker may SELECT exams; its UPDATE is per column');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.exams') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_marker', a.attrelid, a.attnum, 'UPDATE')$$,
  ARRAY['score', 'max_score', 'marked_at', 'updated_at'],
  'examiner_marker may update exactly the score of exams (not their status, times or owner)');
SELECT table_privs_are('public', 'answers', 'examiner_marker', ARRAY['SELECT'],
  'examiner_marker may SELECT answers; its UPDATE is per column');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.answers') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_marker', a.attrelid, a.attnum, 'UPDATE')$$,
  ARRAY['marks_awarded', 'self_marked', 'marked_at'],
  'examiner_marker may update exactly the marks of answers (not the answer itself)');
SELECT table_privs_are('public', 'exam_questions', 'examiner_marker', ARRAY['SELECT'], 'examiner_marker may only SELECT exam_questions');
SELECT table_privs_are('public', 'question_keys', 'examiner_marker', ARRAY['SELECT'], 'examiner_marker may only SELECT question_keys');
SELECT table_privs_are('public', 'questions', 'examiner_marker', ARRAY['SELECT'], 'examiner_marker may only SELECT questions');
SELECT is_empty(
  $$SELECT c.oid::regclass::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND c.oid NOT IN (SELECT to_regclass(t) FROM unnest(ARRAY['public.exams', 'public.answers', 'public.exam_questions',
                                                             'public.question_keys', 'public.questions']) AS t
                        WHERE to_regclass(t) IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      AND (has_table_privilege('examiner_marker', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege('examiner_marker', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
           OR (c.relkind = 'S' AND has_sequence_privilege('examiner_marker', c.oid, 'USAGE, SELECT, UPDATE')))$$,
  'examiner_marker has no privilege on any other table, view or sequence (not students, not the claim keys)');

-- The login role: no table, column, view or sequence, and no schema or database privilege beyond
-- finding names in app (pgx parses a request's statements before the transaction switches role).
SELECT is_empty(
  $$SELECT c.oid::regclass::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      AND (has_table_privilege('examiner_authenticator', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege('examiner_authenticator', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
           OR (c.relkind = 'S' AND has_sequence_privilege('examiner_authenticator', c.oid, 'USAGE, SELECT, UPDATE')))$$,
  'examiner_authenticator has no privilege on any table, column, view or sequence (it must become a request role first)');
SELECT schema_privs_are('app', 'examiner_authenticator', ARRAY['USAGE'],
  'examiner_authenticator may use schema app (to resolve names), not create in it');
SELECT ok(NOT has_database_privilege('examiner_authenticator', current_database(), 'CREATE'),
  'examiner_authenticator cannot create schemas in this database');

-- The claim keys: whoever reads a key can sign a claim for any student, so examiner_verifier
-- alone may read them (inside the verifier), and nobody of the server's connection may write them
-- (the owner installs keys: examiner keys install).
SELECT table_privs_are('app', 'claim_keys', 'examiner_verifier', ARRAY['SELECT'],
  'examiner_verifier may only SELECT app.claim_keys (the verifier looks a key up by kid)');
SELECT table_privs_are('app', 'claim_keys', r.name, ARRAY[]::name[], r.name || ' has no privilege on app.claim_keys')
FROM (VALUES (1, 'examiner_student'), (2, 'examiner_anon'), (3, 'examiner_auth'), (4, 'examiner_authenticator')) AS r(n, name)
ORDER BY r.n;
SELECT is_empty(
  $$SELECT r.name || ': ' || a.attname || ' ' || p.priv
    FROM (VALUES ('examiner_student'), ('examiner_anon'), ('examiner_auth'), ('examiner_authenticator')) AS r(name)
    CROSS JOIN pg_attribute a
    CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('REFERENCES')) AS p(priv)
    WHERE a.attrelid = to_regclass('app.claim_keys') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege(r.name, a.attrelid, a.attnum, p.priv)$$,
  'no role of the server''s connection, nor examiner_auth, has a privilege on any column of app.claim_keys');
SELECT set_eq(
  $$SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END || ' ' || a.privilege_type
    FROM pg_class c CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS a
    WHERE c.oid = to_regclass('app.claim_keys') AND a.grantee <> c.relowner
    UNION
    SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END || ' ' || a.privilege_type || ' (' || att.attname || ')'
    FROM pg_attribute att CROSS JOIN LATERAL aclexplode(att.attacl) AS a
    WHERE att.attrelid = to_regclass('app.claim_keys') AND att.attacl IS NOT NULL$$,
  ARRAY['examiner_verifier SELECT'],
  'app.claim_keys grants exactly SELECT to examiner_verifier, to nobody else anything (besides its owner)');

-- examiner_verifier: of a student, the id and the token generation, read inside the verifier.
SELECT table_privs_are('public', 'students', 'examiner_verifier', ARRAY[]::name[],
  'examiner_verifier has no table privilege on students; its SELECT is per column');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.students') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_verifier', a.attrelid, a.attnum, 'SELECT')$$,
  ARRAY['id', 'token_generation'],
  'examiner_verifier may read exactly id and token_generation of students (not password_hash, email or email_key)');
SELECT is_empty(
  $$SELECT a.attname::text || ': ' || p.priv FROM pg_attribute a
    CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('REFERENCES')) AS p(priv)
    WHERE a.attrelid = to_regclass('public.students') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_verifier', a.attrelid, a.attnum, p.priv)$$,
  'examiner_verifier may not INSERT into, UPDATE or reference students');
SELECT is_empty(
  $$SELECT c.oid::regclass::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND c.oid NOT IN (SELECT to_regclass(t) FROM unnest(ARRAY['public.students', 'app.claim_keys']) AS t WHERE to_regclass(t) IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      AND (has_table_privilege('examiner_verifier', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege('examiner_verifier', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
           OR (c.relkind = 'S' AND has_sequence_privilege('examiner_verifier', c.oid, 'USAGE, SELECT, UPDATE')))$$,
  'examiner_verifier has no privilege on any other table, view or sequence');

SELECT * FROM finish();
ROLLBACK;
