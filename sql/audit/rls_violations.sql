-- Breaches of examiner's isolation rules, read from the catalogue. Each row is one breach; no
-- rows means none. The test suite fails on any row, and `make audit` prints them.
--
-- The rules: every table with a student_id column (and students itself) has row-level security
-- enabled and forced, and a policy for examiner_student for each of SELECT, INSERT, UPDATE and
-- DELETE that compares with app.current_student_id(); examiner_student cannot log in, bypass RLS
-- or own anything, has no privileges on a table without RLS, and can execute no SECURITY DEFINER
-- function without a fixed search_path; views run as their caller (security_invoker).
WITH app_relations AS (
  SELECT c.oid, c.relkind, c.relname, n.nspname, c.relrowsecurity, c.relforcerowsecurity, c.reloptions,
         format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
),
app_tables AS (
  SELECT * FROM app_relations WHERE relkind IN ('r', 'p')
),
scoped AS (
  SELECT t.* FROM app_tables t
  WHERE t.relname = 'students'
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = t.oid AND a.attname = 'student_id' AND a.attnum > 0 AND NOT a.attisdropped)
),
student_role AS (
  SELECT oid, rolname, rolcanlogin, rolbypassrls, rolsuper, rolcreaterole, rolcreatedb
  FROM pg_catalog.pg_roles WHERE rolname = 'examiner_student'
),
commands (cmd, polcmd) AS (
  VALUES ('SELECT', 'r'), ('INSERT', 'a'), ('UPDATE', 'w'), ('DELETE', 'd')
),
breaches (object, problem) AS (
  SELECT 'role examiner_student', 'does not exist'
  WHERE NOT EXISTS (SELECT 1 FROM student_role)

  UNION ALL
  SELECT 'role examiner_student', attribute
  FROM student_role,
       LATERAL (VALUES (rolcanlogin, 'can log in'), (rolbypassrls, 'bypasses row-level security'),
                       (rolsuper, 'is a superuser'), (rolcreaterole, 'can create roles'),
                       (rolcreatedb, 'can create databases')) AS a(has, attribute)
  WHERE a.has

  UNION ALL
  SELECT name, 'row-level security is not enabled' FROM scoped WHERE NOT relrowsecurity

  UNION ALL
  SELECT name, 'row-level security is not forced (the owner would bypass it)' FROM scoped WHERE NOT relforcerowsecurity

  UNION ALL
  SELECT s.name, format('no %s policy for examiner_student', c.cmd)
  FROM scoped s CROSS JOIN commands c
  WHERE NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_policy p, student_role r
    WHERE p.polrelid = s.oid
      AND p.polcmd IN (c.polcmd::"char", '*')
      AND (r.oid = ANY (p.polroles) OR 0::oid = ANY (p.polroles))
  )

  UNION ALL
  SELECT s.name, format('policy %I for examiner_student does not compare with app.current_student_id()', p.polname)
  FROM scoped s
  JOIN pg_catalog.pg_policy p ON p.polrelid = s.oid
  CROSS JOIN student_role r
  WHERE (r.oid = ANY (p.polroles) OR 0::oid = ANY (p.polroles))
    AND (coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '') || ' ' ||
         coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '')) NOT LIKE '%app.current_student_id()%'

  UNION ALL
  SELECT t.name, 'examiner_student has privileges on a table without row-level security'
  FROM app_tables t CROSS JOIN student_role r
  WHERE NOT t.relrowsecurity
    AND pg_catalog.has_table_privilege(r.oid, t.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')

  UNION ALL
  SELECT v.name, 'view without security_invoker (it would read as its owner, past row-level security)'
  FROM app_relations v
  WHERE v.relkind IN ('v', 'm')
    AND NOT coalesce(v.reloptions @> ARRAY['security_invoker=true'], false)
    AND NOT coalesce(v.reloptions @> ARRAY['security_invoker=on'], false)

  UNION ALL
  SELECT 'relation ' || o.name, 'owned by examiner_student'
  FROM app_relations o
  JOIN pg_catalog.pg_class c ON c.oid = o.oid
  JOIN student_role r ON r.oid = c.relowner

  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text, 'owned by examiner_student'
  FROM pg_catalog.pg_proc p JOIN student_role r ON r.oid = p.proowner

  UNION ALL
  SELECT 'schema ' || n.nspname, 'owned by examiner_student'
  FROM pg_catalog.pg_namespace n JOIN student_role r ON r.oid = n.nspowner

  UNION ALL
  SELECT 'function ' || p.oid::regprocedure::text,
         'SECURITY DEFINER without a fixed search_path, and examiner_student may execute it'
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  CROSS JOIN student_role r
  WHERE p.prosecdef
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
    AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) AS setting WHERE setting LIKE 'search\_path=%')
)
SELECT object, problem FROM breaches ORDER BY object, problem;
