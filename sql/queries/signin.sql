-- Registration and sign-in, before anyone is a student: as examiner_anon, which may touch no
-- table, only call these SECURITY DEFINER functions (migrations 004, 010, 011).

-- name: RegisterStudent :one
-- The account and its 'register' event in one statement; a duplicate email raises
-- unique_violation on students_email_key.
SELECT r.id::uuid AS id, r.email::text AS email, r.full_name::text AS full_name,
       r.target_grades::jsonb AS target_grades, r.created_at::timestamptz AS created_at,
       r.updated_at::timestamptz AS updated_at
FROM app.register_student(sqlc.arg(email)::text, sqlc.arg(email_key)::text, sqlc.arg(password_hash)::text,
                          sqlc.arg(full_name)::text, sqlc.narg(client_ip)::inet, sqlc.arg(user_agent)::text,
                          sqlc.arg(request_id)::text)
     AS r(id, email, full_name, target_grades, created_at, updated_at);

-- name: LoginLookup :one
-- What a login needs to check a password; no row for an unknown email.
SELECT l.id::uuid AS id, l.password_hash::text AS password_hash
FROM app.login_lookup(sqlc.arg(email_key)::text) AS l(id, password_hash);

-- name: RecordAuthFailure :exec
-- A failed registration or login, filed under the account the email names, if any.
SELECT app.record_auth_failure(sqlc.arg(kind)::text, sqlc.arg(email)::text, sqlc.arg(email_key)::text,
                               sqlc.arg(reason)::text, sqlc.narg(client_ip)::inet, sqlc.arg(user_agent)::text,
                               sqlc.arg(request_id)::text);

-- name: CompleteLogin :one
-- Finishes a login whose password was checked against verified_hash: records it, stores new_hash
-- when given (a rehash), and returns the student's token generation; -1 when the password
-- changed meanwhile (generations are never negative).
SELECT coalesce(app.complete_login(sqlc.arg(student_id)::uuid, sqlc.arg(verified_hash)::text, sqlc.narg(new_hash)::text,
                          sqlc.arg(email)::text, sqlc.narg(client_ip)::inet, sqlc.arg(user_agent)::text,
                          sqlc.arg(request_id)::text), -1)::bigint AS token_generation;
