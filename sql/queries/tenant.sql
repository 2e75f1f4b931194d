-- The statements that open every request transaction (tenant.Query, tenant.As, tenant.Run),
-- sent in the same pipeline as the request's statement. Everything they set is
-- transaction-local (set_config(…, true)), so nothing survives into the next use of a pooled
-- connection; the timeouts are milliseconds, set per transaction because a transaction pooler
-- refuses them as startup parameters. row_security is pinned on: a session-level
-- SET row_security = off left on a pooled connection (by SQL that ran there) would otherwise make
-- every later request on it fail (off makes a query that meets a policy an error, never a leak). They call no function but set_config: they run as the
-- login role, before the role changes, and it may execute nothing of ours.

-- name: OpenStudentTransaction :exec
-- As a student: the claim the server signed for them (internal/dbclaim), which every policy
-- verifies through app.current_student_id() (a bad one raises EXA01 in the request's statement),
-- and examiner_student.
SELECT pg_catalog.set_config('app.claim', sqlc.arg(claim)::text, true),
       pg_catalog.set_config('role', 'examiner_student', true), pg_catalog.set_config('row_security', 'on', true),
       pg_catalog.set_config('statement_timeout', sqlc.arg(statement_timeout)::text, true),
       pg_catalog.set_config('lock_timeout', sqlc.arg(lock_timeout)::text, true),
       pg_catalog.set_config('idle_in_transaction_session_timeout', sqlc.arg(idle_timeout)::text, true);

-- name: OpenAnonymousTransaction :exec
-- As nobody, for register and login: examiner_anon may touch no table, only call the narrow
-- SECURITY DEFINER functions of those paths. The empty claim hides any claim a session-level SET
-- left on the connection.
SELECT pg_catalog.set_config('app.claim', '', true), pg_catalog.set_config('role', 'examiner_anon', true),
       pg_catalog.set_config('row_security', 'on', true),
       pg_catalog.set_config('statement_timeout', sqlc.arg(statement_timeout)::text, true),
       pg_catalog.set_config('lock_timeout', sqlc.arg(lock_timeout)::text, true),
       pg_catalog.set_config('idle_in_transaction_session_timeout', sqlc.arg(idle_timeout)::text, true);

-- name: VerifyStudent :one
-- Run's second statement, pipelined with its opening: whether the claim names a student, verified
-- (a forged, expired or revoked one raises EXA01), so that a transaction of several statements
-- learns of a revoked token before its work begins. A single statement needs no such check: each
-- policy it meets verifies the claim itself.
SELECT (app.current_student_id() IS NOT NULL)::boolean AS verified;
