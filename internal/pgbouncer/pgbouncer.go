// Package pgbouncer starts a PgBouncer of the tests' own in front of a PostgreSQL server, on a
// loopback port, to prove that the service's isolation holds behind a connection pooler. It uses
// Debian's pgbouncer package (apt-get install pgbouncer); as root it runs PgBouncer as the
// postgres user, since PgBouncer refuses to run as root.
package pgbouncer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"examiner/internal/pgserver"
)

// Options say what to pool. The pool mode is always transaction: the one where a setting that
// outlives its transaction reaches another client.
type Options struct {
	// Server is the URL of the PostgreSQL database to pool (user, password, host, port, database).
	Server string
	// PoolSize is the number of server connections for the database (default_pool_size; 4 when 0).
	PoolSize int
}

// stockIgnoredStartupParameters is the ignore_startup_parameters of every PgBouncer started here:
// what a PgBouncer set up for pgx and libpq clients usually has, and nothing for our sake. Any
// other startup parameter but application_name (which PgBouncer tracks itself) makes PgBouncer
// refuse the connection: "unsupported startup parameter". pgx sends neither of these by default.
const stockIgnoredStartupParameters = "extra_float_digits, search_path"

// Bouncer is a running PgBouncer.
type Bouncer struct {
	cmd  *exec.Cmd
	dir  string
	port int
	user string
	db   string
	done chan struct{}
}

// binary is where PgBouncer is looked for, after $PATH: Debian installs it outside a user's $PATH.
const binary = "/usr/sbin/pgbouncer"

// ErrNotInstalled means there is no pgbouncer binary on this machine.
var ErrNotInstalled = errors.New("pgbouncer is not installed (apt-get install pgbouncer)")

func find() (string, error) {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	if _, err := os.Stat(binary); err == nil {
		return binary, nil
	}
	return "", ErrNotInstalled
}

// Start starts PgBouncer and waits until it answers. It returns ErrNotInstalled when there is no
// PgBouncer to start.
func Start(ctx context.Context, o Options) (_ *Bouncer, err error) {
	bin, err := find()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(o.Server)
	if err != nil {
		return nil, fmt.Errorf("pgbouncer: server URL: %w", err)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return nil, fmt.Errorf("pgbouncer: server URL host: %w", err)
	}
	password, _ := u.User.Password()
	b := &Bouncer{user: u.User.Username(), db: strings.TrimPrefix(u.Path, "/"), done: make(chan struct{})}
	if o.PoolSize == 0 {
		o.PoolSize = 4
	}
	if b.port, err = pgserver.FreePort(); err != nil {
		return nil, err
	}
	cred, err := pgserver.Credential()
	if err != nil {
		return nil, err
	}
	if b.dir, err = os.MkdirTemp("", "examiner-pgbouncer-"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			b.Stop()
		}
	}()
	// The configuration holds the server's password: the file is the run's own, mode 0600, in a
	// directory of its own, removed on Stop.
	ini := fmt.Sprintf(`[databases]
%s = host=%s port=%s dbname=%s user=%s password=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 1000
server_reset_query =
server_check_delay = 0
ignore_startup_parameters = %s
logfile = %s
pidfile = %s
`, b.db, host, port, quoteValue(b.db), quoteValue(b.user), quoteValue(password), b.port, filepath.Join(b.dir, "users.txt"), o.PoolSize, stockIgnoredStartupParameters,
		filepath.Join(b.dir, "pgbouncer.log"), filepath.Join(b.dir, "pgbouncer.pid"))
	files := map[string]string{
		"pgbouncer.ini": ini,
		"users.txt":     `"` + strings.ReplaceAll(b.user, `"`, `""`) + `" ""` + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(b.dir, name), []byte(content), 0o600); err != nil {
			return nil, err
		}
	}
	if cred != nil {
		for _, p := range []string{b.dir, filepath.Join(b.dir, "pgbouncer.ini"), filepath.Join(b.dir, "users.txt")} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, err
			}
		}
	}
	b.cmd = exec.Command(bin, filepath.Join(b.dir, "pgbouncer.ini"))
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Linux sends the parent-death signal when the thread that started the child exits, not the
	// process, and Go ends threads: a goroutine that exits locked to its thread (as
	// internal/password's niced bcrypt does, in a server run inside the test binary) takes its
	// thread with it, and killed a PgBouncer started from that thread earlier. So PgBouncer is
	// started from a thread kept for it alone until it exits.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := b.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = b.cmd.Wait()
		close(b.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgbouncer: start: %w", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, b.URL())
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
			if err == nil {
				return b, nil
			}
		}
		select {
		case <-b.done:
			return nil, fmt.Errorf("pgbouncer exited at start: %s", b.log(5))
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("pgbouncer did not answer within 10 s (%v): %s", err, b.log(5))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ForTest starts PgBouncer for t, stopped when t ends. Where PgBouncer is not installed t is
// skipped with the reason, unless EXAMINER_REQUIRE_PGBOUNCER=1 (CI), where it fails.
func ForTest(t testing.TB, o Options) *Bouncer {
	t.Helper()
	b, err := Start(context.Background(), o)
	switch {
	case errors.Is(err, ErrNotInstalled) && os.Getenv("EXAMINER_REQUIRE_PGBOUNCER") != "1":
		t.Skipf("%v: the test through PgBouncer did not run", err)
	case errors.Is(err, ErrNotInstalled):
		t.Fatalf("%v, and EXAMINER_REQUIRE_PGBOUNCER=1", err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	t.Cleanup(func() { // before Stop removes the log
		if t.Failed() {
			t.Logf("the end of PgBouncer's log:\n%s", b.log(30))
		}
	})
	return b
}

// URL is where clients connect: the same database name and user as the server's, no password.
func (b *Bouncer) URL() string {
	u := url.URL{
		Scheme: "postgres", User: url.User(b.user), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)),
		Path: "/" + b.db, RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop stops PgBouncer and removes its files.
func (b *Bouncer) Stop() {
	if b.cmd != nil && b.cmd.Process != nil {
		_ = b.cmd.Process.Signal(syscall.SIGINT) // immediate shutdown
		select {
		case <-b.done:
		case <-time.After(5 * time.Second):
			_ = b.cmd.Process.Kill()
			<-b.done
		}
	}
	os.RemoveAll(b.dir)
}

// log is the last n lines of PgBouncer's log file, for error messages: it never holds the
// password.
func (b *Bouncer) log(n int) string {
	data, _ := os.ReadFile(filepath.Join(b.dir, "pgbouncer.log"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// quoteValue quotes v for a PgBouncer connection string, as libpq does: in single quotes, with
// backslashes and quotes escaped.
func quoteValue(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
