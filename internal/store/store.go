// Package store runs the application's SQL: the statements of sql/queries, through the Go that
// sqlc generates from them (dbsqlc), inside tenant transactions, with rows mapped onto the
// domain's types (package examiner) and errors translated into its codes. One file per concept, as in
// sql/queries.
package store

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/tenant"
)

// Store runs queries on db.
type Store struct {
	db tenant.DB
}

// New returns a Store on db (normally a *pgxpool.Pool).
func New(db tenant.DB) *Store { return &Store{db: db} }

// as is the generated queries run as st, each statement a transaction of its own sent in one
// round trip (tenant.As).
func (s *Store) as(st tenant.Student) *dbsqlc.Queries { return dbsqlc.New(tenant.As(s.db, st)) }

// inTx runs fn's queries in one transaction as st (tenant.Run), errors translated: for work of
// several statements that depend on each other.
func (s *Store) inTx(ctx context.Context, st tenant.Student, fn func(*dbsqlc.Queries) error) error {
	return translate(tenant.Run(ctx, s.db, st, func(tx pgx.Tx) error { return fn(dbsqlc.New(tx)) }))
}

// convert maps a slice of generated rows onto domain values.
func convert[R, T any](rows []R, f func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// translate makes a tenant or database error an *examiner.Error: a revoked token is
// Unauthenticated.
func translate(err error) error {
	if errors.Is(err, tenant.ErrTokenRevoked) {
		return examiner.Wrap(examiner.Unauthenticated, "The token has been revoked. Sign in again.", err)
	}
	return FromDB(err)
}

// onePage cuts rows, fetched with a LIMIT of limit+1, to a page of at most limit and says
// whether more follow.
func onePage[T any](rows []T, limit int) ([]T, bool) {
	if len(rows) > limit {
		return rows[:limit], true
	}
	return nonNil(rows), false
}

// Client describes where a request came from, for the audit trail.
type Client struct {
	IP        netip.Addr // invalid when unknown
	UserAgent string
	RequestID string
}

// ip is the client address for an inet column: NULL when unknown.
func (c Client) ip() *netip.Addr {
	if !c.IP.IsValid() {
		return nil
	}
	return &c.IP
}

func (c Client) userAgent() string { return clean(c.UserAgent, examiner.MaxUserAgentLength) }

func (c Client) requestID() string { return clean(c.RequestID, examiner.MaxRequestIDLength) }

// clean makes header text storable: PostgreSQL text holds neither NUL nor invalid UTF-8.
func clean(s string, n int) string {
	return truncate(strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD"), n)
}

// truncate cuts s to at most n characters, on a character boundary.
func truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
