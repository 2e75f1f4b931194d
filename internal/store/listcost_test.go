package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/tenant"
)

// planBuffers runs statement as st under EXPLAIN (ANALYZE, BUFFERS) with the generic plan a
// prepared statement settles on, and returns the shared buffers it touched and the rows it gave.
func planBuffers(t *testing.T, w world, st tenant.Student, statement string, args ...any) (buffers, rows int) {
	t.Helper()
	ctx := context.Background()
	var plan []byte
	err := tenant.Run(ctx, w.owner, st, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_catalog.set_config('plan_cache_mode', 'force_generic_plan', true)`); err != nil {
			return err
		}
		if _, err := tx.Prepare(ctx, "page", statement); err != nil {
			return err
		}
		defer tx.Conn().Deallocate(ctx, "page")
		// EXPLAIN EXECUTE takes no bind parameters: the values go in as literals of the
		// statement's own parameter types, by the quote_literal of their text.
		var lits []string
		for _, a := range args {
			var lit string
			if err := tx.QueryRow(ctx, `SELECT pg_catalog.quote_nullable($1::text)`, text(a)).Scan(&lit); err != nil {
				return err
			}
			lits = append(lits, lit)
		}
		return tx.QueryRow(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE page("+strings.Join(lits, ", ")+")").Scan(&plan)
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []struct {
		Plan struct {
			SharedHit  int `json:"Shared Hit Blocks"`
			SharedRead int `json:"Shared Read Blocks"`
			Rows       int `json:"Actual Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &out); err != nil || len(out) != 1 {
		t.Fatalf("EXPLAIN: %v\n%s", err, plan)
	}
	return out[0].Plan.SharedHit + out[0].Plan.SharedRead, out[0].Plan.Rows
}

// Keyset pagination is only worth having if a deep page costs what the first does: the position
// must be an index condition, not a filter over every earlier exam. For a student with 20,000
// exams, the last page of the list, filtered or not, touches about as many buffers as the first.
func TestAPageOfExamsCostsTheSameAtAnyDepth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, pgx.QueryExecModeCacheStatement, false)
	const exams = 20000
	if _, err := w.owner.Exec(ctx, `
		INSERT INTO public.exams (student_id, subject_id, exam_type, created_at)
		SELECT $1, (SELECT s.id FROM public.subjects AS s WHERE s.code = '9708'),
		       (ARRAY['PRACTICE', 'TIMED', 'FULL_PAPER'])[1 + g % 3], now() - g * interval '1 second'
		FROM generate_series(1, $2::integer) AS g`, w.student.ID, exams); err != nil {
		t.Fatal(err)
	}
	if _, err := w.owner.Exec(ctx, `VACUUM ANALYZE public.exams`); err != nil {
		t.Fatal(err)
	}
	var deep examiner.Position // the position before the last 20 exams
	if err := w.owner.QueryRow(ctx, `
		SELECT e.created_at, e.id FROM public.exams AS e WHERE e.student_id = $1
		ORDER BY e.created_at, e.id OFFSET 20 LIMIT 1`, w.student.ID).Scan(&deep.CreatedAt, &deep.ID); err != nil {
		t.Fatal(err)
	}
	st := w.student
	for _, tt := range []struct {
		name string
		page func(after examiner.Position) (string, []any)
	}{
		{"ListExams", func(after examiner.Position) (string, []any) {
			return dbsqlc.Statements["ListExams"], []any{st.ID, after.CreatedAt, after.ID, 21}
		}},
		{"ListExamsFiltered by type", func(after examiner.Position) (string, []any) {
			return dbsqlc.Statements["ListExamsFiltered"], []any{st.ID, nil, nil, examiner.Practice, after.CreatedAt, after.ID, 21}
		}},
		{"ListExamsFiltered by subject", func(after examiner.Position) (string, []any) {
			return dbsqlc.Statements["ListExamsFiltered"], []any{st.ID, nil, "9708", nil, after.CreatedAt, after.ID, 21}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sql, args := tt.page(examiner.Start())
			firstBuffers, firstRows := planBuffers(t, w, st, sql, args...)
			sql, args = tt.page(deep)
			deepBuffers, deepRows := planBuffers(t, w, st, sql, args...)
			if firstRows != 21 || deepRows == 0 {
				t.Fatalf("got %d rows on the first page and %d on the last, want 21 and some", firstRows, deepRows)
			}
			if deepBuffers > 2*firstBuffers+10 {
				t.Errorf("the last page touched %d buffers, the first %d: the position is not an index condition", deepBuffers, firstBuffers)
			}
			t.Logf("buffers: first page %d, last page %d (of %d exams)", firstBuffers, deepBuffers, exams)
		})
	}
}

// text is a as PostgreSQL reads it back from text: nil is NULL.
func text(a any) *string {
	var s string
	switch v := a.(type) {
	case nil:
		return nil
	case time.Time:
		s = v.Format(time.RFC3339Nano)
	default:
		s = fmt.Sprint(v)
	}
	return &s
}
