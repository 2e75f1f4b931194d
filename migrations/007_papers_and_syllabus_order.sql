-- Each subject's paper catalogue, and the order syllabus points are read in.
--
-- papers is global and read-only for students, like subjects: RLS enabled (not forced, so the
-- owner can seed) with a read-only policy for examiner_student.
CREATE TABLE papers (
  id               uuid     PRIMARY KEY DEFAULT gen_random_uuid(),
  subject_id       uuid     NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  number           smallint NOT NULL CONSTRAINT papers_number_range CHECK (number BETWEEN 1 AND 9),
  name             text     NOT NULL CONSTRAINT papers_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  level            text     NOT NULL,
  duration_minutes integer  NOT NULL CONSTRAINT papers_duration_range CHECK (duration_minutes BETWEEN 1 AND 600),
  total_marks      integer  NOT NULL CONSTRAINT papers_total_marks_range CHECK (total_marks BETWEEN 1 AND 1000),
  CONSTRAINT papers_subject_number_key UNIQUE (subject_id, number)
);

ALTER TABLE papers ENABLE ROW LEVEL SECURITY;
CREATE POLICY papers_read ON papers FOR SELECT TO examiner_student USING (true);
GRANT SELECT ON papers TO examiner_student;

-- An exam's paper must be one of its subject's papers. (MATCH SIMPLE: an exam without a paper
-- number is not checked.) Referential checks bypass row-level security, as they must. NOT VALID:
-- papers are seeded after migrating, so exams written before there was a catalogue are left as
-- they are; every exam written or changed from now on is checked.
ALTER TABLE exams
  ADD CONSTRAINT exams_paper_fkey FOREIGN KEY (subject_id, paper_number) REFERENCES papers (subject_id, number) NOT VALID;
CREATE INDEX exams_subject_paper ON exams (subject_id, paper_number) WHERE paper_number IS NOT NULL;

-- An exam completes after it starts. The server stamps both with the time of the statement that
-- makes the change, not the start of its transaction, which may have waited for the row lock.
ALTER TABLE exams
  ADD CONSTRAINT exams_completed_after_started CHECK (completed_at >= started_at) NOT VALID;

-- Syllabus codes are the subject code and dot-separated numbers ("9708.1", "9708.10.2"), and
-- they sort by those numbers, so 9708.10 comes after 9708.9 and not after 9708.1.
ALTER TABLE syllabus_points
  ADD CONSTRAINT syllabus_points_code_shape CHECK (code ~ '^[0-9A-Za-z]{1,16}(\.(0|[1-9][0-9]{0,3})){1,4}$'),
  ADD COLUMN code_path integer[] NOT NULL
    GENERATED ALWAYS AS (string_to_array(substring(code FROM '^[^.]*\.(.*)$'), '.')::integer[]) STORED;

CREATE INDEX syllabus_points_subject_order ON syllabus_points (subject_id, code_path);

---- create above / drop below ----

DROP INDEX syllabus_points_subject_order;
ALTER TABLE syllabus_points DROP COLUMN code_path, DROP CONSTRAINT syllabus_points_code_shape;
ALTER TABLE exams DROP CONSTRAINT exams_completed_after_started;
DROP INDEX exams_subject_paper;
ALTER TABLE exams DROP CONSTRAINT exams_paper_fkey;
DROP TABLE papers;
