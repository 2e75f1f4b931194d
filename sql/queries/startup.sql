-- What `examiner serve` checks before it serves (cmd/examiner/startup.go), on its own login.

-- name: LoginRole :one
-- The login role's attributes, memberships, ownership and grants: serve refuses to run as a role
-- that could do more than switch into the request roles (docs/isolation.md, "Roles"). Grants are
-- those on shared objects and in this database (pg_shdepend lists other databases' too).
SELECT r.rolname::text AS role_name, coalesce(r.rolsuper, true)::boolean AS superuser,
       coalesce(r.rolbypassrls, true)::boolean AS bypassrls, coalesce(r.rolcreaterole, true)::boolean AS createrole,
       coalesce(r.rolcreatedb, true)::boolean AS createdb, coalesce(r.rolreplication, true)::boolean AS replication,
       coalesce(r.rolinherit, true)::boolean AS inherit,
       ARRAY(SELECT m.roleid::regrole::text FROM pg_catalog.pg_auth_members AS m
             WHERE m.member = r.oid ORDER BY 1)::text[] AS member_of,
       EXISTS (SELECT FROM pg_catalog.pg_auth_members AS m WHERE m.member = r.oid AND m.admin_option) AS admin_of_a_role,
       coalesce(EXISTS (SELECT FROM pg_catalog.pg_shdepend AS d
                WHERE d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass AND d.refobjid = r.oid AND d.deptype = 'o')
        OR EXISTS (SELECT FROM pg_catalog.pg_database AS db WHERE db.datdba = r.oid), true)::boolean AS owns_something,
       ARRAY(SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) FROM pg_catalog.pg_shdepend AS d
             WHERE d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass AND d.refobjid = r.oid AND d.deptype = 'a'
               AND d.dbid IN (0, (SELECT db.oid FROM pg_catalog.pg_database AS db WHERE db.datname = pg_catalog.current_database()))
             ORDER BY 1)::text[] AS granted_to_it,
       pg_catalog.current_database()::text AS database_name,
       pg_catalog.has_function_privilege(r.oid, 'pg_catalog.pg_prepared_statement()', 'EXECUTE') AS lists_prepared_statements
FROM pg_catalog.pg_roles AS r
WHERE r.rolname = pg_catalog.session_user();

-- name: LoginRoleDefaults :many
-- Defaults set on the login role itself (ALTER ROLE … SET, here or for this database), which a
-- role may set on itself without any privilege, so SQL run on one connection can plant them in
-- every later session: serve refuses to start, and the pool refuses a new connection, while there
-- are any (tenant.RefuseRoleDefaults). Names only: values are not the server's to print.
SELECT pg_catalog.split_part(c.setting, '=', 1)::text AS name
FROM pg_catalog.pg_db_role_setting AS s, pg_catalog.unnest(s.setconfig) AS c(setting)
WHERE s.setrole = (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = pg_catalog.session_user())
  AND s.setdatabase IN (0, (SELECT d.oid FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database()))
ORDER BY 1;
