package spool

import (
	"context"
	"errors"
	"os"
	"slices"
)

// appendMode says how appendMsg treats Close and a Block wait cut short.
type appendMode int

const (
	// appendLog: refused once Close starts (ErrClosed); a Block wait ends
	// when room frees, ctx ends (counted Full) or Close starts.
	appendLog appendMode = iota
	// appendForce, for Close's own write of Write's unfinished line: written
	// even though Close started; a Block wait ends when room frees or ctx
	// ends.
	appendForce
	// appendRetain, for the unfinished line written by Flush and Sync: when
	// Close starts (errRetained) or ctx ends (ctx.Err()), nothing is written
	// nor counted, and the line stays unfinished, for Close to write.
	appendRetain
)

// errRetained: a record offered with appendRetain was not taken.
var errRetained = errors.New("spool: record retained")

// appendMsg writes a record to s, applying OnFull; mode says how Close and
// a Block wait cut short are handled. It returns the sync position after
// the record. msg is not kept once it returns: it is copied into the
// segment file (through s.wbuf).
func appendMsg[M message](ctx context.Context, s *Spool, ts int64, msg M, mode appendMode) (int64, error) {
	n := recordSize(msg)
	s.mu.Lock()
	s.st.Offered++
	var roll bool
	closeCh := s.closeCh
	if mode == appendForce {
		closeCh = nil
	}
	for {
		if s.closing && mode != appendForce {
			if mode == appendRetain {
				s.st.Offered--
				s.mu.Unlock()
				return 0, errRetained
			}
			s.st.Dropped.Closed++
			s.mu.Unlock()
			return 0, ErrClosed
		}
		roll = s.f == nil || s.segs[len(s.segs)-1].size+n > s.c.segmentBytes
		need := n
		if roll {
			need += segHeaderSize
		}
		if s.diskBytes+need <= s.c.maxBytes {
			break
		}
		switch s.c.onFull {
		case DropOldest:
			if s.dropOldestLocked() {
				continue
			}
			fallthrough
		case DropNewest:
			s.st.Dropped.Full++
			s.mu.Unlock()
			return 0, ErrFull
		}
		room := s.room
		s.mu.Unlock()
		select {
		case <-room:
		case <-closeCh:
		case <-ctx.Done():
			s.mu.Lock()
			if mode == appendRetain {
				s.st.Offered--
			} else {
				s.st.Dropped.Full++
			}
			s.mu.Unlock()
			return 0, ctx.Err()
		}
		s.mu.Lock()
	}
	if roll {
		if err := s.rollLocked(); err != nil {
			s.st.Dropped.WriteError++
			s.setErrLocked(err)
			s.mu.Unlock()
			return 0, err
		}
	}
	seg := s.segs[len(s.segs)-1]
	s.wbuf = appendRecord(s.wbuf[:0], s.nextSeq, ts, msg)
	if _, err := s.f.WriteAt(s.wbuf, seg.size); err != nil {
		_ = s.f.Truncate(seg.size) // no partial record may stay before the next one
		s.st.Dropped.WriteError++
		err = &Error{Op: "write", Path: seg.path, Err: err}
		s.setErrLocked(err)
		s.mu.Unlock()
		return 0, err
	}
	if cap(s.wbuf) > 4*readChunk {
		s.wbuf = nil
	}
	seg.size += n
	s.nextSeq++
	seg.end = s.nextSeq
	s.diskBytes += n
	s.written += n
	s.st.Accepted++
	s.st.Pending++
	if s.c.sync == SyncPeriodic {
		s.armSyncLocked()
	}
	end := s.written
	s.mu.Unlock()
	s.signal()
	return end, nil
}

// rollLocked closes the segment being written (synced) and starts a new one
// named after the next record.
func (s *Spool) rollLocked() error {
	if s.f != nil {
		if s.c.sync != SyncNever {
			if err := s.f.Sync(); err != nil {
				err = &Error{Op: "sync", Path: s.f.Name(), Err: err}
				s.syncFailedLocked(s.written, err)
				s.reportSyncLocked(err)
			} else {
				s.synced = s.written
			}
		}
		s.closeSegLocked()
	}
	first := s.nextSeq
	path := s.segPath(first)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return &Error{Op: "write", Path: path, Err: err}
	}
	if _, err := f.Write(segHeader()); err != nil {
		f.Close()
		os.Remove(path)
		return &Error{Op: "write", Path: path, Err: err}
	}
	if s.c.sync != SyncNever {
		if err := f.Sync(); err != nil {
			s.reportLocked(&Error{Op: "sync", Path: path, Err: err})
		}
		syncDir(s.dir)
	} else {
		s.dirDirty = true
	}
	s.f = f
	s.segs = append(s.segs, &segment{first: first, path: path, size: segHeaderSize, end: first})
	s.diskBytes += segHeaderSize
	return nil
}

// closeSegLocked closes the segment being written, marking it for the next
// sync when records were written to it that no sync covered.
func (s *Spool) closeSegLocked() {
	if s.synced < s.written {
		s.segs[len(s.segs)-1].unsynced = true
	}
	s.f.Close()
	s.f = nil
}

// dropOldestLocked deletes the oldest segment that is not being written, for
// OnFull DropOldest: its records the pump has not taken are dropped now; those
// it has taken are settled by the outcome of their delivery.
func (s *Spool) dropOldestLocked() bool {
	if len(s.segs) == 0 || (s.f != nil && len(s.segs) == 1) {
		return false
	}
	seg := s.segs[0]
	s.segs[0] = nil
	s.segs = s.segs[1:]
	seg.dropped = true
	s.diskBytes -= seg.size
	if lo := max(s.readSeq, seg.first); seg.end > lo {
		s.settleLocked(lostOldest, lo, seg.end, nil)
	}
	s.removeLocked(seg.path)
	return true
}

// removeLocked removes a segment file that is no longer needed. When that
// fails (on Windows, while the pump reads it), it is tried again after the
// next checkpoint and at Close, so that no dropped segment is found again by
// the next Open.
func (s *Spool) removeLocked(path string) {
	if err := removeSeg(path); err != nil {
		if !slices.Contains(s.garbage, path) {
			s.garbage = append(s.garbage, path)
			s.reportLocked(&Error{Op: "remove", Path: path, Err: err})
		}
	}
}

// retryGarbageLocked tries again to remove the files removeLocked could not.
func (s *Spool) retryGarbageLocked() {
	keep := s.garbage[:0]
	for _, path := range s.garbage {
		if removeSeg(path) != nil {
			keep = append(keep, path)
		}
	}
	s.garbage = keep
}

// removeSeg removes a segment file, then its end marker, if any (see
// boundLastLocked; one left behind is removed by the next Open).
func removeSeg(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	os.Remove(path + endSuffix)
	return nil
}

// lostReason is why settled records were not delivered.
type lostReason int

const (
	lostOldest lostReason = iota
	lostCorrupt
	lostRefused
	lostReplayLimit
)

// settleLocked counts the records [lo, hi) as dropped for reason, for Stats,
// OnError and the Flush calls waiting for them.
func (s *Spool) settleLocked(reason lostReason, lo, hi uint64, err error) {
	n := int64(hi - lo)
	if n <= 0 {
		return
	}
	s.st.Pending -= n
	d := &s.st.Dropped
	switch reason {
	case lostOldest:
		d.Oldest += n
		s.reportLocked(&DropError{Reason: ReasonOldest, Records: n})
	case lostCorrupt:
		d.Corrupt += n // reported as a CorruptError by the pump
	case lostRefused:
		d.Refused += n
		s.reportLocked(&DropError{Reason: ReasonRefused, Records: n, Err: err})
	case lostReplayLimit:
		d.ReplayLimit += n
		s.reportLocked(&DropError{Reason: ReasonReplayLimit, Records: n, Err: err})
	}
	for _, w := range s.waiters {
		if lo < w.target {
			w.lost += int64(min(hi, w.target) - lo)
		}
	}
}
