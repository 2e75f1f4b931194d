// Package migrations holds the database schema as tern migrations and runs them.
//
// The same files serve the examiner binary (embedded) and a DBA's tern CLI
// (tern migrate -c tern.conf -m migrations).
package migrations

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

// VersionTable is where tern records the schema version; tern.conf names the same table.
const VersionTable = "public.schema_version"

//go:embed *.sql
var files embed.FS

// migrator loads the embedded migrations for conn.
func migrator(ctx context.Context, conn *pgx.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	if err := m.LoadMigrations(files); err != nil {
		return nil, fmt.Errorf("migrations: load: %w", err)
	}
	return m, nil
}

// Head is the version of the newest embedded migration.
func Head() int32 {
	names, err := migrate.FindMigrations(files)
	if err != nil {
		panic(err) // the embedded files are fixed at build time; a test covers them
	}
	return int32(len(names))
}

// Up migrates the database to the newest version.
func Up(ctx context.Context, conn *pgx.Conn) error {
	m, err := migrator(ctx, conn)
	if err != nil {
		return err
	}
	return m.Migrate(ctx)
}

// To migrates the database up or down to version (0 removes everything).
func To(ctx context.Context, conn *pgx.Conn, version int32) error {
	m, err := migrator(ctx, conn)
	if err != nil {
		return err
	}
	return m.MigrateTo(ctx, version)
}

// Current returns the database's schema version (0 when never migrated).
func Current(ctx context.Context, conn *pgx.Conn) (int32, error) {
	m, err := migrator(ctx, conn)
	if err != nil {
		return 0, err
	}
	return m.GetCurrentVersion(ctx)
}

//go:embed superuser/hide_prepared_statements.sql
var hidePreparedStatements string

// HidePreparedStatements runs the superuser's step of docs/dba.md on conn, a superuser's
// connection to the application's database: it revokes EXECUTE on
// pg_catalog.pg_prepared_statement() from PUBLIC, so that SQL on the server's connections cannot
// list their prepared statements. It is idempotent.
func HidePreparedStatements(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, hidePreparedStatements); err != nil {
		return fmt.Errorf("hide prepared statements: %w", err)
	}
	return nil
}
