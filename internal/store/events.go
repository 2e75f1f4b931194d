package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner/tenant"
)

// AuthEvent is one entry of a student's authentication trail.
type AuthEvent struct {
	ID        uuid.UUID `json:"id"`
	Kind      string    `json:"kind"`
	Succeeded bool      `json:"succeeded"`
	Reason    *string   `json:"reason"`
	Email     *string   `json:"email"`
	ClientIP  *string   `json:"client_ip"`
	UserAgent *string   `json:"user_agent"`
	RequestID *string   `json:"request_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Position is ev's place in the list order.
func (ev AuthEvent) Position() Position { return Position{CreatedAt: ev.CreatedAt, ID: ev.ID} }

// AuthEvents lists st's authentication events, newest first, of kind (all when empty), after
// after (from the start when nil), at most limit; more tells whether any follow. Row-level
// security shows a student only the events filed under their account: their own sign-ins and the
// failed attempts on their email.
func (s *Store) AuthEvents(ctx context.Context, st tenant.Student, kind string, after *Position, limit int) (events []AuthEvent, more bool, err error) {
	afterAt, afterID := after.keysetArgs()
	_, err = s.query(ctx, st, func(rows pgx.Rows) (err error) {
		events, err = pgx.CollectRows(rows, pgx.RowToStructByPos[AuthEvent])
		return err
	}, `
			SELECT id, kind, succeeded, reason, email, host(client_ip), user_agent, request_id, created_at
			FROM auth_events
			WHERE student_id = $1
			  AND ($2::text IS NULL OR kind = $2)
			  AND (created_at, id) < (coalesce($3::timestamptz, 'infinity'),
			                          coalesce($4::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
			ORDER BY created_at DESC, id DESC
			LIMIT $5`,
		st.ID, nullIfEmpty(kind), afterAt, afterID, limit+1)
	if err != nil {
		return nil, false, err
	}
	events, more = onePage(events, limit)
	return events, more, nil
}
