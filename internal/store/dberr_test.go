package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner"
	"examiner/internal/store"
)

func TestDatabaseErrorsAreClassifiedByWhatTheClientCanDo(t *testing.T) {
	t.Parallel()
	pg := func(code string) error { return fmt.Errorf("query: %w", &pgconn.PgError{Code: code}) }
	tests := []struct {
		name string
		err  error
		want examiner.Code
	}{
		{"no rows", pgx.ErrNoRows, examiner.NotFound},
		{"a unique violation", pg("23505"), examiner.Conflict},
		{"a check violation", pg("23514"), examiner.Invalid},
		{"a value too long", pg("22001"), examiner.Invalid},
		{"a NUL byte in text", pg("22021"), examiner.Invalid},
		{"a statement timeout", pg("57014"), examiner.Unavailable},
		{"a lock timeout", pg("55P03"), examiner.Unavailable},
		{"a serialization failure", pg("40001"), examiner.Unavailable},
		{"a deadlock", pg("40P01"), examiner.Unavailable},
		{"too many connections", pg("53300"), examiner.Unavailable},
		{"an administrator shutdown", pg("57P01"), examiner.Unavailable},
		{"a connection failure class", pg("08006"), examiner.Unavailable},
		{"a deadline", context.DeadlineExceeded, examiner.Unavailable},
		{"a connection cut mid-answer", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), examiner.Unavailable},
		{"a permission error (a bug)", pg("42501"), examiner.Internal},
		{"a syntax error (a bug)", pg("42601"), examiner.Internal},
		{"anything else", errors.New("boom"), examiner.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := examiner.ErrorOf(store.FromDB(tt.err))
			if got.Code != tt.want {
				t.Fatalf("code: got %s, want %s", got.Code, tt.want)
			}
			if !errors.Is(got, tt.err) {
				t.Fatalf("the cause is lost: errors.Is(%v, %v) is false", got, tt.err)
			}
		})
	}
}

func TestAnApplicationErrorKeepsItsCodeThroughWrapping(t *testing.T) {
	t.Parallel()
	e := examiner.New(examiner.Conflict, "taken")
	if got := examiner.ErrorOf(store.FromDB(fmt.Errorf("outer: %w", e))); got != e {
		t.Fatalf("got %v, want the same *Error", got)
	}
	if store.FromDB(nil) != nil {
		t.Fatal("FromDB(nil): got an error, want nil")
	}
}

func TestClientMessagesNeverIncludeTheCause(t *testing.T) {
	t.Parallel()
	cause := errors.New(`duplicate key value violates unique constraint "students_email_key" password_hash=$2a$`)
	e := examiner.ErrorOf(store.FromDB(fmt.Errorf("%w", &pgconn.PgError{Code: "23505", Message: cause.Error()})))
	if e.Message == "" || e.Message == cause.Error() || len(e.Message) > 100 {
		t.Fatalf("message: got %q, want a short client-safe text", e.Message)
	}
}

func TestIsConstraintMatchesOnlyTheNamedConstraint(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505", ConstraintName: "students_email_key"})
	if !store.IsConstraint(err, "students_email_key") || store.IsConstraint(err, "other") || store.IsConstraint(errors.New("x"), "students_email_key") {
		t.Fatal("IsConstraint matched wrongly")
	}
}
