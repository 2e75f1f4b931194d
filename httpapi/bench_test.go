package httpapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"examiner/httpapi"
	"examiner/internal/password"
	"examiner/internal/store"
	"examiner/internal/testdb"
	"examiner/internal/token"
)

// The handler path of GET /api/exams — routing, middleware, token verification, the store, the
// tenant pipeline and JSON — with the database stubbed out at the pgx boundary only: the stub
// answers the pipeline's batch with a fixed page of exams, so what is measured is our code.
// (The real database is measured by make bench's load harness.)
func BenchmarkListExamsHandler(b *testing.B) {
	tokens, err := token.NewIssuer([]byte(testSecret), 24*time.Hour, "examiner", "examiner-api")
	if err != nil {
		b.Fatal(err)
	}
	hasher, err := password.NewHasher(4, 1)
	if err != nil {
		b.Fatal(err)
	}
	handler := httpapi.NewServer(httpapi.Deps{
		Store: store.New(newStubDB(21)), Tokens: tokens, Claims: testdb.Claims, Passwords: hasher,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Limits: generous,
	})
	raw, _, err := tokens.Issue(uuid.New(), 0, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/exams", nil)
	req.Header.Set("Authorization", "Bearer "+raw)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("got %d: %s", w.Code, w.Body)
		}
	}
}

// stubDB answers every batch (tenant.Query's pipeline) with an empty first result and then rows
// of exams, in store.Exam's column order.
type stubDB struct{ rows [][]any }

func newStubDB(n int) *stubDB {
	paper, duration, marks := 2, 90, 60
	now := time.Now()
	db := &stubDB{}
	for i := range n {
		db.rows = append(db.rows, []any{uuid.New(), "9708", "FULL_PAPER", "PENDING", &paper, &duration, &marks,
			now.Add(-time.Duration(i) * time.Minute), now, (*time.Time)(nil), (*time.Time)(nil),
			30, (*int)(nil), (*int)(nil), (*time.Time)(nil)})
	}
	return db
}

func (db *stubDB) Begin(context.Context) (pgx.Tx, error) {
	return nil, errors.New("stub: the benchmark takes the one-statement path only")
}

func (db *stubDB) SendBatch(context.Context, *pgx.Batch) pgx.BatchResults {
	return &stubResults{db: db}
}

type stubResults struct {
	db      *stubDB
	results int
}

func (r *stubResults) Exec() (pgconn.CommandTag, error) {
	r.results++
	return pgconn.NewCommandTag("SELECT 1"), nil
}

func (r *stubResults) Query() (pgx.Rows, error) {
	r.results++
	return &stubRows{rows: r.db.rows, at: -1}, nil
}

func (r *stubResults) QueryRow() pgx.Row { rows, _ := r.Query(); return rows }
func (r *stubResults) Close() error      { return nil }
func (r *stubResults) Tx() pgx.Tx        { return nil }

var stubTypes = pgtype.NewMap()

type stubRows struct {
	rows [][]any
	at   int
}

func (r *stubRows) Close()                        {}
func (r *stubRows) Err() error                    { return nil }
func (r *stubRows) CommandTag() pgconn.CommandTag { return pgconn.NewCommandTag("SELECT 21") }
func (r *stubRows) Next() bool                    { r.at++; return r.at < len(r.rows) }
func (r *stubRows) RawValues() [][]byte           { return nil }
func (r *stubRows) Conn() *pgx.Conn               { return nil }
func (r *stubRows) TypeMap() *pgtype.Map          { return stubTypes }
func (r *stubRows) Values() ([]any, error)        { return r.rows[r.at], nil }

func (r *stubRows) FieldDescriptions() []pgconn.FieldDescription {
	return make([]pgconn.FieldDescription, len(r.rows[0]))
}

func (r *stubRows) Scan(dest ...any) error {
	for i, d := range dest {
		reflect.ValueOf(d).Elem().Set(reflect.ValueOf(r.rows[r.at][i]))
	}
	return nil
}
