-- Breaches of examiner's isolation rules, read from the catalogue. Each row is one breach; no
-- rows means none. The test suite fails on any row, and `make audit` prints them.
--
-- The rules:
-- * every table with a student_id column (and students itself) has row-level security enabled
--   and forced, and a permissive policy for examiner_student for each of SELECT, INSERT, UPDATE
--   and DELETE; every permissive policy that applies to examiner_student there is exactly
--   "<key> = (SELECT app.current_student_id())" in USING and in WITH CHECK, where each applies;
-- * the request roles (examiner_student, examiner_anon) and the owners of the SECURITY DEFINER
--   functions (examiner_auth, examiner_verifier, examiner_marker) cannot log in, bypass RLS,
--   replicate, or act as superusers, and own no relation or schema; none of them is a member of
--   any role (a definer owner would run its functions with that role's privileges too);
-- * the login role, examiner_authenticator, exists and can log in, and is NOINHERIT,
--   NOSUPERUSER, NOCREATEROLE, NOCREATEDB, NOREPLICATION and NOBYPASSRLS; it is a member of
--   exactly examiner_student and examiner_anon, without ADMIN OPTION, owns nothing, and has no
--   settings of its own (ALTER ROLE … SET, which every new connection would start with);
-- * examiner_verifier owns app.current_student_id(); no request role and not the login role has
--   any privilege on app.claim_keys;
-- * examiner_marker (migration 016) owns exactly the marking functions, app.mark_exam(uuid) and
--   app.self_mark(uuid,integer,integer), and nothing else in this database or the cluster: it
--   may write marks, so nothing else may run with its rights;
-- * public.question_keys (the answer keys and mark schemes) has row-level security enabled, and
--   neither examiner_anon nor the login role has any privilege on it: only examiner_student's
--   policy, for questions of the student's own completed exams, and the marker's reach it;
-- * PUBLIC, the request roles and the login role cannot create temporary objects (which could
--   shadow ours for the next request on a connection) or schemas in the database;
-- * examiner_anon has no privileges on any table or column; examiner_student none on a table
--   without RLS;
-- * every SECURITY DEFINER function a request role may execute has a fixed search_path and is
--   owned by examiner_auth, examiner_verifier or examiner_marker (whose reach is fixed by their
--   own grants and policies);
-- * views run as their caller (security_invoker).
--
-- Objects that belong to an extension (pg_depend deptype 'e'), such as the views and functions
-- pgTAP adds to the schema it is created in, are the extension's, not the application's: the
-- rules about ownership, row-level security and views are not applied to them. The SECURITY
-- DEFINER rules are: a request role that may execute an extension's definer function gets its
-- owner's rights as surely as with one of ours.
WITH app_relations AS (
  SELECT c.oid, c.relkind, c.relname, c.relowner, c.relrowsecurity, c.relforcerowsecurity, c.reloptions,
         format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')
),
all_functions AS (
  -- Every function outside the system schemas, the extensions' included.
  SELECT p.oid, p.proowner, p.prosecdef, p.proconfig
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
),
app_functions AS (
  SELECT p.* FROM all_functions p
  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'e')
),
app_schemas AS (
  SELECT n.oid, n.nspname, n.nspowner
  FROM pg_catalog.pg_namespace n
  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objid = n.oid AND d.deptype = 'e')
),
app_tables AS (
  SELECT * FROM app_relations WHERE relkind IN ('r', 'p')
),
scoped AS (
  SELECT t.*, CASE WHEN t.relname = 'students' THEN 'id' ELSE 'student_id' END AS key
  FROM app_tables t
  WHERE t.relname = 'students'
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = t.oid AND a.attname = 'student_id' AND a.attnum > 0 AND NOT a.attisdropped)
),
expected_roles (rolname) AS (
  VALUES ('examiner_student'), ('examiner_anon'), ('examiner_auth'), ('examiner_verifier'), ('examiner_marker')
),
-- The roles that own SECURITY DEFINER functions a request role may call.
definer_owners (rolname) AS (
  VALUES ('examiner_auth'), ('examiner_verifier'), ('examiner_marker')
),
-- What examiner_marker owns, and all it may own.
marker_functions (signature) AS (
  VALUES ('app.mark_exam(uuid)'), ('app.self_mark(uuid,integer,integer)')
),
roles AS (
  SELECT r.oid, r.rolname, r.rolcanlogin, r.rolbypassrls, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication
  FROM pg_catalog.pg_roles r JOIN expected_roles e USING (rolname)
),
login_role AS (
  SELECT r.oid, r.rolname, r.rolcanlogin, r.rolinherit, r.rolsuper, r.rolcreaterole, r.rolcreatedb,
         r.rolreplication, r.rolbypassrls
  FROM pg_catalog.pg_roles r WHERE r.rolname = 'examiner_authenticator'
),
login_memberships (rolname) AS (
  VALUES ('examiner_student'), ('examiner_anon')
),
-- The roles whose SQL may run on the server's connection: the request roles and the login role.
connection_roles AS (
  SELECT r.oid, r.rolname FROM pg_catalog.pg_roles r
  WHERE r.rolname IN ('examiner_student', 'examiner_anon', 'examiner_authenticator')
),
request_roles AS (
  SELECT * FROM roles WHERE rolname IN ('examiner_student', 'examiner_anon')
),
student_role AS (
  SELECT * FROM roles WHERE rolname = 'examiner_student'
),
commands (cmd, polcmd) AS (
  VALUES ('SELECT', 'r'), ('INSERT', 'a'), ('UPDATE', 'w'), ('DELETE', 'd')
),
student_policies AS (
  -- The permissive policies that examiner_student gets on student-scoped tables.
  SELECT s.name, s.key, p.polname, p.polcmd,
         pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr,
         pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr,
         format('(%I = ( SELECT app.current_student_id() AS current_student_id))', s.key) AS expected
  FROM scoped s
  JOIN pg_catalog.pg_policy p ON p.polrelid = s.oid
  CROSS JOIN student_role r
  WHERE p.polpermissive AND (r.oid = ANY (p.polroles) OR 0::oid = ANY (p.polroles))
),
breaches (object, problem) AS (
  SELECT 'role ' || e.rolname, 'does not exist'
  FROM expected_roles e WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.rolname = e.rolname)

  UNION ALL
  SELECT 'role ' || r.rolname, a.attribute
  FROM roles r,
       LATERAL (VALUES (r.rolcanlogin, 'can log in'), (r.rolbypassrls, 'bypasses row-level security'),
                       (r.rolsuper, 'is a superuser'), (r.rolcreaterole, 'can create roles'),
                       (r.rolcreatedb, 'can create databases'), (r.rolreplication, 'can replicate')) AS a(has, attribute)
  WHERE a.has

  UNION ALL
  SELECT 'role examiner_authenticator', 'does not exist (the server logs in as it)'
  WHERE NOT EXISTS (SELECT 1 FROM login_role)

  UNION ALL
  SELECT 'role ' || r.rolname, a.attribute
  FROM login_role r,
       LATERAL (VALUES (NOT r.rolcanlogin, 'cannot log in (the server logs in as it)'),
                       (r.rolinherit, 'inherits its roles'' privileges (it must reach nothing before SET ROLE: NOINHERIT)'),
                       (r.rolsuper, 'is a superuser'), (r.rolcreaterole, 'can create roles (and grant itself any role)'),
                       (r.rolcreatedb, 'can create databases'), (r.rolreplication, 'can replicate'),
                       (r.rolbypassrls, 'bypasses row-level security')) AS a(has, attribute)
  WHERE a.has

  UNION ALL
  SELECT 'role ' || r.rolname, 'is a member of ' || pg_catalog.pg_get_userbyid(m.roleid) || ' (it may be only examiner_student and examiner_anon)'
  FROM login_role r JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
  WHERE pg_catalog.pg_get_userbyid(m.roleid) NOT IN (SELECT rolname FROM login_memberships)

  UNION ALL
  SELECT 'role ' || r.rolname, 'may administer ' || pg_catalog.pg_get_userbyid(m.roleid) || ' (WITH ADMIN OPTION: it could grant it to anyone)'
  FROM login_role r JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
  WHERE m.admin_option

  UNION ALL
  SELECT 'role ' || r.rolname, 'is not a member of ' || l.rolname || ' (it could not serve those requests)'
  FROM login_role r CROSS JOIN login_memberships l
  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
                    WHERE m.member = r.oid AND pg_catalog.pg_get_userbyid(m.roleid) = l.rolname)

  UNION ALL
  -- Everything it owns in this database or in the cluster: relations, functions, schemas, types,
  -- large objects, default privileges, databases.
  SELECT 'role ' || r.rolname, 'owns ' || pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)
  FROM login_role r JOIN pg_catalog.pg_shdepend d ON d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass AND d.refobjid = r.oid
  WHERE d.deptype = 'o'
    AND d.dbid IN (0, (SELECT db.oid FROM pg_catalog.pg_database db WHERE db.datname = pg_catalog.current_database()))

  UNION ALL
  SELECT 'role ' || r.rolname, format('has settings of its own (%s), which every new connection starts with: ALTER ROLE %I RESET ALL', s.setconfig, r.rolname)
  FROM login_role r JOIN pg_catalog.pg_db_role_setting s ON s.setrole = r.oid
  WHERE s.setdatabase IN (0, (SELECT db.oid FROM pg_catalog.pg_database db WHERE db.datname = pg_catalog.current_database()))

  UNION ALL
  SELECT 'function app.current_student_id()', 'does not exist (the verifier of migration 014)'
  WHERE pg_catalog.to_regprocedure('app.current_student_id()') IS NULL

  UNION ALL
  SELECT 'function app.current_student_id()', 'owned by ' || pg_catalog.pg_get_userbyid(p.proowner) || ', not examiner_verifier'
  FROM pg_catalog.pg_proc p
  WHERE p.oid = pg_catalog.to_regprocedure('app.current_student_id()')
    AND pg_catalog.pg_get_userbyid(p.proowner) <> 'examiner_verifier'

  UNION ALL
  SELECT 'function ' || f.signature, 'does not exist (the marking functions of migration 016)'
  FROM marker_functions f WHERE pg_catalog.to_regprocedure(f.signature) IS NULL

  UNION ALL
  SELECT 'function ' || f.signature, 'owned by ' || pg_catalog.pg_get_userbyid(p.proowner) || ', not examiner_marker'
  FROM marker_functions f JOIN pg_catalog.pg_proc p ON p.oid = pg_catalog.to_regprocedure(f.signature)
  WHERE pg_catalog.pg_get_userbyid(p.proowner) <> 'examiner_marker'

  UNION ALL
  -- Everything it owns in this database or in the cluster, as for the login role.
  SELECT 'role examiner_marker', 'owns ' || pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)
         || ' (it may own only app.mark_exam(uuid) and app.self_mark(uuid,integer,integer))'
  FROM roles r JOIN pg_catalog.pg_shdepend d ON d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass AND d.refobjid = r.oid
  WHERE r.rolname = 'examiner_marker' AND d.deptype = 'o'
    AND d.dbid IN (0, (SELECT db.oid FROM pg_catalog.pg_database db WHERE db.datname = pg_catalog.current_database()))
    AND NOT (d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
             AND d.objid IN (SELECT pg_catalog.to_regprocedure(f.signature) FROM marker_functions f))

  UNION ALL
  SELECT 'role ' || r.rolname, 'is a member of ' || pg_catalog.pg_get_userbyid(m.roleid) || ' (its SECURITY DEFINER functions would run with that role''s privileges and policies)'
  FROM roles r JOIN definer_owners o USING (rolname) JOIN pg_catalog.pg_auth_members m ON m.member = r.oid

  UNION ALL
  SELECT 'table public.question_keys', 'does not exist (the answer keys of migration 016)'
  WHERE pg_catalog.to_regclass('public.question_keys') IS NULL

  UNION ALL
  SELECT 'table public.question_keys', 'row-level security is not enabled (every key and mark scheme would be readable before an exam is completed)'
  FROM pg_catalog.pg_class c
  WHERE c.oid = pg_catalog.to_regclass('public.question_keys') AND NOT c.relrowsecurity

  UNION ALL
  SELECT 'table public.question_keys', r.rolname || ' has privileges on it (the keys are for the students of completed exams only)'
  FROM connection_roles r
  WHERE r.rolname <> 'examiner_student' AND pg_catalog.to_regclass('public.question_keys') IS NOT NULL
    AND (pg_catalog.has_table_privilege(r.oid, pg_catalog.to_regclass('public.question_keys'), 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
         OR pg_catalog.has_any_column_privilege(r.oid, pg_catalog.to_regclass('public.question_keys'), 'SELECT, INSERT, UPDATE, REFERENCES'))

  UNION ALL
  SELECT 'table app.claim_keys', 'does not exist (the claim keys of migration 014)'
  WHERE pg_catalog.to_regclass('app.claim_keys') IS NULL

  UNION ALL
  SELECT 'table app.claim_keys', r.rolname || ' has privileges on it (the keys make every student''s claim)'
  FROM connection_roles r
  WHERE pg_catalog.to_regclass('app.claim_keys') IS NOT NULL
    AND (pg_catalog.has_table_privilege(r.oid, pg_catalog.to_regclass('app.claim_keys'), 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
         OR pg_catalog.has_any_column_privilege(r.oid, pg_catalog.to_regclass('app.claim_keys'), 'SELECT, INSERT, UPDATE, REFERENCES'))

  UNION ALL
  -- has_database_privilege takes no 'public'; the ACL does (no ACL at all is the default, which
  -- gives PUBLIC TEMPORARY).
  SELECT 'database ' || d.datname, 'PUBLIC may create temporary objects in it (REVOKE TEMPORARY ON DATABASE … FROM PUBLIC)'
  FROM pg_catalog.pg_database d
  WHERE d.datname = pg_catalog.current_database()
    AND (d.datacl IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.aclexplode(d.datacl) AS a
                                     WHERE a.grantee = 0 AND a.privilege_type = 'TEMPORARY'))

  UNION ALL
  SELECT 'database ' || pg_catalog.current_database(), r.rolname || ' may create ' || a.what || ' in it'
  FROM connection_roles r,
       LATERAL (VALUES ('TEMPORARY', 'temporary objects'), ('CREATE', 'schemas')) AS a(privilege, what)
  WHERE pg_catalog.has_database_privilege(r.oid, pg_catalog.current_database(), a.privilege)

  UNION ALL
  SELECT 'large object ' || l.oid, 'owned by ' || r.rolname
  FROM pg_catalog.pg_largeobject_metadata l JOIN request_roles r ON r.oid = l.lomowner

  UNION ALL
  SELECT 'role ' || r.rolname, 'is a member of ' || pg_catalog.pg_get_userbyid(m.roleid) || ' (it would gain its privileges and policies)'
  FROM request_roles r JOIN pg_catalog.pg_auth_members m ON m.member = r.oid

  UNION ALL
  SELECT name, 'row-level security is not enabled' FROM scoped WHERE NOT relrowsecurity

  UNION ALL
  SELECT name, 'row-level security is not forced (the owner would bypass it)' FROM scoped WHERE NOT relforcerowsecurity

  UNION ALL
  SELECT s.name, format('no %s policy for examiner_student', c.cmd)
  FROM scoped s CROSS JOIN commands c
  WHERE NOT EXISTS (SELECT 1 FROM student_policies p WHERE p.name = s.name AND p.polcmd IN (c.polcmd::"char", '*'))

  UNION ALL
  SELECT p.name, format('policy %I: USING is %s, want %s', p.polname, coalesce(p.using_expr, 'missing'), p.expected)
  FROM student_policies p
  WHERE p.polcmd IN ('r', 'w', 'd', '*') AND p.using_expr IS DISTINCT FROM p.expected

  UNION ALL
  SELECT p.name, format('policy %I: WITH CHECK is %s, want %s', p.polname, coalesce(p.check_expr, 'missing'), p.expected)
  FROM student_policies p
  WHERE p.polcmd IN ('a', 'w', '*') AND p.check_expr IS DISTINCT FROM p.expected

  UNION ALL
  SELECT t.name, 'examiner_student has privileges on a table without row-level security'
  FROM app_tables t CROSS JOIN student_role r
  WHERE NOT t.relrowsecurity
    AND (pg_catalog.has_table_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
         OR pg_catalog.has_any_column_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))

  UNION ALL
  SELECT t.name, 'examiner_anon has privileges on it (it must reach tables only through functions)'
  FROM app_tables t CROSS JOIN roles r
  WHERE r.rolname = 'examiner_anon'
    AND (pg_catalog.has_table_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
         OR pg_catalog.has_any_column_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))

  UNION ALL
  SELECT v.name, 'view without security_invoker (it would read as its owner, past row-level security)'
  FROM app_relations v
  WHERE v.relkind IN ('v', 'm')
    AND NOT coalesce(v.reloptions @> ARRAY['security_invoker=true'], false)
    AND NOT coalesce(v.reloptions @> ARRAY['security_invoker=on'], false)

  UNION ALL
  SELECT 'relation ' || o.name, 'owned by ' || r.rolname
  FROM app_relations o JOIN roles r ON r.oid = o.relowner

  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text, 'owned by ' || r.rolname
  FROM app_functions p JOIN request_roles r ON r.oid = p.proowner

  UNION ALL
  SELECT 'schema ' || n.nspname, 'owned by ' || r.rolname
  FROM app_schemas n JOIN roles r ON r.oid = n.nspowner

  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text,
         format('SECURITY DEFINER without a fixed search_path, and %s may execute it', r.rolname)
  FROM all_functions p
  CROSS JOIN request_roles r
  WHERE p.prosecdef
    AND pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
    AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) AS setting WHERE setting LIKE 'search\_path=%')

  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text,
         format('SECURITY DEFINER owned by %s, not examiner_auth, examiner_verifier or examiner_marker, and %s may execute it', pg_catalog.pg_get_userbyid(p.proowner), r.rolname)
  FROM all_functions p
  CROSS JOIN request_roles r
  WHERE p.prosecdef
    AND pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
    AND pg_catalog.pg_get_userbyid(p.proowner) NOT IN (SELECT rolname FROM definer_owners)
)
SELECT object, problem FROM breaches ORDER BY object, problem;
