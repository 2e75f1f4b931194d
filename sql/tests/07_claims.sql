-- The claim verifier, app.current_student_id() (migration 014), claim by claim. A claim is
--   <student uuid>.<token generation>.<exp, Unix seconds>.<kid>.<64 hex digits of HMAC-SHA256(key of kid, all before it)>
-- and the verifier returns the student only when the kid is installed, the MAC is that key's,
-- exp is still ahead and the student's token generation is the claim's; an empty or missing
-- claim is no student (NULL); anything else raises EXA01, which ends the statement.
--
-- The golden vector: with the key of 32 bytes 0xab installed under kid g1, the claim for student
-- 00000000-0000-4000-8000-000000000007 at generation 0 until 4102444800 (2100-01-01) is the string
-- below, byte for byte what internal/dbclaim signs (TestClaimGoldenVectors holds the same
-- strings). So the database verifies what Go signs, and a change on either side fails a test.
-- The other signed claims below were made by Go the same way; the edited ones are the golden
-- claim with a part written over, its MAC kept.
--
-- Everything happens inside this file's transaction and is rolled back at the end; the user
-- running it must be able to write app.claim_keys and become examiner_auth and examiner_student
-- (the tables' owner can).
--
-- Run by hand: pg_prove -d examiner sql/tests/07_claims.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(33);

\set golden       '00000000-0000-4000-8000-000000000007.0.4102444800.g1.4bada7b89bb327f3bf8f5e9fedc160a5952db19c9db573b5f7e0c6d6171f967b'
\set expired      '00000000-0000-4000-8000-000000000007.0.946684800.g1.0bb1a236a0047930079541f62f6504e79be894eded04d797dcca1e6ce13a700e'
\set generation_1 '00000000-0000-4000-8000-000000000007.1.4102444800.g1.f5a9a1a30018f621b5679cff45b0206dba7e5071722cff763345055c598bb5e5'
\set kid_g2       '00000000-0000-4000-8000-000000000007.0.4102444800.g2.cca8ec31a33e9810f014e1cea707eb18bdd021ec7a2ccef386aa256fac14254a'
\set no_student   '00000000-0000-4000-8000-000000000009.0.4102444800.g1.3a24ff7c1b296b8de40fcb3724f17ad533228cb283725d84f8dde1519a68dade'

-- pgTAP's functions belong to the user running the tests, who since migration 013 grants EXECUTE
-- on new functions to nobody by default: the roles this file becomes need it back to report
-- (rolled back with the rest).
DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
           WHERE e.extname = 'pgtap' AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' LOOP
    EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO examiner_student, examiner_auth', f);
  END LOOP;
END $$;

-- Setup, as the user running the tests: the golden key, and two students at generation 0, the
-- golden claim's and the one an edited claim names. They are written as examiner_auth, whose
-- policies let it add students (forced row-level security binds the tables' owner itself).
SELECT lives_ok(
  $$INSERT INTO app.claim_keys (kid, key) VALUES ('g1', decode(repeat('ab', 32), 'hex'))$$,
  'setup: the golden key, 32 bytes 0xab, under kid g1');
SET LOCAL ROLE examiner_auth;
SELECT lives_ok(
  $$INSERT INTO students (id, email, email_key, password_hash, full_name, token_generation)
    VALUES ('00000000-0000-4000-8000-000000000007', 'pgtap-golden@example.invalid', 'pgtap-golden@example.invalid', 'not-a-real-hash', 'pgTAP golden', 0),
           ('00000000-0000-4000-8000-000000000008', 'pgtap-other@example.invalid', 'pgtap-other@example.invalid', 'not-a-real-hash', 'pgTAP other', 0)$$,
  'setup: students ...0007 (the golden claim''s) and ...0008, both at token generation 0');
RESET ROLE;
SELECT lives_ok(
  $$INSERT INTO subjects (code, name, level, exam_board, syllabus_year)
    VALUES ('PGTAP7', 'pgTAP claims subject', 'A Level', 'pgTAP', '2026')$$,
  'setup: a subject, so that the catalogue has a row to check');

-- The database's HMAC is Go's.
SELECT is(
  (SELECT c.payload || '.' || encode(crypto.hmac(convert_to(c.payload, 'UTF8'), k.key, 'sha256'), 'hex')
   FROM (VALUES ('00000000-0000-4000-8000-000000000007.0.4102444800.g1')) AS c(payload)
   JOIN app.claim_keys AS k ON k.kid = 'g1'),
  :'golden',
  'the claim signed here with key g1 is the golden claim internal/dbclaim signs, byte for byte');

SET LOCAL ROLE examiner_student;

-- No claim, an empty claim: no student, and no error.
SELECT is(current_setting('app.claim', true), NULL, 'app.claim is not set yet');
SELECT is(app.current_student_id(), NULL, 'without a claim, app.current_student_id() is NULL');
SELECT is(set_config('app.claim', '', true), '', 'now app.claim is empty');
SELECT is(app.current_student_id(), NULL, 'with an empty claim, app.current_student_id() is NULL');

-- The golden claim names its student, to the verifier and through the policies.
SELECT is(set_config('app.claim', :'golden', true), :'golden', 'now app.claim is the golden claim');
SELECT is(app.current_student_id(), '00000000-0000-4000-8000-000000000007'::uuid,
  'with the golden claim, app.current_student_id() is its student, ...0007');
SELECT results_eq($$SELECT id::text FROM students$$, ARRAY['00000000-0000-4000-8000-000000000007'],
  'with the golden claim, examiner_student sees exactly one student: ...0007');
SELECT is(app.check_claim_key(:'golden'), true, 'app.check_claim_key says the golden claim''s MAC is good under an installed kid');

-- Refused, each for one reason: the statement fails with EXA01, "claim refused".
SELECT throws_ok(
  format($$SELECT pg_catalog.set_config('app.claim', %L, true); SELECT app.current_student_id()$$, c.claim),
  'EXA01', 'claim refused', c.description)
FROM (VALUES
  ( 1, left(:'golden', -1) || 'c',
       'the golden claim with the last digit of its MAC changed is refused (EXA01)'),
  ( 2, left(:'golden', 53) || upper(right(:'golden', 64)),
       'the golden claim with its MAC in upper case is refused (EXA01): the MAC is lower-case hex'),
  ( 3, replace(:'golden', '-000000000007.', '-000000000008.'),
       'the golden claim edited to name student ...0008, who exists at generation 0, is refused (EXA01)'),
  ( 4, replace(:'golden', '.0.4102444800.', '.1.4102444800.'),
       'the golden claim edited to generation 1 is refused (EXA01)'),
  ( 5, replace(:'expired', '.946684800.', '.4102444800.'),
       'the expired claim edited to expire in 2100 is refused (EXA01)'),
  ( 6, replace(:'golden', '.g1.', '.g2.'),
       'the golden claim edited to kid g2 is refused (EXA01)'),
  ( 7, :'expired',
       'a claim signed with key g1 that expired on 2000-01-01 is refused (EXA01)'),
  ( 8, :'generation_1',
       'a claim signed with key g1 at generation 1, while the student is at generation 0, is refused (EXA01)'),
  ( 9, :'kid_g2',
       'a claim signed with the same key under kid g2, which is not installed, is refused (EXA01)'),
  (10, :'no_student',
       'a claim signed with key g1 for a student without a row is refused (EXA01)'),
  (11, :'golden' || ' ',
       'the golden claim with a space after it is refused (EXA01)'),
  (12, 'not a claim',
       'a string that is not a claim at all is refused (EXA01)')
) AS c(n, claim, description)
ORDER BY c.n;

-- A policy that asks the verifier fails the whole statement: no rows, no writes. (The policy asks
-- when it first has a row to check: a statement that reaches no row at all can finish without.)
SELECT is(set_config('app.claim', left(:'golden', -1) || 'c', true), left(:'golden', -1) || 'c', 'now app.claim is the golden claim with its MAC changed');
SELECT throws_ok($$SELECT id FROM students$$, 'EXA01', 'claim refused',
  'with the MAC changed, reading students fails with EXA01 (no rows)');
SELECT throws_ok($$UPDATE students SET full_name = 'taken over' RETURNING id$$, 'EXA01', 'claim refused',
  'with the MAC changed, updating students fails with EXA01 (no writes)');
SELECT throws_ok($$SELECT id FROM subjects$$, 'EXA01', 'claim refused',
  'with the MAC changed, reading the catalogue fails with EXA01 too');

-- The key check says only whether a MAC is good under an installed kid.
SELECT is(app.check_claim_key(left(:'golden', -1) || 'c'), false, 'app.check_claim_key refuses the golden claim with its MAC changed');
SELECT is(app.check_claim_key(:'kid_g2'), false, 'app.check_claim_key refuses a claim under a kid that is not installed');
SELECT is(app.check_claim_key(:'expired'), true, 'app.check_claim_key accepts the expired claim: it checks the key, not the expiry');

-- The keys and the HMAC are out of a student's reach.
SELECT throws_ok($$SELECT key FROM app.claim_keys$$, '42501', NULL,
  'examiner_student cannot read the claim keys (42501)');
SELECT throws_ok($$SELECT crypto.hmac('x'::bytea, 'y'::bytea, 'sha256')$$, '42501', NULL,
  'examiner_student cannot compute an HMAC with pgcrypto (42501, no USAGE on schema crypto)');

RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
