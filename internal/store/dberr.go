package store

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner"
)

// FromDB translates an error from pgx or PostgreSQL into an *examiner.Error. Store code calls it on every
// database error; constraint-specific meanings (such as a duplicate email) are decided by the
// caller before it falls back to this.
func FromDB(err error) error {
	if err == nil {
		return nil
	}
	var e *examiner.Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return examiner.Wrap(examiner.NotFound, "Not found.", err)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || pgconn.Timeout(err) {
		return examiner.Wrap(examiner.Unavailable, "The database did not answer in time. Try again.", err)
	}
	// Failing to connect (server down, database gone, password refused) is the service being
	// unavailable, whatever server error caused it.
	var (
		connErr *pgconn.ConnectError
		netErr  net.Error
	)
	if errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return examiner.Wrap(examiner.Unavailable, "The database is unavailable. Try again.", err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			return examiner.Wrap(examiner.Conflict, "This already exists.", err)
		case pgErr.Code == "23514" || pgErr.Code == "22001" || pgErr.Code == "22P02" || pgErr.Code == "22007" || pgErr.Code == "22008" ||
			pgErr.Code == "22021" || pgErr.Code == "22P05":
			return examiner.Wrap(examiner.Invalid, "A value is out of range.", err)
		case pgErr.Code == "57014" || pgErr.Code == "55P03" || pgErr.Code == "40001" || pgErr.Code == "40P01" ||
			pgErr.Code == "53300" || pgErr.Code == "57P01" || pgErr.Code == "57P03" || strings.HasPrefix(pgErr.Code, "08"):
			// Timeouts, lock waits, serialization failures, too many connections, shutdown,
			// connection failures: the database is (for now) unable, not the request wrong.
			return examiner.Wrap(examiner.Unavailable, "The database is unavailable. Try again.", err)
		}
		return examiner.Wrap(examiner.Internal, "Internal error.", err)
	}
	return examiner.Wrap(examiner.Internal, "Internal error.", err)
}

// IsConstraint reports whether err is a violation of the named constraint or unique index.
func IsConstraint(err error, name string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.ConstraintName == name
}
