-- Student identity the database verifies (docs/isolation.md, "Verified identity").
--
-- A request transaction no longer says which student it is for in a setting anyone can set: it
-- carries a claim the server signs, in the transaction-local setting app.claim,
--
--   <student uuid>.<token generation>.<exp, Unix seconds>.<kid>.<64 hex digits of
--   HMAC-SHA256(key of kid, "<student uuid>.<token generation>.<exp>.<kid>")>
--
-- and app.current_student_id(), which every owner policy calls once per statement, verifies it
-- here: the key by kid, the MAC, the expiry and the student's token generation (a logout or
-- password change revokes). The keys live in app.claim_keys, which only the verifier's owner can
-- read; the server derives its key from JWT_SECRET and the owner installs it (examiner keys
-- install). So SQL run in a request transaction can set any claim it likes and still be no
-- student but the one the server signed for: a bad claim raises, no claim matches no row.

CREATE TABLE app.claim_keys (
  kid        text        PRIMARY KEY CONSTRAINT claim_keys_kid_shape CHECK (kid ~ '^[0-9A-Za-z]{1,16}$'),
  key        bytea       NOT NULL CONSTRAINT claim_keys_key_length CHECK (octet_length(key) = 32),
  created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON app.claim_keys FROM PUBLIC;
GRANT SELECT ON app.claim_keys TO examiner_verifier;

-- The verifier reads a student's id and token generation, nothing else, and only while it runs.
GRANT SELECT (id, token_generation) ON students TO examiner_verifier;
CREATE POLICY students_verifier_select ON students FOR SELECT TO examiner_verifier
  USING (current_user = 'examiner_verifier');

-- The student the transaction acts for, from a verified app.claim. NULL without a claim (an
-- anonymous transaction, or one that forgot to open): matches no row. A claim that is present
-- but forged, edited, expired, revoked or under an unknown kid raises SQLSTATE EXA01, which ends
-- the statement (no rows, no writes) and tells the server the token is no longer good (401).
-- now() is the transaction's start: a claim valid then stays valid for the whole transaction.
-- Authentic fields were written by the server, so the casts after the MAC check cannot fail.
CREATE OR REPLACE FUNCTION app.current_student_id() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  c text := pg_catalog.current_setting('app.claim', true);
  payload text;
  k bytea;
  v_id uuid;
BEGIN
  IF c IS NULL OR c = '' THEN
    RETURN NULL;
  END IF;
  IF pg_catalog.length(c) BETWEEN 110 AND 200 THEN
    payload := pg_catalog.left(c, -65);
    SELECT ck.key INTO k FROM app.claim_keys AS ck WHERE ck.kid = pg_catalog.split_part(payload, '.', 4);
    IF k IS NOT NULL
       AND '.' || pg_catalog.encode(crypto.hmac(pg_catalog.convert_to(payload, 'UTF8'), k, 'sha256'), 'hex')
           = pg_catalog.right(c, 65) THEN
      IF pg_catalog.to_timestamp(pg_catalog.split_part(payload, '.', 3)::bigint) > pg_catalog.now() THEN
        v_id := pg_catalog.split_part(payload, '.', 1)::uuid;
        PERFORM FROM public.students AS s
        WHERE s.id = v_id AND s.token_generation = pg_catalog.split_part(payload, '.', 2)::bigint;
        IF FOUND THEN
          RETURN v_id;
        END IF;
      END IF;
    END IF;
  END IF;
  RAISE EXCEPTION 'claim refused' USING ERRCODE = 'EXA01';
END
$$;

-- Whether claim carries a valid MAC under an installed kid, ignoring who and until when: serve
-- asks it at start-up to check that its key is installed. It says nothing a forger can use.
CREATE FUNCTION app.check_claim_key(p_claim text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  payload text;
  k bytea;
BEGIN
  IF p_claim IS NULL OR pg_catalog.length(p_claim) NOT BETWEEN 110 AND 200 THEN
    RETURN false;
  END IF;
  payload := pg_catalog.left(p_claim, -65);
  SELECT ck.key INTO k FROM app.claim_keys AS ck WHERE ck.kid = pg_catalog.split_part(payload, '.', 4);
  RETURN k IS NOT NULL
     AND '.' || pg_catalog.encode(crypto.hmac(pg_catalog.convert_to(payload, 'UTF8'), k, 'sha256'), 'hex')
         = pg_catalog.right(p_claim, 65);
END
$$;

GRANT CREATE ON SCHEMA app TO examiner_verifier;
ALTER FUNCTION app.current_student_id() OWNER TO examiner_verifier;
ALTER FUNCTION app.check_claim_key(text) OWNER TO examiner_verifier;
REVOKE CREATE ON SCHEMA app FROM examiner_verifier;
GRANT USAGE ON SCHEMA app TO examiner_verifier;
REVOKE ALL ON FUNCTION app.current_student_id(), app.check_claim_key(text) FROM PUBLIC;
-- examiner_auth's definer functions (change_password, revoke_tokens) act for the verified student.
GRANT EXECUTE ON FUNCTION app.current_student_id() TO examiner_student, examiner_auth;
GRANT EXECUTE ON FUNCTION app.check_claim_key(text) TO examiner_student;

-- The catalogue is for signed-in students: reading it verifies the claim too, so a revoked token
-- gets 401 on every student route, and a transaction without a claim reads nothing.
ALTER POLICY subjects_read ON subjects USING ((SELECT app.current_student_id()) IS NOT NULL);
ALTER POLICY syllabus_points_read ON syllabus_points USING ((SELECT app.current_student_id()) IS NOT NULL);
ALTER POLICY papers_read ON papers USING ((SELECT app.current_student_id()) IS NOT NULL);

-- The token check moved into the verifier.
DROP FUNCTION app.check_token(uuid, bigint);

---- create above / drop below ----

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
ALTER FUNCTION app.check_token(uuid, bigint) OWNER TO examiner_auth;
REVOKE CREATE ON SCHEMA app FROM examiner_auth;
REVOKE ALL ON FUNCTION app.check_token(uuid, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.check_token(uuid, bigint) TO CURRENT_USER;

ALTER POLICY subjects_read ON subjects USING (true);
ALTER POLICY syllabus_points_read ON syllabus_points USING (true);
ALTER POLICY papers_read ON papers USING (true);

DROP FUNCTION app.check_claim_key(text);
-- Back to the raw setting, owned by the owner again (the verifier's owner would stay otherwise).
DROP POLICY students_verifier_select ON students;
REVOKE SELECT (id, token_generation) ON students FROM examiner_verifier;
ALTER FUNCTION app.current_student_id() OWNER TO CURRENT_USER;
CREATE OR REPLACE FUNCTION app.current_student_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN setting ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
    THEN setting::uuid
  END
  FROM (SELECT pg_catalog.current_setting('app.student_id', true) AS setting) AS s
$$;
GRANT EXECUTE ON FUNCTION app.current_student_id() TO PUBLIC;
REVOKE USAGE ON SCHEMA app FROM examiner_verifier;
DROP TABLE app.claim_keys;
