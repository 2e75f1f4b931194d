-- Practice with questions (docs/isolation.md, "Exam integrity"): a question bank, exams made of
-- its questions, answers, and marks. What a student may see and write depends on the state of
-- their exam, and PostgreSQL enforces it, as it does ownership:
-- * a question's key, explanation and mark scheme (question_keys) are readable only for questions
--   of the student's own completed exams;
-- * answers are written only for the student's own exam while it is IN_PROGRESS and before its
--   deadline (started_at + duration_minutes + app.answer_grace(), by the database's clock);
-- * a completed exam and its answers no longer change; an exam's questions are fixed once it
--   starts; its times are the database's;
-- * marks (answers.marks_awarded, exams.score …) are written only by the marking functions,
--   owned by examiner_marker; a self-mark is bounded by the question's marks.
-- The owner policies of the student-scoped tables come from app.create_owner_policies as
-- everywhere; the conditions on the exam's state are RESTRICTIVE policies on top of them, so a
-- row must pass both.

DO $$
BEGIN
  CREATE ROLE examiner_marker NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  RAISE NOTICE 'role examiner_marker already exists';
END $$;
-- The owner hands the marking functions to the role. Roles and memberships are the cluster's:
-- another database's migration may be granting the same membership at this moment.
DO $$
BEGIN
  GRANT examiner_marker TO CURRENT_USER;
EXCEPTION WHEN unique_violation THEN
  RAISE NOTICE 'the owner is already a member of examiner_marker';
END $$;
GRANT USAGE ON SCHEMA app TO examiner_marker;

-- How long after its duration an exam still takes answers: the network's and the client's slack.
-- A DBA changes it with CREATE OR REPLACE (docs/dba.md); the server does not choose it.
CREATE FUNCTION app.answer_grace() RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT interval '30 seconds' $$;
GRANT EXECUTE ON FUNCTION app.answer_grace() TO examiner_student, examiner_marker;

-- An MCQ's options: four, keyed A to D once each, each with a text. (CHECK constraints cannot
-- hold subqueries, hence the function.)
CREATE FUNCTION app.valid_mcq_options(p_options jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT pg_catalog.jsonb_typeof(p_options) = 'array'
     AND (SELECT pg_catalog.array_agg(o ->> 'key' ORDER BY o ->> 'key') FROM pg_catalog.jsonb_array_elements(p_options) AS o)
         = ARRAY['A', 'B', 'C', 'D']
     AND NOT EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(p_options) AS o
                     WHERE pg_catalog.jsonb_typeof(o -> 'text') IS DISTINCT FROM 'string' OR o ->> 'text' = '')
$$;

-- The bank. questions is what a student reads while answering; question_keys what only a completed
-- exam shows. Both belong to the owner (examiner questions import), like the syllabus.
CREATE TABLE questions (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  code         text        NOT NULL CONSTRAINT questions_code_shape CHECK (code ~ '^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$'),
  subject_id   uuid        NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  paper_number smallint    NOT NULL,
  kind         text        NOT NULL CONSTRAINT questions_kind CHECK (kind IN ('MCQ', 'WRITTEN')),
  section      text        CONSTRAINT questions_section CHECK (section IN ('data_response', 'essay')),
  stem         text        NOT NULL CONSTRAINT questions_stem_length CHECK (char_length(stem) BETWEEN 1 AND 20000),
  -- MCQ: [{"key": "A", "text": …}, …, "D"]; WRITTEN: NULL.
  options      jsonb,
  -- WRITTEN: [{"label": "a", "prompt": …, "marks": n}, …]; MCQ: NULL.
  parts        jsonb,
  marks        integer     NOT NULL CONSTRAINT questions_marks_range CHECK (marks BETWEEN 1 AND 100),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT questions_code_key UNIQUE (code),
  CONSTRAINT questions_paper FOREIGN KEY (subject_id, paper_number) REFERENCES papers (subject_id, number),
  CONSTRAINT questions_mcq_shape CHECK ((kind = 'MCQ') = (options IS NOT NULL AND parts IS NULL AND section IS NULL)),
  CONSTRAINT questions_written_shape CHECK ((kind = 'WRITTEN') = (parts IS NOT NULL AND options IS NULL AND section IS NOT NULL)),
  CONSTRAINT questions_mcq_marks CHECK (kind <> 'MCQ' OR marks = 1),
  CONSTRAINT questions_options CHECK (options IS NULL OR app.valid_mcq_options(options)),
  CONSTRAINT questions_parts CHECK (parts IS NULL OR (pg_catalog.jsonb_typeof(parts) = 'array' AND pg_catalog.jsonb_array_length(parts) >= 1))
);
CREATE INDEX questions_subject_paper ON questions (subject_id, paper_number, kind);

CREATE TABLE question_keys (
  question_id  uuid  PRIMARY KEY REFERENCES questions (id) ON DELETE CASCADE,
  -- MCQ: the key; WRITTEN: NULL.
  answer       text  CONSTRAINT question_keys_answer CHECK (answer IN ('A', 'B', 'C', 'D')),
  explanation  text  NOT NULL DEFAULT '' CONSTRAINT question_keys_explanation_length CHECK (char_length(explanation) <= 20000),
  -- WRITTEN: [{"label": "a", "levels": [{level, min, max, descriptor}], "indicative_content": […]}].
  mark_schemes jsonb
);

CREATE TABLE question_syllabus_points (
  question_id       uuid NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
  syllabus_point_id uuid NOT NULL REFERENCES syllabus_points (id) ON DELETE CASCADE,
  PRIMARY KEY (question_id, syllabus_point_id)
);
CREATE INDEX question_syllabus_points_point ON question_syllabus_points (syllabus_point_id);

-- exams gain their marking. score and max_score cover the marked answers; written answers count
-- once self-marked.
ALTER TABLE exams
  ADD COLUMN question_count integer NOT NULL DEFAULT 0 CONSTRAINT exams_question_count_range CHECK (question_count BETWEEN 0 AND 50),
  ADD COLUMN score integer CONSTRAINT exams_score_range CHECK (score >= 0),
  ADD COLUMN max_score integer CONSTRAINT exams_max_score_range CHECK (max_score >= 0),
  ADD COLUMN marked_at timestamptz,
  ADD CONSTRAINT exams_id_student_key UNIQUE (id, student_id),
  ADD CONSTRAINT exams_marked_when_completed CHECK (marked_at IS NULL OR status = 'COMPLETED'),
  ADD CONSTRAINT exams_score_within CHECK (score IS NULL OR score <= max_score);

-- An exam's questions, numbered from 1. student_id repeats the exam's (the foreign key keeps them
-- equal), so that the owner policies see it.
CREATE TABLE exam_questions (
  exam_id     uuid     NOT NULL,
  number      smallint NOT NULL CONSTRAINT exam_questions_number_range CHECK (number BETWEEN 1 AND 50),
  student_id  uuid     NOT NULL,
  question_id uuid     NOT NULL REFERENCES questions (id),
  marks       integer  NOT NULL CONSTRAINT exam_questions_marks_range CHECK (marks BETWEEN 1 AND 100),
  PRIMARY KEY (exam_id, number),
  CONSTRAINT exam_questions_once UNIQUE (exam_id, question_id),
  CONSTRAINT exam_questions_exam FOREIGN KEY (exam_id, student_id) REFERENCES exams (id, student_id) ON DELETE CASCADE
);
CREATE INDEX exam_questions_student_question ON exam_questions (student_id, question_id);

CREATE TABLE answers (
  exam_id       uuid        NOT NULL,
  number        smallint    NOT NULL,
  student_id    uuid        NOT NULL,
  choice        text        CONSTRAINT answers_choice CHECK (choice IN ('A', 'B', 'C', 'D')),
  text          text        CONSTRAINT answers_text_length CHECK (char_length(text) <= 20000),
  saved_at      timestamptz NOT NULL DEFAULT now(),
  marks_awarded integer     CONSTRAINT answers_marks_awarded_range CHECK (marks_awarded >= 0),
  self_marked   boolean     NOT NULL DEFAULT false,
  marked_at     timestamptz,
  PRIMARY KEY (exam_id, number),
  CONSTRAINT answers_one_kind CHECK ((choice IS NULL) <> (text IS NULL)),
  CONSTRAINT answers_question FOREIGN KEY (exam_id, number) REFERENCES exam_questions (exam_id, number) ON DELETE CASCADE,
  CONSTRAINT answers_exam FOREIGN KEY (exam_id, student_id) REFERENCES exams (id, student_id) ON DELETE CASCADE
);
CREATE INDEX answers_student ON answers (student_id);

-- The catalogue of questions: for signed-in students, like the syllabus.
ALTER TABLE questions ENABLE ROW LEVEL SECURITY;
ALTER TABLE question_syllabus_points ENABLE ROW LEVEL SECURITY;
CREATE POLICY questions_read ON questions FOR SELECT TO examiner_student
  USING ((SELECT app.current_student_id()) IS NOT NULL);
CREATE POLICY question_syllabus_points_read ON question_syllabus_points FOR SELECT TO examiner_student
  USING ((SELECT app.current_student_id()) IS NOT NULL);
GRANT SELECT ON questions, question_syllabus_points TO examiner_student;

-- Keys: a student reads the key of a question only once it is in one of their own completed
-- exams (the policies of exam_questions and exams apply inside the subquery: only their own rows
-- are there). Not forced: the owner imports them.
ALTER TABLE question_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY question_keys_after_completion ON question_keys FOR SELECT TO examiner_student
  USING (EXISTS (SELECT FROM public.exam_questions AS eq JOIN public.exams AS e ON e.id = eq.exam_id
                 WHERE eq.question_id = question_keys.question_id AND e.status = 'COMPLETED'
                   AND e.student_id = (SELECT app.current_student_id())));
CREATE POLICY question_keys_marker ON question_keys FOR SELECT TO examiner_marker
  USING (current_user = 'examiner_marker');
GRANT SELECT ON question_keys TO examiner_student, examiner_marker;

ALTER TABLE exam_questions ENABLE ROW LEVEL SECURITY;
ALTER TABLE exam_questions FORCE ROW LEVEL SECURITY;
CALL app.create_owner_policies('public.exam_questions', 'student_id');
-- An exam's questions are chosen while it is PENDING (or in the statement that creates it, which
-- does not see its own new row), and never changed after (no UPDATE or DELETE grant).
CREATE POLICY exam_questions_while_pending ON exam_questions AS RESTRICTIVE FOR INSERT TO examiner_student
  WITH CHECK (NOT EXISTS (SELECT FROM public.exams AS e WHERE e.id = exam_questions.exam_id AND e.status <> 'PENDING'));
CREATE POLICY exam_questions_marker ON exam_questions FOR SELECT TO examiner_marker
  USING (current_user = 'examiner_marker' AND student_id = (SELECT app.current_student_id()));
GRANT SELECT, INSERT ON exam_questions TO examiner_student;
GRANT SELECT ON exam_questions TO examiner_marker;

-- An exam's question is worth what the question is worth. The student's transaction writes
-- exam_questions, marks included, and marking counts those marks (and bounds a self-mark by
-- them): without this a student could make a 1-mark MCQ worth 100. Every role is held to it.
CREATE FUNCTION app.exam_question_marks() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NEW.marks IS DISTINCT FROM (SELECT q.marks FROM public.questions AS q WHERE q.id = NEW.question_id) THEN
    RAISE EXCEPTION 'exam question %: its marks are the question''s', NEW.number
      USING ERRCODE = '23514', CONSTRAINT = 'exam_questions_marks_of_question';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER exam_questions_marks_of_question BEFORE INSERT OR UPDATE ON exam_questions
  FOR EACH ROW EXECUTE FUNCTION app.exam_question_marks();

ALTER TABLE answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE answers FORCE ROW LEVEL SECURITY;
CALL app.create_owner_policies('public.answers', 'student_id');
-- Answers are written only while the exam runs, before its deadline, by the clock of the
-- statement that writes them: statement_timestamp(), not now(), which is the transaction's start
-- and would let a transaction opened before the deadline go on writing after it. No deadline
-- without a duration (a PRACTICE exam; the others have one, see app.exam_state()).
CREATE FUNCTION app.accepts_answers(p_status text, p_started_at timestamptz, p_duration_minutes integer) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT p_status = 'IN_PROGRESS'
     AND (p_duration_minutes IS NULL
          OR pg_catalog.statement_timestamp() <= p_started_at + pg_catalog.make_interval(mins => p_duration_minutes) + app.answer_grace())
$$;
GRANT EXECUTE ON FUNCTION app.accepts_answers(text, timestamptz, integer) TO examiner_student, examiner_marker;
CREATE POLICY answers_while_open_insert ON answers AS RESTRICTIVE FOR INSERT TO examiner_student
  WITH CHECK (EXISTS (SELECT FROM public.exams AS e WHERE e.id = answers.exam_id
                      AND app.accepts_answers(e.status, e.started_at, e.duration_minutes)));
CREATE POLICY answers_while_open_update ON answers AS RESTRICTIVE FOR UPDATE TO examiner_student
  USING (EXISTS (SELECT FROM public.exams AS e WHERE e.id = answers.exam_id
                 AND app.accepts_answers(e.status, e.started_at, e.duration_minutes)))
  WITH CHECK (EXISTS (SELECT FROM public.exams AS e WHERE e.id = answers.exam_id
                      AND app.accepts_answers(e.status, e.started_at, e.duration_minutes)));
CREATE POLICY answers_marker_select ON answers FOR SELECT TO examiner_marker
  USING (current_user = 'examiner_marker' AND student_id = (SELECT app.current_student_id()));
CREATE POLICY answers_marker_update ON answers FOR UPDATE TO examiner_marker
  USING (current_user = 'examiner_marker' AND student_id = (SELECT app.current_student_id()))
  WITH CHECK (current_user = 'examiner_marker' AND student_id = (SELECT app.current_student_id()));
-- Students write what they answer, never its marks.
GRANT SELECT ON answers TO examiner_student;
GRANT INSERT (exam_id, number, student_id, choice, text) ON answers TO examiner_student;
GRANT UPDATE (choice, text, saved_at) ON answers TO examiner_student;
GRANT SELECT, UPDATE (marks_awarded, self_marked, marked_at) ON answers TO examiner_marker;

-- An answer fits its question: a choice for an MCQ, text for a written one.
CREATE FUNCTION app.answer_fits_question() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_kind text;
BEGIN
  SELECT q.kind INTO v_kind
  FROM public.exam_questions AS eq JOIN public.questions AS q ON q.id = eq.question_id
  WHERE eq.exam_id = NEW.exam_id AND eq.number = NEW.number;
  IF v_kind IS NULL THEN
    RAISE EXCEPTION 'answer: no question % in exam %', NEW.number, NEW.exam_id USING ERRCODE = '23503';
  END IF;
  IF (v_kind = 'MCQ') <> (NEW.choice IS NOT NULL) THEN
    RAISE EXCEPTION 'answer: question % is %, which takes %', NEW.number, v_kind,
      CASE v_kind WHEN 'MCQ' THEN 'a choice' ELSE 'text' END USING ERRCODE = '23514', CONSTRAINT = 'answers_fit_question';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER answers_fit_question BEFORE INSERT OR UPDATE OF choice, text ON answers
  FOR EACH ROW EXECUTE FUNCTION app.answer_fits_question();

-- The exam's own state, as the database keeps it against a student's writes (examiner_student's;
-- the owner's fixtures and the marker are not held to it): a new exam is PENDING and unmarked;
-- only a PRACTICE exam goes without a duration (a deadline);
-- its times are the database's clock when the row is written (clock_timestamp: after any wait
-- for the row, so a completion is never stamped before a start it waited for) at each move
-- (PENDING → IN_PROGRESS → COMPLETED, never back);
-- what decides its questions and its deadline (type, paper, duration, marks, question count) no
-- longer changes once it has started; a completed exam does not change; marks are the marker's.
CREATE FUNCTION app.exam_state() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF current_user <> 'examiner_student' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'PENDING' OR NEW.started_at IS NOT NULL OR NEW.completed_at IS NOT NULL
       OR NEW.score IS NOT NULL OR NEW.max_score IS NOT NULL OR NEW.marked_at IS NOT NULL THEN
      RAISE EXCEPTION 'exam: a new exam is PENDING and unmarked' USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
    END IF;
    -- Only a PRACTICE exam may run without a clock (the API gives TIMED and FULL_PAPER exams
    -- theirs); otherwise leaving the duration out would lift the deadline.
    IF NEW.exam_type <> 'PRACTICE' AND NEW.duration_minutes IS NULL THEN
      RAISE EXCEPTION 'exam: a % exam has a duration', NEW.exam_type USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.status = 'COMPLETED' THEN
    RAISE EXCEPTION 'exam: a completed exam cannot change' USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
  END IF;
  IF NEW.status <> OLD.status AND NOT ((OLD.status = 'PENDING' AND NEW.status = 'IN_PROGRESS')
                                       OR (OLD.status = 'IN_PROGRESS' AND NEW.status = 'COMPLETED')) THEN
    RAISE EXCEPTION 'exam: % cannot move to %', OLD.status, NEW.status USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
  END IF;
  IF OLD.status <> 'PENDING' AND (NEW.exam_type, NEW.paper_number, NEW.duration_minutes, NEW.total_marks, NEW.question_count, NEW.subject_id)
                                 IS DISTINCT FROM (OLD.exam_type, OLD.paper_number, OLD.duration_minutes, OLD.total_marks, OLD.question_count, OLD.subject_id) THEN
    RAISE EXCEPTION 'exam: a started exam keeps its questions and its time' USING ERRCODE = '23514', CONSTRAINT = 'exams_state';
  END IF;
  NEW.started_at := CASE WHEN OLD.status = 'PENDING' AND NEW.status = 'IN_PROGRESS' THEN pg_catalog.clock_timestamp() ELSE OLD.started_at END;
  NEW.completed_at := CASE WHEN OLD.status = 'IN_PROGRESS' AND NEW.status = 'COMPLETED' THEN pg_catalog.clock_timestamp() ELSE OLD.completed_at END;
  NEW.score := OLD.score;
  NEW.max_score := OLD.max_score;
  NEW.marked_at := OLD.marked_at;
  RETURN NEW;
END
$$;
CREATE TRIGGER exams_state BEFORE INSERT OR UPDATE ON exams
  FOR EACH ROW EXECUTE FUNCTION app.exam_state();

CREATE POLICY exams_marker_select ON exams FOR SELECT TO examiner_marker
  USING (current_user = 'examiner_marker' AND student_id = (SELECT app.current_student_id()));
CREATE POLICY exams_marker_update ON exams FOR UPDATE TO examiner_marker
  USING (current_user = 'examiner_marker' AND student_id = (SELECT app.current_student_id()))
  WITH CHECK (current_user = 'examiner_marker' AND student_id = (SELECT app.current_student_id()));
GRANT SELECT, UPDATE (score, max_score, marked_at, updated_at) ON exams TO examiner_marker;
-- The marking functions read each question's kind (an MCQ counts in max_score answered or not;
-- a written answer once self-marked) and its marks: without a policy of its own the marker would
-- see no question, and every exam would score 0 out of 0.
CREATE POLICY questions_marker ON questions FOR SELECT TO examiner_marker
  USING (current_user = 'examiner_marker');
GRANT SELECT ON questions TO examiner_marker;

-- Marks the verified student's completed exam: every MCQ answer against its key, every
-- unanswered question 0, written answers as their self-marks (unmarked until then); the exam's
-- score and max_score over what is marked. Returns the score; NULL when the exam is not theirs or
-- not completed.
CREATE FUNCTION app.mark_exam(p_exam_id uuid) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_score integer;
BEGIN
  PERFORM FROM public.exams AS e
  WHERE e.id = p_exam_id AND e.student_id = app.current_student_id() AND e.status = 'COMPLETED'
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE public.answers AS a
  SET marks_awarded = CASE WHEN a.choice = k.answer THEN eq.marks ELSE 0 END, marked_at = pg_catalog.now()
  FROM public.exam_questions AS eq JOIN public.question_keys AS k ON k.question_id = eq.question_id
  WHERE a.exam_id = p_exam_id AND eq.exam_id = a.exam_id AND eq.number = a.number AND a.choice IS NOT NULL;
  UPDATE public.exams AS e
  SET (score, max_score) = (
        SELECT coalesce(pg_catalog.sum(a.marks_awarded), 0),
               coalesce(pg_catalog.sum(eq.marks) FILTER (WHERE q.kind = 'MCQ' OR a.marks_awarded IS NOT NULL), 0)
        FROM public.exam_questions AS eq
        JOIN public.questions AS q ON q.id = eq.question_id
        LEFT JOIN public.answers AS a ON a.exam_id = eq.exam_id AND a.number = eq.number
        WHERE eq.exam_id = p_exam_id),
      marked_at = pg_catalog.clock_timestamp(), updated_at = pg_catalog.clock_timestamp()
  WHERE e.id = p_exam_id
  RETURNING e.score INTO v_score;
  RETURN v_score;
END
$$;

-- The verified student's own mark for a written answer of their completed exam, within 0 and the
-- question's marks; the exam's score then counts it. Returns the new score; NULL when there is no
-- such answer (not theirs, not completed, not written).
CREATE FUNCTION app.self_mark(p_exam_id uuid, p_number integer, p_marks integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_max integer;
BEGIN
  SELECT eq.marks INTO v_max
  FROM public.exams AS e
  JOIN public.exam_questions AS eq ON eq.exam_id = e.id
  JOIN public.questions AS q ON q.id = eq.question_id
  JOIN public.answers AS a ON a.exam_id = eq.exam_id AND a.number = eq.number
  WHERE e.id = p_exam_id AND eq.number = p_number AND e.student_id = app.current_student_id()
    AND e.status = 'COMPLETED' AND q.kind = 'WRITTEN'
  FOR UPDATE OF e;
  IF v_max IS NULL THEN
    RETURN NULL;
  END IF;
  IF p_marks IS NULL OR p_marks < 0 OR p_marks > v_max THEN
    RAISE EXCEPTION 'self_mark: marks must be from 0 to %', v_max USING ERRCODE = '22023';
  END IF;
  UPDATE public.answers AS a SET marks_awarded = p_marks, self_marked = true, marked_at = pg_catalog.now()
  WHERE a.exam_id = p_exam_id AND a.number = p_number;
  RETURN app.mark_exam(p_exam_id);
END
$$;

GRANT CREATE ON SCHEMA app TO examiner_marker;
ALTER FUNCTION app.mark_exam(uuid) OWNER TO examiner_marker;
ALTER FUNCTION app.self_mark(uuid, integer, integer) OWNER TO examiner_marker;
REVOKE CREATE ON SCHEMA app FROM examiner_marker;
REVOKE ALL ON FUNCTION app.mark_exam(uuid), app.self_mark(uuid, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.mark_exam(uuid), app.self_mark(uuid, integer, integer) TO examiner_student;
GRANT EXECUTE ON FUNCTION app.current_student_id() TO examiner_marker;

-- A student's UPDATE of an exam touches its status and times only (the trigger sets the times).
REVOKE UPDATE ON exams FROM examiner_student;
GRANT UPDATE (status, started_at, completed_at, updated_at) ON exams TO examiner_student;

---- create above / drop below ----

REVOKE UPDATE (status, started_at, completed_at, updated_at) ON exams FROM examiner_student;
GRANT UPDATE ON exams TO examiner_student;
REVOKE EXECUTE ON FUNCTION app.current_student_id() FROM examiner_marker;
DROP FUNCTION app.self_mark(uuid, integer, integer);
DROP FUNCTION app.mark_exam(uuid);
DROP POLICY questions_marker ON questions;
DROP POLICY exams_marker_update ON exams;
DROP POLICY exams_marker_select ON exams;
REVOKE ALL ON exams FROM examiner_marker;
DROP TRIGGER exams_state ON exams;
DROP FUNCTION app.exam_state();
DROP TABLE answers;
DROP FUNCTION app.answer_fits_question();
DROP FUNCTION app.accepts_answers(text, timestamptz, integer);
DROP TABLE question_keys; -- its policy reads exam_questions
DROP TABLE exam_questions;
DROP FUNCTION app.exam_question_marks();
ALTER TABLE exams
  DROP CONSTRAINT exams_score_within,
  DROP CONSTRAINT exams_marked_when_completed,
  DROP CONSTRAINT exams_id_student_key,
  DROP COLUMN marked_at,
  DROP COLUMN max_score,
  DROP COLUMN score,
  DROP COLUMN question_count;
DROP TABLE question_syllabus_points;
DROP TABLE questions;
DROP FUNCTION app.valid_mcq_options(jsonb);
DROP FUNCTION app.answer_grace();
REVOKE ALL ON SCHEMA app FROM examiner_marker;
-- Dropping the role ends the owner's membership with it. While another database of the cluster
-- still uses the role, the membership stays too: revoking it would pull it from under that
-- database's owner (the same role, in tests), perhaps in the middle of its migration.
DO $$
BEGIN
  DROP ROLE examiner_marker;
EXCEPTION WHEN dependent_objects_still_exist THEN
  RAISE NOTICE 'role examiner_marker kept: other databases still use it';
END $$;
