// Package httpapi is the JSON HTTP API: routes, request decoding and validation, and the one
// place where application errors become HTTP responses (problem+json, RFC 9457).
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/internal/password"
	"examiner/internal/store"
	"examiner/internal/token"
)

// Deps is everything the API needs.
type Deps struct {
	DB        *pgxpool.Pool // for readiness checks; student data goes through Store
	Store     *store.Store
	Tokens    *token.Issuer
	Passwords *password.Hasher
	Logger    *slog.Logger
}

type server struct {
	Deps
}

// NewServer returns the API's handler.
func NewServer(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	s := &server{Deps: d}
	return s.withRequestContext(s.routes())
}
