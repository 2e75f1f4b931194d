package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"examiner/httpapi"
	"examiner/internal/dbclaim"
	"examiner/internal/password"
	"examiner/internal/seed"
	"examiner/internal/store"
	"examiner/internal/token"
	"examiner/migrations"
	"examiner/tenant"
)

// openPool connects to the database with the server's limits, and returns the timeouts every
// request transaction sets for itself (tenant.Timeouts): tenant.DefaultTimeouts, except those
// DATABASE_URL names (statement_timeout=1500, lock_timeout=0, …). These are taken out of the
// startup parameters, which a transaction pooler refuses (PgBouncer: "unsupported startup
// parameter") or would hand on with the server connection; only application_name, which
// poolers accept, stays one. mode is how statements are sent (DB_QUERY_EXEC_MODE).
func openPool(ctx context.Context, databaseURL string, maxConns int32, mode pgx.QueryExecMode, private bool) (*pgxpool.Pool, tenant.Timeouts, error) {
	pc, timeouts, err := connConfig(databaseURL)
	if err != nil {
		return nil, timeouts, err
	}
	pc.MaxConns = maxConns
	pc.ConnConfig.DefaultQueryExecMode = mode
	pc.AfterConnect = tenant.AfterConnect(private)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	return pool, timeouts, err
}

// connConfig is DATABASE_URL as every connection of serve's uses it, the pool's and the start-up
// check's: a connect timeout unless the URL sets one, the timeouts taken out of the startup
// parameters (a transaction pooler refuses them; each transaction sets them itself, see
// tenant.Timeouts) and returned, and the application's name.
func connConfig(databaseURL string) (*pgxpool.Config, tenant.Timeouts, error) {
	timeouts := tenant.DefaultTimeouts
	pc, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, timeouts, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if pc.ConnConfig.ConnectTimeout == 0 { // connect_timeout in DATABASE_URL wins
		pc.ConnConfig.ConnectTimeout = 2 * time.Second
	}
	rp := pc.ConnConfig.RuntimeParams
	for name, into := range map[string]*time.Duration{
		"statement_timeout":                   &timeouts.Statement,
		"lock_timeout":                        &timeouts.Lock,
		"idle_in_transaction_session_timeout": &timeouts.IdleInTransaction,
	} {
		if v, set := rp[name]; set {
			if *into, err = pgDuration(v); err != nil {
				return nil, timeouts, fmt.Errorf("DATABASE_URL: %s=%q: %w", name, v, err)
			}
			delete(rp, name)
		}
	}
	if _, set := rp["application_name"]; !set {
		rp["application_name"] = "examiner"
	}
	return pc, timeouts, nil
}

// pgDuration reads a PostgreSQL time setting: a number of milliseconds ("1500"), or a number with
// one of PostgreSQL's units ("5s", "1.5 min", "500ms").
func pgDuration(v string) (time.Duration, error) {
	num, unit := v, ""
	if i := strings.IndexFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' }); i >= 0 {
		num, unit = v[:i], strings.TrimSpace(v[i:])
	}
	scale, ok := map[string]time.Duration{"": time.Millisecond, "us": time.Microsecond, "ms": time.Millisecond,
		"s": time.Second, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[unit]
	n, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || n > float64(math.MaxInt64/scale) {
		return 0, errors.New("want a number of milliseconds or a number with a unit (us, ms, s, min, h, d), as PostgreSQL takes it")
	}
	return time.Duration(n * float64(scale)), nil
}

// serve runs the API until ctx ends. ready, when not nil, receives the listening address.
func serve(ctx context.Context, cfg config, stdout, stderr io.Writer, ready chan<- string) error {
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	claims, err := dbclaim.NewSigner(cfg.JWTSecret, cfg.DBClaimKID)
	if err != nil {
		return err
	}
	mode, private, err := checkDatabase(ctx, cfg, claims, logger)
	if err != nil {
		return err
	}
	pool, timeouts, err := openPool(ctx, cfg.DatabaseURL, cfg.DBMaxConns, mode, private)
	if err != nil {
		return err
	}
	defer pool.Close()
	tokens, err := token.NewIssuer(cfg.JWTSecret, cfg.JWTTTL, cfg.JWTIssuer, cfg.JWTAudience)
	if err != nil {
		return err
	}
	if cfg.BcryptCost < 10 {
		logger.Warn("BCRYPT_COST is below 10: fine for tests, too weak for real passwords", "cost", cfg.BcryptCost)
	}
	hasher, err := password.New(password.Options{Cost: cfg.BcryptCost, Concurrency: cfg.PasswordConcurrency,
		Nice: cfg.PasswordNice, Queue: cfg.PasswordQueue, QueuePerClient: cfg.PasswordQueuePerAddress})
	if err != nil {
		return err
	}
	var draining atomic.Bool
	metrics := httpapi.NewMetrics(logger)
	handler := httpapi.NewServer(httpapi.Deps{
		DB: pool, Store: store.New(tenant.WithTimeouts(pool, timeouts)), Tokens: tokens, Claims: claims, Passwords: hasher, Logger: logger,
		Limits: cfg.Limits, TrustedProxies: cfg.TrustedProxies, RequestTimeout: cfg.RequestTimeout,
		PasswordTimeout: cfg.PasswordTimeout,
		AllowedOrigins:  cfg.AllowedOrigins, Draining: draining.Load,
		Metrics: metrics, HideMetrics: cfg.MetricsAddr != "",
	})
	if cfg.MetricsAddr != "" { // an internal address: /metrics there, and not on the public one
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("METRICS_ADDR: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics.Handler())
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
		go func() { _ = msrv.Serve(mln) }()
		defer msrv.Close()
		logger.Info("serving metrics", "addr", mln.Addr().String())
	}
	srv := &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// A response may be written as late as the longest request deadline allows.
		WriteTimeout:   max(30*time.Second, max(cfg.RequestTimeout, cfg.PasswordTimeout)+10*time.Second),
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	logger.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-errc: // the listener failed: still let the requests in flight finish
		logger.Error("listener failed; shutting down", "error", serveErr.Error())
	case <-ctx.Done():
	}

	// Graceful shutdown: first drain (still serving, /readyz 503, no keep-alive, so that load
	// balancers move away), then stop accepting connections and wait up to the grace period for
	// the requests in flight; the pool closes on return.
	start := time.Now()
	draining.Store(true)
	srv.SetKeepAlivesEnabled(false)
	if serveErr == nil {
		logger.Info("shutting down: draining", "drain", cfg.ShutdownDrain.String(), "grace", cfg.ShutdownGrace.String())
		select {
		case <-time.After(cfg.ShutdownDrain):
		case serveErr = <-errc:
		}
	}
	graceCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(graceCtx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: requests still running after the %s grace period: %w", cfg.ShutdownGrace, err)
	}
	if serveErr == nil {
		serveErr = <-errc
	}
	if !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	logger.Info("stopped", "after", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// connect opens one connection to DATABASE_URL, for the administration commands.
func connect(ctx context.Context, getenv func(string) string) (*pgx.Conn, error) {
	url := getenv("DATABASE_URL")
	if url == "" {
		return nil, errors.New("DATABASE_URL is not set")
	}
	return pgx.Connect(ctx, url)
}

func migrateCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	conn, err := connect(ctx, getenv)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	current, err := migrations.Current(ctx, conn)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return fmt.Errorf("migrate: want up, down [N] or status: %w", errUsage)
	}
	switch args[0] {
	case "status":
		fmt.Fprintf(stdout, "database schema version %d, this binary's newest %d\n", current, migrations.Head())
		return nil
	case "up":
		if err := migrations.Up(ctx, conn); err != nil {
			return err
		}
	case "down":
		n := 1
		if len(args) > 1 {
			var err error
			if n, err = strconv.Atoi(args[1]); err != nil || n < 0 {
				return fmt.Errorf("migrate down %q: want a number of steps", args[1])
			}
		}
		if err := migrations.To(ctx, conn, max(0, current-int32(n))); err != nil {
			return err
		}
	default:
		return fmt.Errorf("migrate %q: want up, down [N] or status: %w", args[0], errUsage)
	}
	now, err := migrations.Current(ctx, conn)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated from version %d to %d\n", current, now)
	return nil
}

func seedCommand(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	conn, err := connect(ctx, getenv)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	res, err := seed.Run(ctx, conn)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: %s\n", res)
	return nil
}
