// Package dbclaim signs the claims that tell PostgreSQL which student a request transaction is
// for (migration 014). The server puts one in the transaction-local setting app.claim; the
// database's app.current_student_id() verifies it with the same key, so SQL run in that
// transaction cannot act for anyone else by setting something else.
//
// A claim is "<student uuid>.<token generation>.<exp>.<kid>.<mac>": the uuid in canonical lower
// case, the generation and exp (Unix seconds) in decimal, kid matching [0-9A-Za-z]{1,16}, and mac
// the 64 lowercase hex digits of HMAC-SHA256(key, everything before it without the final dot).
//
// The key of a kid is derived from JWT_SECRET, HMAC-SHA256(JWT_SECRET, "examiner database claim
// key\x00" + kid): a key read out of the database (from a backup, say) gives neither JWT_SECRET
// nor another kid's key. The owner installs it (examiner keys install); it never travels as a
// literal.
package dbclaim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/google/uuid"

	"examiner/internal/token"
	"examiner/tenant"
)

// DefaultKID is the kid a server signs with unless DB_CLAIM_KID says otherwise.
const DefaultKID = "1"

var kidShape = regexp.MustCompile(`^[0-9A-Za-z]{1,16}$`)

// Signer makes claims under one kid.
type Signer struct {
	kid string
	key []byte
}

// NewSigner returns the signer of kid for a server whose JWT secret is jwtSecret.
func NewSigner(jwtSecret []byte, kid string) (*Signer, error) {
	if !kidShape.MatchString(kid) {
		return nil, fmt.Errorf("dbclaim: kid %q: want 1 to 16 letters or digits", kid)
	}
	if len(jwtSecret) == 0 {
		return nil, errors.New("dbclaim: empty JWT secret")
	}
	return &Signer{kid: kid, key: DeriveKey(jwtSecret, kid)}, nil
}

// DeriveKey is the 32-byte key of kid for jwtSecret.
func DeriveKey(jwtSecret []byte, kid string) []byte {
	m := hmac.New(sha256.New, jwtSecret)
	m.Write([]byte("examiner database claim key\x00" + kid))
	return m.Sum(nil)
}

// KID is the signer's kid.
func (s *Signer) KID() string { return s.kid }

// Fingerprint is the first 8 hex digits of SHA-256 of the key: enough to tell keys apart in a
// listing, nothing towards the key.
func Fingerprint(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

// Fingerprint is the fingerprint of the signer's key.
func (s *Signer) Fingerprint() string { return Fingerprint(s.key) }

// Claim is the claim for student at generation, valid until exp (rounded up to a whole second,
// so the database never refuses what the token still allows).
func (s *Signer) Claim(student uuid.UUID, generation int64, exp time.Time) string {
	secs := exp.Unix()
	if exp.After(time.Unix(secs, 0)) {
		secs++
	}
	payload := make([]byte, 0, 128)
	payload = append(payload, student.String()...)
	payload = append(payload, '.')
	payload = strconv.AppendInt(payload, generation, 10)
	payload = append(payload, '.')
	payload = strconv.AppendInt(payload, secs, 10)
	payload = append(payload, '.')
	payload = append(payload, s.kid...)
	m := hmac.New(sha256.New, s.key)
	m.Write(payload)
	mac := m.Sum(nil)
	out := append(payload, '.')
	return string(hex.AppendEncode(out, mac))
}

// Key is the signer's key, for `examiner keys install` only.
func (s *Signer) Key() []byte { return append([]byte(nil), s.key...) }

// Student is who a request transaction acts for, from a verified token: its student and
// generation, and their claim, valid until the token's expiry plus token.Leeway (the database then
// refuses no token Go still accepts).
func (s *Signer) Student(c token.Claims) tenant.Student {
	return tenant.Student{ID: c.StudentID, TokenGeneration: c.Generation,
		Claim: s.Claim(c.StudentID, c.Generation, c.Expiry.Add(token.Leeway))}
}
