package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/julienschmidt/httprouter"

	"examiner/internal/apperr"
	"examiner/internal/password"
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
		email, emailProblem := checkEmail(req.Email)
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
		hash, err := s.Passwords.Hash(r.Context(), req.Password)
		if err != nil {
			s.fail(w, r, apperr.Wrap(apperr.Unavailable, "The server is busy. Try again.", err))
			return
		}
		profile, err := s.Store.Register(r.Context(), email, hash, name, clientOf(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "auth event",
			slog.String("kind", "register"), slog.Bool("succeeded", true),
			slog.String("student_id", profile.ID.String()), slog.String("request_id", requestID(r)))
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
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
			if err := r.ParseForm(); err != nil {
				s.fail(w, r, decodeError(err))
				return
			}
			if gt := r.PostForm.Get("grant_type"); gt != "password" {
				s.fail(w, r, apperr.New(apperr.Malformed, `Unsupported grant_type: only "password" is supported.`))
				return
			}
			creds = credentials{Email: r.PostForm.Get("username"), Password: r.PostForm.Get("password")}
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

		ctx := r.Context()
		attempt := store.LoginAttempt{Email: creds.Email}
		account, err := s.lookupAccount(r, creds.Email)
		switch {
		case err != nil && apperr.As(err).Code == apperr.NotFound:
			attempt.Failure = "unknown_email"
			err = s.Passwords.Waste(ctx, creds.Password)
		case err == nil:
			attempt.StudentID = account.ID
			var ok, rehash bool
			ok, rehash, err = s.Passwords.Verify(ctx, account.PasswordHash, creds.Password)
			switch {
			case err == nil && !ok:
				attempt.Failure = "wrong_password"
			case err == nil && rehash:
				if attempt.NewHash, err = s.Passwords.Hash(ctx, creds.Password); err == nil {
					attempt.OldHash = account.PasswordHash
				}
			}
		}
		if err != nil {
			if errors.Is(err, ctx.Err()) {
				err = apperr.Wrap(apperr.Unavailable, "The server is busy. Try again.", err)
			}
			s.fail(w, r, err)
			return
		}
		dbNow, err := s.Store.RecordLogin(ctx, attempt, clientOf(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.Logger.LogAttrs(ctx, slog.LevelInfo, "auth event",
			slog.String("kind", "login"), slog.Bool("succeeded", attempt.Failure == ""),
			slog.String("reason", attempt.Failure), slog.String("request_id", requestID(r)))
		if attempt.Failure != "" {
			s.fail(w, r, failed)
			return
		}
		raw, _, err := s.Tokens.Issue(account.ID, issueTime(dbNow, account.TokensValidAfter))
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

// lookupAccount finds the account for a login; emails that cannot be an account's are simply
// not found.
func (s *server) lookupAccount(r *http.Request, email string) (store.Account, error) {
	if _, problem := checkEmail(email); problem != "" {
		return store.Account{}, apperr.New(apperr.NotFound, "Not found.")
	}
	return s.Store.LookupAccount(r.Context(), email)
}

// issueTime is when a new token says it was issued: the database's clock now, to the millisecond
// (the precision tokens carry), but never before the student's token cut-off, so that a login
// right after a logout or password change still gets a working token. Revocation moves the
// cut-off at least 2 ms on (app.next_token_cutoff), past any time this returns.
func issueTime(dbNow, cutoff time.Time) time.Time {
	iat := dbNow.Truncate(time.Millisecond)
	if iat.Before(cutoff) {
		iat = cutoff.Truncate(time.Millisecond)
		if iat.Before(cutoff) {
			iat = iat.Add(time.Millisecond)
		}
	}
	return iat
}

func (s *server) handleLogout() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		if err := s.Store.Logout(r.Context(), st, clientOf(r)); err != nil {
			s.fail(w, r, err)
			return
		}
		s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "auth event",
			slog.String("kind", "logout"), slog.Bool("succeeded", true),
			slog.String("student_id", st.ID.String()), slog.String("request_id", requestID(r)))
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
			s.fail(w, r, apperr.Wrap(apperr.Unavailable, "The server is busy. Try again.", err))
			return
		}
		if !ok {
			s.fail(w, r, apperr.Fields(apperr.Field("current_password", "is not correct")))
			return
		}
		newHash, err := s.Passwords.Hash(ctx, req.NewPassword)
		if err != nil {
			s.fail(w, r, apperr.Wrap(apperr.Unavailable, "The server is busy. Try again.", err))
			return
		}
		if err := s.Store.ChangePassword(ctx, st, oldHash, newHash, clientOf(r)); err != nil {
			s.fail(w, r, err)
			return
		}
		s.Logger.LogAttrs(ctx, slog.LevelInfo, "auth event",
			slog.String("kind", "password_change"), slog.Bool("succeeded", true),
			slog.String("student_id", st.ID.String()), slog.String("request_id", requestID(r)))
		w.WriteHeader(http.StatusNoContent)
	}
}
