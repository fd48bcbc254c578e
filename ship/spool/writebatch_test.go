package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWriteBatch: a Write stages its lines and writes them together
// (stageLocked, writeStagedLocked), keeping what Write does line by line:
// a roll to a new segment between two lines, a Block wait for room, a
// refusal counted per line, a write that fails part-way (the lines written
// whole are kept, the others counted, the segment cut back after the last
// whole record), and with SyncAlways the error of the sync covering the
// lines.
func TestWriteBatch(t *testing.T) {
	const lines = 1000
	size := recordSize("w-0000")
	for _, tc := range []struct {
		name string
		n    int // lines, if not 1000
		opts func(o *Options)
		// block holds the destination back until the Write returned.
		block bool
		// before runs after a first line was written, before the Write.
		before func(s *Spool)
		// accepted: the first lines written; refused ones are counted in
		// full or writeErr.
		accepted, full, writeErr int
		wantErr                  func(error) bool
		segments                 int // segment files the lines took, at least
	}{
		{"rolls between lines", 0, nil, true, nil, lines, 0, 0, nil, lines * int(size) / MinSegmentBytes},
		// Written a chunk at a time, the lock released in between.
		{"longer than a chunk", 3 * readChunk / int(size), func(o *Options) { o.SegmentBytes, o.MaxBytes = 1<<20, 4<<20 }, true, nil,
			3 * readChunk / int(size), 0, 0, nil, 1},
		{"Block waits for room", 0, func(o *Options) { o.MaxBytes = 2 * MinSegmentBytes }, false, nil, lines, 0, 0, nil, 1},
		{"DropNewest refuses each line", 0, func(o *Options) {
			o.MaxBytes, o.OnFull = 2*MinSegmentBytes, DropNewest
		}, true, nil, 2*perSegment - 1, lines - 2*perSegment + 1, 0, nil, 2},
		{"full file system part-way", 0, func(o *Options) { o.SegmentBytes, o.MaxBytes = 1<<20, 4<<20 }, true, func(s *Spool) {
			s.f = &fullDisk{segFile: s.f, full: true}
		}, lines / 2, 0, lines / 2, nil, 1},
		{"SyncAlways returns the failed sync", 0, func(o *Options) { o.Sync, o.SegmentBytes, o.MaxBytes = SyncAlways, 1<<20, 4<<20 }, false, func(s *Spool) {
			s.f = failingSync{s.f}
		}, lines, 0, 0, func(err error) bool {
			var e *Error
			return errors.As(err, &e) && e.Op == "sync" && errors.Is(err, syscall.EIO)
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := damageOpts()
			if tc.opts != nil {
				tc.opts(o)
			}
			d := &memDst{}
			if tc.block {
				d.block = make(chan struct{})
			}
			s := mustOpen(t, dir, d, o)
			first := "first"
			if _, err := s.Write([]byte(first + "\n")); err != nil {
				t.Fatal(err)
			}
			if tc.before != nil {
				s.mu.Lock()
				tc.before(s)
				s.mu.Unlock()
			}
			lines := lines
			if tc.n > 0 {
				lines = tc.n
			}
			all := msgs("w", lines)
			p := []byte(strings.Join(all, "\n") + "\n")
			n, err := s.Write(p)
			if n != len(p) || (tc.wantErr == nil) != (err == nil) || err != nil && !tc.wantErr(err) {
				t.Fatalf("Write = %d, %v", n, err)
			}
			st := s.Stats()
			checkIdentities(t, st)
			if st.Offered != int64(lines+1) || st.Accepted != int64(tc.accepted+1) || st.Dropped.Full != int64(tc.full) || st.Dropped.WriteError != int64(tc.writeErr) {
				t.Fatalf("Stats: Offered %d, Accepted %d, Full %d, WriteError %d; want %d, %d, %d, %d",
					st.Offered, st.Accepted, st.Dropped.Full, st.Dropped.WriteError, lines+1, tc.accepted+1, tc.full, tc.writeErr)
			}
			if tc.writeErr > 0 {
				// Cut back after the last whole record.
				fi, err := os.Stat(filepath.Join(dir, segName(0)))
				if want := segHeaderSize + recordSize(first) + int64(tc.accepted)*size; err != nil || fi.Size() != want {
					t.Fatalf("segment of %v bytes (%v) after the failed write, want %d", fi.Size(), err, want)
				}
				s.mu.Lock()
				s.f.(*fullDisk).full = false
				s.mu.Unlock()
			}
			if segs, _ := filepath.Glob(filepath.Join(dir, "*"+segSuffix)); tc.block && len(segs) < tc.segments {
				t.Fatalf("%d segment files, want at least %d", len(segs), tc.segments)
			}
			if tc.block {
				close(d.block)
			}
			// Room again (DropNewest), the file system writes again: a
			// line after them is written.
			if err := s.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Write([]byte("last\n")); err != nil && tc.wantErr == nil {
				t.Fatal(err)
			}
			if err := s.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			want := slices.Concat([]string{first}, all[:tc.accepted], []string{"last"})
			if got := d.got(); !slices.Equal(got, want) {
				t.Fatalf("delivered %d records (%q…), want %d", len(got), got[:min(len(got), 3)], len(want))
			}
			s.Close(context.Background())
		})
	}
}

// TestWriteSyncFailedBeforeRoll: with SyncAlways, a Write whose lines
// span a roll to a new segment returns the *Error of the failed sync of
// the segment it closed, which covered its first lines, even though the
// sync of its last lines, in the new segment, succeeds. (Write checked
// only the sync position after its last line, and returned nil.)
func TestWriteSyncFailedBeforeRoll(t *testing.T) {
	o := damageOpts()
	o.Sync = SyncAlways
	d := &memDst{block: make(chan struct{})} // no segment is delivered, and deleted, meanwhile
	s := mustOpen(t, t.TempDir(), d, o)
	if _, err := s.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.f = failingSync{s.f} // the new segment's file syncs
	s.mu.Unlock()
	all := msgs("w", perSegment)
	_, err := s.Write([]byte(strings.Join(all, "\n") + "\n"))
	var e *Error
	if !errors.As(err, &e) || e.Op != "sync" || !errors.Is(err, syscall.EIO) {
		t.Fatalf("Write = %v, want an *Error with Op sync", err)
	}
	if st := s.Stats(); st.Segments != 2 {
		t.Fatalf("%d segments, want the Write's lines in 2", st.Segments)
	}
	close(d.block)
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := d.got(); len(got) != perSegment+1 {
		t.Fatalf("delivered %d records, want %d", len(got), perSegment+1)
	}
	s.Close(context.Background())
}

// TestWriteNowOutsideLock: Write calls Options.Now without holding the
// Spool's lock, as Log does, so that a clock that looks at the Spool (here
// its Stats) does not hang it. (Write called it with the lock held.)
func TestWriteNowOutsideLock(t *testing.T) {
	var s *Spool
	o := fastOpts()
	o.Now = func() time.Time {
		if s != nil {
			s.Stats()
		}
		return time.UnixMilli(1700000000000)
	}
	s = mustOpen(t, t.TempDir(), &memDst{}, o)
	done := make(chan error, 1)
	go func() {
		_, err := s.Write([]byte("line\n"))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Write hung: Options.Now called with the Spool's lock held")
	}
	closeOK(t, s)
}

// writeSizes is a segment file that records the size of its largest write.
type writeSizes struct {
	segFile
	max *int
}

func (w writeSizes) WriteAt(p []byte, off int64) (int, error) {
	*w.max = max(*w.max, len(p))
	return w.segFile.WriteAt(p, off)
}

// TestWriteLongLineChunked: a Write of a line much longer than
// MaxMessageBytes, which becomes many records, writes them a chunk of
// about readChunk bytes at a time, as it writes many short lines, rather
// than stage them all in memory for one write. (It staged the whole line,
// a second copy of it, and wrote it at once.)
func TestWriteLongLineChunked(t *testing.T) {
	o := damageOpts()
	o.MaxMessageBytes, o.SegmentBytes, o.MaxBytes = 1000, 4<<20, 16<<20
	d := &memDst{}
	s := mustOpen(t, t.TempDir(), d, o)
	defer s.Close(context.Background())
	if _, err := s.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	largest := 0
	s.mu.Lock()
	s.f = writeSizes{s.f, &largest}
	s.mu.Unlock()
	for _, p := range []string{
		strings.Repeat("x", 8*readChunk) + "\n", // a whole line
		strings.Repeat("y", 8*readChunk),        // an unfinished one, spilled
	} {
		if _, err := s.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	got := largest
	s.mu.Unlock()
	if limit := readChunk + int(recordSize(strings.Repeat("x", 1000))); got > limit {
		t.Fatalf("a write of %d bytes, want at most %d", got, limit)
	}
	st := s.Stats()
	checkIdentities(t, st)
	if want := int64(1 + 2*((8*readChunk+999)/1000)); st.Delivered != want {
		t.Fatalf("delivered %d records, want %d", st.Delivered, want)
	}
}

// TestWriteCloseMidBatch: Close during a Write that waits for room part-way
// through its lines: the Write returns len(p) and ErrClosed, the lines it
// wrote before stay on disk, in order, for the next Open, and every other
// line is counted in Dropped.Closed.
func TestWriteCloseMidBatch(t *testing.T) {
	dir := t.TempDir()
	o := fullOpts(Block)
	d := &memDst{block: make(chan struct{})} // the pump frees no room
	s := mustOpen(t, dir, d, o)
	all := msgs("w", 4*perSegment)
	done := writeUntilFull(s, all)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	s.Close(ctx)
	if err := <-done; err != ErrClosed {
		t.Fatalf("Write = %v, want ErrClosed", err)
	}
	st := s.Stats()
	checkIdentities(t, st)
	if st.Offered != int64(len(all)) || st.Accepted == 0 || st.Accepted+st.Dropped.Closed != st.Offered {
		t.Fatalf("Offered %d, Accepted %d, Closed %d; want %d offered, each accepted or refused", st.Offered, st.Accepted, st.Dropped.Closed, len(all))
	}
	d2 := &memDst{}
	closeOK(t, mustOpen(t, dir, d2, damageOpts()))
	if got := d2.got(); !slices.Equal(got, all[:st.Accepted]) {
		t.Fatalf("delivered %d records after the reopen (%q…), want the first %d lines", len(got), got[:min(len(got), 3)], st.Accepted)
	}
}

// noTruncate is a segment file whose Truncate fails.
type noTruncate struct{ segFile }

func (noTruncate) Truncate(int64) error { return syscall.EIO }

// TestWriteTornLeftInPlace: when a Write fails part-way and the segment
// cannot be cut back either, the part of a record it left after the lines
// it wrote whole is overwritten by the next records, or, left at the end,
// cut by the next Open as a torn end (no record counted lost twice: the
// lines the write did not store were counted in WriteError).
func TestWriteTornLeftInPlace(t *testing.T) {
	dir := t.TempDir()
	o := damageOpts()
	o.SegmentBytes, o.MaxBytes, o.MaxMessageBytes = 1<<20, 4<<20, 200
	d := &memDst{block: make(chan struct{})}
	s := mustOpen(t, dir, d, o)
	logAll(t, s, []string{"first"})
	fd := &fullDisk{segFile: noTruncate{s.f}, full: true}
	s.mu.Lock()
	s.f = fd
	s.mu.Unlock()
	all := msgs(strings.Repeat("w", 95), 11) // records of 124 bytes
	// The failed write stores 682 bytes: 5 lines whole and 62 bytes of the
	// 6th, of which "x" overwrites 25.
	s.Write([]byte(strings.Join(all, "\n") + "\n"))
	s.mu.Lock()
	fd.full = false
	s.mu.Unlock()
	s.Write([]byte("x\n")) // shorter than the half record left
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	s.Close(ctx)
	st := s.Stats()
	checkIdentities(t, st)
	if st.Accepted != 1+5+1 || st.Dropped.WriteError != 6 {
		t.Fatalf("Accepted %d, WriteError %d; want 7, 6", st.Accepted, st.Dropped.WriteError)
	}

	d2 := &memDst{}
	s = mustOpen(t, dir, d2, damageOpts())
	closeOK(t, s)
	want := slices.Concat([]string{"first"}, all[:5], []string{"x"})
	if got := d2.got(); !slices.Equal(got, want) {
		t.Fatalf("delivered %q, want %q", got, want)
	}
	st = s.Stats()
	checkIdentities(t, st)
	torn := int64(len(all))*recordSize(all[0])/2 - 5*recordSize(all[0]) - recordSize("x")
	if st.TornBytes != torn || st.Dropped.Total() != 0 {
		t.Fatalf("TornBytes %d, dropped %+v; want %d, none", st.TornBytes, st.Dropped, torn)
	}
}

// TestFlushCtxWhileWriteWaits: a Flush whose ctx ends while a Write waits
// for room (OnFull Block, a destination that takes nothing) returns
// ctx.Err(), as documented, and the Write's unfinished line stays for
// Close. (Flush waited for the Write, whatever its ctx, to write that
// line.)
func TestFlushCtxWhileWriteWaits(t *testing.T) {
	d := &memDst{block: make(chan struct{})}
	s := mustOpen(t, t.TempDir(), d, fullOpts(Block))
	all := msgs("w", 4*perSegment)
	done := writeUntilFull(s, all)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	flushed := make(chan error, 1)
	go func() { flushed <- s.Flush(ctx) }()
	select {
	case err := <-flushed:
		if err != context.DeadlineExceeded {
			t.Errorf("Flush = %v, want %v", err, context.DeadlineExceeded)
		}
	case <-time.After(5 * time.Second):
		t.Error("Flush did not return when its ctx ended")
		defer func() { <-flushed }()
	}
	close(d.block) // room frees: the Write ends
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	closeOK(t, s)
	if st := s.Stats(); st.Delivered != int64(len(all)) {
		t.Fatalf("delivered %d records, want %d", st.Delivered, len(all))
	}
}

// writeUntilFull starts a Write of the lines all, more than s can hold,
// and returns once the Write waits for room (OnFull Block), with the
// channel that gets its error (its count checked) when it returns.
func writeUntilFull(s *Spool, all []string) <-chan error {
	p := []byte(strings.Join(all, "\n") + "\n")
	done := make(chan error, 1)
	go func() {
		n, err := s.Write(p)
		if n != len(p) {
			err = fmt.Errorf("Write = %d, %w", n, err)
		}
		done <- err
	}()
	for {
		s.mu.Lock()
		full := s.diskBytes+recordSize(all[0]) > s.c.maxBytes
		s.mu.Unlock()
		if full {
			return done
		}
		time.Sleep(time.Millisecond)
	}
}
