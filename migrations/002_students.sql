-- Students: the tenants. Each student sees and changes only their own row.

-- target_grades is a JSON object of subject code -> grade; CHECK constraints cannot hold
-- subqueries, hence the function.
CREATE FUNCTION app.valid_target_grades(grades jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT pg_catalog.jsonb_typeof(grades) = 'object'
     AND NOT EXISTS (
       SELECT 1
       FROM pg_catalog.jsonb_each(grades) AS g(code, grade)
       WHERE g.code !~ '^[0-9A-Za-z]{1,16}$'
          OR g.grade NOT IN ('"A*"', '"A"', '"B"', '"C"', '"D"', '"E"', '"U"')
     )
$$;

CREATE TABLE students (
  id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  email              text        NOT NULL
                                 CONSTRAINT students_email_shape CHECK (char_length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
  -- The email as compared, for one account per email in any case: Unicode case-folded and
  -- NFC-normalised by the application, because lower() folds only ASCII under the C locale
  -- and differently under others.
  email_key          text        NOT NULL
                                 CONSTRAINT students_email_key_shape CHECK (char_length(email_key) BETWEEN 3 AND 1024),
  password_hash      text        NOT NULL,
  full_name          text        NOT NULL
                                 CONSTRAINT students_full_name_length CHECK (char_length(full_name) BETWEEN 1 AND 100),
  target_grades      jsonb       NOT NULL DEFAULT '{}'
                                 CONSTRAINT students_target_grades_valid CHECK (app.valid_target_grades(target_grades)),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  -- Tokens issued before this instant are rejected; a logout or password change moves it.
  tokens_valid_after timestamptz NOT NULL DEFAULT 'epoch'
);

-- One account per email, whatever its case.
CREATE UNIQUE INDEX students_email_key ON students (email_key);

ALTER TABLE students ENABLE ROW LEVEL SECURITY;
ALTER TABLE students FORCE ROW LEVEL SECURITY;

CREATE POLICY students_select ON students FOR SELECT TO examiner_student
  USING (id = (SELECT app.current_student_id()));
CREATE POLICY students_insert ON students FOR INSERT TO examiner_student
  WITH CHECK (id = (SELECT app.current_student_id()));
CREATE POLICY students_update ON students FOR UPDATE TO examiner_student
  USING (id = (SELECT app.current_student_id()))
  WITH CHECK (id = (SELECT app.current_student_id()));
CREATE POLICY students_delete ON students FOR DELETE TO examiner_student
  USING (id = (SELECT app.current_student_id()));

-- No password_hash for the request role, not even its own: password checks go through the
-- SECURITY DEFINER functions of the next migrations. No INSERT either: registration is one of them.
GRANT SELECT (id, email, full_name, target_grades, created_at, updated_at, tokens_valid_after) ON students TO examiner_student;
GRANT UPDATE (full_name, target_grades, updated_at) ON students TO examiner_student;
GRANT DELETE ON students TO examiner_student;

-- examiner_auth is the owner of the register/login functions, which must find a row by email
-- before anyone is authenticated. These policies hold only while such a function runs (its
-- current_user is then examiner_auth), not for roles that merely inherit from examiner_auth,
-- such as the login user: with RLS forced, that user sees no student row unless it becomes a
-- request role and names the student, so a query that forgot to do so fails closed.
CREATE POLICY students_auth_select ON students FOR SELECT TO examiner_auth
  USING (current_user = 'examiner_auth');
CREATE POLICY students_auth_insert ON students FOR INSERT TO examiner_auth
  WITH CHECK (current_user = 'examiner_auth');
CREATE POLICY students_auth_update ON students FOR UPDATE TO examiner_auth
  USING (current_user = 'examiner_auth') WITH CHECK (current_user = 'examiner_auth');
GRANT SELECT, INSERT ON students TO examiner_auth;
GRANT UPDATE (password_hash, tokens_valid_after, updated_at) ON students TO examiner_auth;

---- create above / drop below ----

DROP TABLE students;
DROP FUNCTION app.valid_target_grades(jsonb);
