-- The token check moves into SQL, so a request's statements can be sent in the same round trip as
-- the check (tenant.Query): a revoked token must stop the transaction inside the server, before the
-- request's statement runs, not after the answer reaches Go.
--
-- app.check_token raises SQLSTATE EXA01 when the student's tokens issued at p_issued_at are no
-- longer valid: the student is gone, or logged out or changed password since. Like the
-- token_cutoff it replaces, it is called by the login user before the role changes, and is
-- granted to neither request role, so no request can ask about another student.
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
ALTER FUNCTION app.check_token(uuid, timestamptz) OWNER TO examiner_auth;
REVOKE CREATE ON SCHEMA app FROM examiner_auth;
REVOKE ALL ON FUNCTION app.check_token(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.check_token(uuid, timestamptz) TO CURRENT_USER;

DROP FUNCTION app.token_cutoff(uuid);

---- create above / drop below ----

CREATE FUNCTION app.token_cutoff(p_student_id uuid) RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.tokens_valid_after FROM public.students AS s WHERE s.id = p_student_id
$$;
GRANT CREATE ON SCHEMA app TO examiner_auth;
ALTER FUNCTION app.token_cutoff(uuid) OWNER TO examiner_auth;
REVOKE CREATE ON SCHEMA app FROM examiner_auth;
REVOKE ALL ON FUNCTION app.token_cutoff(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.token_cutoff(uuid) TO CURRENT_USER;

DROP FUNCTION app.check_token(uuid, timestamptz);
