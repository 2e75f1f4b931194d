package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/httpapi"
	"examiner/internal/password"
	"examiner/internal/ratelimit"
	"examiner/internal/seed"
	"examiner/internal/store"
	"examiner/internal/testdb"
	"examiner/internal/token"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

const testSecret = "test-secret-of-64-bytes-so-that-hs384-and-hs512-can-be-tried-too"

// app is the API served over real HTTP against its own database.
type app struct {
	t      testing.TB
	url    string
	pool   *pgxpool.Pool // the database's owner (a superuser): for checks behind the server's back
	server *pgxpool.Pool // the server's, as the login role examiner_authenticator
	tokens *token.Issuer
	logs   *syncBuffer
}

// generous are limits no test meets unless it means to: most tests sign in often from one address.
var generous = httpapi.Limits{
	LoginFailuresPerAccount: ratelimit.Limit{Burst: 1000, Per: time.Millisecond},
	LoginFailuresPerAddress: ratelimit.Limit{Burst: 1000, Per: time.Millisecond},
	RegistrationsPerAddress: ratelimit.Limit{Burst: 1000, Per: time.Millisecond},
}

func newApp(t testing.TB) *app { t.Helper(); return newAppWith(t, nil) }

// newAppWith is newApp with deps adjusted by configure before the server starts.
func newAppWith(t testing.TB, configure func(*httpapi.Deps)) *app {
	t.Helper()
	url := testdb.URL(t)
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := seed.Run(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	server := testdb.LoginPool(t, url)
	tokens, err := token.NewIssuer([]byte(testSecret), 24*time.Hour, "examiner", "examiner-api")
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := password.NewHasher(4, 4)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	deps := httpapi.Deps{
		DB: server, Store: store.New(server), Tokens: tokens, Claims: testdb.Claims, Passwords: hasher,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Limits: generous,
	}
	if configure != nil {
		configure(&deps)
	}
	srv := httptest.NewServer(httpapi.NewServer(deps))
	t.Cleanup(srv.Close)
	return &app{t: t, url: srv.URL, pool: pool, server: deps.DB, tokens: tokens, logs: logs}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// problemBody is the problem+json shape every error has.
type problemBody struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// request sends body (a string is sent as is, anything else as JSON) with the content type.
func (a *app) request(method, path, bearer, contentType string, body any) response {
	a.t.Helper()
	h := http.Header{}
	if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	return a.requestWith(method, path, contentType, body, h)
}

// requestWith is request with any headers.
func (a *app) requestWith(method, path, contentType string, body any, header http.Header) response {
	a.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		raw = j
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.url+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	got := response{status: res.StatusCode, header: res.Header, body: out}
	mustContract(a.t).check(a.t, sent{method: method, path: req.URL.Path, contentType: contentType,
		query: req.URL.Query(), body: raw}, got)
	return got
}

// do sends a JSON request.
func (a *app) do(method, path, bearer string, body any) response {
	a.t.Helper()
	ct := ""
	if body != nil {
		ct = "application/json"
	}
	return a.request(method, path, bearer, ct, body)
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// problem decodes an error response, checking it is problem+json with its status.
func (r response) problem(t testing.TB) problemBody {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json; charset=utf-8" {
		t.Fatalf("Content-Type: got %q, want application/problem+json (body %s)", ct, r.body)
	}
	var p problemBody
	r.decode(t, &p)
	if p.Status != r.status || p.Type == "" || p.Title == "" || p.Detail == "" || p.RequestID == "" {
		t.Fatalf("problem body incomplete for status %d: %s", r.status, r.body)
	}
	return p
}

func (r response) want(t testing.TB, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status: got %d, want %d (body %s)", r.status, status, r.body)
	}
	return r
}

type profile struct {
	ID           uuid.UUID         `json:"id"`
	Email        string            `json:"email"`
	FullName     string            `json:"full_name"`
	TargetGrades map[string]string `json:"target_grades"`
	CreatedAt    time.Time         `json:"created_at"`
}

func (a *app) register(email, pw, name string) profile {
	a.t.Helper()
	var p profile
	a.do("POST", "/api/auth/register", "", map[string]string{"email": email, "password": pw, "full_name": name}).
		want(a.t, http.StatusCreated).decode(a.t, &p)
	return p
}

func (a *app) login(email, pw string) string {
	a.t.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	a.do("POST", "/api/auth/login", "", map[string]string{"email": email, "password": pw}).
		want(a.t, http.StatusOK).decode(a.t, &tok)
	return tok.AccessToken
}

// student registers and logs in a new student.
func (a *app) student(email string) (profile, string) {
	a.t.Helper()
	p := a.register(email, "a good password", "Student "+email)
	return p, a.login(email, "a good password")
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// hold runs statement in a transaction of its own on a's database, outside the server's pool,
// and keeps it open, with the locks it took, until the caller commits or rolls it back (or the
// test ends): for tests that make requests wait on a lock.
func (a *app) hold(t *testing.T, statement string, args ...any) pgx.Tx {
	t.Helper()
	conn, err := pgx.ConnectConfig(t.Context(), a.pool.Config().ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), statement, args...); err != nil {
		t.Fatal(err)
	}
	return tx
}

// waitForLockWaiters waits until n sessions of tx's database wait for a lock.
func waitForLockWaiters(t *testing.T, tx pgx.Tx, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		// pg_stat_activity is a snapshot per transaction: clear it to see the requests arrive.
		if _, err := tx.Exec(t.Context(), `SELECT pg_stat_clear_snapshot()`); err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRow(t.Context(), `
			SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d requests reached the lock", waiting, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
