package store_test

import (
	"context"
	"net"
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

// writeCounter counts the writes a connection makes to the network: each is one flush of pgx's
// buffer, so work that needs n round trips makes n writes.
type writeCounter struct {
	net.Conn
	n *atomic.Int64
}

func (c writeCounter) Write(b []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(b)
}

// world is a migrated, seeded database with one student, and a pool of one connection, sending
// statements in mode, that counts its writes.
type world struct {
	owner   *pgxpool.Pool
	pool    *pgxpool.Pool
	writes  *atomic.Int64
	student tenant.Student
}

func newWorld(t *testing.T, mode pgx.QueryExecMode) world {
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
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	var writes atomic.Int64
	dial := cfg.ConnConfig.DialFunc
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return writeCounter{c, &writes}, nil
	}
	cfg.ConnConfig.DefaultQueryExecMode = mode
	cfg.MaxConns = 1
	cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return world{owner: owner, pool: pool, writes: &writes, student: tenant.Student{ID: id}}
}
