-- Registration and sign-in, before anyone is a student: as examiner_anon, which may touch no
-- table, only call these SECURITY DEFINER functions (migrations 004, 010, 011, 015).

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

-- name: RecordAuthFailure :exec
-- A failed registration or login, filed under the account the email names, if any.
SELECT app.record_auth_failure(sqlc.arg(kind)::text, sqlc.arg(email)::text, sqlc.arg(email_key)::text,
                               sqlc.arg(reason)::text, sqlc.narg(client_ip)::inet, sqlc.arg(user_agent)::text,
                               sqlc.arg(request_id)::text);

-- name: SignIn :one
-- Checks the password's pre-hash inside the database (migration 015) and records the attempt; a
-- nil student, generation -1 and the reason (unknown_email, wrong_password) when it fails. No
-- hash leaves it.
SELECT coalesce(si.student_id, '00000000-0000-0000-0000-000000000000')::uuid AS student_id,
       coalesce(si.token_generation, -1)::bigint AS token_generation, coalesce(si.reason, '')::text AS reason
FROM app.sign_in(sqlc.arg(email)::text, sqlc.arg(email_key)::text, sqlc.arg(prehash)::text, sqlc.arg(cost)::integer,
                 sqlc.narg(client_ip)::inet, sqlc.arg(user_agent)::text, sqlc.arg(request_id)::text)
     AS si(student_id, token_generation, reason);
