package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner"
	"examiner/tenant"
)

// Profile is what a student may see of their own account.
type Profile struct {
	ID           uuid.UUID         `json:"id"`
	Email        string            `json:"email"`
	FullName     string            `json:"full_name"`
	TargetGrades map[string]string `json:"target_grades"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// Account is what a login needs to check a password.
type Account struct {
	ID           uuid.UUID
	PasswordHash string
}

// Register creates a student. Errors: Conflict when the email (in any case) has an account; the
// failed attempt is then recorded against that account.
func (s *Store) Register(ctx context.Context, email, emailKey, passwordHash, fullName string, c Client) (Profile, error) {
	var p Profile
	err := tenant.RunAnonymous(ctx, s.db, func(tx pgx.Tx) (err error) {
		p, err = scanProfile(tx.QueryRow(ctx, `
			SELECT id, email, full_name, target_grades, created_at, updated_at
			FROM app.register_student($1, $2, $3, $4, $5, $6, $7)`,
			email, emailKey, passwordHash, fullName, c.ip(), c.userAgent(), c.requestID()))
		return err
	})
	if IsConstraint(err, "students_email_key") {
		if err := s.RecordAuthFailure(ctx, examiner.EventRegister, email, emailKey, examiner.ReasonDuplicateEmail, c); err != nil {
			return Profile{}, err
		}
		return Profile{}, examiner.Wrap(examiner.Conflict, "An account with this email already exists.", err)
	}
	return p, FromDB(err)
}

// LookupAccount finds the account whose email has emailKey. Errors: NotFound.
func (s *Store) LookupAccount(ctx context.Context, emailKey string) (Account, error) {
	var a Account
	err := tenant.RunAnonymous(ctx, s.db, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id, password_hash FROM app.login_lookup($1)`, emailKey).Scan(&a.ID, &a.PasswordHash)
	})
	return a, FromDB(err)
}

// RecordAuthFailure writes a failed registration or login to the audit trail, filed under the
// account with emailKey if there is one. kind is register or login; reason is duplicate_email,
// unknown_email, wrong_password or rate_limited.
func (s *Store) RecordAuthFailure(ctx context.Context, kind, email, emailKey, reason string, c Client) error {
	err := tenant.RunAnonymous(ctx, s.db, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT app.record_auth_failure($1, $2, $3, $4, $5, $6, $7)`,
			kind, clean(email, 254), emailKey, reason, c.ip(), c.userAgent(), c.requestID())
		return err
	})
	return FromDB(err)
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
	var gen *int64
	err = tenant.RunAnonymous(ctx, s.db, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT app.complete_login($1, $2, $3, $4, $5, $6, $7)`,
			studentID, verifiedHash, newHashArg, clean(email, 254), c.ip(), c.userAgent(), c.requestID()).Scan(&gen)
	})
	if err != nil || gen == nil {
		return 0, false, FromDB(err)
	}
	return *gen, true, nil
}

// scanProfile reads a row of id, email, full_name, target_grades, created_at, updated_at.
func scanProfile(row pgx.Row) (Profile, error) {
	var p Profile
	err := row.Scan(&p.ID, &p.Email, &p.FullName, &p.TargetGrades, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// errNoProfile is the answer when the signed-in student's own row is not there: the token check
// refuses a deleted student first, so this would be a gap between the two.
var errNoProfile = examiner.New(examiner.NotFound, "Not found.")

// Profile returns the student's own profile. Errors: Unauthenticated when the token is revoked.
func (s *Store) Profile(ctx context.Context, st tenant.Student) (Profile, error) {
	var p Profile
	err := s.queryRow(ctx, st, errNoProfile, func(row pgx.Row) (err error) {
		p, err = scanProfile(row)
		return err
	}, `
		SELECT id, email, full_name, target_grades, created_at, updated_at
		FROM students
		WHERE id = $1`, st.ID)
	return p, err
}

// ProfileChange is a partial update of a profile: nil fields are left as they are.
type ProfileChange struct {
	FullName     *string
	TargetGrades map[string]string // nil: unchanged; empty: cleared
}

// UpdateProfile applies change to the student's own profile and returns the result.
func (s *Store) UpdateProfile(ctx context.Context, st tenant.Student, change ProfileChange) (Profile, error) {
	// JSON text with an explicit cast, not a Go map: in the exec and simple_protocol modes
	// (behind PgBouncer) pgx does not ask the server for the parameter's type, and cannot encode
	// a map for an unknown one. nil is SQL NULL (unchanged), not JSON null.
	var grades *string
	if change.TargetGrades != nil {
		b, err := json.Marshal(change.TargetGrades)
		if err != nil {
			return Profile{}, examiner.Wrap(examiner.Internal, "Internal error.", err)
		}
		text := string(b)
		grades = &text
	}
	var p Profile
	err := s.queryRow(ctx, st, errNoProfile, func(row pgx.Row) (err error) {
		p, err = scanProfile(row)
		return err
	}, `
		UPDATE students
		SET full_name = coalesce($2, full_name),
		    target_grades = coalesce($3::jsonb, target_grades),
		    updated_at = now()
		WHERE id = $1
		RETURNING id, email, full_name, target_grades, created_at, updated_at`,
		st.ID, change.FullName, grades)
	return p, err
}

// PasswordHash returns the student's own current password hash, to check a password change.
func (s *Store) PasswordHash(ctx context.Context, st tenant.Student) (string, error) {
	var hash *string
	err := s.queryRow(ctx, st, errNoProfile, func(row pgx.Row) error {
		return row.Scan(&hash)
	}, `SELECT app.current_password_hash()`)
	if err == nil && hash == nil {
		return "", examiner.New(examiner.NotFound, "Not found.")
	}
	if err != nil {
		return "", err
	}
	return *hash, nil
}

// ChangePassword replaces oldHash by newHash and revokes every token issued so far. Errors:
// Conflict when the password changed since oldHash was read.
func (s *Store) ChangePassword(ctx context.Context, st tenant.Student, oldHash, newHash string, c Client) error {
	return s.run(ctx, st, func(tx pgx.Tx) error {
		var generation *int64
		if err := tx.QueryRow(ctx, `SELECT app.change_password($1, $2)`, oldHash, newHash).Scan(&generation); err != nil {
			return err
		}
		if generation == nil {
			return examiner.New(examiner.Conflict, "The password was changed by another request. Sign in again.")
		}
		return recordOwnEvent(ctx, tx, st, examiner.EventPasswordChange, c)
	})
}

// Logout revokes every token of the student issued so far.
func (s *Store) Logout(ctx context.Context, st tenant.Student, c Client) error {
	return s.run(ctx, st, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT app.revoke_tokens()`); err != nil {
			return err
		}
		return recordOwnEvent(ctx, tx, st, examiner.EventLogout, c)
	})
}

// RecordPasswordChangeFailure writes a failed password change by st to their own trail; reason is
// wrong_password or rate_limited. Errors: Unauthenticated when the token is revoked.
func (s *Store) RecordPasswordChangeFailure(ctx context.Context, st tenant.Student, reason string, c Client) error {
	_, err := s.query(ctx, st, nil, `
		INSERT INTO auth_events (student_id, kind, succeeded, reason, client_ip, user_agent, request_id)
		VALUES ($1, 'password_change_failed', false, $2, $3, $4, $5)`,
		st.ID, reason, c.ip(), c.userAgent(), c.requestID())
	return err
}

func recordOwnEvent(ctx context.Context, tx pgx.Tx, st tenant.Student, kind string, c Client) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO auth_events (student_id, kind, succeeded, client_ip, user_agent, request_id)
		VALUES ($1, $2, true, $3, $4, $5)`,
		st.ID, kind, c.ip(), c.userAgent(), c.requestID())
	return err
}
