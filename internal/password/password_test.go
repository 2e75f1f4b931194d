package password_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"examiner/internal/password"
)

// cost is the cheapest bcrypt cost, so that the tests stay fast.
const cost = bcrypt.MinCost

func mustNewHasher(tb testing.TB, cost, concurrency int) *password.Hasher {
	tb.Helper()
	h, err := password.NewHasher(cost, concurrency)
	if err != nil {
		tb.Fatalf("NewHasher(%d, %d): got error %v, want nil", cost, concurrency, err)
	}
	return h
}

func mustHash(tb testing.TB, h *password.Hasher, pw string) string {
	tb.Helper()
	stored, err := h.Hash(context.Background(), pw)
	if err != nil {
		tb.Fatalf("Hash: got error %v, want nil", err)
	}
	return stored
}

func mustVerify(tb testing.TB, h *password.Hasher, stored, pw string) (ok, rehash bool) {
	tb.Helper()
	ok, rehash, err := h.Verify(context.Background(), stored, pw)
	if err != nil {
		tb.Fatalf("Verify: got error %v, want nil", err)
	}
	return ok, rehash
}

func mustBcrypt(tb testing.TB, pw string, cost int) string {
	tb.Helper()
	b, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		tb.Fatalf("bcrypt.GenerateFromPassword: got error %v, want nil", err)
	}
	return string(b)
}

// waitFor polls f until it returns want, for counts that change once another goroutine gets going.
func waitFor(t *testing.T, what string, f func() int, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: got %d for 5s, want %d", what, f(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	h := mustNewHasher(t, cost, 4)
	const pw = "correct horse battery staple"
	long := strings.Repeat("x", 72)
	spaced := "  secret pass  "

	tests := []struct {
		name       string
		stored     string
		pw         string
		wantOK     bool
		wantRehash bool
	}{
		{"accepts the right password without rehash", mustHash(t, h, pw), pw, true, false},
		{"rejects a wrong password", mustHash(t, h, pw), "correct horse battery stapler", false, false},
		{"rejects the empty password", mustHash(t, h, pw), "", false, false},
		// The pre-hash is why: bcrypt alone reads only the first 72 bytes.
		{"rejects a password sharing only the first 72 of 100 bytes", mustHash(t, h, long+strings.Repeat("a", 28)), long + strings.Repeat("b", 28), false, false},
		{"accepts a 100 byte password", mustHash(t, h, long+strings.Repeat("a", 28)), long + strings.Repeat("a", 28), true, false},
		{"checks leading and trailing spaces exactly", mustHash(t, h, spaced), "secret pass", false, false},
		{"accepts leading and trailing spaces as given", mustHash(t, h, spaced), spaced, true, false},
		{"accepts a legacy bcrypt hash and asks for a rehash", mustBcrypt(t, pw, cost), pw, true, true},
		{"rejects a wrong password against a legacy hash", mustBcrypt(t, pw, cost), "correct horse battery stapler", false, false},
		// bcrypt itself would accept long+"extra" against a hash of long.
		{"rejects a password over 72 bytes against a legacy hash", mustBcrypt(t, long, cost), long + "extra", false, false},
		{"accepts a hash of another cost and asks for a rehash", mustHash(t, mustNewHasher(t, cost+1, 1), pw), pw, true, true},
		{"rejects a scheme prefix followed by garbage", "sha384-bcrypt$not a bcrypt hash", pw, false, false},
		{"rejects an empty stored hash", "", pw, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash := mustVerify(t, h, tt.stored, tt.pw)
			if ok != tt.wantOK || rehash != tt.wantRehash {
				t.Errorf("Verify: got ok=%v rehash=%v, want ok=%v rehash=%v", ok, rehash, tt.wantOK, tt.wantRehash)
			}
		})
	}
}

func TestHashIsSaltedAndBothHashesVerify(t *testing.T) {
	t.Parallel()
	h := mustNewHasher(t, cost, 2)
	const pw = "correct horse battery staple"
	a, b := mustHash(t, h, pw), mustHash(t, h, pw)
	if a == b {
		t.Fatalf("Hash twice: got %q both times, want two different hashes", a)
	}
	for _, stored := range []string{a, b} {
		if ok, _ := mustVerify(t, h, stored, pw); !ok {
			t.Errorf("Verify(%q): got ok=false, want true", stored)
		}
	}
}

func TestHashRecordsSchemeAndHidesPassword(t *testing.T) {
	t.Parallel()
	h := mustNewHasher(t, cost, 1)
	const pw = "correct horse battery staple"
	stored := mustHash(t, h, pw)
	if !strings.HasPrefix(stored, "sha384-bcrypt$") {
		t.Errorf("Hash: got %q, want prefix %q", stored, "sha384-bcrypt$")
	}
	for _, part := range append(strings.Fields(pw), pw) {
		if strings.Contains(stored, part) {
			t.Errorf("Hash: got %q, want no trace of %q", stored, part)
		}
	}
	bhash := strings.TrimPrefix(stored, "sha384-bcrypt$")
	if got, err := bcrypt.Cost([]byte(bhash)); err != nil || got != cost {
		t.Errorf("bcrypt.Cost: got %d, %v, want %d, nil", got, err, cost)
	}
}

func TestNewHasherRejectsBadConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cost        int
		concurrency int
	}{
		{"cost below bcrypt's minimum", bcrypt.MinCost - 1, 1},
		{"cost above bcrypt's maximum", bcrypt.MaxCost + 1, 1},
		{"zero concurrency", cost, 0},
		{"negative concurrency", cost, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := password.NewHasher(tt.cost, tt.concurrency)
			if err == nil {
				t.Fatalf("NewHasher(%d, %d): got %v and nil error, want an error", tt.cost, tt.concurrency, h)
			}
		})
	}
}

func TestDefaultConcurrencyIsAtLeastOne(t *testing.T) {
	t.Parallel()
	if got := password.DefaultConcurrency(); got < 1 {
		t.Errorf("DefaultConcurrency: got %d, want at least 1", got)
	}
}

func TestAnEndedContextNeverRunsACheckEvenWithFreeSlots(t *testing.T) {
	t.Parallel()
	h := mustNewHasher(t, cost, 4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 50 {
		if _, err := h.Hash(ctx, "correct horse battery staple"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Hash: got error %v, want %v", err, context.Canceled)
		}
	}
}

func TestHasherGivesUpWhenContextEndsWhileWaitingForASlot(t *testing.T) {
	t.Parallel()
	// Cost 12 takes a few hundred milliseconds: long enough to hold the only slot while the
	// calls below find it taken.
	h := mustNewHasher(t, 12, 1)
	done := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "correct horse battery staple")
		done <- err
	}()
	waitFor(t, "InUse", h.InUse, 1)

	// With the only slot taken, these calls must wait, and give up when their context ends.
	// Were the bound broken, they would run their own cost-12 check and succeed instead.
	wait := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	if _, err := h.Hash(wait(), "another password"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash: got error %v, want %v", err, context.DeadlineExceeded)
	}
	if _, _, err := h.Verify(wait(), "sha384-bcrypt$whatever", "another password"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Verify: got error %v, want %v", err, context.DeadlineExceeded)
	}
	if err := h.Waste(wait(), "another password"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Waste: got error %v, want %v", err, context.DeadlineExceeded)
	}

	if err := <-done; err != nil {
		t.Errorf("Hash holding the slot: got error %v, want nil", err)
	}
}

func TestWaitingCountsChecksQueuedForASlot(t *testing.T) {
	t.Parallel()
	h := mustNewHasher(t, 12, 1) // cost 12: the slot stays taken long enough to queue behind it
	if got := h.Concurrency(); got != 1 {
		t.Errorf("Concurrency: got %d, want 1", got)
	}
	if got := h.Waiting(); got != 0 {
		t.Errorf("Waiting before any call: got %d, want 0", got)
	}
	done := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "correct horse battery staple")
		done <- err
	}()
	waitFor(t, "InUse", h.InUse, 1)

	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan error, 2)
	for range 2 {
		go func() {
			_, _, err := h.Verify(ctx, "sha384-bcrypt$whatever", "another password")
			queued <- err
		}()
	}
	waitFor(t, "Waiting with two calls queued", h.Waiting, 2)
	cancel()
	for range 2 {
		if err := <-queued; !errors.Is(err, context.Canceled) {
			t.Errorf("queued Verify: got error %v, want %v", err, context.Canceled)
		}
	}
	if got := h.Waiting(); got != 0 {
		t.Errorf("Waiting after the queued calls gave up: got %d, want 0", got)
	}
	if err := <-done; err != nil {
		t.Errorf("Hash holding the slot: got error %v, want nil", err)
	}
	if got := h.InUse(); got != 0 {
		t.Errorf("InUse after every call returned: got %d, want 0", got)
	}
}

// queued starts n checks for client that wait for a slot until ctx ends, and waits until the
// Hasher counts them as waiting. Their results arrive on the returned channel.
func queued(t *testing.T, ctx context.Context, h *password.Hasher, client string, n int) <-chan error {
	t.Helper()
	before := h.Waiting()
	done := make(chan error, n)
	for range n {
		go func() {
			_, _, err := h.Verify(password.WithClient(ctx, client), "sha384-bcrypt$whatever", "a password")
			done <- err
		}()
	}
	waitFor(t, "Waiting", h.Waiting, before+n)
	return done
}

// wantQueueFull checks that a check for client fails at once with a *QueueFullError.
func wantQueueFull(t *testing.T, h *password.Hasher, client string, perClient bool) {
	t.Helper()
	_, _, err := h.Verify(password.WithClient(context.Background(), client), "sha384-bcrypt$whatever", "a password")
	var full *password.QueueFullError
	if !errors.As(err, &full) {
		t.Fatalf("Verify for %q with the queue full: got error %v, want a *QueueFullError", client, err)
	}
	if full.PerClient != perClient || full.RetryAfter < time.Second {
		t.Errorf("QueueFullError: got PerClient %v, RetryAfter %v, want PerClient %v and at least 1s", full.PerClient, full.RetryAfter, perClient)
	}
}

func mustNew(t *testing.T, o password.Options) *password.Hasher {
	t.Helper()
	h, err := password.New(o)
	if err != nil {
		t.Fatalf("New(%+v): got error %v, want nil", o, err)
	}
	return h
}

func TestChecksPastTheQueueBoundFailAtOnceAndTheQueueServesTheRest(t *testing.T) {
	t.Parallel()
	h := mustNew(t, password.Options{Cost: cost, Concurrency: 1, Queue: 3, QueuePerClient: 3})
	release, err := h.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := queued(t, ctx, h, "", 3)
	wantQueueFull(t, h, "", false)
	wantQueueFull(t, h, "another client", false)
	if got := h.Waiting(); got != 3 {
		t.Errorf("Waiting after the refusals: got %d, want 3 (a refused check never queues)", got)
	}
	release()
	for range 3 {
		if err := <-done; err != nil {
			t.Errorf("a queued check: got error %v, want nil once the slot was free", err)
		}
	}
	if _, _, err := h.Verify(context.Background(), "sha384-bcrypt$whatever", "a password"); err != nil {
		t.Errorf("a check with the queue empty again: got error %v, want nil", err)
	}
}

func TestOneClientCannotFillTheQueue(t *testing.T) {
	t.Parallel()
	h := mustNew(t, password.Options{Cost: cost, Concurrency: 1, Queue: 10, QueuePerClient: 2})
	release, err := h.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	queued(t, ctx, h, "203.0.113.7", 2)
	wantQueueFull(t, h, "203.0.113.7", true)
	// Other clients, and checks that name none, still queue.
	queued(t, ctx, h, "198.51.100.1", 2)
	queued(t, ctx, h, "", 3)
}

func TestTheDefaultQueueIs128ChecksPerSlotAndHalfOfThemPerClient(t *testing.T) {
	t.Parallel()
	h := mustNew(t, password.Options{Cost: cost, Concurrency: 1})
	release, err := h.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	queued(t, ctx, h, "a", 64)
	wantQueueFull(t, h, "a", true)
	queued(t, ctx, h, "b", 64)
	wantQueueFull(t, h, "", false)
}

func TestNewRejectsANegativeQueue(t *testing.T) {
	t.Parallel()
	for _, o := range []password.Options{{Cost: cost, Concurrency: 1, Queue: -1}, {Cost: cost, Concurrency: 1, QueuePerClient: -1}} {
		if _, err := password.New(o); err == nil {
			t.Errorf("New(%+v): got no error, want one", o)
		}
	}
}
