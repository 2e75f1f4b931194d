-- Seeding the catalogue (examiner seed), run by the owner: inserts what is missing and corrects
-- what differs. RETURNING (xmax = 0) tells an insert from an update; a row that already matches
-- is neither and returns nothing.

-- name: UpsertSubject :one
INSERT INTO public.subjects AS s (code, name, level, exam_board, syllabus_year)
VALUES (sqlc.arg(code), sqlc.arg(name), sqlc.arg(level), sqlc.arg(exam_board), sqlc.arg(syllabus_year))
ON CONFLICT (code) DO UPDATE
  SET name = excluded.name, level = excluded.level, exam_board = excluded.exam_board,
      syllabus_year = excluded.syllabus_year
  WHERE (s.name, s.level, s.exam_board, s.syllabus_year)
        IS DISTINCT FROM (excluded.name, excluded.level, excluded.exam_board, excluded.syllabus_year)
RETURNING s.id, (s.xmax = 0)::boolean AS inserted;

-- name: SubjectID :one
SELECT s.id FROM public.subjects AS s WHERE s.code = sqlc.arg(code);

-- name: UpsertPaper :one
INSERT INTO public.papers AS p (subject_id, number, name, level, duration_minutes, total_marks)
VALUES (sqlc.arg(subject_id), sqlc.arg(number), sqlc.arg(name), sqlc.arg(level), sqlc.arg(duration_minutes), sqlc.arg(total_marks))
ON CONFLICT (subject_id, number) DO UPDATE
  SET name = excluded.name, level = excluded.level,
      duration_minutes = excluded.duration_minutes, total_marks = excluded.total_marks
  WHERE (p.name, p.level, p.duration_minutes, p.total_marks)
        IS DISTINCT FROM (excluded.name, excluded.level, excluded.duration_minutes, excluded.total_marks)
RETURNING (p.xmax = 0)::boolean AS inserted;

-- name: UpsertSyllabusPoint :one
INSERT INTO public.syllabus_points AS sp (subject_id, code, description, topics, learning_outcomes)
VALUES (sqlc.arg(subject_id), sqlc.arg(code), sqlc.arg(description), sqlc.arg(topics), sqlc.arg(learning_outcomes))
ON CONFLICT (subject_id, code) DO UPDATE
  SET description = excluded.description, topics = excluded.topics,
      learning_outcomes = excluded.learning_outcomes
  WHERE (sp.description, sp.topics, sp.learning_outcomes)
        IS DISTINCT FROM (excluded.description, excluded.topics, excluded.learning_outcomes)
RETURNING (sp.xmax = 0)::boolean AS inserted;
