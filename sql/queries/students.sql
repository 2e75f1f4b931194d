-- A signed-in student's own account, as examiner_student: row-level security shows them their own
-- row only, and column grants keep password_hash and token_generation out of reach (the SECURITY
-- DEFINER functions of migrations 011 and 015 are the only way to them, and return no hash).

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

-- name: ChangePassword :one
-- The new hash, only if old_prehash is the current password's pre-hash (checked in the database,
-- migration 015); the new token generation, or -1 when the current password is wrong.
SELECT coalesce(app.change_password_checked(sqlc.arg(old_prehash)::text, sqlc.arg(new_hash)::text), -1)::bigint AS token_generation;

-- name: RevokeTokens :exec
-- Logout: every token issued so far is dead.
SELECT app.revoke_tokens();

-- name: RecordOwnFailure :exec
-- A refused attempt of the student's own (a password change), in their own trail.
INSERT INTO public.auth_events (student_id, kind, succeeded, reason, client_ip, user_agent, request_id)
VALUES (sqlc.arg(student_id)::uuid, sqlc.arg(kind)::text, false, sqlc.arg(reason)::text,
        sqlc.narg(client_ip)::inet, sqlc.arg(user_agent)::text, sqlc.arg(request_id)::text);
