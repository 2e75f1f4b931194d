package ratelimit_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"examiner/internal/ratelimit"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestABucketAllowsItsBurstThenOneEveryPer(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit{Burst: 3, Per: 10 * time.Second}, 10)
	for i := range 3 {
		if ok, _ := l.Take("k", t0); !ok {
			t.Fatalf("take %d of the burst refused", i+1)
		}
	}
	ok, retry := l.Take("k", t0)
	if ok || retry != 10*time.Second {
		t.Fatalf("4th take: ok %v retry %v, want refused for 10s", ok, retry)
	}
	if ok, retry := l.Take("k", t0.Add(4*time.Second)); ok || retry != 6*time.Second {
		t.Fatalf("after 4s: ok %v retry %v, want refused for 6s", ok, retry)
	}
	if ok, _ := l.Take("k", t0.Add(10*time.Second)); !ok {
		t.Fatal("after 10s: refused, want one token back")
	}
	if ok, _ := l.Take("k", t0.Add(10*time.Second)); ok {
		t.Fatal("after 10s: a second token, want one")
	}
	if ok, _ := l.Take("other", t0); !ok {
		t.Fatal("another key is limited by this one's use")
	}
}

func TestCheckTakesNothing(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit{Burst: 1, Per: time.Minute}, 10)
	for range 5 {
		if ok, _ := l.Check("k", t0); !ok {
			t.Fatal("check refused a fresh key")
		}
	}
	l.Take("k", t0)
	if ok, retry := l.Check("k", t0.Add(time.Second)); ok || retry != 59*time.Second {
		t.Fatalf("check after the take: ok %v retry %v", ok, retry)
	}
}

func TestChargeCountsAfterTheFactAndCapsTheDebt(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit{Burst: 2, Per: time.Minute}, 10)
	for range 2 {
		l.Charge("k", t0)
	}
	if ok, retry := l.Check("k", t0); ok || retry != time.Minute {
		t.Fatalf("after charging the burst: ok %v retry %v, want refused for 1m", ok, retry)
	}
	for range 1000 { // a flood of failures in flight together
		l.Charge("k", t0)
	}
	// Debt stops at two bursts from now: free again after 3 minutes, not 1000.
	if ok, retry := l.Check("k", t0); ok || retry != 3*time.Minute {
		t.Fatalf("after a flood: ok %v retry %v, want refused for 3m", ok, retry)
	}
	if ok, _ := l.Check("k", t0.Add(3*time.Minute)); !ok {
		t.Fatal("still refused once the capped debt is paid")
	}
}

// At most perHour actions in any hour, the burst included, however the attempts are spread.
func TestPerHourIsAHardCeilingOverAnyHour(t *testing.T) {
	for _, c := range []struct{ burst, perHour int }{{10, 100}, {5, 20}, {1, 2}, {50, 1000}} {
		l := ratelimit.New(ratelimit.PerHour(c.burst, c.perHour), 10)
		var allowed []time.Time
		for s := 0; s < 3*3600; s++ { // an attempt every second for three hours
			now := t0.Add(time.Duration(s) * time.Second)
			if ok, _ := l.Take("k", now); ok {
				allowed = append(allowed, now)
			}
		}
		most := 0
		for i := range allowed {
			n := 0
			for j := i; j < len(allowed) && allowed[j].Sub(allowed[i]) < time.Hour; j++ {
				n++
			}
			most = max(most, n)
		}
		// The refill that would make perHour lands exactly an hour after the burst began.
		if most > c.perHour || most < c.perHour-1 {
			t.Errorf("PerHour(%d, %d): busiest hour had %d actions, want %d or one fewer", c.burst, c.perHour, most, c.perHour)
		}
	}
	if l := ratelimit.PerHour(10, 10); l.Burst != 0 {
		t.Errorf("PerHour(10, 10) = %v, want the zero Limit (refused by New)", l)
	}
}

func TestConcurrentTakesNeverExceedTheBurst(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit{Burst: 7, Per: time.Hour}, 10)
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Take("k", t0); ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if granted != 7 {
		t.Fatalf("granted %d, want 7", granted)
	}
}

// Spraying keys keeps memory flat, and the keys forgotten first are those nearest to free again.
func TestMemoryStaysBoundedUnderASprayOfKeys(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit{Burst: 1, Per: time.Hour}, 1000)
	l.Take("victim", t0.Add(59*time.Minute)) // the most recent, so the furthest from full
	for i := range 100_000 {
		l.Take(fmt.Sprint("spray-", i), t0.Add(time.Duration(i)*time.Millisecond))
		if l.Keys() > 1000 {
			t.Fatalf("%d keys after %d sprayed, want at most 1000", l.Keys(), i+1)
		}
	}
	if ok, _ := l.Check("victim", t0.Add(59*time.Minute)); ok {
		t.Fatal("the spray freed the most limited key")
	}
}

func TestNewRefusesALimitThatAllowsNothing(t *testing.T) {
	for _, lim := range []ratelimit.Limit{{}, {Burst: 0, Per: time.Second}, {Burst: 1}, ratelimit.PerHour(5, 3)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", lim)
				}
			}()
			ratelimit.New(lim, 10)
		}()
	}
}
