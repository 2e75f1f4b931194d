-- A superuser's step, once per database (docs/dba.md): the server's connection may no longer list
-- its prepared statements. pg_prepared_statements shows each statement's name and text to any
-- SQL on the connection, which could then replace one for the next request; with this revoked,
-- `examiner serve` prepares its statements under random names (tenant.UsePrivateStatements).
-- Without it, serve sends every statement unnamed, which is safe but slower. The function is
-- pg_catalog's, owned by the bootstrap superuser, hence not a migration: a database owner
-- cannot run it.
REVOKE EXECUTE ON FUNCTION pg_catalog.pg_prepared_statement() FROM PUBLIC;
