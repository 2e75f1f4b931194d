-- The catalogue: subjects, their papers and syllabi, read by every student (examiner_student has
-- a read-only policy on each table).

-- name: ListSubjects :many
SELECT s.id, s.code, s.name, s.level, s.exam_board, s.syllabus_year
FROM public.subjects AS s
ORDER BY s.code;

-- name: GetSubject :one
-- The subject with its papers by number, as JSON, in one round trip.
SELECT s.id, s.code, s.name, s.level, s.exam_board, s.syllabus_year,
       coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                   'number', p.number, 'name', p.name, 'level', p.level,
                   'duration_minutes', p.duration_minutes, 'total_marks', p.total_marks) ORDER BY p.number)
                 FROM public.papers AS p WHERE p.subject_id = s.id), '[]')::jsonb AS papers
FROM public.subjects AS s
WHERE s.code = sqlc.arg(code);

-- name: GetSyllabus :one
-- The syllabus points of a subject, in code order (9708.2 before 9708.10), as JSON; with words,
-- only the points whose code, description, topics or learning outcomes contain every word,
-- ignoring case. No row when there is no such subject. strpos rather than LIKE: the words are
-- data, and % or _ in them mean themselves.
SELECT coalesce((
  SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
           'code', p.code, 'description', p.description,
           'topics', p.topics, 'learning_outcomes', p.learning_outcomes) ORDER BY p.code_path, p.code)
  FROM public.syllabus_points AS p
  CROSS JOIN LATERAL (
    SELECT pg_catalog.lower(pg_catalog.concat_ws(' ', p.code, p.description,
           pg_catalog.array_to_string(p.topics, ' '), pg_catalog.array_to_string(p.learning_outcomes, ' '))) AS text
  ) AS haystack
  WHERE p.subject_id = s.id
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(sqlc.arg(words)::text[]) AS w(word)
                    WHERE pg_catalog.strpos(haystack.text, pg_catalog.lower(w.word)) = 0)), '[]')::jsonb AS points
FROM public.subjects AS s
WHERE s.code = sqlc.arg(code);
