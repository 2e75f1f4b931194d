package examiner

import (
	"time"

	"github.com/google/uuid"
)

// Page sizes of the lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Position is a place in a newest-first list (created_at DESC, id DESC): a page continues after
// it. Lists page by position (keyset pagination), never by offset.
type Position struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// Start is the position before the first item of every list: later than any row's.
func Start() Position {
	return Position{CreatedAt: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), ID: uuid.Max}
}
