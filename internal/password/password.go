// Package password hashes and checks students' passwords with bcrypt.
//
// bcrypt reads only the first 72 bytes of its input, and CompareHashAndPassword accepts any
// longer password whose first 72 bytes match. So the password is never handed to bcrypt raw: it
// is first hashed with SHA-384 and base64-encoded (64 bytes), and the stored hash records that
// scheme ("sha384-bcrypt$<bcrypt hash>") so it can be changed later. A hash made with another
// scheme or cost verifies as usual and is reported as needing a rehash.
//
// At most Concurrency checks run at once; the others wait for a slot, and the wait itself is
// bounded: at most Queue checks wait overall and QueuePerClient for one client (named by
// WithClient), so a flood from one address cannot fill the queue, and nothing queues longer than
// it could be served. A check past either bound fails at once with a *QueueFullError.
package password

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const schemePrefix = "sha384-bcrypt$"

// Hasher hashes and verifies passwords at one bcrypt cost, with a bound on how many run at once
// so that a burst of logins cannot take every core.
type Hasher struct {
	cost  int
	nice  int // added to the nice value of the threads bcrypt runs on (Linux)
	slots chan struct{}
	dummy string // verified against for unknown emails, so they cost as much as known ones

	queue, queuePerClient int

	mu        sync.Mutex
	waiting   int            // calls blocked in acquire, for Waiting and the Queue bound
	waitingBy map[string]int // the same by client, for the QueuePerClient bound

	lastCheck atomic.Int64 // nanoseconds the latest bcrypt run took, for QueueFullError.RetryAfter
}

// Options configure a Hasher.
type Options struct {
	Cost        int // bcrypt cost, 4–31
	Concurrency int // most checks at once, at least 1
	// Nice is added to the nice value of the threads bcrypt runs on (0–19; 0 runs it like
	// everything else): under a login storm, when every core is busy, the kernel then gives the
	// cores to other requests first. The server uses DefaultNice.
	Nice int
	// Queue is the most checks waiting for a slot at once (DefaultQueuePerSlot × Concurrency when
	// 0); QueuePerClient the most of those for one client (half of Queue, at least 1, when 0).
	Queue, QueuePerClient int
}

// DefaultQueuePerSlot is how many checks may wait per slot by default. The benchmark
// (docs/benchmarks.md) serves 100 logins queued on one slot at cost 12 in 30 s alone and in 64 s
// under a full load of other requests, about 1.6 a second: 128 queued checks are then served in
// 82 s, within PASSWORD_TIMEOUT's default of 2 minutes. A longer queue would mostly hold
// requests (and their connections and memory) for two minutes only to time them out.
const DefaultQueuePerSlot = 128

// QueueFullError is the error of a check refused because too many are waiting already.
type QueueFullError struct {
	PerClient  bool          // the client's own bound ran out, not the overall one
	RetryAfter time.Duration // about how long the checks waiting now take to be served
}

func (e *QueueFullError) Error() string {
	if e.PerClient {
		return "password: too many checks of this client waiting for a slot"
	}
	return "password: too many checks waiting for a slot"
}

type clientKey struct{}

// WithClient returns ctx naming the client (such as its address) whose checks it carries, for
// the QueuePerClient bound. Checks without a client count only against Queue.
func WithClient(ctx context.Context, client string) context.Context {
	return context.WithValue(ctx, clientKey{}, client)
}

// DefaultConcurrency leaves one of the cores Go may use (GOMAXPROCS, which follows a
// container's CPU limit) for everything else.
func DefaultConcurrency() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// DefaultNice is how much lower than the rest of the server bcrypt's threads run by default.
const DefaultNice = 5

// NewHasher returns a Hasher with bcrypt cost (4–31) and at most concurrency checks at once.
func NewHasher(cost, concurrency int) (*Hasher, error) {
	return New(Options{Cost: cost, Concurrency: concurrency})
}

// NewHasherNice is NewHasher with Options.Nice.
func NewHasherNice(cost, concurrency, nice int) (*Hasher, error) {
	return New(Options{Cost: cost, Concurrency: concurrency, Nice: nice})
}

// New returns a Hasher configured by o.
func New(o Options) (*Hasher, error) {
	if o.Nice < 0 || o.Nice > 19 {
		return nil, fmt.Errorf("password: nice %d out of range 0–19", o.Nice)
	}
	if o.Cost < bcrypt.MinCost || o.Cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("password: bcrypt cost %d out of range %d–%d", o.Cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if o.Concurrency < 1 {
		return nil, fmt.Errorf("password: concurrency %d, want at least 1", o.Concurrency)
	}
	if o.Queue < 0 || o.QueuePerClient < 0 {
		return nil, fmt.Errorf("password: queue %d, %d per client, want at least 0 (0 for the default)", o.Queue, o.QueuePerClient)
	}
	if o.Queue == 0 {
		o.Queue = DefaultQueuePerSlot * o.Concurrency
	}
	if o.QueuePerClient == 0 {
		o.QueuePerClient = max(1, o.Queue/2)
	}
	h := &Hasher{cost: o.Cost, nice: o.Nice, slots: make(chan struct{}, o.Concurrency),
		queue: o.Queue, queuePerClient: o.QueuePerClient, waitingBy: make(map[string]int)}
	dummy, err := h.Hash(context.Background(), "not anybody's password")
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Hash returns the stored form of pw. Two calls never return the same hash (bcrypt salts).
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	var b []byte
	var err error
	h.timed(func() { b, err = bcrypt.GenerateFromPassword(prehash(pw), h.cost) })
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
			h.timed(func() {
				_ = bcrypt.CompareHashAndPassword([]byte(strings.TrimPrefix(h.dummy, schemePrefix)), prehash(pw))
			})
			return false, false, nil
		}
		bhash, input, rehash = []byte(stored), []byte(pw), true
	}
	var mismatch error
	h.timed(func() { mismatch = bcrypt.CompareHashAndPassword(bhash, input) })
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
func (h *Hasher) Waiting() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.waiting
}

// Concurrency is the most password checks that run at once.
func (h *Hasher) Concurrency() int { return cap(h.slots) }

// Hold takes a slot as a check would (waiting, within the queue's bounds, as long as ctx allows)
// and keeps it until release is called: for work that must not overlap the checks, such as a
// test that needs the slots taken.
func (h *Hasher) Hold(ctx context.Context) (release func(), err error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(h.release) }, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // an ended context never runs a check, even when a slot is free
	}
	select {
	case h.slots <- struct{}{}:
		return nil // a free slot: this check never queued
	default:
	}
	client, _ := ctx.Value(clientKey{}).(string)
	if err := h.enqueue(client); err != nil {
		return err
	}
	defer h.dequeue(client)
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enqueue counts a check of client as waiting, unless a bound of the queue has run out.
func (h *Hasher) enqueue(client string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	perClient := client != "" && h.waitingBy[client] >= h.queuePerClient
	if perClient || h.waiting >= h.queue {
		// The checks ahead are served Concurrency at a time.
		ahead := time.Duration(h.waiting/cap(h.slots) + 1)
		return &QueueFullError{PerClient: perClient, RetryAfter: max(time.Second, ahead*time.Duration(h.lastCheck.Load()))}
	}
	h.waiting++
	if client != "" {
		h.waitingBy[client]++
	}
	return nil
}

func (h *Hasher) dequeue(client string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.waiting--
	if client != "" {
		if h.waitingBy[client]--; h.waitingBy[client] == 0 {
			delete(h.waitingBy, client) // the map holds only clients waiting now
		}
	}
}

// timed runs a bcrypt call f at the Hasher's nice value and remembers how long it took.
func (h *Hasher) timed(f func()) {
	start := time.Now()
	niced(h.nice, f)
	h.lastCheck.Store(int64(time.Since(start)))
}

func (h *Hasher) release() { <-h.slots }

// During runs fn in one of the Hasher's slots, queued as a check would be, for a check that runs
// elsewhere: sign-in and password changes verify in PostgreSQL (pgcrypto's crypt, migration 015),
// and the slots still bound how many run at once. fn runs on the caller's thread at its priority:
// the bcrypt work is the database backend's. During's error is the queue's (a *QueueFullError, or
// the context's); fn reports its own.
func (h *Hasher) During(ctx context.Context, fn func()) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	start := time.Now()
	fn()
	h.lastCheck.Store(int64(time.Since(start)))
	return nil
}

// Cost is the bcrypt cost the Hasher hashes at; a password stored at another is rehashed at this
// one when its owner signs in.
func (h *Hasher) Cost() int { return h.cost }

// Prehash is what bcrypt hashes for pw under the sha384-bcrypt scheme (64 base64 characters): the
// server sends it, never the password, to the database's check.
func Prehash(pw string) string { return string(prehash(pw)) }

func prehash(pw string) []byte {
	sum := sha512.Sum384([]byte(pw))
	out := make([]byte, base64.StdEncoding.EncodedLen(len(sum)))
	base64.StdEncoding.Encode(out, sum[:])
	return out
}
