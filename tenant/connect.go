package tenant

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"examiner/internal/dbsqlc"
)

// RefuseRoleDefaults fails for a connection whose login role carries defaults of its own
// (ALTER ROLE … SET, which PostgreSQL lets any role do to itself): SQL run on one connection can
// plant them, and every session opened after starts with them (a role, a search_path,
// default_transaction_read_only…). A pool that uses it as (part of) its AfterConnect opens no
// such connection: requests fail until a DBA removes them (ALTER ROLE examiner_authenticator
// RESET ALL; docs/dba.md), instead of running under settings nobody chose.
func RefuseRoleDefaults(ctx context.Context, conn *pgx.Conn) error {
	names, err := dbsqlc.New(conn).LoginRoleDefaults(ctx)
	if err != nil {
		return fmt.Errorf("tenant: read the login role's defaults: %w", err)
	}
	if len(names) > 0 {
		return fmt.Errorf("tenant: the login role carries defaults of its own (%s), which only SQL run on its connections would have set: "+
			"a DBA must run ALTER ROLE %s RESET ALL (docs/dba.md)", strings.Join(names, ", "), conn.Config().User)
	}
	return nil
}

// AfterConnect is what serve's pool runs on each new connection: RefuseRoleDefaults, then, when
// private, UsePrivateStatements.
func AfterConnect(private bool) func(context.Context, *pgx.Conn) error {
	return func(ctx context.Context, conn *pgx.Conn) error {
		if err := RefuseRoleDefaults(ctx, conn); err != nil {
			return err
		}
		if private {
			return UsePrivateStatements(ctx, conn)
		}
		return nil
	}
}
