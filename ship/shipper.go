package ship

import (
	"context"
	"errors"
	"github.com/cwlogs/cwlogs/internal/goid"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/linecut"
)

// API is the part of the cwlogs client a Shipper uses; *cwlogs.Client
// implements it.
type API interface {
	PutLogEvents(ctx context.Context, in *cwlogs.PutLogEventsInput) (*cwlogs.PutLogEventsOutput, error)
	CreateLogStream(ctx context.Context, in *cwlogs.CreateLogStreamInput) error
	CreateLogGroup(ctx context.Context, in *cwlogs.CreateLogGroupInput) error
}

var _ API = (*cwlogs.Client)(nil)

// Shipper batches the events of one log stream and sends them with
// PutLogEvents. Its methods are safe for concurrent use.
type Shipper struct {
	api           API
	group, stream string
	c             config
	budget        *budget

	runCtx context.Context // cancelled when Close gives up
	cancel context.CancelFunc

	mu         sync.Mutex
	cur        *batch // the batch being built
	curSince   time.Time
	timer      *time.Timer
	timerArmed bool
	queue      []*batch // sealed, waiting for a sender
	senders    int      // running sender goroutines
	nextSeq    uint64
	open       int // sealed batches not finished
	waiters    []*flushWaiter
	// unreported counts the events of finished batches not delivered
	// (dropped, discarded, rejected) since the last Flush that returned after
	// waiting, unreportedRej those of them the service rejected, and lostErr
	// is the last such batch's error: Flush reports them too, the losses no
	// Flush waited for.
	unreported    int64
	unreportedRej Rejected
	lostErr       error
	closed        bool
	unconfirmed   int64 // events whose request was cancelled by Close
	unsent        int64 // events abandoned without a request in flight
	st            Stats

	closedFlag atomic.Bool
	// testHookWriteWindow, set only by tests, runs in Write between its first closed check
	// and taking wmu: the window a concurrent Close can fall into.
	testHookWriteWindow func()
	// cachedNow is a clock reading (ms) taken when the batch being built got
	// its first event, so at most FlushInterval old; freshNow is set while
	// that batch is empty. The range check of LogContext uses it instead of
	// reading the clock per event.
	cachedNow atomic.Int64
	freshNow  atomic.Bool
	wg        sync.WaitGroup // sender goroutines
	closeOnce sync.Once
	closeDone chan struct{}
	closeErr  error

	// wmu is held while Write, Flush or Close uses partial. A holder waits for room only
	// until its own ctx ends or Close starts, so that Close, which takes wmu with
	// context.Background(), never waits long.
	wmu     ctxMutex
	partial []byte // unfinished last line of Write

	createMu  sync.Mutex
	createGen uint64 // incremented after each successful creation

	// reports wait for OnError, which the reporter goroutine calls with no
	// lock held; reporting is set while it runs. Guarded by mu.
	reports    []error
	reporting  bool
	reporterID uint64 // the reporter goroutine's id (see reentrant)
	// reportsDropped: a Close whose ctx ended gave up on the queued reports;
	// the reporter drops them (their losses are in the CloseError).
	reportsDropped bool
	// lastDiscard is when the reporter last passed a *DiscardError on; the
	// next one waits until c.discardEvery after it.
	lastDiscard time.Time
	rwg         sync.WaitGroup // the reporter goroutine
	// closeSettled is closed once Close's result is known, before Close waits
	// for OnError calls.
	closeSettled chan struct{}
}

// New returns a Shipper that sends to the log stream group/stream through
// api (usually a *cwlogs.Client; see the package documentation about its
// retries). opts nil selects the defaults. Names are checked here, before any
// request, and returned as *cwlogs.ValidationError; bad options as
// *OptionError.
func New(api API, group, stream string, opts *Options) (*Shipper, error) {
	c, err := opts.config()
	if err != nil {
		return nil, err
	}
	return newShipper(api, group, stream, c, newBudget(c.maxBufferBytes, c.maxBufferEvents))
}

func newShipper(api API, group, stream string, c config, b *budget) (*Shipper, error) {
	if api == nil {
		return nil, &cwlogs.ValidationError{Operation: "ship.New", Field: "api", Value: "nil", Reason: "is required"}
	}
	if err := checkNames(group, stream); err != nil {
		return nil, err
	}
	s := &Shipper{api: api, group: group, stream: stream, c: c, budget: b, closeDone: make(chan struct{}), closeSettled: make(chan struct{}), wmu: newCtxMutex()}
	s.runCtx, s.cancel = context.WithCancel(context.Background())
	s.cur = getBatch()
	s.freshNow.Store(true)
	return s, nil
}

// Group returns the log group name.
func (s *Shipper) Group() string { return s.group }

// Stream returns the log stream name.
func (s *Shipper) Stream() string { return s.stream }

// Log offers one event; a zero t means now. See LogContext. When the buffer
// is full and OnFull is Block, Log waits until room frees or Close starts.
func (s *Shipper) Log(t time.Time, msg string) error {
	return s.LogContext(context.Background(), t, msg)
}

// LogContext offers one event with timestamp t (zero: now) and message msg.
// It returns nil when the event was buffered (for an oversized message under
// Split: every part), or one of ErrEmpty, ErrOutOfRange, ErrTooLarge,
// ErrBufferFull, ErrClosed or ctx.Err() (when a Block wait was cut short);
// each refused event is counted in Stats.Dropped. Invalid UTF-8 bytes are
// replaced by U+FFFD, as the service would do. ctx only bounds the wait for
// room; it does not cancel delivery.
func (s *Shipper) LogContext(ctx context.Context, t time.Time, msg string) error {
	return s.log(ctx, t, msg, waitLog)
}

// waitMode says when a Block wait for room ends.
type waitMode int

const (
	// waitLog: when room frees, ctx ends (ctx.Err(), counted as BufferFull)
	// or Close starts (ErrClosed).
	waitLog waitMode = iota
	// waitClose, for Close's flush of Write's unfinished line: when room
	// frees or Close's ctx ends (ErrClosed, counted as Closed).
	waitClose
	// waitRetain, for Flush's flush of Write's unfinished line: when room
	// frees, ctx ends or Close starts, returning errRetained without counting
	// the event, which stays Write's unfinished line.
	waitRetain
)

// errRetained: an event offered in waitRetain mode was not taken.
var errRetained = errors.New("ship: event retained")

// log is LogContext with the wait mode of enqueue.
func (s *Shipper) log(ctx context.Context, t time.Time, msg string, mode waitMode) error {
	var ts, now int64
	switch {
	case t.IsZero():
		now = s.c.now().UnixMilli()
		ts = now
		if s.freshNow.Load() {
			// The batch being built is empty: this reading becomes the one
			// the events joining it are checked against, as below. Without
			// it, a batch started by a zero-time event would leave an old
			// reading in place for the events with a timestamp.
			s.cachedNow.Store(now)
		}
	case s.freshNow.Load():
		// The batch being built is empty: read the clock now and keep the
		// reading for the events that join this batch.
		now = s.c.now().UnixMilli()
		s.cachedNow.Store(now)
		ts = t.UnixMilli()
	default:
		now = s.cachedNow.Load()
		ts = t.UnixMilli()
		if s.outOfRange(ts, now) {
			now = s.c.now().UnixMilli() // confirm with a fresh reading
			s.cachedNow.Store(now)
		}
	}
	msg = validUTF8(msg)
	if msg == "" {
		s.dropNow(func(d *Dropped) { d.Empty++ })
		return ErrEmpty
	}
	if s.outOfRange(ts, now) {
		switch s.c.outOfRange {
		case DropOutOfRange:
			old := ts < now-s.c.retentionMillis
			s.dropNow(func(d *Dropped) {
				if old {
					d.TooOld++
				} else {
					d.TooNew++
				}
			})
			return ErrOutOfRange
		case ClampOutOfRange:
			if ts < now {
				ts = now - s.c.retentionMillis + time.Minute.Milliseconds()
			} else {
				ts = now + MaxFuture.Milliseconds()
			}
			s.mu.Lock()
			s.st.Clamped++
			s.mu.Unlock()
		}
	}
	if len(msg) <= s.c.maxMessage {
		return s.enqueue(ctx, ts, msg, mode)
	}
	switch s.c.oversize {
	case Drop:
		s.dropNow(func(d *Dropped) { d.TooLarge++ })
		return ErrTooLarge
	case Truncate:
		cut := utf8Cut(msg, s.c.maxMessage-len(s.c.marker))
		err := s.enqueue(ctx, ts, msg[:cut]+s.c.marker, mode)
		if err != errRetained { // a retained line is counted when offered again
			s.mu.Lock()
			s.st.Truncated++
			s.mu.Unlock()
		}
		return err
	}
	var err error
	// Parts of a long message are copies: a substring would keep the whole message alive,
	// beyond the buffer's bound, while any of its parts is buffered (a 32 MiB line pinned
	// 32 MiB). Up to sharedLinesMax, as the lines of a Write, they share it.
	clone := len(msg) > sharedLinesMax
	for first := true; len(msg) > 0; first = false {
		cut := utf8Cut(msg, s.c.maxMessage)
		part := msg[:cut]
		if clone {
			part = strings.Clone(part)
		}
		msg = msg[cut:]
		if !first {
			s.mu.Lock()
			s.st.Split++
			s.mu.Unlock()
		}
		if err == nil {
			err = s.enqueue(ctx, ts, part, mode)
			if err == errRetained {
				return err // nothing was taken (only the first part is offered so)
			}
			if mode == waitRetain {
				mode = waitLog // a later part cannot be given back
			}
			continue
		}
		// An earlier part was refused: the remaining parts are refused too.
		closed := err == ErrClosed
		s.dropNow(func(d *Dropped) {
			if closed {
				d.Closed++
			} else {
				d.BufferFull++
			}
		})
	}
	return err
}

// outOfRange reports whether timestamp ts (ms) is outside [now-Retention,
// now+MaxFuture], which the service would reject.
func (s *Shipper) outOfRange(ts, now int64) bool {
	return ts < now-s.c.retentionMillis || ts > now+MaxFuture.Milliseconds()
}

// dropNow counts an event refused before it was buffered.
func (s *Shipper) dropNow(f func(*Dropped)) {
	s.mu.Lock()
	s.st.Events++
	f(&s.st.Dropped)
	s.mu.Unlock()
}

// enqueue buffers one valid event, applying OnFull; mode says when a Block
// wait ends.
func (s *Shipper) enqueue(ctx context.Context, ts int64, msg string, mode waitMode) error {
	n := int64(len(msg)) + cwlogs.EventOverheadBytes
	sealedOthers := false
	s.mu.Lock()
	for {
		// Once Close started (closedFlag), events are refused, except
		// Close's own flush of Write's unfinished line.
		if s.closed || (s.closedFlag.Load() && mode != waitClose) {
			if mode == waitRetain {
				s.mu.Unlock()
				return errRetained
			}
			s.st.Events++
			s.st.Dropped.Closed++
			s.mu.Unlock()
			return ErrClosed
		}
		// Over the stream's own bound (MaxStreamBufferBytes), the buffer counts as full
		// for this stream alone. The bound holds the largest event, so an empty stream
		// always takes one.
		overShare := s.c.maxStreamBytes > 0 && s.st.QueuedBytes+n > s.c.maxStreamBytes
		var ok bool
		var wake <-chan struct{}
		switch {
		case !overShare:
			ok, wake = s.budget.reserve(n, s.c.onFull == Block)
		case s.c.onFull == Block:
			wake = s.budget.waiter() // this stream's room comes back as its batches finish
		}
		if ok {
			break
		}
		if s.c.onFull == Block || len(s.queue) == 0 {
			// The buffer is full: make sure what is buffered can leave before
			// waiting (Block); under the drop policies, when nothing waits for
			// a sender, send the batch being built now, or it would hold the
			// room it takes until FlushInterval while every new event is
			// refused or discards an older one.
			s.sealLocked()
		}
		if !overShare && !sealedOthers && s.budget.sealOthers != nil && s.budget.building.Load() > int64(len(s.cur.events)) {
			// The same for the other streams of a Mux, whose batches being
			// built may hold the room (once per call; not under s.mu, which
			// a stream never holds while it takes another's).
			sealedOthers = true
			s.mu.Unlock()
			s.budget.sealOthers(s)
			s.mu.Lock()
			continue
		}
		switch s.c.onFull {
		case DropOldest:
			if s.dropOldestLocked() {
				continue
			}
			fallthrough
		case DropNewest:
			s.st.Events++
			s.st.Dropped.BufferFull++
			s.mu.Unlock()
			return ErrBufferFull
		}
		// Block: wait for room.
		s.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			if mode == waitRetain {
				return errRetained
			}
			s.mu.Lock()
			s.st.Events++
			if mode == waitClose {
				s.st.Dropped.Closed++
				s.mu.Unlock()
				return ErrClosed
			}
			s.st.Dropped.BufferFull++
			s.mu.Unlock()
			return ctx.Err()
		}
		s.mu.Lock()
	}
	if cap(s.cur.events) == 0 { // released while idle (see sender)
		s.cur = getBatch()
	}
	b := s.cur
	if len(b.events) > 0 && (!s.fitsLocked(n) || ts-b.minTS >= spanMillis || b.maxTS-ts >= spanMillis) {
		s.sealLocked()
		b = s.cur
	}
	if len(b.events) == 0 {
		// This event starts the batch (which may have been sealed by this call, by a
		// full buffer, by the timer or by another stream): take the reading the events
		// joining it are checked against (see Options.Now).
		s.cachedNow.Store(s.c.now().UnixMilli())
	}
	b.add(ts, msg, n)
	s.budget.building.Add(1)
	s.st.Events++
	s.st.Queued++
	s.st.QueuedBytes += n
	if len(b.events) >= s.c.maxBatchEvents || b.bytes+cwlogs.EventOverheadBytes+1 > s.c.maxBatchBytes {
		s.sealLocked()
	} else if len(b.events) == 1 {
		s.freshNow.Store(false)
		s.armTimerLocked()
	}
	s.mu.Unlock()
	return nil
}

// spanMillis: a batch spans strictly less than 24 hours.
const spanMillis = int64(cwlogs.MaxBatchSpan / time.Millisecond)

// fits reports whether an event of size n fits the batch being built.
func (s *Shipper) fitsLocked(n int64) bool {
	return len(s.cur.events) < s.c.maxBatchEvents && s.cur.bytes+n <= s.c.maxBatchBytes
}

// dropOldestLocked discards the oldest buffered event not in flight, counts
// it and reports it to OnError. The batch it came from counts it in lost, for
// the Flush calls waiting for that batch.
func (s *Shipper) dropOldestLocked() bool {
	// enqueue sealed the batch being built before calling this, so the
	// oldest events are in the queue (or in flight, out of reach).
	if len(s.queue) == 0 {
		return false
	}
	b := s.queue[0]
	n := int64(len(b.events[0].Message)) + cwlogs.EventOverheadBytes
	b.events[0] = cwlogs.InputLogEvent{}
	b.events = b.events[1:]
	b.bytes -= n
	s.st.Queued--
	s.st.QueuedBytes -= n
	s.st.Dropped.BufferFull++
	s.setErrLocked(ErrBufferFull)
	if s.c.onError != nil {
		// Add to a discard report still queued only while it is the last
		// report (the reporter takes a report before passing it on), so that
		// reports stay in the order of the losses.
		var d *DiscardError
		if k := len(s.reports); k > 0 {
			d, _ = s.reports[k-1].(*DiscardError)
		}
		if d == nil {
			d = &DiscardError{Group: s.group, Stream: s.stream}
			s.reportLocked(d)
		}
		d.Events++
		d.Bytes += n
	}
	s.budget.release(n, 1)
	if len(b.events) == 0 {
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.batchDoneLocked(b, 1+b.lost, Rejected{}, ErrBufferFull)
		putBatch(b)
	} else {
		b.lost++
	}
	return true
}

// sealLocked moves the batch being built to the send queue.
func (s *Shipper) sealLocked() {
	b := s.cur
	if len(b.events) == 0 {
		return
	}
	b.sortStable()
	b.seq = s.nextSeq
	s.nextSeq++
	s.open++
	s.queue = append(s.queue, b)
	s.budget.building.Add(-int64(len(b.events)))
	s.cur = getBatch()
	s.freshNow.Store(true)
	if s.senders < s.c.concurrency {
		s.senders++
		s.wg.Add(1)
		go s.sender()
	}
}

func (s *Shipper) armTimerLocked() {
	s.curSince = time.Now()
	if s.timerArmed || s.closed {
		return
	}
	s.timerArmed = true
	if s.timer == nil {
		s.timer = time.AfterFunc(s.c.flushInterval, s.onTimer)
	} else {
		s.timer.Reset(s.c.flushInterval)
	}
}

func (s *Shipper) onTimer() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timerArmed = false
	if s.closed || len(s.cur.events) == 0 {
		return
	}
	if wait := s.c.flushInterval - time.Since(s.curSince); wait > time.Millisecond {
		s.timerArmed = true
		s.timer.Reset(wait)
		return
	}
	s.sealLocked()
}

// Write implements io.Writer: each complete line of p (without its "\n" and
// a trailing "\r") becomes one event stamped with the current time. Empty
// lines are skipped. An unfinished last line is kept until its newline
// arrives, or Flush or Close; one longer than the message limit is emitted
// as it stands (following Oversize) and the rest of the line becomes a new
// event. Write returns len(p) and nil once the lines are handled, events
// refused by policy being counted in Stats. With OnFull Block it may wait for
// room, like Log.
//
// After Close, Write returns 0 and ErrClosed; when Close starts during a
// Write, Write returns len(p) and ErrClosed. Either way each line of p that
// was not taken, the unfinished last one included, is counted in Stats as
// Log after Close counts its message (an event in Events and
// Dropped.Closed, or more under Oversize), so no line is refused uncounted.
func (s *Shipper) Write(p []byte) (int, error) {
	if s.closedFlag.Load() {
		s.refuseLines(p)
		return 0, ErrClosed
	}
	if s.testHookWriteWindow != nil {
		s.testHookWriteWindow()
	}
	_ = s.wmu.lock(context.Background())
	defer s.wmu.unlock()
	// Again under wmu: Close sets closedFlag before it takes wmu to flush the partial line,
	// so a Write that gets here after that flush refuses instead of leaving an unfinished
	// line that nobody would send.
	if s.closedFlag.Load() {
		s.refuseLines(p)
		return 0, ErrClosed
	}
	t := s.c.now()
	data := p
	if len(s.partial) > 0 {
		i := indexNL(data)
		if i < 0 {
			s.partial = append(s.partial, data...)
			return len(p), s.spillPartialLocked(t)
		}
		s.partial = append(s.partial, data[:i]...)
		line := string(s.partial)
		s.partial = s.partial[:0]
		s.shrinkPartial()
		if err := s.writeLine(context.Background(), t, line, waitLog); err == ErrClosed {
			s.refuseLines(data[i+1:])
			return len(p), err
		}
		data = data[i+1:]
	}
	if last := lastIndexNL(data); last >= 0 {
		// Up to sharedLinesMax the complete lines share one allocation; beyond, each line
		// gets its own, so that the lines kept in the buffer do not pin the memory of those
		// dropped or refused (an 8 MiB Write held 8 MiB for 64 KiB kept).
		var all string
		shared := last < sharedLinesMax
		if shared {
			all = string(data[:last+1])
		}
		rest := data[:last+1]
		for len(rest) > 0 {
			i := indexNL(rest)
			var line string
			if shared {
				off := last + 1 - len(rest)
				line = all[off : off+i]
			} else {
				line = string(rest[:i])
			}
			rest = rest[i+1:]
			if err := s.writeLine(context.Background(), t, line, waitLog); err == ErrClosed {
				s.refuseLines(data[last+1-len(rest):]) // the lines after this one
				return len(p), err
			}
		}
		data = data[last+1:]
	}
	if len(data) > 0 {
		s.partial = append(s.partial, data...)
		return len(p), s.spillPartialLocked(t)
	}
	return len(p), nil
}

// refuseLines counts the lines of p, the unfinished last one included, as
// events refused after Close, the way Log after Close counts its message.
func (s *Shipper) refuseLines(p []byte) {
	t := s.c.now()
	for len(p) > 0 {
		line := p
		p = nil
		if i := indexNL(line); i >= 0 {
			line, p = line[:i], line[i+1:]
		}
		_ = s.writeLine(context.Background(), t, string(line), waitLog) // refused: closedFlag is set
	}
}

func (s *Shipper) writeLine(ctx context.Context, t time.Time, line string, mode waitMode) error {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if line == "" {
		return nil
	}
	return s.log(ctx, t, line, mode)
}

// spillPartialLocked emits an unfinished line that reached the limit. It
// returns ErrClosed when Close refused it, else nil (other refusals are
// counted in Stats).
func (s *Shipper) spillPartialLocked(t time.Time) error {
	if len(s.partial) <= s.c.maxMessage {
		return nil
	}
	// Keep an unfinished UTF-8 sequence, or a '\r', at the end for the next Write.
	keep := linecut.Keep(s.partial)
	line := string(s.partial[:len(s.partial)-keep])
	s.partial = append(s.partial[:0], s.partial[len(s.partial)-keep:]...)
	s.shrinkPartial()
	if line != "" && s.LogContext(context.Background(), t, line) == ErrClosed {
		// The kept bytes belong to the refused Write: refuse (and count) them
		// too, rather than leave them for Close to send.
		s.refuseLines(s.partial)
		s.partial = s.partial[:0]
		return ErrClosed
	}
	return nil
}

// flushPartial emits Write's unfinished last line; ctx and mode bound the
// wait for wmu and a Block wait for room. It returns ctx.Err() when ctx ended
// before the line was taken (in waitRetain mode the line then stays
// unfinished), else nil.
func (s *Shipper) flushPartial(ctx context.Context, mode waitMode) error {
	lockCtx := ctx
	if mode == waitClose {
		// Close must reach the line to send or count it; the holders of wmu
		// stop waiting once Close has started.
		lockCtx = context.Background()
	}
	if err := s.wmu.lock(lockCtx); err != nil {
		return err
	}
	defer s.wmu.unlock()
	if len(s.partial) == 0 {
		return nil
	}
	line := string(s.partial)
	if s.writeLine(ctx, s.c.now(), line, mode) == errRetained {
		if err := ctx.Err(); err != nil {
			return err
		}
		return ErrClosed // Close started: it sends (or counts) the line, not this Flush
	}
	s.partial = s.partial[:0]
	return nil
}

// sharedLinesMax is the size up to which the complete lines of one Write share one
// allocation; beyond it each line gets its own.
const sharedLinesMax = 64 << 10

// shrinkPartial lets go of a backing array that one huge Write grew, so that it is not
// held for the shipper's life.
func (s *Shipper) shrinkPartial() {
	if cap(s.partial) > 2*(s.c.maxMessage+utf8.UTFMax) {
		s.partial = append([]byte(nil), s.partial...)
	}
}

// flushWaiter is a Flush call waiting for the batches sealed before it.
type flushWaiter struct {
	target    uint64 // batches with seq < target
	remaining int
	failed    int64
	rejected  Rejected // of failed, those the service rejected
	lastErr   error
	done      chan struct{}
}

// Flush sends every event offered before the call (including Write's
// unfinished line) and waits until their batches are finished. It returns nil
// when all were stored and no event was lost since the last Flush that
// returned after waiting (one that ctx did not cut short), a *FlushError
// counting those dropped (DropOldest discards included) or rejected — those
// it waited for, or the losses since that last Flush when more: a batch sent
// by FlushInterval that failed before this call is reported too, so that a
// nil Flush is a safe point for a checkpoint of what was offered before it —
// or ctx.Err() when ctx ends first
// (delivery goes on; when ctx ends while Flush waits for room for Write's
// unfinished line, or for a Write in progress, that line stays unfinished,
// to be sent later). It returns ErrClosed when Close starts while it waits so:
// Close then sends or counts that line.
func (s *Shipper) Flush(ctx context.Context) error {
	if err := s.flushPartial(ctx, waitRetain); err != nil {
		return err
	}
	s.mu.Lock()
	s.sealLocked()
	if s.open == 0 {
		defer s.mu.Unlock()
		return s.flushResultLocked(0, Rejected{}, nil)
	}
	w := &flushWaiter{target: s.nextSeq, remaining: s.open, done: make(chan struct{})}
	s.waiters = append(s.waiters, w)
	s.mu.Unlock()
	select {
	case <-w.done:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.flushResultLocked(w.failed, w.rejected, w.lastErr)
	case <-ctx.Done():
		s.mu.Lock()
		for i, x := range s.waiters {
			if x == w {
				s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// flushResultLocked is the result of a Flush that waited for its batches,
// failed of their events having been lost (err the last error): the
// losses since the last such Flush, which include those, are reported, each
// by one Flush at least.
func (s *Shipper) flushResultLocked(failed int64, rej Rejected, err error) error {
	earlier, earlierRej := s.unreported, s.unreportedRej
	s.unreported, s.unreportedRej = 0, Rejected{}
	if earlier > failed {
		failed, rej, err = earlier, earlierRej, s.lostErr
	}
	if failed > 0 {
		return &FlushError{Events: failed, Rejected: rej, Err: err}
	}
	return nil
}

// batchDoneLocked tells Flush waiters that batch b is finished with lost
// events not delivered.
func (s *Shipper) batchDoneLocked(b *batch, lost int64, rej Rejected, err error) {
	s.open--
	if lost > 0 {
		s.unreported += lost
		s.unreportedRej = s.unreportedRej.plus(rej)
		s.lostErr = err
	}
	keep := s.waiters[:0]
	for _, w := range s.waiters {
		if b.seq < w.target {
			w.remaining--
			if lost > 0 {
				w.failed += lost
				w.rejected = w.rejected.plus(rej)
				w.lastErr = err
			}
			if w.remaining == 0 {
				close(w.done)
				continue
			}
		}
		keep = append(keep, w)
	}
	for i := len(keep); i < len(s.waiters); i++ {
		s.waiters[i] = nil
	}
	s.waiters = keep
}

// Close stops accepting events (a Log, LogContext or Write waiting for room
// returns ErrClosed), sends Write's unfinished line and everything buffered
// and in flight until ctx ends, then abandons the rest and waits for the
// shipper's goroutines to exit, and for the OnError calls for the losses
// found meanwhile until ctx ends (then the reports not yet passed to OnError
// are dropped: their losses are in the CloseError, and only the OnError call
// in progress may outlive Close). It returns nil when every event offered
// over the shipper's life was stored, else a *CloseError with exact counts.
// Calling Close again waits for the first call and returns its result.
//
// Close may be called from Options.OnError, on the goroutine that runs
// OnError. It then does not wait for this shipper's OnError calls, as the
// one in progress cannot return before Close does: the reports still queued
// are passed to OnError once that call returns. (A Close that OnError starts
// on another goroutine and waits for is bounded by its ctx only.)
func (s *Shipper) Close(ctx context.Context) error {
	return s.close(ctx, s.reentrant(goid.ID()))
}

// close is Close; fromOnError says that it runs on the goroutine of an
// OnError call, of this shipper or of another of its Mux (see reentrant):
// then Close must not wait for OnError calls, which may be waiting for it.
func (s *Shipper) close(ctx context.Context, fromOnError bool) error {
	first := false
	s.closeOnce.Do(func() { first = true })
	if !first {
		wait := s.closeDone
		if fromOnError {
			wait = s.closeSettled
		}
		select {
		case <-wait:
			return s.closeErr
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Refuse events from now on (first: see Write) and end every Block wait
	// for room (a Write waiting holds wmu, which flushPartial needs), so that
	// nothing but ctx bounds how long Close waits. The flag is set under mu,
	// ordered with the Block waiters' reserve.
	s.mu.Lock()
	s.closedFlag.Store(true)
	s.mu.Unlock()
	s.budget.broadcast()
	// Write accepted its unfinished line: send it, waiting for room until ctx ends.
	_ = s.flushPartial(ctx, waitClose)
	s.mu.Lock()
	s.closed = true
	s.sealLocked()
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	var ctxErr error
	select {
	case <-done:
	case <-ctx.Done():
		ctxErr = ctx.Err()
		s.cancel()
		<-done
	}
	s.cancel()
	s.mu.Lock()
	st := s.statsLocked()
	unsent, unconfirmed := s.unsent, s.unconfirmed
	s.mu.Unlock()
	if st.Lost() > 0 {
		err := ctxErr
		if err == nil {
			err = st.LastError
		}
		s.closeErr = &CloseError{Unsent: unsent, Unconfirmed: unconfirmed, Stats: st, Err: err}
	}
	close(s.closeSettled)
	// No report is queued from now on: the senders are gone and events are
	// refused. Wait for OnError to see the queued ones until ctx ends, unless
	// this is this shipper's OnError goroutine.
	go func() { s.rwg.Wait(); close(s.closeDone) }()
	s.mu.Lock()
	reporting := s.reporting
	s.mu.Unlock()
	if !reporting || fromOnError {
		return s.closeErr
	}
	select {
	case <-s.closeDone:
		return s.closeErr
	case <-ctx.Done():
	}
	// Give up on the queued reports (their losses are in the CloseError's
	// Stats): only the OnError call in progress may outlive Close.
	s.mu.Lock()
	s.reportsDropped = true
	s.mu.Unlock()
	ce, ok := s.closeErr.(*CloseError)
	if !ok { // nothing was lost, so nothing was left to report
		return s.closeErr
	}
	if ce.Err == ctx.Err() {
		return s.closeErr
	}
	cp := *ce
	cp.Err = ctx.Err()
	return &cp
}

// reportLocked queues err for OnError and starts the reporter goroutine if
// it is not running.
func (s *Shipper) reportLocked(err error) {
	if s.c.onError == nil {
		return
	}
	s.reports = append(s.reports, err)
	if !s.reporting {
		s.reporting = true
		s.rwg.Add(1)
		go s.reporter()
	}
}

// reporter passes the queued reports to OnError, in order, then exits. It
// runs apart from the senders and holds no lock during the calls, so that
// OnError may call the shipper's methods (see reentrant).
func (s *Shipper) reporter() {
	defer s.rwg.Done()
	id := goid.ID()
	s.mu.Lock()
	s.reporterID = id
	s.mu.Unlock()
	for {
		s.mu.Lock()
		if len(s.reports) == 0 || s.reportsDropped {
			s.reports = nil
			s.reporting = false
			s.mu.Unlock()
			return
		}
		err := s.reports[0]
		if _, ok := err.(*DiscardError); ok {
			// Left at the head of the queue while it waits, it takes in the
			// discards made meanwhile (see dropOldestLocked).
			if wait := time.Until(s.lastDiscard.Add(s.c.discardEvery)); wait > 0 && !s.closed {
				s.mu.Unlock()
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-s.closeSettled: // no discard comes after Close has started
				}
				t.Stop()
				continue
			}
			s.lastDiscard = time.Now()
		}
		s.reports[0] = nil
		s.reports = s.reports[1:]
		s.mu.Unlock()
		s.c.onError(err)
	}
}

// reentrant reports whether the goroutine caller (the one that called Close,
// or Mux.Close) is this shipper's reporter, which runs only OnError: Close
// must then not wait for the reporter, which is its caller (goroutine ids are
// never reused). Go has no API for a goroutine's identity: internal/goid
// reads it from runtime.Stack, about a microsecond, once per Close and once
// each time a reporter goroutine starts.
func (s *Shipper) reentrant(caller uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return caller != 0 && s.reporterID == caller
}

// Stats returns a snapshot of the counters.
func (s *Shipper) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statsLocked()
}

func (s *Shipper) statsLocked() Stats { return s.st }

func (s *Shipper) setErrLocked(err error) {
	s.st.LastError = err
	s.st.LastErrorTime = time.Now()
}
