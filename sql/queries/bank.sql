-- The question bank (migration 016), for `examiner questions import|export` and `examiner seed`,
-- run by the database's owner: students only read questions (and keys after their exams), so no
-- request role can run these. A question is known by its code: importing it again changes
-- nothing unless it differs, and a row that already matches is not rewritten (no new row version,
-- updated_at kept). Questions a file no longer lists are left alone: exams refer to them.

-- name: BankSubject :one
-- What a file of the subject's questions is checked against before anything is written: its
-- papers and its syllabus point codes (in code order). No row when there is no such subject.
SELECT s.id,
       ARRAY(SELECT p.number::integer FROM public.papers AS p WHERE p.subject_id = s.id ORDER BY p.number)::integer[] AS papers,
       ARRAY(SELECT sp.code FROM public.syllabus_points AS sp WHERE sp.subject_id = s.id ORDER BY sp.code_path, sp.code)::text[] AS syllabus_points
FROM public.subjects AS s
WHERE s.code = sqlc.arg(code);

-- name: UpsertQuestion :one
-- The question by its code, inserted or brought in line; always one row: its id and whether it
-- was 'added', 'updated' or 'unchanged', or 'other subject' (nothing written) when the code is
-- already a question of another subject. The fallback SELECT sees the table as it was before the
-- statement, which is all it needs: it runs only when the upsert wrote nothing.
WITH upserted AS (
  INSERT INTO public.questions AS q (code, subject_id, paper_number, kind, section, stem, options, parts, marks)
  VALUES (sqlc.arg(code), sqlc.arg(subject_id), sqlc.arg(paper_number), sqlc.arg(kind), sqlc.narg(section),
          sqlc.arg(stem), sqlc.narg(options), sqlc.narg(parts), sqlc.arg(marks))
  ON CONFLICT (code) DO UPDATE
    SET paper_number = excluded.paper_number, kind = excluded.kind, section = excluded.section,
        stem = excluded.stem, options = excluded.options, parts = excluded.parts, marks = excluded.marks,
        updated_at = pg_catalog.now()
    WHERE q.subject_id = excluded.subject_id
      AND (q.paper_number, q.kind, q.section, q.stem, q.options, q.parts, q.marks)
          IS DISTINCT FROM (excluded.paper_number, excluded.kind, excluded.section, excluded.stem, excluded.options, excluded.parts, excluded.marks)
  RETURNING q.id, CASE WHEN q.xmax = 0 THEN 'added' ELSE 'updated' END AS change
)
SELECT u.id, u.change::text AS change FROM upserted AS u
UNION ALL
SELECT q.id, (CASE WHEN q.subject_id = sqlc.arg(subject_id) THEN 'unchanged' ELSE 'other subject' END)::text
FROM public.questions AS q
WHERE q.code = sqlc.arg(code) AND NOT EXISTS (SELECT FROM upserted);

-- name: UpsertQuestionKey :one
-- The question's key (MCQ) or mark schemes (WRITTEN), and its explanation. No row when they
-- already match.
INSERT INTO public.question_keys AS k (question_id, answer, explanation, mark_schemes)
VALUES (sqlc.arg(question_id), sqlc.narg(answer), sqlc.arg(explanation), sqlc.narg(mark_schemes))
ON CONFLICT (question_id) DO UPDATE
  SET answer = excluded.answer, explanation = excluded.explanation, mark_schemes = excluded.mark_schemes
  WHERE (k.answer, k.explanation, k.mark_schemes)
        IS DISTINCT FROM (excluded.answer, excluded.explanation, excluded.mark_schemes)
RETURNING (k.xmax = 0)::boolean AS inserted;

-- name: SetQuestionSyllabusPoints :one
-- The question's syllabus points become exactly these codes of its subject: tags no longer listed
-- are removed, new ones added, the others kept. Returns how many tags changed, and the codes
-- that are no syllabus point of the subject (the caller refuses the file: they are not tagged).
WITH wanted AS (
  SELECT sp.id FROM public.syllabus_points AS sp
  WHERE sp.subject_id = sqlc.arg(subject_id) AND sp.code = ANY (sqlc.arg(codes)::text[])
), removed AS (
  DELETE FROM public.question_syllabus_points AS qsp
  WHERE qsp.question_id = sqlc.arg(question_id)
    AND qsp.syllabus_point_id NOT IN (SELECT w.id FROM wanted AS w)
  RETURNING qsp.syllabus_point_id
), added AS (
  INSERT INTO public.question_syllabus_points (question_id, syllabus_point_id)
  SELECT sqlc.arg(question_id), w.id FROM wanted AS w
  ON CONFLICT (question_id, syllabus_point_id) DO NOTHING
  RETURNING syllabus_point_id
)
SELECT ((SELECT count(*) FROM removed) + (SELECT count(*) FROM added))::bigint AS changed,
       ARRAY(SELECT c.code FROM pg_catalog.unnest(sqlc.arg(codes)::text[]) AS c (code)
             WHERE NOT EXISTS (SELECT FROM public.syllabus_points AS sp
                               WHERE sp.subject_id = sqlc.arg(subject_id) AND sp.code = c.code))::text[] AS missing;

-- name: TouchQuestion :exec
-- A question whose key or tags changed (and nothing in its own row) changed all the same.
UPDATE public.questions AS q SET updated_at = pg_catalog.now() WHERE q.id = sqlc.arg(id);

-- name: ExportQuestions :many
-- Every question of the subject with its key, explanation, mark schemes and syllabus point codes
-- (in code order), by code in byte order, as `examiner questions export` writes them.
SELECT q.code, q.kind, q.paper_number, q.section, q.stem, q.options, q.parts, q.marks,
       k.answer, coalesce(k.explanation, '')::text AS explanation, k.mark_schemes,
       ARRAY(SELECT sp.code
             FROM public.question_syllabus_points AS qsp
             JOIN public.syllabus_points AS sp ON sp.id = qsp.syllabus_point_id
             WHERE qsp.question_id = q.id
             ORDER BY sp.code_path, sp.code)::text[] AS syllabus_points
FROM public.questions AS q
JOIN public.subjects AS s ON s.id = q.subject_id
LEFT JOIN public.question_keys AS k ON k.question_id = q.id
WHERE s.code = sqlc.arg(subject_code)
ORDER BY q.code COLLATE "C";
