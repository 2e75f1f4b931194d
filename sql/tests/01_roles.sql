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

-- The three roles, and each attribute that must be off, one check per role and attribute.
SELECT has_role(r.name, 'role ' || r.name || ' exists')
FROM (VALUES ('examiner_student'), ('examiner_anon'), ('examiner_auth')) AS r(name);
SELECT is(a.has, false, r.name || ' ' || a.rule)
FROM (VALUES (1, 'examiner_student'), (2, 'examiner_anon'), (3, 'examiner_auth')) AS r(n, name)
LEFT JOIN pg_roles p ON p.rolname = r.name
CROSS JOIN LATERAL (VALUES (1, p.rolcanlogin,    'cannot log in'),
                           (2, p.rolsuper,       'is not a superuser'),
                           (3, p.rolbypassrls,   'does not bypass row-level security'),
                           (4, p.rolcreaterole,  'cannot create roles'),
                           (5, p.rolcreatedb,    'cannot create databases'),
                           (6, p.rolreplication, 'cannot start replication')) AS a(n, has, rule)
ORDER BY r.n, a.n;

-- Memberships: a member of a role gets its privileges and falls under its policies.
SELECT is(ARRAY(SELECT pg_get_userbyid(m.roleid)::text FROM pg_auth_members m WHERE m.member = p.oid ORDER BY 1),
          '{}'::text[], r.name || ' is a member of no role')
FROM (VALUES (1, 'examiner_student'), (2, 'examiner_anon'), (3, 'examiner_auth')) AS r(n, name)
LEFT JOIN pg_roles p ON p.rolname = r.name
ORDER BY r.n;
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
