package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner/internal/dbclaim"
	"examiner/internal/dbsqlc"
	"examiner/tenant"
)

// LoginRole is the role serve must log in as (migration 012).
const LoginRole = "examiner_authenticator"

// loginRoleFix is how to fix a refused login role.
const loginRoleFix = "serve must connect as " + LoginRole + ", which migration 012 creates: set its password and name it in DATABASE_URL (docs/dba.md)"

// checkLoginRole refuses a login role that could do more than switch into the request roles
// (docs/isolation.md, "Roles"): the whole of the server's reach must be what those roles may do,
// whatever SQL runs on its connections. It returns whether the role can list the connection's
// prepared statements (pg_prepared_statements), which decides how serve prepares its statements.
func checkLoginRole(r dbsqlc.LoginRoleRow) (listsPrepared bool, err error) {
	var wrong []string
	for _, a := range []struct {
		set  bool
		what string
	}{
		{r.Superuser, "is a superuser"}, {r.Bypassrls, "has BYPASSRLS"}, {r.Createrole, "has CREATEROLE"},
		{r.Createdb, "has CREATEDB"}, {r.Replication, "has REPLICATION"},
		{r.Inherit, "has INHERIT (it would hold the request roles' privileges without switching)"},
		{r.AdminOfARole, "may administer a role (ADMIN OPTION)"},
		{r.OwnsSomething, "owns objects (a table, a function, a database…)"},
	} {
		if a.set {
			wrong = append(wrong, a.what)
		}
	}
	if want := []string{"examiner_anon", "examiner_student"}; !slices.Equal(r.MemberOf, want) {
		wrong = append(wrong, fmt.Sprintf("is a member of {%s}, not exactly {%s}", strings.Join(r.MemberOf, ", "), strings.Join(want, ", ")))
	}
	var extra []string
	hasApp := false
	for _, g := range r.GrantedToIt {
		switch g {
		case "schema app":
			hasApp = true
		case "database " + r.DatabaseName:
		default:
			extra = append(extra, g)
		}
	}
	if len(extra) > 0 {
		wrong = append(wrong, "holds privileges of its own on "+strings.Join(extra, ", "))
	}
	if !hasApp {
		wrong = append(wrong, "lacks USAGE on schema app (migration 012 grants it)")
	}
	if len(wrong) > 0 {
		return false, fmt.Errorf("DATABASE_URL logs in as %s, which %s: %s", r.RoleName, strings.Join(wrong, "; "), loginRoleFix)
	}
	if r.RoleName != LoginRole {
		return false, fmt.Errorf("DATABASE_URL logs in as %s: %s", r.RoleName, loginRoleFix)
	}
	return r.ListsPreparedStatements, nil
}

// startupChecks runs the checks of serve's login on one connection: the role, then whether the
// database holds the signer's key. It returns whether the role can list prepared statements.
func startupChecks(ctx context.Context, conn *pgx.Conn, signer *dbclaim.Signer) (listsPrepared bool, err error) {
	row, err := dbsqlc.New(conn).LoginRole(ctx)
	if err != nil {
		return false, fmt.Errorf("check the login role: %w", err)
	}
	if listsPrepared, err = checkLoginRole(row); err != nil {
		return false, err
	}
	if err := tenant.RefuseRoleDefaults(ctx, conn); err != nil {
		return false, err
	}
	probe := tenant.Student{Claim: signer.Claim(uuid.Nil, 0, time.Now().Add(time.Minute))}
	installed, err := dbsqlc.New(tenant.As(conn, probe)).CheckClaimKey(ctx, probe.Claim)
	if err != nil {
		return false, fmt.Errorf("check the claim key: %w", err)
	}
	if !installed {
		return false, fmt.Errorf("the database holds no claim key %s matching this server's JWT_SECRET (fingerprint %s): "+
			"run examiner keys install as the database's owner with the same JWT_SECRET and DB_CLAIM_KID (docs/dba.md)",
			signer.KID(), signer.Fingerprint())
	}
	return listsPrepared, nil
}

// errSimpleProtocol refuses DB_QUERY_EXEC_MODE=simple_protocol: it sends every argument inside
// the query text, and a session of the login role can read other sessions' query text
// (pg_stat_activity), claims included.
var errSimpleProtocol = errors.New("DB_QUERY_EXEC_MODE=simple_protocol puts each request's claim into the query text, which other sessions of the login role can read: use exec behind a transaction pooler, cache_statement otherwise")

// checkDatabase connects once as serve will, runs the start-up checks, and returns the mode the
// pool sends statements in and whether it prepares them privately (tenant.UsePrivateStatements).
// cache_statement, the default, becomes private statements over cache_describe where the login
// role cannot list prepared statements, and plain cache_describe (every statement unnamed, parsed
// and planned each time) where it can: pgx's own names are a hash of the text, which SQL on the
// connection could replace for the next request.
func checkDatabase(ctx context.Context, cfg config, claims *dbclaim.Signer, logger interface {
	Warn(msg string, args ...any)
}) (pgx.QueryExecMode, bool, error) {
	pc, _, err := connConfig(cfg.DatabaseURL)
	if err != nil {
		return 0, false, err
	}
	cc := pc.ConnConfig
	cc.DefaultQueryExecMode = pgx.QueryExecModeExec
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return 0, false, fmt.Errorf("connect to DATABASE_URL: %w", err)
	}
	defer conn.Close(context.Background())
	listsPrepared, err := startupChecks(ctx, conn, claims)
	if err != nil {
		return 0, false, err
	}
	if cfg.DBQueryExecMode != pgx.QueryExecModeCacheStatement {
		return cfg.DBQueryExecMode, false, nil
	}
	if listsPrepared {
		logger.Warn("the login role can list prepared statements, so every statement goes unnamed (about half the database's throughput); " +
			"revoke EXECUTE on pg_catalog.pg_prepared_statement() from PUBLIC as a superuser (docs/dba.md)")
		return pgx.QueryExecModeCacheDescribe, false, nil
	}
	return pgx.QueryExecModeCacheDescribe, true, nil
}
