package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"examiner/internal/pgserver"
	"examiner/internal/store"
	"examiner/tenant"
)

// The pgbench scripts run the server's own statements for GET /api/exams, taken from the code
// that runs them (tenant.SetStudent, store.ListExamsSQL), with each bind parameter replaced:
//
//   - the student, a uuid in the server, becomes studentUUIDSQL of a random number, because
//     pgbench variables are numbers and \gset is not allowed in a pipeline; the bench students'
//     ids are made from their numbers for this (seed.go);
//   - the token's generation is a pgbench variable (a bind parameter as in the server);
//   - the filters and the position, NULL in the server's first page, are NULL literals (pgbench
//     cannot bind a NULL), which the planner may fold away: if anything this flatters pgbench;
//   - the limit (20 + 1) is a pgbench variable.
var (
	setStudentParams = map[int]string{1: studentUUIDSQL(":n"), 2: ":gen", 3: "('00000000-0000-4000-8000-' || lpad(:n, 12, '0'))"}
	listExamsParams  = map[int]string{1: studentUUIDSQL(":n"), 2: "NULL", 3: "NULL", 4: "NULL", 5: "NULL", 6: "NULL", 7: ":limit"}
)

var bindParam = regexp.MustCompile(`\$([0-9]+)`)

// bindPgbench replaces sql's bind parameters by params' expressions.
func bindPgbench(sql string, params map[int]string) (string, error) {
	var missing []string
	out := bindParam.ReplaceAllStringFunc(sql, func(p string) string {
		n, _ := strconv.Atoi(p[1:])
		e, ok := params[n]
		if !ok {
			missing = append(missing, p)
		}
		return e
	})
	if missing != nil {
		return "", fmt.Errorf("the server's SQL has parameters %v that internal/bench/pgbench.go does not bind: update it\n%s", missing, sql)
	}
	return strings.TrimSpace(out), nil
}

// pgbenchStatements are the server's setting and list statements, bound for pgbench.
func pgbenchStatements() (set, list string, err error) {
	if set, err = bindPgbench(tenant.SetStudent, setStudentParams); err != nil {
		return "", "", err
	}
	if list, err = bindPgbench(store.ListExamsSQL, listExamsParams); err != nil {
		return "", "", err
	}
	return set, list, nil
}

// pgbenchScripts returns the list transaction for students 1..students: pipelined (the setting
// and the query in one pipeline, one implicit transaction, one Sync: what the server sends) and
// naive (BEGIN, setting, query, COMMIT, each waiting for the one before).
func pgbenchScripts(students int) (pipelined, naive string, err error) {
	set, list, err := pgbenchStatements()
	if err != nil {
		return "", "", err
	}
	head := fmt.Sprintf("\\set n random(1, %d)\n\\set limit 21\n", students)
	pipelined = head + "\\startpipeline\n" + set + ";\n" + list + ";\n\\endpipeline\n"
	naive = head + "BEGIN;\n" + set + ";\n" + list + ";\nCOMMIT;\n"
	return pipelined, naive, nil
}

// pgbenchResult is one pgbench run.
type pgbenchResult struct {
	TPS     float64
	Latency stats
	Failed  int
	Command string
}

func pgbenchPath() (string, error) {
	if dir, err := pgserver.FindBinDir(); err == nil {
		if p := filepath.Join(dir, "pgbench"); isFile(p) {
			return p, nil
		}
	}
	return exec.LookPath("pgbench")
}

func isFile(p string) bool { fi, err := os.Stat(p); return err == nil && !fi.IsDir() }

// runPgbench runs script with -M prepared, clients connections on 2 threads, for a warm-up and
// then duration with a per-transaction log, from which it takes the percentiles.
func runPgbench(ctx context.Context, databaseURL, dir, name, script string, clients int, warmup, duration time.Duration) (pgbenchResult, error) {
	bin, err := pgbenchPath()
	if err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench not found (apt-get install postgresql-15 or postgresql-client-15): %w", err)
	}
	file := filepath.Join(dir, name+".sql")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		return pgbenchResult{}, err
	}
	logDir := filepath.Join(dir, name+"-log")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return pgbenchResult{}, err
	}
	gen := "gen=0" // the seed's students' token generation
	args := func(d time.Duration) []string {
		return []string{"-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2",
			"-T", strconv.Itoa(max(1, int(d.Round(time.Second).Seconds()))), "-D", gen, "-f", file}
	}
	if out, err := exec.CommandContext(ctx, bin, append(args(warmup), databaseURL)...).CombinedOutput(); err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench warm-up: %v\n%s", err, out)
	}
	measured := append(args(duration), "-l", "--log-prefix="+filepath.Join(logDir, "tx"))
	out, err := exec.CommandContext(ctx, bin, append(measured, databaseURL)...).CombinedOutput()
	if err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	res := pgbenchResult{Command: "pgbench " + strings.Join(measured, " ") + " $DATABASE_URL"}
	if m := regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`).FindSubmatch(out); m != nil {
		res.TPS, _ = strconv.ParseFloat(string(m[1]), 64)
	} else {
		return res, fmt.Errorf("pgbench printed no tps:\n%s", out)
	}
	if m := regexp.MustCompile(`number of failed transactions: ([0-9]+)`).FindSubmatch(out); m != nil {
		res.Failed, _ = strconv.Atoi(string(m[1]))
	}
	lat, err := pgbenchLatencies(logDir)
	if err != nil {
		return res, err
	}
	slices.Sort(lat)
	res.Latency = stats{N: len(lat), PerSec: res.TPS, P50: percentile(lat, 50), P99: percentile(lat, 99)}
	return res, nil
}

// pgbenchLatencies reads the transaction logs in dir: "client tx latency_us script epoch us".
func pgbenchLatencies(dir string) ([]time.Duration, error) {
	files, err := filepath.Glob(filepath.Join(dir, "tx*"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no pgbench transaction log in %s", dir)
	}
	var lat []time.Duration
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			us, err := strconv.ParseInt(fields[2], 10, 64)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %q", name, sc.Text())
			}
			lat = append(lat, time.Duration(us)*time.Microsecond)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return lat, nil
}

// checkPgbenchSQL runs the scripts' two statements through pgx for one student, with the
// pgbench variables filled in as text, to make sure the ceiling does the server's work: the
// token check passes and the list finds a full page (a typo that made it find nothing would
// flatter pgbench).
func checkPgbenchSQL(ctx context.Context, databaseURL string, student int) error {
	set, list, err := pgbenchStatements()
	if err != nil {
		return err
	}
	fill := strings.NewReplacer(":n", fmt.Sprintf("'%d'", student), ":limit", "21",
		":gen", "'0'")
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fill.Replace(set)); err != nil {
			return fmt.Errorf("the pgbench script's setting fails: %w", err)
		}
		var role string
		var rows int
		if err := tx.QueryRow(ctx, `SELECT current_user, (SELECT count(*) FROM (`+fill.Replace(list)+`) AS page)`).Scan(&role, &rows); err != nil {
			return fmt.Errorf("the pgbench script's list fails: %w", err)
		}
		if role != tenant.Role || rows != 21 {
			return fmt.Errorf("the pgbench script's list ran as %s and found %d exams, want %s and 21", role, rows, tenant.Role)
		}
		return nil
	})
}
