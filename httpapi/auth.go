package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/julienschmidt/httprouter"

	"examiner/internal/apperr"
	"examiner/internal/password"
	"examiner/internal/ratelimit"
	"examiner/internal/store"
	"examiner/tenant"
)

func (s *server) handleRegister() httprouter.Handle {
	type request struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		FullName string `json:"full_name"`
	}
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
		req, err := decode[request](w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		email, key, emailProblem := checkEmail(req.Email)
		name, nameProblem := checkFullName(req.FullName)
		var fields []apperr.FieldError
		for _, f := range []apperr.FieldError{
			{Field: "email", Message: emailProblem},
			{Field: "password", Message: password.Validate(req.Password)},
			{Field: "full_name", Message: nameProblem},
		} {
			if f.Message != "" {
				fields = append(fields, f)
			}
		}
		if len(fields) > 0 {
			s.fail(w, r, apperr.Fields(fields...))
			return
		}
		client := clientOf(r)
		address := ipKey(client.IP)
		if ok, wait := s.registerPerAddress.Take(address, s.Now()); !ok {
			s.refuse(w, r, "register", email, key, "address "+address,
				apperr.Limited("Too many registrations from this address. Try again later.", wait))
			return
		}
		hash, err := s.Passwords.Hash(r.Context(), req.Password)
		if err != nil {
			s.fail(w, r, busy(err))
			return
		}
		profile, err := s.Store.Register(r.Context(), email, key, hash, name, client)
		if err != nil {
			if apperr.As(err).Code == apperr.Conflict {
				s.logAuthEvent(r, "register", false, "duplicate_email")
			}
			s.fail(w, r, err)
			return
		}
		s.logAuthEvent(r, "register", true, "", slog.String("student_id", profile.ID.String()))
		w.Header().Set("Location", "/api/students/me")
		writeJSON(w, http.StatusCreated, profile)
	}
}

// handleLogin takes JSON {email, password} or, for standard OAuth2 clients, the password grant
// of RFC 6749 §4.3 (form-encoded grant_type=password&username=…&password=…; client credentials
// are ignored). A wrong password and an unknown email get the same status, body and headers and
// cost the same bcrypt check.
func (s *server) handleLogin() httprouter.Handle {
	type credentials struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	type response struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	failed := apperr.New(apperr.Unauthenticated, "The email or password is not correct.")
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
		var creds credentials
		if requireContentType(r, "application/x-www-form-urlencoded") == nil {
			form, err := formOf(w, r)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if gt := form.Get("grant_type"); gt != "password" {
				s.fail(w, r, apperr.New(apperr.Malformed, `Unsupported grant_type: only "password" is supported.`))
				return
			}
			creds = credentials{Email: form.Get("username"), Password: form.Get("password")}
		} else {
			var err error
			if creds, err = decode[credentials](w, r); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if creds.Email == "" || creds.Password == "" {
			var fields []apperr.FieldError
			if creds.Email == "" {
				fields = append(fields, apperr.Field("email", "is required"))
			}
			if creds.Password == "" {
				fields = append(fields, apperr.Field("password", "is required"))
			}
			s.fail(w, r, apperr.Fields(fields...))
			return
		}

		ctx, client := r.Context(), clientOf(r)
		email, key, emailProblem := checkEmail(creds.Email)
		if emailProblem != "" {
			email, key = creds.Email, "" // cannot be an account's; recorded as given
		}
		// Limits count failures by the account the email would name (whether or not it exists,
		// so a 429 tells nothing about which emails have accounts) and by client address. Each
		// attempt reserves a token from both before its password check, so attempts in flight
		// together cannot exceed the limits; a success gives the tokens back, a failure keeps them
		// spent. Something that is not an email can be no account's: only its address counts.
		settle, refused, err := s.reserveLogin(ctx, key, ipKey(client.IP))
		if err != nil {
			s.fail(w, r, busy(err))
			return
		}
		if refused != nil {
			s.refuse(w, r, "login", email, key, refused.limit, refused.err)
			return
		}
		counted := false // whether this attempt was a failed guess
		defer func() { settle(counted) }()
		fail := func(reason string) {
			counted = true
			if err := s.Store.RecordAuthFailure(ctx, "login", email, key, reason, client); err != nil {
				s.fail(w, r, err)
				return
			}
			s.logAuthEvent(r, "login", false, reason)
			s.fail(w, r, failed)
		}

		var account store.Account
		if emailProblem == "" {
			account, err = s.Store.LookupAccount(ctx, key)
		} else {
			err = apperr.New(apperr.NotFound, "Not found.")
		}
		if err != nil {
			if apperr.As(err).Code != apperr.NotFound {
				s.fail(w, r, err)
				return
			}
			// Spend the same bcrypt check as a known email would, so timing tells nothing.
			if err := s.Passwords.Waste(ctx, creds.Password); err != nil {
				s.fail(w, r, busy(err))
				return
			}
			fail("unknown_email")
			return
		}
		ok, rehash, err := s.Passwords.Verify(ctx, account.PasswordHash, creds.Password)
		if err != nil {
			s.fail(w, r, busy(err))
			return
		}
		if !ok {
			fail("wrong_password")
			return
		}
		var newHash string
		if rehash {
			if newHash, err = s.Passwords.Hash(ctx, creds.Password); err != nil {
				s.fail(w, r, busy(err))
				return
			}
		}
		issuedAt, ok, err := s.Store.CompleteLogin(ctx, account.ID, account.PasswordHash, newHash, email, client)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok { // the password changed while we checked the old one
			fail("wrong_password")
			return
		}
		s.logAuthEvent(r, "login", true, "")
		raw, _, err := s.Tokens.Issue(account.ID, issuedAt)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, response{
			AccessToken: raw,
			TokenType:   "bearer",
			ExpiresIn:   int64(s.Tokens.TTL() / time.Second),
		})
	}
}

// refusal is a sign-in refused by a rate limit: the 429, and which limit (kind and key) ran out.
type refusal struct {
	err   *apperr.Error
	limit string
}

// reserveLogin reserves a sign-in attempt from the account's limit (unless accountKey is empty)
// and the address's. On success, settle must be called once, with whether the attempt counted
// (a failed guess keeps its tokens, anything else gives them back). refused says which limit ran
// out; err is the request's context ending while it waited for attempts in flight to settle.
func (s *server) reserveLogin(ctx context.Context, accountKey, addressKey string) (settle func(counted bool), refused *refusal, err error) {
	const message = "Too many failed sign-ins for this account or from this address. Try again later."
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
		h, ok, wait, err := s.loginPerAccount.Reserve(ctx, accountKey, s.Now)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			// Say when both limits will let the next attempt through.
			_, addressWait := s.loginPerAddress.Check(addressKey, s.Now())
			return nil, &refusal{apperr.Limited(message, max(wait, addressWait)), "account " + accountKey}, nil
		}
		holds = append(holds, h)
	}
	h, ok, wait, err := s.loginPerAddress.Reserve(ctx, addressKey, s.Now)
	if err != nil || !ok {
		settle(false)
		if err != nil {
			return nil, nil, err
		}
		return nil, &refusal{apperr.Limited(message, wait), "address " + addressKey}, nil
	}
	holds = append(holds, h)
	return settle, nil, nil
}

// refuse answers a rate-limited registration or sign-in with limited, and records it: once a
// minute per exhausted limit, so that a flood of refused attempts is no flood of writes.
func (s *server) refuse(w http.ResponseWriter, r *http.Request, kind, email, emailKey, limit string, limited *apperr.Error) {
	if ok, _ := s.limitedEvents.Take(limit, s.Now()); ok {
		if err := s.Store.RecordAuthFailure(r.Context(), kind, email, emailKey, "rate_limited", clientOf(r)); err != nil {
			s.fail(w, r, err)
			return
		}
		s.logAuthEvent(r, kind, false, "rate_limited")
	}
	s.fail(w, r, limited)
}

// busy is the error for a password check that gave up waiting for a free slot.
func busy(err error) error {
	return apperr.Wrap(apperr.Unavailable, "The server is busy. Try again.", err)
}

// logAuthEvent logs an authentication event, as auth_events records it: never a password, hash,
// token or email (JSON-encoded, so no value can forge a line).
func (s *server) logAuthEvent(r *http.Request, kind string, succeeded bool, reason string, attrs ...slog.Attr) {
	attrs = append(attrs, slog.String("kind", kind), slog.Bool("succeeded", succeeded),
		slog.String("request_id", requestID(r)), slog.String("client_ip", clientOf(r).IP.String()))
	if reason != "" {
		attrs = append(attrs, slog.String("reason", reason))
	}
	s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "auth event", attrs...)
}

func (s *server) handleLogout() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		if err := s.Store.Logout(r.Context(), st, clientOf(r)); err != nil {
			s.fail(w, r, err)
			return
		}
		s.logAuthEvent(r, "logout", true, "", slog.String("student_id", st.ID.String()))
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *server) handleChangePassword() studentHandle {
	type request struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		req, err := decode[request](w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var fields []apperr.FieldError
		if req.CurrentPassword == "" {
			fields = append(fields, apperr.Field("current_password", "is required"))
		}
		if problem := password.Validate(req.NewPassword); problem != "" {
			fields = append(fields, apperr.Field("new_password", problem))
		}
		if len(fields) > 0 {
			s.fail(w, r, apperr.Fields(fields...))
			return
		}
		ctx := r.Context()
		oldHash, err := s.Store.PasswordHash(ctx, st)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ok, _, err := s.Passwords.Verify(ctx, oldHash, req.CurrentPassword)
		if err != nil {
			s.fail(w, r, busy(err))
			return
		}
		if !ok {
			s.fail(w, r, apperr.Fields(apperr.Field("current_password", "is not correct")))
			return
		}
		newHash, err := s.Passwords.Hash(ctx, req.NewPassword)
		if err != nil {
			s.fail(w, r, busy(err))
			return
		}
		if err := s.Store.ChangePassword(ctx, st, oldHash, newHash, clientOf(r)); err != nil {
			s.fail(w, r, err)
			return
		}
		s.logAuthEvent(r, "password_change", true, "", slog.String("student_id", st.ID.String()))
		w.WriteHeader(http.StatusNoContent)
	}
}
