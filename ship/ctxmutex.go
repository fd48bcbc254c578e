package ship

import "context"

// ctxMutex is a mutex whose lock gives up when a context ends: a channel that holds a
// token while the mutex is held. Make it with newCtxMutex.
type ctxMutex chan struct{}

func newCtxMutex() ctxMutex { return make(ctxMutex, 1) }

// lock takes m, or returns ctx.Err() when ctx ends first. A free m is taken even when
// ctx has ended.
func (m ctxMutex) lock(ctx context.Context) error {
	if m.tryLock() {
		return nil
	}
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tryLock takes m if it is free, without waiting.
func (m ctxMutex) tryLock() bool {
	select {
	case m <- struct{}{}:
		return true
	default:
		return false
	}
}

// unlock releases m, taken by lock or tryLock.
func (m ctxMutex) unlock() { <-m }
