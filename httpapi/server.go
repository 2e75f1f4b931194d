// Package httpapi is the JSON HTTP API: routes, request decoding and validation, and the one
// place where application errors become HTTP responses (problem+json, RFC 9457).
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/internal/dbclaim"
	"examiner/internal/password"
	"examiner/internal/signin"
	"examiner/internal/store"
	"examiner/internal/token"
)

// Deps is everything the API needs.
type Deps struct {
	DB     *pgxpool.Pool // for readiness checks; student data goes through Store
	Store  *store.Store
	Tokens *token.Issuer
	// Claims signs, for each request, the claim that tells the database which student it is for
	// (internal/dbclaim); its key must be installed in the database (examiner keys install).
	Claims    *dbclaim.Signer
	Passwords *password.Hasher
	Logger    *slog.Logger

	// Limits on sign-in, password-change and registration attempts; a zero Limit takes its
	// DefaultLimits value.
	Limits Limits
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header names the client.
	TrustedProxies Proxies
	// Now is the clock of the rate limits (time.Now when nil).
	Now func() time.Time
	// RequestTimeout bounds the work of one request: waiting for a pooled connection and its
	// queries (DefaultRequestTimeout when zero). Past it the request gets a 503 rather than
	// hanging on a database that does not answer.
	RequestTimeout time.Duration
	// PasswordTimeout replaces RequestTimeout for the routes that check a password (register,
	// login, password change), whose wait for a password-check slot is bounded by it
	// (DefaultPasswordTimeout when zero): checks are bounded to a few cores on purpose, so a storm
	// of logins queues for them, and each must get its turn.
	PasswordTimeout time.Duration
	// AllowedOrigins are the browser origins whose pages may call the API (CORS).
	AllowedOrigins Origins
	// Draining reports whether the server is shutting down; /readyz then answers 503 so that load
	// balancers stop sending requests while those in flight finish. Nil means never.
	Draining func() bool
	// Metrics records the server's metrics, served at GET /metrics; a new Metrics when nil. Pass
	// one in to also serve its Handler somewhere else, such as an internal address.
	Metrics *Metrics
	// HideMetrics takes GET /metrics off this handler (it answers 404 like an unknown path), for
	// deployments that serve Metrics.Handler only on an internal address.
	HideMetrics bool
}

// DefaultRequestTimeout is RequestTimeout's default.
const DefaultRequestTimeout = 5 * time.Second

// DefaultPasswordTimeout is PasswordTimeout's default: time for 100 logins at bcrypt cost 12
// (about 0.3 s of a core each) queued on one core alone take 30 s, and under a full load of other
// requests, with bcrypt at a lower priority, about 60 s (measured by make bench): twice that.
const DefaultPasswordTimeout = 2 * time.Minute

// Limits are signin.Limits.
type Limits = signin.Limits

// DefaultLimits are signin.DefaultLimits.
var DefaultLimits = signin.DefaultLimits

type server struct {
	Deps
	signin         *signin.Service
	metricsHandler http.Handler
}

// NewServer returns the API's handler.
func NewServer(d Deps) http.Handler {
	if d.Claims == nil {
		panic("httpapi: Deps.Claims is required: without it no request could act for a student")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = DefaultRequestTimeout
	}
	if d.PasswordTimeout <= 0 {
		d.PasswordTimeout = DefaultPasswordTimeout
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(d.Logger)
	}
	d.Metrics.watch(d.DB, d.Passwords)
	s := &server{
		Deps: d,
		signin: signin.New(signin.Deps{Store: d.Store, Tokens: d.Tokens, Passwords: d.Passwords,
			Logger: d.Logger, Limits: d.Limits, Now: d.Now}),
		metricsHandler: d.Metrics.Handler(),
	}
	return s.withRequestContext(s.routes())
}
