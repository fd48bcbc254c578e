package follow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/cwlogs/cwlogs/internal/atomicfile"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cwlogs/cwlogs/internal/linecut"
)

// cursor is the open file being read.
type cursor struct {
	f    *os.File
	info os.FileInfo // from f.Stat at open: the file's identity
	off  int64       // bytes read from f
}

// runner is the state of one Run.
type runner struct {
	*Follower
	cur       *cursor // nil while waiting for the path to name a file
	pend      []byte  // the unfinished last line read from cur
	buf       []byte
	rotating  bool      // the path names another file than cur
	rotateAt  time.Time // when that was first seen
	unflushed bool      // written since the last successful Flush, or held by a HoldingDestination
	pinned    bool      // a Flush failed: the checkpoint no longer advances
	// curBytes counts the bytes written to dst since cur was opened (or read
	// again from 0): a checkpoint of cur can stay before that many at most.
	curBytes int64
	// handAll: at stop, a HoldingDestination hands on all it holds instead of
	// dropping the record it holds for the next run to read again: no run
	// will (a Glob's file is gone), or it may hold bytes of a file read before
	// cur (the Flush at that file's end failed).
	handAll bool
	saved   *state // the state file's content
	lastCP  time.Time
	forceCP bool   // checkpoint at the next chance (new file)
	lastErr string // the last error reported about the path, not repeated
}

// errGone ends the loop of a Glob's Follower whose file is gone and drained.
var errGone = errors.New("follow: file gone")

func (r *runner) run(ctx context.Context) error {
	if err := r.start(); err != nil {
		r.closeCur()
		return err
	}
	err := r.loop(ctx)
	return errors.Join(err, r.stop(ctx, err))
}

// loop polls until ctx ends or a fatal error.
func (r *runner) loop(ctx context.Context) error {
	r.maybeCheckpoint(ctx) // the starting point, when new
	for {
		if err := r.poll(ctx); err != nil {
			if err == errGone {
				r.handAll = true // no run reads the file again
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		r.maybeCheckpoint(ctx)
		if !r.wait(ctx, r.c.poll) {
			return nil
		}
	}
}

// open opens name and returns its FileInfo.
func (r *runner) open(name string) (*os.File, os.FileInfo, error) {
	f, err := r.openFile(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// openAt makes f, read from offset off, the current file.
func (r *runner) openAt(f *os.File, fi os.FileInfo, off int64) error {
	if off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			f.Close()
			return &Error{Op: "open", Path: r.path, Err: err}
		}
	}
	r.cur = &cursor{f: f, info: fi, off: off}
	r.curBytes = 0
	if r.opened != nil {
		r.opened(fi)
	}
	r.rotating = false
	r.forceCP = true
	return nil
}

// start reads the state file and opens the file where following starts.
func (r *runner) start() error {
	var saved *state
	if r.c.state != "" && !r.c.stateDirSwept {
		// A crash between a checkpoint's temporary file and its rename leaves the file.
		dir, base := filepath.Split(r.c.state)
		if err := removeStaleTemps(filepath.Clean(dir), func(name string) bool { return atomicfile.IsTemp(name, base) }, time.Now()); err != nil {
			r.report(&Error{Op: "state", Path: r.path, Err: fmt.Errorf("removing the stale temporary files of %s: %w", r.c.state, err)})
		}
	}
	if r.c.state != "" {
		s, err := readState(r.c.state)
		if err != nil {
			return &Error{Op: "state", Path: r.path, Err: err}
		}
		if s != nil && s.Path != r.abs {
			return &Error{Op: "state", Path: r.path, Err: fmt.Errorf("%s is the state of %s, not of %s", r.c.state, s.Path, r.abs)}
		}
		saved, r.saved = s, s
	}
	f, fi, err := r.open(r.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &Error{Op: "open", Path: r.path, Err: err}
	}
	switch {
	case saved == nil:
		if f == nil {
			return nil // wait for the file, read from 0 when it appears
		}
		off := fi.Size()
		if r.c.fromStart {
			off = 0
		}
		return r.openAt(f, fi, off)
	case f != nil && saved.sameID(fi) && saved.sameHead(f):
		off := saved.Offset
		if fi.Size() < off {
			r.gap(GapShrunk, off)
			off = 0
		}
		return r.openAt(f, fi, off)
	}
	// Rotated or removed while stopped: finish the old file first, if found.
	if old, ofi := r.findOld(saved); old != nil {
		if f != nil {
			f.Close() // opened again when the old one is done
		}
		off := saved.Offset
		if ofi.Size() < off {
			r.gap(GapShrunk, off)
			off = 0
		}
		return r.openAt(old, ofi, off)
	}
	r.gap(GapOldFileMissing, saved.Offset)
	if f == nil {
		return nil
	}
	return r.openAt(f, fi, 0)
}

// findOld looks for the checkpointed file among the regular files of the
// path's directory (app.log.1, app.log-20250101, ...).
func (r *runner) findOld(s *state) (*os.File, os.FileInfo) {
	if s.ID == nil {
		return nil, nil
	}
	dir := filepath.Dir(r.path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		r.report(&Error{Op: "open", Path: r.path, Err: fmt.Errorf("looking for the rotated file: %w", err)})
		return nil, nil
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if id, ok := identityOf(fi); !ok || id != *s.ID {
			continue
		}
		f, fi, err := r.open(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if id, ok := identityOf(fi); ok && id == *s.ID && s.sameHead(f) {
			return f, fi
		}
		f.Close()
	}
	return nil, nil
}

// poll looks at the path once and reads what is new.
func (r *runner) poll(ctx context.Context) error {
	if r.cur == nil {
		f, fi, err := r.open(r.path)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				r.reportOnce(&Error{Op: "open", Path: r.path, Err: err})
			} else if r.drained(0) {
				return errGone
			}
			return nil
		}
		r.lastErr = ""
		if err := r.openAt(f, fi, 0); err != nil {
			return err
		}
		_, err = r.readToEOF(ctx)
		return err
	}
	pi, err := r.stat(r.path)
	err0 := err
	switch {
	case err == nil && os.SameFile(pi, r.cur.info):
		r.rotating, r.lastErr = false, ""
		if pi.Size() < r.cur.off {
			return r.truncated(ctx)
		}
		if pi.Size() > r.cur.off {
			_, err := r.readToEOF(ctx)
			return err
		}
		return nil
	case err == nil:
		// Another file at the path: read the old one while it grows.
		r.lastErr = ""
		n, err := r.readToEOF(ctx)
		if err != nil || ctx.Err() != nil {
			return err
		}
		now := time.Now()
		if !r.rotating {
			r.rotating, r.rotateAt = true, now
		}
		if (n == 0 && pi.Size() > 0) || now.Sub(r.rotateAt) >= r.c.rotateWait {
			return r.switchFile(ctx)
		}
		return nil
	default:
		// No file at the path (or it cannot be seen): keep the open one.
		if !errors.Is(err, fs.ErrNotExist) {
			r.reportOnce(&Error{Op: "stat", Path: r.path, Err: err})
		}
		r.rotating = false
		n, err := r.readToEOF(ctx)
		if err == nil && errors.Is(err0, fs.ErrNotExist) && r.drained(n) {
			return errGone
		}
		return err
	}
}

// drained reports whether a Glob's Follower should end, the path naming no
// file: the Glob found the path gone RotateWait ago or more, and the last
// read (n bytes) found nothing new.
func (r *runner) drained(n int64) bool {
	at := r.gone.Load()
	return at != 0 && n == 0 && time.Now().UnixNano()-at >= int64(r.c.rotateWait)
}

// closeCur closes the current file, if any, telling a Glob first (while
// the file is open, its inode cannot be reused).
func (r *runner) closeCur() {
	if r.cur == nil {
		return
	}
	if r.leaving != nil {
		r.leaving(r.cur.f)
	}
	r.cur.f.Close()
	r.cur = nil
}

// truncated starts the current file again at offset 0.
func (r *runner) truncated(ctx context.Context) error {
	if err := r.handPending(); err != nil {
		return err
	}
	r.endRecords(ctx)
	r.curBytes = 0
	r.gap(GapTruncated, r.cur.off)
	r.stats.truncations.Add(1)
	if _, err := r.cur.f.Seek(0, io.SeekStart); err != nil {
		return &Error{Op: "read", Path: r.path, Err: err}
	}
	r.cur.off = 0
	r.forceCP = true
	_, err := r.readToEOF(ctx)
	return err
}

// switchFile leaves the old file, read to its end, for the one at the path.
func (r *runner) switchFile(ctx context.Context) error {
	if err := r.handPending(); err != nil {
		return err
	}
	r.endRecords(ctx)
	r.closeCur()
	r.rotating = false
	r.stats.rotations.Add(1)
	f, fi, err := r.open(r.path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.reportOnce(&Error{Op: "open", Path: r.path, Err: err})
		}
		return nil // wait for it
	}
	if err := r.openAt(f, fi, 0); err != nil {
		return err
	}
	_, err = r.readToEOF(ctx)
	return err
}

// readToEOF reads the current file to its end (or until ctx ends) and hands
// the lines on; it returns the number of bytes read.
func (r *runner) readToEOF(ctx context.Context) (int64, error) {
	var total int64
	for ctx.Err() == nil {
		n, err := r.cur.f.Read(r.buf)
		if n > 0 {
			total += int64(n)
			r.cur.off += int64(n)
			if err := r.feed(r.buf[:n]); err != nil {
				return total, err
			}
			r.maybeCheckpoint(ctx)
		}
		if err == io.EOF || (err == nil && n == 0) {
			return total, nil
		}
		if err != nil {
			return total, &Error{Op: "read", Path: r.path, Err: err}
		}
	}
	return total, nil
}

// feed hands the complete lines of p on and keeps the unfinished last one,
// handing it on in pieces when it reaches MaxLineBytes.
func (r *runner) feed(p []byte) error {
	if i := bytes.LastIndexByte(p, '\n'); i >= 0 {
		lines := p[:i+1]
		if len(r.pend) > 0 {
			r.pend = append(r.pend, lines...)
			lines = r.pend
		}
		if err := r.write(lines, len(lines)); err != nil {
			return err
		}
		r.pend, p = r.pend[:0], p[i+1:]
	}
	r.pend = append(r.pend, p...)
	for max := r.c.maxLine; len(r.pend) >= max; {
		cut := max - linecut.Keep(r.pend[:max])
		if cut <= 0 {
			cut = max
		}
		if err := r.write(r.pend[:cut], cut); err != nil {
			return err
		}
		r.pend = append(r.pend[:0], r.pend[cut:]...)
	}
	return nil
}

// handPending hands the unfinished last line on, completed with "\n".
func (r *runner) handPending() error {
	if len(r.pend) == 0 {
		return nil
	}
	n := len(r.pend)
	if err := r.write(append(r.pend, '\n'), n); err != nil {
		return err
	}
	r.pend = r.pend[:0]
	return nil
}

// write hands p, holding n bytes of the file, to the destination.
func (r *runner) write(p []byte, n int) error {
	k, err := r.dst.Write(p)
	if err == nil && k < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return &Error{Op: "write", Path: r.path, Err: err}
	}
	r.unflushed = true
	r.curBytes += int64(len(p))
	r.stats.bytes.Add(int64(n))
	return nil
}

// holding returns the destination as a HoldingDestination when it is one and
// there is a state file: a checkpoint then stays before the record it holds.
func (r *runner) holding() (HoldingDestination, bool) {
	if r.c.state == "" {
		return nil, false
	}
	hd, ok := r.dst.(HoldingDestination)
	return hd, ok
}

// endRecords has a HoldingDestination hand on the record it holds, at the
// end of the content of a file (rotated, or truncated): a file's end ends its
// record, and what the destination holds afterwards is of the file read
// next, so that a checkpoint of that file can stay before it. When that
// Flush fails, the destination hands everything on at stop (handAll).
func (r *runner) endRecords(ctx context.Context) {
	if _, ok := r.holding(); !ok || !r.unflushed {
		return
	}
	if _, err := r.flush(ctx, true); err != nil {
		r.handAll = true
		if !cutShort(ctx, err) {
			r.report(err)
		}
	}
}

// flush delivers what was written since the last successful Flush: all of
// it, or, to a HoldingDestination (with a state file) unless all, all but
// the record it holds, whose size in bytes it returns. A failure pins the
// checkpoint, unless it was cut short by ctx (stop flushes again).
func (r *runner) flush(ctx context.Context, all bool) (held int64, err error) {
	if hd, ok := r.holding(); ok && !all {
		held, err = hd.FlushComplete(ctx)
	} else {
		err = r.dst.Flush(ctx)
	}
	if err != nil {
		if !cutShort(ctx, err) {
			// Events written before this Flush may be lost; a later Flush
			// would not say so: the checkpoint stays where it is.
			r.pinned = true
			r.stats.flushErrors.Add(1)
		}
		return 0, &Error{Op: "flush", Path: r.path, Err: err}
	}
	r.unflushed = held > 0 // what is held is flushed again later
	return held, nil
}

// maybeCheckpoint flushes and checkpoints when the interval has passed
// since the last time and there is something new, or a new file was
// opened. Errors go to OnError, except a Flush cut short by ctx (stop
// flushes again).
func (r *runner) maybeCheckpoint(ctx context.Context) {
	if r.c.state == "" || (!r.forceCP && (!r.unflushed || time.Since(r.lastCP) < r.c.checkpoint)) {
		return
	}
	if err := r.checkpoint(ctx, false, 0); err != nil && !cutShort(ctx, err) {
		r.report(err)
	}
}

// cutShort reports whether err, a Flush's, says only that ctx ended: the
// events are still on their way, and the next Flush waits for them. An error
// that says more — a loss reported as ctx ended, errors joined — does not.
func cutShort(ctx context.Context, err error) bool {
	cerr := ctx.Err()
	for ; cerr != nil && err != nil; err = errors.Unwrap(err) {
		if err == cerr {
			return true
		}
	}
	return false
}

// checkpoint flushes the destination (see flush) when something was written
// since the last Flush and, when that succeeded and no Flush failed before,
// writes the state: the current file and the offset of the end of what was
// handed on and delivered: before the bytes a HoldingDestination holds, and
// the bytes its DiscardPending dropped (dropped, at stop).
func (r *runner) checkpoint(ctx context.Context, all bool, dropped int64) error {
	r.lastCP, r.forceCP = time.Now(), false
	back := dropped // the last bytes handed on that no delivered event holds
	if r.unflushed {
		held, err := r.flush(ctx, all)
		if err != nil {
			return err
		}
		back += held
	}
	if r.pinned || r.c.state == "" || r.cur == nil {
		return nil
	}
	if back > r.curBytes {
		// Not of the current file alone (endRecords makes this not happen):
		// no offset of it is before them all. The checkpoint stays.
		return nil
	}
	s := state{Version: stateVersion, Path: r.abs, Offset: r.cur.off - int64(len(r.pend)) - back}
	if id, ok := identityOf(r.cur.info); ok {
		s.ID = &id
	}
	if n := min(s.Offset, headBytes); n > 0 {
		h, ok := headOf(r.cur.f, n)
		if !ok {
			return &Error{Op: "checkpoint", Path: r.path, Err: fmt.Errorf("reading the first %d bytes: file shorter", n)}
		}
		s.HeadLen, s.HeadHash = n, h
	}
	if r.saved != nil && sameState(*r.saved, s) {
		return nil
	}
	if err := writeState(r.c.state, s); err != nil {
		return &Error{Op: "checkpoint", Path: r.path, Err: err}
	}
	r.saved = &s
	r.stats.checkpoints.Add(1)
	return nil
}

func sameState(a, b state) bool {
	if (a.ID == nil) != (b.ID == nil) || (a.ID != nil && *a.ID != *b.ID) {
		return false
	}
	return a.Path == b.Path && a.Offset == b.Offset && a.HeadLen == b.HeadLen && a.HeadHash == b.HeadHash
}

// stop hands the unfinished line on (without a state file: with one, the
// next run reads it whole), has a HoldingDestination drop the record it holds
// (with a state file: the next run reads it whole too), flushes and
// checkpoints within StopTimeout, and closes the file. After a failed Write
// it only closes the file. With handAll, when the checkpoint is pinned, or
// when the file is no longer at the path, the destination hands everything
// on instead: no run reads it again from this checkpoint, or may find it.
func (r *runner) stop(ctx context.Context, fatal error) error {
	defer r.closeCur()
	var e *Error
	if errors.As(fatal, &e) && e.Op == "write" {
		return nil
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.c.stop)
	defer cancel()
	if r.c.state == "" && r.cur != nil {
		if err := r.handPending(); err != nil {
			return err
		}
	}
	// The record a HoldingDestination holds is dropped, for the next run to
	// read it again, unless no run will (handAll, a pinned checkpoint) or the
	// next may not find the file (removed, or rotated): then it is handed on.
	hd, holding := r.holding()
	all := !holding || !r.unflushed || r.handAll || r.pinned || r.cur == nil || !r.curAtPath()
	var dropped int64
	if !all {
		n, err := hd.DiscardPending(sctx)
		if err != nil {
			return &Error{Op: "flush", Path: r.path, Err: err}
		}
		dropped = n
	}
	return r.checkpoint(sctx, all, dropped)
}

// curAtPath reports whether the path names the current file.
func (r *runner) curAtPath() bool {
	fi, err := r.stat(r.path)
	return err == nil && os.SameFile(fi, r.cur.info)
}

func (r *runner) report(err error) { r.c.onError(err) }

// reportOnce reports err unless it is the last one reported about the path.
func (r *runner) reportOnce(err error) {
	if s := err.Error(); s != r.lastErr {
		r.lastErr = s
		r.report(err)
	}
}

func (r *runner) gap(reason GapReason, off int64) {
	r.stats.gaps.Add(1)
	r.report(&GapError{Path: r.path, Reason: reason, Offset: off})
}
