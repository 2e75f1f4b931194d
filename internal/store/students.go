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

// Account is what a login needs to check a password.
type Account struct {
	ID           uuid.UUID
	PasswordHash string
}

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

// LookupAccount finds the account whose email has emailKey. Errors: NotFound.
func (s *Store) LookupAccount(ctx context.Context, emailKey string) (Account, error) {
	row, err := s.anonymous().LoginLookup(ctx, emailKey)
	return Account(row), FromDB(err)
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

// CompleteLogin finishes a login whose password was checked against verifiedHash: it records the
// event, stores newHash when set (a rehash), and returns the student's token generation, for the
// token. ok is false when the password changed since verifiedHash was read, and the login must
// fail.
func (s *Store) CompleteLogin(ctx context.Context, studentID uuid.UUID, verifiedHash, newHash, email string, c Client) (generation int64, ok bool, err error) {
	var newHashArg *string
	if newHash != "" {
		newHashArg = &newHash
	}
	gen, err := s.anonymous().CompleteLogin(ctx, dbsqlc.CompleteLoginParams{
		StudentID: studentID, VerifiedHash: verifiedHash, NewHash: newHashArg, Email: clean(email, examiner.MaxEmailLength),
		ClientIp: c.ip(), UserAgent: c.userAgent(), RequestID: c.requestID(),
	})
	if err != nil || gen < 0 {
		return 0, false, FromDB(err)
	}
	return gen, true, nil
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

// PasswordHash returns the student's own current password hash, to check a password change.
func (s *Store) PasswordHash(ctx context.Context, st tenant.Student) (string, error) {
	hash, err := s.as(st).CurrentPasswordHash(ctx)
	if err == nil && hash == "" {
		return "", errNoProfile
	}
	return hash, translate(err)
}

// ChangePassword replaces oldHash by newHash and revokes every token issued so far. Errors:
// Conflict when the password changed since oldHash was read.
func (s *Store) ChangePassword(ctx context.Context, st tenant.Student, oldHash, newHash string, c Client) error {
	return s.inTx(ctx, st, func(q *dbsqlc.Queries) error {
		generation, err := q.ChangePassword(ctx, dbsqlc.ChangePasswordParams{OldHash: oldHash, NewHash: newHash})
		if err != nil {
			return err
		}
		if generation < 0 {
			return examiner.New(examiner.Conflict, "The password was changed by another request. Sign in again.")
		}
		return q.RecordOwnEvent(ctx, c.ownEvent(st, examiner.EventPasswordChange))
	})
}

// Logout revokes every token of the student issued so far.
func (s *Store) Logout(ctx context.Context, st tenant.Student, c Client) error {
	return s.inTx(ctx, st, func(q *dbsqlc.Queries) error {
		if err := q.RevokeTokens(ctx); err != nil {
			return err
		}
		return q.RecordOwnEvent(ctx, c.ownEvent(st, examiner.EventLogout))
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
