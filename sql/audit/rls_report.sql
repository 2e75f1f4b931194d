-- examiner's row-level-security report, for a DBA: `make audit`, or by hand with
--   psql "$DATABASE_URL" -X -q -f sql/audit/rls_report.sql
-- It changes nothing. It ends with the breaches found by rls_violations.sql (read from beside this
-- file, wherever psql runs) and a verdict; with breaches, psql exits with status 3. Objects that
-- belong to an extension (pgTAP's views and functions, say) are left out: they are the
-- extension's, not the application's; but not its SECURITY DEFINER functions that a request role
-- may execute, which run with their owner's rights.
\set ON_ERROR_STOP on
\pset footer off
\pset null '-'

\echo '== What this reports on'
SELECT current_database() AS database, current_user AS connected_as,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
       current_setting('server_version') AS server, date_trunc('second', now()) AS at;

\echo '== Tables: row-level security (student-scoped tables need it enabled and forced)'
SELECT format('%I.%I', n.nspname, c.relname) AS "table",
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'student_id' AND NOT a.attisdropped)
         OR c.relname = 'students' AS student_scoped,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
       pg_get_userbyid(c.relowner) AS owner
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1;

\echo '== Policies ("using": rows a role may see or touch; "with_check": rows it may write)'
SELECT format('%I.%I', schemaname, tablename) AS "table", policyname AS policy, cmd AS command,
       permissive, array_to_string(roles, ', ') AS roles, qual AS "using", with_check
FROM pg_policies
ORDER BY 1, array_to_string(roles, ', ') DESC, CASE cmd WHEN 'SELECT' THEN 1 WHEN 'INSERT' THEN 2 WHEN 'UPDATE' THEN 3 WHEN 'DELETE' THEN 4 ELSE 5 END, 2;

\echo '== Table and column privileges of examiner_student, examiner_anon, examiner_auth, examiner_marker and PUBLIC'
WITH relations AS (
  SELECT c.oid, c.relacl, format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
),
grants AS (
  SELECT r.name, NULL::name AS col, g.grantee, g.privilege_type
  FROM relations r CROSS JOIN LATERAL aclexplode(r.relacl) g
  UNION ALL
  SELECT r.name, a.attname, g.grantee, g.privilege_type
  FROM relations r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  CROSS JOIN LATERAL aclexplode(a.attacl) g
),
wanted AS (
  SELECT CASE g.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee) END AS grantee, g.name, g.col, g.privilege_type
  FROM grants g
  WHERE g.grantee = 0 OR pg_get_userbyid(g.grantee) IN ('examiner_student', 'examiner_anon', 'examiner_auth', 'examiner_marker')
)
SELECT grantee, name AS "table", string_agg(privilege_type, ', ' ORDER BY privilege_type) AS privileges, NULL AS "only on columns"
FROM wanted WHERE col IS NULL
GROUP BY grantee, name
UNION ALL
SELECT grantee, name, privilege_type, string_agg(col, ', ' ORDER BY col)
FROM wanted WHERE col IS NOT NULL
GROUP BY grantee, name, privilege_type
ORDER BY 1 DESC, 2, 4 NULLS FIRST, 3;

\echo '== Schemas the request roles may use or create in (creating would make them owners)'
SELECT r.rolname AS role, n.nspname AS schema,
       has_schema_privilege(r.oid, n.oid, 'USAGE') AS usage,
       has_schema_privilege(r.oid, n.oid, 'CREATE') AS "create"
FROM pg_namespace n CROSS JOIN pg_roles r
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  AND r.rolname IN ('examiner_student', 'examiner_anon')
ORDER BY 1 DESC, 2;

\echo '== Functions the request roles may execute (SECURITY DEFINER ones run as their owner)'
SELECT r.rolname AS role, p.oid::regprocedure AS function, pg_get_userbyid(p.proowner) AS owner,
       p.prosecdef AS security_definer, array_to_string(p.proconfig, ', ') AS settings
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
CROSS JOIN pg_roles r
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND (p.prosecdef   -- an extension's definer functions too: they run as their owner
       OR NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'))
  AND r.rolname IN ('examiner_student', 'examiner_anon')
  AND has_function_privilege(r.oid, p.oid, 'EXECUTE')
ORDER BY 1 DESC, 4 DESC, p.oid::regprocedure::text;

\echo '== Roles (members may become the role; a role gets the privileges and policies of what it is a member of)'
SELECT r.rolname AS role, r.rolcanlogin AS can_login, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
       r.rolcreaterole AS create_role, r.rolcreatedb AS create_db, r.rolinherit AS inherit,
       coalesce((SELECT string_agg(pg_get_userbyid(m.roleid), ', ' ORDER BY pg_get_userbyid(m.roleid)) FROM pg_auth_members m WHERE m.member = r.oid), '') AS member_of,
       coalesce((SELECT string_agg(pg_get_userbyid(m.member), ', ' ORDER BY pg_get_userbyid(m.member)) FROM pg_auth_members m WHERE m.roleid = r.oid), '') AS members
FROM pg_roles r WHERE r.rolname IN ('examiner_student', 'examiner_anon', 'examiner_auth', 'examiner_verifier', 'examiner_marker', 'examiner_authenticator')
ORDER BY 1 DESC;

\echo '== What the owners of the SECURITY DEFINER functions own (examiner_marker: the marking functions only)'
SELECT r.rolname AS role, pg_describe_object(d.classid, d.objid, d.objsubid) AS owns
FROM pg_roles r JOIN pg_shdepend d ON d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid AND d.deptype = 'o'
WHERE r.rolname IN ('examiner_auth', 'examiner_verifier', 'examiner_marker')
  AND d.dbid IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
ORDER BY 1, 2;

\echo '== Breaches of the isolation rules (sql/audit/rls_violations.sql; none is good)'
\ir rls_violations.sql
SELECT :ROW_COUNT AS breaches, :ROW_COUNT > 0 AS breached \gset
\if :breached
  \echo 'FAIL:' :breaches 'breach(es) of the isolation rules, listed above; docs/isolation.md says what each rule is for.'
  DO $$ BEGIN RAISE EXCEPTION 'make audit: isolation breaches found'; END $$;
\else
  \echo 'OK: no breach of the isolation rules found.'
\endif
