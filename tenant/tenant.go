// Package tenant runs database work on behalf of one student, inside PostgreSQL's row-level
// security.
//
// Each call is one transaction that first becomes the non-privileged role examiner_student and
// sets app.student_id, both transaction-locally (set_config(…, true)), so nothing survives into
// the next use of a pooled connection. The policies compare every row's owner to that setting;
// the Go queries also filter by student, but the database has the last word.
package tenant

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Role is the database role every request on behalf of a student runs as.
const Role = "examiner_student"

// AnonymousRole is the database role of unauthenticated requests (register, login): it may touch
// no table, only call the SECURITY DEFINER functions of those paths.
const AnonymousRole = "examiner_anon"

// ErrTokenRevoked means the student's token was issued before their latest logout or password
// change, or the student no longer exists.
var ErrTokenRevoked = errors.New("tenant: token revoked")

// Beginner starts transactions: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Student is who a transaction acts for: the subject of a verified token and when that token was
// issued. Build one only from a token that has been verified.
type Student struct {
	ID            uuid.UUID
	TokenIssuedAt time.Time
}

// setStudent also checks the token against the student's cut-off in the same statement. The
// cut-off function is evaluated as the login user (EXECUTE is checked before the role changes),
// and examiner_student may not call it, so no student can ask about another.
const setStudent = `SELECT app.token_cutoff($1), set_config('app.student_id', $2, true), set_config('role', 'examiner_student', true)`

const setAnonymous = `SELECT set_config('app.student_id', '', true), set_config('role', 'examiner_anon', true)`

// Run runs fn in a transaction as student s: committed when fn returns nil, rolled back
// otherwise. It returns ErrTokenRevoked, without running fn, when s's token has been revoked.
func Run(ctx context.Context, db Beginner, s Student, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var cutoff pgtype.Timestamptz
		if err := tx.QueryRow(ctx, setStudent, s.ID, s.ID.String()).Scan(&cutoff, nil, nil); err != nil {
			return err
		}
		if !cutoff.Valid || cutoff.Time.After(s.TokenIssuedAt) {
			return ErrTokenRevoked
		}
		return fn(tx)
	})
}

// RunAnonymous runs fn in a transaction as examiner_anon, for nobody: it can read no table, only
// call the SECURITY DEFINER functions of register and login.
func RunAnonymous(ctx context.Context, db Beginner, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, setAnonymous); err != nil {
			return err
		}
		return fn(tx)
	})
}
