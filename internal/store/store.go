// Package store holds the application's SQL: plain, parameterised statements run through tenant
// transactions, with errors translated into apperr codes. One file per concept.
package store

import (
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"

	"examiner/tenant"
)

// Store runs queries on db.
type Store struct {
	db tenant.Beginner
}

// New returns a Store on db (normally a *pgxpool.Pool).
func New(db tenant.Beginner) *Store { return &Store{db: db} }

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
