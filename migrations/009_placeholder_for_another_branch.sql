-- Placeholder: another branch adds the real migration 009. tern refuses a gap in the numbers, so
-- this branch needs one to run 010 and 011; drop this file when the branches are merged.
SELECT 1;

---- create above / drop below ----

SELECT 1;
