-- Breaches of examiner's isolation rules, read from the catalogue. Each row is one breach; no
-- rows means none. The test suite fails on any row, and `make audit` prints them.
--
-- The rules:
-- * every table with a student_id column (and students itself) has row-level security enabled
--   and forced, and a permissive policy for examiner_student for each of SELECT, INSERT, UPDATE
--   and DELETE; every permissive policy that applies to examiner_student there is exactly
--   "<key> = (SELECT app.current_student_id())" in USING and in WITH CHECK, where each applies;
-- * the request roles (examiner_student, examiner_anon) and examiner_auth cannot log in, bypass
--   RLS, or act as superusers, and own nothing; the request roles are members of no role;
-- * examiner_anon has no privileges on any table or column; examiner_student none on a table
--   without RLS;
-- * every SECURITY DEFINER function a request role may execute has a fixed search_path and is
--   owned by examiner_auth (whose reach is fixed by its own grants and policies);
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
  VALUES ('examiner_student'), ('examiner_anon'), ('examiner_auth')
),
roles AS (
  SELECT r.oid, r.rolname, r.rolcanlogin, r.rolbypassrls, r.rolsuper, r.rolcreaterole, r.rolcreatedb
  FROM pg_catalog.pg_roles r JOIN expected_roles e USING (rolname)
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
                       (r.rolcreatedb, 'can create databases')) AS a(has, attribute)
  WHERE a.has

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
         format('SECURITY DEFINER owned by %s, not examiner_auth, and %s may execute it', pg_catalog.pg_get_userbyid(p.proowner), r.rolname)
  FROM all_functions p
  CROSS JOIN request_roles r
  WHERE p.prosecdef
    AND pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
    AND pg_catalog.pg_get_userbyid(p.proowner) <> 'examiner_auth'
)
SELECT object, problem FROM breaches ORDER BY object, problem;
