package password

import (
	"runtime"
	"syscall"
)

// niced runs fn on an OS thread of its own whose scheduling priority is lowered by nice (Linux
// gives each thread its own nice value), and waits for it. When every core is busy the kernel then
// favours the threads that serve other requests, and PostgreSQL, over bcrypt; on an idle machine
// bcrypt runs at full speed. The goroutine ends still locked to its thread, so Go discards the
// thread rather than handing the lowered priority to other goroutines.
func niced(nice int, fn func()) {
	if nice <= 0 {
		fn()
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		// Raised from the thread's own value (the process may already run niced), at most to
		// 19. An error (a seccomp policy, say) leaves the priority as it was: bcrypt then runs as
		// before, which is safe.
		if current, err := threadNice(); err == nil {
			_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), min(19, current+nice))
		}
		fn()
	}()
	<-done
}

// threadNice is the calling thread's nice value.
func threadNice() (int, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// The raw syscall returns 20 - nice, so that it is never negative.
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	return 20 - prio, err
}
