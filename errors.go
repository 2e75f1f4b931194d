package examiner

// The application's one error type: a code from a short list, a message that is safe to show a
// client, optional per-field messages, and the internal cause, which is logged and never shown.
// The store translates database errors into it (store.FromDB); the HTTP layer maps codes to
// statuses in one table (httpapi/problem.go).

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Code classifies an error by what the client can do about it.
type Code string

// The codes. Every error that reaches a client has one of these.
const (
	Malformed       Code = "malformed"        // the request cannot be parsed at all
	Invalid         Code = "invalid"          // parsed, but some fields are wrong
	TooLarge        Code = "too_large"        // the body is over the limit
	UnsupportedType Code = "unsupported_type" // the body is not in a format we take
	Unauthenticated Code = "unauthenticated"  // no valid token, or wrong credentials
	NotFound        Code = "not_found"        // no such thing, or not the caller's
	Conflict        Code = "conflict"         // clashes with the current state
	RateLimited     Code = "rate_limited"     // too many attempts; try later
	Unavailable     Code = "unavailable"      // the database is away or too slow
	Internal        Code = "internal"         // a bug
)

// FieldError says what is wrong with one field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error with a code and a client-safe message.
type Error struct {
	Code    Code
	Message string       // safe to show a client
	Fields  []FieldError // for Invalid
	Cause   error        // internal; logged, never shown
	// RetryAfter, for RateLimited, is how long until trying again can succeed.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// New returns an error with code and a client-safe message.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Wrap returns an error with code and message that keeps cause for the logs.
func Wrap(code Code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, Cause: cause}
}

// Fields returns an Invalid error listing what is wrong with each field.
func Fields(fields ...FieldError) *Error {
	return &Error{Code: Invalid, Message: "The request has invalid fields.", Fields: fields}
}

// Limited returns a RateLimited error saying when to try again.
func Limited(message string, retryAfter time.Duration) *Error {
	return &Error{Code: RateLimited, Message: message, RetryAfter: retryAfter}
}

// Field is one FieldError.
func Field(name, message string) FieldError { return FieldError{Field: name, Message: message} }

// ErrorOf returns err (not nil) as an *Error: the one in its chain, or else Unavailable for a
// context that ended and Internal for anything else. Database errors are translated by the store
// before they get here.
func ErrorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return Wrap(Unavailable, "The request took too long. Try again.", err)
	}
	return Wrap(Internal, "Internal error.", err)
}
