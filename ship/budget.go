package ship

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// budget bounds the events held by one Shipper or by all streams of a Mux,
// and carries the throttling pause shared by their senders.
type budget struct {
	maxBytes, maxEvents int64

	mu     sync.Mutex
	bytes  int64
	events int64
	wake   chan struct{} // non-nil while someone waits; closed on release

	pauseUntil atomic.Int64 // monoNow nanoseconds; senders wait until then
	// createPauseUntil (monoNow nanoseconds) holds back CreateLogStream and
	// CreateLogGroup calls after one was throttled.
	createPauseUntil atomic.Int64

	// building counts the events in batches being built (not yet sealed),
	// of every stream sharing the budget.
	building atomic.Int64
	// sealOthers, set by a Mux, seals the batches being built of every
	// stream but one, when the buffer is full; nil for a lone Shipper.
	sealOthers func(except *Shipper)
}

func newBudget(maxBytes, maxEvents int64) *budget {
	return &budget{maxBytes: maxBytes, maxEvents: maxEvents}
}

// reserve takes room for one event of size n. When there is no room it
// returns false and, if wait is set, a channel closed at the next release.
// An empty budget always accepts one event, so an event larger than the
// bound cannot block forever.
func (b *budget) reserve(n int64, wait bool) (bool, <-chan struct{}) {
	b.mu.Lock()
	if b.events == 0 || (b.bytes+n <= b.maxBytes && b.events < b.maxEvents) {
		b.bytes += n
		b.events++
		b.mu.Unlock()
		return true, nil
	}
	var ch chan struct{}
	if wait {
		if b.wake == nil {
			b.wake = make(chan struct{})
		}
		ch = b.wake
	}
	b.mu.Unlock()
	return false, ch
}

// waiter returns a channel closed at the next release (or broadcast).
func (b *budget) waiter() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.wake == nil {
		b.wake = make(chan struct{})
	}
	return b.wake
}

// release returns room and wakes waiters.
func (b *budget) release(bytes, events int64) {
	if events == 0 && bytes == 0 {
		return
	}
	b.mu.Lock()
	b.bytes -= bytes
	b.events -= events
	if b.wake != nil {
		close(b.wake)
		b.wake = nil
	}
	b.mu.Unlock()
}

// broadcast wakes every waiter (used by Close).
func (b *budget) broadcast() {
	b.mu.Lock()
	if b.wake != nil {
		close(b.wake)
		b.wake = nil
	}
	b.mu.Unlock()
}

// pause makes every sender wait d before its next attempt.
func (b *budget) pause(d time.Duration) { extendPause(&b.pauseUntil, d) }

// waitPause waits for the throttling pause to end.
func (b *budget) waitPause(ctx context.Context) error { return waitPause(ctx, &b.pauseUntil) }

// pauseCreate makes every sender wait d before its next creation call.
// PutLogEvents attempts are not held back: the creation calls have quotas of
// their own.
func (b *budget) pauseCreate(d time.Duration) { extendPause(&b.createPauseUntil, d) }

// waitCreatePause waits for the creation pause to end.
func (b *budget) waitCreatePause(ctx context.Context) error {
	return waitPause(ctx, &b.createPauseUntil)
}

// createPauseLeft returns how long the creation pause lasts still.
func (b *budget) createPauseLeft() time.Duration {
	return time.Duration(b.createPauseUntil.Load() - monoNow())
}

// monoBase anchors monoNow.
var monoBase = time.Now()

// monoNow reads the monotonic clock (nanoseconds since monoBase): a pause must
// not grow or shrink when the wall clock is stepped (NTP on a device that
// booted with a wrong clock).
func monoNow() int64 { return int64(time.Since(monoBase)) }

// extendPause makes the pause *until end d from now at the earliest.
func extendPause(until *atomic.Int64, d time.Duration) {
	end := monoNow() + int64(d)
	for {
		cur := until.Load()
		if cur >= end || until.CompareAndSwap(cur, end) {
			return
		}
	}
}

// waitPause waits for the pause *until to end.
func waitPause(ctx context.Context, until *atomic.Int64) error {
	for {
		d := time.Duration(until.Load() - monoNow())
		if d <= 0 {
			return ctx.Err()
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
