package localserver

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// byteBudget bounds the request body bytes held at once (Config.MaxInFlightBytes): a
// weighted semaphore whose waiters are served in arrival order, so that a large request
// is not starved by a stream of small ones.
type byteBudget struct {
	size int64
	// maxWait bounds how long acquire waits for bytes (errBudgetWait after it); 0: no
	// bound. net/http does not cancel the context of a request whose body is unread when
	// its client goes away: without a bound such a waiter would stay in line until the
	// line reached it.
	maxWait time.Duration

	mu      sync.Mutex
	used    int64
	waiters []*budgetWaiter // oldest first
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed once the bytes are granted
}

func newByteBudget(size int64) *byteBudget { return &byteBudget{size: size} }

// clamp returns the number of bytes a request of n bytes takes: at most the whole budget,
// so that it can always be granted once the others are done.
func (b *byteBudget) clamp(n int64) int64 {
	return max(0, min(n, b.size))
}

// errBudgetWait is acquire's error when it has waited maxWait.
var errBudgetWait = errors.New("waited too long for in-flight body bytes")

// acquire takes n bytes (see clamp), waiting in line while they are not free. It returns
// ctx's error, or errBudgetWait after maxWait, having taken nothing, if ctx is done or
// maxWait has passed first.
func (b *byteBudget) acquire(ctx context.Context, n int64) error {
	_, err := b.acquireWait(ctx, n)
	return err
}

// acquireWait is acquire, and also reports whether the request had to wait.
func (b *byteBudget) acquireWait(ctx context.Context, n int64) (waited bool, err error) {
	n = b.clamp(n)
	b.mu.Lock()
	if len(b.waiters) == 0 && b.used+n <= b.size {
		b.used += n
		b.mu.Unlock()
		return false, nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	var timeout <-chan time.Time
	if b.maxWait > 0 {
		t := time.NewTimer(b.maxWait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-w.ready:
		return true, nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timeout:
		err = errBudgetWait
	}
	b.mu.Lock()
	select {
	case <-w.ready:
		// Granted while ctx was being noticed: give the bytes back.
		b.used -= n
	default:
		b.waiters = slices.DeleteFunc(b.waiters, func(x *budgetWaiter) bool { return x == w })
	}
	// Either way the line may move: this waiter may have been the one blocking it.
	b.grantLocked()
	b.mu.Unlock()
	return true, err
}

// release gives back n bytes taken by acquire (the same n).
func (b *byteBudget) release(n int64) {
	n = b.clamp(n)
	b.mu.Lock()
	b.used -= n
	b.grantLocked()
	b.mu.Unlock()
}

// grantLocked grants the waiters at the front of the line while their bytes are free.
func (b *byteBudget) grantLocked() {
	for len(b.waiters) > 0 {
		w := b.waiters[0]
		if b.used+w.n > b.size {
			return
		}
		b.used += w.n
		b.waiters[0] = nil
		b.waiters = b.waiters[1:]
		close(w.ready)
	}
}

// inUse reports the bytes granted and not yet released.
func (b *byteBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// waiting reports the number of requests waiting for bytes.
func (b *byteBudget) waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.waiters)
}
