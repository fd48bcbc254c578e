package ship

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestFlushReportsEarlierLosses checks that Flush reports the events lost since the
// previous Flush returned, not only those of the batches it waited for: a batch sent by
// the flush interval (or awaited by a Flush that ctx cut short) that fails for good
// before the next Flush is called must make that Flush fail, or a checkpoint taken after
// it (ship/follow, ship/spool) would pass events that never arrived. A review found that
// Flush returned nil then.
func TestFlushReportsEarlierLosses(t *testing.T) {
	for _, tc := range []struct {
		name string
		// lose makes one event be lost before the Flush under test is called.
		lose func(t *testing.T, s *Shipper, f *fakeAPI)
	}{
		{"sent by the flush interval", func(t *testing.T, s *Shipper, f *fakeAPI) {
			if err := s.Log(time.Now(), "lost"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the batch to be dropped", func() bool { return s.Stats().Dropped.Total() == 1 })
		}},
		{"awaited by a Flush cut short", func(t *testing.T, s *Shipper, f *fakeAPI) {
			release := make(chan struct{})
			f.mu.Lock()
			hook := f.hook
			f.hook = func(ctx context.Context, call int, in *cwlogs.PutLogEventsInput) error {
				<-release
				return hook(ctx, call, in)
			}
			f.mu.Unlock()
			if err := s.Log(time.Now(), "lost"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := s.Flush(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("Flush with an ended ctx = %v, want context.Canceled", err)
			}
			close(release)
			waitFor(t, "the batch to be dropped", func() bool { return s.Stats().Dropped.Total() == 1 })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.hook = func(context.Context, int, *cwlogs.PutLogEventsInput) error {
				return apiErr("InvalidParameterException", 400) // permanent
			}
			o := fastOpts()
			o.FlushInterval = 10 * time.Millisecond
			s := mustNew(t, f, o)
			defer s.Close(context.Background())
			tc.lose(t, s, f)

			var fe *FlushError
			if err := s.Flush(ctxT(t)); !errors.As(err, &fe) || fe.Events != 1 {
				t.Fatalf("Flush after a loss = %v, want a *FlushError of 1 event", err)
			}
			if err := s.Flush(ctxT(t)); err != nil {
				t.Fatalf("Flush again = %v, want nil: the loss was reported once", err)
			}
		})
	}
}
