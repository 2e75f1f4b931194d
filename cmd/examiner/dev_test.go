package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// `make run` on a fresh machine: dev starts its own PostgreSQL under the data directory,
// migrates, seeds and serves, prints a curl example, and stops its database on the way out. A
// second start finds the same data and the same JWT secret.
func TestDevServesOnItsOwnDatabaseAndKeepsItsData(t *testing.T) {
	t.Parallel()
	dataDir, err := os.MkdirTemp("", "examiner-dev-test-") // not t.TempDir: the postgres user must reach it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	if err := os.Chmod(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	pgPort := freePort(t)
	var httpPort int
	var base, metricsAddr string

	// A port found free may be taken by another test's process before dev listens on it (the
	// packages' tests run at once): then dev stops at once, and the test tries other ports.
	start := func() (stop func(), out *lockedBuffer) {
		var cancel context.CancelFunc
		var done chan error
		for attempt := 1; ; attempt++ {
			httpPort = freePort(t)
			metricsAddr = "127.0.0.1:" + strconv.Itoa(freePort(t))
			base = "http://127.0.0.1:" + strconv.Itoa(httpPort)
			vars := env(map[string]string{
				"EXAMINER_DATA_DIR": dataDir, "DEV_PG_PORT": strconv.Itoa(pgPort),
				"HTTP_ADDR": "127.0.0.1:" + strconv.Itoa(httpPort), "BCRYPT_COST": "4", "METRICS_ADDR": metricsAddr,
			})
			out = &lockedBuffer{}
			var ctx context.Context
			ctx, cancel = context.WithCancel(t.Context())
			done = make(chan error, 1)
			go func() { done <- run(ctx, []string{"dev"}, vars, out, out) }()
			err := readyOrStopped(base, done)
			if err == nil {
				break
			}
			cancel()
			if attempt < 3 && strings.Contains(err.Error(), "address already in use") {
				continue
			}
			t.Fatalf("%v\n%s", err, out.String())
		}
		return func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("dev returned %v, want nil", err)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("dev did not stop within 60 s")
			}
		}, out
	}

	stop, out := start()
	if !strings.Contains(out.String(), "curl -s "+"http://localhost:"+strconv.Itoa(httpPort)+"/api/auth/register") {
		t.Errorf("output: got %q, want a curl example for the port served", out.String())
	}
	if !strings.Contains(out.String(), "metrics are at http://"+metricsAddr+"/metrics") {
		t.Errorf("output: got %q, want it to say the metrics are at %s", out.String(), metricsAddr)
	}
	post(t, base+"/api/auth/register", `{"email":"ada@example.com","password":"a good password","full_name":"Ada"}`, http.StatusCreated)
	tok := post(t, base+"/api/auth/login", `{"email":"ada@example.com","password":"a good password"}`, http.StatusOK)
	// The server's connections are the login role's, as in production, so row-level security
	// applies in development too.
	pw, err := os.ReadFile(filepath.Join(dataDir, "postgres", "data.password")) // the superuser's, as pgserver keeps it
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(t.Context(), (&url.URL{Scheme: "postgres", User: url.UserPassword("postgres", strings.TrimSpace(string(pw))),
		Host: "127.0.0.1:" + strconv.Itoa(pgPort), Path: "/examiner", RawQuery: "sslmode=disable"}).String())
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	rows, err := admin.Query(t.Context(), `SELECT DISTINCT usename::text FROM pg_catalog.pg_stat_activity WHERE application_name = 'examiner'`)
	if err == nil {
		users, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	admin.Close(context.Background())
	if err != nil || len(users) != 1 || users[0] != "examiner_authenticator" {
		t.Fatalf("the server's connections log in as %v (%v), want examiner_authenticator only", users, err)
	}
	stop()
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(pgPort), time.Second); err == nil {
		c.Close()
		t.Fatal("PostgreSQL still accepts connections after dev stopped")
	}

	stop, _ = start()
	defer stop()
	var access struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(tok), &access); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", base+"/api/students/me", nil)
	req.Header.Set("Authorization", "Bearer "+access.AccessToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("token from before the restart: got %d, want 200 (same data, same secret)", res.StatusCode)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitReady(t *testing.T, base string, done <-chan error, out *lockedBuffer) {
	t.Helper()
	if err := readyOrStopped(base, done); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
}

// readyOrStopped waits until base/readyz answers 200 (nil), the process stops, or 90 s pass.
func readyOrStopped(base string, done <-chan error) error {
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			return fmt.Errorf("stopped before it was ready: %w", err)
		default:
		}
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("not ready after 90 s")
}

func post(t *testing.T, url, body string, want int) string {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	if res.StatusCode != want {
		t.Fatalf("POST %s: got %d, want %d (%s)", url, res.StatusCode, want, b.String())
	}
	return b.String()
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
