-- Policies. On each student-scoped table examiner_student has exactly one policy per command,
-- SELECT, INSERT, UPDATE and DELETE, and each compares the row's owner with the current student:
-- "<key> = (SELECT app.current_student_id())", in USING (which rows it may see or touch) and in
-- WITH CHECK (which rows it may write), wherever the command has them. PostgreSQL prints that
-- expression back as "(<key> = ( SELECT app.current_student_id() AS current_student_id))"; the
-- checks below compare against that text. examiner_auth's policies hold only while current_user is
-- examiner_auth, that is inside its SECURITY DEFINER functions. The catalogue tables have one
-- read-only policy each. The sets are exact: a policy added, dropped or renamed fails here, and
-- so does a policy widened to another role or command.
--
-- Run by hand: pg_prove -d examiner sql/tests/03_policies.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(69);

-- students: key id.
SELECT policies_are('public', 'students',
  ARRAY['students_select', 'students_insert', 'students_update', 'students_delete',
        'students_auth_select', 'students_auth_insert', 'students_auth_update'],
  'students has exactly these policies: four for examiner_student, three for examiner_auth');
SELECT policy_cmd_is('public', 'students', 'students_select', 'SELECT', 'students_select is for SELECT');
SELECT policy_roles_are('public', 'students', 'students_select', ARRAY['examiner_student'], 'students_select applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'students' AND policyname = 'students_select'),
  '(id = ( SELECT app.current_student_id() AS current_student_id))', 'students_select USING: a student sees only their own row');
SELECT policy_cmd_is('public', 'students', 'students_insert', 'INSERT', 'students_insert is for INSERT');
SELECT policy_roles_are('public', 'students', 'students_insert', ARRAY['examiner_student'], 'students_insert applies to examiner_student only');
SELECT is((SELECT with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'students' AND policyname = 'students_insert'),
  '(id = ( SELECT app.current_student_id() AS current_student_id))', 'students_insert WITH CHECK: a student could add only their own row');
SELECT policy_cmd_is('public', 'students', 'students_update', 'UPDATE', 'students_update is for UPDATE');
SELECT policy_roles_are('public', 'students', 'students_update', ARRAY['examiner_student'], 'students_update applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'students' AND policyname = 'students_update'),
  '(id = ( SELECT app.current_student_id() AS current_student_id))', 'students_update USING: a student changes only their own row');
SELECT is((SELECT with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'students' AND policyname = 'students_update'),
  '(id = ( SELECT app.current_student_id() AS current_student_id))', 'students_update WITH CHECK: the changed row is still their own');
SELECT policy_cmd_is('public', 'students', 'students_delete', 'DELETE', 'students_delete is for DELETE');
SELECT policy_roles_are('public', 'students', 'students_delete', ARRAY['examiner_student'], 'students_delete applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'students' AND policyname = 'students_delete'),
  '(id = ( SELECT app.current_student_id() AS current_student_id))', 'students_delete USING: a student deletes only their own row');
SELECT policy_cmd_is('public', 'students', 'students_auth_select', 'SELECT', 'students_auth_select is for SELECT');
SELECT policy_roles_are('public', 'students', 'students_auth_select', ARRAY['examiner_auth'], 'students_auth_select applies to examiner_auth only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'students' AND policyname = 'students_auth_select'),
  '(CURRENT_USER = ''examiner_auth''::name)', 'students_auth_select USING: only while current_user is examiner_auth (inside its functions)');
SELECT policy_cmd_is('public', 'students', 'students_auth_insert', 'INSERT', 'students_auth_insert is for INSERT');
SELECT policy_roles_are('public', 'students', 'students_auth_insert', ARRAY['examiner_auth'], 'students_auth_insert applies to examiner_auth only');
SELECT is((SELECT with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'students' AND policyname = 'students_auth_insert'),
  '(CURRENT_USER = ''examiner_auth''::name)', 'students_auth_insert WITH CHECK: only while current_user is examiner_auth (registration)');
SELECT policy_cmd_is('public', 'students', 'students_auth_update', 'UPDATE', 'students_auth_update is for UPDATE');
SELECT policy_roles_are('public', 'students', 'students_auth_update', ARRAY['examiner_auth'], 'students_auth_update applies to examiner_auth only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'students' AND policyname = 'students_auth_update'),
  '(CURRENT_USER = ''examiner_auth''::name)', 'students_auth_update USING: only while current_user is examiner_auth');
SELECT is((SELECT with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'students' AND policyname = 'students_auth_update'),
  '(CURRENT_USER = ''examiner_auth''::name)', 'students_auth_update WITH CHECK: only while current_user is examiner_auth');

-- exams: key student_id.
SELECT policies_are('public', 'exams',
  ARRAY['exams_select', 'exams_insert', 'exams_update', 'exams_delete'],
  'exams has exactly these policies, all four for examiner_student');
SELECT policy_cmd_is('public', 'exams', 'exams_select', 'SELECT', 'exams_select is for SELECT');
SELECT policy_roles_are('public', 'exams', 'exams_select', ARRAY['examiner_student'], 'exams_select applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'exams' AND policyname = 'exams_select'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'exams_select USING: a student sees only their own exams');
SELECT policy_cmd_is('public', 'exams', 'exams_insert', 'INSERT', 'exams_insert is for INSERT');
SELECT policy_roles_are('public', 'exams', 'exams_insert', ARRAY['examiner_student'], 'exams_insert applies to examiner_student only');
SELECT is((SELECT with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'exams' AND policyname = 'exams_insert'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'exams_insert WITH CHECK: a student adds exams only for themselves');
SELECT policy_cmd_is('public', 'exams', 'exams_update', 'UPDATE', 'exams_update is for UPDATE');
SELECT policy_roles_are('public', 'exams', 'exams_update', ARRAY['examiner_student'], 'exams_update applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'exams' AND policyname = 'exams_update'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'exams_update USING: a student changes only their own exams');
SELECT is((SELECT with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'exams' AND policyname = 'exams_update'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'exams_update WITH CHECK: a student cannot hand an exam to another');
SELECT policy_cmd_is('public', 'exams', 'exams_delete', 'DELETE', 'exams_delete is for DELETE');
SELECT policy_roles_are('public', 'exams', 'exams_delete', ARRAY['examiner_student'], 'exams_delete applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'exams' AND policyname = 'exams_delete'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'exams_delete USING: a student deletes only their own exams');

-- auth_events: key student_id. (examiner_student's grants make the trail append-only: see 04_grants.sql.)
SELECT policies_are('public', 'auth_events',
  ARRAY['auth_events_select', 'auth_events_insert', 'auth_events_update', 'auth_events_delete', 'auth_events_auth_insert'],
  'auth_events has exactly these policies: four for examiner_student, one for examiner_auth');
SELECT policy_cmd_is('public', 'auth_events', 'auth_events_select', 'SELECT', 'auth_events_select is for SELECT');
SELECT policy_roles_are('public', 'auth_events', 'auth_events_select', ARRAY['examiner_student'], 'auth_events_select applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'auth_events' AND policyname = 'auth_events_select'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'auth_events_select USING: a student sees only the events filed under their account');
SELECT policy_cmd_is('public', 'auth_events', 'auth_events_insert', 'INSERT', 'auth_events_insert is for INSERT');
SELECT policy_roles_are('public', 'auth_events', 'auth_events_insert', ARRAY['examiner_student'], 'auth_events_insert applies to examiner_student only');
SELECT is((SELECT with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'auth_events' AND policyname = 'auth_events_insert'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'auth_events_insert WITH CHECK: a student files events only under their own account');
SELECT policy_cmd_is('public', 'auth_events', 'auth_events_update', 'UPDATE', 'auth_events_update is for UPDATE');
SELECT policy_roles_are('public', 'auth_events', 'auth_events_update', ARRAY['examiner_student'], 'auth_events_update applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'auth_events' AND policyname = 'auth_events_update'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'auth_events_update USING: only their own events');
SELECT is((SELECT with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'auth_events' AND policyname = 'auth_events_update'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'auth_events_update WITH CHECK: an event stays under their own account');
SELECT policy_cmd_is('public', 'auth_events', 'auth_events_delete', 'DELETE', 'auth_events_delete is for DELETE');
SELECT policy_roles_are('public', 'auth_events', 'auth_events_delete', ARRAY['examiner_student'], 'auth_events_delete applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'auth_events' AND policyname = 'auth_events_delete'),
  '(student_id = ( SELECT app.current_student_id() AS current_student_id))', 'auth_events_delete USING: only their own events');
SELECT policy_cmd_is('public', 'auth_events', 'auth_events_auth_insert', 'INSERT', 'auth_events_auth_insert is for INSERT');
SELECT policy_roles_are('public', 'auth_events', 'auth_events_auth_insert', ARRAY['examiner_auth'], 'auth_events_auth_insert applies to examiner_auth only');
SELECT is((SELECT with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'auth_events' AND policyname = 'auth_events_auth_insert'),
  '(CURRENT_USER = ''examiner_auth''::name)', 'auth_events_auth_insert WITH CHECK: only while current_user is examiner_auth (register and login events)');

-- The shared catalogue: read-only, every row.
SELECT policies_are('public', 'subjects', ARRAY['subjects_read'], 'subjects has exactly one policy, subjects_read');
SELECT policy_cmd_is('public', 'subjects', 'subjects_read', 'SELECT', 'subjects_read is for SELECT');
SELECT policy_roles_are('public', 'subjects', 'subjects_read', ARRAY['examiner_student'], 'subjects_read applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'subjects' AND policyname = 'subjects_read'),
  'true', 'subjects_read USING: every subject (a shared catalogue)');
SELECT policies_are('public', 'papers', ARRAY['papers_read'], 'papers has exactly one policy, papers_read');
SELECT policy_cmd_is('public', 'papers', 'papers_read', 'SELECT', 'papers_read is for SELECT');
SELECT policy_roles_are('public', 'papers', 'papers_read', ARRAY['examiner_student'], 'papers_read applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'papers' AND policyname = 'papers_read'),
  'true', 'papers_read USING: every paper (a shared catalogue)');
SELECT policies_are('public', 'syllabus_points', ARRAY['syllabus_points_read'], 'syllabus_points has exactly one policy, syllabus_points_read');
SELECT policy_cmd_is('public', 'syllabus_points', 'syllabus_points_read', 'SELECT', 'syllabus_points_read is for SELECT');
SELECT policy_roles_are('public', 'syllabus_points', 'syllabus_points_read', ARRAY['examiner_student'], 'syllabus_points_read applies to examiner_student only');
SELECT is((SELECT qual FROM pg_policies WHERE schemaname = 'public' AND tablename = 'syllabus_points' AND policyname = 'syllabus_points_read'),
  'true', 'syllabus_points_read USING: every syllabus point (a shared catalogue)');

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

SELECT * FROM finish();
ROLLBACK;
