package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"examiner/internal/password"
	"examiner/tenant"
)

// settings are the harness's knobs, from BENCH_* environment variables. The server's own
// settings (DB_MAX_CONNS, DB_QUERY_EXEC_MODE, PASSWORD_CONCURRENCY, GOMAXPROCS, …) pass through
// from the environment to every server process the harness starts.
type settings struct {
	Duration            time.Duration     // BENCH_DURATION: each measured phase
	Warmup              time.Duration     // BENCH_WARMUP: before each measured phase
	Conns               int               // BENCH_CONNECTIONS: keep-alive connections of the load
	Students            int               // BENCH_STUDENTS
	Exams               int               // BENCH_EXAMS: per student
	Logins              int               // BENCH_LOGINS: concurrent logins of the storm
	IdleConns           int               // BENCH_IDLE_CONNECTIONS
	DatabaseURL         string            // BENCH_DATABASE_URL, else DATABASE_URL; empty: a local PostgreSQL
	BaselineRef         string            // BENCH_BASELINE_REF: the unverified server's commit (baselineRef)
	PasswordConcurrency int               // PASSWORD_CONCURRENCY as the server will take it
	DBMaxConns          int               // DB_MAX_CONNS as the server will take it, for the pgx load
	DBQueryExecMode     pgx.QueryExecMode // DB_QUERY_EXEC_MODE as the server will take it, for the pgx load
}

func loadSettings(getenv func(string) string) (settings, error) {
	s := settings{DatabaseURL: getenv("BENCH_DATABASE_URL"), BaselineRef: orDefault(getenv("BENCH_BASELINE_REF"), baselineRef)}
	if s.DatabaseURL == "" {
		s.DatabaseURL = getenv("DATABASE_URL")
	}
	var err error
	for _, d := range []struct {
		name string
		into *time.Duration
		def  string
	}{
		{"BENCH_DURATION", &s.Duration, "10s"},
		{"BENCH_WARMUP", &s.Warmup, "3s"},
	} {
		v := orDefault(getenv(d.name), d.def)
		if *d.into, err = time.ParseDuration(v); err != nil || *d.into <= 0 {
			return s, fmt.Errorf("%s=%q: want a positive duration such as %s", d.name, v, d.def)
		}
	}
	for _, n := range []struct {
		name string
		into *int
		def  int
	}{
		{"BENCH_CONNECTIONS", &s.Conns, 64},
		{"BENCH_STUDENTS", &s.Students, 1000},
		{"BENCH_EXAMS", &s.Exams, 100},
		{"BENCH_LOGINS", &s.Logins, 100},
		{"BENCH_IDLE_CONNECTIONS", &s.IdleConns, 1000},
		// The server's default: this process runs in the same cgroup, so GOMAXPROCS is the same.
		{"PASSWORD_CONCURRENCY", &s.PasswordConcurrency, password.DefaultConcurrency()},
		{"DB_MAX_CONNS", &s.DBMaxConns, 10},
	} {
		v := orDefault(getenv(n.name), strconv.Itoa(n.def))
		if *n.into, err = strconv.Atoi(v); err != nil || *n.into < 1 {
			return s, fmt.Errorf("%s=%q: want a positive number", n.name, v)
		}
	}
	mode := orDefault(getenv("DB_QUERY_EXEC_MODE"), "cache_statement")
	if s.DBQueryExecMode, err = tenant.ExecMode(mode); err != nil {
		return s, fmt.Errorf("DB_QUERY_EXEC_MODE=%q: %w", mode, err)
	}
	if s.Students > 999999999999 {
		return s, fmt.Errorf("BENCH_STUDENTS=%d: at most 12 digits", s.Students)
	}
	if s.Logins > s.Students {
		return s, fmt.Errorf("BENCH_LOGINS=%d: at most BENCH_STUDENTS (%d), one student per login", s.Logins, s.Students)
	}
	return s, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
