package spool

import (
	"context"
	"github.com/cwlogs/cwlogs/internal/goid"
	"slices"
)

// flushWaiter is a Flush call waiting for the records before target.
type flushWaiter struct {
	target uint64
	lost   int64 // records before target dropped while waiting
	closed bool
	done   chan struct{}
}

// Flush writes Write's unfinished line, then makes the pump deliver every
// record accepted before the call at once (without waiting for
// FlushInterval) and waits until the checkpoint has passed them. It returns
// nil when they were delivered, a *FlushError counting those dropped
// meanwhile (see Stats.Dropped), ErrClosed when Close ended with records
// still on disk, or ctx.Err() when ctx ends first (delivery goes on).
func (s *Spool) Flush(ctx context.Context) error {
	if err := s.flushPartial(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	target := s.nextSeq
	if s.ckpt.Seq >= target {
		s.mu.Unlock()
		return nil
	}
	if s.closing && s.pumpExitedLocked() {
		s.mu.Unlock()
		return ErrClosed
	}
	w := &flushWaiter{target: target, done: make(chan struct{})}
	s.waiters = append(s.waiters, w)
	s.flushTarget = max(s.flushTarget, target)
	s.mu.Unlock()
	s.signal()
	select {
	case <-w.done:
		switch {
		case w.lost > 0:
			return &FlushError{Records: w.lost}
		case w.closed:
			return ErrClosed
		}
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		if i := slices.Index(s.waiters, w); i >= 0 {
			s.waiters = slices.Delete(s.waiters, i, i+1)
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

func (s *Spool) pumpExitedLocked() bool {
	select {
	case <-s.pumpDone:
		return true
	default:
		return false
	}
}

// checkpointedLocked releases the Flush calls whose records the checkpoint
// passed.
func (s *Spool) checkpointedLocked() {
	keep := s.waiters[:0]
	for _, w := range s.waiters {
		if s.ckpt.Seq >= w.target {
			close(w.done)
			continue
		}
		keep = append(keep, w)
	}
	clear(s.waiters[len(keep):])
	s.waiters = keep
}

// Close stops accepting records (a Log waiting for room returns ErrClosed),
// writes Write's unfinished line, lets the pump deliver what it can until
// ctx ends (a pause after a failed delivery is cut short, once, so that the
// pump tries again at once; when ctx ends it stops the pump, and the records
// it handed to the destination since the last checkpoint will be sent again
// by the next Open), syncs (unless
// SyncNever) and closes the files — deleting the segments when every record
// was delivered —, waits for the OnError calls until ctx ends (except when
// called from OnError), and releases the directory. It returns nil when
// every record was delivered and none was dropped since Open, else a
// *CloseError: the records it counts as left on disk are not lost, the next
// Open sends them. Close the Spool before its destination. Calling Close
// again waits for the first call and returns its result (from OnError, it
// waits only until the first call has everything done but its wait for the
// OnError calls, which includes this one).
func (s *Spool) Close(ctx context.Context) error {
	first := false
	s.closeOnce.Do(func() { first = true })
	if !first {
		// From OnError, while the first call waits for the OnError calls:
		// its result once only that wait is left.
		if s.inOnError() {
			select {
			case <-s.closeReady:
				return s.readyErr
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		select {
		case <-s.closeDone:
			return s.closeErr
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Refuse records from now on, and end every Block wait (a Write waiting
	// holds wsem); then write Write's unfinished line, which it accepted.
	s.mu.Lock()
	s.closing = true
	close(s.closeCh)
	s.mu.Unlock()
	fromOnError := s.inOnError()
	_ = s.writePartial(ctx, appendForce)
	s.mu.Lock()
	s.final = true
	if s.syncTimer != nil {
		s.syncTimer.Stop()
	}
	s.mu.Unlock()
	s.signal()
	var ctxErr error
	select {
	case <-s.pumpDone:
	case <-ctx.Done():
		ctxErr = ctx.Err()
		s.cancel()
		<-s.pumpDone
	}
	s.cancel()
	if s.c.sync != SyncNever {
		s.syncAll()
	}
	s.mu.Lock()
	if s.f != nil {
		s.closeSegLocked()
	}
	if s.st.Pending == 0 && len(s.segs) > 0 {
		// Every record was delivered (or dropped): leave no segment behind.
		// The checkpoint keeps the sequence numbers growing.
		pos := position{Segment: s.nextSeq, Offset: segHeaderSize, Seq: s.nextSeq}
		if err := writeCheckpoint(s.dir, pos, s.c.sync != SyncNever); err != nil {
			s.reportLocked(&Error{Op: "checkpoint", Path: s.dir, Err: err})
		} else {
			s.ckpt = pos
			s.checkpointedLocked()
			for _, seg := range s.segs {
				s.removeLocked(seg.path)
				s.diskBytes -= seg.size
			}
			s.segs = nil
		}
	}
	s.retryGarbageLocked()
	for _, w := range s.waiters {
		w.closed = true
		close(w.done)
	}
	s.waiters = nil
	st := s.statsLocked()
	s.mu.Unlock()
	s.readyErr = closeResult(st, ctxErr)
	close(s.closeReady)
	// Wait for OnError to see the reports, unless this is its goroutine.
	if !fromOnError {
		done := make(chan struct{})
		// A timer's sync that started before Close may still report: wait
		// for it first (no tick joins s.ticks once closing is set).
		go func() { s.ticks.Wait(); s.rwg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			if ctxErr == nil {
				ctxErr = ctx.Err()
			}
			s.mu.Lock()
			s.reportsDropped = true
			s.mu.Unlock()
		}
	}
	s.lock.Close()
	s.closeErr = closeResult(st, ctxErr)
	close(s.closeDone)
	return s.closeErr
}

// closeResult is what Close returns: nil, or a *CloseError when records
// are left on disk or were dropped (its Err ctxErr, else the last error).
func closeResult(st Stats, ctxErr error) error {
	if st.Pending == 0 && st.Dropped.Total() == 0 {
		return nil
	}
	err := ctxErr
	if err == nil {
		err = st.LastError
	}
	return &CloseError{Pending: st.Pending, DiskBytes: st.DiskBytes, Stats: st, Err: err}
}

// inOnError reports whether the caller is the goroutine calling OnError.
func (s *Spool) inOnError() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reporting && s.reporterID == goid.ID()
}
