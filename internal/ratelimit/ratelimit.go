// Package ratelimit limits how often each key (an account, a client address) may do something.
//
// Each key has a token bucket of Burst tokens that refills one token every Per, kept as GCRA:
// one timestamp per key (when its bucket will be full again). Keys live in memory, at most
// MaxKeys of them. Keys whose buckets are full again hold no information and are swept away at
// least once a minute; when the map is nevertheless full, the keys closest to full are forgotten
// first, so memory stays flat however many keys an attacker sprays.
//
// Actions whose outcome decides whether they count (a sign-in counts only if it fails) take a
// Reservation first and settle it after: Keep when the action counts, Cancel when it does not.
// A reservation holds a token while the outcome is unknown, so concurrent attempts can never
// spend more than the bucket holds; an attempt that finds the bucket empty while others are
// still pending waits for them to settle rather than failing, so concurrent actions that will
// not count (successful sign-ins) are never refused.
package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Limit is a bucket's shape: Burst actions at once, then one more every Per.
type Limit struct {
	Burst int
	Per   time.Duration
}

// PerHour allows burst actions at once and at most perHour in any hour (burst included): the
// bucket refills one token every hour/(perHour-burst). perHour must exceed burst.
func PerHour(burst, perHour int) Limit {
	if perHour <= burst {
		return Limit{}
	}
	return Limit{Burst: burst, Per: time.Hour / time.Duration(perHour-burst)}
}

func (l Limit) String() string {
	return fmt.Sprintf("%d at once, then one every %s", l.Burst, l.Per)
}

// DefaultMaxKeys bounds a Limiter's memory. A key costs its string (callers keep keys short: an
// email key of at most 254 bytes, an address) plus about 100 bytes.
const DefaultMaxKeys = 100_000

// sweepEvery is how often keys whose buckets are full again are dropped.
const sweepEvery = time.Minute

// Limiter keeps one bucket per key. It is safe for concurrent use.
type Limiter struct {
	limit   Limit
	maxKeys int

	mu        sync.Mutex
	keys      map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	full    time.Time     // when the bucket is full again
	pending int           // reservations not yet settled
	settled chan struct{} // closed (and replaced) whenever a reservation settles
}

// New returns a Limiter of limit keeping at most maxKeys keys. It panics on a limit that allows
// nothing (Burst < 1 or Per <= 0): that is a configuration bug, caught at start-up.
func New(limit Limit, maxKeys int) *Limiter {
	if limit.Burst < 1 || limit.Per <= 0 || maxKeys < 1 {
		panic(fmt.Sprintf("ratelimit: bad limit %+v or maxKeys %d", limit, maxKeys))
	}
	return &Limiter{limit: limit, maxKeys: maxKeys, keys: make(map[string]*bucket)}
}

// Check reports whether key has a token now, without taking it; when it has none, retryAfter is
// how long until it will.
func (l *Limiter) Check(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.check(l.keys[key], now)
}

// Take takes a token from key's bucket if it has one.
func (l *Limiter) Take(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.keys[key]
	if ok, retryAfter = l.check(b, now); ok {
		l.bucketOf(key, b, now).full = l.charged(b, now)
	}
	return ok, retryAfter
}

// Reservation is a token held for an action whose outcome is not known yet.
type Reservation struct {
	l       *Limiter
	key     string
	settled bool
}

// Reserve takes a token from key's bucket for an action that may turn out not to count. When
// the bucket is empty but other reservations of key are pending, it waits for them to settle
// (or ctx to end, which is ctx's error) and looks again. When the bucket is empty and nothing is
// pending, ok is false and retryAfter says how long until a token is back. now is read afresh
// each time it looks.
func (l *Limiter) Reserve(ctx context.Context, key string, now func() time.Time) (r *Reservation, ok bool, retryAfter time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		t := now()
		b := l.keys[key]
		if ok, retryAfter = l.check(b, t); ok {
			b = l.bucketOf(key, b, t)
			b.full = l.charged(b, t)
			b.pending++
			return &Reservation{l: l, key: key}, true, 0, nil
		}
		if b == nil || b.pending == 0 {
			return nil, false, retryAfter, nil
		}
		settled := b.settled
		l.mu.Unlock()
		select {
		case <-settled:
		case <-ctx.Done():
			l.mu.Lock()
			return nil, false, 0, ctx.Err()
		}
		l.mu.Lock()
	}
}

// Keep settles r as counted: its token stays spent.
func (r *Reservation) Keep() { r.settle(false) }

// Cancel settles r as not counted: its token goes back into the bucket.
func (r *Reservation) Cancel() { r.settle(true) }

func (r *Reservation) settle(refund bool) {
	l := r.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.settled {
		return
	}
	r.settled = true
	b := l.keys[r.key]
	if b == nil { // forgotten to make room: nothing to give back
		return
	}
	if refund {
		b.full = b.full.Add(-l.limit.Per)
	}
	b.pending--
	close(b.settled)
	b.settled = make(chan struct{})
}

// Keys returns how many keys hold state.
func (l *Limiter) Keys() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// window is how far ahead of now a key's full time may be while it still has a token.
func (l *Limiter) window() time.Duration { return time.Duration(l.limit.Burst-1) * l.limit.Per }

func (l *Limiter) check(b *bucket, now time.Time) (bool, time.Duration) {
	if b == nil || !b.full.After(now) {
		return true, 0
	}
	if ahead := b.full.Sub(now); ahead > l.window() {
		return false, ahead - l.window()
	}
	return true, 0
}

// charged is b's full time after one more token is taken at now.
func (l *Limiter) charged(b *bucket, now time.Time) time.Time {
	full := now
	if b != nil && b.full.After(now) {
		full = b.full
	}
	return full.Add(l.limit.Per)
}

// bucketOf returns key's bucket b, creating it (after making room) when it is nil.
func (l *Limiter) bucketOf(key string, b *bucket, now time.Time) *bucket {
	if b != nil {
		return b
	}
	l.sweep(now)
	b = &bucket{settled: make(chan struct{})}
	l.keys[key] = b
	return b
}

// sweep forgets keys whose buckets are full again (once a minute, or whenever the map is
// full), and if the map is still full, the keys nearest to full: those whose full time falls in
// the soonest tenth of the span (two passes, not a sort). Keys with pending reservations stay.
func (l *Limiter) sweep(now time.Time) {
	if len(l.keys) < l.maxKeys && now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	for k, b := range l.keys {
		if b.pending == 0 && !b.full.After(now) {
			delete(l.keys, k)
		}
	}
	if len(l.keys) < l.maxKeys {
		return
	}
	var soonest, latest time.Time
	for _, b := range l.keys {
		if soonest.IsZero() || b.full.Before(soonest) {
			soonest = b.full
		}
		if b.full.After(latest) {
			latest = b.full
		}
	}
	cut := soonest.Add(latest.Sub(soonest) / 10)
	for k, b := range l.keys {
		if b.pending == 0 && !b.full.After(cut) {
			delete(l.keys, k)
		}
	}
}
