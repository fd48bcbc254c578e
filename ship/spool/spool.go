package spool

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs/internal/dirlock"
	"github.com/cwlogs/cwlogs/ship"
)

// Destination receives the records of a Spool; *ship.Shipper implements it.
//
// LogContext takes one event. A nil error means the destination took it; an
// error wrapping ErrRefused (or ship's ErrEmpty, ErrOutOfRange or
// ErrTooLarge) means it refuses it for good, and the record is dropped; any
// other error means it did not take it for now, and the pump tries again
// after a pause. Flush(ctx) must return nil only when every event taken
// before the call has been delivered: the checkpoint advances only then
// (or when it fails with a *ship.FlushError that only counts events the
// service rejected as too old or expired; see the package documentation). The
// pump calls both from its goroutine, never concurrently; ctx ends when Close
// gives up, and both must then return promptly (Close waits for them).
type Destination interface {
	LogContext(ctx context.Context, t time.Time, msg string) error
	Flush(ctx context.Context) error
}

var _ Destination = (*ship.Shipper)(nil)

// segFile is the segment being written: an *os.File (tests inject faults).
type segFile interface {
	WriteAt(p []byte, off int64) (int, error)
	Truncate(size int64) error
	Sync() error
	Close() error
	Name() string
}

// Spool is a durable queue on disk in front of a Destination. Create it
// with Open; its methods are safe for concurrent use.
type Spool struct {
	dir  string
	dst  Destination
	c    config
	lock *os.File

	mu        sync.Mutex
	segs      []*segment // oldest first
	f         segFile    // the last segment, open for writing; nil when a record starts a new one
	nextSeq   uint64
	diskBytes int64
	written   int64 // bytes written since Open, all segments: the sync position
	synced    int64 // of written, what a sync covered
	syncing   bool  // a sync runs (outside mu); syncDone is closed when it ends
	syncDone  chan struct{}
	syncArmed bool
	dirDirty  bool // a segment was created with no directory sync since (SyncNever)
	syncTimer *time.Timer
	ticks     sync.WaitGroup // the timer's syncs that started before Close (see syncTick)
	wbuf      []byte
	closing   bool          // Close started: records are refused
	final     bool          // Close wrote its last record: the pump may stop once it delivered all
	closeCh   chan struct{} // closed when Close starts
	room      chan struct{} // closed and replaced when room frees
	wake      chan struct{} // tells the pump of new records, a Flush, Close

	// A failed sync leaves the records it covered in doubt even when a later
	// sync succeeds (Linux marks the pages whose write-back failed clean):
	// a sync position in (failFrom, failTo] gets failErr, never nil, and
	// Sync gets it until the checkpoint passes failSeq.
	failFrom, failTo int64
	failSeq          uint64
	failErr          error
	syncReported     error // the last failed sync reported to OnError (see reportSyncLocked)
	// syncAllHook, when set (by tests), is called by syncAll with the result
	// of its sync, before it reports a failure. A field, not a package
	// variable: a timer's sync of another test's Spool may still run.
	syncAllHook func(err error)
	// blockHook, when set (by tests), is called by a record's Block wait for
	// room, after s.mu is released and before it waits.
	blockHook func()
	// noneHook, when set (by tests, under mu), is called by the pump each time
	// it finds no record to hand, before it looks at Close and Flush.
	noneHook func()

	// readSeq: the records before it were taken by the pump (see pump.go).
	readSeq     uint64
	ckpt        position // the last checkpoint
	flushTarget uint64   // a Flush waits for the records before it
	waiters     []*flushWaiter
	st          Stats
	garbage     []string // segment files to remove (see removeLocked)

	reports        []error
	reporting      bool
	reporterID     uint64
	reportsDropped bool
	rwg            sync.WaitGroup

	// wsem is Write's lock, held by one Write at a time and by the writes
	// of its unfinished line: a channel, so that Flush stops waiting for
	// it when its ctx ends (see lockWrite).
	wsem    chan struct{}
	partial []byte // Write's unfinished last line

	runCtx    context.Context // ends when Close gives up
	cancel    context.CancelFunc
	pumpDone  chan struct{}
	closeOnce sync.Once
	closeDone chan struct{}
	closeErr  error
	// closeReady is closed when Close has done all but wait for the OnError
	// calls; readyErr is its result then (for a Close called from OnError).
	closeReady chan struct{}
	readyErr   error
}

// Open opens (creating it if needed) the spool in directory dir, sends what
// an earlier Spool left there to dst first, and starts the pump. opts nil
// selects the defaults. Bad arguments are reported as *OptionError; a
// directory in use by another Spool as an *Error wrapping ErrLocked;
// damaged data found on disk is repaired (see the package documentation)
// and reported to Options.OnError, not returned. So is a segment that
// cannot be read (an I/O error): Open leaves its records to the pump, which
// delivers those it can read and skips the others. When the records of the
// last segment after the checkpoint cannot all be read, Open reports the
// *Error (Op "read"), writes no more to that segment, and writes new
// records to a new one, numbered past any record the unreadable bytes can
// hold, so that they come after them (see the package documentation).
// A last segment that cannot be opened for writing, synced, or cut back to
// its last whole record is reported the same way and not written to again.
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
	if err := mkdirAll(dir, c.sync != SyncNever); err != nil {
		return nil, &Error{Op: "open", Path: dir, Err: err}
	}
	lock, err := dirlock.Lock(filepath.Join(dir, LockFile), 0o600)
	if err != nil {
		if errors.Is(err, dirlock.ErrLocked) {
			err = ErrLocked
		}
		return nil, &Error{Op: "lock", Path: dir, Err: err}
	}
	s := &Spool{
		dir: dir, dst: dst, c: c, lock: lock,
		closeCh: make(chan struct{}), room: make(chan struct{}), wake: make(chan struct{}, 1), wsem: make(chan struct{}, 1),
		pumpDone: make(chan struct{}), closeDone: make(chan struct{}), closeReady: make(chan struct{}),
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
// the record was written but may not survive a power loss: it is returned
// to every call whose record a failed sync covered, even when a later sync
// succeeded (the system may have dropped the data whose write-back failed).
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
	return appendMsg(ctx, s, t.UnixMilli(), msg, appendLog)
}

// signal wakes the pump.
func (s *Spool) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Stats returns a snapshot of the counters.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statsLocked()
}

func (s *Spool) statsLocked() Stats {
	st := s.st
	st.AcceptedBytes = s.written // every byte written since Open is a record's
	st.DiskBytes = s.diskBytes
	st.Segments = len(s.segs)
	return st
}

func (s *Spool) setErrLocked(err error) {
	s.st.LastError = err
	s.st.LastErrorTime = time.Now()
}
