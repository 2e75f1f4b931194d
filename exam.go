package examiner

import (
	"encoding/json"
	"fmt"
	"regexp"
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
	QuestionCount   int        `json:"question_count"`
	Score           *int       `json:"score"`
	MaxScore        *int       `json:"max_score"`
	MarkedAt        *time.Time `json:"marked_at"`
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
	// QuestionCount and SyllabusPoints choose a PRACTICE or TIMED exam's questions (nil:
	// DefaultQuestionCount, any point); a FULL_PAPER exam follows its paper's Structure.
	QuestionCount  *int
	SyllabusPoints []string
}

// SyllabusPointCode is the shape of a syllabus point's code: the subject's code, then numbers
// separated by dots (9708.2.3).
var SyllabusPointCode = regexp.MustCompile(`^[0-9A-Za-z]{1,16}(\.[0-9]{1,3}){1,4}$`)

// Limits on an exam's questions.
const (
	DefaultQuestionCount = 10
	MaxQuestionCount     = 50
	MaxAnswerLength      = 20000 // characters of a written answer
)

// Question kinds.
const (
	MCQ     = "MCQ"
	Written = "WRITTEN"
)

// Slot is one part of a paper's structure: Count questions of a kind (and, for written
// questions, a section: data_response or essay).
type Slot struct {
	Kind, Section string
	Count         int
}

// Structure is how a full paper of 9708 is made: Papers 1 and 3 are 30 multiple-choice questions;
// Paper 2 a data response and an essay; Paper 4 a data response and two essays. (The syllabus
// lets a candidate choose among essays; a practice paper sets the ones to answer.) Nil for a
// paper it does not know.
func Structure(paper int) []Slot {
	switch paper {
	case 1, 3:
		return []Slot{{Kind: MCQ, Count: 30}}
	case 2:
		return []Slot{{Kind: Written, Section: "data_response", Count: 1}, {Kind: Written, Section: "essay", Count: 1}}
	case 4:
		return []Slot{{Kind: Written, Section: "data_response", Count: 1}, {Kind: Written, Section: "essay", Count: 2}}
	}
	return nil
}

// ExamQuestion is question number Number of an exam, as a student answering it sees it: no key,
// no explanation, no mark scheme.
type ExamQuestion struct {
	Number         int            `json:"number"`
	QuestionID     uuid.UUID      `json:"question_id"`
	Kind           string         `json:"kind"`
	Stem           string         `json:"stem"`
	Options        []Option       `json:"options"`
	Parts          []QuestionPart `json:"parts"`
	Marks          int            `json:"marks"`
	SyllabusPoints []string       `json:"syllabus_points"`
}

// Option is one choice of a multiple-choice question.
type Option struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// QuestionPart is one part of a written question.
type QuestionPart struct {
	Label  string `json:"label"`
	Prompt string `json:"prompt"`
	Marks  int    `json:"marks"`
}

// Answer is a student's answer to one question: a Choice for a multiple-choice question, a Text
// for a written one.
type Answer struct {
	Number       int       `json:"number"`
	Choice       *string   `json:"choice"`
	Text         *string   `json:"text"`
	SavedAt      time.Time `json:"saved_at"`
	MarksAwarded *int      `json:"marks_awarded"`
	SelfMarked   bool      `json:"self_marked"`
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

// Predecessor is the one status an exam may move to to from, or "" when none may (PENDING).
func Predecessor(to string) string {
	for from, next := range nextStatus {
		if next == to {
			return from
		}
	}
	return ""
}

// ReviewItem is one question of a completed exam with what the student answered, its key or mark
// schemes, the explanation and the marks awarded.
type ReviewItem struct {
	ExamQuestion
	Choice       *string           `json:"choice"`
	Text         *string           `json:"text"`
	Key          *string           `json:"key"`
	Explanation  string            `json:"explanation"`
	MarkSchemes  []json.RawMessage `json:"mark_schemes"`
	MarksAwarded *int              `json:"marks_awarded"`
	SelfMarked   bool              `json:"self_marked"`
}

// ProgressPoint is how a student has done on one syllabus point, over the marked answers of
// their completed exams.
type ProgressPoint struct {
	Code          string    `json:"syllabus_point"`
	Description   string    `json:"description"`
	Answered      int       `json:"questions_answered"`
	Marks         int       `json:"marks"`
	MaxMarks      int       `json:"max_marks"`
	LastAttempted time.Time `json:"last_attempted"`
}
