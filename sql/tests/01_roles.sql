-- Roles. The two request roles (examiner_student for signed-in students, examiner_anon for
-- register and login) and examiner_auth (the owner of the SECURITY DEFINER functions) can never
-- log in, are not superusers, bypass no row-level security, create no roles or databases, and
-- belong to no other role, so they gain nobody's privileges or policies. The tables' owner (the
-- application's login user) is a member of each: that is how it becomes one inside a request
-- transaction. Nothing but those functions is owned by any of them.
--
-- Run by hand: pg_prove -d examiner sql/tests/01_roles.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(31);

SELECT has_role('examiner_student', 'role examiner_student exists');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'examiner_student'), false, 'examiner_student cannot log in');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'examiner_student'), false, 'examiner_student is not a superuser');
SELECT is((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'examiner_student'), false, 'examiner_student does not bypass row-level security');
SELECT is((SELECT rolcreaterole FROM pg_roles WHERE rolname = 'examiner_student'), false, 'examiner_student cannot create roles');
SELECT is((SELECT rolcreatedb FROM pg_roles WHERE rolname = 'examiner_student'), false, 'examiner_student cannot create databases');
SELECT is((SELECT rolreplication FROM pg_roles WHERE rolname = 'examiner_student'), false, 'examiner_student cannot start replication');

SELECT has_role('examiner_anon', 'role examiner_anon exists');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'examiner_anon'), false, 'examiner_anon cannot log in');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'examiner_anon'), false, 'examiner_anon is not a superuser');
SELECT is((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'examiner_anon'), false, 'examiner_anon does not bypass row-level security');
SELECT is((SELECT rolcreaterole FROM pg_roles WHERE rolname = 'examiner_anon'), false, 'examiner_anon cannot create roles');
SELECT is((SELECT rolcreatedb FROM pg_roles WHERE rolname = 'examiner_anon'), false, 'examiner_anon cannot create databases');
SELECT is((SELECT rolreplication FROM pg_roles WHERE rolname = 'examiner_anon'), false, 'examiner_anon cannot start replication');

SELECT has_role('examiner_auth', 'role examiner_auth exists');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'examiner_auth'), false, 'examiner_auth cannot log in');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'examiner_auth'), false, 'examiner_auth is not a superuser');
SELECT is((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'examiner_auth'), false, 'examiner_auth does not bypass row-level security');
SELECT is((SELECT rolcreaterole FROM pg_roles WHERE rolname = 'examiner_auth'), false, 'examiner_auth cannot create roles');
SELECT is((SELECT rolcreatedb FROM pg_roles WHERE rolname = 'examiner_auth'), false, 'examiner_auth cannot create databases');
SELECT is((SELECT rolreplication FROM pg_roles WHERE rolname = 'examiner_auth'), false, 'examiner_auth cannot start replication');

-- Memberships: a member of a role gets its privileges and falls under its policies.
SELECT is_empty(
  $$SELECT pg_get_userbyid(m.roleid) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'examiner_student'$$,
  'examiner_student is a member of no role');
SELECT is_empty(
  $$SELECT pg_get_userbyid(m.roleid) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'examiner_anon'$$,
  'examiner_anon is a member of no role');
SELECT is_empty(
  $$SELECT pg_get_userbyid(m.roleid) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'examiner_auth'$$,
  'examiner_auth is a member of no role');
SELECT is_member_of('examiner_student',
  ARRAY[(SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass('public.students'))],
  'the owner of the tables (the login user) is a member of examiner_student, to become it in requests');
SELECT is_member_of('examiner_anon',
  ARRAY[(SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass('public.students'))],
  'the owner of the tables (the login user) is a member of examiner_anon, to become it in requests');

-- Ownership: an owner bypasses privileges and, unless FORCE is set, row-level security.
SELECT is_empty(
  $$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
    WHERE r.rolname IN ('examiner_student', 'examiner_anon', 'examiner_auth')$$,
  'none of the three roles owns a table, view, sequence or index');
SELECT is_empty(
  $$SELECT n.nspname::text FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
    WHERE r.rolname IN ('examiner_student', 'examiner_anon', 'examiner_auth')$$,
  'none of the three roles owns a schema');
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
    WHERE r.rolname IN ('examiner_student', 'examiner_anon')$$,
  'the request roles own no function');
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
    WHERE r.rolname = 'examiner_auth' AND NOT p.prosecdef$$,
  'examiner_auth owns only SECURITY DEFINER functions (the doors of 05_functions.sql)');
SELECT is_empty(
  $$SELECT t.oid::regtype::text FROM pg_type t JOIN pg_roles r ON r.oid = t.typowner
    WHERE r.rolname IN ('examiner_student', 'examiner_anon', 'examiner_auth')$$,
  'none of the three roles owns a type');

SELECT * FROM finish();
ROLLBACK;
