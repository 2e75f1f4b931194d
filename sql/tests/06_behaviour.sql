-- Behaviour: what a student's transaction can and cannot do, tried for real. Two students, A and
-- B, are registered the way the application registers them, each adds an exam, and then the
-- transaction acts as examiner_student for B, as every request does:
--   SET LOCAL ROLE examiner_student; SELECT set_config('app.student_id', '<B>', true);
-- Everything happens inside this file's transaction and is rolled back at the end, so it can run
-- against a live database; the user running it must be able to become examiner_student (the
-- tables' owner is a member of it) and to call app.register_student.
--
-- Run by hand: pg_prove -d examiner sql/tests/06_behaviour.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(42);

-- Setup, as the user running the tests. The students' ids are kept in settings local to this
-- transaction, test.student_a and test.student_b, for the statements below to name them.
SELECT lives_ok(
  $$SELECT set_config('test.student_a', id::text, true)
    FROM app.register_student('pgtap-student-a@example.invalid', 'pgtap-student-a@example.invalid',
                              'not-a-real-hash', 'pgTAP student A', NULL, 'pg_prove', 'pgtap')$$,
  'setup: student A registers through app.register_student');
SELECT lives_ok(
  $$SELECT set_config('test.student_b', id::text, true)
    FROM app.register_student('pgtap-student-b@example.invalid', 'pgtap-student-b@example.invalid',
                              'not-a-real-hash', 'pgTAP student B', NULL, 'pg_prove', 'pgtap')$$,
  'setup: student B registers through app.register_student');
SELECT lives_ok(
  $$WITH subject AS (
      INSERT INTO subjects (code, name, level, exam_board, syllabus_year)
      VALUES ('PGTAP0', 'pgTAP subject', 'A Level', 'pgTAP', '2026') RETURNING id)
    SELECT set_config('test.subject', id::text, true) FROM subject$$,
  'setup: a subject to take exams in');

-- Forced row-level security binds the tables' owner too: without a student setting it sees no
-- student and no audit event, so a query that forgot to become a request role fails closed. (A
-- superuser, or a role with BYPASSRLS, is above row-level security; then this check is skipped.)
SELECT CASE WHEN (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)
  THEN skip('the user running the tests is a superuser or bypasses row-level security', 1)
  ELSE is_empty($$SELECT id FROM students UNION ALL SELECT id FROM auth_events$$,
    'the user running the tests, not a request role and with no student setting, sees no student and no audit event')
END;

SET LOCAL ROLE examiner_student;

-- No student named: app.student_id was never set in this session.
SELECT is(current_setting('app.student_id', true), NULL, 'app.student_id is not set yet');
SELECT is_empty($$SELECT id FROM students$$, 'with app.student_id unset, examiner_student sees no student');
SELECT is_empty($$SELECT id FROM auth_events$$, 'with app.student_id unset, examiner_student sees no audit event');
SELECT throws_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type) VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE')$$,
  '42501', NULL, 'with app.student_id unset, examiner_student cannot add an exam for anyone');

-- Each student adds an exam of their own.
SELECT is(set_config('app.student_id', current_setting('test.student_a'), true), current_setting('test.student_a'), 'now acting for student A');
SELECT lives_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type, total_marks) VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE', 50)$$,
  'student A adds an exam of their own');
SELECT is(set_config('app.student_id', current_setting('test.student_b'), true), current_setting('test.student_b'), 'now acting for student B');
SELECT lives_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type, total_marks) VALUES (current_setting('test.student_b')::uuid, current_setting('test.subject')::uuid, 'TIMED', 60)$$,
  'student B adds an exam of their own');

-- As B: only B's rows, whatever the query asks for.
SELECT results_eq($$SELECT id::text FROM students$$, ARRAY[current_setting('test.student_b')],
  'student B sees exactly one student: B');
SELECT results_eq($$SELECT DISTINCT student_id::text FROM exams$$, ARRAY[current_setting('test.student_b')],
  'student B sees only exams of their own');
SELECT results_eq($$SELECT DISTINCT student_id::text FROM auth_events$$, ARRAY[current_setting('test.student_b')],
  'student B sees only audit events filed under their own account');
SELECT is_empty($$SELECT id FROM exams WHERE student_id = current_setting('test.student_a')::uuid$$,
  'student B finds none of A''s exams, even by naming A');
SELECT is_empty($$UPDATE exams SET total_marks = 1 WHERE student_id = current_setting('test.student_a')::uuid RETURNING id$$,
  'student B''s UPDATE of A''s exams touches no row');
SELECT is_empty($$DELETE FROM exams WHERE student_id = current_setting('test.student_a')::uuid RETURNING id$$,
  'student B''s DELETE of A''s exams touches no row');
SELECT is_empty($$UPDATE students SET full_name = 'taken over' WHERE id = current_setting('test.student_a')::uuid RETURNING id$$,
  'student B''s UPDATE of A''s student row touches no row');
SELECT throws_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type) VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE')$$,
  '42501', 'new row violates row-level security policy for table "exams"',
  'student B cannot add an exam for A (42501, row-level security)');
SELECT throws_ok(
  $$UPDATE exams SET student_id = current_setting('test.student_a')::uuid WHERE student_id = current_setting('test.student_b')::uuid$$,
  '42501', 'new row violates row-level security policy for table "exams"',
  'student B cannot hand their own exam to A (42501, row-level security)');
SELECT throws_ok(
  $$INSERT INTO auth_events (student_id, kind, succeeded) VALUES (current_setting('test.student_a')::uuid, 'logout', true)$$,
  '42501', 'new row violates row-level security policy for table "auth_events"',
  'student B cannot file an audit event under A''s account (42501, row-level security)');
SELECT throws_ok($$DELETE FROM auth_events$$, '42501', NULL,
  'student B cannot delete audit events, not even their own (42501, no privilege)');
SELECT throws_ok($$SELECT password_hash FROM students$$, '42501', NULL,
  'student B cannot read password_hash, not even their own (42501, no privilege)');
SELECT throws_ok($$SELECT * FROM app.login_lookup('pgtap-student-a@example.invalid')$$, '42501', NULL,
  'student B cannot look up an account by email (42501, no EXECUTE on app.login_lookup)');
SELECT throws_ok($$UPDATE subjects SET name = 'changed'$$, '42501', NULL,
  'student B cannot change the shared catalogue (42501, no privilege)');

-- A's exam is as A left it.
SELECT is(set_config('app.student_id', current_setting('test.student_a'), true), current_setting('test.student_a'), 'now acting for student A again');
SELECT results_eq($$SELECT total_marks FROM exams$$, ARRAY[50],
  'student A still has their one exam, unchanged by B');

-- A setting that names no student matches no row, and raises nothing.
SELECT is(set_config('app.student_id', '', true), '', 'now acting for nobody: app.student_id is empty');
SELECT is_empty($$SELECT id FROM students UNION ALL SELECT id FROM exams UNION ALL SELECT id FROM auth_events$$,
  'with app.student_id empty, examiner_student sees no student, exam or audit event');
SELECT is(set_config('app.student_id', 'not-a-uuid', true), 'not-a-uuid', 'now app.student_id is not a uuid');
SELECT is_empty($$SELECT id FROM students UNION ALL SELECT id FROM exams UNION ALL SELECT id FROM auth_events$$,
  'with app.student_id not a uuid, examiner_student sees nothing (and no error)');
SELECT is(set_config('app.student_id', '{' || current_setting('test.student_b') || '}', true), '{' || current_setting('test.student_b') || '}',
  'now app.student_id is B''s id in braces, a form PostgreSQL''s uuid type would accept');
SELECT is_empty($$SELECT id FROM students UNION ALL SELECT id FROM exams UNION ALL SELECT id FROM auth_events$$,
  'with app.student_id not a canonical uuid, examiner_student sees nothing, not even B''s rows');
SELECT is(set_config('app.student_id', $$' OR true --$$, true), $$' OR true --$$, 'now app.student_id is an injection attempt');
SELECT is_empty($$SELECT id FROM students UNION ALL SELECT id FROM exams UNION ALL SELECT id FROM auth_events$$,
  'with app.student_id an injection attempt, examiner_student sees nothing');

RESET ROLE;

-- Token generations, checked as the login user checks them at the start of every request: B's
-- logout revokes every token of B issued before it, however recent, and no token of A's.
SELECT lives_ok($$SELECT app.check_token(current_setting('test.student_b')::uuid, 0)$$,
  'a token of B''s generation since registering (0) passes the check');
SET LOCAL ROLE examiner_student;
SELECT is(set_config('app.student_id', current_setting('test.student_b'), true), current_setting('test.student_b'), 'now acting for student B again');
SELECT is(app.revoke_tokens(), 1::bigint, 'B''s logout moves B''s token generation to 1');
RESET ROLE;
SELECT throws_ok($$SELECT app.check_token(current_setting('test.student_b')::uuid, 0)$$, 'EXA01', 'token revoked',
  'after the logout a token of generation 0 is revoked (EXA01)');
SELECT lives_ok($$SELECT app.check_token(current_setting('test.student_b')::uuid, 1)$$,
  'a token issued after the logout, of generation 1, passes');
SELECT lives_ok($$SELECT app.check_token(current_setting('test.student_a')::uuid, 0)$$,
  'A''s tokens are untouched by B''s logout');

SELECT * FROM finish();
ROLLBACK;
