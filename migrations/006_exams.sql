-- Students' practice exams. Student-scoped: each student sees and changes only their own.
CREATE TABLE exams (
  id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  student_id       uuid        NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  subject_id       uuid        NOT NULL REFERENCES subjects (id),
  exam_type        text        NOT NULL
                               CONSTRAINT exams_exam_type CHECK (exam_type IN ('PRACTICE', 'TIMED', 'FULL_PAPER')),
  status           text        NOT NULL DEFAULT 'PENDING'
                               CONSTRAINT exams_status CHECK (status IN ('PENDING', 'IN_PROGRESS', 'COMPLETED')),
  paper_number     smallint    CONSTRAINT exams_paper_number_range CHECK (paper_number BETWEEN 1 AND 9),
  duration_minutes integer     CONSTRAINT exams_duration_range CHECK (duration_minutes BETWEEN 1 AND 600),
  total_marks      integer     CONSTRAINT exams_total_marks_range CHECK (total_marks BETWEEN 1 AND 1000),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  completed_at     timestamptz,
  CONSTRAINT exams_started_when_not_pending CHECK ((status = 'PENDING') = (started_at IS NULL)),
  CONSTRAINT exams_completed_when_completed CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL))
);

-- A student's exams, newest first: the list endpoint's keyset order.
CREATE INDEX exams_student_recent ON exams (student_id, created_at DESC, id DESC);

ALTER TABLE exams ENABLE ROW LEVEL SECURITY;
ALTER TABLE exams FORCE ROW LEVEL SECURITY;

CREATE POLICY exams_select ON exams FOR SELECT TO examiner_student
  USING (student_id = (SELECT app.current_student_id()));
CREATE POLICY exams_insert ON exams FOR INSERT TO examiner_student
  WITH CHECK (student_id = (SELECT app.current_student_id()));
CREATE POLICY exams_update ON exams FOR UPDATE TO examiner_student
  USING (student_id = (SELECT app.current_student_id()))
  WITH CHECK (student_id = (SELECT app.current_student_id()));
CREATE POLICY exams_delete ON exams FOR DELETE TO examiner_student
  USING (student_id = (SELECT app.current_student_id()));

GRANT SELECT, INSERT, UPDATE, DELETE ON exams TO examiner_student;

---- create above / drop below ----

DROP TABLE exams;
