-- Students' practice exams. Every statement runs as examiner_student inside a tenant transaction,
-- so row-level security limits it to the student's own exams; the student_id conditions repeat
-- that for the planner (the list index starts with student_id) and for readers.
--
-- Every statement that returns an exam returns the same columns under the same names, in the
-- order of examiner.Exam: the generated row types convert to it directly, so a column added here
-- and not there (or the other way round) does not compile.

-- name: CreateExam :one
-- Inserts the exam only when the request is valid, and always answers one row: whether the
-- subject and the paper exist, the duration the exam would have (0 for none), the subject's papers when the
-- paper is not one of them, and the new exam's columns (NULL when nothing was inserted). What the
-- exam type implies comes from the core (examiner.TakesPaperDefaults, RequiresPaper,
-- RequiresDuration), not from literals here. One statement, so one round trip; Go says what is
-- wrong from what it found.
WITH subject AS (
  SELECT s.id FROM public.subjects AS s WHERE s.code = sqlc.arg(subject_code)::text
), paper AS (
  SELECT p.number, p.duration_minutes, p.total_marks
  FROM public.papers AS p JOIN subject ON p.subject_id = subject.id
  WHERE p.number = sqlc.narg(paper_number)::smallint
), proposal AS (
  SELECT subject.id AS subject_id,
         paper.number IS NOT NULL AS paper_found,
         CASE WHEN sqlc.arg(takes_paper_defaults)::boolean
              THEN coalesce(sqlc.narg(duration_minutes)::integer, paper.duration_minutes)
              ELSE sqlc.narg(duration_minutes)::integer END AS duration,
         CASE WHEN sqlc.arg(takes_paper_defaults)::boolean
              THEN coalesce(sqlc.narg(total_marks)::integer, paper.total_marks)
              ELSE sqlc.narg(total_marks)::integer END AS marks
  FROM subject LEFT JOIN paper ON true
), inserted AS (
  INSERT INTO public.exams (student_id, subject_id, exam_type, paper_number, duration_minutes, total_marks)
  SELECT sqlc.arg(student_id)::uuid, proposal.subject_id, sqlc.arg(exam_type)::text,
         sqlc.narg(paper_number)::smallint, proposal.duration, proposal.marks
  FROM proposal
  WHERE (sqlc.narg(paper_number)::smallint IS NULL OR proposal.paper_found)
    AND NOT (sqlc.arg(requires_paper)::boolean AND sqlc.narg(paper_number)::smallint IS NULL)
    AND NOT (sqlc.arg(requires_duration)::boolean AND proposal.duration IS NULL)
  RETURNING *
)
SELECT EXISTS (SELECT 1 FROM subject) AS subject_found,
       coalesce((SELECT proposal.paper_found FROM proposal), false)::boolean AS paper_found,
       coalesce((SELECT proposal.duration FROM proposal), 0)::integer AS duration,
       (CASE WHEN NOT coalesce((SELECT proposal.paper_found FROM proposal), false)
             THEN ARRAY(SELECT p.number::integer FROM public.papers AS p
                        WHERE p.subject_id = (SELECT subject.id FROM subject) ORDER BY p.number)
             ELSE '{}' END)::integer[] AS papers,
       inserted.id, s.code AS subject_code, inserted.exam_type, inserted.status,
       inserted.paper_number, inserted.duration_minutes, inserted.total_marks,
       inserted.created_at, inserted.updated_at, inserted.started_at, inserted.completed_at
FROM (SELECT) AS one
LEFT JOIN inserted ON true
LEFT JOIN public.subjects AS s ON s.id = inserted.subject_id;

-- name: ListExams :many
-- A page of the student's exams, newest first, after a position (the first page passes the
-- end of time). The row comparison is an index condition on exams_student_recent: keyset
-- pagination, so a page costs the same however deep it is, and nothing is skipped or repeated
-- when exams are added or deleted between pages. No filters: the common case gets a plan of its
-- own instead of sharing one with catch-all conditions.
SELECT e.id, s.code AS subject_code, e.exam_type, e.status, e.paper_number, e.duration_minutes, e.total_marks,
       e.created_at, e.updated_at, e.started_at, e.completed_at
FROM public.exams AS e
JOIN public.subjects AS s ON s.id = e.subject_id
WHERE e.student_id = sqlc.arg(student_id)
  AND (e.created_at, e.id) < (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::uuid)
ORDER BY e.created_at DESC, e.id DESC
LIMIT sqlc.arg(page_limit)::integer;

-- name: ListExamsFiltered :many
-- ListExams with filters; a NULL filter does not filter. The position stays an index condition;
-- the filters are checked on the index's rows.
SELECT e.id, s.code AS subject_code, e.exam_type, e.status, e.paper_number, e.duration_minutes, e.total_marks,
       e.created_at, e.updated_at, e.started_at, e.completed_at
FROM public.exams AS e
JOIN public.subjects AS s ON s.id = e.subject_id
WHERE e.student_id = sqlc.arg(student_id)
  AND (sqlc.narg(status)::text IS NULL OR e.status = sqlc.narg(status)::text)
  AND (sqlc.narg(subject_code)::text IS NULL OR s.code = sqlc.narg(subject_code)::text)
  AND (sqlc.narg(exam_type)::text IS NULL OR e.exam_type = sqlc.narg(exam_type)::text)
  AND (e.created_at, e.id) < (sqlc.arg(after_created_at)::timestamptz, sqlc.arg(after_id)::uuid)
ORDER BY e.created_at DESC, e.id DESC
LIMIT sqlc.arg(page_limit)::integer;

-- name: GetExam :one
SELECT e.id, s.code AS subject_code, e.exam_type, e.status, e.paper_number, e.duration_minutes, e.total_marks,
       e.created_at, e.updated_at, e.started_at, e.completed_at
FROM public.exams AS e
JOIN public.subjects AS s ON s.id = e.subject_id
WHERE e.id = sqlc.arg(id) AND e.student_id = sqlc.arg(student_id);

-- name: LockExamStatus :one
-- The exam's status, with the row locked until the transaction ends, so that of two concurrent
-- moves one waits for the other and then sees its result.
SELECT e.status FROM public.exams AS e
WHERE e.id = sqlc.arg(id) AND e.student_id = sqlc.arg(student_id)
FOR UPDATE;

-- name: SetExamStatus :one
-- Moves the exam to a status, stamping started_at or completed_at (as examiner.Starts and
-- Completes say) with the time of this statement (not of its transaction, which may have waited
-- for the row lock).
WITH updated AS (
  UPDATE public.exams AS e
  SET status = sqlc.arg(status)::text,
      started_at = CASE WHEN sqlc.arg(starts)::boolean THEN statement_timestamp() ELSE e.started_at END,
      completed_at = CASE WHEN sqlc.arg(completes)::boolean THEN statement_timestamp() ELSE e.completed_at END,
      updated_at = statement_timestamp()
  WHERE e.id = sqlc.arg(id) AND e.student_id = sqlc.arg(student_id)
  RETURNING e.*
)
SELECT u.id, s.code AS subject_code, u.exam_type, u.status, u.paper_number, u.duration_minutes, u.total_marks,
       u.created_at, u.updated_at, u.started_at, u.completed_at
FROM updated AS u
JOIN public.subjects AS s ON s.id = u.subject_id;

-- name: DeleteExam :execrows
DELETE FROM public.exams AS e WHERE e.id = sqlc.arg(id) AND e.student_id = sqlc.arg(student_id);
