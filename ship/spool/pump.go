package spool

import (
	"errors"
	"io"
	"os"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
)

// The pump reads the records in order from disk and hands them to the
// destination; every FlushInterval or FlushBytes (sooner on Flush and Close)
// it flushes the destination and, when Flush returns nil, writes the
// checkpoint and deletes the segments it passed. When a delivery fails it
// goes back to the checkpoint and sends the same records again after a
// pause.
//
// Accounting: every record is settled once, delivered or dropped for a
// reason. Spool.readSeq splits the records: those before it were taken by
// the pump and are settled with their window (the records taken since the
// checkpoint) — delivered when the window's Flush returns nil, sent again
// when it fails, or dropped when their segment was dropped meanwhile; those
// from readSeq on are settled by DropOldest when it drops their segment.

// runKind says what became of a run of records taken by the pump.
type runKind int

const (
	runHanded  runKind = iota // taken by the destination
	runRefused                // refused for good by the destination
	runCorrupt                // missing from the segment (damaged)
)

// run is a range of consecutive sequence numbers of one segment that the
// pump took in the current window.
type run struct {
	seg    *segment
	lo, hi uint64
	kind   runKind
}

// maxRuns bounds the runs of a window: the pump flushes when it reaches it.
const maxRuns = 1024

type pump struct {
	s    *Spool
	pos  position // the next record to read
	ckpt position // the last checkpoint (the pump's copy of Spool.ckpt)
	r    segReader
	rseg *segment // the segment r reads

	window      []run
	handed      int64 // records taken by the destination in the window
	handedBytes int64 // their size as ship counts it (message + 26)
	since       time.Time
	// replayEnd: while the pump sends a failed window again, its end; the
	// pump flushes when it gets there.
	replayEnd   uint64
	failures    int    // consecutive failed deliveries (for the pause)
	replays     int    // failed Flush calls of the window (for MaxReplays)
	highWater   uint64 // the sequence number after the highest one taken
	lastRefusal error
	// readFails counts the consecutive failed reads at readFailAt.
	readFails  int
	readFailAt position
	skipWater  uint64 // the sequence number after the highest one skipped as unreadable
}

// readAttempts is how many reads of a segment at one place fail in a row
// (a pause after each, as after a failed delivery) before the pump skips
// the records the segment holds from there (see the package documentation).
const readAttempts = 8

// readFailed counts a failed read at p.pos and returns how many failed in
// a row there.
func (p *pump) readFailed() int {
	if p.readFails == 0 || p.readFailAt != p.pos {
		p.readFails, p.readFailAt = 0, p.pos
	}
	p.readFails++
	return p.readFails
}

func (p *pump) run() {
	s := p.s
	defer close(s.pumpDone)
	defer p.stop()
	p.ckpt = p.pos
	p.r.done = s.runCtx.Done()
	for s.runCtx.Err() == nil {
		if seg, rec, n, ok := p.next(); ok {
			p.hand(seg, rec, n)
			continue
		}
		s.mu.Lock()
		if hook := s.noneHook; hook != nil {
			s.mu.Unlock()
			hook()
			s.mu.Lock()
		}
		final := s.final
		now := s.closing || s.flushTarget > p.ckpt.Seq
		s.mu.Unlock()
		if len(p.window) > 0 || p.pos != p.ckpt {
			if now || p.handed == 0 || time.Since(p.since) >= s.c.flushInterval {
				p.flush()
				continue
			}
			p.wait(time.Until(p.since.Add(s.c.flushInterval)))
			continue
		}
		if final {
			// A record written after next found none, before Close set final (no
			// record comes after that): hand it, rather than leave it on disk.
			if seg, rec, n, ok := p.next(); ok {
				p.hand(seg, rec, n)
				continue
			}
			return // Close wrote its last record, and all were delivered
		}
		p.wait(-1)
	}
}

// stop settles, when Close gave up, the records of the window that cannot
// be sent again: those of segments dropped meanwhile (the others stay on
// disk, for the next Open).
func (p *pump) stop() {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p.settleDroppedLocked()
}

// settleDroppedLocked settles the runs of the window whose segment was
// dropped, which cannot be sent again (the records of the segment that the
// pump had not taken were settled when it was dropped).
func (p *pump) settleDroppedLocked() {
	for _, r := range p.window {
		if r.seg.dropped {
			p.s.settleLocked(lostFor(r.kind), r.lo, r.hi, p.lastRefusal)
		}
	}
}

// wait waits for a signal (new records, Flush, Close), for d when d ≥ 0,
// or until Close gives up.
func (p *pump) wait(d time.Duration) {
	var tc <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		tc = t.C
	}
	select {
	case <-p.s.wake:
	case <-tc:
	case <-p.s.runCtx.Done():
	}
}

// pause waits out the backoff after a failure, or until Close gives up. A
// pause that started before Close ends when Close starts, so that the pump
// tries once more before Close's ctx ends, however long the backoff.
func (p *pump) pause() {
	closing := p.s.closeCh
	select {
	case <-closing:
		closing = nil // Close already cut a pause: wait this one out
	default:
	}
	t := time.NewTimer(p.s.c.backoff(max(p.failures, 1)))
	defer t.Stop()
	select {
	case <-t.C:
	case <-closing:
	case <-p.s.runCtx.Done():
	}
}

// next returns the next record to hand, with p.pos moved to it, passing
// exhausted segments and damaged data; false when none is readable now.
func (p *pump) next() (*segment, record, int, bool) {
	s := p.s
	for s.runCtx.Err() == nil {
		s.mu.Lock()
		seg, nxt := s.findLocked(p.pos.Segment)
		if seg == nil {
			s.mu.Unlock()
			if nxt == nil {
				return nil, record{}, 0, false // not created yet
			}
			p.enter(nxt) // the pump's segment was dropped: its records were settled
			continue
		}
		limit, end, bound, gapEnd := seg.size, seg.end, seg.endBound, seg.gapEnd
		if seg.torn > 0 {
			limit = seg.torn
		}
		s.mu.Unlock()
		if p.rseg != seg {
			p.r.reset(seg.path)
			p.rseg = seg
			p.checkHeader(seg, limit)
		}
		if p.pos.Offset >= limit {
			if bound {
				// Its last record read: its end is known now.
				if !p.settleBound(seg, p.pos.Seq) {
					continue
				}
				end, gapEnd = min(end, p.pos.Seq), max(end, gapEnd)
			}
			if p.pos.Seq >= end && p.pos.Seq < gapEnd {
				p.pos.Seq = gapEnd // numbers no record had (settleBound)
			}
			if nxt == nil {
				return nil, record{}, 0, false // the end of the segment being written
			}
			if p.pos.Seq < end { // records missing at the end of the segment
				if !p.take(seg, p.pos.Seq, end) {
					continue
				}
				p.corrupt(seg, limit, 0, p.pos.Seq, end, nil)
				p.pos.Seq = end
			}
			p.enter(nxt)
			continue
		}
		rec, at, n, ok, err := p.r.next(p.pos.Offset, limit, p.pos.Seq)
		cut := false
		if err != nil && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, os.ErrNotExist)) {
			// The file is shorter than its records, or gone: unless DropOldest
			// removed it, damage (it was cut or deleted behind the spool's back).
			s.mu.Lock()
			dropped := seg.dropped
			s.mu.Unlock()
			if dropped {
				continue
			}
			err, ok, cut = nil, false, true
		}
		if err != nil {
			s.mu.Lock()
			dropped := seg.dropped
			if !dropped {
				s.reportLocked(&Error{Op: "read", Path: seg.path, Err: err})
			}
			s.mu.Unlock()
			if dropped {
				continue
			}
			// Deliver what was read before, rather than have it wait for
			// this record to be read or skipped (minutes), or be sent again
			// by the next Open should Close give up meanwhile.
			if len(p.window) > 0 || p.pos != p.ckpt {
				if !p.flush() {
					continue // it failed: back to the checkpoint, after a pause
				}
			}
			if p.readFailed() < readAttempts {
				p.failures++
				p.pause()
				continue
			}
			// Unreadable for good: skip the record here when its header can
			// be read, else the bytes up to the next record that validates
			// past them (searched from the next readable page), else what
			// the segment holds from here.
			to, hi := limit, max(end, p.pos.Seq)
			if n, ok := p.r.sizeAt(p.pos.Offset, limit, p.pos.Seq); ok {
				to, hi = p.pos.Offset+n, p.pos.Seq+1
			} else if rec, at, _, ok, _ := p.r.resync(p.pos.Offset, alignUp(p.pos.Offset+1), limit, p.pos.Seq, true); ok {
				to, hi = at, rec.seq
			} else if s.runCtx.Err() != nil {
				continue // Close gave up during the search: the records stay for the next Open
			} else if bound {
				// The rest of a segment whose end is not known: at most as
				// many records as its bytes can hold.
				hi = min(hi, p.pos.Seq+uint64((limit-p.pos.Offset)/minRecordSize))
				if !p.settleBound(seg, hi) {
					continue
				}
			}
			if !p.take(seg, p.pos.Seq, hi) {
				continue
			}
			p.corrupt(seg, p.pos.Offset, to-p.pos.Offset, p.pos.Seq, hi, err)
			p.pos.Offset, p.pos.Seq = to, hi
			// A bad block holds several records: the next one, if it cannot
			// be read either, is skipped at once.
			p.readFails = 0
			if to < limit {
				p.readFails, p.readFailAt = readAttempts-1, p.pos
			}
			continue
		}
		p.readFails = 0
		if !ok { // damaged up to the limit
			hi := max(end, p.pos.Seq)
			if bound {
				if !cut {
					// In a segment whose end Open could not read, a torn
					// end, which it would have cut (see recoverLast).
					p.tornEnd(seg, limit)
					continue
				}
				// Its bytes are gone: at most as many records as they held.
				hi = min(hi, p.pos.Seq+uint64((limit-p.pos.Offset)/minRecordSize))
				if !p.settleBound(seg, hi) {
					continue
				}
			}
			if !p.take(seg, p.pos.Seq, hi) {
				continue
			}
			p.corrupt(seg, p.pos.Offset, limit-p.pos.Offset, p.pos.Seq, hi, nil)
			p.pos.Offset, p.pos.Seq = limit, hi
			continue
		}
		if at > p.pos.Offset || rec.seq > p.pos.Seq {
			// Damaged bytes, or records missing, before this record.
			if !p.take(seg, p.pos.Seq, rec.seq) {
				continue
			}
			p.corrupt(seg, p.pos.Offset, at-p.pos.Offset, p.pos.Seq, rec.seq, nil)
			p.pos.Offset, p.pos.Seq = at, rec.seq
		}
		return seg, rec, n, true
	}
	return nil, record{}, 0, false
}

// settleBound makes the end of seg, whose end Open could not read
// (endBound), exact: its records end before seq (the pump read its last
// record, or skipped the rest as unreadable counting as many records as
// those bytes can hold), so the sequence numbers from seq to seg.end belong
// to no record: they leave Recovered and Pending, where Open counted them.
// False when seg was dropped meanwhile.
func (p *pump) settleBound(seg *segment, seq uint64) bool {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return p.settleBoundLocked(seg, seq)
}

// settleBoundLocked is settleBound under s.mu.
func (p *pump) settleBoundLocked(seg *segment, seq uint64) bool {
	s := p.s
	if seg.dropped {
		return false
	}
	if seg.endBound && seq < seg.end {
		n := int64(seg.end - seq)
		s.st.Recovered -= n
		s.st.Pending -= n
		seg.end, seg.gapEnd = seq, seg.end
	}
	seg.endBound = false
	return true
}

// tornEnd handles the bytes from p.pos to limit of seg, whose end Open could
// not read, in which no record validates: a torn end, as Open would have
// cut it (Stats.TornBytes, a *CorruptError with Truncated set, no record
// counted). The pump reads seg up to it from now on; the file keeps it
// until the segment is deleted. Nothing is counted or reported when seg
// was dropped: the end is settled and the torn bytes counted under one hold
// of s.mu, so that DropOldest cannot delete seg in between (its records
// were settled then, and the file is gone).
func (p *pump) tornEnd(seg *segment, limit int64) {
	s := p.s
	if beforeTornEnd != nil {
		beforeTornEnd(s, seg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !p.settleBoundLocked(seg, p.pos.Seq) {
		return
	}
	seg.torn = p.pos.Offset
	s.st.TornBytes += limit - p.pos.Offset
	s.reportLocked(&CorruptError{Path: seg.path, Offset: p.pos.Offset, Bytes: limit - p.pos.Offset, Truncated: true})
}

// findLocked returns the segment whose first record is first (nil if it was
// dropped or is not created yet) and the segment after it (or after where
// it was).
func (s *Spool) findLocked(first uint64) (seg, next *segment) {
	for i, g := range s.segs {
		switch {
		case g.first == first:
			if i+1 < len(s.segs) {
				next = s.segs[i+1]
			}
			return g, next
		case g.first > first:
			return nil, g
		}
	}
	return nil, nil
}

// enter moves the pump to the start of seg.
func (p *pump) enter(seg *segment) {
	p.pos = position{Segment: seg.first, Offset: segHeaderSize, Seq: max(p.pos.Seq, seg.first)}
	s := p.s
	s.mu.Lock()
	if !seg.dropped {
		s.readSeq = max(s.readSeq, p.pos.Seq)
	}
	s.mu.Unlock()
}

// checkHeader reports a damaged segment header (the records after it are
// read all the same). A header that cannot be read is not reported as
// damaged: reading the records fails the same way, and next handles that.
func (p *pump) checkHeader(seg *segment, limit int64) {
	if limit < segHeaderSize || p.pos.Seq < p.highWater {
		return
	}
	h, err := p.r.peek(0, segHeaderSize, limit)
	if err != nil || checkSegHeader(h) == nil {
		return
	}
	s := p.s
	s.mu.Lock()
	if !seg.dropped {
		s.reportLocked(&CorruptError{Path: seg.path, Offset: 0, Bytes: segHeaderSize})
	}
	s.mu.Unlock()
}

// take marks the records [lo, hi) of seg, missing (damaged), as taken by
// the pump and adds them to the window; false when seg was dropped
// meanwhile (they were settled then).
func (p *pump) take(seg *segment, lo, hi uint64) bool {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if seg.dropped {
		return false
	}
	s.readSeq = max(s.readSeq, hi)
	p.add(seg, lo, hi, runCorrupt)
	return true
}

// claim marks the record seq of seg as taken by the pump, before it is
// handed to the destination, so that DropOldest does not count it: from now
// on its window settles it. False when seg was dropped meanwhile. It also
// returns the target of the Flush calls waiting, read under the same lock
// (a Flush that comes while the record is handed is seen with the next
// record, or when the pump runs out of records).
func (p *pump) claim(seg *segment, seq uint64) (ok bool, flushTarget uint64) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if seg.dropped {
		return false, 0
	}
	s.readSeq = max(s.readSeq, seq+1)
	s.st.Handed++
	if seq < p.highWater {
		s.st.Replayed++
	}
	return true, s.flushTarget
}

// add adds the records [lo, hi) of seg to the window as kind.
func (p *pump) add(seg *segment, lo, hi uint64, kind runKind) {
	if hi <= lo {
		return
	}
	if k := len(p.window); k > 0 && p.window[k-1].seg == seg && p.window[k-1].kind == kind && p.window[k-1].hi == lo {
		p.window[k-1].hi = hi
		return
	}
	p.window = append(p.window, run{seg: seg, lo: lo, hi: hi, kind: kind})
}

// lostFor is the reason a run of kind is dropped for when it cannot be
// sent again.
func lostFor(kind runKind) lostReason {
	switch kind {
	case runRefused:
		return lostRefused
	case runCorrupt:
		return lostCorrupt
	}
	return lostOldest
}

// corrupt reports damaged data the first time the pump gets there, or data
// it could not read (cause, the read error) the first time it skips it:
// records read before, then skipped when a failed delivery made the pump
// read them again, were never reported.
func (p *pump) corrupt(seg *segment, off, n int64, lo, hi uint64, cause error) {
	switch {
	case cause != nil:
		if hi <= p.skipWater {
			return // skipped before, and reported then
		}
		p.skipWater = hi
	case hi <= p.highWater && (hi > lo || lo < p.highWater):
		return // read before, and reported then
	}
	p.highWater = max(p.highWater, hi)
	s := p.s
	s.mu.Lock()
	s.reportLocked(&CorruptError{Path: seg.path, Offset: off, Bytes: n, Records: int64(hi - lo), Err: cause})
	s.mu.Unlock()
}

// refused reports whether err from the destination's LogContext refuses a
// record for good.
func refused(err error) bool {
	return errors.Is(err, ErrRefused) || errors.Is(err, ship.ErrEmpty) ||
		errors.Is(err, ship.ErrOutOfRange) || errors.Is(err, ship.ErrTooLarge)
}

// hand hands the record at p.pos to the destination.
func (p *pump) hand(seg *segment, rec record, n int) {
	s := p.s
	ok, target := p.claim(seg, rec.seq)
	if !ok {
		return // its segment was dropped; next moves on
	}
	msg := string(rec.msg)
	err := s.dst.LogContext(s.runCtx, time.UnixMilli(rec.ts), msg)
	switch {
	case err == nil:
		p.add(seg, rec.seq, rec.seq+1, runHanded)
		p.handed++
		p.handedBytes += int64(len(msg)) + cwlogs.EventOverheadBytes
		if p.handed == 1 {
			p.since = time.Now()
		}
	case refused(err):
		p.add(seg, rec.seq, rec.seq+1, runRefused)
		p.lastRefusal = err
	default:
		p.notTaken(seg, rec, err)
		return
	}
	p.highWater = max(p.highWater, rec.seq+1)
	p.pos.Offset += int64(n)
	p.pos.Seq = rec.seq + 1
	if n > readChunk {
		p.r.shrink()
	}
	if p.handedBytes >= s.c.flushBytes || len(p.window) >= maxRuns ||
		(p.handed > 0 && time.Since(p.since) >= s.c.flushInterval) ||
		(p.replayEnd > p.ckpt.Seq && p.pos.Seq >= p.replayEnd) ||
		(target > p.ckpt.Seq && p.pos.Seq >= target) {
		p.flush()
	}
}

// notTaken handles a record the destination did not take for now: it is
// given back, what was taken before it is flushed, and the pump pauses
// before trying it again.
func (p *pump) notTaken(seg *segment, rec record, err error) {
	s := p.s
	s.mu.Lock()
	if seg.dropped {
		// Taken when its segment was dropped: its settling falls to the pump.
		s.settleLocked(lostOldest, rec.seq, rec.seq+1, nil)
		p.pos.Seq = rec.seq + 1
	} else {
		s.readSeq = rec.seq
	}
	s.mu.Unlock()
	if len(p.window) > 0 || p.pos != p.ckpt {
		if !p.flush() {
			return // it failed: the pump went back to the checkpoint and paused
		}
	}
	if s.runCtx.Err() != nil {
		return
	}
	p.failures++
	s.mu.Lock()
	s.st.Failures++
	s.reportLocked(&DeliveryError{Failures: p.failures, Err: err})
	s.mu.Unlock()
	p.pause()
}

// flush flushes the destination when the window holds records it took and,
// when that succeeds, settles the window and writes the checkpoint; when it
// fails, the pump goes back to the checkpoint and pauses. It reports whether
// the checkpoint advanced.
func (p *pump) flush() bool {
	s := p.s
	var rejected int64
	var err error
	if p.handed > 0 {
		if err = s.dst.Flush(s.runCtx); err != nil {
			if rejected = rejectedForGood(err, p.handed); rejected == 0 {
				p.failed(err)
				return false
			}
			// Stored but the events the service refused for good: sending
			// the window again would store the rest again, and fail again.
		}
	}
	s.mu.Lock()
	p.settle(rejected, lostRefused, err)
	p.failures, p.replays = 0, 0
	p.commitLocked()
	return true
}

// rejectedForGood returns how many events of a window of handed events the
// destination's Flush error says the service refused for good while it
// stored the others: a *ship.FlushError whose every lost event it counts in
// its Rejected as too old or expired (too new ones may be accepted later),
// over any number of batches. 0 when err says anything else: the window is
// sent again.
func rejectedForGood(err error, handed int64) int64 {
	var fe *ship.FlushError
	if !errors.As(err, &fe) {
		return 0
	}
	r := fe.Rejected
	if r.TooNew > 0 || fe.Events != r.Total() || fe.Events > handed {
		return 0
	}
	return fe.Events
}

// failed handles a failed Flush: back to the checkpoint, or, past
// MaxReplays, past the window; then a pause.
func (p *pump) failed(err error) {
	s := p.s
	handed := p.handed
	p.failures++
	p.replays++
	s.mu.Lock()
	s.st.Failures++
	if s.runCtx.Err() == nil {
		s.reportLocked(&DeliveryError{Records: handed, Failures: p.failures, Err: err})
	}
	if s.c.maxReplays > 0 && p.replays > s.c.maxReplays {
		p.replays = 0
		p.settle(handed, lostReplayLimit, err)
		p.commitLocked()
	} else {
		p.settleDroppedLocked()
		p.resetWindow()
		p.replayEnd = max(p.replayEnd, p.pos.Seq)
		p.pos = p.ckpt
		s.readSeq = p.ckpt.Seq
		s.mu.Unlock()
	}
	p.pause()
}

// settle settles the window under s.mu: of its records taken by the
// destination, the first dropped ones are dropped for reason (with the
// error err), the others delivered. (The service refuses the oldest events
// of a batch, which ones beyond that is not known; past MaxReplays all of
// them are dropped.)
func (p *pump) settle(dropped int64, reason lostReason, err error) {
	s := p.s
	for _, r := range p.window {
		switch r.kind {
		case runHanded:
			lo := r.lo + min(uint64(dropped), r.hi-r.lo)
			dropped -= int64(lo - r.lo)
			s.settleLocked(reason, r.lo, lo, err)
			s.st.Delivered += int64(r.hi - lo)
			s.st.Pending -= int64(r.hi - lo)
		case runRefused:
			s.settleLocked(lostRefused, r.lo, r.hi, p.lastRefusal)
		case runCorrupt:
			s.settleLocked(lostCorrupt, r.lo, r.hi, nil)
		}
	}
	p.resetWindow()
	p.replayEnd = 0
}

func (p *pump) resetWindow() {
	clear(p.window)
	p.window = p.window[:0]
	p.handed, p.handedBytes = 0, 0
}

// commitLocked makes p.pos the checkpoint, writes it, and deletes the
// segments before it. It releases s.mu.
func (p *pump) commitLocked() {
	s := p.s
	pos := p.pos
	p.ckpt, s.ckpt = pos, pos
	s.st.Checkpoints++
	var del []string
	for len(s.segs) > 0 && s.segs[0].first < pos.Segment {
		seg := s.segs[0]
		s.segs[0] = nil
		s.segs = s.segs[1:]
		s.diskBytes -= seg.size
		del = append(del, seg.path)
	}
	if len(del) > 0 {
		close(s.room)
		s.room = make(chan struct{})
	}
	s.checkpointedLocked()
	s.mu.Unlock()
	if err := writeCheckpoint(s.dir, pos, s.c.sync != SyncNever); err != nil {
		s.mu.Lock()
		s.reportLocked(&Error{Op: "checkpoint", Path: s.dir, Err: err})
		s.mu.Unlock()
	}
	s.mu.Lock()
	for _, path := range del {
		s.removeLocked(path)
	}
	s.retryGarbageLocked()
	s.mu.Unlock()
}

// beforeTornEnd, when not nil (tests), runs as the pump is about to count a torn end:
// where DropOldest deleting the segment used to slip between settling its bound and
// counting its torn end.
var beforeTornEnd func(s *Spool, seg *segment)
