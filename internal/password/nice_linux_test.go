package password

import "testing"

// bcrypt's work runs on a thread of its own with a nice value raised by the Hasher's, and the
// caller's thread keeps its priority.
func TestNicedRunsOnALowerPriorityThreadAndLeavesTheCallerAlone(t *testing.T) {
	base, err := threadNice()
	if err != nil {
		t.Fatal(err)
	}
	if base+5 > 19 {
		t.Skipf("this process already runs at nice %d", base)
	}
	var inside int
	niced(5, func() { inside, err = threadNice() })
	if err != nil {
		t.Fatal(err)
	}
	if inside != base+5 {
		t.Fatalf("nice inside: got %d, want %d", inside, base+5)
	}
	after, err := threadNice()
	if err != nil {
		t.Fatal(err)
	}
	if after != base {
		t.Fatalf("nice of the caller after: got %d, want %d", after, base)
	}
	h, err := NewHasherNice(4, 1, 5)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := h.Hash(t.Context(), "a good password")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := h.Verify(t.Context(), stored, "a good password"); !ok || err != nil {
		t.Fatalf("verify on niced threads: got %v, %v", ok, err)
	}
	if _, err := NewHasherNice(4, 1, 20); err == nil {
		t.Fatal("nice 20: got no error")
	}
}
