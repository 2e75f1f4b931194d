-- examiner's row-level-security report, for a DBA: `make audit`, or by hand with
--   psql "$DATABASE_URL" -X -f sql/audit/rls_report.sql
\pset footer off
\echo '== Tables: row-level security enabled / forced'
SELECT format('%I.%I', n.nspname, c.relname) AS "table",
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'student_id' AND NOT a.attisdropped)
         OR c.relname = 'students' AS student_scoped,
       pg_get_userbyid(c.relowner) AS owner
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
ORDER BY 1;

\echo '== Policies'
SELECT format('%I.%I', schemaname, tablename) AS "table", policyname AS policy, cmd AS command,
       array_to_string(roles, ', ') AS roles, qual AS "using", with_check
FROM pg_policies
ORDER BY 1, 3, 2;

\echo '== Table and column privileges of examiner_student, examiner_anon and examiner_auth'
SELECT grantee, format('%I.%I', table_schema, table_name) AS "table", string_agg(privilege_type, ', ' ORDER BY privilege_type) AS privileges, NULL AS columns
FROM information_schema.role_table_grants
WHERE grantee IN ('examiner_student', 'examiner_anon', 'examiner_auth')
GROUP BY grantee, table_schema, table_name
UNION ALL
SELECT grantee, format('%I.%I', table_schema, table_name), privilege_type, string_agg(column_name, ', ' ORDER BY column_name)
FROM information_schema.column_privileges
WHERE grantee IN ('examiner_student', 'examiner_anon', 'examiner_auth')
  AND (grantee, table_schema, table_name, privilege_type) NOT IN
      (SELECT grantee, table_schema, table_name, privilege_type FROM information_schema.role_table_grants)
GROUP BY grantee, table_schema, table_name, privilege_type
ORDER BY 1, 2, 4 NULLS FIRST;

\echo '== Functions the request roles may execute (SECURITY DEFINER ones run as their owner)'
SELECT r.rolname AS role, p.oid::regprocedure AS function, pg_get_userbyid(p.proowner) AS owner,
       p.prosecdef AS security_definer, array_to_string(p.proconfig, ', ') AS settings
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
CROSS JOIN pg_roles r
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND r.rolname IN ('examiner_student', 'examiner_anon')
  AND has_function_privilege(r.oid, p.oid, 'EXECUTE')
ORDER BY 1, 2::text;

\echo '== Roles'
SELECT rolname AS role, rolcanlogin AS can_login, rolsuper AS superuser, rolbypassrls AS bypass_rls, rolinherit AS inherit
FROM pg_roles WHERE rolname IN ('examiner_student', 'examiner_anon', 'examiner_auth')
ORDER BY 1;

\echo '== Breaches of the isolation rules (none is good)'
\ir rls_violations.sql
