-- Exam integrity (migration 016): what a student may see and write depends on the state of their
-- exam, and PostgreSQL decides it, not the server.
--   * A key, its explanation and a mark scheme (question_keys) are readable only for questions of
--     the student's own COMPLETED exams.
--   * Answers are written only for the student's own exam while it is IN_PROGRESS and before its
--     deadline, started_at + duration_minutes + app.answer_grace(), by the clock of the statement
--     that writes them; a PRACTICE exam without a duration has none. An exam's questions are added
--     only while it is PENDING, each worth the question's marks.
--   * The trigger app.exam_state() holds examiner_student's writes of exams: a new exam is PENDING
--     and unmarked, and a timed one has a duration; the times are the database's; the status moves
--     forward only; a started exam keeps its duration; a completed one does not change; a score
--     is never the student's to set.
--   * Marks are written only by app.mark_exam (every MCQ against its key, score and max_score) and
--     app.self_mark (a written answer, within 0 and the question's marks), as examiner_marker.
--
-- Students A and B go through their exams the way the API takes them, as examiner_student with a
-- claim signed here under a key of this file's own (kid pgtap09), as 06_behaviour.sql does:
--   P   A's PENDING exam: question "pending";
--   E1  A's exam of four questions: MCQs "run" (A answers C, the key), "wrong" (A answers B, the
--       key is D) and "blank" (unanswered), and the 12-mark written question "essay"; started,
--       answered, submitted, marked and self-marked here;
--   E2  A's exam of 30 minutes, started, with one answer, then moved two hours into the past;
--   E3  A's exam of 1 minute whose deadline passes while this transaction runs;
--   E4  A's PRACTICE exam without a duration, started two days ago;
--   BX  B's completed exam of one question, "b_only", which is in no exam of A's.
-- Moving an exam's start into the past is the owner's write, behind forced row-level security:
-- it needs a superuser or BYPASSRLS (the tests' harness is one); otherwise those checks skip.
--
-- Everything happens inside this file's transaction and is rolled back at the end; the user
-- running it must be able to call app.register_student, write the catalogue and app.claim_keys,
-- and become examiner_student (the tables' owner can).
--
-- Run by hand: pg_prove -d examiner sql/tests/09_exam_integrity.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(177);

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

SELECT (rolsuper OR rolbypassrls) AS owner_bypasses_rls FROM pg_roles WHERE rolname = current_user \gset

-- ---------------------------------------------------------------------------------------------
-- The policies of the new tables, as PostgreSQL prints them back (whitespace collapsed).
\set own_student_id '(student_id = ( SELECT app.current_student_id() AS current_student_id))'
\set signed_in      '(( SELECT app.current_student_id() AS current_student_id) IS NOT NULL)'
\set marker_only    '(CURRENT_USER = ''examiner_marker''::name)'
\set marker_own     '((CURRENT_USER = ''examiner_marker''::name) AND (student_id = ( SELECT app.current_student_id() AS current_student_id)))'
\set after_completion '(EXISTS ( SELECT FROM (exam_questions eq JOIN exams e ON ((e.id = eq.exam_id))) WHERE ((eq.question_id = question_keys.question_id) AND (e.status = ''COMPLETED''::text) AND (e.student_id = ( SELECT app.current_student_id() AS current_student_id)))))'
\set while_pending  '(NOT (EXISTS ( SELECT FROM exams e WHERE ((e.id = exam_questions.exam_id) AND (e.status <> ''PENDING''::text)))))'
\set while_open     '(EXISTS ( SELECT FROM exams e WHERE ((e.id = answers.exam_id) AND app.accepts_answers(e.status, e.started_at, e.duration_minutes))))'

CREATE TEMP TABLE expected_policy (n, tbl, policy, permissive, cmd, role, using_expr, check_expr, allows) AS VALUES
  -- The bank: for signed-in students, and for the marker inside the marking functions.
  ( 1, 'questions', 'questions_read', 'PERMISSIVE', 'SELECT', 'examiner_student', :'signed_in', NULL, 'every question, for a signed-in student'),
  ( 2, 'questions', 'questions_marker', 'PERMISSIVE', 'SELECT', 'examiner_marker', :'marker_only', NULL, 'only inside the marking functions (kind and marks)'),
  ( 3, 'question_syllabus_points', 'question_syllabus_points_read', 'PERMISSIVE', 'SELECT', 'examiner_student', :'signed_in', NULL, 'every tag, for a signed-in student'),
  -- The keys.
  ( 4, 'question_keys', 'question_keys_after_completion', 'PERMISSIVE', 'SELECT', 'examiner_student', :'after_completion', NULL,
    'a key only for a question of a COMPLETED exam the student can see, that is their own'),
  ( 5, 'question_keys', 'question_keys_marker', 'PERMISSIVE', 'SELECT', 'examiner_marker', :'marker_only', NULL, 'only inside the marking functions'),
  -- An exam's questions: the owner policies, and no new question once the exam has started.
  ( 6, 'exam_questions', 'exam_questions_select', 'PERMISSIVE', 'SELECT', 'examiner_student', :'own_student_id', NULL, 'a student sees only their own exams'' questions'),
  ( 7, 'exam_questions', 'exam_questions_insert', 'PERMISSIVE', 'INSERT', 'examiner_student', NULL, :'own_student_id', 'a student adds questions only to their own exams'),
  ( 8, 'exam_questions', 'exam_questions_update', 'PERMISSIVE', 'UPDATE', 'examiner_student', :'own_student_id', :'own_student_id', 'only their own (and it has no UPDATE privilege)'),
  ( 9, 'exam_questions', 'exam_questions_delete', 'PERMISSIVE', 'DELETE', 'examiner_student', :'own_student_id', NULL, 'only their own (and it has no DELETE privilege)'),
  (10, 'exam_questions', 'exam_questions_while_pending', 'RESTRICTIVE', 'INSERT', 'examiner_student', NULL, :'while_pending', 'and only while the exam is PENDING'),
  (11, 'exam_questions', 'exam_questions_marker', 'PERMISSIVE', 'SELECT', 'examiner_marker', :'marker_own', NULL, 'inside the marking functions, the verified student''s only'),
  -- Answers: the owner policies, and writes only while the exam takes answers.
  (12, 'answers', 'answers_select', 'PERMISSIVE', 'SELECT', 'examiner_student', :'own_student_id', NULL, 'a student sees only their own answers'),
  (13, 'answers', 'answers_insert', 'PERMISSIVE', 'INSERT', 'examiner_student', NULL, :'own_student_id', 'a student answers only for themselves'),
  (14, 'answers', 'answers_update', 'PERMISSIVE', 'UPDATE', 'examiner_student', :'own_student_id', :'own_student_id', 'a student changes only their own answers'),
  (15, 'answers', 'answers_delete', 'PERMISSIVE', 'DELETE', 'examiner_student', :'own_student_id', NULL, 'only their own (and it has no DELETE privilege)'),
  (16, 'answers', 'answers_while_open_insert', 'RESTRICTIVE', 'INSERT', 'examiner_student', NULL, :'while_open', 'and only while app.accepts_answers: IN_PROGRESS, before the deadline'),
  (17, 'answers', 'answers_while_open_update', 'RESTRICTIVE', 'UPDATE', 'examiner_student', :'while_open', :'while_open', 'and only while app.accepts_answers, before and after the change'),
  (18, 'answers', 'answers_marker_select', 'PERMISSIVE', 'SELECT', 'examiner_marker', :'marker_own', NULL, 'inside the marking functions, the verified student''s only'),
  (19, 'answers', 'answers_marker_update', 'PERMISSIVE', 'UPDATE', 'examiner_marker', :'marker_own', :'marker_own', 'inside the marking functions, the verified student''s only');

SELECT policies_are('public', tbl, array_agg(policy::name ORDER BY n),
                    format('%s has exactly these policies: %s', tbl, string_agg(policy, ', ' ORDER BY n)))
FROM expected_policy GROUP BY tbl ORDER BY min(n);
SELECT policy_cmd_is('public', tbl, policy, cmd, format('%s is for %s', policy, cmd))
FROM expected_policy ORDER BY n;
SELECT policy_roles_are('public', tbl, policy, ARRAY[role::name], format('%s applies to %s only', policy, role))
FROM expected_policy ORDER BY n;
SELECT is(p.permissive, e.permissive, format('%s is %s', e.policy, e.permissive))
FROM expected_policy e LEFT JOIN pg_policies p ON (p.schemaname, p.tablename, p.policyname) = ('public', e.tbl, e.policy)
ORDER BY e.n;
SELECT is(regexp_replace(p.qual, '\s+', ' ', 'g'), e.using_expr, format('%s USING: %s', e.policy, e.allows))
FROM expected_policy e LEFT JOIN pg_policies p ON (p.schemaname, p.tablename, p.policyname) = ('public', e.tbl, e.policy)
WHERE e.using_expr IS NOT NULL ORDER BY e.n;
SELECT is(regexp_replace(p.with_check, '\s+', ' ', 'g'), e.check_expr, format('%s WITH CHECK: %s', e.policy, e.allows))
FROM expected_policy e LEFT JOIN pg_policies p ON (p.schemaname, p.tablename, p.policyname) = ('public', e.tbl, e.policy)
WHERE e.check_expr IS NOT NULL ORDER BY e.n;

SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('public.question_keys')),
  'row-level security is enabled on question_keys (its policy is the only way a student reads a key)');
SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = to_regclass('public.exam_questions')),
  'row-level security is enabled and forced on exam_questions');
SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = to_regclass('public.answers')),
  'row-level security is enabled and forced on answers');
SELECT is(app.answer_grace(), interval '30 seconds', 'an exam takes answers for 30 seconds after its duration (app.answer_grace())');

-- ---------------------------------------------------------------------------------------------
-- Setup, as the user running the tests. Ids and claims are kept in settings local to this
-- transaction (test.student_a, test.q_run, test.exam_e1, …).
SELECT lives_ok(
  $$SELECT set_config('test.student_' || s.who, r.id::text, true)
    FROM (VALUES ('a'), ('b')) AS s(who)
    CROSS JOIN LATERAL app.register_student('pgtap09-' || s.who || '@example.invalid', 'pgtap09-' || s.who || '@example.invalid',
                                            'not-a-real-hash', 'pgTAP 09 student ' || s.who, NULL, 'pg_prove', 'pgtap') AS r$$,
  'setup: students A and B register through app.register_student');
SELECT lives_ok(
  $$WITH subject AS (
      INSERT INTO subjects (code, name, level, exam_board, syllabus_year)
      VALUES ('PGTAP9', 'pgTAP integrity subject', 'A Level', 'pgTAP', '2026') RETURNING id
    ), papers AS (
      INSERT INTO papers (subject_id, number, name, level, duration_minutes, total_marks)
      SELECT subject.id, p.number, 'Paper ' || p.number, 'AS', 60, 30 FROM subject CROSS JOIN (VALUES (1), (2)) AS p(number)
    )
    SELECT set_config('test.subject', id::text, true) FROM subject$$,
  'setup: a subject with papers 1 and 2');
SELECT lives_ok(
  $$WITH v (name, kind, paper, section, marks, key) AS (VALUES
      ('pending', 'MCQ', 1, NULL, 1, 'B'), ('run', 'MCQ', 1, NULL, 1, 'C'), ('wrong', 'MCQ', 1, NULL, 1, 'D'),
      ('blank', 'MCQ', 1, NULL, 1, 'A'), ('essay', 'WRITTEN', 2, 'essay', 12, NULL), ('b_only', 'MCQ', 1, NULL, 1, 'D'),
      ('late', 'MCQ', 1, NULL, 1, 'A'), ('late2', 'MCQ', 1, NULL, 1, 'B'), ('clock', 'MCQ', 1, NULL, 1, 'C'),
      ('untimed', 'MCQ', 1, NULL, 1, 'D')
    ), q AS (
      INSERT INTO questions (code, subject_id, paper_number, kind, section, stem, options, parts, marks)
      SELECT 'pgtap09-' || v.name, current_setting('test.subject')::uuid, v.paper, v.kind, v.section, 'pgTAP question ' || v.name,
             CASE v.kind WHEN 'MCQ' THEN '[{"key": "A", "text": "a"}, {"key": "B", "text": "b"}, {"key": "C", "text": "c"}, {"key": "D", "text": "d"}]'::jsonb END,
             CASE v.kind WHEN 'WRITTEN' THEN '[{"label": "a", "prompt": "Discuss.", "marks": 12}]'::jsonb END,
             v.marks
      FROM v RETURNING id, code
    ), k AS (
      INSERT INTO question_keys (question_id, answer, explanation, mark_schemes)
      SELECT q.id, v.key, 'Because ' || v.name || '.',
             CASE WHEN v.kind = 'WRITTEN' THEN '[{"label": "a", "levels": [{"level": 1, "min": 1, "max": 12, "descriptor": "Any."}], "indicative_content": []}]'::jsonb END
      FROM q JOIN v ON q.code = 'pgtap09-' || v.name
    )
    SELECT set_config('test.q_' || substr(q.code, 9), q.id::text, true) FROM q$$,
  'setup: ten questions with their keys (nine MCQs, one 12-mark essay)');
SELECT lives_ok(
  $$INSERT INTO app.claim_keys (kid, key) VALUES ('pgtap09', crypto.gen_random_bytes(32))$$,
  'setup: a claim key of this file''s own, kid pgtap09');
SELECT lives_ok(
  $$SELECT set_config('test.claim_' || s.who, c.payload || '.' || encode(crypto.hmac(convert_to(c.payload, 'UTF8'), k.key, 'sha256'), 'hex'), true)
    FROM (VALUES ('a'), ('b')) AS s(who)
    CROSS JOIN LATERAL (SELECT format('%s.0.%s.pgtap09', current_setting('test.student_' || s.who),
                                      floor(extract(epoch FROM now()))::bigint + 3600) AS payload) AS c
    CROSS JOIN app.claim_keys AS k WHERE k.kid = 'pgtap09'$$,
  'setup: claims for A and B, signed as the server signs them');

SET LOCAL ROLE examiner_student;

-- ---------------------------------------------------------------------------------------------
-- B's exam, taken to completion: its question's key is B's to read, never A's.
SELECT is(set_config('app.claim', current_setting('test.claim_b'), true), current_setting('test.claim_b'), 'now acting for student B');
SELECT lives_ok(
  $$WITH e AS (
      INSERT INTO exams (student_id, subject_id, exam_type) VALUES (current_setting('test.student_b')::uuid, current_setting('test.subject')::uuid, 'PRACTICE')
      RETURNING id
    ), eq AS (
      INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks)
      SELECT e.id, 1, current_setting('test.student_b')::uuid, current_setting('test.q_b_only')::uuid, 1 FROM e
    )
    SELECT set_config('test.exam_bx', id::text, true) FROM e$$,
  'B creates an exam with question b_only, as the API does, in one statement');
SELECT lives_ok($$UPDATE exams SET status = 'IN_PROGRESS' WHERE id = current_setting('test.exam_bx')::uuid$$, 'B starts it');
SELECT lives_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice) VALUES (current_setting('test.exam_bx')::uuid, 1, current_setting('test.student_b')::uuid, 'A')$$,
  'B answers it');
SELECT lives_ok($$UPDATE exams SET status = 'COMPLETED' WHERE id = current_setting('test.exam_bx')::uuid$$, 'B submits it');
SELECT results_eq($$SELECT answer FROM question_keys WHERE question_id = current_setting('test.q_b_only')::uuid$$, ARRAY['D'],
  'B reads the key of b_only, a question of their completed exam');

-- ---------------------------------------------------------------------------------------------
-- A's new exams: PENDING and unmarked, and a timed one has a duration (app.exam_state()).
SELECT is(set_config('app.claim', current_setting('test.claim_a'), true), current_setting('test.claim_a'), 'now acting for student A');
SELECT throws_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type, status, started_at)
    VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE', 'IN_PROGRESS', now())$$,
  '23514', 'exam: a new exam is PENDING and unmarked', 'A cannot insert an exam IN_PROGRESS (the clock would start where A says)');
SELECT throws_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type, status, started_at, completed_at)
    VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE', 'COMPLETED', now(), now())$$,
  '23514', 'exam: a new exam is PENDING and unmarked', 'A cannot insert an exam COMPLETED (its keys would show at once)');
SELECT throws_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type, score, max_score)
    VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE', 10, 10)$$,
  '23514', 'exam: a new exam is PENDING and unmarked', 'A cannot insert an exam with a score');
SELECT throws_ok(
  $$INSERT INTO exams (student_id, subject_id, exam_type) VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'TIMED')$$,
  '23514', 'exam: a TIMED exam has a duration', 'A cannot insert a TIMED exam without a duration (it would have no deadline)');

SELECT lives_ok(
  $$WITH e AS (
      INSERT INTO exams (student_id, subject_id, exam_type, question_count)
      VALUES (current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE', 1) RETURNING id
    ), eq AS (
      INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks)
      SELECT e.id, 1, current_setting('test.student_a')::uuid, current_setting('test.q_pending')::uuid, 1 FROM e
    )
    SELECT set_config('test.exam_p', id::text, true) FROM e$$,
  'A creates exam P with question "pending", and leaves it PENDING');
SELECT lives_ok(
  $$WITH x (name, duration, questions) AS (VALUES ('e1', 60, 4), ('e2', 30, 2), ('e3', 1, 1), ('e4', NULL, 1)
    ), e AS (
      INSERT INTO exams (student_id, subject_id, exam_type, duration_minutes, question_count)
      SELECT current_setting('test.student_a')::uuid, current_setting('test.subject')::uuid, 'PRACTICE', x.duration, x.questions FROM x
      RETURNING id, duration_minutes
    )
    SELECT set_config('test.exam_' || x.name, e.id::text, true) FROM x JOIN e ON e.duration_minutes IS NOT DISTINCT FROM x.duration$$,
  'A creates exams E1 (60 minutes), E2 (30 minutes), E3 (1 minute) and E4 (no duration)');
SELECT lives_ok(
  $$INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks)
    SELECT current_setting('test.exam_' || v.exam)::uuid, v.number, current_setting('test.student_a')::uuid, current_setting('test.q_' || v.q)::uuid, v.marks
    FROM (VALUES ('e1', 1, 'run', 1), ('e1', 2, 'wrong', 1), ('e1', 3, 'blank', 1), ('e1', 4, 'essay', 12),
                 ('e2', 1, 'late', 1), ('e2', 2, 'late2', 1), ('e3', 1, 'clock', 1), ('e4', 1, 'untimed', 1)) AS v(exam, number, q, marks)$$,
  'A adds the questions of E1 to E4 while they are PENDING');
SELECT throws_ok(
  $$INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks)
    VALUES (current_setting('test.exam_p')::uuid, 2, current_setting('test.student_a')::uuid, current_setting('test.q_b_only')::uuid, 50)$$,
  '23514', 'exam question 2: its marks are the question''s',
  'A cannot make a 1-mark MCQ worth 50 in their exam (marking counts the exam question''s marks)');
SELECT throws_ok(
  $$INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks)
    VALUES (current_setting('test.exam_bx')::uuid, 2, current_setting('test.student_b')::uuid, current_setting('test.q_run')::uuid, 1)$$,
  '42501', NULL, 'A cannot add a question to B''s exam');

-- While PENDING: no answers, no key.
SELECT throws_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice) VALUES (current_setting('test.exam_p')::uuid, 1, current_setting('test.student_a')::uuid, 'B')$$,
  '42501', NULL, 'A cannot answer a question of their PENDING exam (42501, answers_while_open_insert)');
SELECT is_empty($$SELECT answer FROM question_keys WHERE question_id = current_setting('test.q_pending')::uuid$$,
  'A reads no key of a question of their PENDING exam');
SELECT is_empty($$SELECT answer, explanation, mark_schemes FROM question_keys WHERE question_id = current_setting('test.q_b_only')::uuid$$,
  'A reads no key of a question of B''s completed exam');

-- Starting: the database's clock, whatever A sends; then the questions and the duration are fixed.
SELECT lives_ok(
  $$UPDATE exams SET status = 'IN_PROGRESS', started_at = '2000-01-01'
    WHERE id IN (current_setting('test.exam_e1')::uuid, current_setting('test.exam_e2')::uuid,
                 current_setting('test.exam_e3')::uuid, current_setting('test.exam_e4')::uuid)$$,
  'A starts E1 to E4, naming a start in 2000');
SELECT is((SELECT count(*) FROM exams WHERE status = 'IN_PROGRESS' AND started_at >= now() AND started_at <= clock_timestamp()), 4::bigint,
  'E1 to E4 started at the database''s clock, not in 2000');
SELECT throws_ok(
  $$INSERT INTO exam_questions (exam_id, number, student_id, question_id, marks)
    VALUES (current_setting('test.exam_e1')::uuid, 5, current_setting('test.student_a')::uuid, current_setting('test.q_pending')::uuid, 1)$$,
  '42501', NULL, 'A cannot add a question to E1 once it has started (42501, exam_questions_while_pending)');
SELECT throws_ok($$UPDATE exams SET duration_minutes = 600 WHERE id = current_setting('test.exam_e1')::uuid$$,
  '42501', NULL, 'A cannot change the duration of E1 (42501: no privilege on duration_minutes)');
SELECT throws_ok($$UPDATE exams SET status = 'PENDING' WHERE id = current_setting('test.exam_e1')::uuid$$,
  '23514', 'exam: IN_PROGRESS cannot move to PENDING', 'A cannot move E1 back to PENDING');
SELECT is_empty($$SELECT answer FROM question_keys WHERE question_id = current_setting('test.q_run')::uuid$$,
  'A reads no key of a question of their IN_PROGRESS exam');

-- Behind the column privileges, the trigger: were UPDATE on duration_minutes and score granted
-- (as a later migration might), a started exam would still keep its duration, and a score would
-- still not be the student's.
RESET ROLE;
GRANT UPDATE (duration_minutes, score, max_score) ON exams TO examiner_student;
SET LOCAL ROLE examiner_student;
SELECT throws_ok($$UPDATE exams SET duration_minutes = 600 WHERE id = current_setting('test.exam_e1')::uuid$$,
  '23514', 'exam: a started exam keeps its questions and its time',
  'with UPDATE on duration_minutes granted, A still cannot change the duration of E1 once started (app.exam_state())');
SELECT lives_ok($$UPDATE exams SET score = 99, max_score = 99 WHERE id = current_setting('test.exam_p')::uuid$$,
  'with UPDATE on score granted, A''s UPDATE of their own score of P goes through ...');
SELECT results_eq($$SELECT score, max_score FROM exams WHERE id = current_setting('test.exam_p')::uuid$$,
  $$VALUES (NULL::integer, NULL::integer)$$, '... and has no effect: P''s score is still unset (app.exam_state())');
RESET ROLE;
REVOKE UPDATE (duration_minutes, score, max_score) ON exams FROM examiner_student;
SET LOCAL ROLE examiner_student;
SELECT throws_ok($$UPDATE exams SET score = 99 WHERE id = current_setting('test.exam_e1')::uuid$$,
  '42501', NULL, 'A cannot set the score of E1 (42501: no privilege on score)');

-- Answering E1 while it runs: saved, replaced, and of the question's kind.
SELECT lives_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice)
    VALUES (current_setting('test.exam_e1')::uuid, 1, current_setting('test.student_a')::uuid, 'A'),
           (current_setting('test.exam_e1')::uuid, 2, current_setting('test.student_a')::uuid, 'B')$$,
  'A answers questions 1 and 2 of E1 while it runs');
SELECT lives_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice) VALUES (current_setting('test.exam_e1')::uuid, 1, current_setting('test.student_a')::uuid, 'C')
    ON CONFLICT (exam_id, number) DO UPDATE SET choice = EXCLUDED.choice, saved_at = now()$$,
  'A saves question 1 again, as autosave does: the answer is replaced');
SELECT lives_ok(
  $$INSERT INTO answers (exam_id, number, student_id, text) VALUES (current_setting('test.exam_e1')::uuid, 4, current_setting('test.student_a')::uuid, 'An essay.')$$,
  'A writes an answer to the essay, question 4');
SELECT throws_ok(
  $$INSERT INTO answers (exam_id, number, student_id, text) VALUES (current_setting('test.exam_e1')::uuid, 3, current_setting('test.student_a')::uuid, 'C, surely')$$,
  '23514', NULL, 'A cannot answer an MCQ with text (app.answer_fits_question())');
SELECT throws_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice) VALUES (current_setting('test.exam_e1')::uuid, 4, current_setting('test.student_a')::uuid, 'A')
    ON CONFLICT (exam_id, number) DO UPDATE SET choice = EXCLUDED.choice, text = NULL$$,
  '23514', NULL, 'A cannot turn the essay''s answer into a choice');
SELECT throws_ok($$UPDATE answers SET marks_awarded = 1 WHERE exam_id = current_setting('test.exam_e1')::uuid$$,
  '42501', NULL, 'A cannot set marks_awarded on their own answers, even while the exam runs (42501)');
SELECT throws_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice, marks_awarded, self_marked)
    VALUES (current_setting('test.exam_e1')::uuid, 3, current_setting('test.student_a')::uuid, 'A', 1, true)$$,
  '42501', NULL, 'A cannot insert an answer that comes with its marks (42501)');
SELECT is(app.mark_exam(current_setting('test.exam_e1')::uuid), NULL,
  'app.mark_exam marks nothing of an exam that is still IN_PROGRESS (NULL)');
SELECT is(app.self_mark(current_setting('test.exam_e1')::uuid, 4, 5), NULL,
  'app.self_mark marks nothing of an exam that is still IN_PROGRESS (NULL)');

-- Submitting E1: its completed_at is the database's, its keys show, nothing of it changes again.
SELECT lives_ok($$UPDATE exams SET status = 'COMPLETED', completed_at = '2000-01-02' WHERE id = current_setting('test.exam_e1')::uuid$$,
  'A submits E1, naming a completion in 2000');
SELECT ok((SELECT completed_at >= now() FROM exams WHERE id = current_setting('test.exam_e1')::uuid),
  'E1 was completed at the database''s clock, not in 2000');
SELECT results_eq($$SELECT answer FROM question_keys WHERE question_id = current_setting('test.q_run')::uuid$$, ARRAY['C'],
  'A reads the key of a question of their COMPLETED exam');
SELECT results_eq($$SELECT explanation, mark_schemes IS NOT NULL FROM question_keys WHERE question_id = current_setting('test.q_essay')::uuid$$,
  $$VALUES ('Because essay.', true)$$, 'A reads the explanation and the mark scheme of the essay of their COMPLETED exam');
-- (set_eq would need a temporary table, which examiner_student may not create: arrays, sorted.)
SELECT is(ARRAY(SELECT question_id::text FROM question_keys ORDER BY 1),
  ARRAY(SELECT unnest(ARRAY[current_setting('test.q_run'), current_setting('test.q_wrong'), current_setting('test.q_blank'), current_setting('test.q_essay')]) ORDER BY 1),
  'A reads the keys of exactly the four questions of E1, their one completed exam');
SELECT throws_ok($$UPDATE exams SET status = 'IN_PROGRESS' WHERE id = current_setting('test.exam_e1')::uuid$$,
  '23514', 'exam: a completed exam cannot change', 'A cannot move COMPLETED E1 back to IN_PROGRESS');
SELECT throws_ok($$UPDATE exams SET status = 'PENDING' WHERE id = current_setting('test.exam_e1')::uuid$$,
  '23514', 'exam: a completed exam cannot change', 'A cannot move COMPLETED E1 back to PENDING');
SELECT throws_ok($$UPDATE exams SET updated_at = now() WHERE id = current_setting('test.exam_e1')::uuid$$,
  '23514', 'exam: a completed exam cannot change', 'A cannot touch COMPLETED E1 at all');
SELECT throws_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice) VALUES (current_setting('test.exam_e1')::uuid, 3, current_setting('test.student_a')::uuid, 'A')$$,
  '42501', NULL, 'A cannot answer a question of their COMPLETED exam (42501, answers_while_open_insert)');
SELECT is_empty($$UPDATE answers SET choice = 'D' WHERE exam_id = current_setting('test.exam_e1')::uuid AND number = 2 RETURNING number$$,
  'A''s UPDATE of an answer of their COMPLETED exam changes nothing (answers_while_open_update)');
SELECT throws_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice) VALUES (current_setting('test.exam_e1')::uuid, 2, current_setting('test.student_a')::uuid, 'D')
    ON CONFLICT (exam_id, number) DO UPDATE SET choice = EXCLUDED.choice$$,
  '42501', NULL, 'A cannot upsert an answer of their COMPLETED exam');

-- Marking: every MCQ against its key; the essay waits for its self-mark.
SELECT is(app.mark_exam(current_setting('test.exam_e1')::uuid), 1, 'app.mark_exam(E1) answers the score: 1 (one right MCQ of three)');
SELECT results_eq($$SELECT number::integer, marks_awarded, self_marked FROM answers WHERE exam_id = current_setting('test.exam_e1')::uuid ORDER BY number$$,
  $$VALUES (1, 1, false), (2, 0, false), (4, NULL::integer, false)$$,
  'E1''s answers are marked: the right MCQ 1, the wrong MCQ 0, the essay unmarked');
SELECT results_eq($$SELECT score, max_score, marked_at IS NOT NULL FROM exams WHERE id = current_setting('test.exam_e1')::uuid$$,
  $$VALUES (1, 3, true)$$, 'E1 scores 1 out of 3: the unanswered MCQ counts in max_score, the unmarked essay does not');

-- Self-marking the essay: within 0 and its 12 marks, and only a written answer.
SELECT throws_ok($$SELECT app.self_mark(current_setting('test.exam_e1')::uuid, 4, 13)$$, '22023', 'self_mark: marks must be from 0 to 12',
  'a self-mark of 13 for the 12-mark essay is refused');
SELECT throws_ok($$SELECT app.self_mark(current_setting('test.exam_e1')::uuid, 4, -1)$$, '22023', 'self_mark: marks must be from 0 to 12',
  'a self-mark of -1 is refused');
SELECT throws_ok($$SELECT app.self_mark(current_setting('test.exam_e1')::uuid, 4, NULL)$$, '22023', 'self_mark: marks must be from 0 to 12',
  'a self-mark of NULL is refused');
SELECT is(app.self_mark(current_setting('test.exam_e1')::uuid, 1, 1), NULL, 'an MCQ cannot be self-marked (NULL)');
SELECT is(app.self_mark(current_setting('test.exam_e1')::uuid, 3, 1), NULL, 'an unanswered question cannot be self-marked (NULL)');
SELECT is(app.self_mark(current_setting('test.exam_e1')::uuid, 4, 12), 13, 'A self-marks the essay 12 of 12: the score is now 13');
SELECT is(app.self_mark(current_setting('test.exam_e1')::uuid, 4, 7), 8, 'A self-marks it again, 7: the score is now 8');
SELECT results_eq($$SELECT marks_awarded, self_marked FROM answers WHERE exam_id = current_setting('test.exam_e1')::uuid AND number = 4$$,
  $$VALUES (7, true)$$, 'the essay''s answer is marked 7, flagged self-marked');
SELECT results_eq($$SELECT score, max_score FROM exams WHERE id = current_setting('test.exam_e1')::uuid$$,
  $$VALUES (8, 15)$$, 'E1 scores 8 out of 15');
SELECT is(app.mark_exam(current_setting('test.exam_e1')::uuid), 8, 'marking E1 again keeps the self-mark: 8');

-- Not A's: B's exam is marked by nobody but B.
SELECT is(app.mark_exam(current_setting('test.exam_bx')::uuid), NULL, 'A cannot mark B''s exam (NULL)');
SELECT is(app.self_mark(current_setting('test.exam_bx')::uuid, 1, 1), NULL, 'A cannot self-mark B''s answer (NULL)');
SELECT is(app.mark_exam(current_setting('test.exam_p')::uuid), NULL, 'A cannot mark their PENDING exam (NULL)');
SELECT is(set_config('app.claim', current_setting('test.claim_b'), true), current_setting('test.claim_b'), 'now acting for student B again');
SELECT results_eq($$SELECT e.score, e.marked_at, a.marks_awarded FROM exams e JOIN answers a ON a.exam_id = e.id WHERE e.id = current_setting('test.exam_bx')::uuid$$,
  $$VALUES (NULL::integer, NULL::timestamptz, NULL::integer)$$, 'B''s exam and answer are still unmarked');
SELECT is(app.mark_exam(current_setting('test.exam_bx')::uuid), 0, 'B marks B''s exam: 0 (B answered A, the key is D)');
SELECT is(set_config('app.claim', '', true), '', 'now acting for nobody (app.claim empty)');
SELECT is_empty($$SELECT question_id FROM question_keys$$, 'without a claim, no key is readable');
SELECT is(app.mark_exam(current_setting('test.exam_e1')::uuid), NULL, 'without a claim, app.mark_exam marks nothing (NULL)');
SELECT is(set_config('app.claim', current_setting('test.claim_a'), true), current_setting('test.claim_a'), 'now acting for student A again');

-- ---------------------------------------------------------------------------------------------
-- The deadline. E2 started two hours ago for 30 minutes; E3's minute and grace run out while this
-- transaction runs; E4 has no duration. The owner moves their starts back (app.exam_state() binds
-- examiner_student only).
SELECT lives_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice) VALUES (current_setting('test.exam_e2')::uuid, 1, current_setting('test.student_a')::uuid, 'B'),
      (current_setting('test.exam_e3')::uuid, 1, current_setting('test.student_a')::uuid, 'A'),
      (current_setting('test.exam_e4')::uuid, 1, current_setting('test.student_a')::uuid, 'A')$$,
  'A answers question 1 of E2, E3 and E4 while they run');
RESET ROLE;
\if :owner_bypasses_rls
SELECT results_eq(
  $$UPDATE exams SET started_at = CASE id WHEN current_setting('test.exam_e2')::uuid THEN now() - interval '2 hours'
                                          WHEN current_setting('test.exam_e3')::uuid THEN statement_timestamp() - interval '90 seconds' + interval '2 seconds'
                                          ELSE now() - interval '2 days' END
    WHERE id IN (current_setting('test.exam_e2')::uuid, current_setting('test.exam_e3')::uuid, current_setting('test.exam_e4')::uuid)
    RETURNING 1$$,
  ARRAY[1, 1, 1], 'setup, as the owner: E2 started two hours ago, E4 two days ago, and E3''s deadline is two seconds away');
SET LOCAL ROLE examiner_student;
SELECT results_eq($$UPDATE answers SET choice = 'B' WHERE exam_id = current_setting('test.exam_e3')::uuid RETURNING choice$$, ARRAY['B'],
  'A changes the answer of E3 a moment before its deadline');
SELECT throws_ok(
  $$INSERT INTO answers (exam_id, number, student_id, choice) VALUES (current_setting('test.exam_e2')::uuid, 2, current_setting('test.student_a')::uuid, 'B')$$,
  '42501', NULL, 'A cannot answer a question of their IN_PROGRESS exam whose deadline has passed (42501, answers_while_open_insert)');
SELECT is_empty($$UPDATE answers SET choice = 'A' WHERE exam_id = current_setting('test.exam_e2')::uuid RETURNING number$$,
  'A''s UPDATE of an answer of their IN_PROGRESS exam whose deadline has passed changes nothing (answers_while_open_update)');
SELECT results_eq($$SELECT choice FROM answers WHERE exam_id = current_setting('test.exam_e2')::uuid$$, ARRAY['B'],
  'the answer of E2 is what A saved before the deadline');
SELECT is(app.accepts_answers('IN_PROGRESS', statement_timestamp() - interval '30 minutes 29 seconds', 30), true,
  'app.accepts_answers: 29 seconds into the grace, an exam still takes answers');
SELECT is(app.accepts_answers('IN_PROGRESS', statement_timestamp() - interval '30 minutes 31 seconds', 30), false,
  'app.accepts_answers: 31 seconds after the duration, it no longer does');
SELECT results_eq($$UPDATE answers SET choice = 'B' WHERE exam_id = current_setting('test.exam_e4')::uuid RETURNING choice$$, ARRAY['B'],
  'A changes the answer of E4, a PRACTICE exam without a duration started two days ago: it has no deadline');
SELECT is(pg_sleep(2.5)::text, '', 'E3''s deadline passes while this transaction (opened long before it) runs on');
SELECT is_empty($$UPDATE answers SET choice = 'C' WHERE exam_id = current_setting('test.exam_e3')::uuid RETURNING choice$$,
  'past E3''s deadline, in the same transaction, A''s UPDATE changes nothing: the deadline is the statement''s clock, not the transaction''s');
\else
SELECT skip('moving an exam''s start into the past needs a superuser or BYPASSRLS (forced row-level security binds the owner)', 10);
SET LOCAL ROLE examiner_student;
\endif

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
