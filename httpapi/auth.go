package httpapi

import (
	"net/http"
	"time"

	"github.com/julienschmidt/httprouter"

	"examiner"
	"examiner/internal/signin"
	"examiner/tenant"
)

// The sign-in policy (limits, timing, rehashes, the audit trail, tokens) is internal/signin's;
// these handlers only decode, call and encode.

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
		profile, err := s.signin.Register(r.Context(), signin.Registration(req), clientOf(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Location", "/api/students/me")
		writeJSON(w, http.StatusCreated, profile)
	}
}

// handleLogin takes JSON {email, password} or, for standard OAuth2 clients, the password grant
// of RFC 6749 §4.3 (form-encoded grant_type=password&username=…&password=…; client credentials
// are ignored).
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
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
		var creds credentials
		if requireContentType(r, "application/x-www-form-urlencoded") == nil {
			form, err := formOf(w, r)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if gt := form.Get("grant_type"); gt != "password" {
				s.fail(w, r, examiner.New(examiner.Malformed, `Unsupported grant_type: only "password" is supported.`))
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
		tok, err := s.signin.Login(r.Context(), creds.Email, creds.Password, clientOf(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, response{AccessToken: tok.Raw, TokenType: "bearer", ExpiresIn: int64(tok.TTL / time.Second)})
	}
}

func (s *server) handleLogout() studentHandle {
	return func(w http.ResponseWriter, r *http.Request, _ httprouter.Params, st tenant.Student) {
		if err := s.signin.Logout(r.Context(), st, clientOf(r)); err != nil {
			s.fail(w, r, err)
			return
		}
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
		change := signin.PasswordChange{Current: req.CurrentPassword, New: req.NewPassword}
		if err := s.signin.ChangePassword(r.Context(), st, change, clientOf(r)); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
