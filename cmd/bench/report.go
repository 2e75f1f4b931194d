package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// row is one line of the result table: a figure, what was measured, its target and whether the
// target was met (PASS, MISS), could not be checked (SKIP) or there is none (info).
type row struct {
	Figure, Measured, Target, Verdict string
}

type report struct {
	rows   []row
	errors []string // what makes the run fail: errors, as opposed to missed targets
}

func (r *report) info(figure, measured string) {
	r.rows = append(r.rows, row{figure, measured, "", "info"})
}

func (r *report) check(figure, measured, target string, pass bool) {
	v := "MISS"
	if pass {
		v = "PASS"
	}
	r.rows = append(r.rows, row{figure, measured, target, v})
}

// skip is a check that could not be made, with the reason in place of the figure.
func (r *report) skip(figure, reason string) {
	r.rows = append(r.rows, row{figure, reason, "", "SKIP"})
}

func (r *report) fail(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// print writes the table as Markdown, so docs/benchmarks.md can take it as it is.
func (r *report) print(out io.Writer) {
	header := row{"Figure", "Measured", "Target", "Verdict"}
	widths := []int{0, 0, 0, 0}
	for _, x := range append([]row{header}, r.rows...) {
		for i, c := range []string{x.Figure, x.Measured, x.Target, x.Verdict} {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	line := func(cells ...string) {
		for i, c := range cells {
			fmt.Fprintf(out, "| %s%s ", c, strings.Repeat(" ", widths[i]-len([]rune(c))))
		}
		fmt.Fprintln(out, "|")
	}
	line(header.Figure, header.Measured, header.Target, header.Verdict)
	line(strings.Repeat("-", widths[0]), strings.Repeat("-", widths[1]), strings.Repeat("-", widths[2]), strings.Repeat("-", widths[3]))
	for _, x := range r.rows {
		line(x.Figure, x.Measured, x.Target, x.Verdict)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// rate is a throughput with its percentiles.
func rate(st stats, unit string) string {
	return fmt.Sprintf("%.0f %s, p50 %s, p99 %s", st.PerSec, unit, ms(st.P50), ms(st.P99))
}

// phaseCPU is what a phase's CPU meter read, and how many requests (or pgbench transactions,
// warm-up included) it covered.
type phaseCPU struct {
	use      cpuUse
	requests int
}

// ceilingRatio is an endpoint's throughput against its pgbench ceiling, with the CPU each cost
// per request: where the difference goes.
func ceilingRatio(ep stats, epCPU phaseCPU, ceiling pgbenchResult, ceilingCPU phaseCPU) string {
	s := fmt.Sprintf("%.2f (%.0f req/s ÷ %.0f tx/s)", ep.PerSec/ceiling.TPS, ep.PerSec, ceiling.TPS)
	if epCPU.use.hasPG && ceilingCPU.use.hasPG {
		s += fmt.Sprintf("; PostgreSQL %.0f µs per request, %.0f per pgbench transaction",
			perRequest(epCPU.use.pg, epCPU.requests), perRequest(ceilingCPU.use.pg, ceilingCPU.requests))
	}
	if epCPU.use.hasServer {
		s += fmt.Sprintf("; server %.0f µs per request", perRequest(epCPU.use.server, epCPU.requests))
	}
	return s
}
