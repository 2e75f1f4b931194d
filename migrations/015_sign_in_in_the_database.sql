-- Passwords out of reach: no function any role of the server's connection may call returns a
-- password hash or takes one to compare. The password is checked here, with pgcrypto's bcrypt,
-- on the same pre-hash the server's Go code hashes with (internal/password: base64 of
-- SHA-384 of the password, stored as "sha384-bcrypt$" + bcrypt's "$2a$…"), so SQL run on the
-- server's connection learns no hash, not even its own, and can change a password only by
-- knowing the current one.
--
-- Hashes without the sha384-bcrypt$ prefix (bcrypt of the raw password, from before the
-- pre-hash) would need the raw password here; there are none to serve (check first: SELECT
-- count(*) FROM public.students WHERE password_hash NOT LIKE 'sha384-bcrypt$%'), and they can no
-- longer sign in: a password reset gives them a current hash.

-- A login: the row is locked by email key; a wrong password or an unknown email gives a row with
-- a NULL student and the reason, and files the failed attempt under the account the email names
-- (its owner sees it). An unknown email costs a bcrypt run too, so timing does not tell them
-- apart. A right password at another cost than p_cost is rehashed at p_cost. p_cost is bounded
-- (an attacker's cost 31 would hold a backend for days); p_prehash must have the pre-hash's shape.
--
-- The server limits failed sign-ins per account and per address before it calls this (Go,
-- internal/signin); SQL run on its connection could call this directly, past those limits. So the
-- database keeps a ceiling of its own, above the server's: an account with 200 wrong passwords in
-- the last hour is refused without a check (reason rate_limited), which bounds online guessing
-- through injected SQL to 200 guesses an hour per account. Only this function files a wrong
-- password (app.record_auth_failure no longer may, below), so forged events cannot lock an
-- account out: each one counted cost its sender a bcrypt run.
CREATE FUNCTION app.sign_in(
  p_email text, p_email_key text, p_prehash text, p_cost integer,
  p_client_ip inet, p_user_agent text, p_request_id text
) RETURNS TABLE (student_id uuid, token_generation bigint, reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_id uuid;
  v_stored text;
  v_generation bigint;
  v_hash text;
BEGIN
  IF p_prehash IS NULL OR p_prehash !~ '^[A-Za-z0-9+/]{64}$' OR p_cost IS NULL OR p_cost NOT BETWEEN 4 AND 14 THEN
    RAISE EXCEPTION 'sign_in: bad pre-hash or cost' USING ERRCODE = '22023';
  END IF;
  SELECT s.id, s.password_hash, s.token_generation INTO v_id, v_stored, v_generation
  FROM public.students AS s WHERE s.email_key = p_email_key
  FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM crypto.crypt(p_prehash, crypto.gen_salt('bf', p_cost));
    INSERT INTO public.auth_events (student_id, kind, succeeded, reason, email, client_ip, user_agent, request_id)
    VALUES (NULL, 'login', false, 'unknown_email', p_email, p_client_ip, p_user_agent, p_request_id);
    RETURN QUERY SELECT NULL::uuid, NULL::bigint, 'unknown_email'::text;
    RETURN;
  END IF;
  IF (SELECT pg_catalog.count(*) FROM (
        SELECT FROM public.auth_events AS e
        WHERE e.student_id = v_id AND e.created_at > pg_catalog.now() - interval '1 hour'
          AND e.kind = 'login' AND e.reason = 'wrong_password'
        LIMIT 200) AS recent) >= 200 THEN
    INSERT INTO public.auth_events (student_id, kind, succeeded, reason, email, client_ip, user_agent, request_id)
    VALUES (v_id, 'login', false, 'rate_limited', p_email, p_client_ip, p_user_agent, p_request_id);
    RETURN QUERY SELECT NULL::uuid, NULL::bigint, 'rate_limited'::text;
    RETURN;
  END IF;
  v_hash := CASE WHEN pg_catalog.starts_with(v_stored, 'sha384-bcrypt$') THEN pg_catalog.substr(v_stored, 15) END;
  IF v_hash IS NULL OR crypto.crypt(p_prehash, v_hash) <> v_hash THEN
    INSERT INTO public.auth_events (student_id, kind, succeeded, reason, email, client_ip, user_agent, request_id)
    VALUES (v_id, 'login', false, 'wrong_password', p_email, p_client_ip, p_user_agent, p_request_id);
    RETURN QUERY SELECT NULL::uuid, NULL::bigint, 'wrong_password'::text;
    RETURN;
  END IF;
  IF pg_catalog.substr(v_hash, 5, 2) <> pg_catalog.lpad(p_cost::text, 2, '0') THEN
    UPDATE public.students AS s
    SET password_hash = 'sha384-bcrypt$' || crypto.crypt(p_prehash, crypto.gen_salt('bf', p_cost))
    WHERE s.id = v_id;
  END IF;
  INSERT INTO public.auth_events (student_id, kind, succeeded, email, client_ip, user_agent, request_id)
  VALUES (v_id, 'login', true, p_email, p_client_ip, p_user_agent, p_request_id);
  RETURN QUERY SELECT v_id, v_generation, NULL::text;
END
$$;

-- The signed-in student's password change: only with the current password's pre-hash, checked
-- here on the locked row, so two racing changes cannot both win. The new hash is made by the
-- server (its cost, its salt) and must have the stored shape: $2a$, which is what Go's bcrypt makes
-- and the only bcrypt variant PostgreSQL 15's crypt() reads ($2b$ would lock its student out).
-- Revokes every token issued so far;
-- returns the new generation, or NULL when the current password is wrong (nothing changed).
CREATE FUNCTION app.change_password_checked(p_old_prehash text, p_new_hash text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_id uuid := app.current_student_id();
  v_stored text;
  v_hash text;
  v_generation bigint;
BEGIN
  IF p_old_prehash IS NULL OR p_old_prehash !~ '^[A-Za-z0-9+/]{64}$'
     OR p_new_hash IS NULL OR p_new_hash !~ '^sha384-bcrypt\$\$2a\$(0[4-9]|1[0-4])\$[./A-Za-z0-9]{53}$' THEN
    RAISE EXCEPTION 'change_password: bad pre-hash or hash' USING ERRCODE = '22023';
  END IF;
  SELECT s.password_hash INTO v_stored FROM public.students AS s WHERE s.id = v_id FOR UPDATE;
  v_hash := CASE WHEN pg_catalog.starts_with(v_stored, 'sha384-bcrypt$') THEN pg_catalog.substr(v_stored, 15) END;
  IF v_hash IS NULL OR crypto.crypt(p_old_prehash, v_hash) <> v_hash THEN
    RETURN NULL;
  END IF;
  UPDATE public.students AS s
  SET password_hash = p_new_hash, token_generation = s.token_generation + 1, updated_at = pg_catalog.now()
  WHERE s.id = v_id
  RETURNING s.token_generation INTO v_generation;
  RETURN v_generation;
END
$$;

-- The ceiling counts the account's recent failed sign-ins, while sign_in runs (current_user is
-- then examiner_auth) and in those columns only.
GRANT SELECT (student_id, kind, reason, created_at) ON auth_events TO examiner_auth;
CREATE POLICY auth_events_auth_select ON auth_events FOR SELECT TO examiner_auth
  USING (current_user = 'examiner_auth');

GRANT CREATE ON SCHEMA app TO examiner_auth;
ALTER FUNCTION app.sign_in(text, text, text, integer, inet, text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.change_password_checked(text, text) OWNER TO examiner_auth;
REVOKE CREATE ON SCHEMA app FROM examiner_auth;
REVOKE ALL ON FUNCTION app.sign_in(text, text, text, integer, inet, text, text), app.change_password_checked(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.sign_in(text, text, text, integer, inet, text, text) TO examiner_anon;
GRANT EXECUTE ON FUNCTION app.change_password_checked(text, text) TO examiner_student;

-- The failures the server still files itself: registrations refused, and sign-ins refused before
-- any check (its rate limits, an email that cannot be an account's). A wrong password is
-- app.sign_in's to file, so that the ceiling above counts only checks that ran.
CREATE OR REPLACE FUNCTION app.record_auth_failure(
  p_kind text, p_email text, p_email_key text, p_reason text,
  p_client_ip inet, p_user_agent text, p_request_id text
) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  INSERT INTO public.auth_events (student_id, kind, succeeded, reason, email, client_ip, user_agent, request_id)
  SELECT (SELECT s.id FROM public.students AS s WHERE s.email_key = p_email_key),
         p_kind, false, p_reason, p_email, p_client_ip, p_user_agent, p_request_id
  WHERE p_kind = 'register' OR (p_kind = 'login' AND p_reason IN ('rate_limited', 'unknown_email'))
$$;

-- The doors that handed out or took hashes.
DROP FUNCTION app.login_lookup(text);
DROP FUNCTION app.complete_login(uuid, text, text, text, inet, text, text);
DROP FUNCTION app.current_password_hash();
DROP FUNCTION app.change_password(text, text);

---- create above / drop below ----

CREATE OR REPLACE FUNCTION app.record_auth_failure(
  p_kind text, p_email text, p_email_key text, p_reason text,
  p_client_ip inet, p_user_agent text, p_request_id text
) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  INSERT INTO public.auth_events (student_id, kind, succeeded, reason, email, client_ip, user_agent, request_id)
  SELECT (SELECT s.id FROM public.students AS s WHERE s.email_key = p_email_key),
         p_kind, false, p_reason, p_email, p_client_ip, p_user_agent, p_request_id
  WHERE p_kind IN ('register', 'login')
$$;

CREATE FUNCTION app.login_lookup(p_email_key text)
RETURNS TABLE (id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.id, s.password_hash
  FROM public.students AS s
  WHERE s.email_key = p_email_key
$$;

CREATE FUNCTION app.complete_login(
  p_student_id uuid, p_verified_hash text, p_new_hash text, p_email text,
  p_client_ip inet, p_user_agent text, p_request_id text
) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH student AS (
    SELECT s.id, s.token_generation
    FROM public.students AS s
    WHERE s.id = p_student_id AND s.password_hash = p_verified_hash
    FOR UPDATE
  ), upgraded AS (
    UPDATE public.students AS s
    SET password_hash = p_new_hash
    FROM student
    WHERE s.id = student.id AND p_new_hash IS NOT NULL
  ), event AS (
    INSERT INTO public.auth_events (student_id, kind, succeeded, email, client_ip, user_agent, request_id)
    SELECT student.id, 'login', true, p_email, p_client_ip, p_user_agent, p_request_id
    FROM student
  )
  SELECT student.token_generation FROM student
$$;

CREATE FUNCTION app.current_password_hash() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.password_hash FROM public.students AS s WHERE s.id = app.current_student_id()
$$;

CREATE FUNCTION app.change_password(p_old_hash text, p_new_hash text) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE public.students AS s
  SET password_hash = p_new_hash, token_generation = s.token_generation + 1, updated_at = now()
  WHERE s.id = app.current_student_id() AND s.password_hash = p_old_hash
  RETURNING s.token_generation
$$;

GRANT CREATE ON SCHEMA app TO examiner_auth;
ALTER FUNCTION app.login_lookup(text) OWNER TO examiner_auth;
ALTER FUNCTION app.complete_login(uuid, text, text, text, inet, text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.current_password_hash() OWNER TO examiner_auth;
ALTER FUNCTION app.change_password(text, text) OWNER TO examiner_auth;
REVOKE CREATE ON SCHEMA app FROM examiner_auth;
REVOKE ALL ON FUNCTION app.login_lookup(text), app.complete_login(uuid, text, text, text, inet, text, text),
  app.current_password_hash(), app.change_password(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.login_lookup(text), app.complete_login(uuid, text, text, text, inet, text, text) TO examiner_anon;
GRANT EXECUTE ON FUNCTION app.current_password_hash(), app.change_password(text, text) TO examiner_student;

DROP FUNCTION app.change_password_checked(text, text);
DROP FUNCTION app.sign_in(text, text, text, integer, inet, text, text);
DROP POLICY auth_events_auth_select ON auth_events;
REVOKE SELECT (student_id, kind, reason, created_at) ON auth_events FROM examiner_auth;
