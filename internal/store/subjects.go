package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner/internal/apperr"
	"examiner/tenant"
)

// Subject is one subject of the catalogue.
type Subject struct {
	ID           uuid.UUID `json:"id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Level        string    `json:"level"`
	ExamBoard    string    `json:"exam_board"`
	SyllabusYear string    `json:"syllabus_year"`
}

// Paper is one paper of a subject's exam.
type Paper struct {
	Number          int    `json:"number"`
	Name            string `json:"name"`
	Level           string `json:"level"`
	DurationMinutes int    `json:"duration_minutes"`
	TotalMarks      int    `json:"total_marks"`
}

// SubjectWithPapers is a subject and its paper catalogue.
type SubjectWithPapers struct {
	Subject
	Papers []Paper `json:"papers"`
}

// SyllabusPoint is one topic or sub-topic of a subject's syllabus.
type SyllabusPoint struct {
	Code             string   `json:"code"`
	Description      string   `json:"description"`
	Topics           []string `json:"topics"`
	LearningOutcomes []string `json:"learning_outcomes"`
}

// ErrNoSubject is the answer for a subject code that names no subject.
var ErrNoSubject = apperr.New(apperr.NotFound, "There is no such subject.")

// Subjects lists the catalogue by code.
func (s *Store) Subjects(ctx context.Context, st tenant.Student) ([]Subject, error) {
	var out []Subject
	_, err := s.query(ctx, st, func(rows pgx.Rows) (err error) {
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Subject])
		return err
	}, `SELECT id, code, name, level, exam_board, syllabus_year FROM subjects ORDER BY code`)
	return nonNil(out), err
}

// SubjectByCode returns the subject with code and its papers by number, in one round trip.
// Errors: NotFound.
func (s *Store) SubjectByCode(ctx context.Context, st tenant.Student, code string) (SubjectWithPapers, error) {
	var out SubjectWithPapers
	err := s.queryRow(ctx, st, ErrNoSubject, func(row pgx.Row) error {
		return row.Scan(&out.ID, &out.Code, &out.Name, &out.Level, &out.ExamBoard, &out.SyllabusYear, &out.Papers)
	}, `
		SELECT s.id, s.code, s.name, s.level, s.exam_board, s.syllabus_year,
		       coalesce((SELECT json_agg(json_build_object(
		                   'number', p.number, 'name', p.name, 'level', p.level,
		                   'duration_minutes', p.duration_minutes, 'total_marks', p.total_marks) ORDER BY p.number)
		                 FROM papers p WHERE p.subject_id = s.id), '[]')
		FROM subjects s WHERE s.code = $1`, code)
	return out, err
}

// Syllabus returns the syllabus points of the subject with code, in code order (9708.2 before
// 9708.10), in one round trip. With words, only the points whose code, description, topics or
// learning outcomes contain every word, ignoring case. Errors: NotFound when there is no such
// subject.
func (s *Store) Syllabus(ctx context.Context, st tenant.Student, code string, words []string) ([]SyllabusPoint, error) {
	var out []SyllabusPoint
	// strpos rather than LIKE: the words are data, and % or _ in them mean themselves.
	err := s.queryRow(ctx, st, ErrNoSubject, func(row pgx.Row) error { return row.Scan(&out) }, `
			SELECT coalesce((
			  SELECT json_agg(json_build_object(
			           'code', p.code, 'description', p.description,
			           'topics', p.topics, 'learning_outcomes', p.learning_outcomes) ORDER BY p.code_path, p.code)
			  FROM syllabus_points p
			  CROSS JOIN LATERAL (
			    SELECT lower(concat_ws(' ', p.code, p.description,
			                           array_to_string(p.topics, ' '), array_to_string(p.learning_outcomes, ' '))) AS text
			  ) haystack
			  WHERE p.subject_id = s.id
			    AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) AS w(word)
			                    WHERE strpos(haystack.text, lower(w.word)) = 0)), '[]')
			FROM subjects s WHERE s.code = $1`, code, words)
	return nonNil(out), err
}

// nonNil makes an empty result encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
