-- SECURITY DEFINER functions: the only doors through which register and login (examiner_anon)
-- and a student's password and logout (examiner_student) reach rows their policies would hide.
-- Each runs as examiner_auth with a fixed search_path, so a caller cannot slip in its own
-- objects, and each request role may call exactly its own doors: a student's transaction cannot
-- look anyone up by email, and neither role may call the login user's token check. The
-- function-wide checks also cover functions added later.
--
-- Run by hand: pg_prove -d examiner sql/tests/05_functions.sql (the transaction is rolled back).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(15);

SELECT set_eq(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND has_function_privilege('examiner_anon', p.oid, 'EXECUTE')$$,
  ARRAY['app.register_student(text,text,text,text,inet,text,text)',
        'app.login_lookup(text)',
        'app.record_auth_failure(text,text,text,text,inet,text,text)',
        'app.complete_login(uuid,text,text,text,inet,text,text)'],
  'examiner_anon may execute exactly these SECURITY DEFINER functions: register, look up a login, record a failure, complete a login');
SELECT set_eq(
  $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND has_function_privilege('examiner_student', p.oid, 'EXECUTE')$$,
  ARRAY['app.current_password_hash()',
        'app.change_password(text,text)',
        'app.revoke_tokens()'],
  'examiner_student may execute exactly these SECURITY DEFINER functions: its own hash, change its password, log out');
SELECT function_privs_are('app', 'login_lookup', ARRAY['text'], 'examiner_student', ARRAY[]::name[],
  'examiner_student cannot call app.login_lookup: a student cannot look anyone up by email');
SELECT function_privs_are('app', 'change_password', ARRAY['text', 'text'], 'examiner_anon', ARRAY[]::name[],
  'examiner_anon cannot call app.change_password: only a signed-in student changes a password, their own');

-- The token check: the login user's alone, by generation (migration 011), with the cut-off
-- scheme's functions gone.
SELECT function_privs_are('app', 'check_token', ARRAY['uuid', 'bigint'], 'examiner_student', ARRAY[]::name[],
  'examiner_student cannot call app.check_token(uuid, bigint): no request asks about another student');
SELECT function_privs_are('app', 'check_token', ARRAY['uuid', 'bigint'], 'examiner_anon', ARRAY[]::name[],
  'examiner_anon cannot call app.check_token(uuid, bigint)');
SELECT hasnt_function('app', 'check_token', ARRAY['uuid', 'timestamp with time zone'],
  'app.check_token(uuid, timestamptz), the cut-off check, is gone');
SELECT hasnt_function('app', 'next_token_cutoff', 'app.next_token_cutoff, the millisecond cut-off, is gone');
SELECT hasnt_column('public', 'students', 'tokens_valid_after', 'students.tokens_valid_after is gone: tokens are revoked by token_generation');
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
      AND pg_get_userbyid(p.proowner) <> 'examiner_auth'$$,
  'every SECURITY DEFINER function is owned by examiner_auth (it runs with examiner_auth''s grants and policies, nothing more)');

-- The function every student-scoped policy calls.
SELECT isnt_definer('app', 'current_student_id', ARRAY[]::name[],
  'app.current_student_id() is not SECURITY DEFINER: it only reads the caller''s own setting');
SELECT function_privs_are('app', 'current_student_id', ARRAY[]::name[], 'examiner_student', ARRAY['EXECUTE'],
  'examiner_student may execute app.current_student_id(), which its policies call');
SELECT is(
  (SELECT provolatile FROM pg_proc WHERE oid = to_regprocedure('app.current_student_id()')), 's',
  'app.current_student_id() is STABLE: it reads a setting and changes nothing');

SELECT * FROM finish();
ROLLBACK;
