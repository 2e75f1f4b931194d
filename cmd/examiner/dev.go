package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"examiner/internal/pgserver"
	"examiner/migrations"
)

// dev is `make run`: with DATABASE_URL unset it runs a PostgreSQL of its own under .data/ (from
// the machine's PostgreSQL binaries, else in Docker), keeps a generated JWT secret there, then
// migrates, seeds and serves.
func dev(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	dataDir, err := filepath.Abs(orDefault(getenv("EXAMINER_DATA_DIR"), ".data"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	env := map[string]string{}
	if getenv("DATABASE_URL") == "" {
		dbURL, stop, err := startDevDatabase(ctx, dataDir, orDefault(getenv("DEV_PG_PORT"), "54329"), getenv, stderr)
		if err != nil {
			return err
		}
		defer stop()
		env["DATABASE_URL"] = dbURL
	}
	if getenv("JWT_SECRET") == "" {
		secret, err := devSecret(filepath.Join(dataDir, "jwt_secret"))
		if err != nil {
			return err
		}
		env["JWT_SECRET"] = secret
	}
	getenv2 := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return getenv(k)
	}
	if err := migrateCommand(ctx, []string{"up"}, getenv2, stdout); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := seedCommand(ctx, getenv2, stdout); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	loginURL, err := devLoginRole(ctx, getenv2("DATABASE_URL"), stderr)
	if err != nil {
		return err
	}
	if err := keysCommand(ctx, []string{"install"}, getenv2, stdout); err != nil {
		return err
	}
	env["DATABASE_URL"] = loginURL
	cfg, err := loadConfig(getenv2)
	if err != nil {
		return err
	}
	ready := make(chan string, 1)
	go func() {
		select {
		case addr := <-ready:
			fmt.Fprint(stdout, curlExample(addr, cfg.MetricsAddr))
		case <-ctx.Done():
		}
	}()
	return serve(ctx, cfg, stdout, stderr, ready)
}

// curlExample shows how to try the API served on addr, and where its metrics are: on
// metricsAddr, or on addr when that is "".
// devLoginRole does a DBA's part on ownerURL's database for a development run (docs/dba.md):
// examiner_authenticator gets a new random password for this run, and, when the owner is a
// superuser, the prepared statements are hidden from it. It returns the URL serve connects with,
// as examiner_authenticator, so that row-level security applies in development as in production.
func devLoginRole(ctx context.Context, ownerURL string, stderr io.Writer) (string, error) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	password := base64.RawURLEncoding.EncodeToString(b)
	// ALTER ROLE takes no parameters; the password is ours, in URL-safe base64, quoted.
	if _, err := conn.Exec(ctx, "ALTER ROLE examiner_authenticator PASSWORD '"+password+"'"); err != nil {
		return "", fmt.Errorf("dev: set the password of examiner_authenticator (DATABASE_URL must name the owner, with CREATEROLE): %w", err)
	}
	var superuser bool
	if err := conn.QueryRow(ctx, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = pg_catalog.current_user()").Scan(&superuser); err != nil {
		return "", err
	}
	if superuser {
		if err := migrations.HidePreparedStatements(ctx, conn); err != nil {
			return "", err
		}
	} else {
		fmt.Fprintln(stderr, "dev: not a superuser, so the prepared statements stay listable and serve sends them unnamed (docs/dba.md)")
	}
	u, err := url.Parse(ownerURL)
	if err != nil {
		return "", err
	}
	u.User = url.UserPassword("examiner_authenticator", password)
	return u.String(), nil
}

func curlExample(addr, metricsAddr string) string {
	port := addr[strings.LastIndex(addr, ":")+1:]
	base := "http://localhost:" + port
	metrics := base + "/metrics"
	if metricsAddr != "" {
		host := metricsAddr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		metrics = "http://" + host + "/metrics (METRICS_ADDR; not on the API's port)"
	}
	return fmt.Sprintf(`
examiner is serving on %[1]s. Try it (paste into another terminal):

  curl -s %[1]s/api/auth/register -H 'Content-Type: application/json' \
    -d '{"email":"ada@example.com","password":"correct horse battery","full_name":"Ada Lovelace"}'
  TOKEN=$(curl -s %[1]s/api/auth/login -H 'Content-Type: application/json' \
    -d '{"email":"ada@example.com","password":"correct horse battery"}' | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl -s %[1]s/api/students/me -H "Authorization: Bearer $TOKEN"
  curl -s %[1]s/api/subjects/9708 -H "Authorization: Bearer $TOKEN"
  curl -s %[1]s/api/exams -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"subject_code":"9708","exam_type":"FULL_PAPER","paper_number":2}'

The API's contract is at %[1]s/openapi.json and its interactive page at %[1]s/docs.
Its Prometheus metrics are at %[2]s.
Stop with Ctrl-C.
`, base, metrics)
}

// devSecret returns the development JWT secret kept at path, creating it on first use.
func devSecret(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(b)
	return secret, os.WriteFile(path, []byte(secret+"\n"), 0o600)
}

// startDevDatabase starts the development PostgreSQL and returns the URL of its "examiner"
// database and a function that stops it.
func startDevDatabase(ctx context.Context, dataDir, port string, getenv func(string) string, stderr io.Writer) (string, func(), error) {
	var portNum int
	if _, err := fmt.Sscan(port, &portNum); err != nil {
		return "", nil, fmt.Errorf("DEV_PG_PORT=%q: want a port number", port)
	}
	if _, err := pgserver.FindBinDir(); err == nil {
		return startDevLocal(ctx, dataDir, portNum, stderr)
	}
	if exec.Command("docker", "info").Run() == nil {
		return startDevDocker(ctx, dataDir, portNum, getenv, stderr)
	}
	return "", nil, errors.New("make run needs PostgreSQL and found none: install it (apt-get install postgresql-15), " +
		"or start Docker, or point DATABASE_URL at a database")
}

func startDevLocal(ctx context.Context, dataDir string, port int, stderr io.Writer) (string, func(), error) {
	pgDir := filepath.Join(dataDir, "postgres")
	if err := pgserver.PrepareDir(pgDir); err != nil {
		return "", nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(dataDir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", nil, err
	}
	fmt.Fprintf(stderr, "dev: starting PostgreSQL in %s on 127.0.0.1:%d (log: %s)\n", pgDir, port, logFile.Name())
	srv, err := pgserver.Start(ctx, pgserver.Options{DataDir: filepath.Join(pgDir, "data"), Port: port, Durable: true, Log: logFile})
	if err != nil {
		logFile.Close()
		hint := ""
		if os.Geteuid() == 0 {
			hint = "; as root, PostgreSQL runs as the postgres user, which must be able to reach " + pgDir +
				" (every parent directory needs o+x), or set EXAMINER_DATA_DIR to a directory it can reach"
		}
		return "", nil, fmt.Errorf("%w (see %s%s)", err, logFile.Name(), hint)
	}
	stop := func() { _ = srv.Stop(); logFile.Close() }
	if err := ensureDatabase(ctx, srv.URL("postgres"), "examiner"); err != nil {
		stop()
		return "", nil, err
	}
	return srv.URL("examiner"), stop, nil
}

// startDevDocker runs PostgreSQL in a container named examiner-dev-postgres with its data in a
// named volume, from DEV_PG_IMAGE or the first of the usual images present on this machine.
func startDevDocker(ctx context.Context, dataDir string, port int, getenv func(string) string, stderr io.Writer) (string, func(), error) {
	image := getenv("DEV_PG_IMAGE")
	for _, candidate := range []string{getenv("PGTEST_IMAGE"), "postgres:16-alpine", "examiner/postgres:15"} {
		if image == "" && candidate != "" && exec.Command("docker", "image", "inspect", candidate).Run() == nil {
			image = candidate
		}
	}
	if image == "" {
		return "", nil, errors.New("no PostgreSQL binaries here and no PostgreSQL image in Docker: install postgresql-15, " +
			"or build an image offline with: bash .ci/build-pg-image.sh examiner/postgres:15")
	}
	password, err := devSecret(filepath.Join(dataDir, "docker-postgres.password"))
	if err != nil {
		return "", nil, err
	}
	const name = "examiner-dev-postgres"
	fmt.Fprintf(stderr, "dev: starting PostgreSQL in Docker (%s) on 127.0.0.1:%d\n", image, port)
	if exec.Command("docker", "start", name).Run() != nil {
		out, err := exec.Command("docker", "run", "-d", "--name", name,
			"-p", fmt.Sprintf("127.0.0.1:%d:5432", port),
			"-e", "POSTGRES_PASSWORD="+password, "-e", "POSTGRES_DB=examiner",
			"-v", "examiner-dev-pgdata:/var/lib/postgresql/data", image).CombinedOutput()
		if err != nil {
			return "", nil, fmt.Errorf("docker run: %v: %s", err, out)
		}
	}
	stop := func() { _ = exec.Command("docker", "stop", name).Run() }
	dbURL := (&url.URL{Scheme: "postgres", User: url.UserPassword("postgres", password),
		Host: fmt.Sprintf("127.0.0.1:%d", port), Path: "/examiner", RawQuery: "sslmode=disable"}).String()
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, dbURL)
		if err == nil {
			conn.Close(ctx)
			return dbURL, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("PostgreSQL in Docker not ready after 60s: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func ensureDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	// A database name cannot be a bind parameter; name is a constant of ours, quoted.
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}
