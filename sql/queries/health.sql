-- name: SchemaVersion :one
-- The schema version tern recorded, for /readyz, as examiner_anon (tenant.Anonymous): the login
-- role may read no table, and app.schema_version (migration 012) returns that one number.
SELECT coalesce(app.schema_version(), 0)::integer AS version;
