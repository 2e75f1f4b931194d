package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/julienschmidt/httprouter"

	"examiner"
	"examiner/internal/store"
	"examiner/internal/token"
	"examiner/tenant"
)

type clientKey struct{}

// withRequestContext gives every request an id (the client's X-Request-Id when it is well formed,
// see wellFormedRequestID) and its client's description (see clientOf), the headers every response
// carries, a line in the access log, and its count and duration in the metrics, by the route
// that handled it.
func (s *server) withRequestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !wellFormedRequestID(id) {
			id = newRequestID()
		}
		client := store.Client{IP: s.TrustedProxies.clientIP(r), UserAgent: r.UserAgent(), RequestID: id}
		ctx, route := withRouteSlot(context.WithValue(r.Context(), clientKey{}, client))
		r = r.WithContext(ctx) // each route sets its deadline (routes.go)
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		s.cors(w, r)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		s.Metrics.observe(*route, r.Method, rec.status, took)
		s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Duration("duration", took))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// wellFormedRequestID reports whether a client's X-Request-Id is kept: a UUID (8-4-4-4-12 hex
// digits) or 16 to 64 hex digits, which is what proxies such as Envoy and nginx generate and what
// newRequestID makes. The id is stored in the sign-in trail of the account an attempt names,
// which may be another student's, so it must not be able to carry words to that student.
func wellFormedRequestID(id string) bool {
	if len(id) == 36 && uuid.Validate(id) == nil {
		return true
	}
	if len(id) < 16 || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func requestID(r *http.Request) string { return clientOf(r).RequestID }

// clientOf describes where r came from, for the audit trail and the rate limits: worked out
// once per request, by withRequestContext.
func clientOf(r *http.Request) store.Client {
	c, _ := r.Context().Value(clientKey{}).(store.Client)
	return c
}

// studentHandle is a handler for a signed-in student.
type studentHandle func(w http.ResponseWriter, r *http.Request, ps httprouter.Params, st tenant.Student)

// authenticated verifies the bearer token and hands the handler the student it names. Whether
// the token has since been revoked is checked inside the handler's tenant transaction.
func (s *server) authenticated(h studentHandle) httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		st, err := s.studentOf(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, ps, st)
	}
}

func (s *server) studentOf(r *http.Request) (tenant.Student, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return tenant.Student{}, examiner.New(examiner.Unauthenticated, "Sign in: this needs a bearer token.")
	}
	scheme, raw, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || len(raw) > token.MaxLength {
		return tenant.Student{}, examiner.New(examiner.Unauthenticated, "The Authorization header must be \"Bearer <token>\".")
	}
	claims, err := s.Tokens.Verify(strings.TrimSpace(raw), time.Now())
	if err != nil {
		s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "token rejected",
			slog.String("request_id", requestID(r)), slog.String("reason", err.Error()))
		return tenant.Student{}, examiner.Wrap(examiner.Unauthenticated, "The token is invalid or expired. Sign in again.", err)
	}
	return s.Claims.Student(claims), nil
}
