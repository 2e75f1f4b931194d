package token_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"examiner/internal/token"
)

// Every authenticated request verifies a token: this is on the hot path.
func BenchmarkVerify(b *testing.B) {
	iss, err := token.NewIssuer([]byte("a-benchmark-secret-of-32-bytes-at-least"), 24*time.Hour, "examiner", "examiner-api")
	if err != nil {
		b.Fatal(err)
	}
	raw, _, err := iss.Issue(uuid.New(), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Verify(raw, now); err != nil {
			b.Fatal(err)
		}
	}
}
