package spool

import (
	"context"
	"time"
)

// armSyncLocked starts the SyncPeriodic timer unless it runs.
func (s *Spool) armSyncLocked() {
	if s.syncArmed || s.closing {
		return
	}
	s.syncArmed = true
	if s.syncTimer == nil {
		s.syncTimer = time.AfterFunc(s.c.syncInterval, s.syncTick)
	} else {
		s.syncTimer.Reset(s.c.syncInterval)
	}
}

func (s *Spool) syncTick() {
	s.mu.Lock()
	s.syncArmed = false
	s.mu.Unlock()
	s.syncAll()
}

// syncAll syncs every record written so far and reports a sync that fails
// (a failure reported before is not reported again).
func (s *Spool) syncAll() {
	s.mu.Lock()
	end, before := s.written, s.failErr
	s.mu.Unlock()
	if err := s.syncTo(end); err != nil && err != before {
		s.mu.Lock()
		s.reportLocked(err)
		s.mu.Unlock()
	}
}

// syncTo syncs the segment being written unless a sync already covered the
// sync position end. Concurrent callers share syncs (group commit): a caller
// that finds a sync in progress waits for it, and the next sync covers every
// record written meanwhile. A position that a failed sync covered gets that
// sync's error, whatever the syncs after it did.
func (s *Spool) syncTo(end int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.failErr != nil && s.failFrom < end && end <= s.failTo {
			return s.failErr
		}
		if s.synced >= end || s.f == nil {
			return nil
		}
		if s.syncing {
			done := s.syncDone
			s.mu.Unlock()
			<-done
			s.mu.Lock()
			continue
		}
		f, pos := s.f, s.written
		s.syncing, s.syncDone = true, make(chan struct{})
		s.mu.Unlock()
		err := f.Sync()
		s.mu.Lock()
		s.syncing = false
		close(s.syncDone)
		switch {
		case err == nil:
			s.synced = max(s.synced, pos)
		case s.synced < pos: // else a roll synced and closed f meanwhile
			s.syncFailedLocked(pos, &Error{Op: "sync", Path: f.Name(), Err: err})
		}
	}
}

// syncFailedLocked records a failed sync that was to cover the records up
// to sync position to (from the last successful one).
func (s *Spool) syncFailedLocked(to int64, err error) {
	if s.failErr == nil {
		s.failFrom = s.synced
	}
	s.failFrom = min(s.failFrom, s.synced)
	s.failTo = max(s.failTo, to)
	s.failSeq = max(s.failSeq, s.nextSeq)
	s.failErr = err
	s.setErrLocked(err)
}

// Sync writes Write's unfinished line and syncs the records accepted so
// far to stable storage, whatever the SyncPolicy: once it returns nil they
// survive a power loss. When a sync failed, Sync returns its *Error (Op
// "sync") until the records it covered are delivered: they may be lost
// whatever later syncs do.
func (s *Spool) Sync() error {
	if err := s.flushPartial(context.Background()); err != nil && err != ErrClosed {
		return err
	}
	s.mu.Lock()
	end := s.written
	s.mu.Unlock()
	if err := s.syncTo(end); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failErr != nil && s.ckpt.Seq < s.failSeq {
		return s.failErr
	}
	return nil
}
