-- The roles of the server's connection (docs/isolation.md, "Roles").
--
-- examiner_authenticator is what `examiner serve` logs in as, after PostgREST's authenticator:
-- NOINHERIT, with no attribute and no privilege of its own beyond finding names in schema app,
-- owning nothing, and a member only of the request roles. Without switching into one of them
-- (which every request transaction does, transaction-locally) it reaches no table and no
-- function, and whatever SQL runs on its connection can become nothing more than a request role.
-- It gets no password here: a DBA sets one (docs/dba.md); `make run` and the tests set their own.
--
-- examiner_verifier owns the function that verifies a request's claim (migration 014) and is the
-- only role that may read the claim keys. Nobody logs in as it or is a member of it but the
-- owner, which needs the membership to hand it the function.
DO $$
BEGIN
  CREATE ROLE examiner_authenticator LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  RAISE NOTICE 'role examiner_authenticator already exists';
END $$;

DO $$
BEGIN
  CREATE ROLE examiner_verifier NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  RAISE NOTICE 'role examiner_verifier already exists';
END $$;

GRANT examiner_student, examiner_anon TO examiner_authenticator;
-- Name lookup only: pgx prepares (parses) a request's statements before the transaction has
-- switched roles, and parsing resolves app.* names. Table and EXECUTE privileges are checked
-- when a statement runs, as the request role.
GRANT USAGE ON SCHEMA app TO examiner_authenticator;
GRANT examiner_verifier TO CURRENT_USER;

-- /readyz compares the schema's version with the server's, as examiner_anon (the login role may
-- read no table): through this function only, which returns the one number.
GRANT SELECT (version) ON public.schema_version TO examiner_auth;
CREATE FUNCTION app.schema_version() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT v.version FROM public.schema_version AS v
$$;
GRANT CREATE ON SCHEMA app TO examiner_auth;
ALTER FUNCTION app.schema_version() OWNER TO examiner_auth;
REVOKE CREATE ON SCHEMA app FROM examiner_auth;
REVOKE ALL ON FUNCTION app.schema_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.schema_version() TO examiner_anon;

---- create above / drop below ----

DROP FUNCTION app.schema_version();
REVOKE SELECT (version) ON public.schema_version FROM examiner_auth;

REVOKE USAGE ON SCHEMA app FROM examiner_authenticator;

-- Another database of this cluster may still use the roles; then they stay, and so do their
-- memberships (dropping a role ends them): the cluster's roles serve that database too, and
-- revoking examiner_student and examiner_anon from the login role, or examiner_verifier from the
-- owner, would break it, or race its own migration's GRANT, until this one migrates up again.
DO $$
BEGIN
  DROP ROLE examiner_verifier;
EXCEPTION WHEN dependent_objects_still_exist THEN
  RAISE NOTICE 'role examiner_verifier kept: other databases still use it';
END $$;

DO $$
BEGIN
  DROP ROLE examiner_authenticator;
EXCEPTION WHEN dependent_objects_still_exist THEN
  RAISE NOTICE 'role examiner_authenticator kept: other databases still use it';
END $$;
