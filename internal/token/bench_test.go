package token_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"examiner/internal/token"
)

// Every request verifies its bearer token: HS256 over the header and payload, then the claims.
func BenchmarkVerify(b *testing.B) {
	issuer, err := token.NewIssuer([]byte("a benchmark secret that is long enough for HS256 use"), 24*time.Hour, "examiner", "examiner-api")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	raw, _, err := issuer.Issue(uuid.New(), now)
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
