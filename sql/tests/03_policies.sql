-- Policies. On each student-scoped table examiner_student has exactly one policy per command,
-- SELECT, INSERT, UPDATE and DELETE, and each compares the row's owner with the current student:
-- "<key> = (SELECT app.current_student_id())", in USING (which rows it may see or touch) and in
-- WITH CHECK (which rows it may write), wherever the command has them. PostgreSQL prints that
-- expression back as "(<key> = ( SELECT app.current_student_id() AS current_student_id))"; the
-- checks below compare against that text. app.current_student_id() is the verifier of the signed
-- claim in app.claim (migration 014), so no policy reads a setting itself. examiner_auth's
-- policies hold only while current_user is examiner_auth, that is inside its SECURITY DEFINER
-- functions, examiner_verifier's only inside the verifier, and examiner_marker's only inside the
-- marking functions (09_exam_integrity.sql has the tables of migration 016). The catalogue tables have one
-- read-only policy each, for signed-in students: a transaction without a verified claim reads
-- nothing. The sets are exact: a policy added, dropped or renamed fails here, and so does a policy
-- widened to another role or command.
--
-- Run by hand: pg_prove -d examiner sql/tests/03_policies.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(83);

-- The expressions, as PostgreSQL prints them back.
\set own_id         '(id = ( SELECT app.current_student_id() AS current_student_id))'
\set own_student_id '(student_id = ( SELECT app.current_student_id() AS current_student_id))'
\set auth_only      '(CURRENT_USER = ''examiner_auth''::name)'
\set verifier_only  '(CURRENT_USER = ''examiner_verifier''::name)'
\set signed_in      '(( SELECT app.current_student_id() AS current_student_id) IS NOT NULL)'
\set marker_own     '((CURRENT_USER = ''examiner_marker''::name) AND (student_id = ( SELECT app.current_student_id() AS current_student_id)))'

-- Every policy, one row each, in the order checked: its table, name, command, the one role it
-- applies to, its USING and WITH CHECK (NULL: the command has none), and what they allow. Rolled
-- back with the rest of the transaction.
CREATE TEMP TABLE expected_policy (n, tbl, policy, cmd, role, using_expr, check_expr, allows) AS VALUES
  -- students: key id; examiner_auth's policies hold only inside its functions.
  ( 1, 'students', 'students_select', 'SELECT', 'examiner_student', :'own_id', NULL, 'a student sees only their own row'),
  ( 2, 'students', 'students_insert', 'INSERT', 'examiner_student', NULL, :'own_id', 'a student could add only their own row'),
  ( 3, 'students', 'students_update', 'UPDATE', 'examiner_student', :'own_id', :'own_id', 'a student changes only their own row, and it stays theirs'),
  ( 4, 'students', 'students_delete', 'DELETE', 'examiner_student', :'own_id', NULL, 'a student deletes only their own row'),
  ( 5, 'students', 'students_auth_select', 'SELECT', 'examiner_auth', :'auth_only', NULL, 'only while current_user is examiner_auth (sign-in, password change)'),
  ( 6, 'students', 'students_auth_insert', 'INSERT', 'examiner_auth', NULL, :'auth_only', 'only while current_user is examiner_auth (registration)'),
  ( 7, 'students', 'students_auth_update', 'UPDATE', 'examiner_auth', :'auth_only', :'auth_only', 'only while current_user is examiner_auth (rehash, password change, logout)'),
  ( 8, 'students', 'students_verifier_select', 'SELECT', 'examiner_verifier', :'verifier_only', NULL, 'only while current_user is examiner_verifier (the claim''s token generation)'),
  -- exams: key student_id.
  ( 9, 'exams', 'exams_select', 'SELECT', 'examiner_student', :'own_student_id', NULL, 'a student sees only their own exams'),
  (10, 'exams', 'exams_insert', 'INSERT', 'examiner_student', NULL, :'own_student_id', 'a student adds exams only for themselves'),
  (11, 'exams', 'exams_update', 'UPDATE', 'examiner_student', :'own_student_id', :'own_student_id', 'a student changes only their own exams and cannot hand one to another'),
  (12, 'exams', 'exams_delete', 'DELETE', 'examiner_student', :'own_student_id', NULL, 'a student deletes only their own exams'),
  -- examiner_marker's (migration 016) hold only inside the marking functions, and only for the verified student.
  (13, 'exams', 'exams_marker_select', 'SELECT', 'examiner_marker', :'marker_own', NULL, 'only inside the marking functions, and only the verified student''s exams'),
  (14, 'exams', 'exams_marker_update', 'UPDATE', 'examiner_marker', :'marker_own', :'marker_own', 'only inside the marking functions (the score), and only the verified student''s exams'),
  -- auth_events: key student_id. (examiner_student's grants make the trail append-only: see 04_grants.sql.)
  (15, 'auth_events', 'auth_events_select', 'SELECT', 'examiner_student', :'own_student_id', NULL, 'a student sees only the events filed under their account'),
  (16, 'auth_events', 'auth_events_insert', 'INSERT', 'examiner_student', NULL, :'own_student_id', 'a student files events only under their own account'),
  (17, 'auth_events', 'auth_events_update', 'UPDATE', 'examiner_student', :'own_student_id', :'own_student_id', 'only their own events, and they stay under their account'),
  (18, 'auth_events', 'auth_events_delete', 'DELETE', 'examiner_student', :'own_student_id', NULL, 'only their own events'),
  (19, 'auth_events', 'auth_events_auth_insert', 'INSERT', 'examiner_auth', NULL, :'auth_only', 'only while current_user is examiner_auth (register and login events)'),
  (20, 'auth_events', 'auth_events_auth_select', 'SELECT', 'examiner_auth', :'auth_only', NULL, 'only while current_user is examiner_auth (sign-in counting an account''s recent wrong passwords)'),
  -- The shared catalogue: read-only, every row, for a transaction with a verified claim.
  (21, 'subjects', 'subjects_read', 'SELECT', 'examiner_student', :'signed_in', NULL, 'every subject, for a signed-in student (a shared catalogue)'),
  (22, 'papers', 'papers_read', 'SELECT', 'examiner_student', :'signed_in', NULL, 'every paper, for a signed-in student (a shared catalogue)'),
  (23, 'syllabus_points', 'syllabus_points_read', 'SELECT', 'examiner_student', :'signed_in', NULL, 'every syllabus point, for a signed-in student (a shared catalogue)');

-- Each table has exactly the policies listed for it, and each policy is as listed.
SELECT policies_are('public', tbl, array_agg(policy::name ORDER BY n),
                    format('%s has exactly these policies: %s', tbl, string_agg(policy, ', ' ORDER BY n)))
FROM expected_policy GROUP BY tbl ORDER BY min(n);
SELECT policy_cmd_is('public', tbl, policy, cmd, format('%s is for %s', policy, cmd))
FROM expected_policy ORDER BY n;
SELECT policy_roles_are('public', tbl, policy, ARRAY[role::name], format('%s applies to %s only', policy, role))
FROM expected_policy ORDER BY n;
SELECT is(p.qual, e.using_expr, format('%s USING: %s', e.policy, e.allows))
FROM expected_policy e LEFT JOIN pg_policies p ON (p.schemaname, p.tablename, p.policyname) = ('public', e.tbl, e.policy)
WHERE e.using_expr IS NOT NULL ORDER BY e.n;
SELECT is(p.with_check, e.check_expr, format('%s WITH CHECK: %s', e.policy, e.allows))
FROM expected_policy e LEFT JOIN pg_policies p ON (p.schemaname, p.tablename, p.policyname) = ('public', e.tbl, e.policy)
WHERE e.check_expr IS NOT NULL ORDER BY e.n;

-- Every table, including any added later.
SELECT is_empty(
  $$SELECT format('%s: no %s policy for examiner_student comparing %s with the current student', c.oid::regclass, cmd.name, k.key)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL (SELECT CASE WHEN c.relname = 'students' THEN 'id' ELSE 'student_id' END AS key) k0
    CROSS JOIN LATERAL (SELECT k0.key, format('(%I = ( SELECT app.current_student_id() AS current_student_id))', k0.key) AS expected) k
    CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE')) AS cmd(name)
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
      AND (c.relname = 'students'
           OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'student_id' AND NOT a.attisdropped))
      AND NOT EXISTS (
        SELECT 1 FROM pg_policies p
        WHERE p.schemaname = n.nspname AND p.tablename = c.relname AND p.permissive = 'PERMISSIVE'
          AND p.cmd = cmd.name AND p.roles = ARRAY['examiner_student']::name[]
          AND (p.qual = k.expected OR (p.cmd = 'INSERT' AND p.qual IS NULL))
          AND (p.with_check = k.expected OR (p.cmd IN ('SELECT', 'DELETE') AND p.with_check IS NULL)))$$,
  'every student-scoped table (and any table with a student_id column) has a SELECT, INSERT, UPDATE and DELETE policy for examiner_student on the current student');
SELECT is_empty(
  $$SELECT format('%I.%I: policy %I applies to PUBLIC', schemaname, tablename, policyname)
    FROM pg_policies WHERE 'public' = ANY (roles)$$,
  'no policy applies to PUBLIC (every role gets only the policies named for it)');
SELECT is_empty(
  $$SELECT format('%I.%I: policy %I reads a setting itself', schemaname, tablename, policyname)
    FROM pg_policies WHERE coalesce(qual, '') || coalesce(with_check, '') ~* 'current_setting|app\.student_id|app\.claim'$$,
  'no policy reads a setting itself (app.student_id, app.claim): each asks the verifier, app.current_student_id()');

SELECT * FROM finish();
ROLLBACK;
