package examiner

import (
	"time"

	"github.com/google/uuid"
)

// Kinds of authentication event, as the sign-in trail lists them.
const (
	EventRegister       = "register"
	EventLogin          = "login"
	EventLogout         = "logout"
	EventPasswordChange = "password_change"
	// A refused password change: the current password was wrong, or too many were.
	EventPasswordChangeFailed = "password_change_failed"
)

// EventKinds are the kinds of authentication event.
var EventKinds = []string{EventRegister, EventLogin, EventLogout, EventPasswordChange, EventPasswordChangeFailed}

// Why an authentication attempt failed.
const (
	ReasonUnknownEmail   = "unknown_email"
	ReasonWrongPassword  = "wrong_password"
	ReasonRateLimited    = "rate_limited"
	ReasonDuplicateEmail = "duplicate_email"
)

// EventReasons are the reasons an attempt can fail for.
var EventReasons = []string{ReasonUnknownEmail, ReasonWrongPassword, ReasonRateLimited, ReasonDuplicateEmail}

// Limits on what an event records of its client.
const (
	MaxUserAgentLength = 512 // characters
	MaxRequestIDLength = 128 // characters
)

// AuthEvent is one entry of a student's authentication trail.
type AuthEvent struct {
	ID        uuid.UUID `json:"id"`
	Kind      string    `json:"kind"`
	Succeeded bool      `json:"succeeded"`
	Reason    *string   `json:"reason"`
	Email     *string   `json:"email"`
	ClientIP  *string   `json:"client_ip"`
	UserAgent *string   `json:"user_agent"`
	RequestID *string   `json:"request_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Position is ev's place in the list order.
func (ev AuthEvent) Position() Position { return Position{CreatedAt: ev.CreatedAt, ID: ev.ID} }
