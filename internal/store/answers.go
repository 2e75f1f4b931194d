package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/tenant"
)

// Working through an exam (sql/queries/answers.sql). Each read and write is one statement, one
// round trip; an exam whose time is up is completed, with what it has, at its next read or write
// (completeExpired, one more).

var (
	errNotStarted = examiner.New(examiner.Conflict, "The exam has not started: move it to IN_PROGRESS first.")
	errNotDone    = examiner.New(examiner.Conflict, "The exam is not COMPLETED yet: its review comes after it is submitted.")
	errTimeUp     = examiner.New(examiner.Conflict, "The exam's time is up: it takes no more answers and has been completed.")
	errNotRunning = examiner.New(examiner.Conflict, "The exam is not IN_PROGRESS: it takes no answers.")
)

// ExamQuestions returns the questions of st's exam id as a student answering sees them, from
// IN_PROGRESS on. Errors: NotFound; Conflict while it is PENDING.
func (s *Store) ExamQuestions(ctx context.Context, st tenant.Student, id uuid.UUID) ([]examiner.ExamQuestion, error) {
	rows, err := s.as(st).ExamQuestions(ctx, dbsqlc.ExamQuestionsParams{ExamID: id, StudentID: st.ID})
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, ErrNoExam
	}
	if rows[0].Status == examiner.Pending {
		return nil, errNotStarted
	}
	if rows[0].Status == examiner.InProgress && !rows[0].Open {
		if err := s.completeExpired(ctx, st, id); err != nil {
			return nil, err
		}
	}
	out := make([]examiner.ExamQuestion, 0, len(rows))
	for _, r := range rows {
		if r.QuestionID == nil {
			continue
		}
		q, err := examQuestion(r.Number, *r.QuestionID, *r.Kind, *r.Stem, r.Options, r.Parts, r.Marks, r.SyllabusPoints)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

func examQuestion(number int, id uuid.UUID, kind, stem string, options, parts []byte, marks int, points []string) (examiner.ExamQuestion, error) {
	q := examiner.ExamQuestion{Number: number, QuestionID: id, Kind: kind, Stem: stem, Marks: marks,
		Options: []examiner.Option{}, Parts: []examiner.QuestionPart{}, SyllabusPoints: nonNil(points)}
	if err := fromJSON(options, &q.Options); err != nil {
		return q, err
	}
	if err := fromJSON(parts, &q.Parts); err != nil {
		return q, err
	}
	q.Options, q.Parts = nonNil(q.Options), nonNil(q.Parts)
	return q, nil
}

// SaveAnswer saves (or replaces) st's answer to question number of exam id: a choice for a
// multiple-choice question, text for a written one. Errors: NotFound (no such exam or question);
// Conflict when the exam is not IN_PROGRESS or its time is up (it is then completed); Invalid
// for an answer of the wrong kind or a choice that is not an option.
func (s *Store) SaveAnswer(ctx context.Context, st tenant.Student, id uuid.UUID, number int, choice, text *string) (examiner.Answer, error) {
	row, err := s.as(st).SaveAnswer(ctx, dbsqlc.SaveAnswerParams{ExamID: id, StudentID: st.ID, Number: number, Choice: choice, Text: text})
	if errors.Is(err, pgx.ErrNoRows) {
		return examiner.Answer{}, ErrNoExam
	}
	if err != nil {
		return examiner.Answer{}, translate(err)
	}
	switch {
	case !row.QuestionFound:
		return examiner.Answer{}, examiner.New(examiner.NotFound, "The exam has no question "+strconv.Itoa(number)+".")
	case row.Status != examiner.InProgress:
		return examiner.Answer{}, errNotRunning
	case !row.Open:
		if err := s.completeExpired(ctx, st, id); err != nil {
			return examiner.Answer{}, err
		}
		return examiner.Answer{}, errTimeUp
	case row.SavedAt == nil && row.Kind == examiner.MCQ:
		if choice == nil {
			return examiner.Answer{}, examiner.Fields(examiner.Field("choice", "is required: question "+strconv.Itoa(number)+" is multiple choice"))
		}
		return examiner.Answer{}, examiner.Fields(examiner.Field("choice", "must be one of the question's options, A, B, C or D"))
	case row.SavedAt == nil:
		return examiner.Answer{}, examiner.Fields(examiner.Field("text", "is required: question "+strconv.Itoa(number)+" is a written one"))
	}
	return examiner.Answer{Number: row.SavedNumber, Choice: row.Choice, Text: row.Text, SavedAt: *row.SavedAt,
		MarksAwarded: row.MarksAwarded, SelfMarked: row.SelfMarked != nil && *row.SelfMarked}, nil
}

// Answers returns st's answers to exam id so far, in question order. Errors: NotFound.
func (s *Store) Answers(ctx context.Context, st tenant.Student, id uuid.UUID) ([]examiner.Answer, error) {
	rows, err := s.as(st).ListAnswers(ctx, dbsqlc.ListAnswersParams{ExamID: id, StudentID: st.ID})
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, ErrNoExam
	}
	if rows[0].Status == examiner.InProgress && !rows[0].Open {
		if err := s.completeExpired(ctx, st, id); err != nil {
			return nil, err
		}
	}
	out := []examiner.Answer{}
	for _, r := range rows {
		if r.SavedAt == nil {
			continue
		}
		out = append(out, examiner.Answer{Number: r.Number, Choice: r.Choice, Text: r.Text, SavedAt: *r.SavedAt,
			MarksAwarded: r.MarksAwarded, SelfMarked: r.SelfMarked != nil && *r.SelfMarked})
	}
	return out, nil
}

// completeExpired completes st's exam id, whose time is up, with the answers it has, and marks
// it (SetExamStatus's pipeline); a concurrent completion wins harmlessly.
func (s *Store) completeExpired(ctx context.Context, st tenant.Student, id uuid.UUID) error {
	_, err := s.SetExamStatus(ctx, st, id, examiner.Completed)
	if examiner.ErrorOf(err).Code == examiner.Conflict {
		return nil // completed meanwhile
	}
	return err
}

// Review returns st's completed exam id question by question with the answers, keys, mark
// schemes and marks. Errors: NotFound; Conflict before it is completed.
func (s *Store) Review(ctx context.Context, st tenant.Student, id uuid.UUID) ([]examiner.ReviewItem, error) {
	rows, err := s.as(st).Review(ctx, dbsqlc.ReviewParams{ExamID: id, StudentID: st.ID})
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, ErrNoExam
	}
	if rows[0].Status != examiner.Completed {
		return nil, errNotDone
	}
	out := make([]examiner.ReviewItem, 0, len(rows))
	for _, r := range rows {
		if r.QuestionID == nil {
			continue
		}
		q, err := examQuestion(r.Number, *r.QuestionID, *r.Kind, *r.Stem, r.Options, r.Parts, r.Marks, r.SyllabusPoints)
		if err != nil {
			return nil, err
		}
		item := examiner.ReviewItem{ExamQuestion: q, Choice: r.Choice, Text: r.Text, Key: r.Key,
			MarksAwarded: r.MarksAwarded, SelfMarked: r.SelfMarked, MarkSchemes: []json.RawMessage{}}
		if r.Explanation != nil {
			item.Explanation = *r.Explanation
		}
		if err := fromJSON(r.MarkSchemes, &item.MarkSchemes); err != nil {
			return nil, err
		}
		item.MarkSchemes = nonNil(item.MarkSchemes)
		out = append(out, item)
	}
	return out, nil
}

// SelfMark records st's own marks for the written answer number of their completed exam id and
// returns the exam's new score. Errors: NotFound when there is no such written answer of a
// completed exam; Invalid for marks outside 0 and the question's marks.
func (s *Store) SelfMark(ctx context.Context, st tenant.Student, id uuid.UUID, number, marks int) (int, error) {
	score, err := s.as(st).SelfMark(ctx, dbsqlc.SelfMarkParams{ExamID: id, Number: number, Marks: marks})
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "22023" { // app.self_mark's bound
			return 0, examiner.Fields(examiner.Field("marks", "must be a whole number from 0 to the question's marks"))
		}
		return 0, translate(err)
	}
	if score < 0 {
		return 0, examiner.New(examiner.Conflict, "Only a written answer of a COMPLETED exam of yours can be self-marked: exam "+
			id.String()+" has none numbered "+strconv.Itoa(number)+".")
	}
	return score, nil
}

// Progress reports st's marks per syllabus point, weakest first, for one subject or ("") all.
func (s *Store) Progress(ctx context.Context, st tenant.Student, subjectCode string) ([]examiner.ProgressPoint, error) {
	var code *string
	if subjectCode != "" {
		code = &subjectCode
	}
	rows, err := s.as(st).Progress(ctx, dbsqlc.ProgressParams{StudentID: st.ID, SubjectCode: code})
	if err != nil {
		return nil, translate(err)
	}
	return convert(rows, func(r dbsqlc.ProgressRow) examiner.ProgressPoint { return examiner.ProgressPoint(r) }), nil
}
