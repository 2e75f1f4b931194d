package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"examiner/internal/store"
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

func encodeCursor(k store.ExamKey, filters string) string {
	b, _ := json.Marshal(cursor{Version: cursorVersion, CreatedAt: k.CreatedAt.UnixMicro(), ID: k.ID.String(), Filters: filters})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made under filters. ok is false for anything else: garbage, an
// old version, or a cursor from a list with other filters (whose positions would not match).
func decodeCursor(s, filters string) (k store.ExamKey, ok bool) {
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
	return store.ExamKey{CreatedAt: at, ID: id}, true
}

// filterDigest names a combination of filters, so that a cursor cannot be reused under others.
func filterDigest(f store.ExamFilter) string {
	b, _ := json.Marshal([]string{f.Status, f.SubjectCode, f.ExamType})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}
