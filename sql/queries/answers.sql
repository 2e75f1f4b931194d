-- Working through an exam: its questions, the answers, submitting and marking, the review and
-- progress by syllabus point. As examiner_student: row-level security (migration 016) shows a
-- student their own exams, answers and marks only, takes answers only while the exam runs, and
-- shows keys only for their completed exams; the student_id conditions repeat that for readers.

-- name: ExamQuestions :many
-- The exam's status, whether it still takes answers, and its questions in order (none while it is
-- PENDING): what a student answering sees, without keys. No row: no such exam of theirs.
-- (The exam is read once, so whether it takes answers is worked out once, not per question.)
WITH e AS MATERIALIZED (
  SELECT x.id, x.status, app.accepts_answers(x.status, x.started_at, x.duration_minutes) AS open
  FROM public.exams AS x
  WHERE x.id = sqlc.arg(exam_id) AND x.student_id = sqlc.arg(student_id)
)
SELECT e.status, e.open::boolean AS open,
       coalesce(eq.number, 0)::integer AS number, q.id AS question_id, q.kind, q.stem, q.options, q.parts,
       coalesce(eq.marks, 0)::integer AS marks,
       ARRAY(SELECT sp.code FROM public.question_syllabus_points AS qsp
             JOIN public.syllabus_points AS sp ON sp.id = qsp.syllabus_point_id
             WHERE qsp.question_id = q.id ORDER BY sp.code)::text[] AS syllabus_points
FROM e
LEFT JOIN public.exam_questions AS eq ON eq.exam_id = e.id AND e.status <> 'PENDING'
LEFT JOIN public.questions AS q ON q.id = eq.question_id
ORDER BY eq.number;

-- name: SaveAnswer :one
-- Saves (or replaces: autosave) the answer to question number, only while the exam takes answers
-- and only of the question's kind (a choice among its options, or text); always one row when the
-- exam is the student's, saying what it found, with the saved answer (NULLs when nothing was
-- saved). The restrictive policies of answers refuse the same writes whatever the statement.
WITH target AS (
  SELECT e.id, e.student_id, e.status, app.accepts_answers(e.status, e.started_at, e.duration_minutes) AS open,
         eq.number, q.kind, q.options
  FROM public.exams AS e
  LEFT JOIN public.exam_questions AS eq ON eq.exam_id = e.id AND eq.number = sqlc.arg(number)::smallint
  LEFT JOIN public.questions AS q ON q.id = eq.question_id
  WHERE e.id = sqlc.arg(exam_id) AND e.student_id = sqlc.arg(student_id)
), saved AS (
  INSERT INTO public.answers AS a (exam_id, number, student_id, choice, text)
  SELECT t.id, t.number, t.student_id, sqlc.narg(choice)::text, sqlc.narg(text)::text
  FROM target AS t
  WHERE t.open AND t.number IS NOT NULL
    AND ((t.kind = 'MCQ' AND sqlc.narg(text)::text IS NULL
          AND sqlc.narg(choice)::text IN (SELECT o ->> 'key' FROM pg_catalog.jsonb_array_elements(t.options) AS o))
         OR (t.kind = 'WRITTEN' AND sqlc.narg(choice)::text IS NULL AND sqlc.narg(text)::text IS NOT NULL))
  ON CONFLICT (exam_id, number) DO UPDATE SET choice = EXCLUDED.choice, text = EXCLUDED.text, saved_at = pg_catalog.now()
  RETURNING a.number, a.choice, a.text, a.saved_at, a.marks_awarded, a.self_marked
)
SELECT t.status, t.open::boolean AS open, (t.number IS NOT NULL)::boolean AS question_found, coalesce(t.kind, '')::text AS kind,
       coalesce(saved.number, 0)::integer AS saved_number, saved.choice, saved.text, saved.saved_at, saved.marks_awarded, saved.self_marked
FROM target AS t LEFT JOIN saved ON true;

-- name: ListAnswers :many
-- The exam's status and the student's answers so far, in question order (one row with NULL
-- answer columns when there are none). No row: no such exam of theirs.
SELECT e.status, app.accepts_answers(e.status, e.started_at, e.duration_minutes)::boolean AS open,
       coalesce(a.number, 0)::integer AS number, a.choice, a.text, a.saved_at, a.marks_awarded, a.self_marked
FROM public.exams AS e
LEFT JOIN public.answers AS a ON a.exam_id = e.id
WHERE e.id = sqlc.arg(exam_id) AND e.student_id = sqlc.arg(student_id)
ORDER BY a.number;

-- name: MoveExam :exec
-- The move from the one status that may precede to (PENDING before IN_PROGRESS, IN_PROGRESS before
-- COMPLETED); nothing when the exam is in another. The database stamps the times
-- (app.exam_state, migration 016). Sent in one pipeline with MarkExam and GetExam.
UPDATE public.exams AS e
SET status = sqlc.arg(status)::text, updated_at = pg_catalog.clock_timestamp()
WHERE e.id = sqlc.arg(id) AND e.student_id = sqlc.arg(student_id) AND e.status = sqlc.arg(from_status)::text;

-- name: MarkExam :exec
-- Marks the exam if it is completed and not yet marked (app.mark_exam, owned by examiner_marker:
-- students cannot write marks themselves); nothing otherwise, so that a refused move changes
-- nothing.
SELECT app.mark_exam(e.id) FROM public.exams AS e
WHERE e.id = sqlc.arg(id)::uuid AND e.status = 'COMPLETED' AND e.marked_at IS NULL;

-- name: Review :many
-- A completed exam's questions with the student's answers, keys, explanations and mark schemes
-- (question_keys shows them for completed exams only). No row: no such exam of theirs.
SELECT e.status, coalesce(eq.number, 0)::integer AS number, q.id AS question_id, q.kind, q.stem, q.options, q.parts,
       coalesce(eq.marks, 0)::integer AS marks,
       ARRAY(SELECT sp.code FROM public.question_syllabus_points AS qsp
             JOIN public.syllabus_points AS sp ON sp.id = qsp.syllabus_point_id
             WHERE qsp.question_id = q.id ORDER BY sp.code)::text[] AS syllabus_points,
       a.choice, a.text, a.marks_awarded, coalesce(a.self_marked, false)::boolean AS self_marked,
       k.answer AS key, k.explanation, k.mark_schemes
FROM public.exams AS e
LEFT JOIN public.exam_questions AS eq ON eq.exam_id = e.id AND e.status = 'COMPLETED'
LEFT JOIN public.questions AS q ON q.id = eq.question_id
LEFT JOIN public.answers AS a ON a.exam_id = eq.exam_id AND a.number = eq.number
LEFT JOIN public.question_keys AS k ON k.question_id = eq.question_id
WHERE e.id = sqlc.arg(exam_id) AND e.student_id = sqlc.arg(student_id)
ORDER BY eq.number;

-- name: SelfMark :one
-- The student's own marks for a written answer of their completed exam (app.self_mark: within 0
-- and the question's marks); the exam's new score, -1 when there is no such answer.
SELECT coalesce(app.self_mark(sqlc.arg(exam_id)::uuid, sqlc.arg(number)::integer, sqlc.arg(marks)::integer), -1)::integer AS score;

-- name: Progress :many
-- Per syllabus point of the student's marked answers (completed exams only): questions answered,
-- marks and their maximum, and when last attempted; weakest first (lowest share of marks).
SELECT sp.code, sp.description, pg_catalog.count(*)::integer AS answered,
       pg_catalog.sum(a.marks_awarded)::integer AS marks, pg_catalog.sum(eq.marks)::integer AS max_marks,
       pg_catalog.max(a.saved_at)::timestamptz AS last_attempted
FROM public.answers AS a
JOIN public.exam_questions AS eq ON eq.exam_id = a.exam_id AND eq.number = a.number
JOIN public.exams AS e ON e.id = a.exam_id
JOIN public.subjects AS s ON s.id = e.subject_id
JOIN public.question_syllabus_points AS qsp ON qsp.question_id = eq.question_id
JOIN public.syllabus_points AS sp ON sp.id = qsp.syllabus_point_id
WHERE a.student_id = sqlc.arg(student_id) AND e.status = 'COMPLETED' AND a.marks_awarded IS NOT NULL
  AND (sqlc.narg(subject_code)::text IS NULL OR s.code = sqlc.narg(subject_code)::text)
GROUP BY sp.code, sp.description
ORDER BY pg_catalog.sum(a.marks_awarded)::numeric / pg_catalog.sum(eq.marks), sp.code;
