package main

import (
	"strings"
	"testing"
	"time"
)

func TestPercentileIsTheNearestRank(t *testing.T) {
	t.Parallel()
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 99, 0},
		{"one", []time.Duration{7}, 50, 7},
		{"one, p99", []time.Duration{7}, 99, 7},
		{"two, p50", []time.Duration{1, 2}, 50, 1},
		{"two, p99", []time.Duration{1, 2}, 99, 2},
		{"hundred, p50", hundred, 50, 50 * time.Millisecond},
		{"hundred, p99", hundred, 99, 99 * time.Millisecond},
		{"hundred, p100", hundred, 100, 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("percentile(%v, %v): got %v, want %v", tc.sorted, tc.p, got, tc.want)
			}
		})
	}
}

func TestPooledTakesSeveralWindowsAsOne(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	st := pooled(2*time.Second, []time.Duration{3 * ms, 1 * ms}, []time.Duration{2 * ms, 4 * ms})
	if want := (stats{N: 4, PerSec: 2, P50: 2 * ms, P99: 4 * ms}); st != want {
		t.Errorf("got %+v, want %+v", st, want)
	}
}

func TestSummarizeCountsOnlyTheWindow(t *testing.T) {
	t.Parallel()
	samples := []sample{
		{start: 500 * time.Millisecond, latency: time.Second}, // warm-up
		{start: time.Second, latency: 2 * time.Millisecond},
		{start: 1500 * time.Millisecond, latency: 4 * time.Millisecond},
		{start: 2999 * time.Millisecond, latency: 3 * time.Millisecond},
		{start: 3 * time.Second, latency: time.Second}, // after
	}
	st := summarize(samples, time.Second, 3*time.Second)
	if want := (stats{N: 3, PerSec: 1.5, P50: 3 * time.Millisecond, P99: 4 * time.Millisecond}); st != want {
		t.Errorf("got %+v, want %+v", st, want)
	}
}

func TestThePgbenchScriptsBindEveryParameterOfTheServersStatements(t *testing.T) {
	t.Parallel()
	pipelined, naive, lean, err := pgbenchScripts(1000)
	if err != nil {
		t.Fatal(err)
	}
	for name, script := range map[string]string{"pipelined": pipelined, "naive": naive, "lean": lean} {
		if strings.Contains(script, "$") {
			t.Errorf("%s script: got a bind parameter left in\n%s", name, script)
		}
		if !strings.Contains(script, `\set n random(1, 1000)`) {
			t.Errorf("%s script: got no random student\n%s", name, script)
		}
	}
	if !strings.Contains(pipelined, "\\startpipeline\n") || !strings.HasSuffix(pipelined, "\\endpipeline\n") {
		t.Errorf("pipelined script: got\n%s\nwant the statements between \\startpipeline and \\endpipeline", pipelined)
	}
	if !strings.Contains(naive, "BEGIN;\n") || !strings.HasSuffix(naive, "COMMIT;\n") {
		t.Errorf("naive script: got\n%s\nwant BEGIN … COMMIT", naive)
	}
	for name, script := range map[string]string{"pipelined": pipelined, "naive": naive, "lean": lean} {
		if !strings.Contains(script, "set_config('app.claim', "+claimLookupSQL(":n")) {
			t.Errorf("%s script: got no claim read from %s\n%s", name, benchClaimsTable, script)
		}
		for _, gone := range []string{"app.student_id", "check_token"} {
			if strings.Contains(script, gone) {
				t.Errorf("%s script: got %s, which issue 12 removed\n%s", name, gone, script)
			}
		}
	}
	if _, err := bindPgbench("SELECT $1, $9", map[int]string{1: "x"}); err == nil {
		t.Error("an unbound parameter: got no error")
	}
}

func TestStudentUUIDMatchesItsSQL(t *testing.T) {
	t.Parallel()
	if got, want := studentUUID(42).String(), "00000000-0000-4000-8000-000000000042"; got != want {
		t.Errorf("studentUUID(42): got %s, want %s", got, want)
	}
	if got, want := studentUUIDSQL(":n"), "('00000000-0000-4000-8000-' || lpad(:n, 12, '0'))::uuid"; got != want {
		t.Errorf("studentUUIDSQL: got %s, want %s", got, want)
	}
}
