// Command bench is the load harness of `make bench`: it starts PostgreSQL (or uses
// BENCH_DATABASE_URL), builds and runs the examiner server as a separate process, logged in as
// examiner_authenticator with the claim key installed, seeds 1,000 students with 100 exams each
// and a running practice exam of 30 questions, loads the API at 64 keep-alive connections with a
// different token per student, measures the database's own ceiling for the list transaction with
// pgbench, compares that transaction in one round trip and in four with pgx, compares the list
// with the unverified server of the commit before issue 12 (compare.go), loads the questions and
// the autosave path of the practice exams, each with its pgbench ceiling (practice_phases.go),
// storms the login endpoint, holds 1,000 idle connections, and prints every figure beside its
// target. It is a measurement, not a test: a missed target still
// exits 0, an error (any non-2xx answer under load, a failed step) exits 1.
//
//	go run ./cmd/bench          # BENCH_DURATION=3s for a quick run; see settings.go
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// A closed output (`… | head`) must not kill the harness before it stops its PostgreSQL.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	err := run(ctx, os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
