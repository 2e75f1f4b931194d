// Package tenant runs database work on behalf of one student, inside PostgreSQL's row-level
// security.
//
// Each call is one transaction that first becomes the non-privileged role examiner_student and
// sets the student's signed claim (internal/dbclaim) and its timeouts, all transaction-locally
// (set_config(…, true)), so nothing survives into the next use of a pooled connection. The
// policies compare every row's owner to the student the database verifies that claim to name
// (app.current_student_id, migration 014); the Go queries also filter by student, but the
// database has the last word, and SQL that sets another claim gets nobody's rows.
//
// Query is the common case, a single statement: the setting and the statement travel to the
// server in one round trip. Run is for work of several statements that depend on each other.
package tenant

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner/internal/dbsqlc"
)

// Role is the database role every request on behalf of a student runs as.
const Role = "examiner_student"

// AnonymousRole is the database role of unauthenticated requests (register, login): it may touch
// no table, only call the SECURITY DEFINER functions of those paths.
const AnonymousRole = "examiner_anon"

// ErrTokenRevoked means the database refused the transaction's claim: the student's token is of
// an earlier token generation than theirs (a logout or password change since), the student no
// longer exists, or the claim is expired, forged or under a key the database does not hold.
var ErrTokenRevoked = errors.New("tenant: token revoked")

// revokedCode is the SQLSTATE app.current_student_id raises for a refused claim (migration 014).
const revokedCode = "EXA01"

// DB is where transactions run: a *pgxpool.Pool or a *pgx.Conn, or one of those WithTimeouts.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Student is who a transaction acts for: the subject of a verified token, the token generation
// it carries, and the claim the server signed for them, which the database verifies. Build one
// only from a token that has been verified (dbclaim.Signer.Claim); without a Claim the
// transaction reads and writes no student's rows.
type Student struct {
	ID              uuid.UUID
	TokenGeneration int64
	Claim           string
}

// The statements that open every transaction (sql/queries/tenant.sql): setStudent sets the
// student's claim and becomes examiner_student; setAnonymous becomes examiner_anon, for nobody,
// with an empty claim. Both set the Timeouts too.
var (
	setStudent    = statement("OpenStudentTransaction")
	setAnonymous  = statement("OpenAnonymousTransaction")
	verifyStudent = statement("VerifyStudent")
)

// statement is the generated statement called name; a missing one stops the program at once.
func statement(name string) string {
	sql, ok := dbsqlc.Statements[name]
	if !ok {
		panic("tenant: sql/queries has no statement " + name)
	}
	return sql
}

// Timeouts bound what one transaction may take of a connection: a stuck statement, a long lock
// wait or a transaction left open cannot hold one for ever. Every transaction sets them for
// itself, transaction-locally, in its opening statement, at no extra round trip: as startup
// parameters of the connection a transaction pooler (PgBouncer, pgcat, Supavisor) refuses them
// or gives them to whichever client gets the server connection next, and a session-level SET
// would outlive the transaction the same way. Zero turns one off, as in PostgreSQL. The server
// reads each when it applies: statement_timeout as each later statement starts, lock_timeout as a
// lock wait starts, idle_in_transaction_session_timeout whenever the open transaction waits for
// the client (only Run's do: Query's has ended by then).
type Timeouts struct {
	Statement         time.Duration // statement_timeout
	Lock              time.Duration // lock_timeout
	IdleInTransaction time.Duration // idle_in_transaction_session_timeout: the server closes the connection
}

// DefaultTimeouts are what transactions set unless their DB is WithTimeouts.
var DefaultTimeouts = Timeouts{Statement: 5 * time.Second, Lock: 2 * time.Second, IdleInTransaction: 10 * time.Second}

// WithTimeouts returns db, whose transactions set t instead of DefaultTimeouts.
func WithTimeouts(db DB, t Timeouts) DB { return withTimeouts{db, t} }

type withTimeouts struct {
	DB
	t Timeouts
}

func timeoutsOf(db DB) Timeouts {
	if w, ok := db.(withTimeouts); ok {
		return w.t
	}
	return DefaultTimeouts
}

// studentArgs are setStudent's arguments for s: the claim, then the timeouts.
func studentArgs(db DB, s Student) []any {
	t := timeoutsOf(db)
	return []any{s.Claim, millis(t.Statement), millis(t.Lock), millis(t.IdleInTransaction)}
}

// anonymousArgs are setAnonymous's arguments: the timeouts.
func anonymousArgs(db DB) []any {
	t := timeoutsOf(db)
	return []any{millis(t.Statement), millis(t.Lock), millis(t.IdleInTransaction)}
}

// millis is d as a setting in milliseconds, PostgreSQL's unit for the timeouts; a positive d of
// less than a millisecond is one millisecond, not 0 (which would turn the timeout off).
func millis(d time.Duration) string {
	ms := d.Milliseconds()
	if d > 0 && ms == 0 {
		ms = 1
	}
	return strconv.FormatInt(ms, 10)
}

// Query runs one statement, sql with args, as student s, in a transaction of its own (As, for
// hand-written SQL), and calls read (when not nil) with its rows; read must not run other statements. It returns the
// statement's command tag (rows affected). Errors: ErrTokenRevoked, before the statement runs,
// when s's token has been revoked; pgx.ErrNoRows is never returned for an empty result.
//
// The setting and the statement are sent as one pipeline: one network round trip once the
// connection has prepared them (the first use of a statement on a connection, and the first
// after any server error, which makes pgx drop its statement cache, cost one more; the
// describe_exec mode always costs two). Between the pipeline's start and its Sync the server runs
// them as one implicit transaction: the setting is local to it, and on an error in the server the
// server rolls it back itself, so the connection goes back to the pool idle without a further
// round trip.
//
// By the time read runs, the transaction has committed: an error from read (or a scan) cannot
// undo a write. Work that must decide in Go whether to commit belongs in Run.
func Query(ctx context.Context, db DB, s Student, read func(pgx.Rows) error, sql string, args ...any) (pgconn.CommandTag, error) {
	rows, err := As(db, s).Query(ctx, sql, args...)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return readRows(rows, read)
}

// readRows calls read on rows, then drains and closes them.
func readRows(rows pgx.Rows, read func(pgx.Rows) error) (pgconn.CommandTag, error) {
	defer rows.Close()
	if read != nil {
		if err := read(rows); err != nil {
			return pgconn.CommandTag{}, err
		}
	}
	for rows.Next() {
	}
	rows.Close()
	return rows.CommandTag(), rows.Err()
}

// Run runs fn in a transaction as student s: committed when fn returns nil, rolled back
// otherwise. It returns ErrTokenRevoked, without running fn, when the database refuses s's claim
// (its token has been revoked, say): the opening statement goes with a verification, in one round
// trip.
// Prefer Query for a single statement: Run costs a round trip for BEGIN, one for the setting,
// one per statement and one for COMMIT.
func Run(ctx context.Context, db DB, s Student, fn func(pgx.Tx) error) error {
	return revoked(pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		batch.Queue(setStudent, studentArgs(db, s)...)
		batch.Queue(verifyStudent)
		br := tx.SendBatch(ctx, batch)
		_, err := br.Exec()
		verified := false
		if err == nil {
			err = br.QueryRow().Scan(&verified)
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if !verified {
			return ErrTokenRevoked // no claim at all: a Student not made from a token
		}
		return fn(tx)
	}))
}

// RunAnonymous runs fn in a transaction as examiner_anon, for nobody: it can read no table, only
// call the SECURITY DEFINER functions of register and login.
func RunAnonymous(ctx context.Context, db DB, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, setAnonymous, anonymousArgs(db)...); err != nil {
			return err
		}
		return fn(tx)
	})
}

// execModes are pgx's query execution modes by the names DB_QUERY_EXEC_MODE takes.
var execModes = map[string]pgx.QueryExecMode{
	"cache_statement": pgx.QueryExecModeCacheStatement,
	"cache_describe":  pgx.QueryExecModeCacheDescribe,
	"describe_exec":   pgx.QueryExecModeDescribeExec,
	"exec":            pgx.QueryExecModeExec,
	"simple_protocol": pgx.QueryExecModeSimpleProtocol,
}

// ExecMode returns pgx's query execution mode called name (DB_QUERY_EXEC_MODE). Query keeps to
// one round trip in all but describe_exec once statements are prepared. Behind PgBouncer in transaction pooling mode (1.18 keeps no
// prepared statements there) use exec or simple_protocol; directly on PostgreSQL the default,
// cache_statement, prepares each statement once per connection.
func ExecMode(name string) (pgx.QueryExecMode, error) {
	m, ok := execModes[name]
	if !ok {
		return 0, errors.New("want cache_statement (the default), cache_describe, describe_exec, exec or simple_protocol")
	}
	return m, nil
}

// revoked turns the verifier's refusal of a claim into ErrTokenRevoked.
func revoked(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == revokedCode {
		return ErrTokenRevoked
	}
	return err
}
