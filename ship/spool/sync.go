package spool

import (
	"context"
	"errors"
	"os"
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

// syncTick is the SyncPeriodic timer's function. A tick that starts once
// Close has started does nothing (Close syncs); one that started before
// joins s.ticks, which Close waits for before it waits for the reports, so
// that a sync failing as Close starts is reported to OnError before Close
// returns (and s.rwg.Add never races with Close's s.rwg.Wait).
func (s *Spool) syncTick() {
	s.mu.Lock()
	s.syncArmed = false
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.ticks.Add(1)
	s.mu.Unlock()
	defer s.ticks.Done()
	s.syncAll()
}

// syncAll syncs every record written so far and reports a sync that fails
// (a failure known before, or reported meanwhile by another syncAll or a
// roll, is not reported again: Close's sync may share a timer's).
func (s *Spool) syncAll() {
	s.mu.Lock()
	end, before, hook := s.written, s.failErr, s.syncAllHook
	s.mu.Unlock()
	err := s.syncTo(end)
	if hook != nil {
		hook(err)
	}
	if err != nil && err != before {
		s.mu.Lock()
		s.reportSyncLocked(err)
		s.mu.Unlock()
	}
}

// reportSyncLocked reports a failed sync unless it was the last one
// reported.
func (s *Spool) reportSyncLocked(err error) {
	if err == s.syncReported {
		return
	}
	s.syncReported = err
	s.reportLocked(err)
}

// syncTo syncs the segment being written unless a sync already covered the
// sync position end. Concurrent callers share syncs (group commit): a caller
// that finds a sync in progress waits for it, and the next sync covers every
// record written meanwhile. A position that a failed sync covered gets that
// sync's error, whatever the syncs after it did.
func (s *Spool) syncTo(end int64) error {
	// Sync positions are record boundaries: a failed sync covered the
	// record ending at end if it covered end.
	return s.syncSpan(end-1, end)
}

// syncSpan is syncTo for the records written in the sync positions (from,
// end] (a Write's lines, which a roll or a wait for room may have split):
// it returns the error of a failed sync that covered any of them.
func (s *Spool) syncSpan(from, end int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.failErr != nil && s.failFrom < end && from < s.failTo {
			return s.failErr
		}
		if s.synced >= end {
			return nil
		}
		if s.syncing {
			done := s.syncDone
			s.mu.Unlock()
			<-done
			s.mu.Lock()
			continue
		}
		f, pos, closed, dir := s.f, s.written, s.unsyncedLocked(), s.dirDirty
		if f == nil && len(closed) == 0 && !dir {
			return nil
		}
		s.dirDirty = false
		s.syncing, s.syncDone = true, make(chan struct{})
		s.mu.Unlock()
		path, err := syncFiles(closed, dir, s.dir, f)
		s.mu.Lock()
		s.syncing = false
		close(s.syncDone)
		switch {
		case err == nil:
			s.synced = max(s.synced, pos)
		case f != nil && path == f.Name() && errors.Is(err, os.ErrClosed):
			// A roll or Close closed f meanwhile: it synced f, or marked it
			// for the next round.
		case s.synced < pos:
			s.syncFailedLocked(pos, &Error{Op: "sync", Path: path, Err: err})
		}
	}
}

// unsyncedLocked returns the paths of the segments closed with records no
// sync covered (SyncNever), clearing their mark.
func (s *Spool) unsyncedLocked() []string {
	var paths []string
	for _, seg := range s.segs {
		if seg.unsynced {
			seg.unsynced = false
			paths = append(paths, seg.path)
		}
	}
	return paths
}

// syncFiles syncs the closed segment files (one removed meanwhile, its
// records delivered or dropped, is passed), the directory when dir, and f
// when not nil. It returns the first error and the file it concerns.
func syncFiles(closed []string, dir bool, dirPath string, f segFile) (string, error) {
	for _, path := range closed {
		if err := syncFile(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return path, err
		}
	}
	if dir {
		syncDir(dirPath)
	}
	if f != nil {
		return f.Name(), f.Sync()
	}
	return "", nil
}

// syncFailedLocked records a failed sync that was to cover the records up
// to sync position to (from the last successful one).
func (s *Spool) syncFailedLocked(to int64, err error) {
	if s.failErr == nil {
		s.failFrom = s.synced
	}
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
