package spool

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestCloseCutsPause: Close interrupts the pause after a failed delivery
// once, so that the pump tries again before Close's ctx ends instead of
// waiting out a backoff longer than it; a delivery that fails again then
// waits for its pause (no retry in a loop) until ctx ends.
func TestCloseCutsPause(t *testing.T) {
	for _, tc := range []struct {
		name    string
		failing int // flushes that fail
		want    int // records delivered by Close
	}{
		{"destination back", 1, 5},
		{"destination still down", 1000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &memDst{failFlush: failFirst(tc.failing)}
			o := fastOpts()
			o.InitialBackoff, o.MaxBackoff = time.Hour, time.Hour
			// The first Flush is the test's, once every record is logged:
			// the pump reads them again after the pause as one window.
			o.FlushInterval = time.Hour
			s := mustOpen(t, t.TempDir(), d, o)
			want := msgs("r", 5)
			logAll(t, s, want)
			fctx, fcancel := context.WithCancel(context.Background())
			go s.Flush(fctx)
			for s.Stats().Failures == 0 { // the pump is in its pause
				time.Sleep(time.Millisecond)
			}
			fcancel()
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			s.Close(ctx)
			if got := d.got(); !slices.Equal(got, want[:tc.want]) {
				t.Fatalf("delivered %q, want %q", got, want[:tc.want])
			}
			d.mu.Lock()
			flushes := d.flushes
			d.mu.Unlock()
			if flushes != 2 {
				t.Fatalf("%d flushes, want 2 (one before Close, one when Close cut the pause)", flushes)
			}
		})
	}
}
