-- The owner-policy shape, stated once: app.create_owner_policies gives a student-scoped table the
-- four policies that let examiner_student see, add, change and delete only the rows whose owner
-- column holds the current student (docs/isolation.md). A new student-scoped table's migration
-- uses it like this, and writes no policy of its own for examiner_student:
--
--   CREATE TABLE notes (
--     id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
--     student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
--     …
--   );
--   ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
--   ALTER TABLE notes FORCE ROW LEVEL SECURITY;
--   CALL app.create_owner_policies('public.notes', 'student_id');
--   GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO examiner_student;  -- what students may do
--
-- That creates notes_select, notes_insert, notes_update and notes_delete, each TO
-- examiner_student with "student_id = (SELECT app.current_student_id())" in USING and in WITH
-- CHECK wherever the command has them; its down section's DROP TABLE drops them. The grants
-- still narrow what the policies allow (auth_events is append-only by its grants).
--
-- Policies cannot take their table or column as a parameter, so the procedure builds each
-- CREATE POLICY from the identifiers with format('%I') and the regclass's own quoting; nothing
-- else goes into the text. Only the migration owner may call it: EXECUTE is revoked from PUBLIC,
-- so no request role can, and CREATE POLICY needs the table's owner anyway.
CREATE PROCEDURE app.create_owner_policies(p_table regclass, p_owner_column name)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  base name := (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = p_table);
  own  text := format('%I = (SELECT app.current_student_id())', p_owner_column);
BEGIN
  EXECUTE format('CREATE POLICY %I ON %s FOR SELECT TO examiner_student USING (%s)',
                 base || '_select', p_table, own);
  EXECUTE format('CREATE POLICY %I ON %s FOR INSERT TO examiner_student WITH CHECK (%s)',
                 base || '_insert', p_table, own);
  EXECUTE format('CREATE POLICY %I ON %s FOR UPDATE TO examiner_student USING (%s) WITH CHECK (%s)',
                 base || '_update', p_table, own, own);
  EXECUTE format('CREATE POLICY %I ON %s FOR DELETE TO examiner_student USING (%s)',
                 base || '_delete', p_table, own);
END
$$;

REVOKE EXECUTE ON PROCEDURE app.create_owner_policies(regclass, name) FROM PUBLIC;

-- The tables written before the procedure existed get their policies from it too, so the shape
-- has one definition; the policies come out as they were (same names, commands, role and
-- expressions), which sql/tests/03_policies.sql checks.
DROP POLICY students_select ON students;
DROP POLICY students_insert ON students;
DROP POLICY students_update ON students;
DROP POLICY students_delete ON students;
CALL app.create_owner_policies('public.students', 'id');

DROP POLICY auth_events_select ON auth_events;
DROP POLICY auth_events_insert ON auth_events;
DROP POLICY auth_events_update ON auth_events;
DROP POLICY auth_events_delete ON auth_events;
CALL app.create_owner_policies('public.auth_events', 'student_id');

DROP POLICY exams_select ON exams;
DROP POLICY exams_insert ON exams;
DROP POLICY exams_update ON exams;
DROP POLICY exams_delete ON exams;
CALL app.create_owner_policies('public.exams', 'student_id');

---- create above / drop below ----

-- The policies stay: they are the ones the earlier migrations wrote by hand.
DROP PROCEDURE app.create_owner_policies(regclass, name);
