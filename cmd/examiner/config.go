package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"examiner/httpapi"
	"examiner/internal/dbclaim"
	"examiner/internal/password"
	"examiner/internal/ratelimit"
	"examiner/internal/token"
	"examiner/tenant"
)

// config is the server's configuration, read from the environment (see README.md).
type config struct {
	DatabaseURL         string
	JWTSecret           []byte
	JWTTTL              time.Duration
	JWTIssuer           string
	JWTAudience         string
	DBClaimKID          string // the kid of the claim key (DB_CLAIM_KID), installed by examiner keys install
	HTTPAddr            string
	MetricsAddr         string // where /metrics is served, and not on HTTPAddr; "" to serve it on HTTPAddr
	BcryptCost          int
	PasswordConcurrency int
	DBMaxConns          int32
	DBQueryExecMode     pgx.QueryExecMode
	RequestTimeout      time.Duration
	PasswordTimeout     time.Duration
	PasswordNice        int
	// PasswordQueue and PasswordQueuePerAddress bound the password checks waiting for a slot,
	// overall and per client address (password.Options.Queue and QueuePerClient).
	PasswordQueue           int
	PasswordQueuePerAddress int
	ShutdownDrain           time.Duration
	ShutdownGrace           time.Duration
	TrustedProxies          httpapi.Proxies
	AllowedOrigins          httpapi.Origins
	Limits                  httpapi.Limits
}

func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		DatabaseURL: getenv("DATABASE_URL"),
		JWTSecret:   []byte(getenv("JWT_SECRET")),
		JWTIssuer:   orDefault(getenv("JWT_ISSUER"), "examiner"),
		JWTAudience: orDefault(getenv("JWT_AUDIENCE"), "examiner-api"),
		DBClaimKID:  orDefault(getenv("DB_CLAIM_KID"), dbclaim.DefaultKID),
		HTTPAddr:    orDefault(getenv("HTTP_ADDR"), ":8080"),
		MetricsAddr: orDefault(getenv("METRICS_ADDR"), defaultMetricsAddr),
	}
	if cfg.MetricsAddr == metricsOnAPI {
		cfg.MetricsAddr = ""
	}
	var errs []error
	if cfg.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL is not set"))
	}
	if len(cfg.JWTSecret) < token.MinSecretLength {
		errs = append(errs, fmt.Errorf("JWT_SECRET must be at least %d bytes (it is %d); generate one with: openssl rand -base64 48",
			token.MinSecretLength, len(cfg.JWTSecret)))
	}
	// duration reads name (def when unset): a positive duration, or also 0 when zeroOK.
	duration := func(name, def string, zeroOK bool) time.Duration {
		d, err := time.ParseDuration(orDefault(getenv(name), def))
		if err != nil || d < 0 || d == 0 && !zeroOK {
			want := "a positive duration"
			if zeroOK {
				want = "a duration (0 for none)"
			}
			errs = append(errs, fmt.Errorf("%s=%q: want %s such as %s", name, getenv(name), want, def))
		}
		return d
	}
	cfg.JWTTTL = duration("JWT_TTL", "24h", false)
	cfg.RequestTimeout = duration("REQUEST_TIMEOUT", "5s", false)
	cfg.PasswordTimeout = duration("PASSWORD_TIMEOUT", "2m", false)
	cfg.ShutdownDrain = duration("SHUTDOWN_DRAIN", "0s", true)
	cfg.ShutdownGrace = duration("SHUTDOWN_GRACE", "20s", false)
	// integer reads name (def when unset): a whole number from lo to hi; why says what it is.
	integer := func(name string, def, lo, hi int, why string) int {
		n, err := strconv.Atoi(orDefault(getenv(name), strconv.Itoa(def)))
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("%s=%q: want %s", name, getenv(name), why))
		}
		return n
	}
	// The database checks passwords at costs 4 to 14 only (migration 015: a higher cost from SQL
	// would hold a backend for minutes); 14 already takes about a second a check.
	cfg.BcryptCost = integer("BCRYPT_COST", 12, 4, 14, "a number from 4 to 14")
	cfg.PasswordConcurrency = integer("PASSWORD_CONCURRENCY", password.DefaultConcurrency(), 1, math.MaxInt32, "a positive number")
	cfg.PasswordNice = integer("PASSWORD_NICE", password.DefaultNice, 0, 19, "0 to 19 (how much lower bcrypt's threads run; 0 for no difference)")
	cfg.PasswordQueue = integer("PASSWORD_QUEUE", password.DefaultQueuePerSlot*max(1, cfg.PasswordConcurrency), 1, math.MaxInt32, "a positive number")
	cfg.PasswordQueuePerAddress = integer("PASSWORD_QUEUE_PER_ADDRESS", max(1, cfg.PasswordQueue/2), 1, math.MaxInt32, "a positive number")
	cfg.DBMaxConns = int32(integer("DB_MAX_CONNS", 10, 1, math.MaxInt32, "a positive number"))
	var err error
	if cfg.DBQueryExecMode, err = parseExecMode(getenv("DB_QUERY_EXEC_MODE")); err != nil {
		errs = append(errs, err)
	}
	if cfg.DBQueryExecMode == pgx.QueryExecModeSimpleProtocol {
		errs = append(errs, errSimpleProtocol)
	}
	if _, err := dbclaim.NewSigner([]byte("x"), cfg.DBClaimKID); err != nil {
		errs = append(errs, fmt.Errorf("DB_CLAIM_KID=%q: want 1 to 16 letters or digits", cfg.DBClaimKID))
	}
	if cfg.TrustedProxies, err = httpapi.ParseProxies(getenv("TRUSTED_PROXIES")); err != nil {
		errs = append(errs, fmt.Errorf("TRUSTED_PROXIES=%q: want addresses or CIDR prefixes separated by commas: %v", getenv("TRUSTED_PROXIES"), err))
	}
	if cfg.AllowedOrigins, err = httpapi.ParseOrigins(getenv("CORS_ORIGINS")); err != nil {
		errs = append(errs, fmt.Errorf("CORS_ORIGINS: %v", err))
	}
	for _, l := range []struct {
		name string
		into *ratelimit.Limit
		def  ratelimit.Limit
	}{
		{"LOGIN_FAILURES_PER_ACCOUNT", &cfg.Limits.LoginFailuresPerAccount, httpapi.DefaultLimits.LoginFailuresPerAccount},
		{"LOGIN_FAILURES_PER_ADDRESS", &cfg.Limits.LoginFailuresPerAddress, httpapi.DefaultLimits.LoginFailuresPerAddress},
		{"REGISTRATIONS_PER_ADDRESS", &cfg.Limits.RegistrationsPerAddress, httpapi.DefaultLimits.RegistrationsPerAddress},
	} {
		*l.into = l.def
		if v := getenv(l.name); v != "" {
			burst, perHour, ok := strings.Cut(v, ",")
			b, err1 := strconv.Atoi(strings.TrimSpace(burst))
			h, err2 := strconv.Atoi(strings.TrimSpace(perHour))
			if !ok || err1 != nil || err2 != nil || b < 1 || h <= b {
				errs = append(errs, fmt.Errorf("%s=%q: want \"burst,per-hour\" with 1 <= burst < per-hour, such as \"10,100\"", l.name, v))
				continue
			}
			*l.into = ratelimit.PerHour(b, h)
		}
	}
	return cfg, errors.Join(errs...)
}

// Metrics say how busy the service is and how its database pool fares: for operators, so by
// default on loopback only. METRICS_ADDR=api serves them on HTTP_ADDR, for a deployment whose
// proxy keeps /metrics from the public.
const (
	defaultMetricsAddr = "127.0.0.1:9090"
	metricsOnAPI       = "api"
)

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func parseExecMode(v string) (pgx.QueryExecMode, error) {
	m, err := tenant.ExecMode(orDefault(v, "cache_statement"))
	if err != nil {
		return 0, fmt.Errorf("DB_QUERY_EXEC_MODE=%q: %w", v, err)
	}
	return m, nil
}
