-- The authentication trail. Students read the events filed under their own account (their
-- sign-ins and the failed attempts on their email) and add their logouts and password changes;
-- the trail is append-only for them (no UPDATE or DELETE grant).

-- name: ListAuthEvents :many
-- A page of the student's events, newest first, after a position (the first page passes the end
-- of time); a NULL kind does not filter. The position is an index condition on
-- auth_events_student_recent: keyset pagination.
SELECT ev.id, ev.kind, ev.succeeded, ev.reason, ev.email, ev.client_ip,
       ev.user_agent, ev.request_id, ev.created_at
FROM public.auth_events AS ev
WHERE ev.student_id = sqlc.arg(student_id)::uuid
  AND (sqlc.narg(kind)::text IS NULL OR ev.kind = sqlc.narg(kind)::text)
  AND (ev.created_at, ev.id) < (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::uuid)
ORDER BY ev.created_at DESC, ev.id DESC
LIMIT sqlc.arg(page_limit)::integer;

-- name: RecordOwnEvent :exec
-- A signed-in student's own event (logout, password change).
INSERT INTO public.auth_events (student_id, kind, succeeded, client_ip, user_agent, request_id)
VALUES (sqlc.arg(student_id)::uuid, sqlc.arg(kind)::text, true, sqlc.narg(client_ip)::inet, sqlc.arg(user_agent)::text, sqlc.arg(request_id)::text);
