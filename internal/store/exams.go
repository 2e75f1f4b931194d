package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner/internal/apperr"
	"examiner/tenant"
)

// Exam types and statuses, as the database spells them.
const (
	Practice  = "PRACTICE"
	Timed     = "TIMED"
	FullPaper = "FULL_PAPER"

	Pending    = "PENDING"
	InProgress = "IN_PROGRESS"
	Completed  = "COMPLETED"
)

// Exam is one of a student's practice exams.
type Exam struct {
	ID              uuid.UUID  `json:"id"`
	SubjectCode     string     `json:"subject_code"`
	ExamType        string     `json:"exam_type"`
	Status          string     `json:"status"`
	PaperNumber     *int       `json:"paper_number"`
	DurationMinutes *int       `json:"duration_minutes"`
	TotalMarks      *int       `json:"total_marks"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	StartedAt       *time.Time `json:"started_at"`
	CompletedAt     *time.Time `json:"completed_at"`
}

// examColumns selects an Exam from exams e joined to subjects s, in Exam's field order.
const examColumns = `e.id, s.code, e.exam_type, e.status, e.paper_number, e.duration_minutes, e.total_marks,
	e.created_at, e.updated_at, e.started_at, e.completed_at`

// NewExam is a request for an exam; the nil fields were not given.
type NewExam struct {
	SubjectCode     string
	ExamType        string
	PaperNumber     *int
	DurationMinutes *int
	TotalMarks      *int
}

// ErrNoExam is the answer for an exam that is missing or another student's: never told apart.
var ErrNoExam = apperr.New(apperr.NotFound, "There is no such exam.")

// CreateExam creates an exam for st. A TIMED or FULL_PAPER exam on a paper takes the paper's
// duration and marks unless they are given. Errors: Invalid naming the field when the subject or
// paper does not exist, a FULL_PAPER exam has no paper, or a TIMED exam has no duration.
//
// One statement, so one round trip: it looks up the subject and paper, inserts only when the
// request is valid, and otherwise returns what it found, from which Go says what is wrong.
func (s *Store) CreateExam(ctx context.Context, st tenant.Student, n NewExam) (Exam, error) {
	var (
		e                      Exam
		id                     *uuid.UUID
		code, examType, status *string
		createdAt, updatedAt   *time.Time
		subjectFound           bool
		paperFound             *bool
		duration               *int
		papers                 []int
	)
	err := s.queryRow(ctx, st, apperr.New(apperr.Internal, "Internal error."), func(row pgx.Row) error {
		return row.Scan(&subjectFound, &paperFound, &duration, &papers,
			&id, &code, &examType, &status, &e.PaperNumber, &e.DurationMinutes, &e.TotalMarks,
			&createdAt, &updatedAt, &e.StartedAt, &e.CompletedAt)
	}, createExamSQL, st.ID, n.SubjectCode, n.ExamType, n.PaperNumber, n.DurationMinutes, n.TotalMarks)
	if apperr.IsConstraint(err, "exams_paper_fkey") { // the paper went away meanwhile
		return Exam{}, apperr.Fields(apperr.Field("paper_number", "is not a paper of subject "+n.SubjectCode))
	}
	switch {
	case err != nil:
		return Exam{}, err
	case id != nil:
		e.ID, e.SubjectCode, e.ExamType, e.Status, e.CreatedAt, e.UpdatedAt = *id, *code, *examType, *status, *createdAt, *updatedAt
		return e, nil
	case !subjectFound:
		return Exam{}, apperr.Fields(apperr.Field("subject_code", "is not a subject; GET /api/subjects lists them"))
	case n.PaperNumber != nil && (paperFound == nil || !*paperFound):
		return Exam{}, apperr.Fields(apperr.Field("paper_number", fmt.Sprintf("is not a paper of subject %s, whose papers are %s", n.SubjectCode, list(papers))))
	case n.ExamType == FullPaper && n.PaperNumber == nil:
		return Exam{}, apperr.Fields(apperr.Field("paper_number", "is required for a FULL_PAPER exam"))
	case n.ExamType == Timed && duration == nil:
		return Exam{}, apperr.Fields(apperr.Field("duration_minutes", "is required for a TIMED exam without a paper_number"))
	}
	return Exam{}, apperr.New(apperr.Internal, "Internal error.")
}

// createExamSQL inserts the exam ($1 student, $2 subject code, $3 type, $4 paper, $5 duration,
// $6 marks) only when the request is valid, and always answers one row: whether the subject and
// the paper exist, the duration the exam would have, the subject's papers when the paper is not
// one of them, and the new exam's columns (NULL when nothing was inserted).
const createExamSQL = `
	WITH subject AS (
	  SELECT id FROM subjects WHERE code = $2::text
	), paper AS (
	  SELECT p.number, p.duration_minutes, p.total_marks
	  FROM papers p JOIN subject ON p.subject_id = subject.id
	  WHERE p.number = $4::smallint
	), proposal AS (
	  SELECT subject.id AS subject_id,
	         paper.number IS NOT NULL AS paper_found,
	         CASE WHEN $3::text IN ('TIMED', 'FULL_PAPER') THEN coalesce($5::integer, paper.duration_minutes) ELSE $5::integer END AS duration,
	         CASE WHEN $3::text IN ('TIMED', 'FULL_PAPER') THEN coalesce($6::integer, paper.total_marks) ELSE $6::integer END AS marks
	  FROM subject LEFT JOIN paper ON true
	), e AS (
	  INSERT INTO exams (student_id, subject_id, exam_type, paper_number, duration_minutes, total_marks)
	  SELECT $1, subject_id, $3::text, $4::smallint, duration, marks
	  FROM proposal
	  WHERE ($4::smallint IS NULL OR paper_found)
	    AND NOT ($3::text = 'FULL_PAPER' AND $4::smallint IS NULL)
	    AND NOT ($3::text = 'TIMED' AND duration IS NULL)
	  RETURNING *
	)
	SELECT EXISTS (SELECT 1 FROM subject),
	       (SELECT paper_found FROM proposal),
	       (SELECT duration FROM proposal),
	       CASE WHEN NOT coalesce((SELECT paper_found FROM proposal), false)
	            THEN ARRAY(SELECT number FROM papers WHERE subject_id = (SELECT id FROM subject) ORDER BY number) END,
	       ` + examColumns + `
	FROM (SELECT) AS one
	LEFT JOIN e ON true
	LEFT JOIN subjects s ON s.id = e.subject_id`

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

// ExamFilter narrows a list of exams; empty fields do not filter.
type ExamFilter struct {
	Status, SubjectCode, ExamType string
}

// Position is e's place in the list order.
func (e Exam) Position() Position { return Position{CreatedAt: e.CreatedAt, ID: e.ID} }

// listExamsSQL is the statement behind Exams: $1 student, $2 status, $3 subject code, $4 exam
// type, $5 and $6 the position to continue after, $7 the limit plus one. cmd/bench and the leak
// test read it from this file (internal/gosource).
const listExamsSQL = `
	SELECT ` + examColumns + `
	FROM exams e JOIN subjects s ON s.id = e.subject_id
	WHERE e.student_id = $1
	  AND ($2::text IS NULL OR e.status = $2)
	  AND ($3::text IS NULL OR s.code = $3)
	  AND ($4::text IS NULL OR e.exam_type = $4)
	  AND (e.created_at, e.id) < (coalesce($5::timestamptz, 'infinity'),
	                              coalesce($6::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
	ORDER BY e.created_at DESC, e.id DESC
	LIMIT $7`

// Exams lists st's exams that pass f, newest first, starting after after (from the start when
// nil), at most limit of them; more tells whether any follow.
func (s *Store) Exams(ctx context.Context, st tenant.Student, f ExamFilter, after *Position, limit int) (exams []Exam, more bool, err error) {
	afterAt, afterID := after.keysetArgs()
	// The row comparison walks the (student_id, created_at DESC, id DESC) index: keyset
	// pagination, so a page costs the same however deep it is and no row is skipped or repeated
	// when exams are added or deleted between pages.
	_, err = s.query(ctx, st, func(rows pgx.Rows) (err error) {
		exams, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Exam])
		return err
	}, listExamsSQL,
		st.ID, nullIfEmpty(f.Status), nullIfEmpty(f.SubjectCode), nullIfEmpty(f.ExamType),
		afterAt, afterID, limit+1)
	if err != nil {
		return nil, false, err
	}
	exams, more = onePage(exams, limit)
	return exams, more, nil
}

// ExamByID returns st's exam id. Errors: NotFound, also when the exam is another student's.
func (s *Store) ExamByID(ctx context.Context, st tenant.Student, id uuid.UUID) (Exam, error) {
	var e Exam
	err := s.queryRow(ctx, st, ErrNoExam, func(row pgx.Row) error { return scanExam(row, &e) }, `
		SELECT `+examColumns+` FROM exams e JOIN subjects s ON s.id = e.subject_id
		WHERE e.id = $1 AND e.student_id = $2`, id, st.ID)
	return e, err
}

// next is the one status each status may move to.
var next = map[string]string{Pending: InProgress, InProgress: Completed}

// SetExamStatus moves st's exam id to status to, setting started_at or completed_at. Exams move
// only PENDING → IN_PROGRESS → COMPLETED. Errors: NotFound; Conflict explaining why for any
// other move.
func (s *Store) SetExamStatus(ctx context.Context, st tenant.Student, id uuid.UUID, to string) (Exam, error) {
	var e Exam
	err := s.run(ctx, st, func(tx pgx.Tx) error {
		var from string
		err := tx.QueryRow(ctx, `SELECT status FROM exams WHERE id = $1 AND student_id = $2 FOR UPDATE`, id, st.ID).Scan(&from)
		if err == pgx.ErrNoRows {
			return ErrNoExam
		}
		if err != nil {
			return err
		}
		if next[from] != to {
			return apperr.New(apperr.Conflict, transitionRefusal(from, to))
		}
		return scanExam(tx.QueryRow(ctx, `
			WITH e AS (
			  UPDATE exams
			  SET status = $3,
			      started_at = CASE WHEN $3 = 'IN_PROGRESS' THEN statement_timestamp() ELSE started_at END,
			      completed_at = CASE WHEN $3 = 'COMPLETED' THEN statement_timestamp() ELSE completed_at END,
			      updated_at = statement_timestamp()
			  WHERE id = $1 AND student_id = $2
			  RETURNING *
			)
			SELECT `+examColumns+` FROM e JOIN subjects s ON s.id = e.subject_id`, id, st.ID, to), &e)
	})
	return e, err
}

func transitionRefusal(from, to string) string {
	switch {
	case from == to:
		return fmt.Sprintf("The exam is already %s.", from)
	case from == Completed:
		return "The exam is COMPLETED; a completed exam cannot change status."
	case to == Pending:
		return fmt.Sprintf("The exam is %s; an exam cannot go back to PENDING.", from)
	default:
		return fmt.Sprintf("The exam is %s; it can only move to %s.", from, next[from])
	}
}

// DeleteExam deletes st's exam id. Errors: NotFound.
func (s *Store) DeleteExam(ctx context.Context, st tenant.Student, id uuid.UUID) error {
	tag, err := s.query(ctx, st, nil, `DELETE FROM exams WHERE id = $1 AND student_id = $2`, id, st.ID)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNoExam
	}
	return err
}

func scanExam(row pgx.Row, e *Exam) error {
	return row.Scan(&e.ID, &e.SubjectCode, &e.ExamType, &e.Status, &e.PaperNumber, &e.DurationMinutes, &e.TotalMarks,
		&e.CreatedAt, &e.UpdatedAt, &e.StartedAt, &e.CompletedAt)
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
