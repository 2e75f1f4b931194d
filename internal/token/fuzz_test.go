package token_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"

	"examiner/internal/token"
)

// hostileTokens are the seed corpus of FuzzVerify: every way of getting a token wrong that an
// attacker or a buggy client tries. `EXAMINER_WRITE_CORPUS=1 go test -run TestWriteTokenCorpus`
// writes them to testdata/fuzz/FuzzVerify, where go test runs them as ordinary tests.
func hostileTokens(tb testing.TB) map[string]string {
	tb.Helper()
	iss := mustNewIssuer(tb)
	good, _ := mustIssue(tb, iss, now)
	parts := strings.Split(good, ".")
	with := func(change func(map[string]any)) map[string]any {
		c := validClaims()
		change(c)
		return c
	}
	hs := func(alg jose.SignatureAlgorithm, claims map[string]any, opts *jose.SignerOptions) string {
		return mustSign(tb, alg, secret, opts, claims)
	}
	// RS256 needs a key; any small one will do for a seed (the signature is never checked).
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		tb.Fatal(err)
	}
	none := b64(tb, map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64(tb, validClaims()) + "."
	edited := parts[0] + "." + b64(tb, with(func(c map[string]any) { c["sub"] = "00000000-0000-4000-8000-000000000000" })) + "." + parts[2]
	return map[string]string{
		"good":                 good,
		"alg_none":             none,
		"alg_none_uppercase":   strings.Replace(none, b64(tb, map[string]string{"alg": "none", "typ": "JWT"}), b64(tb, map[string]string{"alg": "NONE", "typ": "JWT"}), 1),
		"hs384":                hs(jose.HS384, validClaims(), nil),
		"hs512":                hs(jose.HS512, validClaims(), nil),
		"rs256":                mustSign(tb, jose.RS256, rsaKey, nil, validClaims()),
		"edited_payload":       edited,
		"no_signature":         parts[0] + "." + parts[1] + ".",
		"signature_of_other":   parts[0] + "." + b64(tb, validClaims()) + "." + parts[2],
		"no_exp":               hs(jose.HS256, with(func(c map[string]any) { delete(c, "exp") }), nil),
		"no_aud":               hs(jose.HS256, with(func(c map[string]any) { delete(c, "aud") }), nil),
		"no_iss":               hs(jose.HS256, with(func(c map[string]any) { delete(c, "iss") }), nil),
		"other_aud":            hs(jose.HS256, with(func(c map[string]any) { c["aud"] = []string{"other"} }), nil),
		"expired":              hs(jose.HS256, with(func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() }), nil),
		"nbf_in_the_future":    hs(jose.HS256, with(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }), nil),
		"sub_not_uuid":         hs(jose.HS256, with(func(c map[string]any) { c["sub"] = "1 OR 1=1" }), nil),
		"no_gen":               hs(jose.HS256, with(func(c map[string]any) { delete(c, "gen") }), nil),
		"gen_fraction":         hs(jose.HS256, with(func(c map[string]any) { c["gen"] = 7.5 }), nil),
		"iat_milliseconds":     hs(jose.HS256, with(func(c map[string]any) { c["iat"] = 1764571930.291; delete(c, "gen") }), nil),
		"kid_path":             hs(jose.HS256, validClaims(), (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "../../x")),
		"kid_sql":              hs(jose.HS256, validClaims(), (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "' OR 1=1 --")),
		"jku":                  hs(jose.HS256, validClaims(), (&jose.SignerOptions{}).WithType("JWT").WithHeader("jku", "http://evil.example/keys")),
		"typ_at_jwt":           hs(jose.HS256, validClaims(), (&jose.SignerOptions{}).WithType("at+jwt")),
		"dots":                 "..",
		"many_dots":            strings.Repeat(".", 4000),
		"too_long":             good + strings.Repeat("A", token.MaxLength),
		"empty":                "",
		"nul":                  parts[0] + "\x00." + parts[1] + "." + parts[2],
		"invalid_utf8":         "\xff\xfe." + parts[1] + "." + parts[2],
		"json_not_base64":      `{"alg":"HS256"}.{"sub":"x"}.sig`,
		"newline_in_payload":   parts[0] + "." + parts[1][:10] + "\n" + parts[1][10:] + "." + parts[2],
		"padded_signature":     good + "=",
		"trailing_bits":        parts[0] + "." + parts[1] + "." + flipLastBit(parts[2]),
		"five_parts_jwe":       good + ".x.y",
		"duplicate_alg_header": base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","alg":"none","typ":"JWT"}`)) + "." + parts[1] + "." + parts[2],
	}
}

// FuzzVerify: whatever the input, Verify answers quickly without panicking, and it accepts a
// token only if it is HS256, signed with the issuer's key over exactly its header and payload,
// and unexpired for the right issuer and audience (checked here independently of go-jose).
func FuzzVerify(f *testing.F) {
	iss := mustNewIssuer(f)
	for _, tok := range hostileTokens(f) {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		start := time.Now()
		claims, err := iss.Verify(raw, now)
		if took := time.Since(start); took > time.Second {
			t.Errorf("Verify took %v", took)
		}
		if err != nil {
			if !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("Verify error %v is not ErrInvalid", err)
			}
			return
		}
		parts := strings.Split(raw, ".")
		if len(parts) != 3 {
			t.Fatalf("accepted a token of %d parts: %q", len(parts), raw)
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(parts[0] + "." + parts[1]))
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
			t.Fatalf("accepted a token whose signature is not our HMAC-SHA256: %q", raw)
		}
		var header struct{ Alg string }
		h, _ := base64.RawURLEncoding.DecodeString(parts[0])
		if json.Unmarshal(h, &header) != nil || header.Alg != "HS256" {
			t.Fatalf("accepted alg %q", header.Alg)
		}
		var payload struct {
			Iss string
			Aud any
			Exp float64
		}
		p, _ := base64.RawURLEncoding.DecodeString(parts[1])
		if json.Unmarshal(p, &payload) != nil || payload.Iss != issuer || !strings.Contains(fmt.Sprint(payload.Aud), audience) ||
			time.Unix(int64(payload.Exp), 0).Before(now.Add(-token.Leeway)) {
			t.Fatalf("accepted claims %s", p)
		}
		if claims.StudentID == uuid.Nil {
			t.Fatal("accepted without a student")
		}
	})
}

// The committed corpus (testdata/fuzz/FuzzVerify, run by every go test) holds every hostile
// case. With EXAMINER_WRITE_CORPUS=1 this test first rewrites it from hostileTokens.
func TestTheTokenCorpusHoldsEveryHostileCase(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzVerify")
	for name, tok := range hostileTokens(t) {
		file := filepath.Join(dir, name)
		if os.Getenv("EXAMINER_WRITE_CORPUS") != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte("go test fuzz v1\nstring("+strconv.Quote(tok)+")\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := os.Stat(file); err != nil {
			t.Errorf("corpus case %s is missing (EXAMINER_WRITE_CORPUS=1 go test -run Corpus ./internal/token writes it): %v", name, err)
		}
	}
}

// flipLastBit changes the last base64url character of s to the next one, which on a 32-byte
// HMAC (43 characters, 2 unused bits) changes only bits the decoder ignores unless strict.
func flipLastBit(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[i^1])
}
