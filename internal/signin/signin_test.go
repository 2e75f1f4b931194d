package signin_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"examiner"
	"examiner/internal/password"
	"examiner/internal/ratelimit"
	"examiner/internal/signin"
	"examiner/internal/store"
	"examiner/internal/testdb"
	"examiner/internal/token"
	"examiner/tenant"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// world is a Service on a database of its own.
type world struct {
	svc       *signin.Service
	store     *store.Store
	pool      *pgxpool.Pool // the server's, as the login role
	owner     *pgxpool.Pool // the database's owner, for checks behind the service's back
	tokens    *token.Issuer
	passwords *password.Hasher
}

// newWorld builds a Service; options (cost 4 and 4 slots when nil) and limits (the defaults
// when zero) may be given.
func newWorld(t *testing.T, options *password.Options, limits signin.Limits) *world {
	t.Helper()
	url := testdb.URL(t)
	owner, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(owner.Close)
	pool := testdb.LoginPool(t, url)
	if options == nil {
		options = &password.Options{Cost: 4, Concurrency: 4}
	}
	hasher, err := password.New(*options)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := token.NewIssuer([]byte("a test secret that is long enough for HS256"), 24*time.Hour, "examiner", "examiner-api")
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(pool)
	svc := signin.New(signin.Deps{Store: st, Tokens: tokens, Passwords: hasher, Limits: limits})
	return &world{svc: svc, store: st, pool: pool, owner: owner, tokens: tokens, passwords: hasher}
}

func from(addr string) signin.Client {
	return signin.Client{IP: netip.MustParseAddr(addr), UserAgent: "signin_test", RequestID: "req-" + addr}
}

var ada = signin.Registration{Email: "ada@example.com", Password: "a good password", FullName: "Ada"}

func (w *world) register(t *testing.T, reg signin.Registration) examiner.Profile {
	t.Helper()
	p, err := w.svc.Register(context.Background(), reg, from("192.0.2.1"))
	if err != nil {
		t.Fatalf("Register(%s): got error %v, want nil", reg.Email, err)
	}
	return p
}

// login signs in and returns the student the token names, as the HTTP layer would build it.
func (w *world) login(t *testing.T, email, pw string) tenant.Student {
	t.Helper()
	tok, err := w.svc.Login(context.Background(), email, pw, from("192.0.2.1"))
	if err != nil {
		t.Fatalf("Login(%s): got error %v, want nil", email, err)
	}
	if tok.TTL != 24*time.Hour {
		t.Errorf("TTL: got %v, want 24h", tok.TTL)
	}
	claims, err := w.tokens.Verify(tok.Raw, time.Now())
	if err != nil {
		t.Fatalf("the login's token does not verify: %v", err)
	}
	return testdb.Claims.Student(claims)
}

// works reports whether st's token is still accepted by the database.
func (w *world) works(t *testing.T, st tenant.Student) bool {
	t.Helper()
	_, err := w.store.Profile(context.Background(), st)
	if err != nil && examiner.ErrorOf(err).Code != examiner.Unauthenticated {
		t.Fatalf("Profile: got error %v, want nil or Unauthenticated", err)
	}
	return err == nil
}

// events returns the trail of kind as "reason" (or "ok") counts.
func (w *world) events(t *testing.T, kind string) map[string]int {
	t.Helper()
	rows, err := w.owner.Query(context.Background(), `SELECT coalesce(reason, 'ok') FROM auth_events WHERE kind = $1`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out[r]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func wantCode(t *testing.T, err error, code examiner.Code) *examiner.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	e := examiner.ErrorOf(err)
	if e.Code != code {
		t.Fatalf("got %v, want code %s", err, code)
	}
	return e
}

func fieldsOf(e *examiner.Error) string {
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	return strings.Join(names, ",")
}

func TestRegisterNamesEveryWrongFieldAndCreatesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{})
	_, err := w.svc.Register(context.Background(), signin.Registration{Email: "not an email", Password: "short", FullName: " "}, from("192.0.2.1"))
	if got := fieldsOf(wantCode(t, err, examiner.Invalid)); got != "email,password,full_name" {
		t.Errorf("fields: got %s, want email,password,full_name", got)
	}
	if got := w.events(t, "register"); len(got) != 0 {
		t.Errorf("register events: got %v, want none", got)
	}
}

func TestRegisteringAnEmailTwiceInAnyCaseIsAConflictRecordedAgainstTheAccount(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{})
	w.register(t, ada)
	again := ada
	again.Email = "ADA@Example.com"
	_, err := w.svc.Register(context.Background(), again, from("192.0.2.1"))
	wantCode(t, err, examiner.Conflict)
	if got := w.events(t, "register"); got["ok"] != 1 || got["duplicate_email"] != 1 {
		t.Errorf("register events: got %v, want one success and one duplicate_email", got)
	}
}

func TestALoginGetsATokenOfTheStudentsCurrentGeneration(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{})
	me := w.register(t, ada)
	st := w.login(t, " ADA@example.com ", "a good password") // the email in any case and spacing
	if st.ID != me.ID || st.TokenGeneration != 0 {
		t.Fatalf("token: got %v generation %d, want %v generation 0", st.ID, st.TokenGeneration, me.ID)
	}
	if !w.works(t, st) {
		t.Fatal("a fresh token is refused")
	}
	if got := w.events(t, "login"); got["ok"] != 1 {
		t.Errorf("login events: got %v, want one success", got)
	}
}

func TestAWrongPasswordAndAnUnknownEmailGetTheSameErrorAndAreBothRecorded(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{})
	w.register(t, ada)
	_, wrong := w.svc.Login(context.Background(), "ada@example.com", "not the password", from("192.0.2.1"))
	_, unknown := w.svc.Login(context.Background(), "nobody@example.com", "not the password", from("192.0.2.1"))
	a, b := wantCode(t, wrong, examiner.Unauthenticated), wantCode(t, unknown, examiner.Unauthenticated)
	if a.Message != b.Message {
		t.Errorf("messages differ: %q and %q", a.Message, b.Message)
	}
	if got := w.events(t, "login"); got["wrong_password"] != 1 || got["unknown_email"] != 1 {
		t.Errorf("login events: got %v, want one wrong_password and one unknown_email", got)
	}
}

func TestLoginRequiresBothFields(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{})
	_, err := w.svc.Login(context.Background(), "", "", from("192.0.2.1"))
	if got := fieldsOf(wantCode(t, err, examiner.Invalid)); got != "email,password" {
		t.Errorf("fields: got %s, want email,password", got)
	}
}

// A megabyte of password went to bcrypt's pre-hash. Past MaxPasswordBytes the login is refused
// before any check: with the only password slot taken, a login that tried one would wait for it
// and end Unavailable instead.
func TestLoginRefusesAPasswordOver1KiBBeforeAnyHashing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, &password.Options{Cost: 4, Concurrency: 1}, signin.Limits{})
	w.register(t, ada)
	release, err := w.passwords.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = w.svc.Login(ctx, "ada@example.com", strings.Repeat("x", examiner.MaxPasswordBytes+1), from("192.0.2.1"))
	if got := fieldsOf(wantCode(t, err, examiner.Invalid)); got != "password" {
		t.Errorf("fields: got %s, want password", got)
	}
	if got := w.passwords.Waiting(); got != 0 {
		t.Errorf("password checks waiting: got %d, want 0", got)
	}
	// 1024 bytes are a password like any other: checked (once the slot is free), and wrong.
	release()
	_, err = w.svc.Login(ctx, "ada@example.com", strings.Repeat("é", examiner.MaxPasswordBytes/2), from("192.0.2.1"))
	wantCode(t, err, examiner.Unauthenticated)
}

// Revocation is by token generation, not by time: a token issued in the same second as the
// logout is revoked, and a login right after the logout works at once.
func TestLogoutRevokesEveryEarlierTokenEvenOfTheSameSecondAndALoginRightAfterWorks(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{})
	w.register(t, ada)
	first := w.login(t, "ada@example.com", "a good password")
	second := w.login(t, "ada@example.com", "a good password")
	if err := w.svc.Logout(context.Background(), first, from("192.0.2.1")); err != nil {
		t.Fatalf("Logout: got error %v, want nil", err)
	}
	if w.works(t, first) || w.works(t, second) {
		t.Fatal("a token issued before the logout still works")
	}
	// Time plays no part: a token of the old generation issued now, in the logout's second or
	// after it, is refused as well.
	raw, _, err := w.tokens.Issue(first.ID, first.TokenGeneration, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if claims, err := w.tokens.Verify(raw, time.Now()); err != nil || w.works(t, testdb.Claims.Student(claims)) {
		t.Fatalf("a token of the revoked generation issued after the logout: verify error %v, or it works", err)
	}
	fresh := w.login(t, "ada@example.com", "a good password")
	if fresh.TokenGeneration != 1 || !w.works(t, fresh) {
		t.Fatalf("the login after the logout: generation %d, works %v; want generation 1, working", fresh.TokenGeneration, w.works(t, fresh))
	}
	wantCode(t, w.svc.Logout(context.Background(), first, from("192.0.2.1")), examiner.Unauthenticated)
	if got := w.events(t, "logout"); got["ok"] != 1 {
		t.Errorf("logout events: got %v, want one", got)
	}
}

func TestAPasswordChangeRevokesEveryEarlierTokenAndTheOldPassword(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{})
	w.register(t, ada)
	st := w.login(t, "ada@example.com", "a good password")
	other := w.login(t, "ada@example.com", "a good password")
	change := signin.PasswordChange{Current: "a good password", New: "a newer password"}
	if err := w.svc.ChangePassword(context.Background(), st, change, from("192.0.2.1")); err != nil {
		t.Fatalf("ChangePassword: got error %v, want nil", err)
	}
	if w.works(t, st) || w.works(t, other) {
		t.Fatal("a token issued before the password change still works")
	}
	_, err := w.svc.Login(context.Background(), "ada@example.com", "a good password", from("192.0.2.1"))
	wantCode(t, err, examiner.Unauthenticated)
	if fresh := w.login(t, "ada@example.com", "a newer password"); !w.works(t, fresh) {
		t.Fatal("a token issued after the change is refused")
	}
}

func TestAPasswordChangeNamesEveryWrongFieldBeforeAnyCheck(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{})
	w.register(t, ada)
	st := w.login(t, "ada@example.com", "a good password")
	tests := []struct {
		name   string
		change signin.PasswordChange
		want   string
	}{
		{"nothing", signin.PasswordChange{}, "current_password,new_password"},
		{"a current password over 1 KiB", signin.PasswordChange{Current: strings.Repeat("x", 1025), New: "a newer password"}, "current_password"},
		{"a new password too short", signin.PasswordChange{Current: "a good password", New: "short"}, "new_password"},
	}
	for _, tt := range tests {
		err := w.svc.ChangePassword(context.Background(), st, tt.change, from("192.0.2.1"))
		if got := fieldsOf(wantCode(t, err, examiner.Invalid)); got != tt.want {
			t.Errorf("%s: fields got %s, want %s", tt.name, got, tt.want)
		}
	}
	if got := w.events(t, "password_change_failed"); len(got) != 0 {
		t.Errorf("password_change_failed events: got %v, want none (no password was checked)", got)
	}
	if !w.works(t, st) {
		t.Error("the token stopped working: something changed")
	}
}

// Wrong current passwords are guesses like failed sign-ins: limited per student and per address,
// reserved before the bcrypt check, and recorded.
func TestWrongCurrentPasswordsAreLimitedAndRecorded(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{PasswordChangeFailuresPerAccount: ratelimit.Limit{Burst: 3, Per: time.Hour}})
	w.register(t, ada)
	st := w.login(t, "ada@example.com", "a good password")
	wrong := signin.PasswordChange{Current: "not the password", New: "a newer password"}
	var codes []examiner.Code
	var limited *examiner.Error
	for range 6 {
		err := w.svc.ChangePassword(context.Background(), st, wrong, from("192.0.2.1"))
		e := examiner.ErrorOf(err)
		codes = append(codes, e.Code)
		if e.Code == examiner.RateLimited {
			limited = e
		}
	}
	want := []examiner.Code{examiner.Invalid, examiner.Invalid, examiner.Invalid, examiner.RateLimited, examiner.RateLimited, examiner.RateLimited}
	if strings.Join(codeStrings(codes), ",") != strings.Join(codeStrings(want), ",") {
		t.Fatalf("codes: got %v, want %v", codes, want)
	}
	if limited.RetryAfter < 59*time.Minute || limited.RetryAfter > time.Hour {
		t.Errorf("RetryAfter: got %v, want about an hour (one attempt back per hour)", limited.RetryAfter)
	}
	// Refusals are recorded once a minute per exhausted limit.
	if got := w.events(t, "password_change_failed"); got["wrong_password"] != 3 || got["rate_limited"] != 1 || len(got) != 2 {
		t.Errorf("password_change_failed events: got %v, want 3 wrong_password and 1 rate_limited", got)
	}
	// Even the right password waits for the limit now, and the student's other routes do not.
	right := signin.PasswordChange{Current: "a good password", New: "a newer password"}
	wantCode(t, w.svc.ChangePassword(context.Background(), st, right, from("192.0.2.1")), examiner.RateLimited)
	if !w.works(t, st) {
		t.Error("the limit revoked the token")
	}
}

func codeStrings(codes []examiner.Code) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = string(c)
	}
	return out
}

// The queue for password slots is bounded overall and per client address: past either bound a
// sign-in is Unavailable at once, with a retry time, and those queued are served.
func TestAFullPasswordQueueIsUnavailableAtOnceOverallAndPerAddress(t *testing.T) {
	t.Parallel()
	w := newWorld(t, &password.Options{Cost: 4, Concurrency: 1, Queue: 2, QueuePerClient: 1}, signin.Limits{})
	w.register(t, ada)
	release, err := w.passwords.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	var wg sync.WaitGroup
	results := make(chan error, 2)
	queue := func(addr string) {
		before := w.passwords.Waiting()
		wg.Go(func() {
			_, err := w.svc.Login(context.Background(), "ada@example.com", "a good password", from(addr))
			results <- err
		})
		waitFor(t, func() bool { return w.passwords.Waiting() == before+1 })
	}
	queue("192.0.2.1")
	full := func(addr string) {
		t.Helper()
		_, err := w.svc.Login(context.Background(), "ada@example.com", "a good password", from(addr))
		e := wantCode(t, err, examiner.Unavailable)
		var qf *password.QueueFullError
		if !errors.As(err, &qf) || e.RetryAfter < time.Second {
			t.Errorf("from %s: got %v (RetryAfter %v), want a full queue with a retry time", addr, err, e.RetryAfter)
		}
	}
	full("192.0.2.1")  // the address's one place is taken
	queue("192.0.2.2") // another address still queues
	full("192.0.2.3")  // and then the queue is full
	release()
	wg.Wait()
	close(results)
	for err := range results {
		if err != nil {
			t.Errorf("a queued login: got error %v, want nil once the slot was free", err)
		}
	}
	// A refusal for a full queue is no failed guess: the limits have every attempt back.
	if got := w.events(t, "login"); got["ok"] != 2 || len(got) != 1 {
		t.Errorf("login events: got %v, want the 2 queued successes only", got)
	}
}

// waitFor waits until cond holds, for a state another goroutine reaches.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// LOGIN_FAILURES_PER_* tune password guesses wherever they are made.
func TestPasswordChangeLimitsFollowTheLoginLimitsGiven(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil, signin.Limits{LoginFailuresPerAccount: ratelimit.Limit{Burst: 2, Per: time.Hour}})
	w.register(t, ada)
	st := w.login(t, "ada@example.com", "a good password")
	wrong := signin.PasswordChange{Current: "not the password", New: "a newer password"}
	for i, want := range []examiner.Code{examiner.Invalid, examiner.Invalid, examiner.RateLimited} {
		if err := w.svc.ChangePassword(context.Background(), st, wrong, from("192.0.2.1")); examiner.ErrorOf(err).Code != want {
			t.Fatalf("attempt %d: got %v, want %s", i+1, err, want)
		}
	}
}

// SQL on the server's connection could call the database's sign-in directly, past the limits
// above. The database keeps a ceiling of its own (migration 015): with 200 failed sign-ins on an
// account in the last hour, even the right password is refused without a check, and the refusal
// is recorded. Only wrong passwords the database checked count.
func TestTheDatabaseRefusesSignInsToAnAccountWith200RecentFailures(t *testing.T) {
	t.Parallel()
	generous := ratelimit.Limit{Burst: 1000, Per: time.Millisecond}
	w := newWorld(t, nil, signin.Limits{LoginFailuresPerAccount: generous, LoginFailuresPerAddress: generous})
	p := w.register(t, ada)
	ctx := context.Background()
	fill := func(n int, age string) {
		t.Helper()
		if _, err := w.owner.Exec(ctx, `
			INSERT INTO auth_events (student_id, kind, succeeded, reason, created_at)
			SELECT $1, 'login', false, 'wrong_password', now() - $3::interval FROM generate_series(1, $2)`, p.ID, n, age); err != nil {
			t.Fatal(err)
		}
	}
	fill(300, "61 minutes") // older than the hour: they do not count
	fill(199, "1 minute")
	// A wrong password is the database's to file: one forged through the door the server uses
	// for its own refusals is not filed, so it cannot bring an account to the ceiling.
	if err := w.store.RecordAuthFailure(ctx, examiner.EventLogin, "ada@example.com", "ada@example.com", examiner.ReasonWrongPassword, signin.Client{}); err != nil {
		t.Fatal(err)
	}
	w.login(t, "ada@example.com", "a good password")
	fill(1, "1 minute")
	_, err := w.svc.Login(ctx, "ada@example.com", "a good password", from("192.0.2.1"))
	wantCode(t, err, examiner.RateLimited)
	if got := w.events(t, "login"); got["rate_limited"] != 1 {
		t.Errorf("login events: got %v, want one rate_limited", got)
	}
}
