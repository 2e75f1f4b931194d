-- The claim keys (migration 014), for `examiner keys` as the database's owner: no role of the
-- server's connection can read or write app.claim_keys. Keys travel as bind parameters only.

-- name: InstallClaimKey :one
-- The key, stored unless the kid already has one; returns the kid's key either way, so the caller
-- can tell a repeated install (same key) from a kid that holds another key.
WITH ins AS (
  INSERT INTO app.claim_keys (kid, key) VALUES (sqlc.arg(kid)::text, sqlc.arg(key)::bytea)
  ON CONFLICT (kid) DO NOTHING
  RETURNING app.claim_keys.key
)
SELECT coalesce((SELECT ins.key FROM ins),
                (SELECT ck.key FROM app.claim_keys AS ck WHERE ck.kid = sqlc.arg(kid)::text))::bytea AS key,
       EXISTS (SELECT FROM ins) AS inserted;

-- name: ListClaimKeys :many
SELECT ck.kid, ck.key, ck.created_at FROM app.claim_keys AS ck ORDER BY ck.created_at, ck.kid;

-- name: RetireClaimKey :execrows
-- Removes a kid's key, unless it is the last one (a server could then verify nobody).
DELETE FROM app.claim_keys AS ck
WHERE ck.kid = sqlc.arg(kid)::text
  AND EXISTS (SELECT FROM app.claim_keys AS other WHERE other.kid <> sqlc.arg(kid)::text);

-- name: CheckClaimKey :one
-- As examiner_student, at serve's start-up: whether the server's key is installed under its kid.
SELECT app.check_claim_key(sqlc.arg(claim)::text)::boolean AS installed;
