package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/tenant"
)

// ErrNoExam is the answer for an exam that is missing or another student's: never told apart.
var ErrNoExam = examiner.New(examiner.NotFound, "There is no such exam.")

// CreateExam creates an exam for st (sql/queries/exams.sql CreateExam, one round trip). Errors:
// Invalid naming the field when the subject or paper does not exist, a FULL_PAPER exam has no
// paper, or a TIMED exam has no duration.
func (s *Store) CreateExam(ctx context.Context, st tenant.Student, n examiner.NewExam) (examiner.Exam, error) {
	row, err := s.as(st).CreateExam(ctx, dbsqlc.CreateExamParams{
		StudentID: st.ID, SubjectCode: n.SubjectCode, ExamType: n.ExamType,
		PaperNumber: n.PaperNumber, DurationMinutes: n.DurationMinutes, TotalMarks: n.TotalMarks,
		TakesPaperDefaults: examiner.TakesPaperDefaults(n.ExamType),
		RequiresPaper:      examiner.RequiresPaper(n.ExamType),
		RequiresDuration:   examiner.RequiresDuration(n.ExamType),
	})
	if IsConstraint(err, "exams_paper_fkey") { // the paper went away meanwhile
		return examiner.Exam{}, examiner.Fields(examiner.Field("paper_number", "is not a paper of subject "+n.SubjectCode))
	}
	switch {
	case err != nil:
		return examiner.Exam{}, translate(err)
	case row.ID != nil:
		return examiner.Exam{
			ID: *row.ID, SubjectCode: *row.SubjectCode, ExamType: *row.ExamType, Status: *row.Status,
			PaperNumber: row.PaperNumber, DurationMinutes: row.DurationMinutes, TotalMarks: row.TotalMarks,
			CreatedAt: *row.CreatedAt, UpdatedAt: *row.UpdatedAt, StartedAt: row.StartedAt, CompletedAt: row.CompletedAt,
		}, nil
	case !row.SubjectFound:
		return examiner.Exam{}, examiner.Fields(examiner.Field("subject_code", examiner.NotASubject))
	case n.PaperNumber != nil && !row.PaperFound:
		return examiner.Exam{}, examiner.Fields(examiner.Field("paper_number",
			fmt.Sprintf("is not a paper of subject %s, whose papers are %s", n.SubjectCode, list(row.Papers))))
	case examiner.RequiresPaper(n.ExamType) && n.PaperNumber == nil:
		return examiner.Exam{}, examiner.Fields(examiner.Field("paper_number", "is required for a "+n.ExamType+" exam"))
	case examiner.RequiresDuration(n.ExamType) && row.Duration == 0:
		return examiner.Exam{}, examiner.Fields(examiner.Field("duration_minutes", "is required for a "+n.ExamType+" exam without a paper_number"))
	}
	return examiner.Exam{}, examiner.New(examiner.Internal, "Internal error.")
}

func list(numbers []int) string {
	if len(numbers) == 0 {
		return "none"
	}
	s := make([]string, len(numbers))
	for i, n := range numbers {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// Exams lists st's exams that pass f, newest first, starting after after (examiner.Start() for the
// first page), at most limit of them; more tells whether any follow. An unfiltered list has a
// statement of its own (ListExams), so its plan is the lean one.
func (s *Store) Exams(ctx context.Context, st tenant.Student, f examiner.ExamFilter, after examiner.Position, limit int) (exams []examiner.Exam, more bool, err error) {
	q := s.as(st)
	if f.IsZero() {
		rows, err := q.ListExams(ctx, dbsqlc.ListExamsParams{
			StudentID: st.ID, AfterCreatedAt: after.CreatedAt, AfterID: after.ID, PageLimit: limit + 1,
		})
		exams = convert(rows, func(r dbsqlc.ListExamsRow) examiner.Exam { return examiner.Exam(r) })
		if err != nil {
			return nil, false, translate(err)
		}
	} else {
		rows, err := q.ListExamsFiltered(ctx, dbsqlc.ListExamsFilteredParams{
			StudentID: st.ID, Status: nullIfEmpty(f.Status), SubjectCode: nullIfEmpty(f.SubjectCode), ExamType: nullIfEmpty(f.ExamType),
			AfterCreatedAt: after.CreatedAt, AfterID: after.ID, PageLimit: limit + 1,
		})
		exams = convert(rows, func(r dbsqlc.ListExamsFilteredRow) examiner.Exam { return examiner.Exam(r) })
		if err != nil {
			return nil, false, translate(err)
		}
	}
	exams, more = onePage(exams, limit)
	return exams, more, nil
}

// ExamByID returns st's exam id. Errors: NotFound, also when the exam is another student's.
func (s *Store) ExamByID(ctx context.Context, st tenant.Student, id uuid.UUID) (examiner.Exam, error) {
	row, err := s.as(st).GetExam(ctx, dbsqlc.GetExamParams{ID: id, StudentID: st.ID})
	if errors.Is(err, pgx.ErrNoRows) {
		return examiner.Exam{}, ErrNoExam
	}
	return examiner.Exam(row), translate(err)
}

// SetExamStatus moves st's exam id to status to, setting started_at or completed_at, in one
// transaction that locks the exam first (examiner.CheckTransition says which moves are allowed).
// Errors: NotFound; Conflict explaining why for any other move.
func (s *Store) SetExamStatus(ctx context.Context, st tenant.Student, id uuid.UUID, to string) (examiner.Exam, error) {
	var e examiner.Exam
	err := s.inTx(ctx, st, func(q *dbsqlc.Queries) error {
		from, err := q.LockExamStatus(ctx, dbsqlc.LockExamStatusParams{ID: id, StudentID: st.ID})
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoExam
		}
		if err != nil {
			return err
		}
		if refusal := examiner.CheckTransition(from, to); refusal != "" {
			return examiner.New(examiner.Conflict, refusal)
		}
		row, err := q.SetExamStatus(ctx, dbsqlc.SetExamStatusParams{
			ID: id, StudentID: st.ID, Status: to, Starts: examiner.Starts(to), Completes: examiner.Completes(to),
		})
		e = examiner.Exam(row)
		return err
	})
	return e, err
}

// DeleteExam deletes st's exam id. Errors: NotFound.
func (s *Store) DeleteExam(ctx context.Context, st tenant.Student, id uuid.UUID) error {
	n, err := s.as(st).DeleteExam(ctx, dbsqlc.DeleteExamParams{ID: id, StudentID: st.ID})
	if err == nil && n == 0 {
		return ErrNoExam
	}
	return translate(err)
}
