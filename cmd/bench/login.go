package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"

	"examiner/migrations"
)

// loginRole is the role the server and the harness's own loads log in as (migration 012): `examiner
// serve` refuses any other (cmd/examiner/startup.go).
const loginRole = "examiner_authenticator"

// login is how the harness reaches the database as the server does.
type login struct {
	URL      string // ownerURL's database as loginRole, with this run's password
	Password string // also in URL; pgbench gets it as PGPASSWORD, not on its command line
	Hidden   bool   // pg_prepared_statement() is revoked from PUBLIC: serve prepares privately
}

// setUpLogin does a DBA's part of docs/dba.md on ownerURL's database, as `examiner dev` does
// (cmd/examiner/dev.go, devLoginRole): loginRole gets a random password for this run, and, when
// the owner is a superuser, the superuser's step (migrations.HidePreparedStatements) lets serve
// prepare its statements under private names; without it serve sends them unnamed, parsed and
// planned every time, and the run measures that instead (it says so).
func setUpLogin(ctx context.Context, ownerURL string) (login, error) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return login{}, err
	}
	defer conn.Close(context.Background())
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return login{}, err
	}
	password := base64.RawURLEncoding.EncodeToString(b)
	// ALTER ROLE takes no parameters; the password is ours, in URL-safe base64, quoted.
	if _, err := conn.Exec(ctx, "ALTER ROLE "+loginRole+" PASSWORD '"+password+"'"); err != nil {
		return login{}, fmt.Errorf("set the password of %s (the benchmark's database user must be a superuser): %w", loginRole, err)
	}
	var superuser bool
	if err := conn.QueryRow(ctx, `SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = pg_catalog.current_user()`).Scan(&superuser); err != nil {
		return login{}, err
	}
	if superuser {
		if err := migrations.HidePreparedStatements(ctx, conn); err != nil {
			return login{}, err
		}
	}
	var lists bool
	if err := conn.QueryRow(ctx, `SELECT pg_catalog.has_function_privilege($1, 'pg_catalog.pg_prepared_statement()', 'EXECUTE')`,
		loginRole).Scan(&lists); err != nil {
		return login{}, err
	}
	u, err := url.Parse(ownerURL)
	if err != nil {
		return login{}, err
	}
	u.User = url.UserPassword(loginRole, password)
	return login{URL: u.String(), Password: password, Hidden: !lists}, nil
}

// withoutPassword is databaseURL with its password removed, for a command line.
func withoutPassword(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.User == nil {
		return databaseURL
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

// The pgbench scripts' claims. pgbench has only numeric variables and forbids \gset in a
// pipeline, so a script cannot bind a claim the way the server does; its opening statement reads
// student n's claim from bench.bench_claims instead (docs/design/verified-identity.md, §1), an
// index lookup in a table of BENCH_STUDENTS rows. The table is in a schema of its own, created
// by the owner, and only while pgbench runs: the opening statement reads it before it switches
// roles, so loginRole needs USAGE on the schema and SELECT on the table, and serve refuses a login
// role with privileges of its own. The servers have passed that check by then; the table is
// dropped right after pgbench, and at the start of a run, in case a killed run left it behind.
const benchClaimsTable = "bench.bench_claims"

// claimLookupSQL is student n's claim, for an integer expression n.
func claimLookupSQL(n string) string {
	return fmt.Sprintf("(SELECT b.claim FROM %s AS b WHERE b.n = %s)", benchClaimsTable, n)
}

// installBenchClaims creates bench.bench_claims with w's claims, readable by loginRole.
func installBenchClaims(ctx context.Context, ownerURL string, w *world) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	ns := make([]int32, len(w.claims))
	for i := range ns {
		ns[i] = int32(i + 1)
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, sql := range []string{
			`DROP SCHEMA IF EXISTS bench CASCADE`,
			`CREATE SCHEMA bench`,
			`CREATE TABLE bench.bench_claims (n integer PRIMARY KEY, claim text NOT NULL)`,
			`GRANT USAGE ON SCHEMA bench TO ` + loginRole,
			`GRANT SELECT ON bench.bench_claims TO ` + loginRole,
		} {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return fmt.Errorf("%s: %w", sql, err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bench.bench_claims (n, claim) SELECT * FROM unnest($1::integer[], $2::text[])`,
			ns, w.claims); err != nil {
			return fmt.Errorf("insert the claims: %w", err)
		}
		_, err := tx.Exec(ctx, `ANALYZE bench.bench_claims`)
		return err
	})
}

// dropBenchClaims drops the schema of bench.bench_claims, and with it loginRole's grants there.
func dropBenchClaims(ctx context.Context, ownerURL string) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, `DROP SCHEMA IF EXISTS bench CASCADE`)
	return err
}
