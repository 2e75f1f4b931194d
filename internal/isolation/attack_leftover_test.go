package isolation_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/internal/testdb"
	"examiner/tenant"
)

// Leftovers (rule 4): the attacker's request leaves something on its connection (session-level
// settings, a role, swapped prepared statements, a cursor WITH HOLD); the next request on that
// connection is C's, through the real tenant.As on a pool set up as serve sets it up, and must
// see and write C's rows and nobody else's.

// leftover is what one attacker's request leaves on its connection.
type leftover struct {
	name string
	sql  []string
	// denies, when set, is why the design accepts that later requests on the connection fail
	// (a denial of service, docs/design/verified-identity.md §5.6); they must still leak nothing.
	denies string
}

// pgxStatementName is the name pgx's cache_statement mode prepares sql under (pgx's
// internal/stmtcache.StatementName): anyone who knows the text knows the name.
func pgxStatementName(sql string) string {
	sum := sha256.Sum256([]byte(sql))
	return "stmtcache_" + hex.EncodeToString(sum[:24])
}

// claimFragments are where the opening statements set app.claim; the swap replaces them with A's
// claim, so that the next request, whoever it is for, runs as A.
var claimFragments = map[string]string{
	"OpenStudentTransaction":   "pg_catalog.set_config('app.claim', $1::text, true)",
	"OpenAnonymousTransaction": "pg_catalog.set_config('app.claim', '', true)",
}

// swapSQL is DEALLOCATE ALL, then every generated statement prepared again under the name pgx
// would give it: the opening statements with A's claim in place of the request's, every other
// statement as it is, so that a pool that named statements after their text would run the next
// request as A without noticing.
func (w *attackWorld) swapSQL(t *testing.T, claimA string) []string {
	t.Helper()
	ctx := context.Background()
	out := []string{"DEALLOCATE ALL"}
	names := make([]string, 0, len(dbsqlc.Statements))
	for name := range dbsqlc.Statements {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sql := dbsqlc.Statements[name]
		sd, err := w.owner.Prepare(ctx, "attack_probe", sql)
		if err != nil {
			t.Fatalf("prepare %s as the owner: %v", name, err)
		}
		if err := w.owner.Deallocate(ctx, "attack_probe"); err != nil {
			t.Fatal(err)
		}
		var types []string
		if err := w.owner.QueryRow(ctx, `SELECT coalesce(array_agg(pg_catalog.format_type(u.o, NULL) ORDER BY u.i), '{}')
			FROM pg_catalog.unnest($1::oid[]) WITH ORDINALITY AS u (o, i)`, sd.ParamOIDs).Scan(&types); err != nil {
			t.Fatal(err)
		}
		body := sql
		if fragment, ok := claimFragments[name]; ok {
			if !strings.Contains(sql, fragment) {
				t.Fatalf("%s no longer sets app.claim as %q: update the swap in the attacker suite", name, fragment)
			}
			body = strings.Replace(sql, fragment, "pg_catalog.set_config('app.claim', "+quoteLiteral(claimA)+", true)", 1)
		}
		params := ""
		if len(types) > 0 {
			params = " (" + strings.Join(types, ", ") + ")"
		}
		out = append(out, "PREPARE "+pgx.Identifier{pgxStatementName(sql)}.Sanitize()+params+" AS "+body)
	}
	return out
}

func (w *attackWorld) leftoverScenarios(t *testing.T) []leftover {
	claimA := w.settings()[0].claim
	set := []leftover{
		{name: "a session-level claim", sql: []string{"SET app.claim = " + quoteLiteral(claimA)}},
		{name: "a session-level role", sql: []string{"SET ROLE examiner_student"}},
		{name: "an empty search_path", sql: []string{"SET search_path = ''"}},
		{name: "swapped prepared statements", sql: w.swapSQL(t, claimA)},
		{name: "a cursor WITH HOLD", sql: []string{"DECLARE attack_cursor CURSOR WITH HOLD FOR SELECT pg_catalog.current_setting('app.claim', true)"}},
	}
	var all []string
	for _, l := range set {
		all = append(all, l.sql...)
	}
	return append(set,
		leftover{name: "all of them at once", sql: all},
		// The opening statements pin row_security on, so this one leaves nothing behind.
		leftover{name: "row security off", sql: []string{"SET row_security = off"}},
		leftover{name: "read-only transactions by default", sql: []string{"SET default_transaction_read_only = on"},
			denies: "every later write fails: a denial of service of the connection"},
	)
}

// servePool is a pool of one connection as the login role, set up as serve sets up its own
// (cmd/examiner serve.go openPool, with the mode and private statements startup.go checkDatabase
// chooses once pg_prepared_statement is revoked), or in opts.mode.
func servePool(t *testing.T, url string, opts attackOptions) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testdb.LoginURL(url))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	if opts.mode == "" {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
		cfg.AfterConnect = tenant.AfterConnect(true)
	} else if cfg.ConnConfig.DefaultQueryExecMode, err = tenant.ExecMode(opts.mode); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// leftovers runs every scenario twice: the attacker's SQL straight on the connection, and inside
// a request transaction of A's (tenant.Run), as an injection into a request would run.
func (w *attackWorld) leftovers(t *testing.T, report *attackReport, opts attackOptions) {
	t.Helper()
	ctx := context.Background()
	var examsOfC []uuid.UUID
	rows, err := w.owner.Query(ctx, `SELECT id FROM public.exams WHERE student_id = $1 ORDER BY id`, w.c.id)
	if err != nil {
		t.Fatal(err)
	}
	if examsOfC, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil {
		t.Fatal(err)
	}
	// Each mode runs the attacker's SQL and then lists the prepared statements; it returns what
	// the listing gave, and whether any of the SQL failed (then nothing was left to test).
	modes := []struct {
		name string
		run  func(*pgxpool.Pool, []string) (listing error, failed error)
	}{
		{"on the connection", func(pool *pgxpool.Pool, sql []string) (error, error) {
			conn, err := pool.Acquire(ctx)
			if err != nil {
				return nil, err
			}
			defer conn.Release()
			for _, s := range sql {
				if _, err := conn.Exec(ctx, s, pgx.QueryExecModeSimpleProtocol); err != nil {
					return nil, fmt.Errorf("%s: %w", attackFirstLine(s), err)
				}
			}
			return listPrepared(ctx, conn.Conn()), nil
		}},
		{"inside a request transaction of A's", func(pool *pgxpool.Pool, sql []string) (listing error, failed error) {
			failed = tenant.Run(ctx, pool, testdb.Student(w.a.id, w.a.gen), func(tx pgx.Tx) error {
				for _, s := range sql {
					if _, err := tx.Exec(ctx, s, pgx.QueryExecModeSimpleProtocol); err != nil {
						return fmt.Errorf("%s: %w", attackFirstLine(s), err)
					}
				}
				// The refusal aborts what it runs in: a savepoint, so that the rest commits.
				nested, err := tx.Begin(ctx)
				if err != nil {
					return err
				}
				listing = listPrepared(ctx, nested)
				return nested.Rollback(ctx)
			})
			return listing, failed
		}},
	}
	for _, l := range w.leftoverScenarios(t) {
		for _, m := range modes {
			where := fmt.Sprintf("after %s left %s, ", l.name, m.name)
			pool := servePool(t, w.url, opts)
			// C's requests first prepare their statements on the connection: the swap aims at them.
			for _, p := range w.asC(ctx, pool, examsOfC, "Student C") {
				report.violate("%sbefore any attack, the request for C %s", where, p)
			}
			pid := backendPID(t, pool)
			listing, failed := m.run(pool, l.sql)
			if failed != nil {
				t.Fatalf("%sthe attacker's SQL failed, so nothing was left to test: %v", where, failed)
			}
			if errors.Is(listing, errListedPrepared) {
				report.violate("%sthe attacker's request %v", where, listing)
			}
			problems := w.asC(ctx, pool, examsOfC, "Student C after "+l.name)
			for _, p := range problems {
				if l.denies != "" && !strings.Contains(p, "not C's") {
					report.residual("%sthe next request for C %s: %s", where, p, l.denies)
					continue
				}
				report.violate("%sthe next request for C %s", where, p)
			}
			if got := backendPID(t, pool); got != pid {
				t.Fatalf("%sthe pool changed its connection (backend %d, then %d): the check proved nothing", where, pid, got)
			}
			pool.Close()
		}
	}
}

// errListedPrepared marks the attacker listing the connection's prepared statements.
var errListedPrepared = errors.New("listed the connection's prepared statements, which must be denied (migrations.HidePreparedStatements)")

// listPrepared is the attacker asking for the names of the connection's prepared statements: it
// must be refused for want of privilege. It returns errListedPrepared otherwise (nil never).
func listPrepared(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) error {
	rows, err := q.Query(ctx, "SELECT name FROM pg_catalog.pg_prepared_statements", pgx.QueryExecModeSimpleProtocol)
	if err == nil {
		for rows.Next() {
		}
		rows.Close()
		err = rows.Err()
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return err
	}
	if err == nil {
		return errListedPrepared
	}
	return fmt.Errorf("%w: got %v", errListedPrepared, err)
}

func backendPID(t *testing.T, pool *pgxpool.Pool) uint32 {
	t.Helper()
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	return conn.Conn().PgConn().PID()
}

// asC makes C's requests through tenant.As: C's profile, C's exams, and a change of C's name to
// name, which must land on C's row and nowhere else. It returns what went wrong; a problem that
// shows another student's data, or a write that missed C, says "not C's".
func (w *attackWorld) asC(ctx context.Context, pool *pgxpool.Pool, examsOfC []uuid.UUID, name string) []string {
	var problems []string
	q := dbsqlc.New(tenant.As(pool, testdb.Student(w.c.id, w.c.gen)))
	p, err := q.GetProfile(ctx, w.c.id)
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("failed: GetProfile: %v", err))
	case p.ID != w.c.id || p.Email != w.c.email:
		problems = append(problems, fmt.Sprintf("got a profile not C's: GetProfile answered %s", w.whose(p.ID.String())))
	}
	start := examiner.Start()
	list, err := q.ListExams(ctx, dbsqlc.ListExamsParams{StudentID: w.c.id, AfterCreatedAt: start.CreatedAt, AfterID: start.ID, PageLimit: 100})
	if err != nil {
		problems = append(problems, fmt.Sprintf("failed: ListExams: %v", err))
	} else {
		var got []uuid.UUID
		for _, e := range list {
			got = append(got, e.ID)
		}
		slices.SortFunc(got, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		if !slices.Equal(got, examsOfC) {
			problems = append(problems, fmt.Sprintf("got exams not C's: ListExams answered %d exams, want C's %d", len(got), len(examsOfC)))
		}
	}
	u, err := q.UpdateProfile(ctx, dbsqlc.UpdateProfileParams{FullName: &name, ID: w.c.id})
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("failed: UpdateProfile: %v", err))
	case u.ID != w.c.id:
		problems = append(problems, fmt.Sprintf("changed a profile not C's: UpdateProfile answered %s", w.whose(u.ID.String())))
	default:
		var stored string
		if err := w.owner.QueryRow(ctx, `SELECT full_name FROM public.students WHERE id = $1`, w.c.id).Scan(&stored); err != nil || stored != name {
			problems = append(problems, fmt.Sprintf("wrote somewhere not C's: C's name is %q (%v), want %q", stored, err, name))
		}
	}
	var renamed int
	if err := w.owner.QueryRow(ctx, `SELECT count(*) FROM public.students WHERE full_name = $1 AND id <> $2`, name, w.c.id).Scan(&renamed); err == nil && renamed > 0 {
		problems = append(problems, fmt.Sprintf("wrote a name not C's: %d other students are now %q", renamed, name))
	}
	return problems
}

// attackFirstLine is sql's first line, for messages: a PREPARE's body can be long.
func attackFirstLine(sql string) string {
	line, _, _ := strings.Cut(sql, "\n")
	return line
}
