-- Grants. Policies decide which rows a role reaches; privileges decide which tables, columns and
-- commands. examiner_student gets exactly what the API needs, never password_hash (not even its
-- own), and the audit trail is append-only for it. examiner_anon gets no table or column at all:
-- register and login reach the tables only through the functions of 05_functions.sql. Neither
-- request role may create objects (an owner bypasses privileges and row-level security).
--
-- Run by hand: pg_prove -d examiner sql/tests/04_grants.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(25);

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
SELECT table_privs_are('public', 'exams', 'examiner_student', ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'examiner_student may SELECT, INSERT, UPDATE and DELETE exams (the policies keep it to its own)');
SELECT table_privs_are('public', 'auth_events', 'examiner_student', ARRAY['SELECT', 'INSERT'],
  'examiner_student may SELECT and INSERT auth_events, not UPDATE or DELETE them (the trail is append-only)');
SELECT table_privs_are('public', 'subjects', 'examiner_student', ARRAY['SELECT'], 'examiner_student may only SELECT subjects');
SELECT table_privs_are('public', 'papers', 'examiner_student', ARRAY['SELECT'], 'examiner_student may only SELECT papers');
SELECT table_privs_are('public', 'syllabus_points', 'examiner_student', ARRAY['SELECT'], 'examiner_student may only SELECT syllabus_points');
SELECT is_empty(
  $$SELECT format('%s.%I: %s', c.oid::regclass, a.attname, p.priv)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('REFERENCES')) AS p(priv)
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND c.oid IS DISTINCT FROM to_regclass('public.students')
      AND has_column_privilege('examiner_student', c.oid, a.attnum, p.priv)
      AND NOT has_table_privilege('examiner_student', c.oid, p.priv)$$,
  'examiner_student holds no column privilege beyond its table privileges, except on students as above');
SELECT is_empty(
  $$SELECT c.oid::regclass::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND c.oid NOT IN (SELECT to_regclass(t) FROM unnest(ARRAY['public.students', 'public.exams', 'public.auth_events',
                                                             'public.subjects', 'public.papers', 'public.syllabus_points']) AS t
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
  'examiner_auth may SELECT and INSERT students (login lookup and registration); its UPDATE is per column');
SELECT set_eq(
  $$SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = to_regclass('public.students') AND a.attnum > 0 AND NOT a.attisdropped
      AND has_column_privilege('examiner_auth', a.attrelid, a.attnum, 'UPDATE')$$,
  ARRAY['password_hash', 'token_generation', 'updated_at'],
  'examiner_auth may update exactly these columns of students (rehash, password change, logout)');
SELECT table_privs_are('public', 'auth_events', 'examiner_auth', ARRAY['INSERT'],
  'examiner_auth may only INSERT auth_events (register and login events)');

SELECT * FROM finish();
ROLLBACK;
