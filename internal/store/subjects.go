package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/tenant"
)

// ErrNoSubject is the answer for a subject code that names no subject.
var ErrNoSubject = examiner.New(examiner.NotFound, "There is no such subject.")

// Subjects lists the catalogue by code.
func (s *Store) Subjects(ctx context.Context, st tenant.Student) ([]examiner.Subject, error) {
	rows, err := s.as(st).ListSubjects(ctx)
	return convert(rows, func(r dbsqlc.ListSubjectsRow) examiner.Subject { return examiner.Subject(r) }), translate(err)
}

// SubjectByCode returns the subject with code and its papers by number, in one round trip.
// Errors: NotFound.
func (s *Store) SubjectByCode(ctx context.Context, st tenant.Student, code string) (examiner.SubjectWithPapers, error) {
	row, err := s.as(st).GetSubject(ctx, code)
	if errors.Is(err, pgx.ErrNoRows) {
		return examiner.SubjectWithPapers{}, ErrNoSubject
	}
	if err != nil {
		return examiner.SubjectWithPapers{}, translate(err)
	}
	out := examiner.SubjectWithPapers{Subject: examiner.Subject{
		ID: row.ID, Code: row.Code, Name: row.Name, Level: row.Level, ExamBoard: row.ExamBoard, SyllabusYear: row.SyllabusYear,
	}}
	return out, fromJSON(row.Papers, &out.Papers)
}

// Syllabus returns the syllabus points of the subject with code, in code order (9708.2 before
// 9708.10), in one round trip. With words, only the points whose code, description, topics or
// learning outcomes contain every word, ignoring case. Errors: NotFound when there is no such
// subject.
func (s *Store) Syllabus(ctx context.Context, st tenant.Student, code string, words []string) ([]examiner.SyllabusPoint, error) {
	if words == nil {
		words = []string{}
	}
	raw, err := s.as(st).GetSyllabus(ctx, dbsqlc.GetSyllabusParams{Code: code, Words: words})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNoSubject
	}
	if err != nil {
		return nil, translate(err)
	}
	var out []examiner.SyllabusPoint
	err = fromJSON(raw, &out)
	return nonNil(out), err
}

// fromJSON decodes JSON the database built into v.
func fromJSON(raw json.RawMessage, v any) error {
	if len(raw) == 0 { // SQL NULL: v stays as it is
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return examiner.Wrap(examiner.Internal, "Internal error.", err)
	}
	return nil
}

// nonNil makes an empty result encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
