// Package testdb gives every test its own PostgreSQL database, cloned from a template that is
// migrated once per test binary, so tests run in parallel against the real thing.
//
// The server is chosen once per test binary, in this order:
//
//  1. TEST_DATABASE_URL: an existing server (the URL's user must be able to create databases
//     and roles);
//  2. Docker, through dockertest, with the image PGTEST_IMAGE (default postgres:16-alpine);
//  3. the PostgreSQL binaries installed on the machine, in a temporary directory.
//
// EXAMINER_TEST_BACKEND=url|docker|local insists on one of them (CI sets docker). When none can
// be had, every test that asks for a database fails with a message saying what is missing: the
// harness never skips. It prints the backend it used as a line starting "testdb: backend=".
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"

	"examiner/internal/dbclaim"
	"examiner/internal/dbsqlc"
	"examiner/internal/pgserver"
	"examiner/migrations"
	"examiner/tenant"
)

// DefaultImage is the Docker image used when PGTEST_IMAGE is unset.
const DefaultImage = "postgres:16-alpine"

type server struct {
	backend  string // "url", "docker" or "local"
	detail   string
	adminURL string
	admin    *pgxpool.Pool
	template string
	stop     func()
}

var (
	startOnce sync.Once
	started   *server
	startErr  error
	cloneMu   sync.Mutex // CREATE DATABASE … TEMPLATE wants the template to itself
)

// Main runs a package's tests, then stops whatever server the harness started. Use it as
//
//	func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if started != nil {
		started.close()
	}
	return code
}

// URL returns the connection string of a new database, migrated to the newest schema, that is
// dropped when t ends. Its user is the server's superuser (or TEST_DATABASE_URL's user): the
// owner, for migrations, seeds and checks behind the application's back. The application itself
// connects as LoginURL(URL(t)), with claims from Claims.
func URL(t testing.TB) string {
	t.Helper()
	s := mustServer(t)
	return s.create(t, s.template)
}

// EmptyURL is URL without the migrations, for tests of the migrations themselves.
func EmptyURL(t testing.TB) string {
	t.Helper()
	s := mustServer(t)
	return s.create(t, "template0")
}

// Pool returns a pgx pool on a new migrated database (see URL), as its owner, closed when t ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func mustServer(t testing.TB) *server {
	t.Helper()
	startOnce.Do(func() { started, startErr = start() })
	if startErr != nil {
		t.Fatalf("testdb: no PostgreSQL for the tests: %v", startErr)
	}
	return started
}

func start() (*server, error) {
	want := os.Getenv("EXAMINER_TEST_BACKEND")
	switch want {
	case "", "url", "docker", "local":
	default:
		return nil, fmt.Errorf("EXAMINER_TEST_BACKEND=%q: want url, docker or local", want)
	}
	var tried []string
	for _, b := range []struct {
		name  string
		start func() (*server, error)
	}{{"url", startURL}, {"docker", startDocker}, {"local", startLocal}} {
		if want != "" && want != b.name {
			continue
		}
		s, err := b.start()
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", b.name, err))
			continue
		}
		if err := s.prepare(); err != nil {
			s.close()
			return nil, fmt.Errorf("%s: %w", s.backend, err)
		}
		fmt.Printf("testdb: backend=%s %s (%s)\n", s.backend, s.detail, filepath.Base(os.Args[0]))
		return s, nil
	}
	return nil, errors.New(strings.Join(tried, "; ") +
		"\nset TEST_DATABASE_URL, or run Docker with a PostgreSQL image (bash .ci/build-pg-image.sh builds one offline), or install PostgreSQL (apt-get install postgresql-15)")
}

func startURL() (*server, error) {
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		return nil, errors.New("TEST_DATABASE_URL is not set")
	}
	return &server{backend: "url", detail: "from TEST_DATABASE_URL", adminURL: u, stop: func() {}}, nil
}

func startDocker() (*server, error) {
	image := os.Getenv("PGTEST_IMAGE")
	if image == "" {
		image = DefaultImage
	}
	repo, tag := image, "latest"
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		repo, tag = image[:i], image[i+1:]
	}
	pool, err := dockertest.NewPool("")
	if err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	if err := pool.Client.Ping(); err != nil {
		return nil, fmt.Errorf("docker engine not reachable: %w", err)
	}
	if _, err := pool.Client.InspectImage(repo + ":" + tag); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		err := pool.Client.PullImage(dc.PullImageOptions{Repository: repo, Tag: tag, Context: ctx}, dc.AuthConfiguration{})
		cancel()
		if err != nil {
			return nil, fmt.Errorf("image %s is not on this machine and cannot be pulled (%v); build one offline: bash .ci/build-pg-image.sh examiner/postgres:15 && export PGTEST_IMAGE=examiner/postgres:15", image, err)
		}
	}
	password := randomHex(16)
	res, err := pool.RunWithOptions(&dockertest.RunOptions{
		Repository: repo,
		Tag:        tag,
		Env:        []string{"POSTGRES_PASSWORD=" + password},
		Cmd: []string{"postgres", "-c", "fsync=off", "-c", "synchronous_commit=off",
			"-c", "full_page_writes=off", "-c", "max_connections=200"},
		PortBindings: map[dc.Port][]dc.PortBinding{"5432/tcp": {{HostIP: "127.0.0.1"}}},
		Labels:       map[string]string{"examiner.testdb": "1"},
	}, func(hc *dc.HostConfig) {
		hc.AutoRemove = true
		hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
	})
	if err != nil {
		return nil, fmt.Errorf("start container from %s: %w", image, err)
	}
	_ = res.Expire(1800) // a killed test binary must not leave a container running for ever
	adminURL := (&url.URL{
		Scheme: "postgres", User: url.UserPassword("postgres", password),
		Host: res.GetHostPort("5432/tcp"), Path: "/postgres", RawQuery: "sslmode=disable",
	}).String()
	pool.MaxWait = 90 * time.Second
	if err := pool.Retry(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		return conn.Ping(ctx)
	}); err != nil {
		_ = pool.Purge(res)
		return nil, fmt.Errorf("container from %s never accepted connections: %w", image, err)
	}
	return &server{
		backend: "docker", detail: "image=" + image, adminURL: adminURL,
		stop: func() { _ = pool.Purge(res) },
	}, nil
}

func startLocal() (*server, error) {
	dir, err := os.MkdirTemp("", "examiner-testdb-")
	if err != nil {
		return nil, err
	}
	if err := pgserver.PrepareDir(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	srv, err := pgserver.Start(context.Background(), pgserver.Options{DataDir: filepath.Join(dir, "data")})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &server{
		backend: "local", detail: "bin=" + srv.BinDir, adminURL: srv.URL("postgres"),
		stop: func() { _ = srv.Stop(); os.RemoveAll(dir) },
	}, nil
}

// prepare opens the admin pool and builds the migrated template database.
func (s *server) prepare() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgxpool.New(ctx, s.adminURL)
	if err != nil {
		return err
	}
	s.admin = admin
	s.template = "examiner_tpl_" + randomHex(6)
	// Database names cannot be bind parameters; they are our own random names, quoted.
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{s.template}.Sanitize()); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	conn, err := pgx.Connect(ctx, withDatabase(s.adminURL, s.template))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if err := migrations.Up(ctx, conn); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	// What a DBA does once (docs/dba.md): the superuser's step, the login role's password, and
	// the claim key of the tests' JWT secret (examiner keys install).
	if err := migrations.HidePreparedStatements(ctx, conn); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "ALTER ROLE examiner_authenticator PASSWORD "+quoteLiteral(loginPassword)); err != nil {
		return fmt.Errorf("set the login role's password: %w", err)
	}
	if _, err := dbsqlc.New(conn).InstallClaimKey(ctx, dbsqlc.InstallClaimKeyParams{Kid: Claims.KID(), Key: Claims.Key()}); err != nil {
		return fmt.Errorf("install the tests' claim key: %w", err)
	}
	return nil
}

// quoteLiteral quotes s as an SQL string literal (ALTER ROLE takes no parameters); s is ours.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// loginPassword is examiner_authenticator's password on the tests' servers. It is fixed, not
// random, because roles belong to the cluster, and test binaries sharing one (TEST_DATABASE_URL)
// would otherwise change it under each other.
const loginPassword = "examiner-tests-login-role"

// JWTSecret is the tests' JWT secret; the claim key derived from it (Claims) is installed in every
// database the harness makes.
var JWTSecret = []byte("examiner tests: a JWT secret of at least 32 bytes")

// Claims signs the tests' claims, under dbclaim.DefaultKID.
var Claims = func() *dbclaim.Signer {
	s, err := dbclaim.NewSigner(JWTSecret, dbclaim.DefaultKID)
	if err != nil {
		panic(err)
	}
	return s
}()

// Student is student id at token generation gen, with a claim valid for a day: what the server
// makes of a verified token (dbclaim.Signer.Student).
func Student(id uuid.UUID, gen int64) tenant.Student {
	return tenant.Student{ID: id, TokenGeneration: gen, Claim: Claims.Claim(id, gen, time.Now().Add(24*time.Hour))}
}

// LoginURL is url (a database of the harness's) as the server's login role,
// examiner_authenticator: what serve connects as.
func LoginURL(url string) string {
	return withUser(url, "examiner_authenticator", loginPassword)
}

// LoginPool is a pool on url's database as the login role, closed when t ends.
func LoginPool(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), LoginURL(url))
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func withUser(raw, user, password string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(fmt.Sprintf("testdb: bad database URL: %v", err))
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

func (s *server) create(t testing.TB, template string) string {
	t.Helper()
	name := "examiner_test_" + randomHex(6)
	ctx := context.Background()
	cloneMu.Lock()
	_, err := s.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{template}.Sanitize())
	cloneMu.Unlock()
	if err != nil {
		t.Fatalf("testdb: create database from %s: %v", template, err)
	}
	// A database's own privileges are not copied from its template: take TEMP from PUBLIC again,
	// as migration 013 did in the template.
	if template == s.template {
		if _, err := s.admin.Exec(ctx, "REVOKE TEMPORARY ON DATABASE "+pgx.Identifier{name}.Sanitize()+" FROM PUBLIC"); err != nil {
			t.Fatalf("testdb: revoke TEMP on %s: %v", name, err)
		}
	}
	t.Cleanup(func() {
		if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	return withDatabase(s.adminURL, name)
}

func (s *server) close() {
	if s.admin != nil {
		if s.backend == "url" && s.template != "" {
			_, _ = s.admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{s.template}.Sanitize()+" WITH (FORCE)")
		}
		s.admin.Close()
	}
	s.stop()
}

func withDatabase(raw, database string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(fmt.Sprintf("testdb: bad database URL: %v", err))
	}
	u.Path = "/" + database
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// writeCounter counts the writes a connection makes to the network: each is one flush of pgx's
// buffer, so work that needs n round trips makes n writes.
type writeCounter struct {
	net.Conn
	n *atomic.Int64
}

func (c writeCounter) Write(b []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(b)
}

// CountingPool is a pool of one connection to url, sending statements in mode, and the count of
// the network writes it makes: for tests of how many round trips work takes. With private, its
// connections prepare the generated statements privately, as serve's do
// (tenant.UsePrivateStatements; mode must then not be cache_statement). It is closed when t ends.
func CountingPool(t testing.TB, url string, mode pgx.QueryExecMode, private bool) (*pgxpool.Pool, *atomic.Int64) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	var writes atomic.Int64
	dial := cfg.ConnConfig.DialFunc
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return writeCounter{c, &writes}, nil
	}
	cfg.ConnConfig.DefaultQueryExecMode = mode
	if private {
		cfg.AfterConnect = tenant.UsePrivateStatements
	}
	cfg.MaxConns = 1
	cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, &writes
}
