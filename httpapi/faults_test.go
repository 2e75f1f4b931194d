package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/httpapi"
	"examiner/internal/store"
)

// adminOf connects to the server of a's database, outside it, as the test's superuser.
func adminOf(t *testing.T, a *app) (admin *pgx.Conn, dbName string) {
	t.Helper()
	if err := a.pool.QueryRow(t.Context(), `SELECT current_database()`).Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(t.Context(), strings.Replace(a.pool.Config().ConnString(), "/"+dbName, "/postgres", 1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	return admin, dbName
}

// cutOff refuses new connections to db and ends every open one, as a database outage does.
func cutOff(t *testing.T, admin *pgx.Conn, db string) {
	t.Helper()
	if _, err := admin.Exec(t.Context(), "ALTER DATABASE "+pgx.Identifier{db}.Sanitize()+" WITH ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, db); err != nil {
		t.Fatal(err)
	}
}

func restore(t *testing.T, admin *pgx.Conn, db string) {
	t.Helper()
	if _, err := admin.Exec(t.Context(), "ALTER DATABASE "+pgx.Identifier{db}.Sanitize()+" WITH ALLOW_CONNECTIONS true"); err != nil {
		t.Fatal(err)
	}
}

// The database goes away mid-run and comes back: meanwhile every request gets a quick 503 (the
// process still says it is alive), and afterwards the same server serves again, with the same
// tokens and data, without a restart.
func TestTheServiceRecoversWhenTheDatabaseComesBack(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("steady@example.com")
	e := a.practice(tok)
	admin, db := adminOf(t, a)

	cutOff(t, admin, db)
	start := time.Now()
	for _, res := range []response{
		a.do("GET", "/api/students/me", tok, nil),
		a.do("GET", "/api/exams", tok, nil),
		a.do("POST", "/api/exams", tok, map[string]string{"subject_code": "9708", "exam_type": "PRACTICE"}),
		a.do("PATCH", "/api/exams/"+e.ID, tok, map[string]string{"status": "IN_PROGRESS"}),
		a.do("POST", "/api/auth/login", "", map[string]string{"email": "steady@example.com", "password": "a good password"}),
		a.do("POST", "/api/auth/register", "", map[string]string{"email": "new@example.com", "password": "a good password", "full_name": "New"}),
		a.do("GET", "/readyz", "", nil),
	} {
		p := res.want(t, http.StatusServiceUnavailable).problem(t)
		if p.Type != "urn:examiner:problem:unavailable" || strings.Contains(p.Detail, "FATAL") || strings.Contains(p.Detail, db) {
			t.Errorf("outage problem: %+v", p)
		}
	}
	outage := time.Since(start)
	a.do("GET", "/healthz", "", nil).want(t, http.StatusOK)

	restore(t, admin, db)
	back := time.Now()
	for a.request("GET", "/api/students/me", tok, "", nil).status != http.StatusOK {
		if time.Since(back) > 10*time.Second {
			t.Fatal("the service did not recover within 10 s of the database coming back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	recovery := time.Since(back)
	a.do("GET", "/readyz", "", nil).want(t, http.StatusOK)
	var got exam
	a.do("PATCH", "/api/exams/"+e.ID, tok, map[string]string{"status": "IN_PROGRESS"}).want(t, http.StatusOK).decode(t, &got)
	if p := a.examPage(tok, ""); len(p.Items) != 1 {
		t.Fatalf("after the outage: %d exams, want the 1 from before (the refused create made none)", len(p.Items))
	}
	t.Logf("outage: 7 requests answered 503 in %v; recovered %v after the database came back", outage, recovery)
	if outage > 5*time.Second {
		t.Errorf("7 requests took %v during the outage, want quick 503s", outage)
	}
}

// A registration cut off inside its transaction (after its student row, before its event) leaves
// nothing behind: the account exists whole or not at all, and the email can register afterwards.
func TestARegistrationCutOffMidwayLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin, db := adminOf(t, a)
	// The registration inserts its student, then blocks on the event it writes next.
	tx := a.hold(t, `LOCK TABLE auth_events IN ACCESS EXCLUSIVE MODE`)
	done := make(chan response, 1)
	go func() {
		done <- a.do("POST", "/api/auth/register", "", map[string]string{"email": "halfway@example.com", "password": "a good password", "full_name": "Half"})
	}()
	waitForLockWaiters(t, tx, 1)
	if _, err := admin.Exec(t.Context(), `
		SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> $2`, db, tx.Conn().PgConn().PID()); err != nil {
		t.Fatal(err)
	}
	(<-done).want(t, http.StatusServiceUnavailable).problem(t)
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	var students, events int
	if err := a.pool.QueryRow(t.Context(), `
		SELECT (SELECT count(*) FROM students WHERE email = 'halfway@example.com'),
		       (SELECT count(*) FROM auth_events WHERE email = 'halfway@example.com')`).Scan(&students, &events); err != nil {
		t.Fatal(err)
	}
	if students != 0 || events != 0 {
		t.Fatalf("after the cut: %d students and %d events for the email, want none", students, events)
	}
	a.register("halfway@example.com", "a good password", "Half")
}

// With every pooled connection taken, a request waits for one no longer than its deadline, then
// gets a 503; once a connection is free, requests are served again.
func TestWaitingForAPooledConnectionIsBounded(t *testing.T) {
	t.Parallel()
	var small *pgxpool.Pool
	a := newAppWith(t, func(d *httpapi.Deps) {
		cfg := d.DB.Config().Copy()
		cfg.MaxConns = 1
		var err error
		if small, err = pgxpool.NewWithConfig(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(small.Close)
		d.DB, d.Store, d.RequestTimeout = small, store.New(small), 300*time.Millisecond
	})
	_, tok := a.student("queued@example.com")
	held, err := small.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusServiceUnavailable).problem(t)
	if waited := time.Since(start); waited < 300*time.Millisecond || waited > 2*time.Second {
		t.Errorf("waited %v for a connection, want about the 300ms deadline", waited)
	}
	held.Release()
	a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusOK)
}
