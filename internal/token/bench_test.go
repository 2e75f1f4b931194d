package token_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"examiner/internal/token"
)

// Every request verifies its bearer token. The first time, HS256 over the header and payload,
// then the claims.
func BenchmarkVerifyFirstTime(b *testing.B) {
	issuer, err := token.NewIssuer([]byte("a benchmark secret that is long enough for HS256 use"), 24*time.Hour, "examiner", "examiner-api")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	raws := make([]string, b.N)
	for i := range raws {
		if raws[i], _, err = issuer.Issue(uuid.New(), 0, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := issuer.Verify(raws[i], now); err != nil {
			b.Fatal(err)
		}
	}
}

// Then the same token again, as a client sends it all day: from the Issuer's memory.
func BenchmarkVerify(b *testing.B) {
	issuer, err := token.NewIssuer([]byte("a benchmark secret that is long enough for HS256 use"), 24*time.Hour, "examiner", "examiner-api")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	raw, _, err := issuer.Issue(uuid.New(), 0, now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := issuer.Verify(raw, now); err != nil {
			b.Fatal(err)
		}
	}
}
