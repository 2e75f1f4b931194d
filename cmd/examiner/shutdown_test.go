package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"examiner/internal/testdb"
)

// process is a real examiner serve process (this test binary, run as main).
type process struct {
	cmd    *exec.Cmd
	addr   string
	logs   *lockedBuffer
	exited chan error
}

// startServe starts `examiner serve` on databaseURL (a test database's owner URL; serve logs in
// as its login role) with extra environment, and waits until /readyz says 200.
func startServe(t *testing.T, databaseURL string, env ...string) *process {
	t.Helper()
	p := &process{addr: "127.0.0.1:" + strconv.Itoa(freePort(t)), logs: &lockedBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(os.Args[0])
	// No lock or statement timeouts: the tests hold a registration on a lock for as long as
	// they need.
	sep := "?"
	if strings.Contains(databaseURL, "?") {
		sep = "&"
	}
	p.cmd.Env = append(append(os.Environ(), "EXAMINER_TEST_AS_MAIN=serve",
		"DATABASE_URL="+testdb.LoginURL(databaseURL)+sep+"lock_timeout=0&statement_timeout=0", "JWT_SECRET="+string(testdb.JWTSecret), "HTTP_ADDR="+p.addr, "METRICS_ADDR=api"), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	waitReady(t, "http://"+p.addr, p.exited, p.logs)
	return p
}

// holdRegistrations locks auth_events in databaseURL until release is called, so that a
// registration stays in flight (it waits to write its event) for as long as a test needs,
// however fast or slow the machine (startServe turns the server's lock timeout off).
func holdRegistrations(t *testing.T, databaseURL string) (waitForOne func(), release func()) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `LOCK TABLE auth_events IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	waitForOne = func() {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			var waiting int
			// The activity view is a snapshot per transaction, and this one stays open.
			if _, err := conn.Exec(t.Context(), `SELECT pg_stat_clear_snapshot()`); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRow(t.Context(), `
				SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting > 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("no registration reached the lock within 30 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	release = func() {
		if err := tx.Rollback(context.Background()); err != nil {
			t.Error(err)
		}
	}
	return waitForOne, release
}

// waitDraining waits until /readyz answers 503, as it does from the moment a drain begins. It
// fails if the server stops answering first (the drain ended without /readyz ever saying so).
func (p *process) waitDraining(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get("http://" + p.addr + "/readyz")
		if err != nil {
			t.Fatalf("/readyz never answered 503 while the server still answered: %v\n%s", err, p.logs.String())
		}
		res.Body.Close()
		if res.StatusCode == http.StatusServiceUnavailable {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d 30 s after SIGTERM, want 503", res.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// register posts a registration in the background; its status arrives on the channel (0 when
// the request failed outright).
func (p *process) register(email string) <-chan int {
	status := make(chan int, 1)
	go func() {
		res, err := http.Post("http://"+p.addr+"/api/auth/register", "application/json",
			strings.NewReader(`{"email":"`+email+`","password":"a good password","full_name":"Late"}`))
		if err != nil {
			status <- 0
			return
		}
		res.Body.Close()
		status <- res.StatusCode
	}()
	return status
}

// A real examiner process gets SIGTERM while a request is in flight: /readyz turns 503 at once
// while it drains, the request in flight finishes, and the process exits 0 within its grace
// period with its listener and its pool's connections closed.
func TestSIGTERMDrainsFinishesInFlightRequestsAndExitsZero(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	p := startServe(t, url, "BCRYPT_COST=4", "SHUTDOWN_DRAIN=1500ms", "SHUTDOWN_GRACE=20s", "REQUEST_TIMEOUT=30s")
	waitForOne, release := holdRegistrations(t, url)
	inFlight := p.register("late@example.com")
	waitForOne()
	signalled := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// Draining: still answering, but not ready.
	p.waitDraining(t)
	release()
	if status := <-inFlight; status != http.StatusCreated {
		t.Fatalf("the registration in flight at SIGTERM: %d, want 201\n%s", status, p.logs.String())
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("exit: %v, want status 0\n%s", err, p.logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20 s after SIGTERM\n%s", p.logs.String())
	}
	took := time.Since(signalled)
	if took < 1500*time.Millisecond {
		t.Errorf("exited %v after SIGTERM, before the 1.5 s drain ended", took)
	}
	if c, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
		c.Close()
		t.Error("the address still accepts connections after exit")
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var left, accounts int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		// The server's backends end just after its process does.
		if err := conn.QueryRow(context.Background(), `
			SELECT (SELECT count(*) FROM pg_stat_activity WHERE application_name = 'examiner' AND datname = current_database()),
			       (SELECT count(*) FROM students WHERE email = 'late@example.com')`).Scan(&left, &accounts); err != nil {
			t.Fatal(err)
		}
		if left == 0 || time.Now().After(deadline) {
			break
		}
	}
	if left != 0 || accounts != 1 {
		t.Errorf("after exit: %d examiner connections open (want 0), %d accounts for the in-flight registration (want 1)", left, accounts)
	}
	if !strings.Contains(p.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no stopped line in the logs:\n%s", p.logs.String())
	}
	t.Logf("SIGTERM to exit 0: %v (drain 1.5 s)", took.Round(time.Millisecond))
}

// Without a drain, the listener closes at once: a new connection is refused while a request that
// was already running still finishes before the process exits.
func TestNewConnectionsAreRefusedWhileInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	p := startServe(t, url, "BCRYPT_COST=4", "SHUTDOWN_DRAIN=0s", "SHUTDOWN_GRACE=30s", "REQUEST_TIMEOUT=30s")
	waitForOne, release := holdRegistrations(t, url)
	inFlight := p.register("slow@example.com")
	waitForOne()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr, 200*time.Millisecond)
		if err != nil {
			break // refused: the listener is closed
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections still accepted 20 s after SIGTERM with no drain")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-p.exited:
		t.Fatal("the process exited before its request in flight finished")
	case <-time.After(300 * time.Millisecond): // and it is still waiting for it
	}
	release()
	if status := <-inFlight; status != http.StatusCreated {
		t.Fatalf("the registration in flight: %d, want 201\n%s", status, p.logs.String())
	}
	if err := <-p.exited; err != nil {
		t.Fatalf("exit: %v\n%s", err, p.logs.String())
	}
}

// A second SIGTERM does not wait for the graceful shutdown the first one started.
func TestASecondSIGTERMStopsAtOnce(t *testing.T) {
	t.Parallel()
	p := startServe(t, testdb.URL(t), "SHUTDOWN_DRAIN=60s")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitDraining(t) // draining now, for a minute
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err == nil {
			t.Fatal("exit status 0 after a second SIGTERM, want killed by the signal")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("still running 20 s after a second SIGTERM, with 40 s of the drain to go")
	}
}
