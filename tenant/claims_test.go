package tenant_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/internal/dbclaim"
	"examiner/internal/dbsqlc"
	"examiner/internal/testdb"
	"examiner/tenant"
)

// Only a claim the database verifies names a student: every edit of a genuine claim, a claim
// signed with another key or under an unknown kid, an expired or revoked one, and the old
// app.student_id setting all get no rows and no writes (the verifier raises EXA01 for a claim
// that is present but bad, which tenant reports as ErrTokenRevoked; no claim at all matches no row).
func TestOnlyAClaimTheDatabaseVerifiesNamesAStudent(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2)
	ctx := context.Background()
	day := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	genuine := testdb.Claims.Claim(w.a, 0, day)
	mac := genuine[len(genuine)-64:]
	flip := func(c string, i int) string {
		b := []byte(c)
		if b[i] == '0' {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
		return string(b)
	}
	other, err := dbclaim.NewSigner([]byte("another secret, not the one the database has a key of"), dbclaim.DefaultKID)
	if err != nil {
		t.Fatal(err)
	}
	unknownKid, err := dbclaim.NewSigner(testdb.JWTSecret, "k9")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		claim string
	}{
		{"B's uuid with A's MAC", strings.Replace(genuine, w.a.String(), w.b.String(), 1)},
		{"the MAC's last digit changed", flip(genuine, len(genuine)-1)},
		{"the MAC in upper case", strings.TrimSuffix(genuine, mac) + strings.ToUpper(mac)},
		{"expired", testdb.Claims.Claim(w.a, 0, time.Now().Add(-time.Second))},
		{"exp edited later", strings.Replace(genuine, "."+strconv.FormatInt(day.Unix(), 10)+".", "."+strconv.FormatInt(day.Unix()+86400, 10)+".", 1)},
		{"signed for a revoked generation", testdb.Claims.Claim(w.a, 1, day)},
		{"the generation edited", strings.Replace(genuine, w.a.String()+".0.", w.a.String()+".1.", 1)},
		{"signed with another key", other.Claim(w.a, 0, day)},
		{"under a kid the database does not hold", unknownKid.Claim(w.a, 0, day)},
		{"the kid edited", strings.Replace(genuine, "."+dbclaim.DefaultKID+".", ".k9.", 1)},
		{"a trailing segment", genuine + ".x"},
		{"garbage", "x"},
		{"a bare uuid", w.a.String()},
		{"empty", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.claim == genuine {
				t.Fatal("the edited claim is the genuine one: the case tests nothing")
			}
			st := tenant.Student{ID: w.a, Claim: tt.claim}
			n := 0
			_, err := tenant.Query(ctx, w.pool, st, countRows(&n), `SELECT e.id FROM public.exams AS e`)
			if err != nil && !errors.Is(err, tenant.ErrTokenRevoked) {
				t.Fatalf("read: got %v, want ErrTokenRevoked or no rows", err)
			}
			if n != 0 {
				t.Fatalf("read: got %d exams, want 0", n)
			}
			tag, err := tenant.Query(ctx, w.pool, st, nil, `UPDATE public.students AS s SET full_name = 'Forged' WHERE s.id = $1`, w.a)
			if err != nil && !errors.Is(err, tenant.ErrTokenRevoked) {
				t.Fatalf("write: got %v, want ErrTokenRevoked or no rows", err)
			}
			if tag.RowsAffected() != 0 {
				t.Fatalf("write: changed %d rows, want 0", tag.RowsAffected())
			}
		})
	}
	t.Run("the old setting, app.student_id", func(t *testing.T) {
		n := 0
		err := tenant.Run(ctx, w.pool, student(w.a), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_catalog.set_config('app.claim', '', true), pg_catalog.set_config('app.student_id', $1, true)`, w.b.String()); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT count(*) FROM public.exams`).Scan(&n)
		})
		if err != nil || n != 0 {
			t.Fatalf("with B's id in app.student_id and no claim: got %d exams (%v), want 0", n, err)
		}
	})
	if name := w.fullName(t, w.a); name != "Student" {
		t.Fatalf("A's name: got %q, want it unchanged", name)
	}
	// The genuine claim, for contrast: A's one exam.
	n := 0
	if _, err := tenant.Query(ctx, w.pool, student(w.a), countRows(&n), `SELECT e.id FROM public.exams AS e`); err != nil || n != 1 {
		t.Fatalf("the genuine claim: got %d exams (%v), want A's 1", n, err)
	}
}

// privatePool is a pool of one connection as the login role, configured as serve configures it:
// statements unnamed but for the generated ones, which are prepared under random names.
func privatePool(t *testing.T, w world) *pgxpool.Pool {
	t.Helper()
	cfg := w.pool.Config().Copy()
	cfg.MaxConns = 1
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	cfg.AfterConnect = tenant.UsePrivateStatements
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// SQL run in one request cannot list, replace or remove the prepared statements the next request
// on the same connection runs: their names are random and pg_prepared_statements is closed to the
// login role; a DEALLOCATE ALL costs the next request nothing but a second send.
func TestTheNextRequestRunsTheServersStatementsWhateverSQLRanBefore(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2)
	ctx := context.Background()
	pool := privatePool(t, w)
	profileOf := func(id uuid.UUID) (uuid.UUID, error) {
		p, err := dbsqlc.New(tenant.As(pool, student(id))).GetProfile(ctx, id)
		return p.ID, err
	}
	if got, err := profileOf(w.b); err != nil || got != w.b {
		t.Fatalf("B's profile: got %v, %v", got, err)
	}
	attack := func(sqls ...string) {
		t.Helper()
		_ = tenant.Run(ctx, pool, student(w.a), func(tx pgx.Tx) error {
			for _, sql := range sqls {
				if _, err := tx.Exec(ctx, "SAVEPOINT s"); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, sql); err != nil {
					if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT s"); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	var listed int
	err := tenant.Run(ctx, pool, student(w.a), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM pg_catalog.pg_prepared_statements`).Scan(&listed)
	})
	if !isDenied(err) {
		t.Fatalf("listing the connection's prepared statements: got %d (%v), want permission denied", listed, err)
	}
	// pgx's own name for the statement, and what an attacker would put there.
	attack(`PREPARE stmtcache_x (uuid) AS SELECT $1`, `DEALLOCATE ALL`)
	for range 2 {
		if got, err := profileOf(w.b); err != nil || got != w.b {
			t.Fatalf("B's profile after A's DEALLOCATE ALL: got %v, %v, want B's", got, err)
		}
	}
}
