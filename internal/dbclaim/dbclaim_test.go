package dbclaim

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/uuid"
)

// goldenKey is the raw key of the golden vectors: 32 bytes of 0xab, what sql/tests/07_claims.sql
// installs under kid g1 as decode(repeat('ab', 32), 'hex').
var goldenKey = bytes.Repeat([]byte{0xab}, 32)

var goldenStudent = uuid.MustParse("00000000-0000-4000-8000-000000000007")

// 4102444800 is 2100-01-01T00:00:00Z.
var goldenExp = time.Unix(4102444800, 0)

// The claims Go signs must be the ones PostgreSQL verifies. These strings are hard-coded: they
// were computed once with Go's crypto/hmac and once with pgcrypto,
//
//	encode(crypto.hmac(convert_to('<payload>', 'UTF8'), decode(repeat('ab', 32), 'hex'), 'sha256'), 'hex')
//
// which agreed; sql/tests/07_claims.sql holds the same strings and checks that the database's
// verifier accepts the first and refuses the others for the reason given. A change to the format
// or the MAC on either side fails one of the two.
func TestClaimGoldenVectors(t *testing.T) {
	for _, c := range []struct {
		name       string
		kid        string
		student    uuid.UUID
		generation int64
		exp        time.Time
		want       string
	}{
		{"the golden claim", "g1", goldenStudent, 0, goldenExp,
			"00000000-0000-4000-8000-000000000007.0.4102444800.g1.4bada7b89bb327f3bf8f5e9fedc160a5952db19c9db573b5f7e0c6d6171f967b"},
		{"expired on 2000-01-01", "g1", goldenStudent, 0, time.Unix(946684800, 0),
			"00000000-0000-4000-8000-000000000007.0.946684800.g1.0bb1a236a0047930079541f62f6504e79be894eded04d797dcca1e6ce13a700e"},
		{"generation 1", "g1", goldenStudent, 1, goldenExp,
			"00000000-0000-4000-8000-000000000007.1.4102444800.g1.f5a9a1a30018f621b5679cff45b0206dba7e5071722cff763345055c598bb5e5"},
		{"the same key under kid g2", "g2", goldenStudent, 0, goldenExp,
			"00000000-0000-4000-8000-000000000007.0.4102444800.g2.cca8ec31a33e9810f014e1cea707eb18bdd021ec7a2ccef386aa256fac14254a"},
		{"a student without a row", "g1", uuid.MustParse("00000000-0000-4000-8000-000000000009"), 0, goldenExp,
			"00000000-0000-4000-8000-000000000009.0.4102444800.g1.3a24ff7c1b296b8de40fcb3724f17ad533228cb283725d84f8dde1519a68dade"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &Signer{kid: c.kid, key: goldenKey}
			if got := s.Claim(c.student, c.generation, c.exp); got != c.want {
				t.Errorf("Claim(%s, %d, %d) under kid %s\n got %s\nwant %s", c.student, c.generation, c.exp.Unix(), c.kid, got, c.want)
			}
		})
	}
}

// An expiry inside a second is rounded up, so the database never refuses a claim its token
// still allows; a whole second stays as it is.
func TestClaimRoundsTheExpiryUp(t *testing.T) {
	s := &Signer{kid: "g1", key: goldenKey}
	const golden = "00000000-0000-4000-8000-000000000007.0.4102444800.g1.4bada7b89bb327f3bf8f5e9fedc160a5952db19c9db573b5f7e0c6d6171f967b"
	if got := s.Claim(goldenStudent, 0, goldenExp.Add(-time.Nanosecond)); got != golden {
		t.Errorf("an expiry a nanosecond before 4102444800 gives\n %s\nwant %s", got, golden)
	}
	if got := s.Claim(goldenStudent, 0, goldenExp.Add(-999*time.Millisecond)); got != golden {
		t.Errorf("an expiry 999ms before 4102444800 gives\n %s\nwant %s", got, golden)
	}
}

// The key of a kid is HMAC-SHA256(JWT secret, "examiner database claim key\x00" + kid), computed
// once with pgcrypto as
//
//	encode(crypto.hmac(convert_to('examiner database claim key', 'UTF8') || '\x00'::bytea || convert_to('g1', 'UTF8'),
//	                   convert_to('examiner tests: a JWT secret of at least 32 bytes', 'UTF8'), 'sha256'), 'hex')
//
// A change to the derivation would silently leave every installed key (examiner keys install)
// unable to verify the server's claims.
func TestDeriveKeyGoldenVector(t *testing.T) {
	secret := []byte("examiner tests: a JWT secret of at least 32 bytes")
	const want = "1f86e942ab6278362b6c4dc67619ff33e6669be2913ec8a665a88cbb76fe45b3"
	got := hex.EncodeToString(DeriveKey(secret, "g1"))
	if got != want {
		t.Errorf("DeriveKey(secret, g1) = %s, want %s", got, want)
	}
	s, err := NewSigner(secret, "g1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Key(), DeriveKey(secret, "g1")) {
		t.Error("NewSigner's key is not DeriveKey's")
	}
}

// What each request pays in Go for its claim: one HMAC-SHA256 of about 50 bytes.
func BenchmarkClaim(b *testing.B) {
	s, err := NewSigner([]byte("a benchmark secret that is long enough for HS256 use"), DefaultKID)
	if err != nil {
		b.Fatal(err)
	}
	id, exp := uuid.New(), time.Now().Add(24*time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Claim(id, 3, exp)
	}
}
