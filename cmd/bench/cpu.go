package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's times: USER_HZ, 100 on Linux.
const clockTick = 10 * time.Millisecond

// procTimes is what /proc/<pid>/stat says of a process: its parent, its own user and system
// time, and that of its children that have exited and been waited for (which PostgreSQL's
// postmaster reaps).
type procTimes struct {
	ppid        int
	cpu, reaped time.Duration
}

func readProc(pid int) (procTimes, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procTimes{}, err
	}
	// The command name, in parentheses, may hold spaces: the fields start after the last ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 15 {
		return procTimes{}, fmt.Errorf("/proc/%d/stat: %q", pid, s)
	}
	ticks := func(i, j int) time.Duration {
		a, _ := strconv.ParseInt(fields[i], 10, 64)
		b, _ := strconv.ParseInt(fields[j], 10, 64)
		return time.Duration(a+b) * clockTick
	}
	ppid, _ := strconv.Atoi(fields[1])
	return procTimes{ppid: ppid, cpu: ticks(11, 12), reaped: ticks(13, 14)}, nil
}

// procCPU is the user and system time of process pid; 0 when it cannot be read.
func procCPU(pid int) time.Duration {
	p, _ := readProc(pid)
	return p.cpu
}

// treeCPU is the CPU time of pid, of its children that have exited and of its live children
// (the postmaster's backends). A child that is reaped while the live ones are read would be in
// neither sum (its times move to the parent's as it leaves /proc), and a pool closing at the end
// of a phase has ten backends exiting at once: the reading is retried until the parent's reaped
// time is the same before and after.
func treeCPU(pid int) time.Duration {
	for range 100 {
		p, _ := readProc(pid)
		live := liveChildrenCPU(pid)
		if again, _ := readProc(pid); again.reaped == p.reaped {
			return p.cpu + p.reaped + live
		}
	}
	p, _ := readProc(pid)
	return p.cpu + p.reaped + liveChildrenCPU(pid)
}

func liveChildrenCPU(pid int) time.Duration {
	var total time.Duration
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		child, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if c, err := readProc(child); err == nil && c.ppid == pid {
			total += c.cpu
		}
	}
	return total
}

func selfCPU() time.Duration { return rusage(syscall.RUSAGE_SELF) }

// childrenCPU is the CPU time of this process's children that have exited: a pgbench run, once
// it is over (the servers are still running, so they are not counted).
func childrenCPU() time.Duration { return rusage(syscall.RUSAGE_CHILDREN) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter tells where the cores went during a phase: the server process, PostgreSQL (when it
// is ours) and this harness (the load generator).
type cpuMeter struct {
	server, postmaster int
	selfLoad           bool // with no server: the load is this process's own pgx client, not pgbench
	at                 time.Time
	srv, pg, self      time.Duration
	children           time.Duration // of this process's exited children: pgbench
}

// startCPUSelf is startCPU for a load this process sends to PostgreSQL itself.
func startCPUSelf(postmaster int) *cpuMeter {
	m := startCPU(nil, postmaster)
	m.selfLoad = true
	return m
}

func startCPU(server *server, postmaster int) *cpuMeter {
	m := &cpuMeter{postmaster: postmaster, at: time.Now(), self: selfCPU(), children: childrenCPU()}
	if server != nil {
		m.server = server.cmd.Process.Pid
		m.srv = procCPU(m.server)
	}
	if postmaster > 0 {
		m.pg = treeCPU(postmaster)
	}
	return m
}

// cpuUse is what a meter measured: the wall time, and the CPU time of the server, of
// PostgreSQL and of the load (this process, or pgbench), each only when it was measured.
type cpuUse struct {
	wall                    time.Duration
	server, pg, self, child time.Duration
	hasServer, hasPG        bool
	selfLoad                bool
}

// stop reads the meter.
func (m *cpuMeter) stop() cpuUse {
	u := cpuUse{wall: time.Since(m.at), self: selfCPU() - m.self, child: childrenCPU() - m.children,
		hasServer: m.server > 0, hasPG: m.postmaster > 0, selfLoad: m.selfLoad}
	if u.hasServer {
		u.server = procCPU(m.server) - m.srv
	}
	if u.hasPG {
		u.pg = treeCPU(m.postmaster) - m.pg
	}
	return u
}

// perRequest is d per request, in µs.
func perRequest(d time.Duration, requests int) float64 {
	return float64(d.Microseconds()) / float64(max(requests, 1))
}

// report says how busy each was, in % of one core, and the CPU per request (per transaction, for
// pgbench) of the server and of PostgreSQL when requests > 0.
func (m *cpuMeter) report(requests int) string { return m.stop().describe(requests) }

func (u cpuUse) describe(requests int) string {
	pct := func(d time.Duration) string { return fmt.Sprintf("%.0f%%", 100*d.Seconds()/u.wall.Seconds()) }
	unit := "request"
	if !u.hasServer && !u.selfLoad { // pgbench's: its transactions
		unit = "transaction"
	}
	each := func(d time.Duration) string {
		if requests <= 0 {
			return ""
		}
		return fmt.Sprintf(" (%.0f µs/%s)", perRequest(d, requests), unit)
	}
	var parts []string
	if u.hasServer {
		parts = append(parts, "server "+pct(u.server)+each(u.server))
	}
	if u.hasPG {
		parts = append(parts, "PostgreSQL "+pct(u.pg)+each(u.pg))
	}
	switch {
	case u.hasServer:
		parts = append(parts, "load generator "+pct(u.self))
	case u.selfLoad:
		parts = append(parts, "pgx client (this harness) "+pct(u.self))
	default: // with no server of ours, the load is pgbench's
		parts = append(parts, "pgbench "+pct(u.child))
	}
	return "CPU (100% = one core): " + strings.Join(parts, ", ")
}
