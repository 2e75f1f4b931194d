package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"time"

	"github.com/google/uuid"

	"examiner"
)

// A cursor is where the next page of a list starts: the last item's position and a digest of
// the filters it was made under, as base64url JSON. Clients treat it as opaque. It reveals
// nothing they cannot already see, and a tampered one only moves their own page: the database
// returns only their own rows whatever it says.
type cursor struct {
	Version   int    `json:"v"`
	CreatedAt int64  `json:"t"` // microseconds since the Unix epoch: PostgreSQL's precision
	ID        string `json:"id"`
	Filters   string `json:"f"`
}

const cursorVersion = 1

func encodeCursor(k examiner.Position, filters string) string {
	b, _ := json.Marshal(cursor{Version: cursorVersion, CreatedAt: k.CreatedAt.UnixMicro(), ID: k.ID.String(), Filters: filters})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made under filters. ok is false for anything else: garbage, an
// old version, or a cursor from a list with other filters (whose positions would not match).
func decodeCursor(s, filters string) (k examiner.Position, ok bool) {
	if len(s) > 256 {
		return k, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return k, false
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil || c.Version != cursorVersion || c.Filters != filters {
		return k, false
	}
	id, err := uuid.Parse(c.ID)
	if err != nil {
		return k, false
	}
	// Rows are stamped by the database clock: a position before 1970 or more than a day ahead is
	// not one the server made (and far enough out, not a time PostgreSQL can compare).
	at := time.UnixMicro(c.CreatedAt)
	if c.CreatedAt < 0 || at.After(time.Now().Add(24*time.Hour)) {
		return k, false
	}
	return examiner.Position{CreatedAt: at, ID: id}, true
}

// filterDigest names a list and a combination of its filters, so that a cursor cannot be reused
// on another list or under other filters.
func filterDigest(list string, filters ...string) string {
	b, _ := json.Marshal(append([]string{list}, filters...))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// pageOf reads a paginated list's limit and cursor (made under digest).
// Without one, the list starts at examiner.Start().
func pageOf(q url.Values, digest string) (limit int, after examiner.Position, fields []examiner.FieldError) {
	after = examiner.Start()
	limit, bad := intParam(q, "limit", examiner.DefaultPageSize, 1, examiner.MaxPageSize)
	if bad != nil {
		fields = append(fields, *bad)
	}
	if q.Has("cursor") {
		p, ok := decodeCursor(q.Get("cursor"), digest)
		if !ok {
			fields = append(fields, examiner.Field("cursor",
				"is not a next_cursor from this list with these filters; start again without it"))
		}
		after = p
	}
	return limit, after, fields
}

// pageFrom is the response for items, with a cursor after the last when more follow.
func pageFrom[T any](items []T, more bool, position func(T) examiner.Position, digest string) page[T] {
	p := page[T]{Items: items}
	if more && len(items) > 0 {
		c := encodeCursor(position(items[len(items)-1]), digest)
		p.NextCursor = &c
	}
	return p
}
