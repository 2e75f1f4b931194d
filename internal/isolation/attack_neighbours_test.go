package isolation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"examiner/internal/dbsqlc"
	"examiner/internal/password"
	"examiner/internal/store"
	"examiner/internal/testdb"
	"examiner/tenant"
)

// Neighbours: every connection of the server logs in as the same role, and PostgreSQL shows a
// role the statements its own sessions run (pg_stat_activity.query). An attacker who resets the
// role in their request reads what every other connection of the server is running or ran
// last. That must not carry another student's data: their claim, their email, the pre-hash of
// their password, their id. It does not when values travel as bind parameters.

// neighbours has C sign in, open a transaction and make a request on a pool of its own, and
// after each step has the attacker read pg_stat_activity as every role it reaches. (It reads
// this database's connections only: those of the tests running beside it are not the world's.)
func (w *attackWorld) neighbours(t *testing.T, plan *attackPlan, report *attackReport, opts attackOptions) {
	t.Helper()
	ctx := context.Background()
	pool := servePool(t, w.url, opts)
	a := w.attacker(t, report)
	defer a.conn.Close(ctx)
	c := testdb.Student(w.c.id, w.c.gen)
	prehash := password.Prehash(w.c.password)
	look := func(when string) {
		for _, r := range plan.roles {
			s := w.settings()[0]
			a.begin(t, r, s)
			res := a.try(t, "SELECT coalesce(query, '') FROM pg_catalog.pg_stat_activity WHERE pid <> pg_catalog.pg_backend_pid() AND datname = pg_catalog.current_database()")
			a.exec(t, "ROLLBACK")
			answer := res.answer()
			found := w.leaks(answer)
			for secret, what := range map[string]string{c.Claim: "C's claim", prehash: "the pre-hash of C's password"} {
				if strings.Contains(answer, secret) {
					found = append(found, what)
				}
			}
			for _, leak := range found {
				report.violate("%s%s, pg_stat_activity shows %s", as(r, s), when, leak)
			}
		}
	}
	if id, _, _, err := store.New(pool).SignIn(ctx, w.c.email, w.c.emailKey, prehash, 4, store.Client{}); err != nil || id != w.c.id {
		report.violate("C's sign-in failed beside the attacker: got %v, %v", id, err)
	}
	look("after C signed in")
	name := "Student C, neighbour"
	if err := tenant.Run(ctx, pool, c, func(tx pgx.Tx) error {
		look("while C's transaction is open")
		_, err := dbsqlc.New(tx).UpdateProfile(ctx, dbsqlc.UpdateProfileParams{FullName: &name, ID: w.c.id})
		return err
	}); err != nil {
		report.violate("C's transaction failed beside the attacker: %v", err)
	}
	look("after C's request")
}
