-- Row-level security on every table. The student-scoped tables (students, exams, auth_events)
-- have it enabled AND forced: forced means it holds for the tables' owner too, so a query of the
-- login user that forgot to become a request role fails closed. The shared catalogue (subjects,
-- papers, syllabus_points) has it enabled, not forced, so the owner can seed it; students only read
-- it. The last two checks look at the whole catalogue, so they also cover tables added later.
-- (app.claim_keys has no row-level security: no role of the server's connection may touch it at
-- all, see 04_grants.sql.)
--
-- Run by hand: pg_prove -d examiner sql/tests/02_rls.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(17);

-- Student-scoped tables.
SELECT has_table('public', 'students', 'table students exists');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('public.students')), 'row-level security is enabled on students');
SELECT ok((SELECT relforcerowsecurity FROM pg_class WHERE oid = to_regclass('public.students')), 'row-level security is forced on students (it binds the owner too)');

SELECT has_table('public', 'exams', 'table exams exists');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('public.exams')), 'row-level security is enabled on exams');
SELECT ok((SELECT relforcerowsecurity FROM pg_class WHERE oid = to_regclass('public.exams')), 'row-level security is forced on exams (it binds the owner too)');

SELECT has_table('public', 'auth_events', 'table auth_events exists');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('public.auth_events')), 'row-level security is enabled on auth_events');
SELECT ok((SELECT relforcerowsecurity FROM pg_class WHERE oid = to_regclass('public.auth_events')), 'row-level security is forced on auth_events (it binds the owner too)');

-- The shared catalogue.
SELECT has_table('public', 'subjects', 'table subjects exists');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('public.subjects')), 'row-level security is enabled on subjects');
SELECT has_table('public', 'papers', 'table papers exists');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('public.papers')), 'row-level security is enabled on papers');
SELECT has_table('public', 'syllabus_points', 'table syllabus_points exists');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('public.syllabus_points')), 'row-level security is enabled on syllabus_points');

-- Every table, including any added later.
SELECT is_empty(
  $$SELECT c.oid::regclass::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND (c.relname = 'students'
           OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'student_id' AND NOT a.attisdropped))
      AND NOT (c.relrowsecurity AND c.relforcerowsecurity)$$,
  'every student-scoped table (students, and any table with a student_id column) has row-level security enabled and forced');
SELECT is_empty(
  $$SELECT c.oid::regclass::text || ' (reachable by ' || r.rolname || ')'
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN pg_roles r
    WHERE c.relkind IN ('r', 'p', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      AND r.rolname IN ('examiner_student', 'examiner_anon', 'examiner_authenticator')
      AND NOT c.relrowsecurity
      AND (has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           OR has_any_column_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))$$,
  'every table a request role or the login role has any privilege on has row-level security enabled');

SELECT * FROM finish();
ROLLBACK;
