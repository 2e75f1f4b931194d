package tenant_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/internal/testdb"
	"examiner/tenant"
)

// PostgreSQL lets a role give itself defaults (ALTER ROLE … SET) with no privilege at all, so SQL
// run on one of the login role's connections could plant a role or a search_path in every later
// session. A pool set up as serve's refuses to open a connection while the role has any, and
// opens them again once a DBA has reset them. (The test uses a copy of the login role: roles are
// the cluster's, and other tests use examiner_authenticator at the same time.)
func TestAPoolOpensNoConnectionWhileItsLoginRoleHasDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ownerURL := testdb.URL(t)
	admin, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) }) // after the role's cleanup below
	var db string
	if err := admin.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	roleName := db + "_login_copy"
	role := pgx.Identifier{roleName}.Sanitize()
	for _, stmt := range []string{
		"CREATE ROLE " + role + " LOGIN NOINHERIT PASSWORD 'copy'",
		"GRANT examiner_student, examiner_anon TO " + role,
		"GRANT USAGE ON SCHEMA app TO " + role,
	} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, stmt := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
			if _, err := admin.Exec(context.Background(), stmt); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	u, _ := url.Parse(ownerURL)
	u.User = url.UserPassword(roleName, "copy")
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	cfg.AfterConnect = tenant.AfterConnect(true)
	newPool := func() *pgxpool.Pool {
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		return pool
	}
	if err := newPool().Ping(ctx); err != nil {
		t.Fatalf("a role without defaults: %v", err)
	}

	// The attack: the role gives itself defaults, from its own connection.
	self, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"ALTER ROLE " + role + " SET search_path = pg_temp",
		"ALTER ROLE " + role + " IN DATABASE " + pgx.Identifier{db}.Sanitize() + " SET role = examiner_student",
	} {
		if _, err := self.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s (PostgreSQL lets a role do this to itself): %v", stmt, err)
		}
	}
	self.Close(ctx)
	err = newPool().Ping(ctx)
	if err == nil || !strings.Contains(err.Error(), "role, search_path") || !strings.Contains(err.Error(), "RESET ALL") {
		t.Fatalf("a role with defaults of its own: got %v, want the connection refused, naming role and search_path and the fix", err)
	}
	if _, err := admin.Exec(ctx, "ALTER ROLE "+role+" RESET ALL"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "ALTER ROLE "+role+" IN DATABASE "+pgx.Identifier{db}.Sanitize()+" RESET ALL"); err != nil {
		t.Fatal(err)
	}
	if err := newPool().Ping(ctx); err != nil {
		t.Fatalf("after the DBA's RESET ALL: %v", err)
	}
}
