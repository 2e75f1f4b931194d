package tenant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner/internal/dbsqlc"
)

// Private statements: server-side prepared statements that SQL run on the same connection
// cannot find or replace.
//
// pgx's cache_statement mode names each prepared statement after a hash of its text. Any SQL that
// runs on the connection (an injection in one request) can then DEALLOCATE one of ours and
// PREPARE its own under the same name, and the next request on that connection runs it instead:
// an opening statement that sets the attacker's claim would send the next student's writes, and
// their claim, to the attacker. The unnamed statement of the other modes cannot be swapped
// between requests, but parsing and planning every statement costs about half the database's
// throughput on the list.
//
// So a connection set up with UsePrivateStatements prepares the statements of sql/queries that
// As, Anonymous and Query send under names of 128 random bits, on first use, and sends them by
// name; everything else goes unnamed (the pool's mode must not be cache_statement). The names
// appear nowhere the connection's SQL can read once pg_catalog.pg_prepared_statement() is
// revoked from PUBLIC (docs/dba.md; serve checks it and otherwise prepares nothing). An attacker
// can still DEALLOCATE ALL; the next statement then finds its name missing, and the pipeline,
// which ran nothing (the server ends it at the first error and rolls the transaction back), is
// prepared afresh and sent once more.

// namesKey is where a connection keeps its private statements' names (pgconn's CustomData).
const namesKey = "examiner/tenant.names"

// privateSQL are the statements that may be prepared privately: the generated ones, so that a
// hand-written statement (a test's, the harness's) never fills a connection's memory.
var privateSQL = func() map[string]bool {
	m := make(map[string]bool, len(dbsqlc.Statements))
	for _, sql := range dbsqlc.Statements {
		m[sql] = true
	}
	return m
}()

// UsePrivateStatements sets conn up for private statements; it is a pgxpool AfterConnect. The
// pool's DefaultQueryExecMode must be cache_describe or exec, so that nothing is prepared under a
// guessable name.
func UsePrivateStatements(_ context.Context, conn *pgx.Conn) error {
	if conn.Config().DefaultQueryExecMode == pgx.QueryExecModeCacheStatement {
		return errors.New("tenant: private statements need a pool whose mode is cache_describe or exec, not cache_statement")
	}
	conn.PgConn().CustomData()[namesKey] = map[string]string{}
	return nil
}

// privateNames is the query rewriter of one pipeline: it swaps each statement it may for its
// private name on the connection the pipeline runs on, preparing it first if need be.
type privateNames struct {
	conn *pgx.Conn // the connection, while the pipeline holds it
}

func (p *privateNames) RewriteQuery(ctx context.Context, conn *pgx.Conn, sql string, args []any) (string, []any, error) {
	p.conn = conn
	names, ok := conn.PgConn().CustomData()[namesKey].(map[string]string)
	if !ok || !privateSQL[sql] {
		return sql, args, nil
	}
	if name, ok := names[sql]; ok {
		return name, args, nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	name := "p" + hex.EncodeToString(b)
	if _, err := conn.Prepare(ctx, name, sql); err != nil {
		return "", nil, err
	}
	names[sql] = name
	return name, args, nil
}

// forget drops the connection's names after one went missing on the server, so that the next
// pipeline prepares afresh. It runs while the pipeline still holds the connection.
func (p *privateNames) forget() {
	if p.conn != nil {
		if _, ok := p.conn.PgConn().CustomData()[namesKey].(map[string]string); ok {
			p.conn.PgConn().CustomData()[namesKey] = map[string]string{}
		}
	}
}

// missingStatement reports whether err is the server's "prepared statement does not exist".
func missingStatement(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "26000"
}
