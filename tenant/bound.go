package tenant

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DBTX is what sqlc's generated queries run on (the interface of their db.go): a pgx.Tx, or the
// tenant-bound connection As returns.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// As returns db bound to student s: every statement run on it is a transaction of its own, as s,
// sent with the opening statement as one pipeline (Query's discipline, so one round trip once
// prepared). Give it to sqlc's New for the single-statement queries; use Run for work of several
// statements that must share a transaction. Errors: ErrTokenRevoked, before the statement runs,
// when s's token has been revoked.
func As(db DB, s Student) DBTX {
	return bound{db: db, opening: setStudent, args: studentArgs(db, s)}
}

// Anonymous returns db bound to nobody, for register and login: every statement run on it is a
// transaction of its own as examiner_anon, sent in one round trip as As's are.
func Anonymous(db DB) DBTX {
	return bound{db: db, opening: setAnonymous, args: anonymousArgs(db)}
}

// bound sends each statement after an opening statement with its arguments, in one pipeline.
type bound struct {
	db      DB
	opening string
	args    []any
}

// Exec runs sql as the student and returns its command tag.
func (b bound) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	rows, err := b.Query(ctx, sql, args...)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return readRows(rows, nil)
}

// Query runs sql as the student. The rows must be closed; by the time Next returns false, the
// transaction has ended and Err says how (a revoked token is ErrTokenRevoked). A pipeline that
// finds one of its private statements gone (UsePrivateStatements) ran nothing, and is sent once
// more.
func (b bound) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := b.query(ctx, sql, args)
	if missingStatement(err) {
		rows, err = b.query(ctx, sql, args)
	}
	return rows, err
}

func (b bound) query(ctx context.Context, sql string, args []any) (pgx.Rows, error) {
	names := &privateNames{}
	br := b.db.SendBatch(ctx, openedBatch(names, b.opening, b.args, &pgx.QueuedQuery{SQL: sql, Arguments: args}))
	fail := func(err error) (pgx.Rows, error) {
		if missingStatement(err) {
			names.forget()
		}
		_ = br.Close()
		return nil, revoked(err)
	}
	if _, err := br.Exec(); err != nil {
		return fail(err)
	}
	rows, err := br.Query()
	if err != nil {
		return fail(err)
	}
	return &batchRows{Rows: rows, br: br, names: names}, nil
}

// QueryRow runs sql as the student; Scan reads its first row (pgx.ErrNoRows when there is none).
func (b bound) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := b.Query(ctx, sql, args...)
	return firstRow{rows: rows, err: err}
}

// batchRows are a statement's rows from a pipeline: closing them ends the pipeline too, and an
// error in ending it is theirs.
type batchRows struct {
	pgx.Rows
	br     pgx.BatchResults
	names  *privateNames
	closed bool
	err    error
}

func (r *batchRows) Next() bool {
	if r.closed {
		return false
	}
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	r.err = r.Rows.Err()
	if missingStatement(r.err) {
		r.names.forget()
	}
	if err := r.br.Close(); r.err == nil {
		r.err = err
	}
	r.err = revoked(r.err)
}

func (r *batchRows) Err() error {
	if !r.closed {
		return revoked(r.Rows.Err())
	}
	return r.err
}

type firstRow struct {
	rows pgx.Rows
	err  error
}

func (r firstRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// Pipeline sends the statements queued in b as student s, after the opening statement, in one
// pipeline: one implicit transaction (an error in any statement rolls back all of them) and one
// network round trip once prepared. read gets the results in order, the opening's already read;
// it must read them all or stop at an error. For work of several statements whose later ones need
// not wait for Go to look at the earlier ones' results.
func Pipeline(ctx context.Context, db DB, s Student, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	err := pipeline(ctx, db, s, b, read)
	if missingStatement(err) {
		err = pipeline(ctx, db, s, b, read)
	}
	return err
}

func pipeline(ctx context.Context, db DB, s Student, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	names := &privateNames{}
	br := db.SendBatch(ctx, openedBatch(names, setStudent, studentArgs(db, s), b.QueuedQueries...))
	_, err := br.Exec()
	if err == nil {
		err = read(br)
	}
	if missingStatement(err) {
		names.forget()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return revoked(err)
}

// openedBatch is the pipeline of the opening statement (with its arguments), then each of
// statements, every one carrying names, which sends it under its private name where it has one.
func openedBatch(names *privateNames, opening string, openingArgs []any, statements ...*pgx.QueuedQuery) *pgx.Batch {
	batch := &pgx.Batch{}
	batch.Queue(opening, append([]any{names}, openingArgs...)...)
	for _, q := range statements {
		batch.Queue(q.SQL, append([]any{names}, q.Arguments...)...)
	}
	return batch
}
