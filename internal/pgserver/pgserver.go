// Package pgserver starts a private PostgreSQL server from the binaries installed on the machine:
// the development database of `make run` and one of the test harness's backends.
//
// initdb refuses to run as root, so when the caller is root the server runs as the operating
// system user "postgres" (which Debian's postgresql packages create) and owns its data directory.
package pgserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options says where and how to run the server.
type Options struct {
	// DataDir holds the cluster. It is created with initdb when it holds none yet.
	DataDir string
	// Port to listen on at 127.0.0.1; 0 picks a free one.
	Port int
	// Durable keeps fsync on. Tests turn it off: their clusters are thrown away.
	Durable bool
	// Log receives the server's output; nil discards it.
	Log io.Writer
}

// Server is a running PostgreSQL server.
type Server struct {
	BinDir   string
	DataDir  string
	Port     int
	User     string
	Password string
	cmd      *exec.Cmd
	done     chan error
}

// ErrNoBinaries means no PostgreSQL server binaries were found on this machine.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries found (set PG_BIN, or install them: apt-get install postgresql-15)")

// FindBinDir returns the directory holding initdb and postgres: $PG_BIN, then the newest
// /usr/lib/postgresql/*/bin, then $PATH.
func FindBinDir() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		if isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
		return "", fmt.Errorf("PG_BIN=%s holds no postgres binary", dir)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, dir := range dirs {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", ErrNoBinaries
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Start initialises DataDir if needed and starts the server, returning once it accepts
// connections. The superuser is "postgres"; its password is kept in DataDir/../<base>.password
// so a restarted development server can be reached again.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := FindBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := Credential()
	if err != nil {
		return nil, err
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{BinDir: bin, DataDir: dataDir, Port: opts.Port, User: "postgres"}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}

	passwordFile := dataDir + ".password"
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err != nil {
		if err := s.initdb(ctx, cred, passwordFile, log); err != nil {
			return nil, err
		}
	}
	pw, err := os.ReadFile(passwordFile)
	if err != nil {
		return nil, fmt.Errorf("pgserver: read superuser password: %w", err)
	}
	s.Password = strings.TrimSpace(string(pw))

	if pid, port, ok := running(dataDir); ok {
		// Left running by an earlier process that did not stop it: use it as it is.
		fmt.Fprintf(log, "pgserver: reusing the server already running from %s (pid %d, port %d)\n", dataDir, pid, port)
		s.Port = port
		return s, s.waitReady(ctx)
	}
	if s.Port == 0 {
		if s.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	args := []string{
		"-D", dataDir,
		"-p", strconv.Itoa(s.Port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "max_connections=200",
	}
	if !opts.Durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("pgserver: start postgres: %w", err)
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait() }()

	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) initdb(ctx context.Context, cred *syscall.Credential, passwordFile string, log io.Writer) error {
	if err := os.MkdirAll(s.DataDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(passwordFile, []byte(randomHex(24)+"\n"), 0o600); err != nil {
		return err
	}
	if cred != nil {
		// The postgres user needs the data directory and to read the password file.
		if err := os.Chown(s.DataDir, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
		if err := os.Chown(passwordFile, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(s.BinDir, "initdb"),
		"-D", s.DataDir, "-U", "postgres", "--pwfile", passwordFile,
		"--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, log), io.MultiWriter(&out, log)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pgserver: initdb: %w\n%s", err, out.String())
	}
	return nil
}

// Credential is nil when we may run PostgreSQL as ourselves, or the postgres user's when root.
func Credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("pgserver: running as root, and PostgreSQL refuses to run as root: there is no \"postgres\" user to run it as (apt-get install postgresql-15 creates one)")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// PrepareDir creates dir (and its parents) so that the server's user can create its data
// directory inside: as root, that means handing dir to the postgres user.
func PrepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cred, err := Credential()
	if err != nil || cred == nil {
		return err
	}
	return os.Chown(dir, int(cred.Uid), int(cred.Gid))
}

// running reads dataDir's postmaster.pid and reports the pid and port of a live server.
func running(dataDir string) (pid, port int, ok bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, 0, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, 0, false
	}
	pid, err1 := strconv.Atoi(strings.TrimSpace(lines[0]))
	port, err2 := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err1 != nil || err2 != nil || syscall.Kill(pid, 0) != nil {
		return 0, 0, false
	}
	return pid, port, true
}

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var lastErr error
	for {
		if s.done != nil {
			select {
			case err := <-s.done:
				s.done <- err
				return fmt.Errorf("pgserver: postgres exited during start-up: %v", err)
			default:
			}
		}
		conn, err := pgx.Connect(ctx, s.URL("postgres"))
		if err == nil {
			// The port may be another server's (one that started there first, with trust
			// authentication): only ours will do, or its databases would be changed instead.
			var dir string
			err = conn.QueryRow(ctx, `SHOW data_directory`).Scan(&dir)
			conn.Close(ctx)
			if err == nil && sameDir(dir, s.DataDir) {
				return nil
			}
			if err == nil {
				return fmt.Errorf("pgserver: port %d is served by another PostgreSQL (data directory %s, not %s): choose another port", s.Port, dir, s.DataDir)
			}
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgserver: postgres not ready after 60s: %v", lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

// URL is the connection string for database on this server, as its superuser.
func (s *Server) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(s.User, s.Password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop shuts the server down (fast mode: open transactions are rolled back) and waits for it.
func (s *Server) Stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return nil
}

// PID is the postmaster's process id; 0 when the server is not running.
func (s *Server) PID() int {
	pid, _, _ := running(s.DataDir)
	return pid
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
