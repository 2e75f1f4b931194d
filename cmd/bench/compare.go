package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The budget of issue 12: GET /api/exams may lose at most 10 % of its throughput to the
// database's verification of each request's claim, and its p99 may rise by at most 10 %,
// measured in one run against the unverified form.
const (
	targetVerifiedThroughput = 0.90 // verified ÷ unverified req/s, at least
	targetVerifiedP99        = 1.10 // verified ÷ unverified p99, at most
)

// baselineRef is the unverified form: the last commit before issue 12 ("tenant test: a student
// cannot read token_generation either"). Its server logs in as the owner, sets app.student_id
// for the policies to read as it is, checks the token's generation with app.check_token, and
// prepares statements under pgx's hash names (cache_statement). BENCH_BASELINE_REF names another
// commit (any git revision).
const baselineRef = "2f73491"

// baselineDatabase is the unverified server's database, beside the benchmark's on the same
// PostgreSQL: the two servers share the machine, the cluster and its buffers.
const baselineDatabase = "examiner_bench_unverified"

// errUnavailable marks a baseline that cannot be had on this machine (no git, not a clone, no
// such commit): the comparison is skipped, and the report says why.
var errUnavailable = errors.New("no unverified server to compare with")

// buildBaseline resolves ref with git, checks it out in a detached worktree under dir, builds its
// cmd/examiner with the harness's go command and environment (GOTOOLCHAIN included), removes the
// worktree and returns the binary and the commit.
func buildBaseline(ctx context.Context, dir, ref string) (bin, commit string, err error) {
	root := moduleRoot()
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", root}, args...)...)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if _, err := exec.LookPath("git"); err != nil {
		return "", "", fmt.Errorf("%w: git is not installed (%v)", errUnavailable, err)
	}
	out, err := git("rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return "", "", fmt.Errorf("%w: git rev-parse %s in %s found no such commit (%s)", errUnavailable, ref, root, strings.TrimSpace(err.Error()+" "+out))
	}
	commit = out
	src := filepath.Join(dir, "unverified-src")
	if out, err := git("worktree", "add", "--detach", src, commit); err != nil {
		return "", "", fmt.Errorf("git worktree add --detach %s %s: %v\n%s", src, commit, err, out)
	}
	defer func() {
		if out, err := git("worktree", "remove", "--force", src); err != nil {
			fmt.Fprintf(os.Stderr, "bench: git worktree remove %s: %v %s\n", src, err, out)
		}
	}()
	bin = filepath.Join(dir, "examiner-unverified")
	cmd := exec.CommandContext(ctx, orDefault(os.Getenv("GO"), "go"), "build", "-o", bin, "./cmd/examiner")
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("go build ./cmd/examiner at %s: %v\n%s", commit, err, out)
	}
	return bin, commit, nil
}

// siblingURL is databaseURL with another database name.
func siblingURL(databaseURL, name string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// createUnverifiedDatabase creates baselineDatabase afresh beside ownerURL's database and returns
// its URL, for the same owner, and a function that drops it.
func createUnverifiedDatabase(ctx context.Context, ownerURL string) (string, func(), error) {
	dbURL, err := siblingURL(ownerURL, baselineDatabase)
	if err != nil {
		return "", nil, err
	}
	drop := func() error {
		conn, err := pgx.Connect(context.Background(), ownerURL)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{baselineDatabase}.Sanitize()+" WITH (FORCE)")
		return err
	}
	if err := drop(); err != nil { // a killed run's
		return "", nil, err
	}
	if err := createDatabase(ctx, ownerURL, baselineDatabase); err != nil {
		return "", nil, err
	}
	return dbURL, func() {
		if err := drop(); err != nil {
			fmt.Fprintf(os.Stderr, "bench: drop database %s: %v\n", baselineDatabase, err)
		}
	}, nil
}

// side is one of the two servers of the comparison, with what its rounds measured.
type side struct {
	name       string
	srv        *server
	latencies  [][]time.Duration // each round's measured window
	measured   time.Duration     // the rounds' measured windows, in all
	requests   int               // every request of every round, warm-ups included, for the CPU
	use        cpuUse            // summed over the rounds
	perRound   []float64         // req/s
	perRoundPG []float64         // PostgreSQL's CPU, µs per request
}

func (s *side) stats() stats { return pooled(s.measured, s.latencies...) }

// compareVerified loads GET /api/exams on the verified and the unverified server in turn, in the
// order verified, unverified, unverified, verified (so that a drift of the shared machine's load
// over the four phases weighs on both alike), each phase a warm-up and a measured window at the
// same number of connections and with the same tokens, and records the budget's checks.
func compareVerified(ctx context.Context, rep *report, step func(string, ...any), s settings, w *world, postmaster int,
	verified, unverified *server, ref, commit string) error {
	a := &side{name: "verified", srv: verified}
	b := &side{name: "unverified", srv: unverified}
	for _, sd := range []*side{a, b, b, a} {
		step("compare: %s on the %s server, %d connections", listExams.name, sd.name, s.Conns)
		m := startCPU(sd.srv, postmaster)
		res, st := loadFor(ctx, sd.srv.base, s.Conns, listExams, w, s.Warmup, s.Duration)
		if err := ctx.Err(); err != nil {
			return err
		}
		use := m.stop()
		n := len(res.samples) + res.errors
		step("compare, %s: %s; %s", sd.name, rate(st, "req/s"), use.describe(n))
		checkLoad(rep, listExams.name+", "+sd.name+" server", res, s.Conns)
		sd.latencies = append(sd.latencies, window(res.samples, s.Warmup, s.Warmup+s.Duration))
		sd.measured += s.Duration
		sd.requests += n
		sd.use.wall += use.wall
		sd.use.server += use.server
		sd.use.pg += use.pg
		sd.use.hasServer, sd.use.hasPG = use.hasServer, use.hasPG
		sd.perRound = append(sd.perRound, st.PerSec)
		sd.perRoundPG = append(sd.perRoundPG, perRequest(use.pg, n))
	}
	va, vb := a.stats(), b.stats()
	label := fmt.Sprintf("unverified (%s)", shortCommit(ref, commit))
	for _, x := range []struct {
		label string
		sd    *side
		st    stats
	}{{"verified (this commit)", a, va}, {label, b, vb}} {
		rounds := joinRates(x.sd.perRound) + " req/s"
		if x.sd.use.hasPG {
			rounds += "; PostgreSQL " + joinRates(x.sd.perRoundPG) + " µs/request"
		}
		rep.info(fmt.Sprintf("GET /api/exams, %s, 2 rounds", x.label), fmt.Sprintf("%s (rounds: %s)", rate(x.st, "req/s"), rounds))
	}
	thr, p99 := va.PerSec/vb.PerSec, float64(va.P99)/float64(vb.P99)
	ok := va.N > 0 && vb.N > 0
	rep.check("verified ÷ unverified: GET /api/exams throughput", fmt.Sprintf("%.2f (%.0f ÷ %.0f req/s)", thr, va.PerSec, vb.PerSec),
		fmt.Sprintf("≥ %.2f", targetVerifiedThroughput), ok && thr >= targetVerifiedThroughput)
	rep.check("verified ÷ unverified: GET /api/exams p99", fmt.Sprintf("%.2f (%s ÷ %s)", p99, ms(va.P99), ms(vb.P99)),
		fmt.Sprintf("≤ %.2f", targetVerifiedP99), ok && p99 <= targetVerifiedP99)
	if a.use.hasPG {
		before, after := perRequest(b.use.pg, b.requests), perRequest(a.use.pg, a.requests)
		rep.info("PostgreSQL CPU per GET /api/exams, unverified → verified",
			fmt.Sprintf("%.0f → %.0f µs (%+.0f µs, %.2f×)", before, after, after-before, after/before))
	} else {
		rep.info("PostgreSQL CPU per GET /api/exams, unverified → verified", "not measured: not the harness's own PostgreSQL (BENCH_DATABASE_URL)")
	}
	rep.info("server CPU per GET /api/exams, unverified → verified",
		fmt.Sprintf("%.0f → %.0f µs", perRequest(b.use.server, b.requests), perRequest(a.use.server, a.requests)))
	return nil
}

// skipComparison records why the comparison did not run, in the rows where its checks would be.
func skipComparison(rep *report, reason string) {
	for _, figure := range []string{"verified ÷ unverified: GET /api/exams throughput", "verified ÷ unverified: GET /api/exams p99"} {
		rep.skip(figure, reason)
	}
}

func shortCommit(ref, commit string) string {
	if len(commit) > 7 {
		commit = commit[:7]
	}
	if strings.HasPrefix(commit, ref) || ref == "" {
		return commit
	}
	return ref + " = " + commit
}

func joinRates(r []float64) string {
	s := make([]string, len(r))
	for i, x := range r {
		s[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(s, ", ")
}
