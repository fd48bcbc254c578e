package spool

import (
	"context"
	"encoding/binary"
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
	var b staged
	s.mu.Lock()
	err := stageLocked(ctx, s, &b, ts, msg, mode)
	if werr := s.writeStagedLocked(&b); err == nil {
		err = werr
	}
	s.mu.Unlock()
	if b.end == 0 {
		return 0, err
	}
	s.signal()
	return b.end, nil
}

// staged counts the records stageLocked encoded in s.wbuf that are not
// written yet: they are written by writeStagedLocked, always before s.mu is
// released (no one else sees the segment or the counters meanwhile), so
// that one Write takes the lock, and writes to its segment, once for many
// lines.
type staged struct {
	n     int   // records
	bytes int64 // their size
	// from and end: the sync positions before the first record written and
	// after the last one (end 0 if none); records of other calls may lie
	// between them when s.mu was released.
	from, end int64
}

// stageLocked checks a record with s.mu held, applying OnFull (mode as for
// appendMsg), and encodes it in s.wbuf after the records b holds: it counts
// them as on disk already, and writes them before it rolls the segment or
// releases s.mu for a Block wait. It returns the error that refuses the
// record (counted in Stats), nil when it is staged.
func stageLocked[M message](ctx context.Context, s *Spool, b *staged, ts int64, msg M, mode appendMode) error {
	n := recordSize(msg)
	// A retained record (Flush's and Sync's unfinished line) is counted once it
	// is taken or refused for good, below: counting it now and taking the
	// count back when Close starts or a Block wait ends would lower Offered,
	// which the Stats document as a counter.
	if mode != appendRetain {
		s.st.Offered++
	}
	var roll bool
	closeCh := s.closeCh
	if mode == appendForce {
		closeCh = nil
	}
	for {
		if s.closing && mode != appendForce {
			if mode == appendRetain {
				return errRetained
			}
			s.st.Dropped.Closed++
			return ErrClosed
		}
		roll = s.f == nil || s.segs[len(s.segs)-1].size+b.bytes+n > s.c.segmentBytes
		need := n
		if roll {
			need += segHeaderSize
		}
		if s.diskBytes+b.bytes+need <= s.c.maxBytes {
			break
		}
		switch s.c.onFull {
		case DropOldest:
			if s.dropOldestLocked() {
				continue
			}
			fallthrough
		case DropNewest:
			if mode == appendRetain {
				s.st.Offered++
			}
			s.st.Dropped.Full++
			return ErrFull
		}
		// Write what is staged, and tell the pump (which frees the room),
		// before waiting.
		_ = s.writeStagedLocked(b) // a failure is counted
		s.signal()
		room := s.room
		s.mu.Unlock()
		if s.blockHook != nil {
			s.blockHook()
		}
		select {
		case <-room:
		case <-closeCh:
		case <-ctx.Done():
			s.mu.Lock()
			if mode != appendRetain {
				s.st.Dropped.Full++
			}
			return ctx.Err()
		}
		s.mu.Lock()
	}
	if mode == appendRetain {
		s.st.Offered++
	}
	if roll {
		_ = s.writeStagedLocked(b)
		if err := s.rollLocked(); err != nil {
			s.st.Dropped.WriteError++
			s.setErrLocked(err)
			return err
		}
	}
	s.wbuf = appendRecord(s.wbuf, s.nextSeq+uint64(b.n), ts, msg)
	b.n++
	b.bytes += n
	return nil
}

// writeStagedLocked writes the records b holds to the segment being
// written, with one write. When it fails, the records it wrote whole are
// kept, the segment is cut back after them (no partial record may stay
// before the next one), and the others are counted in
// Stats.Dropped.WriteError; the error is returned.
func (s *Spool) writeStagedLocked(b *staged) error {
	if b.n == 0 {
		return nil
	}
	seg := s.segs[len(s.segs)-1]
	k, size := b.n, b.bytes
	b.n, b.bytes = 0, 0
	buf := s.wbuf
	s.wbuf = s.wbuf[:0]
	if cap(s.wbuf) > 4*readChunk {
		s.wbuf = nil
	}
	m, err := s.f.WriteAt(buf, seg.size)
	done, written := size, k
	if err != nil {
		done, written = 0, 0
		for written < k {
			l := recordHeaderSize + int64(binary.LittleEndian.Uint32(buf[done+4:]))
			if done+l > int64(m) {
				break
			}
			done += l
			written++
		}
		_ = s.f.Truncate(seg.size + done)
		s.st.Dropped.WriteError += int64(k - written)
		err = &Error{Op: "write", Path: seg.path, Err: err}
		s.setErrLocked(err)
	}
	if written == 0 {
		return err
	}
	if b.end == 0 {
		b.from = s.written
	}
	seg.size += done
	s.nextSeq += uint64(written)
	seg.end = s.nextSeq
	s.diskBytes += done
	s.written += done
	s.st.Accepted += int64(written)
	s.st.Pending += int64(written)
	if s.c.sync == SyncPeriodic {
		s.armSyncLocked()
	}
	b.end = s.written
	return err
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
