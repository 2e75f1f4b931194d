// Package ratelimit limits how often each key (an account, a client address) may do something.
//
// Each key has a token bucket of Burst tokens that refills one token every Per, kept as GCRA:
// one timestamp per key (when its bucket will be full again). Keys live in memory, at most
// MaxKeys of them; a key whose bucket is full again holds no state and is forgotten, and when
// the map is full the keys closest to full are forgotten first, so memory stays flat however many
// keys an attacker sprays.
package ratelimit

import (
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

// DefaultMaxKeys bounds a Limiter's memory: about 100 bytes a key.
const DefaultMaxKeys = 100_000

// Limiter keeps one bucket per key. It is safe for concurrent use.
type Limiter struct {
	limit   Limit
	maxKeys int

	mu   sync.Mutex
	full map[string]time.Time // when each key's bucket is full again
}

// New returns a Limiter of limit keeping at most maxKeys keys. It panics on a limit that allows
// nothing (Burst < 1 or Per <= 0): that is a configuration bug, caught at start-up.
func New(limit Limit, maxKeys int) *Limiter {
	if limit.Burst < 1 || limit.Per <= 0 || maxKeys < 1 {
		panic(fmt.Sprintf("ratelimit: bad limit %+v or maxKeys %d", limit, maxKeys))
	}
	return &Limiter{limit: limit, maxKeys: maxKeys, full: make(map[string]time.Time)}
}

// Limit returns the limiter's limit.
func (l *Limiter) Limit() Limit { return l.limit }

// Check reports whether key has a token now, without taking it; when it has none, retryAfter is
// how long until it will.
func (l *Limiter) Check(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.check(key, now)
}

// Take takes a token from key's bucket if it has one.
func (l *Limiter) Take(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ok, retryAfter = l.check(key, now); ok {
		l.charge(key, now)
	}
	return ok, retryAfter
}

// Charge takes a token from key's bucket whether or not one is left: for actions that count only
// once their outcome is known, such as failed logins (checked with Check before, charged after,
// so that successful ones are never limited however many run at once). Failures that were in
// flight together can take the bucket into debt, which is paid back by waiting; the debt is
// capped at one more burst, so a flood cannot lock a key out for longer than two bursts take.
func (l *Limiter) Charge(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.charge(key, now)
	if limit := now.Add(2 * time.Duration(l.limit.Burst) * l.limit.Per); l.full[key].After(limit) {
		l.full[key] = limit
	}
}

// Keys returns how many keys hold state.
func (l *Limiter) Keys() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.full)
}

// window is how far ahead of now a key's full time may be while it still has a token.
func (l *Limiter) window() time.Duration { return time.Duration(l.limit.Burst-1) * l.limit.Per }

func (l *Limiter) check(key string, now time.Time) (bool, time.Duration) {
	full, ok := l.full[key]
	if !ok || !full.After(now) {
		return true, 0
	}
	if ahead := full.Sub(now); ahead > l.window() {
		return false, ahead - l.window()
	}
	return true, 0
}

func (l *Limiter) charge(key string, now time.Time) {
	full, ok := l.full[key]
	if !ok {
		l.makeRoom(now)
	}
	if full.Before(now) {
		full = now
	}
	l.full[key] = full.Add(l.limit.Per)
}

// makeRoom makes sure one more key fits: it forgets keys whose buckets are full again, and if
// none is, the tenth of the keys closest to full.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.full) < l.maxKeys {
		return
	}
	for k, full := range l.full {
		if !full.After(now) {
			delete(l.full, k)
		}
	}
	if len(l.full) < l.maxKeys {
		return
	}
	// Every key is limited: forget those nearest to full, the ones whose full time falls in the
	// soonest tenth of the span (at least one key, and in two passes, not a sort).
	var soonest, latest time.Time
	for _, full := range l.full {
		if soonest.IsZero() || full.Before(soonest) {
			soonest = full
		}
		if full.After(latest) {
			latest = full
		}
	}
	cut := soonest.Add(latest.Sub(soonest) / 10)
	for k, full := range l.full {
		if !full.After(cut) {
			delete(l.full, k)
		}
	}
}
