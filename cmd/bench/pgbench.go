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

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/internal/pgserver"
	"examiner/tenant"
)

// The pgbench scripts run the server's own statements for GET /api/exams (sql/queries:
// OpenStudentTransaction and ListExams, serverStatements), with each bind parameter replaced:
//
//   - the claim, which the server signs per request, becomes claimLookupSQL of a random number:
//     student n's claim, signed by the harness as the server would, read from bench.bench_claims
//     (login.go), because pgbench variables are numbers and \gset is not allowed in a pipeline;
//   - the student in the list, a uuid in the server, becomes studentUUIDSQL of the same number;
//     the bench students' ids are made from their numbers for this (seed.go);
//   - the timeouts are tenant.DefaultTimeouts, as text literals;
//   - the position, examiner.Start() on the first page, is two pgbench variables (-D after=…
//     -D afterid=…), bound as the server binds it;
//   - the limit (20 + 1) is a pgbench variable.
//
// leanList is the same page with row-level security doing all the filtering and no position: the
// least a statement for that page can ask of PostgreSQL. The server's statement is measured
// against it. Every script runs as the login role, as the server does, and its opening statement
// has the database verify the claim (app.current_student_id, migration 014) as the server's does.
var (
	setStudentParams = openingParams(":n")
	listExamsParams  = map[int]string{1: studentUUIDSQL(":n"), 2: ":after", 3: ":afterid", 4: ":limit"}
)

// openingParams binds the opening statement for student n (an integer expression): n's claim
// from bench.bench_claims, and the default timeouts.
func openingParams(n string) map[int]string {
	return map[int]string{1: claimLookupSQL(n),
		2: millisLiteral(tenant.DefaultTimeouts.Statement), 3: millisLiteral(tenant.DefaultTimeouts.Lock), 4: millisLiteral(tenant.DefaultTimeouts.IdleInTransaction)}
}

const leanList = `SELECT e.*, s.code FROM public.exams AS e JOIN public.subjects AS s ON s.id = e.subject_id
ORDER BY e.created_at DESC, e.id DESC LIMIT :limit`

func millisLiteral(d time.Duration) string { return fmt.Sprintf("'%d'", d.Milliseconds()) }

// serverStatements are the server's statements the list transaction sends, as sqlc generated
// them from sql/queries: the opening statement and the list, so that a change there changes what
// the harness measures.
func serverStatements() (setStudent, listExams string, err error) {
	return dbsqlc.Statements["OpenStudentTransaction"], dbsqlc.Statements["ListExams"], nil
}

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
		return "", fmt.Errorf("the server's SQL has parameters %v that cmd/bench/pgbench.go does not bind: update it\n%s", missing, sql)
	}
	return strings.TrimSpace(out), nil
}

// pgbenchStatements are the server's setting and list statements, bound for pgbench.
func pgbenchStatements() (set, list string, err error) {
	setStudent, listExams, err := serverStatements()
	if err != nil {
		return "", "", err
	}
	if set, err = bindPgbench(setStudent, setStudentParams); err != nil {
		return "", "", err
	}
	if list, err = bindPgbench(listExams, listExamsParams); err != nil {
		return "", "", err
	}
	return set, list, nil
}

// pgbenchScripts returns the list transaction for students 1..students: pipelined (the setting
// and the query in one pipeline, one implicit transaction, one Sync: what the server sends),
// naive (BEGIN, setting, query, COMMIT, each waiting for the one before) and lean (pipelined,
// with leanList for the query).
func pgbenchScripts(students int) (pipelined, naive, lean string, err error) {
	set, list, err := pgbenchStatements()
	if err != nil {
		return "", "", "", err
	}
	head := fmt.Sprintf("\\set n random(1, %d)\n\\set limit 21\n", students)
	pipelined = head + "\\startpipeline\n" + set + ";\n" + list + ";\n\\endpipeline\n"
	naive = head + "BEGIN;\n" + set + ";\n" + list + ";\nCOMMIT;\n"
	lean = head + "\\startpipeline\n" + set + ";\n" + leanList + ";\n\\endpipeline\n"
	return pipelined, naive, lean, nil
}

// pgbenchVariables are the scripts' string variables: the first page's position.
func pgbenchVariables() []string {
	return []string{
		"-D", "after=" + examiner.Start().CreatedAt.Format(time.RFC3339),
		"-D", "afterid=" + examiner.Start().ID.String(),
	}
}

// pgbenchResult is one pgbench run.
type pgbenchResult struct {
	TPS          float64
	Latency      stats
	Failed       int
	Transactions int // processed in the warm-up and the measured run: what a CPU meter around runPgbench saw
	Command      string
}

var processed = regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`)

// transactions is what a pgbench output says it processed; 0 when it does not say.
func transactions(out []byte) int {
	n := 0
	if m := processed.FindSubmatch(out); m != nil {
		n, _ = strconv.Atoi(string(m[1]))
	}
	return n
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

// runPgbench runs script with -M prepared, clients connections on 2 threads, as the login role,
// for a warm-up and then duration with a per-transaction log, from which it takes the
// percentiles. The password goes in the environment, not on the command line.
func runPgbench(ctx context.Context, lg login, dir, name, script string, clients int, warmup, duration time.Duration) (pgbenchResult, error) {
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
	args := func(d time.Duration) []string {
		return append([]string{"-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2",
			"-T", strconv.Itoa(max(1, int(d.Round(time.Second).Seconds()))), "-f", file}, pgbenchVariables()...)
	}
	databaseURL := withoutPassword(lg.URL)
	pgbench := func(args []string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, bin, append(args, databaseURL)...)
		cmd.Env = append(os.Environ(), "PGPASSWORD="+lg.Password)
		return cmd
	}
	warm, err := pgbench(args(warmup)).CombinedOutput()
	if err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench warm-up: %v\n%s", err, warm)
	}
	measured := append(args(duration), "-l", "--log-prefix="+filepath.Join(logDir, "tx"))
	out, err := pgbench(measured).CombinedOutput()
	if err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	res := pgbenchResult{Command: "pgbench " + strings.Join(measured, " ") + " $DATABASE_URL", Transactions: transactions(warm) + transactions(out)}
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

// checkPgbenchSQL runs the scripts' two statements through pgx for one student, as the login
// role, with the pgbench variables filled in as text, to make sure the ceiling does the server's
// work: the database verifies the claim as that student's, the list runs as examiner_student and
// finds a full page (a typo that made it find nothing would flatter pgbench).
func checkPgbenchSQL(ctx context.Context, loginURL string, student int) error {
	set, list, err := pgbenchStatements()
	if err != nil {
		return err
	}
	fill := strings.NewReplacer(":n", fmt.Sprintf("'%d'", student), ":limit", "21",
		":afterid", "'"+examiner.Start().ID.String()+"'", ":after", "'"+examiner.Start().CreatedAt.Format(time.RFC3339)+"'",
	)
	conn, err := pgx.Connect(ctx, loginURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fill.Replace(set)); err != nil {
			return fmt.Errorf("the pgbench script's setting fails: %w", err)
		}
		var role string
		var verified *uuid.UUID
		var rows int
		if err := tx.QueryRow(ctx, `SELECT pg_catalog.current_user(), app.current_student_id(), (SELECT count(*) FROM (`+fill.Replace(list)+`) AS page)`).
			Scan(&role, &verified, &rows); err != nil {
			return fmt.Errorf("the pgbench script's list fails: %w", err)
		}
		if want := studentUUID(student); role != tenant.Role || verified == nil || *verified != want || rows != 21 {
			return fmt.Errorf("the pgbench script's list ran as %s for %v and found %d exams, want %s for %s and 21", role, verified, rows, tenant.Role, want)
		}
		return nil
	})
}
