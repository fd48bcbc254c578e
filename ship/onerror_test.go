package ship

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestOnErrorReentrant: OnError may call the shipper's own methods. A review
// found that OnError ran on the sender goroutine that found the loss, so that
// Close from OnError waited for that very goroutine to exit, Flush waited for
// batches only that goroutine would send (Concurrency 1), and Log or Write
// waited for room only that goroutine would free (OnFull Block): each
// deadlocked. The test waits a bounded time for OnError to return and
// reports a deadlock otherwise.
func TestOnErrorReentrant(t *testing.T) {
	cases := []struct {
		name string
		mux  bool
		// call runs in OnError; its error is checked by check.
		call  func(s *Shipper, m *Mux) error
		check func(t *testing.T, err error)
	}{
		{"Close", false, func(s *Shipper, _ *Mux) error { return s.Close(context.Background()) },
			func(t *testing.T, err error) {
				var ce *CloseError
				if !errors.As(err, &ce) || ce.Stats.Dropped.PermanentError != 1 || ce.Stats.Sent != 1 {
					t.Errorf("Close from OnError: %v, want a *CloseError with 1 permanent error and 1 sent", err)
				}
			}},
		{"Mux Close", true, func(_ *Shipper, m *Mux) error { return m.Close(context.Background()) },
			func(t *testing.T, err error) {
				var ce *CloseError
				if !errors.As(err, &ce) || ce.Stats.Dropped.PermanentError != 1 {
					t.Errorf("Mux.Close from OnError: %v, want a *CloseError with 1 permanent error", err)
				}
			}},
		{"Flush", false, func(s *Shipper, _ *Mux) error { return s.Flush(context.Background()) },
			func(t *testing.T, err error) {
				// The loss OnError reports was awaited by no Flush: this one reports it.
				var fe *FlushError
				if !errors.As(err, &fe) || fe.Events != 1 {
					t.Errorf("Flush from OnError: %v, want a *FlushError of the 1 event lost before", err)
				}
			}},
		{"Log into a full buffer", false, func(s *Shipper, _ *Mux) error {
			return errors.Join(s.Log(time.Now(), "x1"), s.Log(time.Now(), "x2"))
		}, func(t *testing.T, err error) {
			if err != nil {
				t.Errorf("Log from OnError: %v", err)
			}
		}},
		{"Write into a full buffer", false, func(s *Shipper, _ *Mux) error {
			_, err := s.Write([]byte("x1\nx2\n"))
			return err
		}, func(t *testing.T, err error) {
			if err != nil {
				t.Errorf("Write from OnError: %v", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			gate := make(chan struct{})
			// The first batch ("e0") waits for the gate, then fails for good.
			f.hook = func(ctx context.Context, _ int, in *cwlogs.PutLogEventsInput) error {
				if in.LogEvents[0].Message != "e0" {
					return nil
				}
				select {
				case <-gate:
				case <-ctx.Done():
					return ctx.Err()
				}
				return apiErr(cwlogs.CodeInvalidParameter, 400)
			}
			o := fastOpts()
			// One sender, one event per batch, room for two events: e0 in
			// flight and e1 queued fill the buffer.
			o.Concurrency, o.MaxBatchEvents, o.MaxBufferEvents = 1, 1, 2
			var (
				s    *Shipper
				m    *Mux
				once sync.Once
			)
			done := make(chan error, 1)
			o.OnError = func(error) {
				once.Do(func() { done <- tc.call(s, m) })
			}
			if tc.mux {
				var err error
				if m, err = NewMux(f, o); err != nil {
					t.Fatal(err)
				}
				if s, err = m.Stream("g", "s"); err != nil {
					t.Fatal(err)
				}
			} else {
				s = mustNew(t, f, o)
			}
			for i := range 2 {
				if err := s.Log(time.Now(), fmt.Sprint("e", i)); err != nil {
					t.Fatal(err)
				}
			}
			close(gate)
			select {
			case err := <-done:
				tc.check(t, err)
			case <-time.After(10 * time.Second):
				t.Fatalf("%s called from OnError did not return: deadlock", tc.name)
			}
			var err error
			if m != nil {
				err = m.Close(ctxT(t))
			} else {
				err = s.Close(ctxT(t))
			}
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Stats.Dropped.PermanentError != 1 || ce.Stats.Lost() != 1 {
				t.Errorf("Close: %v, want a *CloseError with 1 event lost (permanent error)", err)
			}
			st := s.Stats()
			checkInvariant(t, st)
			f.checkNoViolations(t)
		})
	}
}

// permanentFailure fails every PutLogEvents for good.
func permanentFailure(context.Context, int, *cwlogs.PutLogEventsInput) error {
	return apiErr(cwlogs.CodeInvalidParameter, 400)
}

// TestCloseOnErrorWaitBoundedByCtx: Close waits for the OnError calls only
// until its ctx ends; the reports left are dropped, their losses being in
// the CloseError. A review found Close waiting without bound for an OnError
// that did not return, and for a Close that OnError ran on another
// goroutine and waited for (a deadlock).
func TestCloseOnErrorWaitBoundedByCtx(t *testing.T) {
	for _, tc := range []struct {
		name         string
		onError      func(s **Shipper, block chan struct{}) func(error)
		closeWithin  time.Duration // the ctx of the Close under test
		wantDeadline bool
	}{
		{"OnError blocks", func(_ **Shipper, block chan struct{}) func(error) {
			return func(error) { <-block }
		}, 100 * time.Millisecond, true},
		{"OnError waits for a Close on another goroutine", func(s **Shipper, _ chan struct{}) func(error) {
			var once sync.Once
			return func(error) {
				once.Do(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
					defer cancel()
					done := make(chan struct{})
					go func() { (*s).Close(ctx); close(done) }()
					<-done
				})
			}
		}, 5 * time.Second, false}, // the first Close, OnError's, ends at 100 ms; this one returns its result
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.hook = permanentFailure
			block := make(chan struct{})
			t.Cleanup(func() { close(block) })
			o := fastOpts()
			o.MaxBatchEvents = 1
			var s *Shipper
			o.OnError = tc.onError(&s, block)
			s = mustNew(t, f, o)
			for i := range 3 {
				if err := s.Log(time.Now(), fmt.Sprint("e", i)); err != nil {
					t.Fatal(err)
				}
			}
			_ = s.Flush(context.Background()) // three reports: the first one in OnError
			ctx, cancel := context.WithTimeout(context.Background(), tc.closeWithin)
			defer cancel()
			err := returnsSoon(t, "Close", func() error { return s.Close(ctx) })
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Stats.Dropped.PermanentError != 3 || errors.Is(err, context.DeadlineExceeded) != tc.wantDeadline {
				t.Fatalf("Close: %v; want a *CloseError with 3 permanent errors (deadline: %v)", err, tc.wantDeadline)
			}
		})
	}
}

// TestCloseFromAnotherShippersOnError: a Close called from another shipper's
// OnError waits for this shipper's OnError calls, as any Close does; only a
// Close from this shipper's own OnError goroutine does not. A review found
// that any OnError on the caller's stack made Close skip the wait.
func TestCloseFromAnotherShippersOnError(t *testing.T) {
	fb := newFake(t)
	fb.hook = permanentFailure
	ob := fastOpts()
	ob.MaxBatchEvents = 1
	var calls, late atomic.Int32
	var closed atomic.Bool
	ob.OnError = func(error) {
		time.Sleep(20 * time.Millisecond)
		calls.Add(1)
		if closed.Load() {
			late.Add(1)
		}
	}
	b := mustNew(t, fb, ob)
	for i := range 5 {
		if err := b.Log(time.Now(), fmt.Sprint("b", i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = b.Flush(context.Background()) // five reports queued; OnError takes 100 ms
	fa := newFake(t)
	fa.hook = permanentFailure
	oa := fastOpts()
	done := make(chan error, 1)
	var once sync.Once
	oa.OnError = func(error) {
		once.Do(func() {
			err := b.Close(context.Background())
			closed.Store(true)
			done <- err
		})
	}
	a := mustNew(t, fa, oa)
	if err := a.Log(time.Now(), "a"); err != nil {
		t.Fatal(err)
	}
	_ = a.Flush(context.Background())
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("b.Close from a's OnError did not return")
	}
	if calls.Load() != 5 || late.Load() != 0 {
		t.Errorf("b's OnError: %d calls before b.Close returned, %d after; want 5 and 0", calls.Load()-late.Load(), late.Load())
	}
	_ = a.Close(ctxT(t))
}
