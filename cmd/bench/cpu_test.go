package main

import (
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// A phase's CPU is the difference of two readings of the process tree; a reading taken while
// children exit (a pool closing its backends at the end of a phase) must not lose them, or the
// next phase's figure comes out low, even negative.
func TestTreeCPUNeverGoesBackWhileChildrenExit(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh here")
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				// A child that burns a little CPU and exits, reaped by this process.
				cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done")
				if err := cmd.Run(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	prev := treeCPU(os.Getpid())
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		c := treeCPU(os.Getpid())
		if c < prev {
			t.Errorf("the tree's CPU went back from %v to %v", prev, c)
			break
		}
		prev = c
	}
	close(done)
	wg.Wait()
}
