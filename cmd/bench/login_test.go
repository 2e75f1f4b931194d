package main

import (
	"context"
	"errors"
	"os/exec"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestThePgxLoadSendsStatementsAsServeDoes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		mode        pgx.QueryExecMode
		hidden      bool
		wantMode    pgx.QueryExecMode
		wantPrivate bool
	}{
		{"the default, statements hidden", pgx.QueryExecModeCacheStatement, true, pgx.QueryExecModeCacheDescribe, true},
		{"the default, statements listable", pgx.QueryExecModeCacheStatement, false, pgx.QueryExecModeCacheDescribe, false},
		{"exec, behind a pooler", pgx.QueryExecModeExec, true, pgx.QueryExecModeExec, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mode, private := serverMode(tc.mode, tc.hidden)
			if mode != tc.wantMode || private != tc.wantPrivate {
				t.Errorf("got %v, private %v; want %v, private %v", mode, private, tc.wantMode, tc.wantPrivate)
			}
		})
	}
}

func TestPgbenchGetsNoPasswordOnItsCommandLine(t *testing.T) {
	t.Parallel()
	got := withoutPassword("postgres://examiner_authenticator:s3cret@127.0.0.1:5432/examiner?sslmode=disable")
	if want := "postgres://examiner_authenticator@127.0.0.1:5432/examiner?sslmode=disable"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestAnUnknownBaselineSkipsTheComparisonRatherThanFailingTheRun(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git here")
	}
	_, _, err := buildBaseline(context.Background(), t.TempDir(), "no-such-ref-of-the-bench-harness")
	if !errors.Is(err, errUnavailable) {
		t.Errorf("got %v, want errUnavailable", err)
	}
}
