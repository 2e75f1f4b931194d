package token_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"

	"examiner/internal/token"
)

// secret is 64 bytes rather than the 32 minimum so that the same key can also sign HS384 and
// HS512 tokens (go-jose refuses HMAC keys shorter than the hash): the algorithm-confusion cases
// must differ from a good token only in their alg.
var secret = []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")

const (
	ttl      = 24 * time.Hour
	issuer   = "examiner"
	audience = "examiner-api"
)

// now is a whole second, so that issued and verified times compare exactly.
var now = time.Date(2025, time.March, 1, 12, 0, 0, 0, time.UTC)

var student = uuid.MustParse("7f1d3c1e-8a4b-4c6d-9e2f-0a1b2c3d4e5f")

// generation is the student's token generation the test tokens carry.
const generation = 7

func mustNewIssuer(tb testing.TB) *token.Issuer {
	tb.Helper()
	iss, err := token.NewIssuer(secret, ttl, issuer, audience)
	if err != nil {
		tb.Fatalf("NewIssuer: got error %v, want nil", err)
	}
	return iss
}

func mustIssue(tb testing.TB, iss *token.Issuer, at time.Time) (string, token.Claims) {
	tb.Helper()
	raw, c, err := iss.Issue(student, generation, at)
	if err != nil {
		tb.Fatalf("Issue: got error %v, want nil", err)
	}
	return raw, c
}

// validClaims returns claims that the default Issuer accepts at now, as a map so that a test
// can delete or change any one of them.
func validClaims() map[string]any {
	return map[string]any{
		"sub": student.String(),
		"iss": issuer,
		"aud": []string{audience},
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(ttl).Unix(),
		"jti": "0123456789abcdef0123456789abcdef",
		"gen": generation,
	}
}

// mustSign builds a token by hand with go-jose, as an attacker or a buggy issuer could.
func mustSign(tb testing.TB, alg jose.SignatureAlgorithm, key any, opts *jose.SignerOptions, claims map[string]any) string {
	tb.Helper()
	if opts == nil {
		opts = (&jose.SignerOptions{}).WithType("JWT")
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		tb.Fatalf("NewSigner(%s): got error %v, want nil", alg, err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		tb.Fatalf("Serialize(%s): got error %v, want nil", alg, err)
	}
	return raw
}

func b64(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("json.Marshal: got error %v, want nil", err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestIssuedTokenVerifiesWithItsClaims(t *testing.T) {
	t.Parallel()
	iss := mustNewIssuer(t)
	// Every date is whole seconds: the fraction of the issue time is dropped.
	raw, issued := mustIssue(t, iss, now.Add(987654321*time.Nanosecond))
	iat := now

	got, err := iss.Verify(raw, now)
	if err != nil {
		t.Fatalf("Verify: got error %v, want nil", err)
	}
	if got.StudentID != student {
		t.Errorf("StudentID: got %v, want %v", got.StudentID, student)
	}
	if got.Generation != generation || issued.Generation != generation {
		t.Errorf("Generation: got %d (Issue said %d), want %d", got.Generation, issued.Generation, generation)
	}
	if !got.IssuedAt.Equal(iat) {
		t.Errorf("IssuedAt: got %v, want %v", got.IssuedAt, iat)
	}
	if !got.Expiry.Equal(now.Add(ttl)) {
		t.Errorf("Expiry: got %v, want %v", got.Expiry, now.Add(ttl))
	}
	if got.ID == "" {
		t.Errorf("ID: got empty, want a jti")
	}
	if got.ID != issued.ID {
		t.Errorf("ID: got %q, want %q as returned by Issue", got.ID, issued.ID)
	}
	if !issued.IssuedAt.Equal(iat) || !issued.Expiry.Equal(now.Add(ttl)) || issued.StudentID != student {
		t.Errorf("Issue claims: got %+v, want iat %v, exp %v, sub %v", issued, iat, now.Add(ttl), student)
	}
	if iss.TTL() != ttl {
		t.Errorf("TTL: got %v, want %v", iss.TTL(), ttl)
	}
}

// Clients that type the dates as integers (Rust's jsonwebtoken with iat: u64, several Java
// libraries) cannot decode a token whose iat has a fraction.
func TestAnIssuedTokensDatesAreJSONIntegersADayApart(t *testing.T) {
	t.Parallel()
	raw, _ := mustIssue(t, mustNewIssuer(t), now.Add(291*time.Millisecond))
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	dates := map[string]int64{}
	for _, name := range []string{"iat", "nbf", "exp", "gen"} {
		var n int64 // decoding 1764571930.291 into an int64 fails
		if err := json.Unmarshal(claims[name], &n); err != nil {
			t.Fatalf("%s: got %s, want a JSON integer (%v)", name, claims[name], err)
		}
		dates[name] = n
	}
	if got := dates["exp"] - dates["iat"]; got != 86400 {
		t.Errorf("exp - iat: got %d, want 86400", got)
	}
	if dates["nbf"] != dates["iat"] || dates["iat"] != now.Unix() {
		t.Errorf("iat, nbf: got %d, %d, want %d for both", dates["iat"], dates["nbf"], now.Unix())
	}
	if dates["gen"] != generation {
		t.Errorf("gen: got %d, want %d", dates["gen"], generation)
	}
}

// Tokens issued before generations existed (iat with milliseconds, no gen) are refused rather
// than taken as generation 0, which would revive those a logout had revoked.
func TestVerifyRefusesATokenFromBeforeGenerations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(map[string]any)
	}{
		{"iat with milliseconds and no gen", func(c map[string]any) { c["iat"] = float64(now.UnixMilli()-709) / 1000; delete(c, "gen") }},
		{"a gen with a fraction", func(c map[string]any) { c["gen"] = 1.5 }},
		{"a gen as a string", func(c map[string]any) { c["gen"] = "7" }},
		{"a negative gen", func(c map[string]any) { c["gen"] = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			claims := validClaims()
			tt.change(claims)
			raw := mustSign(t, jose.HS256, secret, nil, claims)
			if _, err := mustNewIssuer(t).Verify(raw, now); !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
			}
		})
	}
}

func TestIssueRefusesANegativeGeneration(t *testing.T) {
	t.Parallel()
	if _, _, err := mustNewIssuer(t).Issue(student, -1, now); err == nil {
		t.Fatal("Issue(-1): got no error, want one")
	}
}

func TestTokensIssuedAtTheSameTimeHaveDifferentIDs(t *testing.T) {
	t.Parallel()
	iss := mustNewIssuer(t)
	rawA, a := mustIssue(t, iss, now)
	rawB, b := mustIssue(t, iss, now)
	if a.ID == b.ID {
		t.Errorf("jti: got %q twice, want two different ids", a.ID)
	}
	if rawA == rawB {
		t.Errorf("tokens: got the same token twice, want two different tokens")
	}
}

func TestVerifyAppliesLeewayToTime(t *testing.T) {
	t.Parallel()
	iss := mustNewIssuer(t)
	tests := []struct {
		name     string
		issuedAt time.Time
		verifyAt time.Time
		wantOK   bool
	}{
		{"accepted just before expiry plus leeway", now, now.Add(ttl + token.Leeway - time.Second), true},
		{"accepted exactly at expiry plus leeway", now, now.Add(ttl + token.Leeway), true},
		{"rejected once expiry plus leeway has passed", now, now.Add(ttl + token.Leeway + time.Second), false},
		{"accepted when issued 30s in the future", now.Add(30 * time.Second), now, true},
		{"rejected when issued 2 minutes in the future", now.Add(2 * time.Minute), now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw, _ := mustIssue(t, iss, tt.issuedAt)
			_, err := iss.Verify(raw, tt.verifyAt)
			if tt.wantOK && err != nil {
				t.Fatalf("Verify: got error %v, want nil", err)
			}
			if !tt.wantOK && !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
			}
		})
	}
}

// go-jose checks iat separately from nbf, so a token whose nbf is fine but whose iat lies
// beyond the leeway is still refused.
func TestVerifyRejectsIatInTheFutureEvenWithValidNbf(t *testing.T) {
	t.Parallel()
	claims := validClaims()
	claims["iat"] = now.Add(2 * time.Minute).Unix()
	raw := mustSign(t, jose.HS256, secret, nil, claims)
	if _, err := mustNewIssuer(t).Verify(raw, now); !errors.Is(err, token.ErrInvalid) {
		t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
	}
}

func TestVerifyRejectsTokensFromOtherIssuers(t *testing.T) {
	t.Parallel()
	otherSecret := []byte("another secret of thirty-two b..")
	tests := []struct {
		name     string
		secret   []byte
		issuer   string
		audience string
	}{
		{"signed with another secret", otherSecret, issuer, audience},
		{"for another audience", secret, issuer, "someone-else"},
		{"from another issuer", secret, "someone-else", audience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			other, err := token.NewIssuer(tt.secret, ttl, tt.issuer, tt.audience)
			if err != nil {
				t.Fatalf("NewIssuer: got error %v, want nil", err)
			}
			raw, _ := mustIssue(t, other, now)
			if _, err := mustNewIssuer(t).Verify(raw, now); !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
			}
		})
	}
}

func TestVerifyAcceptsOnlyHS256(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("rsa.GenerateKey: got error %v, want nil", err)
	}
	unsigned := b64(t, map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64(t, validClaims()) + "."

	tests := []struct {
		name string
		raw  string
	}{
		{"alg none with an empty signature", unsigned},
		{"HS384 with the right secret", mustSign(t, jose.HS384, secret, nil, validClaims())},
		{"HS512 with the right secret", mustSign(t, jose.HS512, secret, nil, validClaims())},
		{"RS256", mustSign(t, jose.RS256, rsaKey, nil, validClaims())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := mustNewIssuer(t).Verify(tt.raw, now); !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
			}
		})
	}
}

// The hand-built baseline must verify, or the rejections below would prove nothing about the
// one claim each of them changes.
func TestVerifyAcceptsHandBuiltValidClaims(t *testing.T) {
	t.Parallel()
	raw := mustSign(t, jose.HS256, secret, nil, validClaims())
	got, err := mustNewIssuer(t).Verify(raw, now)
	if err != nil {
		t.Fatalf("Verify: got error %v, want nil", err)
	}
	if got.StudentID != student {
		t.Errorf("StudentID: got %v, want %v", got.StudentID, student)
	}
}

func TestVerifyRequiresEveryClaim(t *testing.T) {
	t.Parallel()
	for _, claim := range []string{"exp", "nbf", "iat", "iss", "aud", "jti", "sub", "gen"} {
		t.Run("rejects a token without "+claim, func(t *testing.T) {
			t.Parallel()
			claims := validClaims()
			delete(claims, claim)
			raw := mustSign(t, jose.HS256, secret, nil, claims)
			if _, err := mustNewIssuer(t).Verify(raw, now); !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
			}
		})
	}
}

func TestVerifyRequiresCanonicalUUIDSubject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sub  string
	}{
		{"not a uuid", "student-1"},
		{"empty", ""},
		{"upper case uuid", strings.ToUpper(student.String())},
		{"uuid in braces", "{" + student.String() + "}"},
		{"urn uuid", "urn:uuid:" + student.String()},
		{"uuid without hyphens", strings.ReplaceAll(student.String(), "-", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			claims := validClaims()
			claims["sub"] = tt.sub
			raw := mustSign(t, jose.HS256, secret, nil, claims)
			if _, err := mustNewIssuer(t).Verify(raw, now); !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
			}
		})
	}
}

func TestVerifyRejectsEditedPayload(t *testing.T) {
	t.Parallel()
	iss := mustNewIssuer(t)
	raw, _ := mustIssue(t, iss, now)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("token parts: got %d, want 3", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode payload: got error %v, want nil", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatalf("unmarshal payload: got error %v, want nil", err)
	}
	claims["sub"] = uuid.MustParse("00000000-0000-4000-8000-000000000001").String()
	parts[1] = b64(t, claims)

	if _, err := iss.Verify(strings.Join(parts, "."), now); !errors.Is(err, token.ErrInvalid) {
		t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
	}
}

func TestVerifyRejectsTypOtherThanJWT(t *testing.T) {
	t.Parallel()
	raw := mustSign(t, jose.HS256, secret, (&jose.SignerOptions{}).WithType("JWE"), validClaims())
	if _, err := mustNewIssuer(t).Verify(raw, now); !errors.Is(err, token.ErrInvalid) {
		t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
	}
}

func TestVerifyRejectsMalformedInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
	}{
		{"empty string", ""},
		{"only dots", "...."},
		{"two dots", ".."},
		{"garbage", "this is not a token at all"},
		{"garbage in three segments", "eyJ!!!.@@@.###"},
		{"longer than MaxLength", strings.Repeat("a", 5000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := mustNewIssuer(t).Verify(tt.raw, now); !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("Verify: got error %v, want %v", err, token.ErrInvalid)
			}
		})
	}
}

// Verify ignores kid: the key is fixed when the Issuer is made and kid is never used to look
// anything up (no file, no key set, no database), so a path-traversal kid cannot choose the key.
// A token signed with the right secret is therefore valid whatever its kid says.
func TestVerifyIgnoresKid(t *testing.T) {
	t.Parallel()
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "../../x")
	raw := mustSign(t, jose.HS256, secret, opts, validClaims())

	header, err := base64.RawURLEncoding.DecodeString(strings.SplitN(raw, ".", 2)[0])
	if err != nil {
		t.Fatalf("decode header: got error %v, want nil", err)
	}
	if !strings.Contains(string(header), `"kid":"../../x"`) {
		t.Fatalf("header: got %s, want a kid of ../../x", header)
	}

	got, err := mustNewIssuer(t).Verify(raw, now)
	if err != nil {
		t.Fatalf("Verify: got error %v, want nil", err)
	}
	if got.StudentID != student {
		t.Errorf("StudentID: got %v, want %v", got.StudentID, student)
	}
}

func TestNewIssuerRejectsBadConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		secret   []byte
		ttl      time.Duration
		issuer   string
		audience string
	}{
		{"secret of 31 bytes", make([]byte, token.MinSecretLength-1), ttl, issuer, audience},
		{"empty secret", nil, ttl, issuer, audience},
		{"empty issuer", secret, ttl, "", audience},
		{"empty audience", secret, ttl, issuer, ""},
		{"zero ttl", secret, 0, issuer, audience},
		{"negative ttl", secret, -time.Second, issuer, audience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			iss, err := token.NewIssuer(tt.secret, tt.ttl, tt.issuer, tt.audience)
			if err == nil {
				t.Fatalf("NewIssuer: got %v and nil error, want an error", iss)
			}
		})
	}
}

func TestNewIssuerAcceptsSecretOfMinimumLength(t *testing.T) {
	t.Parallel()
	if _, err := token.NewIssuer(make([]byte, token.MinSecretLength), ttl, issuer, audience); err != nil {
		t.Fatalf("NewIssuer: got error %v, want nil", err)
	}
}

// Verify remembers tokens it accepted; the memory must never accept what a full verification
// would refuse: an expired token, or one asked about at a time before its first verification.
func TestVerifiedTokensAreRememberedOnlyWhileAFullCheckWouldPass(t *testing.T) {
	t.Parallel()
	iss := mustNewIssuer(t)
	raw, _ := mustIssue(t, iss, now)
	for _, at := range []time.Time{now, now.Add(time.Hour), now.Add(ttl + token.Leeway)} {
		if _, err := iss.Verify(raw, at); err != nil {
			t.Fatalf("at %s: got %v, want the token accepted", at.Sub(now), err)
		}
	}
	if _, err := iss.Verify(raw, now.Add(ttl+token.Leeway+time.Second)); !errors.Is(err, token.ErrInvalid) {
		t.Fatalf("after expiry plus leeway, the token verified before: got %v, want ErrInvalid", err)
	}

	future, _ := mustIssue(t, iss, now.Add(2*time.Minute))
	if _, err := iss.Verify(future, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Verify(future, now); !errors.Is(err, token.ErrInvalid) {
		t.Fatalf("a token issued 2 minutes ahead, asked about earlier than it was verified: got %v, want ErrInvalid", err)
	}
	edited := raw[:len(raw)-1] + "A"
	if raw[len(raw)-1] == 'A' {
		edited = raw[:len(raw)-1] + "Q"
	}
	if _, err := iss.Verify(edited, now); !errors.Is(err, token.ErrInvalid) {
		t.Fatalf("an edited copy of a remembered token: got %v, want ErrInvalid", err)
	}
}
