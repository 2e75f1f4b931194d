-- Passwords, checked inside the database (migration 015): app.sign_in for examiner_anon and
-- app.change_password_checked for examiner_student compare a pre-hash with the stored bcrypt hash
-- with pgcrypto, so no function hands a hash out or takes one to compare. The pre-hash is what
-- internal/password sends: base64 of SHA-384 of the password (64 characters); the stored form is
-- "sha384-bcrypt$" followed by bcrypt's "$2a$…" of the pre-hash. The hashes below were made by
-- Go's golang.org/x/crypto/bcrypt at cost 4, so these tests also show that pgcrypto verifies Go's
-- hashes:
--   "correct horse":  pre-hash ArIKby67…mDKS, hash $2a$04$twfcIvTunUHDDhz23..5aeF6ihNJp.4vPL1.NksLI8hr45rMCIqfO
--   "battery staple": pre-hash dISmKByr…EuKy, hash $2a$04$F1odvhsGtD8zB.rAE4uZP.u9ZeMNnl6MnNBvCSSAKjOVQOZMNJTtO
--
-- Everything happens inside this file's transaction and is rolled back at the end; the user
-- running it must be able to call app.register_student, write app.claim_keys and become
-- examiner_anon, examiner_student and examiner_auth (the tables' owner can).
--
-- Run by hand: pg_prove -d examiner sql/tests/08_passwords.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(46);

\set prehash  'ArIKby67E2Cppg9M+QhXNj7UGcAisSFWfOX5HG45Zk+3j9YCNMSli1v8cUWumDKS'
\set stored   'sha384-bcrypt$$2a$04$twfcIvTunUHDDhz23..5aeF6ihNJp.4vPL1.NksLI8hr45rMCIqfO'
\set prehash2 'dISmKByr6Yp9XJtXqOYlTBrESsJ/ewLGwTNYBfzYiBAf0aQMiI9ddsjgL/HUEuKy'
\set hash2    '$2a$04$F1odvhsGtD8zB.rAE4uZP.u9ZeMNnl6MnNBvCSSAKjOVQOZMNJTtO'
\set stored2  'sha384-bcrypt$$2a$04$F1odvhsGtD8zB.rAE4uZP.u9ZeMNnl6MnNBvCSSAKjOVQOZMNJTtO'
\set email    'pgtap-password@example.invalid'

-- pgTAP's functions belong to the user running the tests, who since migration 013 grants EXECUTE
-- on new functions to nobody by default: the roles this file becomes need it back to report
-- (rolled back with the rest).
DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
           WHERE e.extname = 'pgtap' AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' LOOP
    EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO examiner_anon, examiner_student, examiner_auth', f);
  END LOOP;
END $$;

-- Setup, as the user running the tests: a student whose password is "correct horse", stored as
-- Go stores it, and claims for them at generations 0 and 1 under a key of this file's own.
SELECT is(encode(crypto.digest('correct horse', 'sha384'), 'base64'), :'prehash',
  'the pre-hash of "correct horse" is base64 of its SHA-384, as internal/password makes it');
SELECT lives_ok(
  format($$SELECT set_config('test.student', id::text, true)
           FROM app.register_student(%L, %L, %L, 'pgTAP password', NULL, 'pg_prove', 'pgtap')$$, :'email', :'email', :'stored'),
  'setup: a student registers with the hash of "correct horse" that Go made');
SELECT lives_ok(
  $$INSERT INTO app.claim_keys (kid, key) VALUES ('pgtap08', crypto.gen_random_bytes(32))$$,
  'setup: a claim key of this file''s own, kid pgtap08');
SELECT lives_ok(
  $$SELECT set_config('test.claim' || g.generation, c.payload || '.' || encode(crypto.hmac(convert_to(c.payload, 'UTF8'), k.key, 'sha256'), 'hex'), true)
    FROM (VALUES (0), (1)) AS g(generation)
    CROSS JOIN LATERAL (SELECT format('%s.%s.%s.pgtap08', current_setting('test.student'), g.generation,
                                      floor(extract(epoch FROM now()))::bigint + 3600) AS payload) AS c
    CROSS JOIN app.claim_keys AS k WHERE k.kid = 'pgtap08'$$,
  'setup: claims for the student at generations 0 and 1');

-- Sign-in, as the anonymous request that calls it.
SET LOCAL ROLE examiner_anon;
SELECT results_eq(
  format($$SELECT student_id::text, token_generation, reason FROM app.sign_in(%L, %L, %L, 4, NULL, 'pg_prove', 'pgtap')$$, :'email', :'email', :'prehash'),
  $$VALUES (current_setting('test.student'), 0::bigint, NULL::text)$$,
  'the pre-hash of the right password, checked against Go''s $2a$ hash, signs the student in at generation 0');
SELECT results_eq(
  format($$SELECT student_id, token_generation, reason FROM app.sign_in(%L, %L, %L, 4, NULL, 'pg_prove', 'pgtap')$$, :'email', :'email', :'prehash2'),
  $$VALUES (NULL::uuid, NULL::bigint, 'wrong_password'::text)$$,
  'the pre-hash of a wrong password gives no student, the reason wrong_password');
SELECT results_eq(
  format($$SELECT student_id, token_generation, reason FROM app.sign_in(%L, %L, %L, 4, NULL, 'pg_prove', 'pgtap')$$,
         'pgtap-nobody@example.invalid', 'pgtap-nobody@example.invalid', :'prehash'),
  $$VALUES (NULL::uuid, NULL::bigint, 'unknown_email'::text)$$,
  'an email nobody registered gives no student, the reason unknown_email');
SELECT throws_ok(
  format($$SELECT * FROM app.sign_in(%L, %L, %L, %s, NULL, 'pg_prove', 'pgtap')$$, :'email', :'email', c.prehash, c.cost),
  '22023', 'sign_in: bad pre-hash or cost', c.description)
FROM (VALUES
  (1, :'prehash', '3', 'a cost of 3, below bcrypt''s least, raises (22023)'),
  (2, :'prehash', '15', 'a cost of 15, above 14, raises (22023): a caller cannot hold a backend for hours'),
  (3, :'prehash', '31', 'a cost of 31 raises (22023)'),
  (4, :'prehash', 'NULL', 'no cost raises (22023)'),
  (5, 'correct horse', '4', 'the password itself instead of its pre-hash raises (22023)'),
  (6, left(:'prehash', 63), '4', 'a pre-hash one character short raises (22023)'),
  (7, left(:'prehash', 63) || '=', '4', 'a pre-hash with padding raises (22023)'),
  (8, translate(:'prehash', '+', '-'), '4', 'a pre-hash in URL-safe base64 raises (22023)')
) AS c(n, prehash, cost, description)
ORDER BY c.n;
SELECT throws_ok(
  format($$SELECT * FROM app.sign_in(%L, %L, NULL, 4, NULL, 'pg_prove', 'pgtap')$$, :'email', :'email'),
  '22023', 'sign_in: bad pre-hash or cost', 'no pre-hash raises (22023)');
SELECT is_empty(
  format($$SELECT r::text FROM (
             SELECT * FROM app.sign_in(%1$L, %1$L, %2$L, 4, NULL, 'pg_prove', 'pgtap')
             UNION ALL SELECT * FROM app.sign_in(%1$L, %1$L, %3$L, 4, NULL, 'pg_prove', 'pgtap')
             UNION ALL SELECT * FROM app.sign_in('pgtap-nobody@example.invalid', 'pgtap-nobody@example.invalid', %2$L, 4, NULL, 'pg_prove', 'pgtap')) AS r
           WHERE r::text ~ '\$2[abxy]\$|bcrypt' OR strpos(r::text, %2$L) > 0 OR strpos(r::text, %3$L) > 0$$,
         :'email', :'prehash', :'prehash2'),
  'no column app.sign_in returns holds a hash or the pre-hash, whether the password is right, wrong or the email unknown');
RESET ROLE;

SET LOCAL ROLE examiner_auth;
SELECT is((SELECT password_hash FROM students WHERE id = current_setting('test.student')::uuid), :'stored',
  'signing in at the stored hash''s own cost leaves Go''s hash as it was');
RESET ROLE;

SET LOCAL ROLE examiner_student;
SELECT is(set_config('app.claim', current_setting('test.claim0'), true), current_setting('test.claim0'), 'now acting for the student, at generation 0');
-- (results_eq, not set_eq: set_eq needs a temporary table, which a request role may not create.)
SELECT results_eq($$SELECT DISTINCT succeeded, reason FROM auth_events WHERE kind = 'login' ORDER BY succeeded DESC$$,
  $$VALUES (true, NULL::text), (false, 'wrong_password')$$,
  'the student sees the sign-ins filed under their account: those that succeeded and the wrong passwords');

-- A password change needs the current password's pre-hash, and a new hash of the stored shape.
SELECT is(app.change_password_checked(:'prehash2', :'stored2'), NULL,
  'app.change_password_checked with a wrong current pre-hash returns NULL');
SELECT throws_ok(
  format($$SELECT app.change_password_checked(%L, %L)$$, c.old_prehash, c.new_hash),
  '22023', 'change_password: bad pre-hash or hash', c.description)
FROM (VALUES
  (1, :'prehash', :'hash2', 'a new hash without the sha384-bcrypt$ scheme raises (22023)'),
  (2, :'prehash', replace(:'stored2', '$04$', '$15$'), 'a new hash at cost 15 raises (22023)'),
  (3, :'prehash', replace(:'stored2', '$04$', '$03$'), 'a new hash at cost 3 raises (22023)'),
  (4, :'prehash', replace(:'stored2', '$2a$', '$2y$'), 'a new hash of bcrypt variant 2y raises (22023)'),
  (5, :'prehash', left(:'stored2', -1), 'a new hash one character short raises (22023)'),
  (6, :'prehash', :'prehash2', 'a pre-hash where the new hash belongs raises (22023)'),
  (7, :'prehash', NULL, 'no new hash raises (22023)'),
  (8, 'correct horse', :'stored2', 'the current password itself instead of its pre-hash raises (22023)')
) AS c(n, old_prehash, new_hash, description)
ORDER BY c.n;
SELECT is(set_config('app.claim', '', true), '', 'now acting for nobody: app.claim is empty');
SELECT is(app.change_password_checked(:'prehash', :'stored2'), NULL,
  'without a claim app.change_password_checked returns NULL, even with the right pre-hash');
RESET ROLE;

SET LOCAL ROLE examiner_auth;
SELECT results_eq(
  $$SELECT password_hash, token_generation FROM students WHERE id = current_setting('test.student')::uuid$$,
  format($$VALUES (%L, 0::bigint)$$, :'stored'),
  'after the refused changes the stored hash and the token generation are as they were');
RESET ROLE;

SET LOCAL ROLE examiner_student;
SELECT is(set_config('app.claim', current_setting('test.claim0'), true), current_setting('test.claim0'), 'now acting for the student again, at generation 0');
SELECT is(app.change_password_checked(:'prehash', :'stored2'), 1::bigint,
  'app.change_password_checked with the right current pre-hash returns the new token generation, 1');
SELECT throws_ok($$SELECT app.current_student_id()$$, 'EXA01', 'claim refused',
  'the change revokes the claims issued before it: generation 0 is refused (EXA01)');
SELECT is(set_config('app.claim', current_setting('test.claim1'), true), current_setting('test.claim1'), 'now acting for the student with a claim of generation 1');
SELECT is(app.current_student_id()::text, current_setting('test.student'),
  'a claim of the new generation, 1, names the student');
RESET ROLE;

SET LOCAL ROLE examiner_auth;
SELECT results_eq(
  $$SELECT password_hash, token_generation FROM students WHERE id = current_setting('test.student')::uuid$$,
  format($$VALUES (%L, 1::bigint)$$, :'stored2'),
  'after the change the stored hash is the new one and the token generation is 1');
RESET ROLE;

-- The new password signs in, the old one no longer; a sign-in at another cost rehashes.
SET LOCAL ROLE examiner_anon;
SELECT results_eq(
  format($$SELECT student_id::text, token_generation, reason FROM app.sign_in(%L, %L, %L, 4, NULL, 'pg_prove', 'pgtap')$$, :'email', :'email', :'prehash2'),
  $$VALUES (current_setting('test.student'), 1::bigint, NULL::text)$$,
  'the new password''s pre-hash signs the student in, at generation 1');
SELECT results_eq(
  format($$SELECT student_id, token_generation, reason FROM app.sign_in(%L, %L, %L, 4, NULL, 'pg_prove', 'pgtap')$$, :'email', :'email', :'prehash'),
  $$VALUES (NULL::uuid, NULL::bigint, 'wrong_password'::text)$$,
  'the old password''s pre-hash is now a wrong password');
SELECT results_eq(
  format($$SELECT student_id::text, token_generation, reason FROM app.sign_in(%L, %L, %L, 5, NULL, 'pg_prove', 'pgtap')$$, :'email', :'email', :'prehash2'),
  $$VALUES (current_setting('test.student'), 1::bigint, NULL::text)$$,
  'the new password''s pre-hash signs the student in when the server asks for cost 5');
RESET ROLE;

SET LOCAL ROLE examiner_auth;
SELECT is((SELECT substr(password_hash, 15, 7) FROM students WHERE id = current_setting('test.student')::uuid), '$2a$05$',
  'signing in at cost 5 rehashed the cost-4 hash at cost 5');
SELECT isnt((SELECT password_hash FROM students WHERE id = current_setting('test.student')::uuid), :'stored2',
  'the rehash is a fresh hash, not Go''s');
SELECT lives_ok(
  $$SELECT set_config('test.rehashed', password_hash, true) FROM students WHERE id = current_setting('test.student')::uuid$$,
  'setup: the rehashed hash, kept for the check below');
RESET ROLE;

SET LOCAL ROLE examiner_anon;
SELECT results_eq(
  format($$SELECT student_id::text, token_generation, reason FROM app.sign_in(%L, %L, %L, 5, NULL, 'pg_prove', 'pgtap')$$, :'email', :'email', :'prehash2'),
  $$VALUES (current_setting('test.student'), 1::bigint, NULL::text)$$,
  'the rehashed password signs in again at cost 5');
RESET ROLE;

SET LOCAL ROLE examiner_auth;
SELECT is((SELECT password_hash FROM students WHERE id = current_setting('test.student')::uuid), current_setting('test.rehashed'),
  'a sign-in at the stored hash''s cost does not rehash it again');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
