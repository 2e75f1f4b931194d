-- Behaviour: what a student's transaction can and cannot do, tried for real. Two students, A and
-- B, are registered the way the application registers them, each adds an exam, and then the
-- transaction acts as examiner_student for B, as every request does, with a claim signed for B
-- (migration 014):
--   SET LOCAL ROLE examiner_student; SELECT set_config('app.claim', '<claim for B>', true);
-- The claims are signed here with a key of this file's own, kid pgtap06, installed as `examiner
-- keys install` installs the server's; 07_claims.sql checks the verifier claim by claim.
-- Everything happens inside this file's transaction and is rolled back at the end, so it can run
-- against a live database; the user running it must be able to become examiner_student (the
-- tables' owner is a member of it), to call app.register_student and to write app.claim_keys.
--
-- Run by hand: pg_prove -d examiner sql/tests/06_behaviour.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(51);

-- pgTAP's functions belong to the user running the tests, who since migration 013 grants EXECUTE
-- on new functions to nobody by default: the request role this file becomes needs it back to
-- report (rolled back with the rest).
DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
           WHERE e.extname = 'pgtap' AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' LOOP
    EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO examiner_student', f);
  END LOOP;
END $$;

-- Setup, as the user running the tests. The students' ids and claims are kept in settings local
-- to this transaction, test.student_a, test.claim_a and so on, for the statements below to name.
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
SELECT lives_ok(
  $$INSERT INTO app.claim_keys (kid, key) VALUES ('pgtap06', crypto.gen_random_bytes(32))$$,
  'setup: a claim key of this file''s own, kid pgtap06');
-- <uuid>.<generation>.<exp>.<kid>.<hex of HMAC-SHA256(key, everything before it)>, as
-- internal/dbclaim signs it; valid for an hour.
SELECT lives_ok(
  $$SELECT set_config('test.claim_' || s.who || s.generation, c.payload || '.' || encode(crypto.hmac(convert_to(c.payload, 'UTF8'), k.key, 'sha256'), 'hex'), true)
    FROM (VALUES ('a', 0), ('b', 0), ('b', 1)) AS s(who, generation)
    CROSS JOIN LATERAL (SELECT format('%s.%s.%s.pgtap06', current_setting('test.student_' || s.who), s.generation,
                                      floor(extract(epoch FROM now()))::bigint + 3600) AS payload) AS c
    CROSS JOIN app.claim_keys AS k WHERE k.kid = 'pgtap06'$$,
  'setup: claims for A and B at generation 0, and for B at generation 1, signed as the server signs them');

-- Forced row-level security binds the tables' owner too: without being a request role it sees
-- no student and no audit event, so a query that forgot to become one fails closed. (A
-- superuser, or a role with BYPASSRLS, is above row-level security; then this check is skipped.)
SELECT CASE WHEN (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)
  THEN skip('the user running the tests is a superuser or bypasses row-level security', 1)
  ELSE is_empty($$SELECT id FROM students UNION ALL SELECT id FROM auth_events$$,
    'the user running the tests, not a request role, sees no student and no audit event')
END;

SET LOCAL ROLE examiner_student;

-- No claim: app.claim was never set in this session.
SELECT is(current_setting('app.claim', true), NULL, 'app.claim is not set yet');
SELECT is_empty($$SELECT id FROM students$$, 'without a claim, examiner_student sees no student');
SELECT is_empty($$SELECT id FROM auth_events$$, 'without a claim, examiner_student sees no audit event');
SELECT is_empty($$SELECT id FROM subjects$$, 'without a claim, examiner_student reads no subject: the catalogue is for signed-in students');
SELECT throws_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type) VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE')$$,
  '42501', NULL, 'without a claim, examiner_student cannot add an exam for anyone');
-- The setting the policies read before migration 014 names a student no more.
SELECT is(set_config('app.student_id', current_setting('test.student_a'), true), current_setting('test.student_a'),
  'now app.student_id names A, as requests did before claims');
SELECT is_empty($$SELECT id FROM students UNION ALL SELECT id FROM exams UNION ALL SELECT id FROM auth_events$$,
  'app.student_id is read by nothing: naming A there, without a claim, shows none of A''s rows');

-- Each student adds an exam of their own.
SELECT is(set_config('app.claim', current_setting('test.claim_a0'), true), current_setting('test.claim_a0'), 'now acting for student A, with A''s claim');
SELECT lives_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type, total_marks) VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE', 50)$$,
  'student A adds an exam of their own');
SELECT is(set_config('app.claim', current_setting('test.claim_b0'), true), current_setting('test.claim_b0'), 'now acting for student B, with B''s claim');
SELECT lives_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type, duration_minutes, total_marks) VALUES (current_setting('test.student_b')::uuid, current_setting('test.subject')::uuid, 'TIMED', 90, 60)$$,
  'student B adds an exam of their own');

-- As B: only B's rows, whatever the query asks for.
SELECT results_eq($$SELECT id::text FROM students$$, ARRAY[current_setting('test.student_b')],
  'student B sees exactly one student: B');
SELECT results_eq($$SELECT DISTINCT student_id::text FROM exams$$, ARRAY[current_setting('test.student_b')],
  'student B sees only exams of their own');
SELECT results_eq($$SELECT DISTINCT student_id::text FROM auth_events$$, ARRAY[current_setting('test.student_b')],
  'student B sees only audit events filed under their own account');
SELECT ok(EXISTS (SELECT 1 FROM subjects WHERE id = current_setting('test.subject')::uuid),
  'signed in, student B reads the shared catalogue');
SELECT is_empty($$SELECT id FROM exams WHERE student_id = current_setting('test.student_a')::uuid$$,
  'student B finds none of A''s exams, even by naming A');
-- (A student's UPDATE of an exam sets its status and times only, since migration 016: updated_at
-- is one of those columns.)
SELECT is_empty($$UPDATE exams SET updated_at = now() WHERE student_id = current_setting('test.student_a')::uuid RETURNING id$$,
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
  '42501', NULL,
  'student B cannot hand their own exam to A (42501: no privilege on student_id since migration 016, and the UPDATE policy''s WITH CHECK behind it)');
SELECT throws_ok(
  $$INSERT INTO auth_events (student_id, kind, succeeded) VALUES (current_setting('test.student_a')::uuid, 'logout', true)$$,
  '42501', 'new row violates row-level security policy for table "auth_events"',
  'student B cannot file an audit event under A''s account (42501, row-level security)');
SELECT throws_ok($$DELETE FROM auth_events$$, '42501', NULL,
  'student B cannot delete audit events, not even their own (42501, no privilege)');
SELECT throws_ok($$SELECT password_hash FROM students$$, '42501', NULL,
  'student B cannot read password_hash, not even their own (42501, no privilege)');
SELECT throws_ok(
  $$SELECT * FROM app.sign_in('pgtap-student-a@example.invalid', 'pgtap-student-a@example.invalid',
                              'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 4, NULL, 'pg_prove', 'pgtap')$$,
  '42501', NULL,
  'student B cannot try a password for A''s email (42501, no EXECUTE on app.sign_in)');
SELECT throws_ok($$SELECT key FROM app.claim_keys$$, '42501', NULL,
  'student B cannot read the claim keys (42501, no privilege)');
SELECT throws_ok($$UPDATE subjects SET name = 'changed'$$, '42501', NULL,
  'student B cannot change the shared catalogue (42501, no privilege)');
-- app.student_id beside B's claim changes nothing either.
SELECT is(set_config('app.student_id', current_setting('test.student_a'), true), current_setting('test.student_a'),
  'now app.student_id names A again, beside B''s claim');
SELECT results_eq($$SELECT id::text FROM students$$, ARRAY[current_setting('test.student_b')],
  'with B''s claim and A''s id in app.student_id, student B still sees exactly one student: B');

-- An empty claim is no claim: no student, no error. A claim that is there but not the server's
-- ends the statement with EXA01 (the server answers 401): no rows, no writes.
SELECT is(set_config('app.claim', '', true), '', 'now acting for nobody: app.claim is empty');
SELECT is_empty($$SELECT id FROM students UNION ALL SELECT id FROM exams UNION ALL SELECT id FROM auth_events UNION ALL SELECT id FROM subjects$$,
  'with app.claim empty, examiner_student sees no student, exam, audit event or subject');
SELECT is(set_config('app.claim', $$' OR true --$$, true), $$' OR true --$$, 'now app.claim is an injection attempt');
SELECT throws_ok($$SELECT id FROM exams$$, 'EXA01', 'claim refused',
  'with app.claim an injection attempt, reading exams fails with EXA01 (claim refused)');
SELECT is(set_config('app.claim', replace(current_setting('test.claim_b0'), current_setting('test.student_b'), current_setting('test.student_a')), true),
          replace(current_setting('test.claim_b0'), current_setting('test.student_b'), current_setting('test.student_a')),
  'now app.claim is B''s claim with A''s id written over B''s');
SELECT throws_ok($$SELECT id FROM exams$$, 'EXA01', 'claim refused',
  'B''s claim edited to name A is refused (EXA01): its MAC no longer matches');
SELECT throws_ok($$UPDATE exams SET updated_at = now() RETURNING id$$, 'EXA01', 'claim refused',
  'an UPDATE under the edited claim fails with EXA01 too, and writes nothing');

-- A's exam is as A left it.
SELECT is(set_config('app.claim', current_setting('test.claim_a0'), true), current_setting('test.claim_a0'), 'now acting for student A again');
SELECT results_eq($$SELECT total_marks FROM exams$$, ARRAY[50],
  'student A still has their one exam, unchanged by B and by B''s edited claim');

-- Token generations, checked by the verifier in every statement: B's logout revokes every claim
-- of B's issued before it, however recent, and no claim of A's.
SELECT is(set_config('app.claim', current_setting('test.claim_b0'), true), current_setting('test.claim_b0'), 'now acting for student B again, at generation 0');
SELECT is(app.revoke_tokens(), 1::bigint, 'B''s logout moves B''s token generation to 1');
SELECT throws_ok($$SELECT id FROM students$$, 'EXA01', 'claim refused',
  'after the logout B''s claim of generation 0 is refused (EXA01), from the next statement on');
SELECT is(set_config('app.claim', current_setting('test.claim_b1'), true), current_setting('test.claim_b1'), 'now acting for student B with a claim of generation 1');
SELECT results_eq($$SELECT id::text FROM students$$, ARRAY[current_setting('test.student_b')],
  'a claim issued after the logout, of generation 1, is good: B sees B');
SELECT is(set_config('app.claim', current_setting('test.claim_a0'), true), current_setting('test.claim_a0'), 'now acting for student A, at generation 0');
SELECT results_eq($$SELECT id::text FROM students$$, ARRAY[current_setting('test.student_a')],
  'A''s claims are untouched by B''s logout: A sees A');

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
