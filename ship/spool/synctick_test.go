package spool

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestCloseWaitsForSyncTick: a SyncPeriodic sync that fails just as Close
// starts is reported to OnError before Close returns. (Close waited for
// the reports without waiting for the timer's sync: the report came after
// Close returned, from a reporter whose WaitGroup Add raced with Close's
// Wait.) The timer's failed sync is held, by syncAllHook, between its
// failure and its report until Close has had time to return.
func TestCloseWaitsForSyncTick(t *testing.T) {
	held, release := make(chan struct{}), make(chan struct{})
	var holding atomic.Bool
	hook := func(err error) {
		if err != nil && holding.CompareAndSwap(false, true) {
			close(held)
			<-release
		}
	}

	var closeReturned atomic.Bool
	type call struct {
		err         error
		afterClosed bool
	}
	var mu sync.Mutex
	var calls []call
	o := fastOpts()
	o.SyncInterval = time.Millisecond
	o.OnError = func(err error) {
		mu.Lock()
		calls = append(calls, call{err, closeReturned.Load()})
		mu.Unlock()
	}
	s := mustOpen(t, t.TempDir(), &memDst{}, o)
	logAll(t, s, []string{"a"})
	s.mu.Lock()
	s.f = failingSync{s.f}
	s.syncAllHook = hook
	s.mu.Unlock()
	logAll(t, s, []string{"b"}) // arms the timer: its sync fails
	<-held

	done := make(chan error, 1)
	go func() {
		err := s.Close(context.Background())
		closeReturned.Store(true)
		done <- err
	}()
	select {
	case <-done: // Close did not wait for the timer's sync
		done <- nil
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-done

	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		var got *call
		for i := range calls {
			if errors.Is(calls[i].err, syscall.EIO) {
				got = &calls[i]
				break
			}
		}
		mu.Unlock()
		if got != nil {
			if got.afterClosed {
				t.Fatalf("OnError(%v) called after Close returned", got.err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the failed sync was never reported to OnError")
		}
	}
}

// blockingSync is a segment file whose Sync fails (EIO), the first call
// only once released (entered tells it started).
type blockingSync struct {
	segFile
	once             *sync.Once
	entered, release chan struct{}
}

func (b blockingSync) Sync() error {
	b.once.Do(func() {
		close(b.entered)
		<-b.release
	})
	return syscall.EIO
}

// TestSyncTickFailureReportedOnce: a SyncPeriodic sync that fails while
// Close waits for it is reported to OnError once. (Close's own sync shared
// the timer's failed one and reported its error again: each compared it
// with the failure known when it started.)
func TestSyncTickFailureReportedOnce(t *testing.T) {
	var mu sync.Mutex
	var eio int
	o := fastOpts()
	o.SyncInterval = time.Millisecond
	o.OnError = func(err error) {
		if errors.Is(err, syscall.EIO) {
			mu.Lock()
			eio++
			mu.Unlock()
		}
	}
	s := mustOpen(t, t.TempDir(), &memDst{}, o)
	logAll(t, s, []string{"a"})
	for synced := false; !synced; time.Sleep(time.Millisecond) { // by the timer
		s.mu.Lock()
		synced = s.synced == s.written
		s.mu.Unlock()
	}
	entered, release := make(chan struct{}), make(chan struct{})
	s.mu.Lock()
	s.f = blockingSync{segFile: s.f, once: new(sync.Once), entered: entered, release: release}
	s.mu.Unlock()
	logAll(t, s, []string{"b"}) // arms the timer: its sync blocks, then fails
	<-entered

	done := make(chan error, 1)
	go func() { done <- s.Close(context.Background()) }()
	<-s.pumpDone                      // Close syncs right after the pump stops…
	time.Sleep(50 * time.Millisecond) // …and waits for the timer's sync
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Close = %v, want nil (both records delivered)", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if eio != 1 {
		t.Fatalf("the failed sync was reported %d times, want once", eio)
	}
}
