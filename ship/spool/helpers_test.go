package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memDst is a Destination that keeps what it takes. Events are "taken" by
// LogContext and "stored" by a Flush that succeeds; failFlush and
// refuseLog inject failures.
type memDst struct {
	mu      sync.Mutex
	pending []string
	stored  []string
	times   []time.Time
	flushes int
	// failFlush, when set, decides whether the n-th Flush (from 1) fails.
	failFlush func(n int) error
	// refuse, when set, returns the error of LogContext for msg.
	refuse func(msg string) error
	// block, when set, is waited on by LogContext.
	block chan struct{}
	// storeOnFail, when set, says how many of the pending events a failed
	// Flush stored (as the shipper stores some batches of a failed Flush).
	storeOnFail func(pending int) int
	// gate, when set, makes Flush tell entered and wait for its result.
	gate    chan error
	entered chan struct{}
}

func (d *memDst) LogContext(ctx context.Context, t time.Time, msg string) error {
	if d.block != nil {
		select {
		case <-d.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.refuse != nil {
		if err := d.refuse(msg); err != nil {
			return err
		}
	}
	d.pending = append(d.pending, msg)
	d.times = append(d.times, t)
	return nil
}

func (d *memDst) Flush(ctx context.Context) error {
	if d.gate != nil {
		d.entered <- struct{}{}
		if err := <-d.gate; err != nil {
			d.mu.Lock()
			d.pending = d.pending[:0]
			d.mu.Unlock()
			return err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flushes++
	if d.failFlush != nil {
		if err := d.failFlush(d.flushes); err != nil {
			if d.storeOnFail != nil {
				d.stored = append(d.stored, d.pending[:d.storeOnFail(len(d.pending))]...)
			}
			d.pending = d.pending[:0] // lost, as a shipper's batches are after their retries
			return err
		}
	}
	d.stored = append(d.stored, d.pending...)
	d.pending = d.pending[:0]
	return nil
}

func (d *memDst) got() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.stored...)
}

var errFlush = errors.New("flush failed")

// fastOpts are options for tests: no waiting.
func fastOpts() *Options {
	return &Options{FlushInterval: 5 * time.Millisecond, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, SyncInterval: 5 * time.Millisecond}
}

func mustOpen(t testing.TB, dir string, dst Destination, o *Options) *Spool {
	t.Helper()
	s, err := Open(dir, dst, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func msgs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return out
}

func logAll(t testing.TB, s *Spool, ms []string) {
	t.Helper()
	for _, m := range ms {
		if err := s.Log(time.UnixMilli(1700000000000), m); err != nil {
			t.Fatalf("Log(%q): %v", m, err)
		}
	}
}

func closeOK(t testing.TB, s *Spool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }

// failFirst fails the first k flushes with errFlush.
func failFirst(k int) func(n int) error {
	return func(n int) error {
		if n <= k {
			return errFlush
		}
		return nil
	}
}

// leaveOnDisk logs ms to a Spool in dir whose destination confirms the
// delivery of the first delivered records only, and closes it with a short
// ctx: the others stay on disk, after the checkpoint, for the next Open.
func leaveOnDisk(t testing.TB, dir string, o *Options, ms []string, delivered int) {
	t.Helper()
	var fail atomic.Bool
	s := mustOpen(t, dir, &memDst{failFlush: func(int) error {
		if fail.Load() {
			return errFlush
		}
		return nil
	}}, o)
	if delivered > 0 {
		logAll(t, s, ms[:delivered])
		if err := s.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	fail.Store(true)
	logAll(t, s, ms[delivered:])
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var ce *CloseError
	if err := s.Close(ctx); !errors.As(err, &ce) || ce.Pending != int64(len(ms)-delivered) {
		t.Fatalf("Close = %v, want %d records left on disk", err, len(ms)-delivered)
	}
}

// appendZeros appends n zero bytes to the file at path: a record cut
// short, as a power loss may leave it.
func appendZeros(t testing.TB, path string, n int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
}
