package examiner

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// SubjectCode is the shape of a subject code (9708): 1 to 16 letters or digits. Target grades are
// keyed by it.
var SubjectCode = regexp.MustCompile(`^[0-9A-Za-z]{1,16}$`)

// SubjectCodeRule says SubjectCode in words, for messages.
const SubjectCodeRule = "must be 1 to 16 letters or digits"

// NotASubject is what is wrong with a subject code that names no subject of the catalogue,
// whatever its shape.
const NotASubject = "is not a subject of the catalogue"

// Limits on a student's account.
const (
	MaxEmailLength    = 254 // bytes, as RFC 5321 allows
	MaxFullNameLength = 100 // characters
	MaxTargetGrades   = 50  // subjects
	// MaxPasswordBytes bounds any password the server hashes or checks, in bytes, before any
	// bcrypt work: enough for any password a person types, far too little to make the pre-hash
	// costly. New passwords have tighter limits (CheckNewPassword).
	MaxPasswordBytes = 1024
	// A new password's length, in Unicode characters. It is otherwise taken exactly as received:
	// no trimming, no normalisation.
	MinPasswordLength = 8
	MaxPasswordLength = 128
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

// CheckEmail returns the email as stored (surrounding spaces removed) and the key it is compared
// by, or what is wrong with it.
func CheckEmail(raw string) (email, key, problem string) {
	email = strings.TrimSpace(raw)
	switch {
	case email == "":
		return "", "", "is required"
	case len(email) > MaxEmailLength:
		return "", "", fmt.Sprintf("must be at most %d characters", MaxEmailLength)
	case strings.IndexFunc(email, unicode.IsControl) >= 0 || !utf8.ValidString(email):
		return "", "", "must not contain control characters"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", "", "must be an email address such as name@example.com"
	}
	return email, EmailKey(email), ""
}

// EmailKey is what makes two emails the same account: Unicode case folding (so "ſ" is "s" and
// "ς" is "σ", which lower-casing misses) and NFC normalisation. The database compares keys, not
// emails, because its lower() depends on its locale.
func EmailKey(email string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFC.String(email)))
}

// CheckFullName returns the name as stored (surrounding spaces removed), or what is wrong with it.
func CheckFullName(raw string) (string, string) {
	name := strings.TrimSpace(raw)
	switch {
	case name == "":
		return "", "is required"
	case utf8.RuneCountInString(name) > MaxFullNameLength:
		return "", fmt.Sprintf("must be at most %d characters", MaxFullNameLength)
	case strings.IndexFunc(name, unicode.IsControl) >= 0 || !utf8.ValidString(name):
		return "", "must not contain control characters"
	}
	return name, ""
}

// CheckNewPassword says what is wrong with a new password, or "" when nothing is.
func CheckNewPassword(pw string) string {
	switch n := utf8.RuneCountInString(pw); {
	case !utf8.ValidString(pw):
		return "must be valid UTF-8"
	case n < MinPasswordLength:
		return fmt.Sprintf("must be at least %d characters", MinPasswordLength)
	case n > MaxPasswordLength:
		return fmt.Sprintf("must be at most %d characters", MaxPasswordLength)
	}
	return ""
}
