// Package token issues and verifies the students' access tokens: JWTs signed with HS256.
//
// Verification accepts exactly HS256 and then insists that every one of exp, nbf, iat, iss, aud,
// sub, jti and gen is present and valid: go-jose's own validation silently skips missing claims.
//
// Every date is whole seconds (iat, nbf and exp are JSON integers, as clients that type them as
// integers need), and a token is revoked not by its issue time but by its generation (the
// private claim gen): the student's token generation when it was issued, which a logout or
// password change increments. Tokens from before generations, with milliseconds in iat and no
// gen, are refused: accepting them as generation 0 would revive those a logout had revoked,
// and they expire within a day anyway.
package token

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
)

// MinSecretLength is the shortest JWT_SECRET accepted, in bytes (RFC 7518 §3.2: at least the
// hash size for HS256).
const MinSecretLength = 32

// MaxLength bounds the tokens we even try to parse; ours are about 300 bytes.
const MaxLength = 4096

// Leeway is the clock skew tolerated on exp, nbf and iat.
const Leeway = 60 * time.Second

// ErrInvalid is returned for every token that is not acceptable, whatever the reason: the
// reason is for logs, never for clients.
var ErrInvalid = errors.New("token: invalid")

// Claims is what a verified token says.
type Claims struct {
	StudentID  uuid.UUID
	Generation int64 // the student's token generation when the token was issued
	IssuedAt   time.Time
	Expiry     time.Time
	ID         string
}

// Issuer signs and verifies tokens for one secret, issuer and audience.
type Issuer struct {
	cache    verifiedCache
	key      []byte
	signer   jose.Signer
	ttl      time.Duration
	issuer   string
	audience string
}

// NewIssuer returns an Issuer. secret must be at least MinSecretLength bytes and ttl positive.
func NewIssuer(secret []byte, ttl time.Duration, issuer, audience string) (*Issuer, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("token: secret is %d bytes, want at least %d", len(secret), MinSecretLength)
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("token: ttl %v, want a positive duration", ttl)
	}
	if issuer == "" || audience == "" {
		return nil, errors.New("token: issuer and audience must not be empty")
	}
	key := append([]byte(nil), secret...)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	return &Issuer{key: key, signer: signer, ttl: ttl, issuer: issuer, audience: audience}, nil
}

// TTL is how long issued tokens live.
func (i *Issuer) TTL() time.Duration { return i.ttl }

// wireClaims is a token's payload.
type wireClaims struct {
	Subject    string   `json:"sub"`
	Issuer     string   `json:"iss"`
	Audience   []string `json:"aud"`
	IssuedAt   int64    `json:"iat"`
	NotBefore  int64    `json:"nbf"`
	Expiry     int64    `json:"exp"`
	ID         string   `json:"jti"`
	Generation int64    `json:"gen"`
}

// Issue returns a signed token for student's token generation, issued at issuedAt (in whole
// seconds) and expiring TTL later.
func (i *Issuer) Issue(student uuid.UUID, generation int64, issuedAt time.Time) (string, Claims, error) {
	if generation < 0 {
		return "", Claims{}, fmt.Errorf("token: generation %d, want at least 0", generation)
	}
	iat := issuedAt.Truncate(time.Second)
	c := Claims{StudentID: student, Generation: generation, IssuedAt: iat, Expiry: iat.Add(i.ttl).Truncate(time.Second), ID: newID()}
	raw, err := jwt.Signed(i.signer).Claims(wireClaims{
		Subject:    student.String(),
		Issuer:     i.issuer,
		Audience:   []string{i.audience},
		IssuedAt:   iat.Unix(),
		NotBefore:  iat.Unix(),
		Expiry:     c.Expiry.Unix(),
		ID:         c.ID,
		Generation: generation,
	}).Serialize()
	if err != nil {
		return "", Claims{}, fmt.Errorf("token: sign: %w", err)
	}
	return raw, c, nil
}

// Verify checks raw at time now and returns its claims. Every failure is ErrInvalid wrapped
// around the reason.
//
// Every request verifies its token, and a client sends the same one for a day: the claims of a
// token verified at some time are remembered (at most CacheSize tokens), and the same string is
// accepted again at any later time until its expiry, without the parsing and the HMAC. Only the
// exact bytes of a token that passed hit the cache; an earlier time than the first verification's
// verifies in full.
func (i *Issuer) Verify(raw string, now time.Time) (Claims, error) {
	if c, ok := i.cache.get(raw, now); ok {
		return c, nil
	}
	c, err := i.verify(raw, now)
	if err == nil {
		i.cache.put(raw, c, now)
	}
	return c, err
}

// CacheSize is how many verified tokens an Issuer remembers; when full it forgets them all.
const CacheSize = 10_000

type verifiedCache struct {
	mu sync.Mutex
	m  map[string]verifiedToken
}

type verifiedToken struct {
	claims Claims
	at     time.Time // when it was verified: the cache answers from then on
}

func (c *verifiedCache) get(raw string, now time.Time) (Claims, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[raw]
	if !ok || now.Before(v.at) {
		return Claims{}, false
	}
	if now.Add(-Leeway).After(v.claims.Expiry) { // as ValidateWithLeeway: expired
		delete(c.m, raw)
		return Claims{}, false
	}
	return v.claims, true
}

func (c *verifiedCache) put(raw string, claims Claims, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= CacheSize {
		c.m = make(map[string]verifiedToken)
	}
	c.m[raw] = verifiedToken{claims: claims, at: now}
}

// verify is Verify without the cache.
func (i *Issuer) verify(raw string, now time.Time) (Claims, error) {
	if len(raw) == 0 || len(raw) > MaxLength {
		return Claims{}, fmt.Errorf("%w: length %d", ErrInvalid, len(raw))
	}
	// One spelling per token: three segments of strict base64url (no padding, no line breaks,
	// which Go's decoder would skip, no stray trailing bits).
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return Claims{}, fmt.Errorf("%w: %d segments", ErrInvalid, len(parts))
	}
	for _, p := range parts {
		if strings.IndexFunc(p, notBase64URL) >= 0 {
			return Claims{}, fmt.Errorf("%w: a segment is not base64url", ErrInvalid)
		}
		if _, err := base64.RawURLEncoding.Strict().DecodeString(p); err != nil {
			return Claims{}, fmt.Errorf("%w: a segment is not strict base64url", ErrInvalid)
		}
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(tok.Headers) != 1 {
		return Claims{}, fmt.Errorf("%w: %d signatures", ErrInvalid, len(tok.Headers))
	}
	if typ, ok := tok.Headers[0].ExtraHeaders[jose.HeaderType]; ok && typ != "JWT" {
		return Claims{}, fmt.Errorf("%w: typ %v", ErrInvalid, typ)
	}
	var c jwt.Claims
	var private struct {
		Generation *int64 `json:"gen"` // a JSON integer: 1.5 or "1" fail to decode
	}
	if err := tok.Claims(i.key, &c, &private); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	switch {
	case c.Expiry == nil:
		return Claims{}, fmt.Errorf("%w: no exp", ErrInvalid)
	case c.NotBefore == nil:
		return Claims{}, fmt.Errorf("%w: no nbf", ErrInvalid)
	case c.IssuedAt == nil:
		return Claims{}, fmt.Errorf("%w: no iat", ErrInvalid)
	case c.Issuer == "":
		return Claims{}, fmt.Errorf("%w: no iss", ErrInvalid)
	case len(c.Audience) == 0:
		return Claims{}, fmt.Errorf("%w: no aud", ErrInvalid)
	case c.ID == "":
		return Claims{}, fmt.Errorf("%w: no jti", ErrInvalid)
	case private.Generation == nil:
		return Claims{}, fmt.Errorf("%w: no gen", ErrInvalid)
	case *private.Generation < 0:
		return Claims{}, fmt.Errorf("%w: negative gen", ErrInvalid)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{
		Issuer:      i.issuer,
		AnyAudience: jwt.Audience{i.audience},
		Time:        now,
	}, Leeway); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	id, err := uuid.Parse(c.Subject)
	if err != nil || id.String() != c.Subject {
		return Claims{}, fmt.Errorf("%w: sub is not a canonical uuid", ErrInvalid)
	}
	return Claims{StudentID: id, Generation: *private.Generation, IssuedAt: c.IssuedAt.Time(), Expiry: c.Expiry.Time(), ID: c.ID}, nil
}

func notBase64URL(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
