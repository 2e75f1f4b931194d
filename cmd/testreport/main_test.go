package main

import (
	"bytes"
	"strings"
	"testing"
)

const stream = `{"Action":"start","Package":"examiner/tenant"}
{"Action":"output","Package":"examiner/tenant","Output":"testdb: backend=docker image=x (tenant.test)\n"}
{"Action":"run","Package":"examiner/tenant","Test":"TestA"}
{"Action":"output","Package":"examiner/tenant","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"examiner/tenant","Test":"TestA","Output":"report: pgTAP: 3 tests in 1 files passed\n"}
{"Action":"pass","Package":"examiner/tenant","Test":"TestA","Elapsed":0.1}
{"Action":"run","Package":"examiner/tenant","Test":"TestB"}
{"Action":"output","Package":"examiner/tenant","Test":"TestB","Output":"    b_test.go:9: got 1, want 2\n"}
{"Action":"fail","Package":"examiner/tenant","Test":"TestB","Elapsed":0.1}
{"Action":"run","Package":"examiner/tenant","Test":"TestC"}
{"Action":"output","Package":"examiner/tenant","Test":"TestC","Output":"    c_test.go:3: needs a browser\n"}
{"Action":"skip","Package":"examiner/tenant","Test":"TestC","Elapsed":0}
{"Action":"fail","Package":"examiner/tenant","Elapsed":0.3}
{"Action":"skip","Package":"examiner/internal/seed","Elapsed":0}
`

func TestReportCountsAndShowsFailuresSkipsAndBackends(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if report(strings.NewReader(stream), &out) {
		t.Fatal("report: got ok for a stream with a failure")
	}
	got := out.String()
	for _, want := range []string{
		"tests: 1 passed, 1 failed, 1 skipped\n",
		"b_test.go:9: got 1, want 2",
		"skipped: examiner/tenant TestC: c_test.go:3: needs a browser",
		"testdb: backend=docker image=x (tenant.test)",
		"FAIL examiner/tenant",
		"report: pgTAP: 3 tests in 1 files passed\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report: got\n%s\nwant it to contain %q", got, want)
		}
	}
	if strings.Contains(got, "examiner/internal/seed") {
		t.Errorf("report mentions a package without tests:\n%s", got)
	}
}

func TestReportPassesOnlyWhenSomethingPassedAndNothingFailed(t *testing.T) {
	t.Parallel()
	pass := `{"Action":"pass","Package":"p","Test":"TestA"}` + "\n" + `{"Action":"pass","Package":"p"}` + "\n"
	tests := []struct {
		name  string
		input string
		ok    bool
	}{
		{"one passing test", pass, true},
		{"no tests at all", `{"Action":"skip","Package":"p"}` + "\n", false},
		{"a build failure", pass + `{"Action":"build-fail","ImportPath":"q"}` + "\n", false},
		{"a failing package without failing tests", pass + `{"Action":"fail","Package":"q"}` + "\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := report(strings.NewReader(tt.input), &bytes.Buffer{}); got != tt.ok {
				t.Fatalf("report: got ok=%v, want %v", got, tt.ok)
			}
		})
	}
}
