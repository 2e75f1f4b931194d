package store_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/internal/seed"
	"examiner/internal/testdb"
	"examiner/tenant"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// world is a migrated, seeded database with one student, and a pool of one connection, sending
// statements in mode, that counts its writes.
type world struct {
	owner   *pgxpool.Pool
	pool    *pgxpool.Pool
	writes  *atomic.Int64
	student tenant.Student
}

func newWorld(t *testing.T, mode pgx.QueryExecMode, private bool) world {
	t.Helper()
	ctx := context.Background()
	url := testdb.URL(t)
	owner, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(owner.Close)
	if _, err := seed.Run(ctx, owner); err != nil {
		t.Fatal(err)
	}
	var id uuid.UUID
	if err := owner.QueryRow(ctx, `
		INSERT INTO public.students (email, email_key, password_hash, full_name)
		VALUES ('ada@example.com', 'ada@example.com', 'not a hash', 'Ada') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	pool, writes := testdb.CountingPool(t, testdb.LoginURL(url), mode, private)
	return world{owner: owner, pool: pool, writes: writes, student: testdb.Student(id, 0)}
}
