package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"examiner/internal/testdb"
)

// serve refuses to start as a login role that could do more than switch into the request roles,
// and says which of its powers is the matter and how to fix it. Each case is a copy of
// examiner_authenticator (a role of the test's own: roles are the cluster's) with one power more.
func TestServeRefusesALoginRoleThatCouldDoMore(t *testing.T) {
	t.Parallel()
	ownerURL := testdb.URL(t)
	ctx := t.Context()
	admin, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	var db string
	if err := admin.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		plant string // %s is the role
		want  string
	}{
		{"a copy, but not examiner_authenticator", "", "serve must connect as examiner_authenticator"},
		{"SUPERUSER", "ALTER ROLE %s SUPERUSER", "is a superuser"},
		{"BYPASSRLS", "ALTER ROLE %s BYPASSRLS", "has BYPASSRLS"},
		{"CREATEROLE", "ALTER ROLE %s CREATEROLE", "has CREATEROLE"},
		{"CREATEDB", "ALTER ROLE %s CREATEDB", "has CREATEDB"},
		{"INHERIT", "ALTER ROLE %s INHERIT", "has INHERIT"},
		{"owns a table", "CREATE TABLE public.owned_by_login (x int); ALTER TABLE public.owned_by_login OWNER TO %s", "owns objects"},
		{"a member of the definer's role", "GRANT examiner_auth TO %s", "is a member of {examiner_anon, examiner_auth, examiner_student}"},
		{"admin of a request role", "GRANT examiner_student TO %s WITH ADMIN OPTION", "may administer a role"},
		{"a grant of its own", "GRANT SELECT ON public.subjects TO %s", "holds privileges of its own on table subjects"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			role := pgx.Identifier{db + "_" + strings.NewReplacer(" ", "_", ",", "").Replace(tt.name)}.Sanitize()
			roleName := strings.Trim(role, `"`)
			for _, stmt := range []string{
				"CREATE ROLE " + role + " LOGIN NOINHERIT PASSWORD 'startup-test'",
				"GRANT examiner_student, examiner_anon TO " + role,
				"GRANT USAGE ON SCHEMA app TO " + role,
			} {
				if _, err := admin.Exec(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			t.Cleanup(func() {
				for _, stmt := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
					if _, err := admin.Exec(context.Background(), stmt); err != nil {
						t.Errorf("cleanup: %s: %v", stmt, err)
					}
				}
			})
			if tt.plant != "" {
				for _, stmt := range strings.Split(strings.ReplaceAll(tt.plant, "%s", role), "; ") {
					if _, err := admin.Exec(ctx, stmt); err != nil {
						t.Fatalf("%s: %v", stmt, err)
					}
				}
			}
			u, _ := url.Parse(ownerURL)
			u.User = url.UserPassword(roleName, "startup-test")
			var out bytes.Buffer
			err := run(ctx, []string{"serve"}, env(map[string]string{
				"DATABASE_URL": u.String(), "JWT_SECRET": string(testdb.JWTSecret), "HTTP_ADDR": "127.0.0.1:0",
			}), &out, &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "docs/dba.md") {
				t.Fatalf("serve as a login role that %s: got %v, want a refusal saying %q and pointing to docs/dba.md", tt.name, err, tt.want)
			}
		})
	}
}

// serve refuses a database that does not hold its claim key, and says to install it; with the
// key installed it gets past the check.
func TestServeRefusesADatabaseWithoutItsClaimKey(t *testing.T) {
	t.Parallel()
	ownerURL := testdb.URL(t)
	var out bytes.Buffer
	err := run(t.Context(), []string{"serve"}, env(map[string]string{
		"DATABASE_URL": testdb.LoginURL(ownerURL), "JWT_SECRET": string(testdb.JWTSecret), "DB_CLAIM_KID": "k7", "HTTP_ADDR": "127.0.0.1:0",
	}), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "examiner keys install") {
		t.Fatalf("serve with kid k7 not installed: got %v, want a refusal that says to run examiner keys install", err)
	}
	// Another JWT secret under the installed kid is the same refusal.
	err = run(t.Context(), []string{"serve"}, env(map[string]string{
		"DATABASE_URL": testdb.LoginURL(ownerURL), "JWT_SECRET": strings.Repeat("o", 40), "HTTP_ADDR": "127.0.0.1:0",
	}), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "examiner keys install") {
		t.Fatalf("serve with another JWT secret: got %v, want a refusal that says to run examiner keys install", err)
	}
}

// examiner keys: install is idempotent, refuses another key under a kid that holds one, list
// shows kids and fingerprints (never keys), and retire refuses the last key.
func TestKeysInstallListAndRetire(t *testing.T) {
	t.Parallel()
	ownerURL := testdb.URL(t)
	ctx := t.Context()
	keys := func(secret, kid string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"keys"}, args...), env(map[string]string{"DATABASE_URL": ownerURL, "JWT_SECRET": secret, "DB_CLAIM_KID": kid}), &out, &out)
		return out.String(), err
	}
	secret := string(testdb.JWTSecret)
	if out, err := keys(secret, "1", "install"); err != nil || !strings.Contains(out, "kid 1 already installed") {
		t.Fatalf("install of the harness's key again: got %q, %v, want already installed", out, err)
	}
	if _, err := keys(strings.Repeat("n", 40), "1", "install"); err == nil || !strings.Contains(err.Error(), "kid 1 holds another key") {
		t.Fatalf("install of another key under kid 1: got %v, want a refusal", err)
	}
	if out, err := keys(strings.Repeat("n", 40), "2", "install"); err != nil || !strings.Contains(out, "kid 2 installed") {
		t.Fatalf("install under kid 2: got %q, %v", out, err)
	}
	out, err := keys(secret, "1", "list")
	if err != nil || strings.Count(out, "\n") != 3 || !strings.HasPrefix(out, "kid\tfingerprint\tcreated_at\n1\t") {
		t.Fatalf("list: got %q, %v, want a header and kids 1 and 2", out, err)
	}
	if strings.Contains(out, secret) {
		t.Fatal("list shows the secret")
	}
	if _, err := keys(secret, "1", "retire", "1"); err != nil {
		t.Fatalf("retire 1: %v", err)
	}
	if _, err := keys(secret, "1", "retire", "2"); err == nil || !strings.Contains(err.Error(), "last key") {
		t.Fatalf("retire of the last key: got %v, want a refusal", err)
	}
}
