-- Subjects and their syllabus points: one catalogue shared by every student, read-only for them.
-- RLS is enabled (not forced, so the owner can seed) with a read-only policy for examiner_student.
CREATE TABLE subjects (
  id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  code          text        NOT NULL CONSTRAINT subjects_code_key UNIQUE
                            CONSTRAINT subjects_code_shape CHECK (code ~ '^[0-9A-Za-z]{1,16}$'),
  name          text        NOT NULL CONSTRAINT subjects_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  level         text        NOT NULL,
  exam_board    text        NOT NULL,
  syllabus_year text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE syllabus_points (
  id                uuid   PRIMARY KEY DEFAULT gen_random_uuid(),
  subject_id        uuid   NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  code              text   NOT NULL,
  description       text   NOT NULL,
  topics            text[] NOT NULL DEFAULT '{}',
  learning_outcomes text[] NOT NULL DEFAULT '{}',
  CONSTRAINT syllabus_points_subject_code_key UNIQUE (subject_id, code)
);

ALTER TABLE subjects ENABLE ROW LEVEL SECURITY;
ALTER TABLE syllabus_points ENABLE ROW LEVEL SECURITY;

CREATE POLICY subjects_read ON subjects FOR SELECT TO examiner_student USING (true);
CREATE POLICY syllabus_points_read ON syllabus_points FOR SELECT TO examiner_student USING (true);

GRANT SELECT ON subjects, syllabus_points TO examiner_student;

---- create above / drop below ----

DROP TABLE syllabus_points;
DROP TABLE subjects;
