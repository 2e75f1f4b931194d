package token

import (
	"strconv"
	"testing"
	"time"
)

func TestTheVerifiedTokenCacheStaysBounded(t *testing.T) {
	var c verifiedCache
	for i := range CacheSize + 5 {
		c.put(strconv.Itoa(i), Claims{Expiry: time.Now().Add(time.Hour)}, time.Now())
		if len(c.m) > CacheSize {
			t.Fatalf("after %d tokens the cache holds %d, more than %d", i+1, len(c.m), CacheSize)
		}
	}
}
