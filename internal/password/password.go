// Package password hashes and checks students' passwords with bcrypt.
//
// bcrypt reads only the first 72 bytes of its input, and CompareHashAndPassword accepts any
// longer password whose first 72 bytes match. So the password is never handed to bcrypt raw: it
// is first hashed with SHA-384 and base64-encoded (64 bytes), and the stored hash records that
// scheme ("sha384-bcrypt$<bcrypt hash>") so it can be changed later. A hash made with another
// scheme or cost verifies as usual and is reported as needing a rehash.
package password

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Length limits, in Unicode characters. The password is otherwise taken exactly as received:
// no trimming, no normalisation.
const (
	MinLength = 8
	MaxLength = 128
)

const schemePrefix = "sha384-bcrypt$"

// Hasher hashes and verifies passwords at one bcrypt cost, with a bound on how many run at once
// so that a burst of logins cannot take every core.
type Hasher struct {
	cost    int
	nice    int // added to the nice value of the threads bcrypt runs on (Linux)
	slots   chan struct{}
	waiting atomic.Int64 // calls blocked in acquire, for Waiting
	dummy   string       // verified against for unknown emails, so they cost as much as known ones
}

// DefaultConcurrency leaves one of the cores Go may use (GOMAXPROCS, which follows a
// container's CPU limit) for everything else.
func DefaultConcurrency() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// DefaultNice is how much lower than the rest of the server bcrypt's threads run by default.
const DefaultNice = 5

// NewHasher returns a Hasher with bcrypt cost (4–31) and at most concurrency checks at once.
func NewHasher(cost, concurrency int) (*Hasher, error) {
	return NewHasherNice(cost, concurrency, 0)
}

// NewHasherNice is NewHasher with bcrypt run on threads whose nice value is raised by nice
// (0–19; 0 runs it like everything else): under a login storm, when every core is busy, the
// kernel then gives the cores to other requests first. The server uses DefaultNice.
func NewHasherNice(cost, concurrency, nice int) (*Hasher, error) {
	if nice < 0 || nice > 19 {
		return nil, fmt.Errorf("password: nice %d out of range 0–19", nice)
	}
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("password: bcrypt cost %d out of range %d–%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if concurrency < 1 {
		return nil, fmt.Errorf("password: concurrency %d, want at least 1", concurrency)
	}
	h := &Hasher{cost: cost, nice: nice, slots: make(chan struct{}, concurrency)}
	dummy, err := h.Hash(context.Background(), "not anybody's password")
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Validate says what is wrong with a new password, or "" when nothing is.
func Validate(pw string) string {
	switch n := utf8.RuneCountInString(pw); {
	case !utf8.ValidString(pw):
		return "must be valid UTF-8"
	case n < MinLength:
		return fmt.Sprintf("must be at least %d characters", MinLength)
	case n > MaxLength:
		return fmt.Sprintf("must be at most %d characters", MaxLength)
	}
	return ""
}

// Hash returns the stored form of pw. Two calls never return the same hash (bcrypt salts).
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	var b []byte
	var err error
	niced(h.nice, func() { b, err = bcrypt.GenerateFromPassword(prehash(pw), h.cost) })
	if err != nil {
		return "", fmt.Errorf("password: %w", err)
	}
	return schemePrefix + string(b), nil
}

// Verify reports whether pw matches stored, and whether stored should be replaced by a fresh
// Hash of pw because it uses an older scheme or another cost. It returns an error only when ctx
// ends while waiting for a free slot.
func (h *Hasher) Verify(ctx context.Context, stored, pw string) (ok, rehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	var bhash, input []byte
	if rest, found := strings.CutPrefix(stored, schemePrefix); found {
		bhash, input = []byte(rest), prehash(pw)
	} else {
		// A plain bcrypt hash from before the scheme existed: only safe for passwords bcrypt
		// reads whole. A longer one fails, after the same bcrypt work as any other check.
		if len(pw) > 72 {
			niced(h.nice, func() {
				_ = bcrypt.CompareHashAndPassword([]byte(strings.TrimPrefix(h.dummy, schemePrefix)), prehash(pw))
			})
			return false, false, nil
		}
		bhash, input, rehash = []byte(stored), []byte(pw), true
	}
	var mismatch error
	niced(h.nice, func() { mismatch = bcrypt.CompareHashAndPassword(bhash, input) })
	if mismatch != nil {
		return false, false, nil
	}
	if cost, err := bcrypt.Cost(bhash); err != nil || cost != h.cost {
		rehash = true
	}
	return true, rehash, nil
}

// Waste spends one bcrypt check on nothing, as Verify would: for logins with an unknown email,
// so that their timing does not tell which emails have accounts.
func (h *Hasher) Waste(ctx context.Context, pw string) error {
	_, _, err := h.Verify(ctx, h.dummy, pw)
	return err
}

// InUse is how many password checks are running right now.
func (h *Hasher) InUse() int { return len(h.slots) }

// Waiting is how many password checks are waiting for a slot right now: a queue that stays
// above zero means logins are slowed by the bound, not by the database.
func (h *Hasher) Waiting() int { return int(h.waiting.Load()) }

// Concurrency is the most password checks that run at once.
func (h *Hasher) Concurrency() int { return cap(h.slots) }

func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // an ended context never runs a check, even when a slot is free
	}
	select {
	case h.slots <- struct{}{}:
		return nil // a free slot: this check never queued
	default:
	}
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

func prehash(pw string) []byte {
	sum := sha512.Sum384([]byte(pw))
	out := make([]byte, base64.StdEncoding.EncodedLen(len(sum)))
	base64.StdEncoding.Encode(out, sum[:])
	return out
}
