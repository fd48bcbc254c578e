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
// sync position end. Concurrent callers share one sync.
func (s *Spool) syncTo(end int64) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	s.mu.Lock()
	if s.synced >= end || s.f == nil {
		s.mu.Unlock()
		return nil
	}
	f, pos := s.f, s.written
	s.mu.Unlock()
	err := f.Sync()
	s.mu.Lock()
	if err == nil && pos > s.synced {
		s.synced = pos
	}
	ok := s.synced >= end // a roll may have synced and closed f meanwhile
	if err != nil && !ok {
		err = &Error{Op: "sync", Path: f.Name(), Err: err}
		s.setErrLocked(err)
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
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
