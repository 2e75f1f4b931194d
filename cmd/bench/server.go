package main

import (
	"bufio"
	"context"
	"errors"
	"examiner/internal/pgserver"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildServer builds cmd/examiner into dir and returns the binary's path.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "examiner")
	goCmd := orDefault(os.Getenv("GO"), "go")
	cmd := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "./cmd/examiner")
	cmd.Dir = moduleRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/examiner: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot is the directory holding go.mod, from the working directory up.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// examinerCommand runs one administration command of the binary (migrate up, seed, keys
// install) with the harness's environment and then env (the last of a name wins).
func examinerCommand(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("examiner %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// server is one `examiner serve` process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	base   string
	log    string
	exited chan error
}

// startServer runs `examiner serve` with the environment (the harness's, so the server's own
// settings pass through, then env) on a free port and waits until /readyz answers 200.
func startServer(ctx context.Context, name, bin, logDir string, env ...string) (*server, error) {
	port, err := pgserver.FreePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	logFile, err := os.Create(filepath.Join(logDir, "server-"+name+".log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	s := &server{addr: addr, base: "http://" + addr, log: logFile.Name(), exited: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve")
	// The last of a name wins. Metrics on the API's address: servers side by side cannot all
	// have the default METRICS_ADDR.
	s.cmd.Env = append(append(os.Environ(), "HTTP_ADDR="+addr, "METRICS_ADDR=api"), env...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// The server dies with the harness, however the harness ends.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.exited <- s.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.exited:
			s.exited <- err
			return nil, fmt.Errorf("server %s exited during start-up (%v):\n%s", name, err, tail(s.log, 20))
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("server %s not ready after 30 s:\n%s", name, tail(s.log, 20))
		}
	}
}

// Stop sends SIGTERM and waits for the exit (SIGKILL after 30 s).
func (s *server) Stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		s.exited <- err
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}

// memory is a process's resident set: now and its peak, in bytes.
type memory struct{ RSS, Peak int64 }

// Memory reads VmRSS and VmHWM from /proc/<pid>/status.
func (s *server) Memory() (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	var m memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != "VmRSS" && name != "VmHWM" {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("%s: %q", name, value)
		}
		if name == "VmRSS" {
			m.RSS = kb << 10
		} else {
			m.Peak = kb << 10
		}
	}
	if m.RSS == 0 {
		return memory{}, errors.New("no VmRSS in /proc/<pid>/status")
	}
	return m, sc.Err()
}

// tail is the last n lines of the file at path.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
