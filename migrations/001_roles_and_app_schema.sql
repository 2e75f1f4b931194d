-- Roles and the helper that every row-level-security policy calls.
--
-- Roles are cluster-wide while migrations are per database: several databases of one cluster
-- (per-test clones, staging beside production) share them. So the roles are created only when
-- missing, tolerate a concurrent creator, and the down section drops them only when no other
-- database still uses them.
--
-- examiner_student: every request on behalf of a student runs as this role, so row-level
--   security applies even when the pool's login user owns the tables or is a superuser. It logs
--   in never, bypasses nothing and owns nothing.
-- examiner_anon: the unauthenticated requests (register, login) run as this role. It may touch
--   no table; it may only call the narrow SECURITY DEFINER functions of those paths, which a
--   student's transaction cannot call.
-- examiner_auth: owns those SECURITY DEFINER functions. Nobody becomes it otherwise.
DO $$
BEGIN
  CREATE ROLE examiner_student NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  RAISE NOTICE 'role examiner_student already exists';
END $$;

DO $$
BEGIN
  CREATE ROLE examiner_anon NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  RAISE NOTICE 'role examiner_anon already exists';
END $$;

DO $$
BEGIN
  CREATE ROLE examiner_auth NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  RAISE NOTICE 'role examiner_auth already exists';
END $$;

-- The application's login user switches to examiner_student or examiner_anon inside each request
-- transaction (set_config('role', …, true)) and hands function ownership to examiner_auth.
GRANT examiner_student TO CURRENT_USER;
GRANT examiner_anon TO CURRENT_USER;
GRANT examiner_auth TO CURRENT_USER;

CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO examiner_student, examiner_anon, examiner_auth;

-- The student a transaction acts for, from the transaction-local setting app.student_id.
-- Unset, empty or not a canonical uuid gives NULL, and NULL matches no row: fail closed, never an
-- error that leaks and never every row. Policies call it as (SELECT app.current_student_id()) so
-- it is evaluated once per statement, not once per row.
CREATE FUNCTION app.current_student_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN setting ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
    THEN setting::uuid
  END
  FROM (SELECT pg_catalog.current_setting('app.student_id', true) AS setting) AS s
$$;

---- create above / drop below ----

DROP FUNCTION app.current_student_id();
DROP SCHEMA app;

-- Another database of this cluster may still use the roles; then they stay.
DO $$
BEGIN
  DROP ROLE examiner_auth;
EXCEPTION WHEN dependent_objects_still_exist THEN
  RAISE NOTICE 'role examiner_auth kept: other databases still use it';
END $$;

DO $$
BEGIN
  DROP ROLE examiner_anon;
EXCEPTION WHEN dependent_objects_still_exist THEN
  RAISE NOTICE 'role examiner_anon kept: other databases still use it';
END $$;

DO $$
BEGIN
  DROP ROLE examiner_student;
EXCEPTION WHEN dependent_objects_still_exist THEN
  RAISE NOTICE 'role examiner_student kept: other databases still use it';
END $$;
