-- name: SchemaVersion :one
-- The schema version tern recorded, for /readyz. Run by the login role outside any tenant
-- transaction: the table is not student data.
SELECT v.version FROM public.schema_version AS v;
