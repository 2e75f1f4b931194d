package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"examiner/internal/pgserver"
)

// pgTuning is what the benchmark's own PostgreSQL runs with, on top of pgserver's defaults
// (max_connections=200, 127.0.0.1 only). fsync stays on; commits do not wait for their WAL flush
// (synchronous_commit=off: a crash may lose the last moments of commits, never consistency),
// so POST measures the server rather than this machine's disk. The cache holds the whole data
// set, and checkpoints stay out of a run.
var pgTuning = [][2]string{
	{"shared_buffers", "512MB"},
	{"effective_cache_size", "4GB"},
	{"synchronous_commit", "off"},
	{"max_wal_size", "4GB"},
	{"checkpoint_timeout", "30min"},
	{"wal_buffers", "16MB"},
	{"log_min_messages", "warning"},
}

// database is where the benchmark runs: its URL (a superuser's, or a role with BYPASSRLS, which
// the bulk seed needs) and how to stop it.
type database struct {
	URL        string
	Postmaster int // its pid when it is ours, for CPU accounting
	stop       func()
}

func (d *database) Close() {
	if d.stop != nil {
		d.stop()
	}
}

// startDatabase uses url when given, or else starts a private PostgreSQL from the machine's
// binaries (internal/pgserver, as `make run` and the tests do) in dir, tuned with pgTuning.
func startDatabase(ctx context.Context, url, dir string, out io.Writer) (*database, error) {
	if url != "" {
		d := &database{URL: url}
		return d, d.describe(ctx, out)
	}
	pgDir := filepath.Join(dir, "postgres")
	if err := pgserver.PrepareDir(pgDir); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	opts := pgserver.Options{DataDir: filepath.Join(pgDir, "data"), Durable: true, Log: logFile}
	srv, err := pgserver.Start(ctx, opts)
	if err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start PostgreSQL: %w (log: %s)", err, logFile.Name())
	}
	// ALTER SYSTEM, then a restart for shared_buffers; pgserver's own -c options still win.
	if err := alterSystem(ctx, srv.URL("postgres")); err != nil {
		_ = srv.Stop()
		logFile.Close()
		return nil, err
	}
	_ = srv.Stop()
	opts.Port = srv.Port
	if srv, err = pgserver.Start(ctx, opts); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("restart PostgreSQL: %w (log: %s)", err, logFile.Name())
	}
	d := &database{URL: srv.URL("examiner"), Postmaster: srv.PID(),
		stop: func() { _ = srv.Stop(); logFile.Close() }}
	if err := createDatabase(ctx, srv.URL("postgres"), "examiner"); err != nil {
		d.Close()
		return nil, err
	}
	fmt.Fprintf(out, "PostgreSQL: private server from %s on 127.0.0.1:%d, data in %s\n", srv.BinDir, srv.Port, opts.DataDir)
	if err := d.describe(ctx, out); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func alterSystem(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, kv := range pgTuning {
		// ALTER SYSTEM takes no bind parameters; names and values are our constants above.
		if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER SYSTEM SET %s = '%s'", kv[0], kv[1])); err != nil {
			return fmt.Errorf("ALTER SYSTEM SET %s: %w", kv[0], err)
		}
	}
	return nil
}

func createDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

// describe prints the server's version and the settings that matter to the benchmark.
func (d *database) describe(ctx context.Context, out io.Writer) error {
	conn, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		return fmt.Errorf("connect to the benchmark database: %w", err)
	}
	defer conn.Close(context.Background())
	var version string
	if err := conn.QueryRow(ctx, `SELECT current_setting('server_version')`).Scan(&version); err != nil {
		return err
	}
	rows, err := conn.Query(ctx, `
		SELECT name, current_setting(name)
		FROM pg_settings
		WHERE name = ANY($1)
		ORDER BY name`,
		[]string{"max_connections", "shared_buffers", "effective_cache_size", "fsync", "synchronous_commit",
			"full_page_writes", "max_wal_size", "checkpoint_timeout", "wal_buffers", "jit", "work_mem"})
	if err != nil {
		return err
	}
	var settings []string
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return err
		}
		settings = append(settings, name+"="+value)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	fmt.Fprintf(out, "PostgreSQL %s: %s\n", version, strings.Join(settings, " "))
	return nil
}
