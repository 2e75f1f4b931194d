package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"examiner/internal/apperr"
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
	ID               uuid.UUID
	PasswordHash     string
	TokensValidAfter time.Time
}

// Register creates a student. Errors: Conflict when the email (in any case) has an account.
func (s *Store) Register(ctx context.Context, email, passwordHash, fullName string, c Client) (Profile, error) {
	var p Profile
	err := tenant.RunAnonymous(ctx, s.db, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
			SELECT id, email, full_name, target_grades, created_at, created_at
			FROM app.register_student($1, $2, $3, $4, $5, $6)`,
			email, passwordHash, fullName, c.ip(), c.userAgent(), c.requestID(),
		).Scan(&p.ID, &p.Email, &p.FullName, &p.TargetGrades, &p.CreatedAt, &p.UpdatedAt)
	})
	if apperr.IsConstraint(err, "students_email_key") {
		return Profile{}, apperr.Wrap(apperr.Conflict, "An account with this email already exists.", err)
	}
	return p, apperr.FromDB(err)
}

// LookupAccount finds the account for email, in any case. Errors: NotFound.
func (s *Store) LookupAccount(ctx context.Context, email string) (Account, error) {
	var a Account
	err := tenant.RunAnonymous(ctx, s.db, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT id, password_hash, tokens_valid_after FROM app.login_lookup($1)`, email).
			Scan(&a.ID, &a.PasswordHash, &a.TokensValidAfter)
	})
	return a, apperr.FromDB(err)
}

// LoginAttempt is one login to record in the audit trail.
type LoginAttempt struct {
	StudentID uuid.UUID // uuid.Nil for an unknown email
	Email     string
	Failure   string // "" on success, else unknown_email, wrong_password or rate_limited
	// OldHash and NewHash, when NewHash is set, replace a password hash of an older scheme or
	// cost after a successful login.
	OldHash, NewHash string
}

// RecordLogin writes a login attempt to the audit trail, upgrades the password hash when asked
// to, and returns the database's clock at that moment.
func (s *Store) RecordLogin(ctx context.Context, a LoginAttempt, c Client) (time.Time, error) {
	var student *uuid.UUID
	if a.StudentID != uuid.Nil {
		student = &a.StudentID
	}
	var reason *string
	if a.Failure != "" {
		reason = &a.Failure
	}
	var now time.Time
	err := tenant.RunAnonymous(ctx, s.db, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT app.record_login($1, $2, $3, $4, $5, $6, $7)`,
			student, clean(a.Email, 254), a.Failure == "", reason, c.ip(), c.userAgent(), c.requestID()).Scan(&now); err != nil {
			return err
		}
		if a.NewHash != "" {
			_, err := tx.Exec(ctx, `SELECT app.upgrade_password_hash($1, $2, $3)`, a.StudentID, a.OldHash, a.NewHash)
			return err
		}
		return nil
	})
	return now, apperr.FromDB(err)
}

const profileColumns = `id, email, full_name, target_grades, created_at, updated_at`

func scanProfile(row pgx.Row) (Profile, error) {
	var p Profile
	err := row.Scan(&p.ID, &p.Email, &p.FullName, &p.TargetGrades, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// Profile returns the student's own profile. Errors: Unauthenticated when the token is revoked.
func (s *Store) Profile(ctx context.Context, st tenant.Student) (Profile, error) {
	var p Profile
	err := s.run(ctx, st, func(tx pgx.Tx) (err error) {
		p, err = scanProfile(tx.QueryRow(ctx, `SELECT `+profileColumns+` FROM students WHERE id = $1`, st.ID))
		return err
	})
	return p, err
}

// ProfileChange is a partial update of a profile: nil fields are left as they are.
type ProfileChange struct {
	FullName     *string
	TargetGrades map[string]string // nil: unchanged; empty: cleared
}

// UpdateProfile applies change to the student's own profile and returns the result.
func (s *Store) UpdateProfile(ctx context.Context, st tenant.Student, change ProfileChange) (Profile, error) {
	var grades any // SQL NULL, not JSON null, when unchanged
	if change.TargetGrades != nil {
		grades = change.TargetGrades
	}
	var p Profile
	err := s.run(ctx, st, func(tx pgx.Tx) (err error) {
		p, err = scanProfile(tx.QueryRow(ctx, `
			UPDATE students
			SET full_name = coalesce($2, full_name),
			    target_grades = coalesce($3, target_grades),
			    updated_at = now()
			WHERE id = $1
			RETURNING `+profileColumns,
			st.ID, change.FullName, grades))
		return err
	})
	return p, err
}

// PasswordHash returns the student's own current password hash, to check a password change.
func (s *Store) PasswordHash(ctx context.Context, st tenant.Student) (string, error) {
	var hash *string
	err := s.run(ctx, st, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT app.current_password_hash()`).Scan(&hash)
	})
	if err == nil && hash == nil {
		return "", apperr.New(apperr.NotFound, "Not found.")
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
		var cutoff *time.Time
		if err := tx.QueryRow(ctx, `SELECT app.change_password($1, $2)`, oldHash, newHash).Scan(&cutoff); err != nil {
			return err
		}
		if cutoff == nil {
			return apperr.New(apperr.Conflict, "The password was changed by another request. Sign in again.")
		}
		return recordOwnEvent(ctx, tx, st, "password_change", c)
	})
}

// Logout revokes every token of the student issued so far.
func (s *Store) Logout(ctx context.Context, st tenant.Student, c Client) error {
	return s.run(ctx, st, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT app.revoke_tokens()`); err != nil {
			return err
		}
		return recordOwnEvent(ctx, tx, st, "logout", c)
	})
}

func recordOwnEvent(ctx context.Context, tx pgx.Tx, st tenant.Student, kind string, c Client) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO auth_events (student_id, kind, succeeded, client_ip, user_agent, request_id)
		VALUES ($1, $2, true, $3, $4, $5)`,
		st.ID, kind, c.ip(), c.userAgent(), c.requestID())
	return err
}

// run is tenant.Run with errors translated: a revoked token is Unauthenticated.
func (s *Store) run(ctx context.Context, st tenant.Student, fn func(pgx.Tx) error) error {
	err := tenant.Run(ctx, s.db, st, fn)
	if errors.Is(err, tenant.ErrTokenRevoked) {
		return apperr.Wrap(apperr.Unauthenticated, "The token has been revoked. Sign in again.", err)
	}
	return apperr.FromDB(err)
}
