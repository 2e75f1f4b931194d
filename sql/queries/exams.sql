-- Students' practice exams. Every statement runs as examiner_student inside a tenant transaction,
-- so row-level security limits it to the student's own exams; the student_id conditions repeat
-- that for the planner (the list index starts with student_id) and for readers.
--
-- Every statement that returns an exam returns the same columns under the same names, in the
-- order of examiner.Exam: the generated row types convert to it directly, so a column added here
-- and not there (or the other way round) does not compile.

-- name: CreateExam :one
-- Inserts the exam with its questions only when the request is valid and the bank has enough
-- questions (exact_count: as many as wanted; else at least one, up to as many), and always
-- answers one row: whether the subject and the paper exist, the duration
-- the exam would have (0 for none), the subject's papers when the paper is not one of them, how
-- many questions were wanted and how many the bank has that fit, and the new exam's columns (NULL
-- when nothing was inserted). What the exam type implies comes from the core
-- (examiner.TakesPaperDefaults, RequiresPaper, RequiresDuration, Structure), not from literals
-- here: the questions come in slots (a kind, a section, a count; '' for any), chosen within each
-- slot among those the student has seen least in their exams, at random among equals, and
-- numbered slot by slot. One statement, so one round trip; Go says what is wrong from what it
-- found. (The new exam is not visible to the rest of this statement, which is why
-- exam_questions_while_pending, migration 016, refuses only exams that exist and have started.)
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
), slots AS (
  SELECT k.n, nullif(k.kind, '') AS kind, nullif(sc.section, '') AS section, c.wanted
  FROM pg_catalog.unnest(sqlc.arg(slot_kinds)::text[]) WITH ORDINALITY AS k(kind, n)
  JOIN pg_catalog.unnest(sqlc.arg(slot_sections)::text[]) WITH ORDINALITY AS sc(section, n) ON sc.n = k.n
  JOIN pg_catalog.unnest(sqlc.arg(slot_counts)::integer[]) WITH ORDINALITY AS c(wanted, n) ON c.n = k.n
), candidates AS (
  SELECT sl.n AS slot, q.id, q.marks,
         pg_catalog.row_number() OVER (
           PARTITION BY sl.n
           ORDER BY (SELECT pg_catalog.count(*) FROM public.exam_questions AS seen
                     WHERE seen.student_id = sqlc.arg(student_id)::uuid AND seen.question_id = q.id),
                    pg_catalog.random()) AS rank
  FROM slots AS sl
  JOIN public.questions AS q ON q.subject_id = (SELECT subject.id FROM subject)
   AND (sqlc.narg(paper_number)::smallint IS NULL OR q.paper_number = sqlc.narg(paper_number)::smallint)
   AND (sl.kind IS NULL OR q.kind = sl.kind)
   AND (sl.section IS NULL OR q.section = sl.section)
   AND (sqlc.narg(syllabus_points)::text[] IS NULL OR EXISTS (
         SELECT FROM public.question_syllabus_points AS qsp
         JOIN public.syllabus_points AS sp ON sp.id = qsp.syllabus_point_id
         WHERE qsp.question_id = q.id AND sp.code = ANY (sqlc.narg(syllabus_points)::text[])))
), chosen AS (
  SELECT c.id, c.marks, pg_catalog.row_number() OVER (ORDER BY c.slot, c.rank) AS number
  FROM candidates AS c JOIN slots AS sl ON sl.n = c.slot
  WHERE c.rank <= sl.wanted
), counts AS (
  SELECT (SELECT coalesce(pg_catalog.sum(sl.wanted), 0) FROM slots AS sl)::integer AS wanted,
         (SELECT pg_catalog.count(DISTINCT c.id) FROM candidates AS c)::integer AS available,
         (SELECT pg_catalog.count(*) FROM chosen)::integer AS chosen
), inserted AS (
  INSERT INTO public.exams (student_id, subject_id, exam_type, paper_number, duration_minutes, total_marks, question_count)
  SELECT sqlc.arg(student_id)::uuid, proposal.subject_id, sqlc.arg(exam_type)::text,
         sqlc.narg(paper_number)::smallint, proposal.duration, proposal.marks, counts.chosen
  FROM proposal, counts
  WHERE (sqlc.narg(paper_number)::smallint IS NULL OR proposal.paper_found)
    AND NOT (sqlc.arg(requires_paper)::boolean AND sqlc.narg(paper_number)::smallint IS NULL)
    AND NOT (sqlc.arg(requires_duration)::boolean AND proposal.duration IS NULL)
    AND counts.wanted > 0
    AND (counts.chosen = counts.wanted OR (NOT sqlc.arg(exact_count)::boolean AND counts.chosen > 0))
  RETURNING *
), assembled AS (
  INSERT INTO public.exam_questions (exam_id, number, student_id, question_id, marks)
  SELECT inserted.id, chosen.number, inserted.student_id, chosen.id, chosen.marks
  FROM inserted, chosen
)
SELECT EXISTS (SELECT 1 FROM subject) AS subject_found,
       coalesce((SELECT proposal.paper_found FROM proposal), false)::boolean AS paper_found,
       coalesce((SELECT proposal.duration FROM proposal), 0)::integer AS duration,
       (CASE WHEN NOT coalesce((SELECT proposal.paper_found FROM proposal), false)
             THEN ARRAY(SELECT p.number::integer FROM public.papers AS p
                        WHERE p.subject_id = (SELECT subject.id FROM subject) ORDER BY p.number)
             ELSE '{}' END)::integer[] AS papers,
       (SELECT counts.wanted FROM counts)::integer AS questions_wanted,
       (SELECT counts.available FROM counts)::integer AS questions_available,
       inserted.id, s.code AS subject_code, inserted.exam_type, inserted.status,
       inserted.paper_number, inserted.duration_minutes, inserted.total_marks,
       inserted.created_at, inserted.updated_at, inserted.started_at, inserted.completed_at,
       inserted.question_count, inserted.score, inserted.max_score, inserted.marked_at
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
       e.created_at, e.updated_at, e.started_at, e.completed_at, e.question_count, e.score, e.max_score, e.marked_at
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
       e.created_at, e.updated_at, e.started_at, e.completed_at, e.question_count, e.score, e.max_score, e.marked_at
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
       e.created_at, e.updated_at, e.started_at, e.completed_at, e.question_count, e.score, e.max_score, e.marked_at
FROM public.exams AS e
JOIN public.subjects AS s ON s.id = e.subject_id
WHERE e.id = sqlc.arg(id) AND e.student_id = sqlc.arg(student_id);

-- name: DeleteExam :execrows
DELETE FROM public.exams AS e WHERE e.id = sqlc.arg(id) AND e.student_id = sqlc.arg(student_id);
