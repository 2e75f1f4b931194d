package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/internal/dbsqlc"
	"examiner/tenant"
)

// anonymous is the generated queries run as nobody (examiner_anon), each statement a transaction
// of its own sent in one round trip (tenant.Anonymous).
func (s *Store) anonymous() *dbsqlc.Queries { return dbsqlc.New(tenant.Anonymous(s.db)) }

// Register creates a student. Errors: Conflict when the email (in any case) has an account; the
// failed attempt is then recorded against that account.
func (s *Store) Register(ctx context.Context, email, emailKey, passwordHash, fullName string, c Client) (examiner.Profile, error) {
	row, err := s.anonymous().RegisterStudent(ctx, dbsqlc.RegisterStudentParams{
		Email: email, EmailKey: emailKey, PasswordHash: passwordHash, FullName: fullName,
		ClientIp: c.ip(), UserAgent: c.userAgent(), RequestID: c.requestID(),
	})
	if IsConstraint(err, "students_email_key") {
		if err := s.RecordAuthFailure(ctx, examiner.EventRegister, email, emailKey, examiner.ReasonDuplicateEmail, c); err != nil {
			return examiner.Profile{}, err
		}
		return examiner.Profile{}, examiner.Wrap(examiner.Conflict, "An account with this email already exists.", err)
	}
	if err != nil {
		return examiner.Profile{}, FromDB(err)
	}
	p := examiner.Profile{ID: row.ID, Email: row.Email, FullName: row.FullName, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
	if err := json.Unmarshal(row.TargetGrades, &p.TargetGrades); err != nil {
		return examiner.Profile{}, examiner.Wrap(examiner.Internal, "Internal error.", err)
	}
	return p, nil
}

// SignIn checks a login's password pre-hash inside the database, which records the attempt
// (migration 015): the student and their token generation, or the reason it failed
// (examiner.ReasonUnknownEmail, examiner.ReasonWrongPassword). A password stored at another cost
// than cost is rehashed at it. No hash ever comes back.
func (s *Store) SignIn(ctx context.Context, email, emailKey, prehash string, cost int, c Client) (student uuid.UUID, generation int64, reason string, err error) {
	row, err := s.anonymous().SignIn(ctx, dbsqlc.SignInParams{
		Email: clean(email, examiner.MaxEmailLength), EmailKey: emailKey, Prehash: prehash, Cost: cost,
		ClientIp: c.ip(), UserAgent: c.userAgent(), RequestID: c.requestID(),
	})
	if err != nil {
		return uuid.Nil, 0, "", FromDB(err)
	}
	if row.Reason != "" || row.TokenGeneration < 0 {
		if row.Reason == "" {
			return uuid.Nil, 0, "", examiner.New(examiner.Internal, "Internal error.")
		}
		return uuid.Nil, 0, row.Reason, nil
	}
	return row.StudentID, row.TokenGeneration, "", nil
}

// RecordAuthFailure writes a failed registration or login to the audit trail, filed under the
// account with emailKey if there is one. kind is register or login; reason is duplicate_email,
// unknown_email, wrong_password or rate_limited.
func (s *Store) RecordAuthFailure(ctx context.Context, kind, email, emailKey, reason string, c Client) error {
	return FromDB(s.anonymous().RecordAuthFailure(ctx, dbsqlc.RecordAuthFailureParams{
		Kind: kind, Email: clean(email, examiner.MaxEmailLength), EmailKey: emailKey, Reason: reason,
		ClientIp: c.ip(), UserAgent: c.userAgent(), RequestID: c.requestID(),
	}))
}

// errNoProfile is the answer when the signed-in student's own row is not there: the token check
// refuses a deleted student first, so this would be a gap between the two.
var errNoProfile = examiner.New(examiner.NotFound, "Not found.")

// Profile returns the student's own profile. Errors: Unauthenticated when the token is revoked.
func (s *Store) Profile(ctx context.Context, st tenant.Student) (examiner.Profile, error) {
	row, err := s.as(st).GetProfile(ctx, st.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return examiner.Profile{}, errNoProfile
	}
	return examiner.Profile(row), translate(err)
}

// UpdateProfile applies change to the student's own profile and returns the result.
func (s *Store) UpdateProfile(ctx context.Context, st tenant.Student, change examiner.ProfileChange) (examiner.Profile, error) {
	var grades *string // nil is SQL NULL (unchanged), not JSON null
	if change.TargetGrades != nil {
		b, err := json.Marshal(change.TargetGrades)
		if err != nil {
			return examiner.Profile{}, examiner.Wrap(examiner.Internal, "Internal error.", err)
		}
		text := string(b)
		grades = &text
	}
	row, err := s.as(st).UpdateProfile(ctx, dbsqlc.UpdateProfileParams{ID: st.ID, FullName: change.FullName, TargetGrades: grades})
	if errors.Is(err, pgx.ErrNoRows) {
		return examiner.Profile{}, errNoProfile
	}
	return examiner.Profile(row), translate(err)
}

// ChangePassword stores newHash as the student's password and revokes their tokens, only if
// oldPrehash is the current password's pre-hash, checked in the database on the locked row
// (migration 015); ok is false, and nothing changed, when it is not.
func (s *Store) ChangePassword(ctx context.Context, st tenant.Student, oldPrehash, newHash string, c Client) (ok bool, err error) {
	// The event first: the change revokes the claim this transaction runs on, so no later
	// statement of it could pass the policies.
	err = s.inTx(ctx, st, func(q *dbsqlc.Queries) error {
		if err := q.RecordOwnEvent(ctx, c.ownEvent(st, examiner.EventPasswordChange)); err != nil {
			return err
		}
		generation, err := q.ChangePassword(ctx, dbsqlc.ChangePasswordParams{OldPrehash: oldPrehash, NewHash: newHash})
		if err != nil {
			return err
		}
		if generation < 0 {
			return errWrongPassword // and the event goes with the rollback
		}
		return nil
	})
	if errors.Is(err, errWrongPassword) {
		return false, nil
	}
	return err == nil, err
}

// errWrongPassword rolls back a password change whose current password is wrong.
var errWrongPassword = errors.New("store: wrong current password")

// Logout revokes every token of the student issued so far.
func (s *Store) Logout(ctx context.Context, st tenant.Student, c Client) error {
	// The event first: revoking ends the claim this transaction runs on.
	return s.inTx(ctx, st, func(q *dbsqlc.Queries) error {
		if err := q.RecordOwnEvent(ctx, c.ownEvent(st, examiner.EventLogout)); err != nil {
			return err
		}
		return q.RevokeTokens(ctx)
	})
}

// RecordPasswordChangeFailure writes a failed password change by st to their own trail; reason is
// wrong_password or rate_limited. Errors: Unauthenticated when the token is revoked.
func (s *Store) RecordPasswordChangeFailure(ctx context.Context, st tenant.Student, reason string, c Client) error {
	return translate(s.as(st).RecordOwnFailure(ctx, dbsqlc.RecordOwnFailureParams{
		StudentID: st.ID, Kind: examiner.EventPasswordChangeFailed, Reason: reason,
		ClientIp: c.ip(), UserAgent: c.userAgent(), RequestID: c.requestID(),
	}))
}

// ownEvent is a signed-in student's own event of kind, from c.
func (c Client) ownEvent(st tenant.Student, kind string) dbsqlc.RecordOwnEventParams {
	return dbsqlc.RecordOwnEventParams{StudentID: st.ID, Kind: kind, ClientIp: c.ip(), UserAgent: c.userAgent(), RequestID: c.requestID()}
}
