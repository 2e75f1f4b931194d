-- The narrow doors of authentication. Register and login happen before anyone is a student, so
-- they run as examiner_anon, which may touch no table; these SECURITY DEFINER functions, owned by
-- examiner_auth and with a fixed search_path, are the only way they reach students. Each does one
-- thing and returns only what its caller needs. The first three are for examiner_anon only: a
-- student's transaction (examiner_student) cannot look up or sign in as anyone.

-- Creates an account and its 'register' audit event in one statement.
-- A duplicate email raises unique_violation on students_email_key.
CREATE FUNCTION app.register_student(
  p_email text, p_email_key text, p_password_hash text, p_full_name text,
  p_client_ip inet, p_user_agent text, p_request_id text
) RETURNS TABLE (id uuid, email text, full_name text, target_grades jsonb, created_at timestamptz, updated_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH student AS (
    INSERT INTO public.students (email, email_key, password_hash, full_name)
    VALUES (p_email, p_email_key, p_password_hash, p_full_name)
    RETURNING students.id, students.email, students.full_name, students.target_grades,
              students.created_at, students.updated_at
  ), event AS (
    INSERT INTO public.auth_events (student_id, kind, succeeded, email, client_ip, user_agent, request_id)
    SELECT student.id, 'register', true, student.email, p_client_ip, p_user_agent, p_request_id
    FROM student
  )
  SELECT student.id, student.email, student.full_name, student.target_grades, student.created_at, student.updated_at
  FROM student
$$;

-- What a login needs to check a password: no row at all for an unknown email.
CREATE FUNCTION app.login_lookup(p_email_key text)
RETURNS TABLE (id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.id, s.password_hash
  FROM public.students AS s
  WHERE s.email_key = p_email_key
$$;

-- Records a failed registration or login (only those: the signed-in events are written by the
-- student's own transaction). The event belongs to the account the email names, if any, so its
-- owner can see the attempts.
CREATE FUNCTION app.record_auth_failure(
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

-- Completes a login whose password the caller checked against p_verified_hash: only if that hash
-- is still the student's (a password change since would make the old password win), with the
-- row locked so a concurrent change waits. Records the event, replaces the hash by p_new_hash
-- when given (an older scheme or cost), and returns the issue time for the token: the database's
-- clock (the one cut-offs are set by) to the millisecond, never before the student's cut-off.
-- NULL means the password changed meanwhile.
CREATE FUNCTION app.complete_login(
  p_student_id uuid, p_verified_hash text, p_new_hash text, p_email text,
  p_client_ip inet, p_user_agent text, p_request_id text
) RETURNS timestamptz
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH student AS (
    SELECT s.id, s.tokens_valid_after
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
  SELECT greatest(date_trunc('milliseconds', clock_timestamp()), student.tokens_valid_after) FROM student
$$;

-- The signed-in student's own password hash, to check the current password on a change.
CREATE FUNCTION app.current_password_hash() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.password_hash FROM public.students AS s WHERE s.id = app.current_student_id()
$$;

-- Token issue times and cut-offs are whole milliseconds (tokens carry milliseconds). A login's
-- issue time is the clock rounded down, but never before the cut-off; a new cut-off is the clock
-- rounded up, and always at least 1 ms past the old one. So a cut-off is later than every token
-- issued before it, and a token issued after it is never earlier than it.
CREATE FUNCTION app.next_token_cutoff(p_current timestamptz) RETURNS timestamptz
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT date_trunc('milliseconds',
                    greatest(clock_timestamp(), p_current + interval '1 millisecond') + interval '999 microseconds')
$$;

-- Sets the signed-in student's new password and revokes every token issued so far. The old hash
-- must still be current, so two racing changes cannot both win. Returns the new cut-off, or
-- NULL when nothing changed.
CREATE FUNCTION app.change_password(p_old_hash text, p_new_hash text) RETURNS timestamptz
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE public.students AS s
  SET password_hash = p_new_hash, tokens_valid_after = app.next_token_cutoff(s.tokens_valid_after), updated_at = now()
  WHERE s.id = app.current_student_id() AND s.password_hash = p_old_hash
  RETURNING s.tokens_valid_after
$$;

-- Revokes every token of the signed-in student issued so far (logout).
CREATE FUNCTION app.revoke_tokens() RETURNS timestamptz
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE public.students AS s
  SET tokens_valid_after = app.next_token_cutoff(s.tokens_valid_after)
  WHERE s.id = app.current_student_id()
  RETURNING s.tokens_valid_after
$$;

-- The instant before which a student's tokens are rejected. Called by the login user at the
-- start of every request transaction, before it becomes examiner_student; granted to neither
-- request role, so no request can ask about another student.
CREATE FUNCTION app.token_cutoff(p_student_id uuid) RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.tokens_valid_after FROM public.students AS s WHERE s.id = p_student_id
$$;

-- A non-superuser may hand a function to a role only when that role can create in its schema;
-- the right is lent for the hand-over and taken back at once.
GRANT CREATE ON SCHEMA app TO examiner_auth;
ALTER FUNCTION app.register_student(text, text, text, text, inet, text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.login_lookup(text) OWNER TO examiner_auth;
ALTER FUNCTION app.record_auth_failure(text, text, text, text, inet, text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.complete_login(uuid, text, text, text, inet, text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.current_password_hash() OWNER TO examiner_auth;
ALTER FUNCTION app.change_password(text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.revoke_tokens() OWNER TO examiner_auth;
ALTER FUNCTION app.token_cutoff(uuid) OWNER TO examiner_auth;
REVOKE CREATE ON SCHEMA app FROM examiner_auth;

REVOKE ALL ON FUNCTION
  app.register_student(text, text, text, text, inet, text, text),
  app.login_lookup(text),
  app.record_auth_failure(text, text, text, text, inet, text, text),
  app.complete_login(uuid, text, text, text, inet, text, text),
  app.current_password_hash(),
  app.next_token_cutoff(timestamptz),
  app.change_password(text, text),
  app.revoke_tokens(),
  app.token_cutoff(uuid)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
  app.register_student(text, text, text, text, inet, text, text),
  app.login_lookup(text),
  app.record_auth_failure(text, text, text, text, inet, text, text),
  app.complete_login(uuid, text, text, text, inet, text, text)
TO examiner_anon;

GRANT EXECUTE ON FUNCTION
  app.current_password_hash(),
  app.change_password(text, text),
  app.revoke_tokens()
TO examiner_student;

GRANT EXECUTE ON FUNCTION app.next_token_cutoff(timestamptz) TO examiner_auth;
GRANT EXECUTE ON FUNCTION app.token_cutoff(uuid) TO CURRENT_USER;

---- create above / drop below ----

DROP FUNCTION app.token_cutoff(uuid);
DROP FUNCTION app.revoke_tokens();
DROP FUNCTION app.change_password(text, text);
DROP FUNCTION app.next_token_cutoff(timestamptz);
DROP FUNCTION app.current_password_hash();
DROP FUNCTION app.complete_login(uuid, text, text, text, inet, text, text);
DROP FUNCTION app.record_auth_failure(text, text, text, text, inet, text, text);
DROP FUNCTION app.login_lookup(text);
DROP FUNCTION app.register_student(text, text, text, text, inet, text, text);
