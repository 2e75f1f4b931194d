-- Roles. The two request roles (examiner_student for signed-in students, examiner_anon for
-- register and sign-in), examiner_auth (the owner of the SECURITY DEFINER functions) and
-- examiner_verifier (the owner of the claim verifier, migration 014) and examiner_marker (the
-- owner of the marking functions, migration 016) can never log in, are not superusers, bypass no
-- row-level security, create no roles or databases, and belong to no other role, so they gain
-- nobody's privileges or policies. The tables' owner is a member of each: that is how it becomes
-- a request role, and how it hands functions to examiner_auth, examiner_verifier and
-- examiner_marker. Nothing but those functions is owned by any of them.
--
-- The server logs in as examiner_authenticator (migration 012): it may log in and nothing more,
-- inherits nothing (NOINHERIT), owns nothing, and is a member of the two request roles only, so
-- whatever SQL runs on its connection can become a request role and no more. PUBLIC, which every
-- role is part of, may not create temporary tables in the database nor objects in schema public
-- (migration 013), and pgcrypto's schema crypto is for the two definer owners only.
--
-- Run by hand: pg_prove -d examiner sql/tests/01_roles.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(71);

-- The five roles, and each attribute that must be off, one check per role and attribute.
SELECT has_role(r.name, 'role ' || r.name || ' exists')
FROM (VALUES ('examiner_student'), ('examiner_anon'), ('examiner_auth'), ('examiner_verifier'),
             ('examiner_marker'), ('examiner_authenticator')) AS r(name);
SELECT is(a.has, false, r.name || ' ' || a.rule)
FROM (VALUES (1, 'examiner_student'), (2, 'examiner_anon'), (3, 'examiner_auth'), (4, 'examiner_verifier'),
             (5, 'examiner_marker')) AS r(n, name)
LEFT JOIN pg_roles p ON p.rolname = r.name
CROSS JOIN LATERAL (VALUES (1, p.rolcanlogin,    'cannot log in'),
                           (2, p.rolsuper,       'is not a superuser'),
                           (3, p.rolbypassrls,   'does not bypass row-level security'),
                           (4, p.rolcreaterole,  'cannot create roles'),
                           (5, p.rolcreatedb,    'cannot create databases'),
                           (6, p.rolreplication, 'cannot start replication')) AS a(n, has, rule)
ORDER BY r.n, a.n;

-- The login role: it logs in, and every other attribute is off. NOINHERIT: it holds none of the
-- request roles' privileges until a transaction switches into one.
SELECT is(a.has, a.want, 'examiner_authenticator ' || a.rule)
FROM pg_roles p
CROSS JOIN LATERAL (VALUES (1, p.rolcanlogin,    true,  'can log in (it is the server''s connection)'),
                           (2, p.rolinherit,     false, 'is NOINHERIT: it uses a request role''s privileges only after switching to it'),
                           (3, p.rolsuper,       false, 'is not a superuser'),
                           (4, p.rolbypassrls,   false, 'does not bypass row-level security'),
                           (5, p.rolcreaterole,  false, 'cannot create roles'),
                           (6, p.rolcreatedb,    false, 'cannot create databases'),
                           (7, p.rolreplication, false, 'cannot start replication')) AS a(n, has, want, rule)
WHERE p.rolname = 'examiner_authenticator'
ORDER BY a.n;

-- Memberships: a member of a role gets its privileges and falls under its policies.
SELECT is(ARRAY(SELECT pg_get_userbyid(m.roleid)::text FROM pg_auth_members m WHERE m.member = p.oid ORDER BY 1),
          '{}'::text[], r.name || ' is a member of no role')
FROM (VALUES (1, 'examiner_student'), (2, 'examiner_anon'), (3, 'examiner_auth'), (4, 'examiner_verifier'),
             (5, 'examiner_marker')) AS r(n, name)
LEFT JOIN pg_roles p ON p.rolname = r.name
ORDER BY r.n;
SELECT is(ARRAY(SELECT pg_get_userbyid(m.roleid)::text FROM pg_auth_members m
                WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = 'examiner_authenticator') ORDER BY 1),
          ARRAY['examiner_anon', 'examiner_student'],
          'examiner_authenticator is a member of exactly examiner_anon and examiner_student');
SELECT is_empty(
  $$SELECT pg_get_userbyid(m.roleid)::text FROM pg_auth_members m
    WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = 'examiner_authenticator') AND m.admin_option$$,
  'examiner_authenticator holds no membership WITH ADMIN OPTION (it can grant the request roles to nobody)');
SELECT is_member_of('examiner_student',
  ARRAY[(SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass('public.students'))],
  'the owner of the tables is a member of examiner_student, to become it in requests');
SELECT is_member_of('examiner_anon',
  ARRAY[(SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass('public.students'))],
  'the owner of the tables is a member of examiner_anon, to become it in requests');
-- (The owner of every database migrated in the cluster is a member of examiner_verifier, roles
-- being the cluster's; what matters is that no role of the server's connection is, even through
-- another role.)
SELECT is_empty(
  $$SELECT r.name FROM (VALUES ('examiner_authenticator'), ('examiner_student'), ('examiner_anon'), ('examiner_auth')) AS r(name)
    WHERE pg_has_role(r.name, 'examiner_verifier', 'MEMBER')$$,
  'neither the login role, nor a request role, nor examiner_auth is a member of examiner_verifier (which may read the claim keys), directly or not');
SELECT is_empty(
  $$SELECT r.name FROM (VALUES ('examiner_authenticator'), ('examiner_student'), ('examiner_anon'), ('examiner_auth'), ('examiner_verifier')) AS r(name)
    WHERE pg_has_role(r.name, 'examiner_marker', 'MEMBER')$$,
  'neither the login role, nor a request role, nor the other definer owners is a member of examiner_marker (which writes marks), directly or not');

-- Ownership: an owner bypasses privileges and, unless FORCE is set, row-level security.
SELECT is_empty(
  $$SELECT c.oid::regclass::text FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
    WHERE r.rolname IN ('examiner_student', 'examiner_anon', 'examiner_auth', 'examiner_verifier', 'examiner_marker')$$,
  'none of the five roles owns a table, view, sequence or index');
SELECT is_empty(
  $$SELECT n.nspname::text FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
    WHERE r.rolname IN ('examiner_student', 'examiner_anon', 'examiner_auth', 'examiner_verifier', 'examiner_marker')$$,
  'none of the five roles owns a schema');
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
    WHERE r.rolname IN ('examiner_student', 'examiner_anon')$$,
  'the request roles own no function');
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
    WHERE r.rolname = 'examiner_auth' AND NOT p.prosecdef$$,
  'examiner_auth owns only SECURITY DEFINER functions (the doors of 05_functions.sql)');
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
    WHERE r.rolname = 'examiner_verifier' AND NOT p.prosecdef$$,
  'examiner_verifier owns only SECURITY DEFINER functions (the verifier of 05_functions.sql)');
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
    WHERE r.rolname = 'examiner_marker' AND NOT p.prosecdef$$,
  'examiner_marker owns only SECURITY DEFINER functions (the marking functions of 05_functions.sql)');
SELECT is_empty(
  $$SELECT t.oid::regtype::text FROM pg_type t JOIN pg_roles r ON r.oid = t.typowner
    WHERE r.rolname IN ('examiner_student', 'examiner_anon', 'examiner_auth', 'examiner_verifier', 'examiner_marker')$$,
  'none of the five roles owns a type');
-- pg_shdepend records every owner, of every kind of object, in this database and the cluster.
SELECT is_empty(
  $$SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
    FROM pg_shdepend d
    WHERE d.refclassid = 'pg_authid'::regclass AND d.deptype = 'o'
      AND d.refobjid = (SELECT oid FROM pg_roles WHERE rolname = 'examiner_authenticator')
      AND d.dbid IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))$$,
  'examiner_authenticator owns nothing: no table, function, schema, type or database');

-- TEMP on the database: a temporary table, function or view named like one of ours would shadow
-- it for later requests on the same pooled connection (pg_temp is searched first). PostgreSQL
-- grants TEMP to PUBLIC by default (a NULL datacl is that default); migration 013 took it back.
SELECT is_empty(
  $$SELECT 'PUBLIC has ' || a.privilege_type
    FROM pg_database d CROSS JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) AS a
    WHERE d.datname = current_database() AND a.grantee = 0 AND a.privilege_type = 'TEMPORARY'$$,
  'PUBLIC may not create temporary objects in this database');
SELECT is(has_database_privilege(r.name, current_database(), 'TEMP'), false,
          r.name || ' cannot create temporary tables, views or functions in this database')
FROM (VALUES (1, 'examiner_authenticator'), (2, 'examiner_student'), (3, 'examiner_anon')) AS r(n, name)
ORDER BY r.n;

-- CREATE on schema public, PUBLIC's by default before PostgreSQL 15 (and in restored dumps).
SELECT is_empty(
  $$SELECT 'PUBLIC has ' || a.privilege_type
    FROM pg_namespace n CROSS JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) AS a
    WHERE n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'CREATE'$$,
  'PUBLIC may not create objects in schema public');
SELECT ok(NOT has_schema_privilege('examiner_authenticator', 'public', 'CREATE'),
  'examiner_authenticator cannot create objects in schema public');

-- pgcrypto lives in schema crypto, which only the definer owners may use: no request role can
-- compute an HMAC with a key it guessed, nor run bcrypt at a cost of its choosing, directly.
SELECT is((SELECT e.extnamespace::regnamespace::text FROM pg_extension e WHERE e.extname = 'pgcrypto'), 'crypto',
  'pgcrypto is installed in schema crypto');
SELECT set_eq(
  $$SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END
    FROM pg_namespace n CROSS JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) AS a
    WHERE n.nspname = 'crypto' AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner$$,
  ARRAY['examiner_verifier', 'examiner_auth'],
  'schema crypto may be used by exactly examiner_verifier and examiner_auth (besides its owner)');
SELECT is_empty(
  $$SELECT r.name || ' may ' || p.priv || ' schema crypto'
    FROM (VALUES ('examiner_authenticator'), ('examiner_student'), ('examiner_anon')) AS r(name)
    CROSS JOIN (VALUES ('USAGE'), ('CREATE')) AS p(priv)
    WHERE has_schema_privilege(r.name, 'crypto', p.priv)$$,
  'neither the login role nor a request role may use or create in schema crypto');

SELECT * FROM finish();
ROLLBACK;
