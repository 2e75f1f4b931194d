-- The statements that open every request transaction (tenant.Query, tenant.As, tenant.Run),
-- sent in the same pipeline as the request's statement. Everything they set is
-- transaction-local (set_config(…, true)), so nothing survives into the next use of a pooled
-- connection; the timeouts ($4–$6, $1–$3) are milliseconds, set per transaction because a
-- transaction pooler refuses them as startup parameters.

-- name: OpenStudentTransaction :exec
-- As a student: checks the token against the student's row (app.check_token raises EXA01 for a
-- revoked one, which stops the pipeline before the request's statement runs; it is evaluated as
-- the login user, before the role changes, and examiner_student may not call it), then becomes
-- examiner_student for that student.
SELECT app.check_token($1::uuid, $2::bigint), pg_catalog.set_config('app.student_id', $3::text, true),
       pg_catalog.set_config('role', 'examiner_student', true),
       pg_catalog.set_config('statement_timeout', $4::text, true), pg_catalog.set_config('lock_timeout', $5::text, true),
       pg_catalog.set_config('idle_in_transaction_session_timeout', $6::text, true);

-- name: OpenAnonymousTransaction :exec
-- As nobody, for register and login: examiner_anon may touch no table, only call the narrow
-- SECURITY DEFINER functions of those paths.
SELECT pg_catalog.set_config('app.student_id', '', true), pg_catalog.set_config('role', 'examiner_anon', true),
       pg_catalog.set_config('statement_timeout', $1::text, true), pg_catalog.set_config('lock_timeout', $2::text, true),
       pg_catalog.set_config('idle_in_transaction_session_timeout', $3::text, true);
