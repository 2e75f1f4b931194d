package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// machine describes where the run happens, for the report: the figures mean little without it.
func machine() string {
	model, mem := "?", "?"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var kb int64
			if _, err := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &kb); err == nil {
				mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				break
			}
		}
		f.Close()
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	load, _ := os.ReadFile("/proc/loadavg")
	avg := strings.Fields(string(load))
	if len(avg) > 3 {
		avg = avg[:3]
	}
	return fmt.Sprintf("%d CPUs (GOMAXPROCS %d), %s, %s memory, Linux %s, %s; load average at start %s",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), model, mem, strings.TrimSpace(string(kernel)), runtime.Version(),
		strings.Join(avg, " "))
}

// loadAverage is the machine's one-minute load average: the machine is shared, and this says how
// much else was running.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
