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
	slots := questionSlots(n)
	p := dbsqlc.CreateExamParams{
		StudentID: st.ID, SubjectCode: n.SubjectCode, ExamType: n.ExamType,
		PaperNumber: n.PaperNumber, DurationMinutes: n.DurationMinutes, TotalMarks: n.TotalMarks,
		TakesPaperDefaults: examiner.TakesPaperDefaults(n.ExamType),
		RequiresPaper:      examiner.RequiresPaper(n.ExamType),
		RequiresDuration:   examiner.RequiresDuration(n.ExamType),
		SyllabusPoints:     n.SyllabusPoints,
		// A count asked for, or a full paper, must be met; the default count is at most.
		ExactCount: n.QuestionCount != nil || n.ExamType == examiner.FullPaper,
	}
	for _, sl := range slots {
		p.SlotKinds, p.SlotSections, p.SlotCounts = append(p.SlotKinds, sl.Kind), append(p.SlotSections, sl.Section), append(p.SlotCounts, sl.Count)
	}
	row, err := s.as(st).CreateExam(ctx, p)
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
			QuestionCount: *row.QuestionCount, Score: row.Score, MaxScore: row.MaxScore, MarkedAt: row.MarkedAt,
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
	case row.QuestionsWanted == 0:
		return examiner.Exam{}, examiner.Fields(examiner.Field("paper_number", fmt.Sprintf("is a paper the question bank cannot make a full %s of", n.ExamType)))
	case row.QuestionsAvailable < row.QuestionsWanted:
		field := "question_count"
		if n.ExamType == examiner.FullPaper {
			field = "paper_number"
		} else if len(n.SyllabusPoints) > 0 && n.QuestionCount == nil {
			field = "syllabus_points"
		}
		return examiner.Exam{}, examiner.Fields(examiner.Field(field, fmt.Sprintf(
			"asks for %d questions, and the question bank has %d that fit", row.QuestionsWanted, row.QuestionsAvailable)))
	}
	return examiner.Exam{}, examiner.New(examiner.Internal, "Internal error.")
}

// questionSlots is how n's questions are chosen: a full paper's structure, or QuestionCount (by
// default examiner.DefaultQuestionCount) questions of any kind.
func questionSlots(n examiner.NewExam) []examiner.Slot {
	if n.ExamType == examiner.FullPaper && n.PaperNumber != nil {
		return examiner.Structure(*n.PaperNumber)
	}
	count := examiner.DefaultQuestionCount
	if n.QuestionCount != nil {
		count = *n.QuestionCount
	}
	return []examiner.Slot{{Count: count}}
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

// SetExamStatus moves st's exam id to status to, and marks it when it is completed, in one
// pipeline (one round trip): the move happens only from the one status that may precede to
// (examiner.Predecessor), so of two concurrent moves one waits for the other and then finds
// nothing to move; the database stamps started_at or completed_at. Errors: NotFound; Conflict
// explaining why for any other move (examiner.CheckTransition).
func (s *Store) SetExamStatus(ctx context.Context, st tenant.Student, id uuid.UUID, to string) (examiner.Exam, error) {
	b := &pgx.Batch{}
	b.Queue(dbsqlc.Statements["MoveExam"], to, id, st.ID, examiner.Predecessor(to))
	b.Queue(dbsqlc.Statements["MarkExam"], id)
	b.Queue(dbsqlc.Statements["GetExam"], id, st.ID)
	var moved bool
	var e examiner.Exam
	err := tenant.Pipeline(ctx, s.db, st, b, func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		if err != nil {
			return err
		}
		moved = tag.RowsAffected() == 1
		if _, err := br.Exec(); err != nil {
			return err
		}
		return br.QueryRow().Scan(&e.ID, &e.SubjectCode, &e.ExamType, &e.Status, &e.PaperNumber, &e.DurationMinutes,
			&e.TotalMarks, &e.CreatedAt, &e.UpdatedAt, &e.StartedAt, &e.CompletedAt, &e.QuestionCount, &e.Score, &e.MaxScore, &e.MarkedAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return examiner.Exam{}, ErrNoExam
	}
	if err != nil {
		return examiner.Exam{}, translate(err)
	}
	if !moved {
		refusal := examiner.CheckTransition(e.Status, to)
		if refusal == "" { // moved by a concurrent request between the two statements: never, in one pipeline
			refusal = "The exam changed meanwhile; read it again."
		}
		return examiner.Exam{}, examiner.New(examiner.Conflict, refusal)
	}
	return e, nil
}

// DeleteExam deletes st's exam id. Errors: NotFound.
func (s *Store) DeleteExam(ctx context.Context, st tenant.Student, id uuid.UUID) error {
	n, err := s.as(st).DeleteExam(ctx, dbsqlc.DeleteExamParams{ID: id, StudentID: st.ID})
	if err == nil && n == 0 {
		return ErrNoExam
	}
	return translate(err)
}
