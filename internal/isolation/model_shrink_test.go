package isolation_test

import (
	"slices"
	"testing"
	"time"
)

// The search for a shorter failing sequence is bounded: each try is a fresh database and server.
const (
	modelShrinkTries = 150
	modelShrinkTime  = 60 * time.Second
)

// modelShrunk is the shortest failing sequence a search found.
type modelShrunk struct {
	Ops       []modelOp
	Violation *modelViolation
	Tries     int
	Elapsed   time.Duration
}

// modelShrink looks for a shorter sequence than ops that fails as v did (a violation of the same
// kind): first keeping only the steps among the students the failing step involves, then by delta
// debugging, removing chunks of steps and halving their size when no chunk can go. It replays each
// candidate on a fresh database and server (wrapped by wrap); one that fails is cut after its
// failing step, so everything after a failure goes at once. It stops when no single step can be
// removed, or when its budget runs out.
func modelShrink(t testing.TB, ops []modelOp, v *modelViolation, wrap modelWrap) modelShrunk {
	t.Helper()
	start := time.Now()
	best := modelShrunk{Ops: ops[:v.Step+1], Violation: v}
	within := func() bool { return best.Tries < modelShrinkTries && time.Since(start) < modelShrinkTime }
	fails := func(candidate []modelOp) bool {
		best.Tries++
		out := modelExecute(t, candidate, wrap)
		if out.Violation == nil || out.Violation.Kind != v.Kind {
			return false
		}
		best.Ops, best.Violation = candidate[:out.Violation.Step+1], out.Violation
		return true
	}
	// First, cheaply: only the steps among the students the failing step involves.
	involved := func(op modelOp) bool {
		return (op.Actor == v.Op.Actor || op.Actor == v.Op.Target) && (op.Target == v.Op.Actor || op.Target == v.Op.Target)
	}
	if among := slices.DeleteFunc(slices.Clone(best.Ops), func(op modelOp) bool { return !involved(op) }); len(among) < len(best.Ops) {
		fails(among)
	}
	chunks := 2
	for len(best.Ops) > 1 && within() {
		current := best.Ops
		size := (len(current) + chunks - 1) / chunks
		removed := false
		for lo := 0; lo < len(current) && within(); lo += size {
			candidate := slices.Concat(current[:lo], current[min(lo+size, len(current)):])
			if len(candidate) > 0 && fails(candidate) {
				removed = true
				break
			}
		}
		switch {
		case removed:
			chunks = max(chunks-1, 2)
		case size == 1:
			best.Elapsed = time.Since(start)
			return best
		default:
			chunks = min(2*chunks, len(current))
		}
	}
	best.Elapsed = time.Since(start)
	return best
}
