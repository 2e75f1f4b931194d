//go:build !linux

package password

// niced runs fn: only Linux gives threads their own priority.
func niced(_ int, fn func()) { fn() }

func threadNice() (int, error) { return 0, nil }
