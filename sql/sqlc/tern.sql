-- What sqlc must know of the schema beyond the migrations: the version table tern creates.
CREATE TABLE public.schema_version (version integer NOT NULL);
