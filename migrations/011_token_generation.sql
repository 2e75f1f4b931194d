-- Tokens are revoked by generation instead of by issue time. A token carries the generation its
-- student had when it was issued; a logout or password change increments the student's, so every
-- token issued before it stops matching, however close in time, and a login just after gets the
-- new one. Tokens need only whole seconds then (clients that read iat as an integer choke on
-- milliseconds), and no function has to keep a cut-off and the clock apart by a millisecond.

ALTER TABLE students ADD COLUMN token_generation bigint NOT NULL DEFAULT 0
  CONSTRAINT students_token_generation_not_negative CHECK (token_generation >= 0);
GRANT UPDATE (token_generation) ON students TO examiner_auth;

DROP FUNCTION app.check_token(uuid, timestamptz);
DROP FUNCTION app.revoke_tokens();
DROP FUNCTION app.change_password(text, text);
DROP FUNCTION app.next_token_cutoff(timestamptz);
DROP FUNCTION app.complete_login(uuid, text, text, text, inet, text, text);
-- Its grants go with it.
ALTER TABLE students DROP COLUMN tokens_valid_after;

-- Completes a login whose password the caller checked against p_verified_hash: only if that hash
-- is still the student's (a password change since would make the old password win), with the
-- row locked so a concurrent change waits. Records the event, replaces the hash by p_new_hash
-- when given (an older scheme or cost), and returns the generation for the token. NULL means the
-- password changed meanwhile.
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

-- Sets the signed-in student's new password and revokes every token issued so far. The old hash
-- must still be current, so two racing changes cannot both win. Returns the new generation, or
-- NULL when nothing changed.
CREATE FUNCTION app.change_password(p_old_hash text, p_new_hash text) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE public.students AS s
  SET password_hash = p_new_hash, token_generation = s.token_generation + 1, updated_at = now()
  WHERE s.id = app.current_student_id() AND s.password_hash = p_old_hash
  RETURNING s.token_generation
$$;

-- Revokes every token of the signed-in student issued so far (logout); returns the new generation.
CREATE FUNCTION app.revoke_tokens() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE public.students AS s
  SET token_generation = s.token_generation + 1
  WHERE s.id = app.current_student_id()
  RETURNING s.token_generation
$$;

-- Raises SQLSTATE EXA01 unless p_generation is the student's current token generation: the
-- student is gone, or logged out or changed password since the token was issued. Called by the
-- login user at the start of every request transaction, before the role changes, and granted to
-- neither request role, so no request can ask about another student.
CREATE FUNCTION app.check_token(p_student_id uuid, p_generation bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  current_generation bigint;
BEGIN
  SELECT s.token_generation INTO current_generation FROM public.students AS s WHERE s.id = p_student_id;
  IF current_generation IS NULL OR p_generation IS NULL OR current_generation <> p_generation THEN
    RAISE EXCEPTION 'token revoked' USING ERRCODE = 'EXA01';
  END IF;
  RETURN true;
END
$$;

GRANT CREATE ON SCHEMA app TO examiner_auth;
ALTER FUNCTION app.complete_login(uuid, text, text, text, inet, text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.change_password(text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.revoke_tokens() OWNER TO examiner_auth;
ALTER FUNCTION app.check_token(uuid, bigint) OWNER TO examiner_auth;
REVOKE CREATE ON SCHEMA app FROM examiner_auth;

REVOKE ALL ON FUNCTION
  app.complete_login(uuid, text, text, text, inet, text, text),
  app.change_password(text, text),
  app.revoke_tokens(),
  app.check_token(uuid, bigint)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.complete_login(uuid, text, text, text, inet, text, text) TO examiner_anon;
GRANT EXECUTE ON FUNCTION app.change_password(text, text), app.revoke_tokens() TO examiner_student;
GRANT EXECUTE ON FUNCTION app.check_token(uuid, bigint) TO CURRENT_USER;

---- create above / drop below ----

DROP FUNCTION app.check_token(uuid, bigint);
DROP FUNCTION app.revoke_tokens();
DROP FUNCTION app.change_password(text, text);
DROP FUNCTION app.complete_login(uuid, text, text, text, inet, text, text);

-- The cut-off scheme would take the generation scheme's tokens (it ignores their gen claim),
-- including those a logout revoked: every existing row gets a cut-off of now, through the column
-- default (an UPDATE would see no row under forced row-level security), and then the old default.
ALTER TABLE students ADD COLUMN tokens_valid_after timestamptz NOT NULL DEFAULT now();
ALTER TABLE students ALTER COLUMN tokens_valid_after SET DEFAULT 'epoch';
GRANT SELECT (tokens_valid_after) ON students TO examiner_student;
GRANT UPDATE (tokens_valid_after) ON students TO examiner_auth;
ALTER TABLE students DROP COLUMN token_generation;

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

CREATE FUNCTION app.next_token_cutoff(p_current timestamptz) RETURNS timestamptz
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT date_trunc('milliseconds',
                    greatest(clock_timestamp(), p_current + interval '1 millisecond') + interval '999 microseconds')
$$;

CREATE FUNCTION app.change_password(p_old_hash text, p_new_hash text) RETURNS timestamptz
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE public.students AS s
  SET password_hash = p_new_hash, tokens_valid_after = app.next_token_cutoff(s.tokens_valid_after), updated_at = now()
  WHERE s.id = app.current_student_id() AND s.password_hash = p_old_hash
  RETURNING s.tokens_valid_after
$$;

CREATE FUNCTION app.revoke_tokens() RETURNS timestamptz
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE public.students AS s
  SET tokens_valid_after = app.next_token_cutoff(s.tokens_valid_after)
  WHERE s.id = app.current_student_id()
  RETURNING s.tokens_valid_after
$$;

CREATE FUNCTION app.check_token(p_student_id uuid, p_issued_at timestamptz) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  cutoff timestamptz;
BEGIN
  SELECT s.tokens_valid_after INTO cutoff FROM public.students AS s WHERE s.id = p_student_id;
  IF cutoff IS NULL OR p_issued_at IS NULL OR cutoff > p_issued_at THEN
    RAISE EXCEPTION 'token revoked' USING ERRCODE = 'EXA01';
  END IF;
  RETURN true;
END
$$;

GRANT CREATE ON SCHEMA app TO examiner_auth;
ALTER FUNCTION app.complete_login(uuid, text, text, text, inet, text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.change_password(text, text) OWNER TO examiner_auth;
ALTER FUNCTION app.revoke_tokens() OWNER TO examiner_auth;
ALTER FUNCTION app.check_token(uuid, timestamptz) OWNER TO examiner_auth;
REVOKE CREATE ON SCHEMA app FROM examiner_auth;

REVOKE ALL ON FUNCTION
  app.complete_login(uuid, text, text, text, inet, text, text),
  app.next_token_cutoff(timestamptz),
  app.change_password(text, text),
  app.revoke_tokens(),
  app.check_token(uuid, timestamptz)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.complete_login(uuid, text, text, text, inet, text, text) TO examiner_anon;
GRANT EXECUTE ON FUNCTION app.change_password(text, text), app.revoke_tokens() TO examiner_student;
GRANT EXECUTE ON FUNCTION app.next_token_cutoff(timestamptz) TO examiner_auth;
GRANT EXECUTE ON FUNCTION app.check_token(uuid, timestamptz) TO CURRENT_USER;
