package spool

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestCloseTakesRecordWrittenMeanwhile: a record written after the pump
// found none to hand, and Close starting before the pump looks at it again,
// is delivered by Close, not left on disk for the next Open
// (TestWriteNowOutsideLock failed 3 times in 3,000 runs so).
func TestCloseTakesRecordWrittenMeanwhile(t *testing.T) {
	d := &memDst{}
	o := fastOpts()
	o.FlushInterval = time.Hour
	s, err := Open(t.TempDir(), d, o)
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	var once sync.Once
	s.mu.Lock() // the pump reads the hook under it
	s.noneHook = func() {
		once.Do(func() {
			if err := s.Log(time.UnixMilli(1700000000000), "late"); err != nil {
				t.Error(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			go func() {
				defer cancel()
				closed <- s.Close(ctx)
			}()
			for { // until Close has set final and waits for the pump
				s.mu.Lock()
				final := s.final
				s.mu.Unlock()
				if final {
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	s.mu.Unlock()
	s.signal() // the pump finds nothing and calls the hook
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := d.got(); len(got) != 1 || got[0] != "late" {
		t.Fatalf("delivered %q, want [late]", got)
	}
}
