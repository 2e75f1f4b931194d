package isolation_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/internal/pgbouncer"
	"examiner/internal/seed"
	"examiner/internal/testdb"
	"examiner/tenant"
)

// The pool and pooler leak tests: many students' requests share a few database connections,
// directly through a pgx pool and through PgBouncer in transaction pooling mode, and no request
// may ever get another student's rows, nor may any tenant setting outlive its transaction.

const (
	leakStudents         = 50
	leakExamsPerStudent  = 5
	leakRequests         = 10_000 // in all, spread over the students
	leakPoolConns        = 4      // the pgx pool in front of PostgreSQL
	leakClientConns      = 16     // the pgx pool in front of PgBouncer…
	leakBouncerPoolConns = 4      // …which shares this many server connections among them
)

// leakQuery is how a request runs one statement as a student: tenant.Query, or a broken variant.
type leakQuery func(ctx context.Context, db *pgxpool.Pool, s tenant.Student, read func(pgx.Rows) error, sql string, args ...any) (pgconn.CommandTag, error)

func correctQuery(ctx context.Context, db *pgxpool.Pool, s tenant.Student, read func(pgx.Rows) error, sql string, args ...any) (pgconn.CommandTag, error) {
	return tenant.Query(ctx, db, s, read, sql, args...)
}

// setStudentArgs are the arguments of tenant's opening statement for s, with
// tenant.DefaultTimeouts in milliseconds.
func setStudentArgs(s tenant.Student) []any {
	t := tenant.DefaultTimeouts
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	return []any{s.Claim, ms(t.Statement), ms(t.Lock), ms(t.IdleInTransaction)}
}

// sessionLevelSet is the same fault sent on its own, without the role.
const sessionLevelSet = `SELECT pg_catalog.set_config('app.claim', $1, false)`

// sessionLevelInPipeline is tenant.Query with one fault: its opening statement's
// set_config(…, true) of the student turned into a session-level set, which rule 2 forbids, so
// that the setting outlives the request.
func sessionLevelInPipeline(t *testing.T) leakQuery {
	setStudent := dbsqlc.Statements["OpenStudentTransaction"]
	broken := strings.Replace(setStudent, "$1::text, true)", "$1::text, false)", 1)
	if broken == setStudent {
		t.Fatalf("OpenStudentTransaction has no set_config('app.claim', $1::text, true) to break:\n%s", setStudent)
	}
	return func(ctx context.Context, db *pgxpool.Pool, s tenant.Student, read func(pgx.Rows) error, sql string, args ...any) (pgconn.CommandTag, error) {
		return pipeline(ctx, db, read, broken, setStudentArgs(s), sql, args...)
	}
}

// setThenQuery is the usual middleware mistake: a session-level SET as a statement of its own,
// then the request's statement (with the role set for its transaction). On one pgx connection the two stay together; behind a
// transaction pooler each statement may go to any server connection.
func setThenQuery(ctx context.Context, db *pgxpool.Pool, s tenant.Student, read func(pgx.Rows) error, sql string, args ...any) (pgconn.CommandTag, error) {
	conn, err := db.Acquire(ctx)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, sessionLevelSet, s.Claim); err != nil {
		return pgconn.CommandTag{}, err
	}
	return pipeline(ctx, conn, read, `SELECT set_config('role', 'examiner_student', true)`, nil, sql, args...)
}

// pipeline sends set (with setArgs) and then sql in one pipeline, as tenant.Query does, and
// passes sql's rows to read.
func pipeline(ctx context.Context, db tenant.DB, read func(pgx.Rows) error, set string, setArgs []any, sql string, args ...any) (pgconn.CommandTag, error) {
	b := &pgx.Batch{}
	b.Queue(set, setArgs...)
	b.Queue(sql, args...)
	br := db.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return pgconn.CommandTag{}, err
	}
	rows, err := br.Query()
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer rows.Close()
	if err := read(rows); err != nil {
		return pgconn.CommandTag{}, err
	}
	return rows.CommandTag(), rows.Err()
}

// leakWorld is a database of leakStudents students with leakExamsPerStudent exams each.
type leakWorld struct {
	url      string
	listSQL  string // the service's own list statement (sql/queries/exams.sql ListExams)
	students []tenant.Student
	exams    map[uuid.UUID][]uuid.UUID // by student
	owner    map[uuid.UUID]uuid.UUID   // exam -> student
}

func newLeakWorld(t *testing.T) leakWorld {
	t.Helper()
	ctx := context.Background()
	w := leakWorld{url: testdb.URL(t), listSQL: dbsqlc.Statements["ListExams"], exams: map[uuid.UUID][]uuid.UUID{}, owner: map[uuid.UUID]uuid.UUID{}}
	conn, err := pgx.Connect(ctx, w.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := seed.Run(ctx, conn); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `
		WITH s AS (
		  INSERT INTO students (email, email_key, password_hash, full_name)
		  SELECT format('s%s@example.com', i), format('s%s@example.com', i), 'not a real hash', format('Student %s', i)
		  FROM generate_series(1, $1) AS i
		  RETURNING id
		)
		INSERT INTO exams (student_id, subject_id, exam_type)
		SELECT s.id, subject.id, 'PRACTICE'
		FROM s, (SELECT id FROM subjects WHERE code = '9708') AS subject, generate_series(1, $2)
		RETURNING student_id, id`, leakStudents, leakExamsPerStudent)
	if err != nil {
		t.Fatal(err)
	}
	var studentID, examID uuid.UUID
	_, err = pgx.ForEachRow(rows, []any{&studentID, &examID}, func() error {
		if _, seen := w.exams[studentID]; !seen {
			w.students = append(w.students, testdb.Student(studentID, 0))
		}
		w.exams[studentID] = append(w.exams[studentID], examID)
		w.owner[examID] = studentID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.students) != leakStudents {
		t.Fatalf("made %d students, want %d", len(w.students), leakStudents)
	}
	return w
}

// leakResult counts what a run saw.
type leakResult struct {
	requests, probes atomic.Int64
	foreignRows      atomic.Int64 // rows of another student in an answer
	wrongAnswers     atomic.Int64 // own rows missing, or an error
	leftoverSettings atomic.Int64 // probes that found a tenant setting outside any request
	firstProblemsMu  sync.Mutex
	firstProblems    []string
}

func (r *leakResult) problem(counter *atomic.Int64, format string, args ...any) {
	counter.Add(1)
	r.firstProblemsMu.Lock()
	defer r.firstProblemsMu.Unlock()
	if len(r.firstProblems) < 5 {
		r.firstProblems = append(r.firstProblems, fmt.Sprintf(format, args...))
	}
}

func (r *leakResult) String() string {
	return fmt.Sprintf("%d requests and %d probes: %d answers with another student's rows, %d wrong answers, %d probes found a tenant setting left on a connection",
		r.requests.Load(), r.probes.Load(), r.foreignRows.Load(), r.wrongAnswers.Load(), r.leftoverSettings.Load())
}

// run sends leakRequests requests, one goroutine per student, through query on db, while a probe
// keeps checking that connections carry no tenant setting between requests. The statements lean
// on row-level security alone (no student filter in the WHERE clause), except the service's own
// list statement, so any setting that leaks shows as foreign rows.
func (w leakWorld) run(t *testing.T, db *pgxpool.Pool, query leakQuery) *leakResult {
	t.Helper()
	ctx := context.Background()
	res := &leakResult{}
	stop := make(chan struct{})
	probeDone := make(chan struct{})
	go func() {
		defer close(probeDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			var setting, role string
			err := db.QueryRow(ctx, `SELECT coalesce(current_setting('app.claim', true), ''), current_user`).Scan(&setting, &role)
			res.probes.Add(1)
			switch {
			case err != nil:
				res.problem(&res.leftoverSettings, "probe: %v", err)
			case setting != "" || role == tenant.Role:
				res.problem(&res.leftoverSettings, "probe outside any request: app.claim of %d bytes, role %s", len(setting), role)
			}
		}
	}()
	perStudent := leakRequests / len(w.students)
	var wg sync.WaitGroup
	for i, st := range w.students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for range perStudent {
				w.request(ctx, db, query, st, rng, res)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-probeDone
	return res
}

// request sends one of four requests as st and checks its answer against what st owns.
func (w leakWorld) request(ctx context.Context, db *pgxpool.Pool, query leakQuery, st tenant.Student, rng *rand.Rand, res *leakResult) {
	res.requests.Add(1)
	own := w.exams[st.ID]
	var (
		ids  []uuid.UUID
		sql  string
		args []any
		want int
	)
	switch rng.IntN(4) {
	case 0: // every exam row-level security lets st see
		sql, want = `SELECT id FROM exams`, len(own)
	case 1: // the service's own list statement
		sql, args, want = w.listSQL, []any{st.ID, examiner.Start().CreatedAt, examiner.Start().ID, 21}, len(own)
	case 2: // another student's exam by id
		other := w.students[rng.IntN(len(w.students))]
		exam := w.exams[other.ID][rng.IntN(leakExamsPerStudent)]
		sql, args = `SELECT id FROM exams WHERE id = $1`, []any{exam}
		if other.ID == st.ID {
			want = 1
		}
	default: // every student row st can see
		sql, want = `SELECT id FROM students`, 1
	}
	_, err := query(ctx, db, st, func(rows pgx.Rows) error {
		for rows.Next() {
			// The list statement's first column is the exam id too.
			values, err := rows.Values()
			if err != nil {
				return err
			}
			id, ok := values[0].([16]byte)
			if !ok {
				return fmt.Errorf("unexpected id %T", values[0])
			}
			ids = append(ids, id)
		}
		return rows.Err()
	}, sql, args...)
	if err != nil {
		res.problem(&res.wrongAnswers, "student %s: %s: %v", st.ID, firstLine(sql), err)
		return
	}
	for _, id := range ids {
		owner, isExam := w.owner[id]
		if isExam && owner != st.ID || !isExam && id != st.ID {
			res.problem(&res.foreignRows, "student %s got a row of another student (%s) from %s", st.ID, id, firstLine(sql))
			return
		}
	}
	if len(ids) != want {
		res.problem(&res.wrongAnswers, "student %s got %d rows from %s, want %d", st.ID, len(ids), firstLine(sql), want)
	}
}

// firstLine is sql on one line, cut to 60 bytes, for problem reports.
func firstLine(sql string) string {
	line := strings.Join(strings.Fields(sql), " ")
	return line[:min(60, len(line))]
}

func leakPool(t *testing.T, url string, conns int32, mode pgx.QueryExecMode) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = conns
	cfg.ConnConfig.DefaultQueryExecMode = mode
	if mode == pgx.QueryExecModeCacheDescribe { // as serve: the generated statements under random names
		cfg.AfterConnect = tenant.UsePrivateStatements
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// startBouncer starts PgBouncer in transaction pooling mode in front of w's database.
func (w leakWorld) startBouncer(t *testing.T) *pgbouncer.Bouncer {
	t.Helper()
	return pgbouncer.ForTest(t, pgbouncer.Options{Server: testdb.LoginURL(w.url), PoolSize: leakBouncerPoolConns})
}

func execMode(t *testing.T, name string) pgx.QueryExecMode {
	t.Helper()
	m, err := tenant.ExecMode(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantNoLeak(t *testing.T, where string, res *leakResult) {
	t.Helper()
	if res.probes.Load() == 0 || res.requests.Load() != leakRequests {
		t.Fatalf("%s: %s: the run did not do what the test counts on", where, res)
	}
	if res.foreignRows.Load() > 0 || res.wrongAnswers.Load() > 0 || res.leftoverSettings.Load() > 0 {
		t.Fatalf("%s: %s; first problems:\n%s", where, res, strings.Join(res.firstProblems, "\n"))
	}
	fmt.Printf("report: leak test %s: %s\n", where, res)
}

func TestNoStudentGetsAnotherStudentsRowsThroughAPoolOfFourConnections(t *testing.T) {
	t.Parallel()
	w := newLeakWorld(t)
	pool := leakPool(t, testdb.LoginURL(w.url), leakPoolConns, pgx.QueryExecModeCacheDescribe)
	wantNoLeak(t, fmt.Sprintf("(%d students, pgx pool of %d connections)", leakStudents, leakPoolConns), w.run(t, pool, correctQuery))
}

// Behind PgBouncer 1.18 in transaction pooling mode, with the two query execution modes it
// supports (DB_QUERY_EXEC_MODE=exec and simple_protocol).
func TestNoStudentGetsAnotherStudentsRowsThroughPgBouncerInTransactionMode(t *testing.T) {
	t.Parallel()
	w := newLeakWorld(t)
	b := w.startBouncer(t)
	for _, mode := range []string{"exec", "simple_protocol"} {
		t.Run("DB_QUERY_EXEC_MODE="+mode, func(t *testing.T) {
			pool := leakPool(t, b.URL(), leakClientConns, execMode(t, mode))
			wantNoLeak(t, fmt.Sprintf("(%d students, %d client connections, PgBouncer transaction pooling over %d server connections, DB_QUERY_EXEC_MODE=%s)",
				leakStudents, leakClientConns, leakBouncerPoolConns, mode), w.run(t, pool, correctQuery))
		})
	}
}

// The test above must be able to fail: run against deliberately broken variants of the tenant
// transaction, it must report leaks.
func TestTheLeakTestCatchesSessionLevelSettings(t *testing.T) {
	t.Parallel()
	w := newLeakWorld(t)
	sessionLevel := sessionLevelInPipeline(t)
	t.Run("one set_config made session-level, pgx pool", func(t *testing.T) {
		pool := leakPool(t, testdb.LoginURL(w.url), leakPoolConns, pgx.QueryExecModeCacheStatement)
		res := w.run(t, pool, sessionLevel)
		if res.leftoverSettings.Load() == 0 {
			t.Fatalf("the broken variant went unnoticed: %s", res)
		}
		t.Logf("caught: %s; for example: %s", res, res.firstProblems[0])
	})
	t.Run("a SET as its own statement before the query, PgBouncer in transaction mode", func(t *testing.T) {
		b := w.startBouncer(t)
		pool := leakPool(t, b.URL(), leakClientConns, execMode(t, "exec"))
		res := w.run(t, pool, setThenQuery)
		if res.foreignRows.Load() == 0 {
			t.Fatalf("the broken variant went unnoticed: %s", res)
		}
		t.Logf("caught: %s; for example: %s", res, res.firstProblems[0])
	})
}
