package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/crypto/bcrypt"

	"examiner"
	"examiner/internal/password"
	"examiner/internal/store"
	"examiner/internal/testdb"
	"examiner/internal/token"
)

func TestRegisterReturnsTheProfileAndNoSecret(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	res := a.do("POST", "/api/auth/register", "", map[string]string{
		"email": "ada@example.com", "password": "correct horse battery", "full_name": "  Ada Lovelace ",
	}).want(t, http.StatusCreated)
	var got map[string]any
	res.decode(t, &got)
	for _, key := range []string{"id", "email", "full_name", "target_grades", "created_at"} {
		if _, ok := got[key]; !ok {
			t.Errorf("profile: got no %q in %s", key, res.body)
		}
	}
	if got["full_name"] != "Ada Lovelace" || got["email"] != "ada@example.com" {
		t.Errorf("profile: got %s, want trimmed name and the email", res.body)
	}
	for _, secret := range []string{"correct horse battery", "password", "hash", "bcrypt"} {
		if strings.Contains(string(res.body), secret) {
			t.Errorf("profile: got %s, which mentions %q", res.body, secret)
		}
	}
	if loc := res.header.Get("Location"); loc != "/api/students/me" {
		t.Errorf("Location: got %q, want /api/students/me", loc)
	}
}

func TestRegisterRefusesAnEmailThatExistsInAnyCase(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.register("ada@example.com", "a good password", "Ada")
	p := a.do("POST", "/api/auth/register", "", map[string]string{
		"email": "ADA@Example.COM", "password": "another password", "full_name": "Impostor",
	}).want(t, http.StatusConflict).problem(t)
	if !strings.Contains(p.Detail, "already exists") {
		t.Errorf("detail: got %q, want it to say the account already exists", p.Detail)
	}
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM students`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("students: got %d (%v), want 1", n, err)
	}
}

func TestRegisterNamesEachInvalidField(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	long := strings.Repeat("x", 101)
	tests := []struct {
		name       string
		body       map[string]string
		wantFields []string
	}{
		{"no fields at all", map[string]string{}, []string{"email", "password", "full_name"}},
		{"an email without a domain", map[string]string{"email": "ada", "password": "a good password", "full_name": "Ada"}, []string{"email"}},
		{"an email with a display name", map[string]string{"email": "Ada <ada@example.com>", "password": "a good password", "full_name": "Ada"}, []string{"email"}},
		{"an email with a line break", map[string]string{"email": "ada@example.com\r\nX-Evil: 1", "password": "a good password", "full_name": "Ada"}, []string{"email"}},
		{"a password of 7 characters", map[string]string{"email": "ada@example.com", "password": "1234567", "full_name": "Ada"}, []string{"password"}},
		{"a password of 129 characters", map[string]string{"email": "ada@example.com", "password": strings.Repeat("p", 129), "full_name": "Ada"}, []string{"password"}},
		{"a name of 101 characters", map[string]string{"email": "ada@example.com", "password": "a good password", "full_name": long}, []string{"full_name"}},
		{"a name of 10,000 characters", map[string]string{"email": "ada@example.com", "password": "a good password", "full_name": strings.Repeat("n", 10000)}, []string{"full_name"}},
		{"a name of spaces", map[string]string{"email": "ada@example.com", "password": "a good password", "full_name": "   "}, []string{"full_name"}},
		{"a name with a NUL byte", map[string]string{"email": "ada@example.com", "password": "a good password", "full_name": "Ada\x00"}, []string{"full_name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := a.do("POST", "/api/auth/register", "", tt.body).want(t, http.StatusUnprocessableEntity).problem(t)
			var got []string
			for _, e := range p.Errors {
				got = append(got, e.Field)
				if e.Message == "" {
					t.Errorf("field %s: got an empty message", e.Field)
				}
			}
			if !slices.Equal(got, tt.wantFields) {
				t.Errorf("fields: got %v, want %v", got, tt.wantFields)
			}
		})
	}
	var n int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM students`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("students after invalid registrations: got %d (%v), want 0", n, err)
	}
}

func TestRegisterAcceptsTheLimits(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	name := strings.Repeat("é", 100)
	pw := strings.Repeat("🔑", 128)
	p := a.register("limits@example.com", pw, name)
	if p.FullName != name {
		t.Fatalf("full_name: got %d characters, want 100", len([]rune(p.FullName)))
	}
	a.login("limits@example.com", pw)
}

func TestLoginTakesJSONAndTheOAuth2PasswordGrant(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	me := a.register("ada@example.com", "a good password", "Ada")

	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	form := url.Values{"grant_type": {"password"}, "username": {"ADA@example.com"}, "password": {"a good password"},
		"client_id": {"ignored"}, "client_secret": {"ignored"}, "scope": {"anything"}}
	a.request("POST", "/api/auth/login", "", "application/x-www-form-urlencoded", form.Encode()).
		want(t, http.StatusOK).decode(t, &tok)
	if tok.TokenType != "bearer" || tok.ExpiresIn != 86400 || tok.AccessToken == "" {
		t.Fatalf("form login: got %+v, want a bearer token for 86400 s", tok)
	}
	claims, err := a.tokens.Verify(tok.AccessToken, time.Now())
	if err != nil || claims.StudentID != me.ID {
		t.Fatalf("token: got %+v, %v, want one for %s", claims, err, me.ID)
	}

	jsonTok := a.login("ada@example.com", "a good password")
	var got profile
	a.do("GET", "/api/students/me", jsonTok, nil).want(t, http.StatusOK).decode(t, &got)
	if got.ID != me.ID {
		t.Fatalf("me: got %s, want %s", got.ID, me.ID)
	}
}

func TestLoginRefusesGrantTypesOtherThanPassword(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	for _, gt := range []string{"", "client_credentials", "authorization_code"} {
		form := url.Values{"grant_type": {gt}, "username": {"ada@example.com"}, "password": {"x"}}
		a.request("POST", "/api/auth/login", "", "application/x-www-form-urlencoded", form.Encode()).
			want(t, http.StatusBadRequest).problem(t)
	}
}

// A wrong password and an unknown email must be indistinguishable to the client.
func TestWrongPasswordAndUnknownEmailLookTheSame(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.register("ada@example.com", "a good password", "Ada")
	wrong := a.do("POST", "/api/auth/login", "", map[string]string{"email": "ada@example.com", "password": "not the password"})
	unknown := a.do("POST", "/api/auth/login", "", map[string]string{"email": "nobody@example.com", "password": "not the password"})
	for _, r := range []response{wrong, unknown} {
		r.want(t, http.StatusUnauthorized)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate: got %q, want Bearer …", r.header.Get("WWW-Authenticate"))
		}
	}
	pw, pu := wrong.problem(t), unknown.problem(t)
	pw.RequestID, pu.RequestID = "", ""
	if a, b := mustJSON(t, pw), mustJSON(t, pu); a != b {
		t.Errorf("bodies differ:\n wrong password: %s\n unknown email:  %s", a, b)
	}
	for name := range wrong.header {
		if name == "X-Request-Id" || name == "Date" {
			continue
		}
		if wrong.header.Get(name) != unknown.header.Get(name) {
			t.Errorf("header %s: wrong password %q, unknown email %q", name, wrong.header.Get(name), unknown.header.Get(name))
		}
	}
	if len(wrong.header) != len(unknown.header) {
		t.Errorf("headers: got %d and %d, want the same set", len(wrong.header), len(unknown.header))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEveryAuthenticationEventIsRecordedWithoutSecrets(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	a.do("POST", "/api/auth/login", "", map[string]string{"email": "ada@example.com", "password": "wrong password"}).want(t, http.StatusUnauthorized)
	a.do("POST", "/api/auth/login", "", map[string]string{"email": "eve@example.com", "password": "wrong password"}).want(t, http.StatusUnauthorized)
	a.do("PUT", "/api/students/me/password", tok, map[string]string{"current_password": "a good password", "new_password": "a newer password"}).want(t, http.StatusNoContent)
	tok = a.login("ada@example.com", "a newer password")
	a.do("POST", "/api/auth/logout", tok, nil).want(t, http.StatusNoContent)

	rows, err := a.pool.Query(context.Background(), `
		SELECT kind, succeeded, coalesce(reason, ''), student_id IS NOT NULL, client_ip IS NOT NULL, request_id <> ''
		FROM auth_events ORDER BY created_at, kind`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var kind, reason string
		var ok, hasStudent, hasIP, hasRequest bool
		if err := rows.Scan(&kind, &ok, &reason, &hasStudent, &hasIP, &hasRequest); err != nil {
			t.Fatal(err)
		}
		if !hasIP || !hasRequest {
			t.Errorf("%s event: got client_ip=%v request_id=%v, want both", kind, hasIP, hasRequest)
		}
		got = append(got, strings.TrimSpace(kind+" "+map[bool]string{true: "ok", false: "failed"}[ok]+" "+reason+" "+map[bool]string{true: "student", false: "nobody"}[hasStudent]))
	}
	want := []string{
		"register ok  student",
		"login ok  student",
		"login failed wrong_password student",
		"login failed unknown_email nobody",
		"password_change ok  student",
		"login ok  student",
		"logout ok  student",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got  %q\n want %q", got, want)
	}
	var leaks int
	if err := a.pool.QueryRow(context.Background(), `
		SELECT count(*) FROM auth_events e
		WHERE e::text LIKE '%good password%' OR e::text LIKE '%newer password%' OR e::text LIKE '%wrong password%'
		   OR e::text LIKE '%bcrypt%' OR e::text LIKE '%$2a$%' OR e::text LIKE '%eyJ%'`).Scan(&leaks); err != nil || leaks != 0 {
		t.Fatalf("events holding a password, hash or token: got %d (%v), want 0", leaks, err)
	}
}

func TestLogoutRevokesEveryTokenAndALoginRightAfterWorks(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, first := a.student("ada@example.com")
	second := a.login("ada@example.com", "a good password")
	a.do("POST", "/api/auth/logout", first, nil).want(t, http.StatusNoContent)
	for _, tok := range []string{first, second} {
		a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusUnauthorized).problem(t)
	}
	fresh := a.login("ada@example.com", "a good password") // very likely within the same second
	a.do("GET", "/api/students/me", fresh, nil).want(t, http.StatusOK)
}

func TestChangingThePasswordRevokesOldTokensAndOldPassword(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")

	p := a.do("PUT", "/api/students/me/password", tok, map[string]string{"current_password": "not it", "new_password": "a newer password"}).
		want(t, http.StatusUnprocessableEntity).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "current_password" {
		t.Fatalf("errors: got %+v, want current_password", p.Errors)
	}
	a.do("PUT", "/api/students/me/password", tok, map[string]string{"current_password": "a good password", "new_password": "short"}).
		want(t, http.StatusUnprocessableEntity)
	a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusOK) // nothing changed so far

	a.do("PUT", "/api/students/me/password", tok, map[string]string{"current_password": "a good password", "new_password": "a newer password"}).
		want(t, http.StatusNoContent)
	a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusUnauthorized)
	a.do("POST", "/api/auth/login", "", map[string]string{"email": "ada@example.com", "password": "a good password"}).
		want(t, http.StatusUnauthorized)
	fresh := a.login("ada@example.com", "a newer password")
	a.do("GET", "/api/students/me", fresh, nil).want(t, http.StatusOK)
}

// A hash of another cost is replaced at the next successful login, by the database's check
// (migration 015), at the server's cost. A hash of the scheme before the pre-hash (bcrypt of the
// raw password) cannot be checked there and signs in no more: migration 015 says why.
func TestLoginRehashesAtTheServersCostAndRefusesThePreHashScheme(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	me := a.register("ada@example.com", "a good password", "Ada")
	costly, err := bcrypt.GenerateFromPassword([]byte(password.Prehash("a good password")), bcrypt.MinCost+1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(context.Background(), `UPDATE students SET password_hash = $2 WHERE id = $1`, me.ID, "sha384-bcrypt$"+string(costly)); err != nil {
		t.Fatal(err)
	}
	a.login("ada@example.com", "a good password")
	var stored string
	if err := a.pool.QueryRow(context.Background(), `SELECT password_hash FROM students WHERE id = $1`, me.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	rest, ok := strings.CutPrefix(stored, "sha384-bcrypt$")
	if cost, err := bcrypt.Cost([]byte(rest)); !ok || err != nil || cost != bcrypt.MinCost {
		t.Fatalf("stored hash after login: prefixed %v, cost %d (%v), want sha384-bcrypt$ at the server's cost %d", ok, cost, err, bcrypt.MinCost)
	}
	if bcrypt.CompareHashAndPassword([]byte(rest), []byte(password.Prehash("a good password"))) != nil {
		t.Fatal("the rehash made in the database does not verify in Go")
	}
	a.login("ada@example.com", "a good password")

	legacy, err := bcrypt.GenerateFromPassword([]byte("a good password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(context.Background(), `UPDATE students SET password_hash = $2 WHERE id = $1`, me.ID, string(legacy)); err != nil {
		t.Fatal(err)
	}
	a.do("POST", "/api/auth/login", "", map[string]string{"email": "ada@example.com", "password": "a good password"}).
		want(t, http.StatusUnauthorized)
}

func TestBadTokensGet401WithWWWAuthenticate(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	me, good := a.student("ada@example.com")
	now := time.Now()
	sign := func(alg jose.SignatureAlgorithm, key any, claims map[string]any) string {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := jwt.Signed(signer).Claims(claims).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	claims := func(edit func(map[string]any)) map[string]any {
		c := map[string]any{
			"sub": me.ID.String(), "iss": "examiner", "aud": []string{"examiner-api"}, "jti": "x",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "gen": 0,
		}
		edit(c)
		return c
	}
	secret := []byte(testSecret)
	b64 := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(claims(func(map[string]any) {}))
	expired, _, err := a.tokens.Issue(me.ID, 0, now.Add(-25*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	other, err := token.NewIssuer([]byte(strings.Repeat("o", 32)), time.Hour, "examiner", "examiner-api")
	if err != nil {
		t.Fatal(err)
	}
	otherTok, _, _ := other.Issue(me.ID, 0, now)
	parts := strings.Split(good, ".")
	edited := parts[0] + "." + b64([]byte(strings.Replace(string(mustDecode(t, parts[1])), me.ID.String(), "00000000-0000-0000-0000-000000000000", 1))) + "." + parts[2]

	tests := []struct {
		name   string
		header string
	}{
		{"no header", ""},
		{"another scheme", "Basic YWRhOnB3"},
		{"bearer without a token", "Bearer "},
		{"a token of dots", "Bearer ......"},
		{"an expired token", "Bearer " + expired},
		{"another secret", "Bearer " + otherTok},
		{"alg none", "Bearer " + b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64(payload) + "."},
		{"HS384 with our secret", "Bearer " + sign(jose.HS384, secret, claims(func(map[string]any) {}))},
		{"wrong audience", "Bearer " + sign(jose.HS256, secret, claims(func(c map[string]any) { c["aud"] = "someone-else" }))},
		{"wrong issuer", "Bearer " + sign(jose.HS256, secret, claims(func(c map[string]any) { c["iss"] = "evil" }))},
		{"exp removed", "Bearer " + sign(jose.HS256, secret, claims(func(c map[string]any) { delete(c, "exp") }))},
		{"from before token generations (iat in milliseconds, no gen)", "Bearer " + sign(jose.HS256, secret, claims(func(c map[string]any) {
			c["iat"] = float64(now.UnixMilli()) / 1000
			delete(c, "gen")
		}))},
		{"nbf in the future", "Bearer " + sign(jose.HS256, secret, claims(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }))},
		{"an edited payload", "Bearer " + edited},
		{"a megabyte of header", "Bearer " + strings.Repeat("a", 1<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", a.url+"/api/students/me", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			// Go's server refuses headers over its limit itself (431): still a quick 4xx.
			if tt.name == "a megabyte of header" {
				if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
					t.Fatalf("status: got %d, want 401 or 431", res.StatusCode)
				}
				return
			}
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status: got %d, want 401", res.StatusCode)
			}
			if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("WWW-Authenticate: got %q, want Bearer …", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	a.do("GET", "/api/students/me", good, nil).want(t, http.StatusOK)
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Logouts and logins in quick succession, many within one second: every logout revokes every
// token issued before it, and every login after it gets a working token.
func TestLogoutsAndLoginsInQuickSuccession(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	var revoked []string
	for i := range 10 {
		a.do("POST", "/api/auth/logout", tok, nil).want(t, http.StatusNoContent)
		revoked = append(revoked, tok)
		tok = a.login("ada@example.com", "a good password")
		a.do("GET", "/api/students/me", tok, nil).want(t, http.StatusOK)
		for j, old := range revoked {
			if res := a.do("GET", "/api/students/me", old, nil); res.status != http.StatusUnauthorized {
				t.Fatalf("round %d: token %d, revoked by a logout, got %d, want 401", i, j, res.status)
			}
		}
	}
}

func TestEmailsAreOneAccountInAnyCaseAndSpacing(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	p := a.register("  Üna@Example.com ", "a good password", "Üna")
	if p.Email != "Üna@Example.com" {
		t.Fatalf("stored email: got %q, want it trimmed and otherwise as given", p.Email)
	}
	for _, email := range []string{"üna@example.com", "ÜNA@EXAMPLE.COM", " üna@example.com"} {
		a.do("POST", "/api/auth/register", "", map[string]string{"email": email, "password": "a good password", "full_name": "Other"}).
			want(t, http.StatusConflict)
		a.login(email, "a good password")
	}
	var failures int
	if err := a.pool.QueryRow(context.Background(), `
		SELECT count(*) FROM auth_events WHERE kind = 'register' AND reason = 'duplicate_email' AND student_id = $1`, p.ID).Scan(&failures); err != nil {
		t.Fatal(err)
	}
	if failures != 3 {
		t.Fatalf("duplicate registrations recorded against the account: got %d, want 3", failures)
	}

	// Letters that lower-casing alone does not unify: the long s and the final sigma.
	a.register("student@example.com", "a good password", "S")
	a.do("POST", "/api/auth/register", "", map[string]string{"email": "ſtudent@example.com", "password": "a good password", "full_name": "Other"}).
		want(t, http.StatusConflict)
	a.register("ας@example.com", "a good password", "Sigma")
	a.do("POST", "/api/auth/register", "", map[string]string{"email": "ασ@example.com", "password": "a good password", "full_name": "Other"}).
		want(t, http.StatusConflict)
}

// A login during a password change that has updated the row but not committed waits for it (the
// check and the change both lock the row, inside the database) and then fails with the old
// password: it cannot slip in on the old hash with the new token generation.
func TestALoginDuringAnUncommittedPasswordChangeWaitsAndFails(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	me, _ := a.student("ada@example.com")
	st := store.New(a.server)
	ctx := context.Background()
	hasher, err := password.NewHasher(4, 1)
	if err != nil {
		t.Fatal(err)
	}
	newHash, err := hasher.Hash(ctx, "a newer password")
	if err != nil {
		t.Fatal(err)
	}

	change, err := a.server.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer change.Rollback(ctx)
	if _, err := change.Exec(ctx, `SELECT pg_catalog.set_config('app.claim', $1, true), pg_catalog.set_config('role', 'examiner_student', true)`,
		testdb.Student(me.ID, 0).Claim); err != nil {
		t.Fatal(err)
	}
	var generation *int64
	if err := change.QueryRow(ctx, `SELECT app.change_password_checked($1, $2)`, password.Prehash("a good password"), newHash).Scan(&generation); err != nil || generation == nil {
		t.Fatalf("change_password_checked: got %v, %v", generation, err)
	}

	type result struct {
		reason string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		_, _, reason, err := st.SignIn(ctx, "ada@example.com", "ada@example.com", password.Prehash("a good password"), 4, store.Client{})
		done <- result{reason, err}
	}()
	// The login must be seen waiting on the change's row lock (a login that finished instead
	// never shows up, and this fails after waitForLockWaiters' deadline).
	waitForLockWaiters(t, a.hold(t, `SELECT 1`), 1)
	select {
	case r := <-done:
		t.Fatalf("SignIn finished (%q, %v) while the change held the row; want it to wait", r.reason, r.err)
	default:
	}
	if err := change.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.err != nil || r.reason != examiner.ReasonWrongPassword {
		t.Fatalf("SignIn with the old password after the change committed: got %q, %v, want %q", r.reason, r.err, examiner.ReasonWrongPassword)
	}
}

// Racing registrations of one email, in 50 different spellings of its case: exactly one account,
// every other request a clean 409, no 5xx.
func TestConcurrentRegistrationsOfOneEmailMakeOneAccount(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	const n = 50
	statuses := make(chan int, n)
	for i := range n {
		email := []rune("racer@example.com")
		for j := range email {
			if i>>(j%6)&1 == 1 {
				email[j] = unicode.ToUpper(email[j])
			}
		}
		go func() {
			req, _ := http.NewRequest("POST", a.url+"/api/auth/register", strings.NewReader(
				`{"email":"`+string(email)+`","password":"a good password","full_name":"Racer `+strconv.Itoa(i)+`"}`))
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		}()
	}
	count := map[int]int{}
	for range n {
		count[<-statuses]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusConflict] != n-1 {
		t.Fatalf("statuses: got %v, want one 201 and %d 409", count, n-1)
	}
	var accounts int
	if err := a.pool.QueryRow(context.Background(), `SELECT count(*) FROM students`).Scan(&accounts); err != nil || accounts != 1 {
		t.Fatalf("accounts: got %d (%v), want 1", accounts, err)
	}
}

// After a logout the old token opens no route at all: every student route answers 401, none a
// 500, and nothing changes.
func TestARevokedTokenIsRefusedByEveryStudentRoute(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	exam := a.practice(tok)
	a.do("POST", "/api/auth/logout", tok, nil).want(t, http.StatusNoContent)
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/students/me", nil},
		{"PATCH", "/api/students/me", map[string]any{"full_name": "Changed"}},
		{"GET", "/api/students/me/events", nil},
		{"GET", "/api/subjects", nil},
		{"GET", "/api/subjects/9708", nil},
		{"GET", "/api/subjects/9708/syllabus", nil},
		{"GET", "/api/exams", nil},
		{"POST", "/api/exams", map[string]any{"subject_code": "9708", "exam_type": "PRACTICE"}},
		{"GET", "/api/exams/" + exam.ID, nil},
		{"PATCH", "/api/exams/" + exam.ID, map[string]any{"status": "IN_PROGRESS"}},
		{"DELETE", "/api/exams/" + exam.ID, nil},
	} {
		a.do(c.method, c.path, tok, c.body).want(t, http.StatusUnauthorized).problem(t)
	}
	page := a.examPage(a.login("ada@example.com", "a good password"), "")
	if len(page.Items) != 1 || page.Items[0].ID != exam.ID || page.Items[0].Status != "PENDING" {
		t.Fatalf("exams after the refused requests: got %+v, want the one PENDING exam unchanged", page.Items)
	}
}

// Clients that type the token's dates as integers (Rust's jsonwebtoken with iat: u64, several
// Java libraries) failed to decode iat 1764571930.291.
func TestALoginsTokenHasIntegerDatesADayApart(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, tok := a.student("ada@example.com")
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(mustDecode(t, strings.Split(tok, ".")[1]), &claims); err != nil {
		t.Fatal(err)
	}
	dates := map[string]int64{}
	for _, name := range []string{"iat", "nbf", "exp", "gen"} {
		var n int64
		if err := json.Unmarshal(claims[name], &n); err != nil {
			t.Fatalf("%s: got %s, want a JSON integer", name, claims[name])
		}
		dates[name] = n
	}
	if dates["exp"]-dates["iat"] != 86400 || dates["nbf"] != dates["iat"] || dates["gen"] != 0 {
		t.Fatalf("claims: got %v, want exp - iat = 86400, nbf = iat, gen 0", dates)
	}
}
