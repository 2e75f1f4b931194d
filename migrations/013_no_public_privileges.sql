-- What PostgreSQL gives every role (PUBLIC) by default, taken back, so that SQL run on the
-- server's connection can create nothing that outlives its statement or shadows ours:
-- * TEMP on the database: a temporary table named like one of ours would shadow it for later
--   requests on the same pooled connection (unqualified names resolve pg_temp first);
-- * CREATE on schema public (PostgreSQL 15 already revokes it in new databases; older ones and
--   restored dumps may still have it);
-- * EXECUTE on the functions this owner creates from now on: each is granted to whom it is for.
-- The database's owner must run this (docs/dba.md). Database privileges are not copied by
-- CREATE DATABASE … TEMPLATE, so a database cloned from a migrated one needs the first REVOKE
-- again; `make audit` and the attacker suite check it.
DO $$
BEGIN
  EXECUTE pg_catalog.format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', pg_catalog.current_database());
END $$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA app FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- pgcrypto (HMAC for the claims of migration 014, bcrypt for the sign-in of migration 015) in a
-- schema of its own that only the two definer owners may use: no request role can call hmac()
-- or crypt() directly, because none may look into the schema. It is a trusted extension, so the
-- database's owner may create it; its functions then belong to the bootstrap superuser and keep
-- PUBLIC's EXECUTE, and the schema's USAGE is what keeps them out of reach.
CREATE SCHEMA crypto;
CREATE EXTENSION pgcrypto WITH SCHEMA crypto;
REVOKE ALL ON SCHEMA crypto FROM PUBLIC;
GRANT USAGE ON SCHEMA crypto TO examiner_verifier, examiner_auth;
-- Where a superuser runs this, the extension's functions are its own, created after the default
-- above, so executable by it alone until this grant; where the owner runs it, a no-op.
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA crypto TO examiner_verifier, examiner_auth;

---- create above / drop below ----

DROP EXTENSION pgcrypto;
DROP SCHEMA crypto;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
DO $$
BEGIN
  EXECUTE pg_catalog.format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', pg_catalog.current_database());
END $$;
