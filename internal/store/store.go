// Package store holds the application's SQL: plain, parameterised statements run through tenant
// transactions, with errors translated into apperr codes. One file per concept.
package store

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"examiner/internal/apperr"
	"examiner/tenant"
)

// Store runs queries on db.
type Store struct {
	db tenant.DB
}

// New returns a Store on db (normally a *pgxpool.Pool).
func New(db tenant.DB) *Store { return &Store{db: db} }

// query runs one statement for st in one round trip (tenant.Query), errors translated.
func (s *Store) query(ctx context.Context, st tenant.Student, read func(pgx.Rows) error, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := tenant.Query(ctx, s.db, st, read, sql, args...)
	return tag, translate(err)
}

// queryRow runs one statement for st in one round trip and scans its first row with scan; none
// is the error when there is no row.
func (s *Store) queryRow(ctx context.Context, st tenant.Student, none error, scan func(pgx.Row) error, sql string, args ...any) error {
	_, err := s.query(ctx, st, func(rows pgx.Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return none
		}
		return scan(rows)
	}, sql, args...)
	return err
}

// run is tenant.Run, for work of several statements, errors translated.
func (s *Store) run(ctx context.Context, st tenant.Student, fn func(pgx.Tx) error) error {
	return translate(tenant.Run(ctx, s.db, st, fn))
}

// translate makes a tenant or database error an *apperr.Error: a revoked token is
// Unauthenticated.
func translate(err error) error {
	if errors.Is(err, tenant.ErrTokenRevoked) {
		return apperr.Wrap(apperr.Unauthenticated, "The token has been revoked. Sign in again.", err)
	}
	return apperr.FromDB(err)
}

// Position is a place in a newest-first list (created_at DESC, id DESC): a page continues after
// it. Lists page by position (keyset pagination), never by offset.
type Position struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// keysetArgs are p's query arguments: NULLs for the first page, which the list queries compare
// with the largest possible key (coalesce to 'infinity' and the largest uuid), so that one plan
// serves every page with the comparison as an index condition.
func (p *Position) keysetArgs() (*time.Time, *uuid.UUID) {
	if p == nil {
		return nil, nil
	}
	return &p.CreatedAt, &p.ID
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

func (c Client) userAgent() string { return clean(c.UserAgent, 512) }

func (c Client) requestID() string { return clean(c.RequestID, 128) }

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
