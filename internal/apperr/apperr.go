// Package apperr is the application's one error type: a code from a short list, a message that
// is safe to show a client, optional per-field messages, and the internal cause, which is logged
// and never shown. The HTTP layer maps codes to statuses in one table.
package apperr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// As returns err (not nil) as an *Error, classifying errors that are not one yet: database and
// context errors by what they mean, anything else as Internal.
func As(err error) *Error { return FromDB(err).(*Error) }

// FromDB translates an error from pgx or PostgreSQL into an *Error. Store code calls it on every
// database error; constraint-specific meanings (such as a duplicate email) are decided by the
// caller before it falls back to this.
func FromDB(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return Wrap(NotFound, "Not found.", err)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || pgconn.Timeout(err) {
		return Wrap(Unavailable, "The database did not answer in time. Try again.", err)
	}
	// Failing to connect (server down, database gone, password refused) is the service being
	// unavailable, whatever server error caused it.
	var (
		connErr *pgconn.ConnectError
		netErr  net.Error
	)
	if errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Wrap(Unavailable, "The database is unavailable. Try again.", err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			return Wrap(Conflict, "This already exists.", err)
		case pgErr.Code == "23514" || pgErr.Code == "22001" || pgErr.Code == "22P02" || pgErr.Code == "22007" || pgErr.Code == "22008" ||
			pgErr.Code == "22021" || pgErr.Code == "22P05":
			return Wrap(Invalid, "A value is out of range.", err)
		case pgErr.Code == "57014" || pgErr.Code == "55P03" || pgErr.Code == "40001" || pgErr.Code == "40P01" ||
			pgErr.Code == "53300" || pgErr.Code == "57P01" || pgErr.Code == "57P03" || strings.HasPrefix(pgErr.Code, "08"):
			// Timeouts, lock waits, serialization failures, too many connections, shutdown,
			// connection failures: the database is (for now) unable, not the request wrong.
			return Wrap(Unavailable, "The database is unavailable. Try again.", err)
		}
		return Wrap(Internal, "Internal error.", err)
	}
	return Wrap(Internal, "Internal error.", err)
}

// IsConstraint reports whether err is a violation of the named constraint or unique index.
func IsConstraint(err error, name string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.ConstraintName == name
}
