package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner"
	"examiner/tenant"
)

// The comparison of one round trip with four, at the database: the server's list transaction
// sent by pgx from this process, the server's way and the usual way, with no HTTP in between. The
// server itself has no mode for the usual way; this is it.

// tenantQuery is how the list transaction is sent: tenant.Query or inFourRoundTrips.
type tenantQuery func(ctx context.Context, db tenant.DB, s tenant.Student, read func(pgx.Rows) error, sql string, args ...any) (pgconn.CommandTag, error)

// inFourRoundTrips sends the statement the way most row-level-security servers do: BEGIN, the
// setting, the statement and COMMIT, each waiting for the answer to the one before. That is
// tenant.Run with one statement: the same opening statement as tenant.Query's and the same
// isolation, four network round trips instead of one.
func inFourRoundTrips(ctx context.Context, db tenant.DB, s tenant.Student, read func(pgx.Rows) error, sql string, args ...any) (tag pgconn.CommandTag, err error) {
	err = tenant.Run(ctx, db, s, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := read(rows); err != nil {
			return err
		}
		rows.Close()
		tag = rows.CommandTag()
		return rows.Err()
	})
	return tag, err
}

// serverMode is how `examiner serve` sends statements for DB_QUERY_EXEC_MODE mode
// (cmd/examiner/startup.go, checkDatabase): the default, cache_statement, whose names are a hash
// of the text, becomes cache_describe, with the generated statements prepared under private names
// (tenant.UsePrivateStatements) when the login role cannot list them, and unnamed otherwise; any
// other mode is kept.
func serverMode(mode pgx.QueryExecMode, hidden bool) (_ pgx.QueryExecMode, private bool) {
	if mode != pgx.QueryExecModeCacheStatement {
		return mode, false
	}
	return pgx.QueryExecModeCacheDescribe, hidden
}

// openPool is a pool of maxConns connections to databaseURL sending statements in mode, with
// private statements when private is set: with serverMode's answer, a pool like the server's.
func openPool(ctx context.Context, databaseURL string, maxConns int, mode pgx.QueryExecMode, private bool) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = int32(maxConns)
	cfg.ConnConfig.DefaultQueryExecMode = mode
	if private {
		cfg.AfterConnect = tenant.UsePrivateStatements
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// listLoadFor sends the server's first page of the list (listSQL, with the arguments the server
// gives it) for random students from conns goroutines through query on pool, for warmup plus
// duration, and summarises the transactions started after the warm-up. A page short of the
// server's first page (20 and one more) counts as an error, like a failed transaction.
func listLoadFor(ctx context.Context, pool *pgxpool.Pool, conns int, w *world, query tenantQuery, listSQL string, warmup, duration time.Duration) (*loadResult, stats) {
	ctx, cancel := context.WithTimeout(ctx, warmup+duration)
	defer cancel()
	res := &loadResult{began: time.Now()}
	closedLoop(conns, res, func(_ int, rng *rand.Rand, rec *recorder) {
		for ctx.Err() == nil {
			i := rng.IntN(len(w.students))
			st := w.student(i)
			start := time.Now()
			n := 0
			_, err := query(ctx, pool, st, func(rows pgx.Rows) error {
				for rows.Next() {
					n++
				}
				return rows.Err()
			}, listSQL, st.ID, examiner.Start().CreatedAt, examiner.Start().ID, 21)
			took := time.Since(start)
			if ctx.Err() != nil {
				break
			}
			if want := min(21, w.examCount(i)); err == nil && n != want {
				err = fmt.Errorf("a page of %d exams, want %d", n, want)
			}
			if err != nil {
				rec.fail(err.Error())
				continue
			}
			rec.samples = append(rec.samples, sample{start: start.Sub(res.began), latency: took})
		}
	})
	return res, summarize(res.samples, warmup, warmup+duration)
}
