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
	end := s.written
	s.mu.Unlock()
	if err := s.syncTo(end); err != nil {
		s.mu.Lock()
		s.reportLocked(err)
		s.mu.Unlock()
	}
}

// syncTo syncs the segment being written unless a sync already covered the
// sync position end. Concurrent callers share syncs (group commit): a caller
// that finds a sync in progress waits for it, and the next sync covers every
// record written meanwhile.
func (s *Spool) syncTo(end int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.synced < end && s.f != nil {
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
		if err == nil {
			s.synced = max(s.synced, pos)
		} else if s.synced < end { // else a roll synced and closed f meanwhile
			err = &Error{Op: "sync", Path: f.Name(), Err: err}
			s.setErrLocked(err)
			return err
		}
	}
	return nil
}

// Sync writes Write's unfinished line and syncs the records accepted so
// far to stable storage, whatever the SyncPolicy: once it returns nil they
// survive a power loss.
func (s *Spool) Sync() error {
	if err := s.flushPartial(context.Background()); err != nil && err != ErrClosed {
		return err
	}
	s.mu.Lock()
	end := s.written
	s.mu.Unlock()
	return s.syncTo(end)
}
