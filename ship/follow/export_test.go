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
// get there within 10 s (Run returned, or hangs).
func ManualPolls(f *Follower) (step func() bool) {
	tick, ack := make(chan struct{}), make(chan struct{})
	first := true
	f.wait = func(ctx context.Context, _ time.Duration) bool {
		if !first {
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
		select {
		case <-ack:
			return true
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
