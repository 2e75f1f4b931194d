// Command examiner is the exam-practice API server and its administration commands.
//
//	examiner serve                 serve the API on HTTP_ADDR
//	examiner migrate up|down [N]|status
//	examiner seed                  load the subject catalogue and question banks (idempotent)
//	examiner questions import FILE.json | export [SUBJECT_CODE]
//	examiner dev                   for `make run`: a local PostgreSQL under .data/ when
//	                               DATABASE_URL is unset, then migrate, seed and serve
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, the next one kills the process as usual: a second Ctrl-C or
	// SIGTERM does not wait for the graceful shutdown.
	go func() { <-ctx.Done(); stop() }()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "examiner:", err)
		os.Exit(1)
	}
}

const usage = `usage: examiner <command>

commands:
  serve                    serve the API (needs DATABASE_URL, as examiner_authenticator, and JWT_SECRET)
  migrate up               migrate the database to the newest schema
  migrate down [N]         undo the newest N migrations (default 1)
  migrate status           print the database's and this binary's schema versions
  seed                     load the subject catalogue and its question banks (idempotent)
  questions import FILE    check a question file (- for stdin) against the schema and the
                           syllabus, then load it in one transaction (idempotent by code)
  questions export [CODE]  print a subject's questions (default 9708) as a question file
  keys install             store this server's claim key (from JWT_SECRET, under DB_CLAIM_KID)
  keys list                print the installed claim keys' kids and fingerprints
  keys retire KID          remove a claim key (never the last one)
  dev                      local development: a PostgreSQL under .data/ when DATABASE_URL
                           is unset, a JWT secret kept in .data/, then migrate, seed, serve
`

var errUsage = errors.New("see usage above")

// run is the whole program, with its environment passed in so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		cfg, err := loadConfig(getenv)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout, stderr, nil)
	case "migrate":
		return migrateCommand(ctx, args[1:], getenv, stdout)
	case "seed":
		return seedCommand(ctx, getenv, stdout)
	case "questions":
		return questionsCommand(ctx, args[1:], getenv, os.Stdin, stdout)
	case "keys":
		return keysCommand(ctx, args[1:], getenv, stdout)
	case "dev":
		return dev(ctx, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
}
