// Package signin is the sign-in policy: registration, login, logout and password change, on
// plain inputs, answering with domain results or *examiner.Error. The HTTP layer only decodes,
// calls and encodes.
//
// What it guarantees:
//   - Password work is bounded. Login refuses a password over examiner.MaxPasswordBytes before any
//     hashing; every bcrypt check waits for one of the Hasher's slots within its queue's
//     bounds, and a full queue is Unavailable with a retry time, at once.
//   - Guessing is bounded. Failed logins count per account (by the key of the email given,
//     whether or not an account has it, so a refusal tells nothing about which emails have
//     accounts) and per client address; wrong current passwords on a password change count
//     per student and per address. Each attempt reserves from both limits before its bcrypt
//     check, so attempts in flight together cannot exceed them; a failure keeps its reservation
//     spent, anything else gives it back. Registrations count per address.
//   - An unknown email costs the same bcrypt check as a wrong password and gets the same error.
//   - Every outcome is in the audit trail (auth_events) and the log: successes, failures with
//     their reason, and refusals by a limit once a minute per exhausted limit (a flood of
//     refusals is no flood of writes). Neither holds a password, a hash, a token or, in the
//     log, an email.
//   - Tokens carry the student's token generation: a logout or password change revokes every
//     token issued before it, and a login right after it works.
package signin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/google/uuid"

	"examiner"
	"examiner/internal/password"
	"examiner/internal/ratelimit"
	"examiner/internal/store"
	"examiner/internal/token"
	"examiner/tenant"
)

// Limits bound attempts to sign in, to change a password and to register, per account and per
// client address (an IPv4 address or an IPv6 /64). Failed attempts count; successful ones never
// do. A zero Limit takes its DefaultLimits value, except that a wrong current password is a guess
// like a failed sign-in: zero password-change limits take the login limits given.
type Limits struct {
	LoginFailuresPerAccount          ratelimit.Limit
	LoginFailuresPerAddress          ratelimit.Limit
	RegistrationsPerAddress          ratelimit.Limit
	PasswordChangeFailuresPerAccount ratelimit.Limit
	PasswordChangeFailuresPerAddress ratelimit.Limit
}

// DefaultLimits: at most 100 failed sign-ins per account in any hour and 10 at once; 1000 per
// address (a school behind one NAT is many students) and 50 at once; 20 registrations per address
// and 5 at once. Wrong current passwords take the login limits.
var DefaultLimits = Limits{
	LoginFailuresPerAccount: ratelimit.PerHour(10, 100),
	LoginFailuresPerAddress: ratelimit.PerHour(50, 1000),
	RegistrationsPerAddress: ratelimit.PerHour(5, 20),
}

// Deps is what a Service needs.
type Deps struct {
	Store     *store.Store
	Tokens    *token.Issuer
	Passwords *password.Hasher
	Logger    *slog.Logger // auth events; discarded when nil
	Limits    Limits
	Now       func() time.Time // the rate limits' clock (time.Now when nil); tokens use the real one
}

// Service runs the sign-in policy. Its methods are safe for concurrent use.
type Service struct {
	d                                                    Deps
	loginPerAccount, loginPerAddress, registerPerAddress *ratelimit.Limiter
	changePerAccount, changePerAddress                   *ratelimit.Limiter
	limitedEvents                                        *ratelimit.Limiter // one rate_limited event a minute per limit and key
}

// New returns a Service on d.
func New(d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	orElse := func(l, def ratelimit.Limit) ratelimit.Limit {
		if l == (ratelimit.Limit{}) {
			return def
		}
		return l
	}
	or := func(l, def ratelimit.Limit) *ratelimit.Limiter {
		return ratelimit.New(orElse(l, def), ratelimit.DefaultMaxKeys)
	}
	perAccount := orElse(d.Limits.LoginFailuresPerAccount, DefaultLimits.LoginFailuresPerAccount)
	perAddress := orElse(d.Limits.LoginFailuresPerAddress, DefaultLimits.LoginFailuresPerAddress)
	return &Service{
		d:                  d,
		loginPerAccount:    ratelimit.New(perAccount, ratelimit.DefaultMaxKeys),
		loginPerAddress:    ratelimit.New(perAddress, ratelimit.DefaultMaxKeys),
		registerPerAddress: or(d.Limits.RegistrationsPerAddress, DefaultLimits.RegistrationsPerAddress),
		changePerAccount:   or(d.Limits.PasswordChangeFailuresPerAccount, perAccount),
		changePerAddress:   or(d.Limits.PasswordChangeFailuresPerAddress, perAddress),
		limitedEvents:      ratelimit.New(ratelimit.Limit{Burst: 1, Per: time.Minute}, ratelimit.DefaultMaxKeys),
	}
}

// Client is where a request came from: for the audit trail, the log and the per-address limits.
type Client = store.Client

// Registration is a request for an account.
type Registration struct {
	Email, Password, FullName string
}

// Register creates an account. Errors: Invalid naming email, password and full_name (each that is
// wrong); RateLimited past the registrations per address; Conflict when the email (in any case)
// has an account; Unavailable when the password queue is full or the database is away.
func (s *Service) Register(ctx context.Context, reg Registration, c Client) (examiner.Profile, error) {
	email, key, emailProblem := examiner.CheckEmail(reg.Email)
	name, nameProblem := examiner.CheckFullName(reg.FullName)
	if err := fieldErrors(
		examiner.Field("email", emailProblem),
		examiner.Field("password", examiner.CheckNewPassword(reg.Password)),
		examiner.Field("full_name", nameProblem),
	); err != nil {
		return examiner.Profile{}, err
	}
	address := AddressKey(c.IP)
	if ok, wait := s.registerPerAddress.Take(address, s.d.Now()); !ok {
		return examiner.Profile{}, s.refuse(ctx, c, examiner.EventRegister, "address "+address,
			examiner.Limited("Too many registrations from this address. Try again later.", wait),
			func() error {
				return s.d.Store.RecordAuthFailure(ctx, examiner.EventRegister, email, key, examiner.ReasonRateLimited, c)
			})
	}
	hash, err := s.d.Passwords.Hash(s.queued(ctx, address), reg.Password)
	if err != nil {
		return examiner.Profile{}, busy(err)
	}
	profile, err := s.d.Store.Register(ctx, email, key, hash, name, c)
	if err != nil {
		if examiner.ErrorOf(err).Code == examiner.Conflict {
			s.log(ctx, c, examiner.EventRegister, false, examiner.ReasonDuplicateEmail)
		}
		return examiner.Profile{}, err
	}
	s.log(ctx, c, examiner.EventRegister, true, "", slog.String("student_id", profile.ID.String()))
	return profile, nil
}

// Token is a signed-in student's access token.
type Token struct {
	Raw string
	TTL time.Duration // how long it lives from now
}

// Login checks email and password and returns a token. A wrong password and an unknown email
// get the same error after the same bcrypt work. Errors: Invalid naming email and password when
// missing, and password when over examiner.MaxPasswordBytes; RateLimited past the failures per account or
// per address; Unauthenticated for wrong credentials; Unavailable when the password queue is full
// or the database is away.
func (s *Service) Login(ctx context.Context, emailGiven, pw string, c Client) (Token, error) {
	required := func(v string) string {
		if v == "" {
			return "is required"
		}
		return ""
	}
	pwProblem := required(pw)
	if len(pw) > examiner.MaxPasswordBytes {
		pwProblem = fmt.Sprintf("must be at most %d bytes", examiner.MaxPasswordBytes)
	}
	if err := fieldErrors(examiner.Field("email", required(emailGiven)), examiner.Field("password", pwProblem)); err != nil {
		return Token{}, err
	}
	email, key, emailProblem := examiner.CheckEmail(emailGiven)
	if emailProblem != "" {
		email, key = emailGiven, "" // cannot be an account's; recorded as given
	}
	address := AddressKey(c.IP)
	// Something that is not an email can be no account's: only its address counts.
	settle, err := s.reserve(ctx, c, examiner.EventLogin, s.loginPerAccount, key, s.loginPerAddress, address,
		"Too many failed sign-ins for this account or from this address. Try again later.",
		func() error {
			return s.d.Store.RecordAuthFailure(ctx, examiner.EventLogin, email, key, examiner.ReasonRateLimited, c)
		})
	if err != nil {
		return Token{}, err
	}
	counted := false // whether this attempt was a failed guess
	defer func() { settle(counted) }()
	fail := func(reason string) error {
		counted = true
		if err := s.d.Store.RecordAuthFailure(ctx, examiner.EventLogin, email, key, reason, c); err != nil {
			return err
		}
		s.log(ctx, c, examiner.EventLogin, false, reason)
		return examiner.New(examiner.Unauthenticated, "The email or password is not correct.")
	}

	checks := s.queued(ctx, address)
	if emailProblem != "" { // no account has it: as slow as a check, and filed under nobody
		if err := s.d.Passwords.Waste(checks, pw); err != nil {
			return Token{}, busy(err)
		}
		return Token{}, fail(examiner.ReasonUnknownEmail)
	}
	// The database checks the password (migration 015) and records the attempt; the server only
	// bounds how many checks run at once. No hash reaches Go.
	var studentID uuid.UUID
	var generation int64
	var reason string
	var dbErr error
	if err := s.d.Passwords.During(checks, func() {
		studentID, generation, reason, dbErr = s.d.Store.SignIn(ctx, email, key, password.Prehash(pw), s.d.Passwords.Cost(), c)
	}); err != nil {
		return Token{}, busy(err)
	}
	if dbErr != nil {
		return Token{}, dbErr
	}
	if reason != "" {
		counted = true
		s.log(ctx, c, examiner.EventLogin, false, reason)
		if reason == examiner.ReasonRateLimited { // the database's own ceiling (migration 015)
			return Token{}, examiner.Limited("Too many failed sign-ins for this account. Try again later.", time.Hour)
		}
		return Token{}, examiner.New(examiner.Unauthenticated, "The email or password is not correct.")
	}
	s.log(ctx, c, examiner.EventLogin, true, "")
	raw, _, err := s.d.Tokens.Issue(studentID, generation, time.Now())
	if err != nil {
		return Token{}, examiner.Wrap(examiner.Internal, "Internal error.", err)
	}
	return Token{Raw: raw, TTL: s.d.Tokens.TTL()}, nil
}

// Logout revokes every token of st issued so far. Errors: Unauthenticated when st's token is
// already revoked; Unavailable when the database is away.
func (s *Service) Logout(ctx context.Context, st tenant.Student, c Client) error {
	if err := s.d.Store.Logout(ctx, st, c); err != nil {
		return err
	}
	s.log(ctx, c, examiner.EventLogout, true, "", slog.String("student_id", st.ID.String()))
	return nil
}

// PasswordChange is a request to replace a student's password.
type PasswordChange struct {
	Current, New string
}

// ChangePassword replaces st's password after checking the current one, and revokes every token
// issued so far. Errors: Invalid naming current_password (missing, over examiner.MaxPasswordBytes, or not
// correct) and new_password (not a valid password); RateLimited past the wrong current passwords
// per student or per address; Conflict when another change won the race; Unauthenticated when
// st's token is revoked; Unavailable when the password queue is full or the database is away.
func (s *Service) ChangePassword(ctx context.Context, st tenant.Student, change PasswordChange, c Client) error {
	currentProblem := ""
	switch {
	case change.Current == "":
		currentProblem = "is required"
	case len(change.Current) > examiner.MaxPasswordBytes:
		currentProblem = fmt.Sprintf("must be at most %d bytes", examiner.MaxPasswordBytes)
	}
	if err := fieldErrors(
		examiner.Field("current_password", currentProblem),
		examiner.Field("new_password", examiner.CheckNewPassword(change.New)),
	); err != nil {
		return err
	}
	address := AddressKey(c.IP)
	settle, err := s.reserve(ctx, c, examiner.EventPasswordChangeFailed, s.changePerAccount, st.ID.String(), s.changePerAddress, address,
		"Too many wrong passwords for this account or from this address. Try again later.",
		func() error { return s.d.Store.RecordPasswordChangeFailure(ctx, st, examiner.ReasonRateLimited, c) })
	if err != nil {
		return err
	}
	counted := false
	defer func() { settle(counted) }()

	// The new password's hash is made here (the server's cost and salt); the current password is
	// checked in the database against the locked row (migration 015), which stores the new hash
	// only if it is right.
	checks := s.queued(ctx, address)
	newHash, err := s.d.Passwords.Hash(checks, change.New)
	if err != nil {
		return busy(err)
	}
	var changed bool
	var dbErr error
	if err := s.d.Passwords.During(checks, func() {
		changed, dbErr = s.d.Store.ChangePassword(ctx, st, password.Prehash(change.Current), newHash, c)
	}); err != nil {
		return busy(err)
	}
	if dbErr != nil {
		return dbErr
	}
	if !changed {
		counted = true
		if err := s.d.Store.RecordPasswordChangeFailure(ctx, st, examiner.ReasonWrongPassword, c); err != nil {
			return err
		}
		s.log(ctx, c, examiner.EventPasswordChangeFailed, false, examiner.ReasonWrongPassword, slog.String("student_id", st.ID.String()))
		return examiner.Fields(examiner.Field("current_password", "is not correct"))
	}
	s.log(ctx, c, examiner.EventPasswordChange, true, "", slog.String("student_id", st.ID.String()))
	return nil
}

// reserve reserves an attempt of kind from perAccount under accountKey (unless it is empty) and
// from perAddress under addressKey, before its password check. On success, settle must be called
// once, with whether the attempt counted (a failed guess keeps its tokens, anything else gives
// them back). When a limit has run out, the error is RateLimited, saying when both limits let the
// next attempt through, and the refusal is recorded by record (see refuse).
func (s *Service) reserve(ctx context.Context, c Client, kind string, perAccount *ratelimit.Limiter, accountKey string,
	perAddress *ratelimit.Limiter, addressKey, message string, record func() error) (settle func(counted bool), err error) {
	var holds []*ratelimit.Reservation
	settle = func(counted bool) {
		for _, h := range holds {
			if counted {
				h.Keep()
			} else {
				h.Cancel()
			}
		}
	}
	if accountKey != "" {
		h, ok, wait, err := perAccount.Reserve(ctx, accountKey, s.d.Now)
		if err != nil {
			return nil, busy(err)
		}
		if !ok {
			_, addressWait := perAddress.Check(addressKey, s.d.Now())
			return nil, s.refuse(ctx, c, kind, "account "+accountKey, examiner.Limited(message, max(wait, addressWait)), record)
		}
		holds = append(holds, h)
	}
	h, ok, wait, err := perAddress.Reserve(ctx, addressKey, s.d.Now)
	if err != nil || !ok {
		settle(false)
		if err != nil {
			return nil, busy(err)
		}
		return nil, s.refuse(ctx, c, kind, "address "+addressKey, examiner.Limited(message, wait), record)
	}
	holds = append(holds, h)
	return settle, nil
}

// refuse returns limited, having recorded it with record and logged it: once a minute per
// exhausted limit, so that a flood of refused attempts is no flood of writes.
func (s *Service) refuse(ctx context.Context, c Client, kind, limit string, limited *examiner.Error, record func() error) error {
	if ok, _ := s.limitedEvents.Take(kind+" "+limit, s.d.Now()); ok {
		if err := record(); err != nil {
			return err
		}
		s.log(ctx, c, kind, false, examiner.ReasonRateLimited)
	}
	return limited
}

// queued is ctx naming the client address whose password checks it carries, for the Hasher's
// per-client queue bound.
func (s *Service) queued(ctx context.Context, address string) context.Context {
	return password.WithClient(ctx, address)
}

// busy is the error for a password check or a rate-limit reservation that did not get its turn:
// the queue was full (with when to retry), or the request's context ended while it waited.
func busy(err error) error {
	var full *password.QueueFullError
	if errors.As(err, &full) {
		e := examiner.Wrap(examiner.Unavailable, "The server is busy checking passwords. Try again.", err)
		e.RetryAfter = full.RetryAfter
		return e
	}
	return examiner.Wrap(examiner.Unavailable, "The server is busy. Try again.", err)
}

// log logs an authentication event as auth_events records it: never a password, hash, token or
// email (JSON-encoded by the handler, so no value can forge a line).
func (s *Service) log(ctx context.Context, c Client, kind string, succeeded bool, reason string, attrs ...slog.Attr) {
	attrs = append(attrs, slog.String("kind", kind), slog.Bool("succeeded", succeeded),
		slog.String("request_id", c.RequestID), slog.String("client_ip", c.IP.String()))
	if reason != "" {
		attrs = append(attrs, slog.String("reason", reason))
	}
	s.d.Logger.LogAttrs(ctx, slog.LevelInfo, "auth event", attrs...)
}

// fieldErrors is an Invalid error listing the fields with a message, or nil when none has one.
func fieldErrors(fields ...examiner.FieldError) error {
	var wrong []examiner.FieldError
	for _, f := range fields {
		if f.Message != "" {
			wrong = append(wrong, f)
		}
	}
	if len(wrong) == 0 {
		return nil
	}
	return examiner.Fields(wrong...)
}

// AddressKey is the rate-limit key of a client address: the address for IPv4, its /64 for IPv6
// (one subscriber usually holds a whole /64, and could otherwise use a fresh address per attempt).
func AddressKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
