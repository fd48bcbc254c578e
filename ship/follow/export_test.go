package follow

import (
	"context"
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
