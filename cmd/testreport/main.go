// Command testreport reads `go test -json` on stdin and prints what a person needs: the output
// of failing tests and packages, which database backend each package used, the suites' "report:"
// lines (what the isolation, pgTAP and leak tests counted), one line per package, and a closing
// line "tests: N passed, N failed, N skipped". It exits 1 when anything failed, or
// when no test ran at all.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	if !report(os.Stdin, os.Stdout) {
		os.Exit(1)
	}
}

// report summarises the go test -json stream in to out and reports whether everything passed.
func report(in io.Reader, out io.Writer) bool {
	var (
		passed, failed, skipped int
		output                  = map[string][]string{} // package/test -> lines
		backends                = map[string]bool{}
		reports                 []string // "report: " lines: what suites counted (isolation, pgTAP, leaks)
		failedKeys              []string
		pkgLines                []string
		buildFailed             bool
	)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			fmt.Fprintln(out, string(line)) // not JSON: compiler output and the like
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output", "build-output":
			output[key] = append(output[key], e.Output)
			if strings.HasPrefix(e.Output, "testdb: backend=") {
				backends[strings.TrimSpace(e.Output)] = true
			}
			if strings.HasPrefix(e.Output, "report: ") {
				reports = append(reports, strings.TrimSpace(e.Output))
			}
		case "build-fail":
			buildFailed = true
			failedKeys = append(failedKeys, key)
		case "pass", "fail", "skip":
			if e.Test == "" {
				if e.Action == "skip" {
					continue // no test files
				}
				status := map[string]string{"pass": "ok  ", "fail": "FAIL"}[e.Action]
				pkgLines = append(pkgLines, fmt.Sprintf("%s %s %.1fs", status, e.Package, e.Elapsed))
				if e.Action == "fail" {
					failedKeys = append(failedKeys, key)
				}
				continue
			}
			switch e.Action {
			case "pass":
				passed++
			case "fail":
				failed++
				failedKeys = append(failedKeys, key)
			case "skip":
				skipped++
				fmt.Fprintf(out, "skipped: %s %s: %s", e.Package, e.Test, lastReason(output[key]))
			}
		}
	}
	for _, k := range failedKeys {
		fmt.Fprintf(out, "--- %s\n%s", k, strings.Join(output[k], ""))
	}
	for _, l := range pkgLines {
		fmt.Fprintln(out, l)
	}
	var bs []string
	for b := range backends {
		bs = append(bs, b)
	}
	sort.Strings(bs)
	for _, b := range bs {
		fmt.Fprintln(out, b)
	}
	sort.Strings(reports)
	for _, r := range reports {
		fmt.Fprintln(out, r)
	}
	fmt.Fprintf(out, "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if err := sc.Err(); err != nil {
		fmt.Fprintf(out, "testreport: reading the test output: %v\n", err)
		return false
	}
	return failed == 0 && !buildFailed && len(failedKeys) == 0 && passed > 0
}

func lastReason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "---") {
			return l + "\n"
		}
	}
	return "\n"
}
