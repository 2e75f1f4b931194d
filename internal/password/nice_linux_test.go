package password

import "testing"

// bcrypt's work runs on a thread of its own with a nice value raised by the Hasher's, and the
// caller's thread keeps its priority.
func TestNicedRunsOnALowerPriorityThreadAndLeavesTheCallerAlone(t *testing.T) {
	base, err := threadNice()
	if err != nil {
		t.Fatal(err)
	}
	want := min(base+5, 19) // the kernel's ceiling, for a process that already runs niced
	var inside int
	niced(5, func() { inside, err = threadNice() })
	if err != nil {
		t.Fatal(err)
	}
	if inside != want {
		t.Fatalf("nice inside: got %d, want %d (the caller's %d raised by 5)", inside, want, base)
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
