-- SECURITY DEFINER functions: the only doors through which register and sign-in (examiner_anon)
-- and a student's password and logout (examiner_student) reach rows their policies would hide,
-- and the verifier of the signed claim that every student policy asks who the student is. The
-- doors run as examiner_auth, the verifier as examiner_verifier (the only role that may read the
-- claim keys), each with a fixed search_path, so a caller cannot slip in its own objects. Each
-- request role may call exactly its own: a student's transaction cannot sign anyone in, an
-- anonymous one cannot change a password, and the login role, until it has become one of them,
-- calls nothing. No function hands out a password hash or compares one it is given: the password
-- is checked inside app.sign_in and app.change_password_checked (migration 015), and the doors
-- that returned hashes are gone. The marking functions (migration 016) run as examiner_marker, the
-- only role that may write marks. The function-wide checks also cover functions added later.
--
-- Run by hand: pg_prove -d examiner sql/tests/05_functions.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(35);

SELECT set_eq(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND has_function_privilege('examiner_anon', p.oid, 'EXECUTE')$$,
  ARRAY['app.register_student(text,text,text,text,inet,text,text)',
        'app.record_auth_failure(text,text,text,text,inet,text,text)',
        'app.sign_in(text,text,text,integer,inet,text,text)',
        'app.schema_version()'],
  'examiner_anon may execute exactly these SECURITY DEFINER functions: register, record a failure, sign in, the schema''s version');
SELECT set_eq(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND has_function_privilege('examiner_student', p.oid, 'EXECUTE')$$,
  ARRAY['app.change_password_checked(text,text)',
        'app.revoke_tokens()',
        'app.current_student_id()',
        'app.check_claim_key(text)',
        'app.mark_exam(uuid)',
        'app.self_mark(uuid,integer,integer)'],
  'examiner_student may execute exactly these SECURITY DEFINER functions: change its password, log out, the verifier, the key check, mark its exam, self-mark an answer');
SELECT function_privs_are('app', 'sign_in', ARRAY['text', 'text', 'text', 'integer', 'inet', 'text', 'text'], 'examiner_student', ARRAY[]::name[],
  'examiner_student cannot call app.sign_in: a student cannot sign anyone in, nor try passwords by email');
SELECT function_privs_are('app', 'change_password_checked', ARRAY['text', 'text'], 'examiner_anon', ARRAY[]::name[],
  'examiner_anon cannot call app.change_password_checked: only a signed-in student changes a password, their own');
-- (A function is callable with EXECUTE on it and USAGE on its schema. pgcrypto's functions keep
-- PUBLIC's EXECUTE where a non-superuser created the extension, whose objects the bootstrap
-- superuser then owns; schema crypto is what keeps them out of reach.)
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE (p.prosecdef OR n.nspname = 'crypto') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND has_function_privilege('examiner_authenticator', p.oid, 'EXECUTE')
      AND has_schema_privilege('examiner_authenticator', n.oid, 'USAGE')$$,
  'examiner_authenticator can call no SECURITY DEFINER function and no pgcrypto function: it must become a request role first');

-- The doors that handed out or took password hashes (migration 015), and the token check the
-- verifier replaced (migration 014), are gone; so are the cut-off scheme's.
SELECT hasnt_function('app', 'login_lookup', ARRAY['text'],
  'app.login_lookup(text), which returned an account''s password hash by email, is gone');
SELECT hasnt_function('app', 'complete_login', ARRAY['uuid', 'text', 'text', 'text', 'inet', 'text', 'text'],
  'app.complete_login, which took the verified hash back, is gone');
SELECT hasnt_function('app', 'current_password_hash', ARRAY[]::name[],
  'app.current_password_hash(), which returned the student''s own hash, is gone');
SELECT hasnt_function('app', 'change_password', ARRAY['text', 'text'],
  'app.change_password(text, text), which compared a hash it was given, is gone');
SELECT hasnt_function('app', 'check_token', ARRAY['uuid', 'bigint'],
  'app.check_token(uuid, bigint) is gone: the verifier checks the token generation');
SELECT hasnt_function('app', 'check_token', ARRAY['uuid', 'timestamp with time zone'],
  'app.check_token(uuid, timestamptz), the cut-off check, is gone');
SELECT hasnt_function('app', 'next_token_cutoff', 'app.next_token_cutoff, the millisecond cut-off, is gone');
SELECT hasnt_column('public', 'students', 'tokens_valid_after', 'students.tokens_valid_after is gone: tokens are revoked by token_generation');
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text || ' returns ' || pg_get_function_result(p.oid)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND (pg_get_function_result(p.oid) ~* 'hash|password'
           OR EXISTS (SELECT 1 FROM unnest(p.proargnames, p.proargmodes) AS a(name, mode)
                      WHERE a.mode IN ('o', 'b', 't') AND a.name ~* 'hash|password'))$$,
  'no SECURITY DEFINER function has a result (or OUT argument) named for a password or a hash');
SELECT is(pg_get_function_result(to_regprocedure('app.sign_in(text,text,text,integer,inet,text,text)')),
  'TABLE(student_id uuid, token_generation bigint, reason text)',
  'app.sign_in returns the student, their token generation and a reason, nothing about the password');

SELECT is_empty(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) AS acl WHERE acl.grantee = 0 AND acl.privilege_type = 'EXECUTE'))$$,
  'no SECURITY DEFINER function may be executed by PUBLIC (every one is granted to named roles)');
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text || ' has ' || coalesce(array_to_string(p.proconfig, ', '), 'no settings')
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)$$,
  'every SECURITY DEFINER function has its search_path fixed to pg_catalog, pg_temp');
SELECT is_empty(
  $$SELECT p.oid::regprocedure::text || ' is owned by ' || pg_get_userbyid(p.proowner)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND pg_get_userbyid(p.proowner) NOT IN ('examiner_auth', 'examiner_verifier', 'examiner_marker')$$,
  'every SECURITY DEFINER function is owned by examiner_auth, examiner_verifier or examiner_marker (it runs with that role''s grants and policies, nothing more)');
SELECT set_eq(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p WHERE pg_get_userbyid(p.proowner) = 'examiner_verifier'$$,
  ARRAY['app.current_student_id()', 'app.check_claim_key(text)'],
  'examiner_verifier, which may read the claim keys, owns exactly app.current_student_id() and app.check_claim_key(text)');
SELECT set_eq(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p WHERE pg_get_userbyid(p.proowner) = 'examiner_marker'$$,
  ARRAY['app.mark_exam(uuid)', 'app.self_mark(uuid,integer,integer)'],
  'examiner_marker, which may write marks, owns exactly app.mark_exam(uuid) and app.self_mark(uuid,integer,integer)');

-- The verifier, which every student-scoped policy calls: a definer, so that it may read the
-- claim keys and the student's token generation, which its callers may not.
SELECT is_definer('app', 'current_student_id', ARRAY[]::name[],
  'app.current_student_id() is SECURITY DEFINER: it reads the claim keys the caller may not');
SELECT is(
  (SELECT provolatile FROM pg_proc WHERE oid = to_regprocedure('app.current_student_id()')), 's',
  'app.current_student_id() is STABLE: it reads and changes nothing, so a policy may call it once per statement');
SELECT function_lang_is('app', 'current_student_id', ARRAY[]::name[], 'plpgsql',
  'app.current_student_id() is plpgsql (it raises EXA01 for a bad claim)');
SELECT function_privs_are('app', 'current_student_id', ARRAY[]::name[], 'examiner_student', ARRAY['EXECUTE'],
  'examiner_student may execute app.current_student_id(), which its policies call');
SELECT function_privs_are('app', 'current_student_id', ARRAY[]::name[], 'examiner_auth', ARRAY['EXECUTE'],
  'examiner_auth may execute app.current_student_id(), which its password-change and logout doors call');
SELECT function_privs_are('app', 'current_student_id', ARRAY[]::name[], 'examiner_anon', ARRAY[]::name[],
  'examiner_anon cannot execute app.current_student_id(): an anonymous transaction has no student');
SELECT is_definer('app', 'check_claim_key', ARRAY['text'],
  'app.check_claim_key(text) is SECURITY DEFINER: it reads the claim keys the caller may not');
SELECT function_privs_are('app', 'check_claim_key', ARRAY['text'], 'examiner_student', ARRAY['EXECUTE'],
  'examiner_student may execute app.check_claim_key(text) (serve asks it at start-up whether its key is installed)');
SELECT function_privs_are('app', 'check_claim_key', ARRAY['text'], 'examiner_anon', ARRAY[]::name[],
  'examiner_anon cannot execute app.check_claim_key(text)');

-- The marking functions: definers, so that they may write the marks their callers may not; each
-- marks only the verified student's completed exam (09_exam_integrity.sql tries them).
SELECT is_definer('app', 'mark_exam', ARRAY['uuid'],
  'app.mark_exam(uuid) is SECURITY DEFINER: it writes marks, which the student may not');
SELECT is_definer('app', 'self_mark', ARRAY['uuid', 'integer', 'integer'],
  'app.self_mark(uuid, integer, integer) is SECURITY DEFINER: it writes a bounded self-mark, which the student may not write directly');
SELECT function_privs_are('app', f.name, f.args, 'examiner_student', ARRAY['EXECUTE'],
  format('examiner_student may execute app.%s (submitting marks the exam; a written answer is self-marked)', f.name))
FROM (VALUES (1, 'mark_exam', ARRAY['uuid']), (2, 'self_mark', ARRAY['uuid', 'integer', 'integer'])) AS f(n, name, args)
ORDER BY f.n;
SELECT function_privs_are('app', f.name, f.args, 'examiner_anon', ARRAY[]::name[],
  format('examiner_anon cannot execute app.%s', f.name))
FROM (VALUES (1, 'mark_exam', ARRAY['uuid']), (2, 'self_mark', ARRAY['uuid', 'integer', 'integer'])) AS f(n, name, args)
ORDER BY f.n;

SELECT * FROM finish();
ROLLBACK;
