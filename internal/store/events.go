package store

import (
	"context"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/tenant"
)

// AuthEvents lists st's authentication events, newest first, of kind (all when empty), after
// after (examiner.Start() for the first page), at most limit; more tells whether any follow.
// Row-level security shows a student only the events filed under their account: their own
// sign-ins and the failed attempts on their email.
func (s *Store) AuthEvents(ctx context.Context, st tenant.Student, kind string, after examiner.Position, limit int) (events []examiner.AuthEvent, more bool, err error) {
	rows, err := s.as(st).ListAuthEvents(ctx, dbsqlc.ListAuthEventsParams{
		StudentID: st.ID, Kind: nullIfEmpty(kind), AfterCreatedAt: after.CreatedAt, AfterID: after.ID, PageLimit: limit + 1,
	})
	if err != nil {
		return nil, false, translate(err)
	}
	events, more = onePage(convert(rows, authEvent), limit)
	return events, more, nil
}

func authEvent(r dbsqlc.ListAuthEventsRow) examiner.AuthEvent {
	ev := examiner.AuthEvent{
		ID: r.ID, Kind: r.Kind, Succeeded: r.Succeeded, Reason: r.Reason, Email: r.Email,
		UserAgent: r.UserAgent, RequestID: r.RequestID, CreatedAt: r.CreatedAt,
	}
	if r.ClientIp != nil {
		ip := r.ClientIp.String() // as PostgreSQL's host() prints it
		ev.ClientIP = &ip
	}
	return ev
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
