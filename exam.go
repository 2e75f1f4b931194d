package examiner

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Exam types.
const (
	Practice  = "PRACTICE"
	Timed     = "TIMED"
	FullPaper = "FULL_PAPER"
)

// ExamTypes are the exam types, in the order messages list them.
var ExamTypes = []string{Practice, Timed, FullPaper}

// Exam statuses.
const (
	Pending    = "PENDING"
	InProgress = "IN_PROGRESS"
	Completed  = "COMPLETED"
)

// ExamStatuses are the statuses, in the order an exam moves through them.
var ExamStatuses = []string{Pending, InProgress, Completed}

// Limits on an exam's numbers (each from 1). The database's CHECK constraints say the same.
const (
	MaxPaperNumber = 9
	MaxDuration    = 600 // minutes
	MaxTotalMarks  = 1000
)

// Exam is one of a student's practice exams. The store's exam rows have exactly these fields, in
// this order, so they convert to an Exam directly.
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

// Position is e's place in the list order.
func (e Exam) Position() Position { return Position{CreatedAt: e.CreatedAt, ID: e.ID} }

// NewExam is a request for an exam; the nil fields were not given.
type NewExam struct {
	SubjectCode     string
	ExamType        string
	PaperNumber     *int
	DurationMinutes *int
	TotalMarks      *int
}

// ExamFilter narrows a list of exams; empty fields do not filter.
type ExamFilter struct {
	Status, SubjectCode, ExamType string
}

// IsZero reports whether f filters nothing.
func (f ExamFilter) IsZero() bool { return f == ExamFilter{} }

// TakesPaperDefaults reports whether an exam of type t on a paper takes the paper's duration and
// marks unless they are given.
func TakesPaperDefaults(t string) bool { return t == Timed || t == FullPaper }

// RequiresPaper reports whether an exam of type t must name a paper.
func RequiresPaper(t string) bool { return t == FullPaper }

// RequiresDuration reports whether an exam of type t must have a duration (given, or its
// paper's).
func RequiresDuration(t string) bool { return t == Timed }

// Starts and Completes report whether moving an exam to status to stamps its started_at or its
// completed_at.
func Starts(to string) bool    { return to == InProgress }
func Completes(to string) bool { return to == Completed }

// nextStatus is the one status each status may move to: PENDING → IN_PROGRESS → COMPLETED.
var nextStatus = map[string]string{Pending: InProgress, InProgress: Completed}

// CheckTransition says why an exam may not move from status from to status to, or "" when it
// may.
func CheckTransition(from, to string) string {
	switch {
	case nextStatus[from] == to:
		return ""
	case from == to:
		return fmt.Sprintf("The exam is already %s.", from)
	case from == Completed:
		return "The exam is COMPLETED; a completed exam cannot change status."
	case to == Pending:
		return fmt.Sprintf("The exam is %s; an exam cannot go back to PENDING.", from)
	default:
		return fmt.Sprintf("The exam is %s; it can only move to %s.", from, nextStatus[from])
	}
}
