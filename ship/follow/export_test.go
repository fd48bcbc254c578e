package follow

import (
	"context"
	"io/fs"
	"os"
	"sync/atomic"
	"time"
)

// ManualPolls makes f poll only when the returned step function is called:
// step waits until f is idle (its start or last poll done), lets it poll
// once, and waits until that poll is done. It reports false when f did not
// get there within 10 s (Run hangs), or Run's ctx ended meanwhile (Run
// returns without another poll).
func ManualPolls(f *Follower) (step func() bool) {
	tick, ack := make(chan struct{}), make(chan struct{})
	var ended atomic.Pointer[<-chan struct{}] // Run's ctx.Done(), from its first wait
	first := true
	f.wait = func(ctx context.Context, _ time.Duration) bool {
		if first {
			done := ctx.Done()
			ended.Store(&done)
		} else {
			select {
			case ack <- struct{}{}:
			case <-ctx.Done():
				return false
			}
		}
		first = false
		select {
		case <-tick:
			return true
		case <-ctx.Done():
			return false
		}
	}
	return func() bool {
		timeout := time.After(10 * time.Second)
		select {
		case tick <- struct{}{}:
		case <-timeout:
			return false
		}
		var done <-chan struct{} // nil, which blocks, before the first wait
		if p := ended.Load(); p != nil {
			done = *p
		}
		select {
		case <-ack:
			return true
		case <-done:
			return false
		case <-timeout:
			return false
		}
	}
}

// CountFS makes f count its Stat and Open calls of the followed path (or
// any other), before Run. The counts are read once Run is idle (after a
// ManualPolls step) or done.
func CountFS(f *Follower) (stats, opens *atomic.Int64) {
	stats, opens = new(atomic.Int64), new(atomic.Int64)
	f.stat = func(name string) (fs.FileInfo, error) { stats.Add(1); return os.Stat(name) }
	f.openFile = func(name string) (*os.File, error) { opens.Add(1); return os.Open(name) }
	return stats, opens
}
