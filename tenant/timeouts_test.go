package tenant_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/tenant"
)

// timeoutSettings are the three settings Timeouts set, in its order, as SHOW prints them.
const timeoutSettings = `SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), current_setting('idle_in_transaction_session_timeout')`

// withMode is a pool like w's, of maxConns connections, sending statements in mode.
func withMode(t *testing.T, w world, maxConns int32, mode pgx.QueryExecMode) *pgxpool.Pool {
	t.Helper()
	cfg := w.pool.Config().Copy()
	cfg.MaxConns = maxConns
	cfg.ConnConfig.DefaultQueryExecMode = mode
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Every transaction sets its timeouts in its opening statement, transaction-locally: they are in
// force inside it, in both the default query execution mode and PgBouncer's simple protocol, and
// the connection's session settings are as before once it ends.
func TestTransactionsSetTheirTimeoutsForThemselvesOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	ctx := context.Background()
	mine := tenant.Timeouts{Statement: 1234 * time.Millisecond, Lock: 567 * time.Millisecond, IdleInTransaction: 8900 * time.Millisecond}
	readQuery := func(db tenant.DB) (got [3]string, err error) {
		_, err = tenant.Query(ctx, db, student(w.a), func(rows pgx.Rows) error {
			if !rows.Next() {
				return errors.New("no row")
			}
			return rows.Scan(&got[0], &got[1], &got[2])
		}, timeoutSettings)
		return got, err
	}
	readRun := func(db tenant.DB) (got [3]string, err error) {
		err = tenant.Run(ctx, db, student(w.a), func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, timeoutSettings).Scan(&got[0], &got[1], &got[2])
		})
		return got, err
	}
	readAnonymous := func(db tenant.DB) (got [3]string, err error) {
		err = tenant.RunAnonymous(ctx, db, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, timeoutSettings).Scan(&got[0], &got[1], &got[2])
		})
		return got, err
	}
	simple := withMode(t, w, 1, pgx.QueryExecModeSimpleProtocol)
	for _, tt := range []struct {
		name string
		pool *pgxpool.Pool
		db   tenant.DB
		read func(tenant.DB) ([3]string, error)
		want [3]string
	}{
		{"Query, DefaultTimeouts", w.pool, w.pool, readQuery, [3]string{"5s", "2s", "10s"}},
		{"Query, WithTimeouts", w.pool, tenant.WithTimeouts(w.pool, mine), readQuery, [3]string{"1234ms", "567ms", "8900ms"}},
		{"Query, simple protocol", simple, tenant.WithTimeouts(simple, mine), readQuery, [3]string{"1234ms", "567ms", "8900ms"}},
		{"Run", w.pool, tenant.WithTimeouts(w.pool, mine), readRun, [3]string{"1234ms", "567ms", "8900ms"}},
		{"RunAnonymous", w.pool, tenant.WithTimeouts(w.pool, mine), readAnonymous, [3]string{"1234ms", "567ms", "8900ms"}},
		{"Run, DefaultTimeouts", w.pool, w.pool, readRun, [3]string{"5s", "2s", "10s"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after [3]string
			if err := tt.pool.QueryRow(ctx, timeoutSettings).Scan(&before[0], &before[1], &before[2]); err != nil {
				t.Fatal(err)
			}
			if before == tt.want {
				t.Fatalf("the session already has %v: the test would prove nothing", before)
			}
			got, err := tt.read(tt.db)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("inside the transaction: got %v, want %v", got, tt.want)
			}
			if err := tt.pool.QueryRow(ctx, timeoutSettings).Scan(&after[0], &after[1], &after[2]); err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Errorf("the session after the transaction: got %v, want %v as before it", after, before)
			}
		})
	}
}

// The timeouts set inside the transaction do what they are for: a statement that runs too long
// is cancelled, a lock wait that lasts too long fails, and a transaction left idle loses its
// connection (PostgreSQL reads idle_in_transaction_session_timeout each time the transaction
// waits for the client, so the transaction-local value is the one in force).
func TestTheTimeoutsSetInsideATransactionAreEnforced(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2)
	ctx := context.Background()
	// One timeout short at a time, the others at their defaults, so that it is the one that acts.
	short := func(set func(*tenant.Timeouts)) tenant.Timeouts {
		t := tenant.DefaultTimeouts
		set(&t)
		return t
	}
	wantCode := func(t *testing.T, err error, code string) {
		t.Helper()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != code {
			t.Fatalf("got %v, want SQLSTATE %s", err, code)
		}
	}

	for name, mode := range map[string]pgx.QueryExecMode{"cached statements": pgx.QueryExecModeCacheStatement, "simple protocol": pgx.QueryExecModeSimpleProtocol} {
		t.Run("statement_timeout, "+name, func(t *testing.T) {
			db := tenant.WithTimeouts(withMode(t, w, 1, mode), short(func(t *tenant.Timeouts) { t.Statement = 100 * time.Millisecond }))
			start := time.Now()
			_, err := tenant.Query(ctx, db, student(w.a), nil, `SELECT pg_sleep(30)`)
			wantCode(t, err, "57014") // query_canceled
			if took := time.Since(start); took > 4*time.Second {
				t.Errorf("the statement ran %v, want it cancelled after about 100ms (not the default 5s)", took)
			}
		})
	}

	t.Run("lock_timeout", func(t *testing.T) {
		held, err := w.owner.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer held.Rollback(ctx)
		if _, err := held.Exec(ctx, `SELECT 1 FROM exams WHERE id = $1 FOR UPDATE`, w.examA); err != nil {
			t.Fatal(err)
		}
		db := tenant.WithTimeouts(withMode(t, w, 1, pgx.QueryExecModeCacheStatement), short(func(t *tenant.Timeouts) { t.Lock = 100 * time.Millisecond }))
		start := time.Now()
		_, err = tenant.Query(ctx, db, student(w.a), nil, `UPDATE exams SET updated_at = now() WHERE id = $1`, w.examA)
		wantCode(t, err, "55P03") // lock_not_available
		if took := time.Since(start); took > 1500*time.Millisecond {
			t.Errorf("the lock wait lasted %v, want about 100ms (not the default 2s)", took)
		}
	})

	t.Run("idle_in_transaction_session_timeout", func(t *testing.T) {
		db := tenant.WithTimeouts(withMode(t, w, 1, pgx.QueryExecModeCacheStatement), short(func(t *tenant.Timeouts) { t.IdleInTransaction = 100 * time.Millisecond }))
		err := tenant.Run(ctx, db, student(w.a), func(tx pgx.Tx) error {
			var pid uint32
			if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
				return err
			}
			// Idle inside the transaction until the server has ended the backend; well before the
			// default 10 s, or the test fails.
			deadline := time.Now().Add(5 * time.Second)
			for {
				var alive bool
				if err := w.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $1)`, pid).Scan(&alive); err != nil {
					t.Fatal(err)
				}
				if !alive {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("backend %d still alive after idling 5 s in its transaction, want it closed after about 100ms", pid)
				}
				time.Sleep(20 * time.Millisecond)
			}
			_, err := tx.Exec(ctx, `SELECT 1`)
			return err
		})
		if err == nil {
			t.Fatal("the transaction whose connection was closed committed")
		}
	})
}
