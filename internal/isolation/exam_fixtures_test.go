package isolation_test

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner/internal/testdb"
)

// Fixtures of the exam tables (migration 016) for the SQL matrix and the attacker suite: a few
// questions with their keys, and exams with their questions and answers, written by the owner
// (the superuser of the tests' databases, past row-level security and app.exam_state(), which
// binds examiner_student only).

// fixtureQuestions are the questions the fixtures use, by name: MCQs m1 to m4 and written w1 on
// papers 1 and 2; d1 and d2 (an MCQ and a written question) for completed exams; x1 and x2 for
// exams whose deadline has passed; b1 for B's completed exam only; spare in no exam, to add.
var fixtureQuestions = []struct {
	name, kind, key string
	marks           int
}{
	{"m1", "MCQ", "B", 1}, {"m2", "MCQ", "C", 1}, {"m3", "MCQ", "D", 1}, {"w1", "WRITTEN", "", 10},
	{"d1", "MCQ", "B", 1}, {"d2", "WRITTEN", "", 10}, {"d3", "MCQ", "A", 1},
	{"x1", "MCQ", "A", 1}, {"x2", "MCQ", "C", 1},
	{"b1", "MCQ", "D", 1}, {"spare", "MCQ", "A", 1},
}

// insertQuestions adds the fixture questions and their keys to subject, whose papers 1 and 2 must
// exist, and returns their ids by name.
func insertQuestions(ctx context.Context, conn *pgx.Conn, subject uuid.UUID) (map[string]uuid.UUID, error) {
	ids := map[string]uuid.UUID{}
	for _, q := range fixtureQuestions {
		var id uuid.UUID
		err := conn.QueryRow(ctx, `
			WITH q AS (
			  INSERT INTO public.questions (code, subject_id, paper_number, kind, section, stem, options, parts, marks)
			  VALUES ('isolation-' || $2, $1, CASE $3 WHEN 'MCQ' THEN 1 ELSE 2 END, $3, CASE $3 WHEN 'WRITTEN' THEN 'essay' END,
			          'Isolation question ' || $2,
			          CASE $3 WHEN 'MCQ' THEN '[{"key": "A", "text": "a"}, {"key": "B", "text": "b"}, {"key": "C", "text": "c"}, {"key": "D", "text": "d"}]'::jsonb END,
			          CASE $3 WHEN 'WRITTEN' THEN pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('label', 'a', 'prompt', 'Discuss.', 'marks', $5::integer)) END,
			          $5)
			  RETURNING id
			), k AS (
			  INSERT INTO public.question_keys (question_id, answer, explanation, mark_schemes)
			  SELECT q.id, nullif($4, ''), 'Because.', CASE $3 WHEN 'WRITTEN' THEN '[]'::jsonb END FROM q
			)
			SELECT id FROM q`, subject, q.name, q.kind, q.key, q.marks).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("question %s: %w", q.name, err)
		}
		ids[q.name] = id
	}
	return ids, nil
}

// fixtureExam is one exam to add: its status, how long ago it started and for how long (nil
// for none), its questions by name, numbered from 1, and the answers to some of them: a choice
// for an MCQ, a text for a written one.
type fixtureExam struct {
	status     string
	startedAgo string // an interval: '5 minutes'
	duration   *int
	questions  []string
	answers    map[int]string
}

// insertExam adds e for student as the owner and returns its id. A COMPLETED exam is marked by
// app.mark_exam under the student's claim (generation gen), as submitting marks it.
func insertExam(ctx context.Context, conn *pgx.Conn, ids map[string]uuid.UUID, student uuid.UUID, gen int64, subject uuid.UUID, e fixtureExam) (uuid.UUID, error) {
	var exam uuid.UUID
	tx, err := conn.Begin(ctx)
	if err != nil {
		return exam, err
	}
	defer tx.Rollback(ctx)
	if err := tx.QueryRow(ctx, `
		INSERT INTO public.exams (student_id, subject_id, exam_type, status, duration_minutes, question_count, started_at, completed_at)
		VALUES ($1, $2, 'PRACTICE', $3, $4, $5,
		        CASE WHEN $3 <> 'PENDING' THEN pg_catalog.now() - nullif($6::text, '')::interval END,
		        CASE WHEN $3 = 'COMPLETED' THEN pg_catalog.now() END)
		RETURNING id`, student, subject, e.status, e.duration, len(e.questions), e.startedAgo).Scan(&exam); err != nil {
		return exam, fmt.Errorf("exam: %w", err)
	}
	for i, name := range e.questions {
		if _, err := tx.Exec(ctx, `
			INSERT INTO public.exam_questions (exam_id, number, student_id, question_id, marks)
			SELECT $1, $2, $3, q.id, q.marks FROM public.questions AS q WHERE q.id = $4`, exam, i+1, student, ids[name]); err != nil {
			return exam, fmt.Errorf("exam question %d: %w", i+1, err)
		}
	}
	for number, answer := range e.answers {
		if _, err := tx.Exec(ctx, `
			INSERT INTO public.answers (exam_id, number, student_id, choice, text)
			SELECT eq.exam_id, eq.number, eq.student_id, CASE q.kind WHEN 'MCQ' THEN $3 END, CASE q.kind WHEN 'WRITTEN' THEN $3 END
			FROM public.exam_questions AS eq JOIN public.questions AS q ON q.id = eq.question_id
			WHERE eq.exam_id = $1 AND eq.number = $2`, exam, number, answer); err != nil {
			return exam, fmt.Errorf("answer %d: %w", number, err)
		}
	}
	if e.status == "COMPLETED" {
		if _, err := tx.Exec(ctx, `SELECT pg_catalog.set_config('app.claim', $1, true)`, testdb.Student(student, gen).Claim); err != nil {
			return exam, err
		}
		var score *int
		if err := tx.QueryRow(ctx, `SELECT app.mark_exam($1)`, exam).Scan(&score); err != nil || score == nil {
			return exam, fmt.Errorf("mark the exam: score %v, %v", score, err)
		}
	}
	return exam, tx.Commit(ctx)
}

func minutes(n int) *int { return &n }
