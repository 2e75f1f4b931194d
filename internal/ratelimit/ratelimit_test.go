package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
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

func reserve(t *testing.T, l *ratelimit.Limiter, key string, at time.Time) (*ratelimit.Reservation, bool, time.Duration) {
	t.Helper()
	r, ok, retry, err := l.Reserve(context.Background(), key, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	return r, ok, retry
}

func TestAReservationKeptSpendsItsTokenAndOneCancelledGivesItBack(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit{Burst: 2, Per: time.Minute}, 10)
	for range 10 { // successes: every token comes back
		r, ok, _ := reserve(t, l, "k", t0)
		if !ok {
			t.Fatal("refused although every reservation was cancelled")
		}
		r.Cancel()
	}
	for range 2 { // failures: the burst is spent
		r, ok, _ := reserve(t, l, "k", t0)
		if !ok {
			t.Fatal("refused within the burst")
		}
		r.Keep()
		r.Keep() // settling twice changes nothing
	}
	if _, ok, retry := reserve(t, l, "k", t0); ok || retry != time.Minute {
		t.Fatalf("after two kept: ok %v retry %v, want refused for 1m", ok, retry)
	}
}

// concurrently runs f in n goroutines at once and returns how many of them returned true.
func concurrently(n int, f func() bool) int {
	var yes atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if f() {
				yes.Add(1)
			}
		})
	}
	wg.Wait()
	return int(yes.Load())
}

// Concurrent attempts can never spend more than the bucket: 40 failures at once against a burst
// of 3 are 3 checked and 37 refused, whatever the timing.
func TestConcurrentReservationsNeverExceedTheBucket(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit{Burst: 3, Per: time.Hour}, 10)
	granted := concurrently(40, func() bool {
		r, ok, _, err := l.Reserve(context.Background(), "k", func() time.Time { return t0 })
		if err != nil {
			t.Error(err)
			return false
		}
		if ok {
			time.Sleep(time.Millisecond) // the password check
			r.Keep()                     // it failed
		}
		return ok
	})
	if granted != 3 {
		t.Fatalf("granted %d, refused %d: want 3 and 37", granted, 40-granted)
	}
}

// Concurrent attempts that all turn out not to count (successful sign-ins) all get through,
// however many more than the burst: the later ones wait for the earlier ones to settle.
func TestConcurrentReservationsThatAreCancelledAllGetThrough(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit{Burst: 2, Per: time.Hour}, 10)
	granted := concurrently(100, func() bool {
		r, ok, _, err := l.Reserve(context.Background(), "k", func() time.Time { return t0 })
		if err != nil || !ok {
			return false
		}
		time.Sleep(100 * time.Microsecond)
		r.Cancel()
		return true
	})
	if refused := 100 - granted; refused != 0 {
		t.Fatalf("%d of 100 successes refused, want none", refused)
	}
}

func TestWaitingForAReservationEndsWithItsContext(t *testing.T) {
	l := ratelimit.New(ratelimit.Limit{Burst: 1, Per: time.Hour}, 10)
	held, ok, _ := reserve(t, l, "k", t0)
	if !ok {
		t.Fatal("first reservation refused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, _, err := l.Reserve(ctx, "k", func() time.Time { return t0 }); err != context.DeadlineExceeded {
		t.Fatalf("waiting behind a pending reservation: %v, want the deadline", err)
	}
	held.Cancel()
	if _, ok, _ := reserve(t, l, "k", t0); !ok {
		t.Fatal("refused after the pending reservation was cancelled")
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
	granted := concurrently(100, func() bool {
		ok, _ := l.Take("k", t0)
		return ok
	})
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
	// Keys whose buckets are full again are swept within a minute, map full or not.
	l.Take("late", t0.Add(10*time.Hour))
	if l.Keys() != 1 {
		t.Fatalf("%d keys after every bucket refilled and a minute passed, want 1", l.Keys())
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
