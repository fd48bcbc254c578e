package spool

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs/ship"
)

// Destination receives the records of a Spool; *ship.Shipper implements it.
//
// LogContext takes one event. A nil error means the destination took it; an
// error wrapping ErrRefused (or ship's ErrEmpty, ErrOutOfRange or
// ErrTooLarge) means it refuses it for good, and the record is dropped; any
// other error means it did not take it for now, and the pump tries again
// after a pause. Flush(ctx) must return nil only when every event taken
// before the call has been delivered: the checkpoint advances only then. The
// pump calls both from its goroutine, never concurrently; ctx ends when Close
// gives up.
type Destination interface {
	LogContext(ctx context.Context, t time.Time, msg string) error
	Flush(ctx context.Context) error
}

var _ Destination = (*ship.Shipper)(nil)

// Spool is a durable queue on disk in front of a Destination. Create it
// with Open; its methods are safe for concurrent use.
type Spool struct {
	dir  string
	dst  Destination
	c    config
	lock *os.File

	mu        sync.Mutex
	segs      []*segment // oldest first
	f         *os.File   // the last segment, open for writing; nil when a record starts a new one
	nextSeq   uint64
	diskBytes int64
	written   int64 // bytes written since Open, all segments: the sync position
	synced    int64 // of written, what a sync covered
	syncArmed bool
	syncTimer *time.Timer
	wbuf      []byte
	closing   bool          // Close started: records are refused
	closeCh   chan struct{} // closed when Close starts
	room      chan struct{} // closed and replaced when room frees
	wake      chan struct{} // tells the pump of new records, a Flush, Close
	// readSeq: the records before it were taken by the pump (see pump.go).
	readSeq     uint64
	ckpt        position // the last checkpoint
	flushTarget uint64   // a Flush waits for the records before it
	waiters     []*flushWaiter
	st          Stats

	reports        []error
	reporting      bool
	reporterID     uint64
	reportsDropped bool
	rwg            sync.WaitGroup

	syncMu sync.Mutex // one sync at a time

	wmu     sync.Mutex
	partial []byte // Write's unfinished last line

	runCtx    context.Context // ends when Close gives up
	cancel    context.CancelFunc
	pumpDone  chan struct{}
	closeOnce sync.Once
	closeDone chan struct{}
	closeErr  error
}

// Open opens (creating it if needed) the spool in directory dir, sends what
// an earlier Spool left there to dst first, and starts the pump. opts nil
// selects the defaults. Bad arguments are reported as *OptionError; a
// directory in use by another Spool as an *Error wrapping ErrLocked;
// damaged data found on disk is repaired (see the package documentation)
// and reported to Options.OnError, not returned.
func Open(dir string, dst Destination, opts *Options) (*Spool, error) {
	if dir == "" {
		return nil, &OptionError{Field: "dir", Value: `""`, Reason: "must name a directory"}
	}
	if dst == nil {
		return nil, &OptionError{Field: "dst", Value: "nil", Reason: "a Destination is required"}
	}
	c, err := opts.config()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &Error{Op: "open", Path: dir, Err: err}
	}
	lock, err := lockFile(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, &Error{Op: "lock", Path: dir, Err: err}
	}
	s := &Spool{
		dir: dir, dst: dst, c: c, lock: lock,
		closeCh: make(chan struct{}), room: make(chan struct{}), wake: make(chan struct{}, 1),
		pumpDone: make(chan struct{}), closeDone: make(chan struct{}),
	}
	s.mu.Lock() // recover may start the reporter
	err = s.recover()
	s.mu.Unlock()
	if err != nil {
		if s.f != nil {
			s.f.Close()
		}
		lock.Close()
		return nil, err
	}
	s.runCtx, s.cancel = context.WithCancel(context.Background())
	p := &pump{s: s, pos: s.ckpt, highWater: s.ckpt.Seq}
	go p.run()
	return s, nil
}

// Dir returns the spool's directory.
func (s *Spool) Dir() string { return s.dir }

// recover reads the directory: the checkpoint, the segments after it (the
// ones before are deleted), the end of the last segment (a torn record is
// cut), and opens the last segment for writing.
func (s *Spool) recover() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return &Error{Op: "open", Path: s.dir, Err: err}
	}
	var firsts []uint64
	for _, e := range entries {
		name := e.Name()
		if first, ok := parseSegName(name); ok && e.Type().IsRegular() {
			firsts = append(firsts, first)
		} else if strings.HasPrefix(name, CheckpointFile+".tmp") {
			os.Remove(filepath.Join(s.dir, name)) // left by a crash while writing the checkpoint
		}
	}
	slices.Sort(firsts)
	ckpt, haveCkpt, err := readCheckpoint(s.dir)
	if err != nil {
		// Start from the first segment: records may be sent twice, none is lost.
		s.reportLocked(&Error{Op: "checkpoint", Path: filepath.Join(s.dir, CheckpointFile), Err: err})
		haveCkpt = false
	}
	if haveCkpt {
		// The segments before the checkpoint's were delivered (a crash came
		// before their deletion).
		i := 0
		for ; i < len(firsts) && firsts[i] < ckpt.Segment; i++ {
			os.Remove(s.segPath(firsts[i]))
		}
		firsts = firsts[i:]
	}
	for i, first := range firsts {
		path := s.segPath(first)
		fi, err := os.Stat(path)
		if err != nil {
			return &Error{Op: "open", Path: path, Err: err}
		}
		seg := &segment{first: first, path: path, size: fi.Size()}
		if i+1 < len(firsts) {
			seg.end = firsts[i+1]
		}
		if seg.size < segHeaderSize {
			if i+1 == len(firsts) {
				// Created by a crash before its header was written: no record.
				os.Remove(path)
				continue
			}
			// Not the last: its records, if it had any, are lost; the pump
			// counts them (seg.end).
		} else if err := s.checkVersion(path); err != nil {
			return err
		}
		s.segs = append(s.segs, seg)
		s.diskBytes += fi.Size()
	}
	// The reading position: the checkpoint, or the first segment.
	pos := position{Segment: 0, Offset: segHeaderSize, Seq: 0}
	if haveCkpt {
		pos = ckpt
	}
	if len(s.segs) > 0 && (!haveCkpt || s.segs[0].first > ckpt.Segment) {
		// No checkpoint, or its segment was dropped (DropOldest, and the
		// records counted then): from the first segment.
		pos = position{Segment: s.segs[0].first, Offset: segHeaderSize, Seq: max(s.segs[0].first, pos.Seq)}
	}
	s.nextSeq = pos.Seq
	if n := len(s.segs); n > 0 {
		last := s.segs[n-1]
		if err := s.recoverLast(last, pos); err != nil {
			return err
		}
		if last.end > pos.Seq {
			s.st.Recovered = int64(last.end - pos.Seq)
		}
	} else {
		pos = position{Segment: s.nextSeq, Offset: segHeaderSize, Seq: s.nextSeq}
	}
	s.st.Pending = s.st.Recovered
	s.ckpt, s.readSeq = pos, pos.Seq
	return nil
}

// checkVersion refuses a segment of another format version, which this
// package must not take for damaged data.
func (s *Spool) checkVersion(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &Error{Op: "open", Path: path, Err: err}
	}
	defer f.Close()
	h := make([]byte, segHeaderSize)
	if _, err := io.ReadFull(f, h); err != nil {
		return &Error{Op: "read", Path: path, Err: err}
	}
	if err := checkSegHeader(h); errors.Is(err, errSegVersion) {
		return &Error{Op: "open", Path: path, Err: err}
	}
	return nil // a damaged header is the pump's to report
}

// recoverLast scans the last segment from the checkpoint (or its start),
// cuts a torn end, sets nextSeq, and opens the segment for writing when new
// records may follow its last one.
func (s *Spool) recoverLast(seg *segment, pos position) error {
	from, minSeq := int64(segHeaderSize), seg.first
	if pos.Segment == seg.first {
		// The records before the checkpoint were delivered.
		from, minSeq = pos.Offset, pos.Seq
	}
	res := scanResult{end: from, nextSeq: minSeq}
	if from < seg.size {
		var err error
		if res, err = scan(seg.path, from, seg.size, minSeq); err != nil {
			return &Error{Op: "read", Path: seg.path, Err: err}
		}
	}
	if res.end < seg.size {
		// A torn end: the record being written when the process or the
		// machine stopped (or what a power loss left in its place). Cut it.
		torn := seg.size - res.end
		if err := os.Truncate(seg.path, res.end); err != nil {
			return &Error{Op: "open", Path: seg.path, Err: err}
		}
		s.st.TornBytes += torn
		s.diskBytes -= torn
		seg.size = res.end
		s.reportLocked(&CorruptError{Path: seg.path, Offset: res.end, Bytes: torn, Truncated: true})
	}
	seg.end = res.nextSeq
	s.nextSeq = max(seg.end, pos.Seq)
	// Append to it unless the checkpoint lies past its records (a power loss
	// kept the checkpoint, not all the records, which were delivered: new
	// records there would be skipped), its header is damaged, or it is full.
	appendable := !(pos.Segment == seg.first && pos.Offset > seg.size) && seg.size < s.c.segmentBytes
	if h, err := s.readHeader(seg.path); err != nil || checkSegHeader(h) != nil {
		appendable = false
	}
	if !appendable {
		if s.nextSeq == seg.first {
			s.nextSeq++ // the next segment needs a name of its own
		}
		return nil
	}
	f, err := os.OpenFile(seg.path, os.O_RDWR, 0o600)
	if err != nil {
		return &Error{Op: "open", Path: seg.path, Err: err}
	}
	if s.c.sync != SyncNever {
		if err := f.Sync(); err != nil {
			f.Close()
			return &Error{Op: "sync", Path: seg.path, Err: err}
		}
	}
	s.f = f
	return nil
}

func (s *Spool) readHeader(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := make([]byte, segHeaderSize)
	_, err = io.ReadFull(f, h)
	return h, err
}

func (s *Spool) segPath(first uint64) string { return filepath.Join(s.dir, segName(first)) }

// Log offers one record; a zero t means now. See LogContext. When the spool
// is full and OnFull is Block, Log waits until room frees or Close starts.
func (s *Spool) Log(t time.Time, msg string) error {
	return s.LogContext(context.Background(), t, msg)
}

// LogContext writes one record with timestamp t (zero: now, from
// Options.Now) and message msg to the spool. It returns nil once the record
// is written (with SyncAlways, synced), or one of ErrEmpty, ErrTooLarge,
// ErrFull, ErrClosed, ctx.Err() (a Block wait cut short), or an *Error when
// writing failed; each refused record is counted in Stats.Dropped. ctx only
// bounds the wait for room. With SyncAlways, an *Error with Op "sync" means
// the record was written but may not survive a power loss.
func (s *Spool) LogContext(ctx context.Context, t time.Time, msg string) error {
	end, err := s.logRecord(ctx, t, msg)
	if err != nil || s.c.sync != SyncAlways {
		return err
	}
	return s.syncTo(end)
}

// logRecord checks and appends one record; it returns the sync position
// after it.
func (s *Spool) logRecord(ctx context.Context, t time.Time, msg string) (int64, error) {
	var err error
	switch {
	case msg == "":
		err = ErrEmpty
	case len(msg) > s.c.maxMessage:
		err = ErrTooLarge
	}
	if err != nil {
		s.mu.Lock()
		s.st.Offered++
		if err == ErrEmpty {
			s.st.Dropped.Empty++
		} else {
			s.st.Dropped.TooLarge++
		}
		s.mu.Unlock()
		return 0, err
	}
	if t.IsZero() {
		t = s.c.now()
	}
	return s.appendMode(ctx, t.UnixMilli(), msg, false)
}

// appendMode writes a record, applying OnFull; force writes it even when
// Close has started (Close's own write of Write's unfinished line), waiting
// for room until ctx ends.
func (s *Spool) appendMode(ctx context.Context, ts int64, msg string, force bool) (int64, error) {
	n := recordSize(msg)
	s.mu.Lock()
	s.st.Offered++
	var roll bool
	closeCh := s.closeCh
	if force {
		closeCh = nil
	}
	for {
		if s.closing && !force {
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
			s.st.Dropped.Full++
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
	s.st.AcceptedBytes += n
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
				s.reportLocked(&Error{Op: "sync", Path: s.f.Name(), Err: err})
			} else {
				s.synced = s.written
			}
		}
		s.f.Close()
		s.f = nil
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
	}
	s.f = f
	s.segs = append(s.segs, &segment{first: first, path: path, size: segHeaderSize, end: first})
	s.diskBytes += segHeaderSize
	return nil
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
	if err := os.Remove(seg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.reportLocked(&Error{Op: "remove", Path: seg.path, Err: err})
	}
	return true
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

// signal wakes the pump.
func (s *Spool) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

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
// ctx ends (then it stops it; the records it handed to the destination since
// the last checkpoint will be sent again by the next Open), syncs and closes
// the files, waits for the OnError calls until ctx ends, and releases the
// directory. It returns nil when every record was delivered and none was
// dropped since Open, else a *CloseError: the records it counts as left on
// disk are not lost, the next Open sends them. Close the Spool before its
// destination. Calling Close again waits for the first call and returns its
// result.
func (s *Spool) Close(ctx context.Context) error {
	first := false
	s.closeOnce.Do(func() { first = true })
	if !first {
		select {
		case <-s.closeDone:
			return s.closeErr
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Refuse records from now on, and end every Block wait (a Write waiting
	// holds wmu); then write Write's unfinished line, which it accepted.
	s.mu.Lock()
	s.closing = true
	close(s.closeCh)
	fromOnError := s.reporting && s.reporterID == goroutineID()
	s.mu.Unlock()
	_ = s.writePartial(ctx, true)
	s.mu.Lock()
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
		s.mu.Lock()
		end := s.written
		s.mu.Unlock()
		if err := s.syncTo(end); err != nil {
			s.mu.Lock()
			s.reportLocked(err)
			s.mu.Unlock()
		}
	}
	s.mu.Lock()
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	if s.st.Pending == 0 && len(s.segs) > 0 {
		// Every record was delivered (or dropped): leave no segment behind.
		// The checkpoint keeps the sequence numbers growing.
		pos := position{Segment: s.nextSeq, Offset: segHeaderSize, Seq: s.nextSeq}
		if err := writeCheckpoint(s.dir, pos, s.c.sync != SyncNever); err != nil {
			s.reportLocked(&Error{Op: "checkpoint", Path: s.dir, Err: err})
		} else {
			s.ckpt = pos
			for _, seg := range s.segs {
				if err := os.Remove(seg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
					s.reportLocked(&Error{Op: "remove", Path: seg.path, Err: err})
				}
				s.diskBytes -= seg.size
			}
			s.segs = nil
		}
	}
	for _, w := range s.waiters {
		w.closed = true
		close(w.done)
	}
	s.waiters = nil
	st := s.statsLocked()
	s.mu.Unlock()
	// Wait for OnError to see the reports, unless this is its goroutine.
	if !fromOnError {
		done := make(chan struct{})
		go func() { s.rwg.Wait(); close(done) }()
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
	if st.Pending > 0 || st.Dropped.Total() > 0 {
		err := ctxErr
		if err == nil {
			err = st.LastError
		}
		s.closeErr = &CloseError{Pending: st.Pending, DiskBytes: st.DiskBytes, Stats: st, Err: err}
	}
	close(s.closeDone)
	return s.closeErr
}

// Stats returns a snapshot of the counters.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statsLocked()
}

func (s *Spool) statsLocked() Stats {
	st := s.st
	st.DiskBytes = s.diskBytes
	st.Segments = len(s.segs)
	return st
}

func (s *Spool) setErrLocked(err error) {
	s.st.LastError = err
	s.st.LastErrorTime = time.Now()
}
