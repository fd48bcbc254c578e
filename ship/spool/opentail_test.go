package spool

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestOpenUnreadableTail: Open succeeds when the records of the last
// segment after the checkpoint cannot all be read, and writes new records
// to a new segment numbered past what the unreadable bytes can hold
// (boundLastLocked); the pump delivers the records it can read, in order,
// before the new ones, skips those it cannot as elsewhere, and counts no
// record for the sequence numbers between the segment's real end and the
// bound, in this run or, through the end marker, in a later one. (Open
// failed with an *Error, Op "read": one bad block stopped the application
// from logging after a restart.)
func TestOpenUnreadableTail(t *testing.T) {
	const n, ckpt, bad = 40, 5, 20 // records in segment 0, delivered before, the first one the fault hits
	size := int64(recordSize("r-0000"))
	off := func(i int64) int64 { return segHeaderSize + i*size }
	for _, tc := range []struct {
		name string
		torn int64 // bytes of a torn record after the last one
		// fault makes reads of path fail from Open on; the end of the
		// segment's file is end.
		fault func(f *readFault, path string, end int64)
		// from: the offset and sequence number where Open's scan fails.
		from, fromSeq int64
		lost          int64 // records counted lost (Dropped.Corrupt)
		delivered     []int // old records delivered, by index
		later         bool  // the fault lasts until Close; a later Open, without it, delivers
	}{
		{"transient, torn end", 10, func(f *readFault, path string, _ int64) { f.set(path, 2) }, // Open's two reads
			off(ckpt), ckpt, 0, rangeOf(ckpt, n), false},
		{"bad block in a message", 0, func(f *readFault, path string, _ int64) {
			f.setBad(path, [2]int64{off(bad) + size - 2, off(bad) + size - 1})
		}, off(bad), bad, 1, slices.Delete(rangeOf(ckpt, n), bad-ckpt, bad-ckpt+1), false},
		// No record validates after the bad bytes: the loss counted is as
		// many records as the bytes can hold.
		{"unreadable to the end", 0, func(f *readFault, path string, end int64) {
			f.setBad(path, [2]int64{off(bad), end + resyncAlign})
		}, off(bad), bad, (off(n) - off(bad)) / minRecordSize, rangeOf(ckpt, bad), false},
		{"readable at a later Open", 10, func(f *readFault, path string, _ int64) { f.set(path, -1) },
			off(ckpt), ckpt, 0, rangeOf(ckpt, n), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, segName(0))
			all := msgs("r", n)
			o := damageOpts()
			leaveOnDisk(t, dir, o, all, ckpt)
			appendZeros(t, path, tc.torn)
			end := off(n) + tc.torn
			bound := uint64(tc.fromSeq + (end-tc.from)/minRecordSize)

			f := &readFault{}
			f.install(t)
			tc.fault(f, path, end)
			rep := &reports{}
			o.OnError = rep.add
			if tc.later {
				o.InitialBackoff, o.MaxBackoff = time.Hour, time.Hour
			}
			d := &memDst{}
			if tc.later {
				d.failFlush = failFirst(1 << 30)
			}
			s, err := Open(dir, d, o)
			if err != nil {
				t.Fatalf("Open = %v, want the spool open", err)
			}
			news := msgs("n", 3)
			logAll(t, s, news)
			if _, err := os.Stat(filepath.Join(dir, segName(bound))); err != nil {
				t.Fatalf("new records not in a segment named after the bound %d: %v", bound, err)
			}
			if tc.later {
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				defer cancel()
				if err := s.Close(ctx); !errors.As(err, new(*CloseError)) {
					t.Fatalf("Close = %v, want records left on disk", err)
				}
				if len(d.got()) != 0 {
					t.Fatalf("delivered %q while the segment could not be read", d.got())
				}
				f.set("", 0)
				d = &memDst{}
				if s, err = Open(dir, d, o); err != nil {
					t.Fatal(err)
				}
			}
			var fe *FlushError
			if err := s.Flush(context.Background()); tc.lost == 0 && err != nil || tc.lost > 0 && (!errors.As(err, &fe) || fe.Records != tc.lost) {
				t.Fatalf("Flush = %v, want %d records lost", err, tc.lost)
			}
			f.setBad("")
			if tc.lost > 0 {
				closeOK2(t, s, tc.lost)
			} else {
				closeOK(t, s)
			}
			var want []string
			for _, i := range tc.delivered {
				want = append(want, all[i])
			}
			want = append(want, news...)
			if got := d.got(); !slices.Equal(got, want) {
				t.Fatalf("delivered %q, want %q", got, want)
			}
			st := s.Stats()
			checkIdentities(t, st)
			// Recovered: the records found, those counted lost included.
			wantRecovered := int64(len(tc.delivered)) + tc.lost
			if tc.later {
				wantRecovered += int64(len(news))
			}
			if st.Dropped.Corrupt != tc.lost || st.Recovered != wantRecovered || st.TornBytes != tc.torn {
				t.Fatalf("Dropped.Corrupt %d, Recovered %d, TornBytes %d; want %d, %d, %d", st.Dropped.Corrupt, st.Recovered, st.TornBytes, tc.lost, wantRecovered, tc.torn)
			}
			var lost int64
			for _, ce := range rep.corrupt() {
				if !ce.Truncated {
					if !errors.Is(ce.Err, syscall.EIO) {
						t.Errorf("reported %v, want a loss to EIO", &ce)
					}
					lost += ce.Records
				}
			}
			if lost != tc.lost {
				t.Fatalf("reported %d records lost, want %d: %+v", lost, tc.lost, rep.corrupt())
			}
			if left, _ := os.ReadDir(dir); len(left) != 2 { // the checkpoint and the lock
				var names []string
				for _, e := range left {
					names = append(names, e.Name())
				}
				t.Fatalf("left %q in the directory", names)
			}
		})
	}
}

// TestOpenUnreadableTailCut: records of a segment whose end Open could not
// read that are then cut from its file behind the spool's back are counted
// lost (as many as the bytes cut could hold), not taken for a torn end or
// for the segment's end: while that Spool runs, or before the next Open,
// which knows the segment's size from its end marker. (Cut before the next
// Open, at a record's end, they were lost silently: the pump took the end
// of the file for the end of the records.)
func TestOpenUnreadableTailCut(t *testing.T) {
	const n, cut = 40, 20 // records, the first one cut
	for _, reopen := range []bool{false, true} {
		t.Run(map[bool]string{false: "while it runs", true: "before the next Open"}[reopen], func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, segName(0))
			all := msgs("r", n)
			o := damageOpts()
			leaveOnDisk(t, dir, o, all, 0)

			f := &readFault{}
			f.install(t)
			f.set(path, -1)
			o.InitialBackoff, o.MaxBackoff = time.Hour, time.Hour // the pump retries when Close starts
			d := &memDst{}
			if reopen {
				d.failFlush = failFirst(1 << 30)
			}
			s, err := Open(dir, d, o)
			if err != nil {
				t.Fatalf("Open = %v, want the spool open", err)
			}
			logAll(t, s, []string{"new"})
			if reopen {
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				defer cancel()
				if err := s.Close(ctx); !errors.As(err, new(*CloseError)) {
					t.Fatalf("Close = %v, want records left on disk", err)
				}
			}
			size := int64(recordSize("r-0000"))
			truncate(t, path, segHeaderSize+cut*size)
			f.set("", 0)
			if reopen {
				d = &memDst{}
				s = mustOpen(t, dir, d, o)
			}
			lost := int64(n-cut) * size / minRecordSize
			closeOK2(t, s, lost)
			if got, want := d.got(), append(all[:cut:cut], "new"); !slices.Equal(got, want) {
				t.Fatalf("delivered %q, want %q", got, want)
			}
			st := s.Stats()
			checkIdentities(t, st)
			if st.Dropped.Corrupt != lost || st.TornBytes != 0 {
				t.Fatalf("Dropped.Corrupt %d, TornBytes %d; want %d, 0", st.Dropped.Corrupt, st.TornBytes, lost)
			}
		})
	}
}

// TestOpenLastSegmentFaults: Open succeeds when the last segment cannot be
// opened for writing, synced, or cut back to its last whole record, or when
// no segment file can be opened for reading (a failing disk): it reports
// the error, and the records go on: the old ones are delivered, the new
// ones written to a new segment. (Open failed with an *Error, and the
// application could not log.)
func TestOpenLastSegmentFaults(t *testing.T) {
	eio := &os.PathError{Op: "open", Path: "segment", Err: syscall.EIO}
	const n = 10
	var failOpen atomic.Bool
	for _, tc := range []struct {
		name string
		torn int64
		// fault installs the fault until the test ends.
		fault func(t *testing.T, path string)
		op    string // of the *Error reported
		torn2 int64  // TornBytes
	}{
		{"open for writing fails", 0, func(t *testing.T, _ string) {
			openAppend = func(string) (segFile, error) { return nil, eio }
		}, "open", 0},
		{"sync fails", 0, func(t *testing.T, _ string) {
			openAppend = func(path string) (segFile, error) {
				f, err := os.OpenFile(path, os.O_RDWR, 0o600)
				return failingSync{f}, err
			}
		}, "sync", 0},
		{"torn end cannot be cut", 7, func(t *testing.T, _ string) {
			truncateSeg = func(string, int64) error { return eio }
		}, "open", 7},
		{"open for reading fails", 0, func(t *testing.T, path string) {
			failOpen.Store(true)
			openSegment = func(p string) (segReadFile, error) {
				if p == path && failOpen.Load() {
					return nil, eio
				}
				return os.Open(p)
			}
		}, "read", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, segName(0))
			all := msgs("r", n)
			o := damageOpts()
			o.Sync = SyncPeriodic
			leaveOnDisk(t, dir, o, all, 0)
			appendZeros(t, path, tc.torn)
			oa, tr, og := openAppend, truncateSeg, openSegment
			t.Cleanup(func() { openAppend, truncateSeg, openSegment = oa, tr, og })
			tc.fault(t, path)
			rep := &reports{}
			o.OnError = rep.add
			o.InitialBackoff, o.MaxBackoff = 50*time.Millisecond, 50*time.Millisecond
			d := &memDst{}
			s, err := Open(dir, d, o)
			if err != nil {
				t.Fatalf("Open = %v, want the spool open", err)
			}
			logAll(t, s, []string{"new"})
			failOpen.Store(false) // the pump reads it (its backoff: 8 failures take more than 200 ms)
			if err := s.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			closeOK(t, s)
			if got, want := d.got(), append(all[:n:n], "new"); !slices.Equal(got, want) {
				t.Fatalf("delivered %q, want %q", got, want)
			}
			st := s.Stats()
			checkIdentities(t, st)
			if st.TornBytes != tc.torn2 || st.Dropped.Total() != 0 {
				t.Fatalf("TornBytes %d, dropped %+v; want %d, none", st.TornBytes, st.Dropped, tc.torn2)
			}
			var reported bool
			rep.mu.Lock()
			for _, r := range rep.errs {
				var e *Error
				if errors.As(r, &e) && e.Op == tc.op && e.Path == path && errors.Is(r, syscall.EIO) {
					reported = true
				}
			}
			rep.mu.Unlock()
			if !reported {
				t.Fatalf("no *Error with Op %q for %s reported: %v", tc.op, path, rep.errs)
			}
		})
	}
}

// TestOpenUnreadableTailFlush: a Flush with no record logged since an Open
// that could not read the end of the last segment returns once the pump
// has read that segment: the numbers between its last record and the bound
// belong to no record, and the checkpoint passes them. (It waited for
// records that do not exist.)
func TestOpenUnreadableTailFlush(t *testing.T) {
	const n = 10
	all := msgs("r", n)
	for _, replay := range []bool{false, true} {
		t.Run(map[bool]string{false: "delivered at once", true: "after a failed delivery"}[replay], func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, segName(0))
			o := damageOpts()
			leaveOnDisk(t, dir, o, all, 0)
			f := &readFault{}
			f.install(t)
			f.set(path, 2) // Open's reads: its header, then its records
			d := &memDst{}
			if replay {
				d.failFlush = failFirst(1)
			}
			s, err := Open(dir, d, o)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Flush(ctx); err != nil {
				s.Close(ctx)
				t.Fatalf("Flush = %v", err)
			}
			closeOK(t, s)
			if got := d.got(); !slices.Equal(got, all) {
				t.Fatalf("delivered %q, want %q", got, all)
			}
			checkIdentities(t, s.Stats())
		})
	}
}
