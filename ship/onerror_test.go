package ship

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
				if err != nil {
					t.Errorf("Flush from OnError: %v", err)
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
