package examiner

import (
	"regexp"
	"time"

	"github.com/google/uuid"
)

// SubjectCode is the shape of a subject code (9708): 1 to 16 letters or digits. Target grades are
// keyed by it.
var SubjectCode = regexp.MustCompile(`^[0-9A-Za-z]{1,16}$`)

// SubjectCodeRule says SubjectCode in words, for messages.
const SubjectCodeRule = "must be 1 to 16 letters or digits"

// Limits on a student's account.
const (
	MaxEmailLength    = 254 // bytes, as RFC 5321 allows
	MinEmailLength    = 3
	MaxFullNameLength = 100 // characters
	MaxTargetGrades   = 50  // subjects
)

// Grades are the grades a target may be, best first.
var Grades = []string{"A*", "A", "B", "C", "D", "E", "U"}

// TargetGrades are a student's targets: subject code → grade.
type TargetGrades map[string]string

// Profile is what a student may see of their own account. The store's profile rows have exactly
// these fields, in this order, so they convert to a Profile directly.
type Profile struct {
	ID           uuid.UUID    `json:"id"`
	Email        string       `json:"email"`
	FullName     string       `json:"full_name"`
	TargetGrades TargetGrades `json:"target_grades"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// ProfileChange is a partial update of a profile: nil fields are left as they are.
type ProfileChange struct {
	FullName     *string
	TargetGrades TargetGrades // nil: unchanged; empty: cleared
}
