-- A signed-in student's own account, as examiner_student: row-level security shows them their own
-- row only, and column grants keep password_hash and token_generation out of reach (the SECURITY
-- DEFINER functions of migrations 004 and 011 are the only way to them).

-- name: GetProfile :one
SELECT s.id, s.email, s.full_name, s.target_grades, s.created_at, s.updated_at
FROM public.students AS s
WHERE s.id = sqlc.arg(id);

-- name: UpdateProfile :one
-- NULL leaves a field as it is. The grades come as JSON text with an explicit cast: in the exec
-- and simple_protocol modes (behind PgBouncer) pgx does not ask the server for a parameter's type.
UPDATE public.students AS s
SET full_name = coalesce(sqlc.narg(full_name)::text, s.full_name),
    target_grades = coalesce(sqlc.narg(target_grades)::text::jsonb, s.target_grades),
    updated_at = now()
WHERE s.id = sqlc.arg(id)
RETURNING s.id, s.email, s.full_name, s.target_grades, s.created_at, s.updated_at;

-- name: CurrentPasswordHash :one
-- The student's own hash, to check the current password of a change; '' when there is no row.
SELECT coalesce(app.current_password_hash(), '')::text AS password_hash;

-- name: ChangePassword :one
-- The new hash, only if the old one is still current; the new token generation, or -1 when
-- nothing changed (another change won; generations are never negative).
SELECT coalesce(app.change_password(sqlc.arg(old_hash)::text, sqlc.arg(new_hash)::text), -1)::bigint AS token_generation;

-- name: RevokeTokens :exec
-- Logout: every token issued so far is dead.
SELECT app.revoke_tokens();

-- name: RecordOwnFailure :exec
-- A refused attempt of the student's own (a password change), in their own trail.
INSERT INTO public.auth_events (student_id, kind, succeeded, reason, client_ip, user_agent, request_id)
VALUES (sqlc.arg(student_id)::uuid, sqlc.arg(kind)::text, false, sqlc.arg(reason)::text,
        sqlc.narg(client_ip)::inet, sqlc.arg(user_agent)::text, sqlc.arg(request_id)::text);
