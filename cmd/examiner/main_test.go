package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/httpapi"
	"examiner/internal/password"
	"examiner/internal/pgbouncer"
	"examiner/internal/ratelimit"
	"examiner/internal/store"
	"examiner/internal/testdb"
	"examiner/migrations"
	"examiner/tenant"
)

func TestMain(m *testing.M) {
	// The test binary doubles as the examiner binary for tests that need a real process.
	if args := os.Getenv("EXAMINER_TEST_AS_MAIN"); args != "" {
		os.Args = append(os.Args[:1], strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(testdb.Main(m))
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestServeRefusesToStartWithoutAStrongSecret(t *testing.T) {
	t.Parallel()
	for name, secret := range map[string]string{"missing": "", "31 bytes": strings.Repeat("s", 31)} {
		t.Run(name, func(t *testing.T) {
			err := run(t.Context(), []string{"serve"}, env(map[string]string{
				"DATABASE_URL": "postgres://nowhere/db", "JWT_SECRET": secret,
			}), &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), "JWT_SECRET") {
				t.Fatalf("got %v, want an error about JWT_SECRET", err)
			}
		})
	}
}

func TestConfigRejectsNonsense(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"JWT_TTL", "REQUEST_TIMEOUT", "SHUTDOWN_DRAIN", "SHUTDOWN_GRACE", "CORS_ORIGINS", "BCRYPT_COST", "DB_MAX_CONNS", "PASSWORD_CONCURRENCY", "TRUSTED_PROXIES",
		"LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_ADDRESS", "REGISTRATIONS_PER_ADDRESS", "DB_QUERY_EXEC_MODE", "PASSWORD_TIMEOUT", "PASSWORD_NICE",
		"PASSWORD_QUEUE", "PASSWORD_QUEUE_PER_ADDRESS"} {
		for _, bad := range []string{"-1", "10,10", "x"} {
			vars := map[string]string{"DATABASE_URL": "postgres://x/y", "JWT_SECRET": strings.Repeat("s", 32), k: bad}
			if _, err := loadConfig(env(vars)); err == nil || !strings.Contains(err.Error(), k) {
				t.Errorf("%s=%s: got %v, want an error naming %s", k, bad, err, k)
			}
		}
	}
	cfg, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/y", "JWT_SECRET": strings.Repeat("s", 32),
		"TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1", "LOGIN_FAILURES_PER_ACCOUNT": "3,30"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.TrustedProxies) != 2 || cfg.Limits.LoginFailuresPerAccount != ratelimit.PerHour(3, 30) ||
		cfg.Limits.RegistrationsPerAddress != httpapi.DefaultLimits.RegistrationsPerAddress {
		t.Fatalf("proxies %v, limits %+v", cfg.TrustedProxies, cfg.Limits)
	}
	cfg, err = loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/y", "JWT_SECRET": strings.Repeat("s", 32)}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.JWTTTL != 24*time.Hour || cfg.BcryptCost != 12 || cfg.HTTPAddr != ":8080" || cfg.DBMaxConns != 10 ||
		cfg.DBQueryExecMode != pgx.QueryExecModeCacheStatement || cfg.MetricsAddr != "127.0.0.1:9090" ||
		cfg.PasswordTimeout != 2*time.Minute || cfg.PasswordNice != password.DefaultNice ||
		cfg.PasswordQueue != password.DefaultQueuePerSlot*cfg.PasswordConcurrency || cfg.PasswordQueuePerAddress != cfg.PasswordQueue/2 {
		t.Fatalf("defaults: got %+v", cfg)
	}
	// The database checks passwords at costs 4 to 14 (migration 015): a server set higher could
	// sign nobody in.
	if _, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/y", "JWT_SECRET": strings.Repeat("s", 32),
		"BCRYPT_COST": "15"})); err == nil || !strings.Contains(err.Error(), "BCRYPT_COST") {
		t.Fatalf("BCRYPT_COST=15: got %v, want it refused", err)
	}
	// simple_protocol would put each request's claim into query text other sessions can read.
	_, err = loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/y", "JWT_SECRET": strings.Repeat("s", 32),
		"DB_QUERY_EXEC_MODE": "simple_protocol"}))
	if err == nil || !strings.Contains(err.Error(), "simple_protocol") {
		t.Fatalf("DB_QUERY_EXEC_MODE=simple_protocol: got %v, want it refused", err)
	}
	cfg, err = loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/y", "JWT_SECRET": strings.Repeat("s", 32),
		"DB_QUERY_EXEC_MODE": "exec", "DB_CLAIM_KID": "k2"}))
	if err != nil || cfg.DBQueryExecMode != pgx.QueryExecModeExec || cfg.DBClaimKID != "k2" {
		t.Fatalf("DB_QUERY_EXEC_MODE=exec, DB_CLAIM_KID=k2: got %v, %q (%v)", cfg.DBQueryExecMode, cfg.DBClaimKID, err)
	}
	if _, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/y", "JWT_SECRET": strings.Repeat("s", 32),
		"DB_CLAIM_KID": "no/slashes"})); err == nil || !strings.Contains(err.Error(), "DB_CLAIM_KID") {
		t.Fatalf("DB_CLAIM_KID=no/slashes: got %v, want it refused", err)
	}
}

// The metrics are for operators: on loopback unless told otherwise, and on the API's own address
// only when asked for by name.
func TestMetricsAreServedOnLoopbackUnlessConfiguredElsewhere(t *testing.T) {
	t.Parallel()
	for value, want := range map[string]string{"": "127.0.0.1:9090", "10.0.0.5:9100": "10.0.0.5:9100", "api": ""} {
		cfg, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/y", "JWT_SECRET": strings.Repeat("s", 32), "METRICS_ADDR": value}))
		if err != nil || cfg.MetricsAddr != want {
			t.Errorf("METRICS_ADDR=%q: got %q (%v), want %q", value, cfg.MetricsAddr, err, want)
		}
	}
}

func TestUnknownCommandsPrintUsage(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	if err := run(t.Context(), []string{"frobnicate"}, env(nil), &bytes.Buffer{}, &stderr); err == nil {
		t.Fatal("got nil error for an unknown command")
	}
	if !strings.Contains(stderr.String(), "usage: examiner") {
		t.Fatalf("stderr: got %q, want the usage", stderr.String())
	}
}

func TestMigrateUpDownAndStatus(t *testing.T) {
	t.Parallel()
	url := testdb.EmptyURL(t)
	vars := env(map[string]string{"DATABASE_URL": url})
	var out bytes.Buffer
	for _, args := range [][]string{{"migrate", "up"}, {"migrate", "down", "2"}, {"migrate", "status"}} {
		if err := run(t.Context(), args, vars, &out, &out); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	want := fmt.Sprintf("database schema version %d, this binary's newest %d", migrations.Head()-2, migrations.Head())
	if !strings.Contains(out.String(), want) {
		t.Fatalf("output: got %q, want it to contain %q", out.String(), want)
	}
	if err := run(t.Context(), []string{"migrate", "sideways"}, vars, &out, &out); err == nil {
		t.Fatal("migrate sideways: got nil error")
	}
}

func TestSeedingTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	var first, second bytes.Buffer
	if err := run(t.Context(), []string{"seed"}, env(map[string]string{"DATABASE_URL": url}), &first, &first); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"seed"}, env(map[string]string{"DATABASE_URL": url}), &second, &second); err != nil {
		t.Fatal(err)
	}
	// 9708: the subject, its 4 papers and its 64 syllabus points; its 76 questions.
	wantFirst := "seed: 69 rows added, 0 rows updated; 76 questions added, 0 updated, 0 unchanged\n"
	wantSecond := "seed: 0 rows added, 0 rows updated; 0 questions added, 0 updated, 76 unchanged\n"
	if first.String() != wantFirst || second.String() != wantSecond {
		t.Fatalf("got %q then %q, want %q then %q", first.String(), second.String(), wantFirst, wantSecond)
	}
}

// The whole program: seed, serve on a free port, wait for /readyz, register, log in, read the
// profile, work through an exam, change the password, log out, then shut down on cancel.
func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	serveAndExercise(t, url, testdb.LoginURL(url), nil)
}

// Behind a PgBouncer in transaction pooling mode with a stock configuration
// (ignore_startup_parameters = extra_float_digits, search_path) the whole program works the same,
// in a query execution mode PgBouncer supports: the server's connections send no startup
// parameter PgBouncer refuses (it answered every request with a 503 when the timeouts were
// startup parameters).
func TestServeEndToEndBehindAStockPgBouncer(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	b := pgbouncer.ForTest(t, pgbouncer.Options{Server: testdb.LoginURL(url)})
	serveAndExercise(t, url, b.URL()+"&default_query_exec_mode=exec", map[string]string{"DB_QUERY_EXEC_MODE": "exec"})
}

// serveAndExercise seeds the database as its owner (ownerURL), serves on serveURL (the login
// role's) with the environment extra added, and exercises the whole API. The server's JWT secret
// is the harness's, whose claim key every test database holds.
func serveAndExercise(t *testing.T, ownerURL, serveURL string, extra map[string]string) {
	t.Helper()
	if err := run(t.Context(), []string{"seed"}, env(map[string]string{"DATABASE_URL": ownerURL}), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	logs := &lockedBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server's log:\n%s", logs)
		}
	})
	// A port found free may be taken by another test's process before serve listens on it:
	// serve then stops at once, and the test tries other ports.
	var addr, metricsAddr, base string
	var ctx context.Context
	var cancel context.CancelFunc
	var done chan error
	for attempt := 1; ; attempt++ {
		addr, metricsAddr = "127.0.0.1:"+strconv.Itoa(freePort(t)), "127.0.0.1:"+strconv.Itoa(freePort(t))
		ctx, cancel = context.WithCancel(t.Context())
		done = make(chan error, 1)
		vars := map[string]string{
			"DATABASE_URL": serveURL, "JWT_SECRET": string(testdb.JWTSecret), "HTTP_ADDR": addr, "BCRYPT_COST": "4",
			"METRICS_ADDR": metricsAddr,
		}
		maps.Copy(vars, extra)
		go func() {
			done <- run(ctx, []string{"serve"}, env(vars), &bytes.Buffer{}, logs)
		}()
		base = "http://" + addr
		err := readyOrStopped(base, done)
		if err == nil {
			break
		}
		cancel()
		if attempt < 3 && strings.Contains(err.Error(), "address already in use") {
			continue
		}
		t.Fatalf("%v\n%s", err, logs)
	}
	defer cancel()
	call := func(method, path, bearer, body string, want int) string {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: got %d, want %d (%s)", method, path, res.StatusCode, want, buf.String())
		}
		return buf.String()
	}
	call("POST", "/api/auth/register", "", `{"email":"ada@example.com","password":"a good password","full_name":"Ada"}`, 201)
	call("POST", "/api/auth/register", "", `{"email":"ADA@example.com","password":"a good password","full_name":"Ada"}`, 409)
	call("POST", "/api/auth/login", "", `{"email":"ada@example.com","password":"wrong password"}`, 401)
	body := call("POST", "/api/auth/login", "", `{"email":"ada@example.com","password":"a good password"}`, 200)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &tok); err != nil {
		t.Fatal(err)
	}
	call("GET", "/api/students/me", tok.AccessToken, "", 200)
	call("PATCH", "/api/students/me", tok.AccessToken, `{"target_grades":{"9708":"A"}}`, 200)
	call("GET", "/api/subjects/9708/syllabus?q=elasticity", tok.AccessToken, "", 200)
	body = call("POST", "/api/exams", tok.AccessToken, `{"subject_code":"9708","exam_type":"TIMED","paper_number":3}`, 201)
	var exam struct {
		ID              string `json:"id"`
		DurationMinutes int    `json:"duration_minutes"`
	}
	if err := json.Unmarshal([]byte(body), &exam); err != nil || exam.DurationMinutes != 75 {
		t.Fatalf("created exam %s (%v), want paper 3's 75 minutes", body, err)
	}
	call("PATCH", "/api/exams/"+exam.ID, tok.AccessToken, `{"status":"IN_PROGRESS"}`, 200)
	call("PATCH", "/api/exams/"+exam.ID, tok.AccessToken, `{"status":"COMPLETED"}`, 200)
	call("PATCH", "/api/exams/"+exam.ID, tok.AccessToken, `{"status":"IN_PROGRESS"}`, 409)
	if body := call("GET", "/api/exams?status=COMPLETED", tok.AccessToken, "", 200); !strings.Contains(body, exam.ID) {
		t.Fatalf("completed exams: %s, want %s among them", body, exam.ID)
	}
	call("GET", "/openapi.json", "", "", 200)
	call("GET", "/docs", "", "", 200)
	// An Authorization header of a megabyte is refused by the server's header limit before any
	// handler runs; a token of dots by the token check.
	call("GET", "/api/students/me", strings.Repeat("A", 1<<20), "", http.StatusRequestHeaderFieldsTooLarge)
	call("GET", "/api/students/me", strings.Repeat(".", 4000), "", http.StatusUnauthorized)
	call("PUT", "/api/students/me/password", tok.AccessToken, `{"current_password":"a good password","new_password":"a newer password"}`, 204)
	call("GET", "/api/students/me", tok.AccessToken, "", 401)
	body = call("POST", "/api/auth/login", "", `{"email":"ada@example.com","password":"a newer password"}`, 200)
	if err := json.Unmarshal([]byte(body), &tok); err != nil {
		t.Fatal(err)
	}
	call("POST", "/api/auth/logout", tok.AccessToken, "", 204)
	call("GET", "/api/students/me", tok.AccessToken, "", 401)
	// With METRICS_ADDR set, the metrics are there, and not on the public address.
	call("GET", "/metrics", "", "", http.StatusNotFound)
	res, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(metrics), `examiner_http_requests_total{method="PATCH",route="/api/exams/:id",status="409"} 1`) {
		t.Fatalf("GET /metrics on METRICS_ADDR: got %d, want 200 with the 409 counted:\n%.2000s", res.StatusCode, metrics)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after cancel, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s of cancel")
	}
}

// In production the owner of the tables is no superuser (as on Neon), and the server logs in as
// examiner_authenticator: migrations, seeding and key installation must work for such an owner,
// and forced row-level security applies to it too. Without the superuser's step
// (migrations.HidePreparedStatements) serve still serves, sending its statements unnamed.
func TestEverythingWorksForAnOwnerWhoIsNotASuperuser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	adminURL := testdb.EmptyURL(t)
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	var dbname string
	if err := admin.QueryRow(ctx, "SELECT current_database()").Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	// Role and database names cannot be parameters; these are our own, quoted.
	owner := pgx.Identifier{dbname + "_owner"}.Sanitize()
	for _, stmt := range []string{
		"CREATE ROLE " + owner + " LOGIN PASSWORD 'owner-password' CREATEROLE NOSUPERUSER NOBYPASSRLS",
		"ALTER DATABASE " + pgx.Identifier{dbname}.Sanitize() + " OWNER TO " + owner,
		// Like a DBA on a managed service: the roles exist, and the owner may hand them out
		// (PostgreSQL 16 asks for ADMIN OPTION where 15 was content with CREATEROLE).
		"DO $$ BEGIN CREATE ROLE examiner_student NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
		"DO $$ BEGIN CREATE ROLE examiner_anon NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
		"DO $$ BEGIN CREATE ROLE examiner_auth NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
		"DO $$ BEGIN CREATE ROLE examiner_verifier NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
		"DO $$ BEGIN CREATE ROLE examiner_authenticator LOGIN NOINHERIT; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
		"GRANT examiner_student, examiner_anon, examiner_auth, examiner_verifier, examiner_authenticator TO " + owner + " WITH ADMIN OPTION",
	} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(dbname+"_owner", "owner-password")
	ownerURL := u.String()

	// The role is cluster-wide; hand back what it owns so it can go once the test is over.
	t.Cleanup(func() {
		for _, stmt := range []string{"REASSIGN OWNED BY " + owner + " TO CURRENT_USER", "DROP OWNED BY " + owner, "DROP ROLE " + owner} {
			if _, err := admin.Exec(context.Background(), stmt); err != nil {
				t.Errorf("cleanup: %s: %v", stmt, err)
			}
		}
		admin.Close(context.Background())
	})

	var out bytes.Buffer
	ownerEnv := env(map[string]string{"DATABASE_URL": ownerURL, "JWT_SECRET": string(testdb.JWTSecret)})
	for _, args := range [][]string{{"migrate", "up"}, {"seed"}, {"keys", "install"}} {
		if err := run(ctx, args, ownerEnv, &out, &out); err != nil {
			t.Fatalf("%v as a non-superuser owner: %v", args, err)
		}
	}
	if _, err := admin.Exec(ctx, "REVOKE TEMPORARY ON DATABASE "+pgx.Identifier{dbname}.Sanitize()+" FROM PUBLIC"); err != nil {
		t.Fatal(err)
	}
	serveAndExercise(t, ownerURL, testdb.LoginURL(adminURL), nil)

	// Forced row-level security holds for the owner: without becoming a request role it sees no
	// student and can add none (a query that forgot the role fails closed). As Ada, the server's
	// login sees nothing of Bob's.
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	login := testdb.LoginPool(t, adminURL)
	st := store.New(login)
	bob, err := st.Register(ctx, "bob@example.com", "bob@example.com", "sha384-bcrypt$h", "Bob", store.Client{})
	if err != nil {
		t.Fatal(err)
	}
	var visible int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM students`).Scan(&visible); err != nil || visible != 0 {
		t.Errorf("the owner reading students without a request role: got %d rows (%v), want 0", visible, err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO students (email, email_key, password_hash, full_name) VALUES ('eve@example.com', 'eve@example.com', 'h', 'Eve')`); err == nil {
		t.Errorf("the owner inserting a student without a request role: got no error, want a row-level security error")
	}
	// A sign-in gives Ada's current token generation (serveAndExercise changed her password and
	// logged out).
	ada, generation, reason, err := st.SignIn(ctx, "ada@example.com", "ada@example.com", password.Prehash("a newer password"), 4, store.Client{})
	if err != nil || reason != "" {
		t.Fatalf("SignIn for Ada: got %q, %v", reason, err)
	}
	err = tenant.Run(ctx, login, testdb.Student(ada, generation), func(tx pgx.Tx) error {
		var seen int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM students WHERE id = $1`, bob.ID).Scan(&seen); err != nil {
			return err
		}
		if seen != 0 {
			t.Errorf("Ada seeing Bob's row: got %d rows, want 0", seen)
		}
		tag, err := tx.Exec(ctx, `UPDATE students SET full_name = 'Hacked' WHERE id = $1`, bob.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 0 {
			t.Errorf("Ada updating Bob: got %d rows, want 0", tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The server's request transactions bound every statement, lock wait and idle transaction; a
// setting in DATABASE_URL, in PostgreSQL's units, wins over the default. The connections name
// themselves, and that is their only startup parameter of ours: a transaction pooler refuses the
// others.
func TestTheServersTransactionsCarryTheirTimeouts(t *testing.T) {
	t.Parallel()
	url := testdb.URL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	names := []string{"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"}
	for _, tt := range []struct {
		query string
		want  []string // names' values inside a request transaction
	}{
		{"", []string{"5s", "2s", "10s"}},
		{"statement_timeout=1500", []string{"1500ms", "2s", "10s"}},
		{"lock_timeout=1.5%20min&idle_in_transaction_session_timeout=0&statement_timeout=3s", []string{"3s", "90s", "0"}},
	} {
		t.Run(orDefault(tt.query, "defaults"), func(t *testing.T) {
			u := url
			if tt.query != "" {
				u += sep + tt.query
			}
			pool, timeouts, err := openPool(t.Context(), testdb.LoginURL(u), 2, pgx.QueryExecModeCacheDescribe, true)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			err = tenant.RunAnonymous(t.Context(), tenant.WithTimeouts(pool, timeouts), func(tx pgx.Tx) error {
				for i, name := range names {
					var got string
					if err := tx.QueryRow(t.Context(), "SELECT current_setting($1)", name).Scan(&got); err != nil {
						return err
					}
					if got != tt.want[i] {
						t.Errorf("%s in a request transaction: got %q, want %q", name, got, tt.want[i])
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range append(names, "application_name") {
				var source, value string
				if err := pool.QueryRow(t.Context(), "SELECT source, setting FROM pg_settings WHERE name = $1", name).Scan(&source, &value); err != nil {
					t.Fatal(err)
				}
				if fromClient := source == "client"; fromClient != (name == "application_name") {
					t.Errorf("%s: set by %s (%q), want only application_name from the connection's startup", name, source, value)
				}
			}
			if pool.Config().ConnConfig.ConnectTimeout <= 0 {
				t.Error("no connect timeout")
			}
		})
	}
	if _, _, err := openPool(t.Context(), url+sep+"lock_timeout=5parsecs", 2, pgx.QueryExecModeCacheDescribe, true); err == nil || !strings.Contains(err.Error(), "lock_timeout") {
		t.Errorf("lock_timeout=5parsecs: got %v, want an error naming lock_timeout", err)
	}
}
