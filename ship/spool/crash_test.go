package spool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// Records of the damage tests: "r-0000" to "r-0299", 30 bytes each on disk;
// with 4 KiB segments, 136 records fill a segment (8 + 136×30 = 4088 bytes):
// segments 0 (records 0–135), 136 (136–271) and 272 (272–299).
const (
	damageRecords = 300
	damageRecSize = recordHeaderSize + 6
	perSegment    = 136
)

func damageOpts() *Options {
	o := fastOpts()
	o.SegmentBytes = MinSegmentBytes
	o.MaxBytes = 1 << 20
	o.MaxMessageBytes = 64
	o.Sync = SyncNever
	return o
}

// recOff returns the segment and offset of record i of the damage tests.
func recOff(dir string, i int) (string, int64) {
	first := i / perSegment * perSegment
	return filepath.Join(dir, segName(uint64(first))), int64(segHeaderSize + (i-first)*damageRecSize)
}

// spoolOnDisk leaves damageRecords undelivered records in a new directory:
// a Spool whose destination never takes a record is closed with a short ctx.
func spoolOnDisk(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	return dir, spoolIn(t, dir)
}

// spoolIn is spoolOnDisk in dir.
func spoolIn(t *testing.T, dir string) []string {
	t.Helper()
	d := &memDst{block: make(chan struct{})}
	s := mustOpen(t, dir, d, damageOpts())
	want := make([]string, damageRecords)
	for i := range want {
		want[i] = fmt.Sprintf("r-%04d", i)
	}
	logAll(t, s, want)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var ce *CloseError
	if err := s.Close(ctx); !errors.As(err, &ce) || ce.Pending != damageRecords {
		t.Fatalf("Close = %v, want %d records left", err, damageRecords)
	}
	return want
}

// reports collects what OnError gets.
type reports struct {
	mu   sync.Mutex
	errs []error
}

func (r *reports) add(err error) { r.mu.Lock(); r.errs = append(r.errs, err); r.mu.Unlock() }

func (r *reports) corrupt() []CorruptError {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []CorruptError
	for _, err := range r.errs {
		var ce *CorruptError
		if errors.As(err, &ce) {
			out = append(out, *ce)
		}
	}
	return out
}

// lostTo returns the records lost in the *CorruptErrors reported that
// wrap target.
func (r *reports) lostTo(target error) int64 {
	var n int64
	for _, ce := range r.corrupt() {
		if errors.Is(&ce, target) {
			n += ce.Records
		}
	}
	return n
}

func without(all []string, idx ...int) []string {
	var out []string
	for i, m := range all {
		if !slices.Contains(idx, i) {
			out = append(out, m)
		}
	}
	return out
}

func rangeOf(lo, hi int) []int {
	var out []int
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x40
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeAt(t *testing.T, path string, off int64, p []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(p, off); err != nil {
		t.Fatal(err)
	}
}

func truncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// TestDamage: damaged data found on disk costs exactly the records it
// touched, each loss counted and reported, and every other record is
// delivered in order.
func TestDamage(t *testing.T) {
	seg0 := func(dir string) string { return filepath.Join(dir, segName(0)) }
	seg136 := func(dir string) string { return filepath.Join(dir, segName(136)) }
	last := func(dir string) string { return filepath.Join(dir, segName(272)) }
	lastSize := int64(segHeaderSize + 28*damageRecSize)
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, dir string)
		lost    []int // records not delivered
		corrupt int64 // Stats.Dropped.Corrupt
		torn    int64 // Stats.TornBytes
		reports []CorruptError
		// lastSize is the size of the last segment after Open (0: unchanged)
		lastSize int64
	}{
		{
			name: "last record cut mid-message (crash while writing)",
			damage: func(t *testing.T, dir string) {
				truncate(t, last(dir), lastSize-10) // 20 of its 30 bytes written
			},
			lost: []int{299}, torn: 20, lastSize: lastSize - damageRecSize,
			reports: []CorruptError{{Path: "272", Offset: lastSize - damageRecSize, Bytes: 20, Truncated: true}},
		},
		{
			name: "last record cut in its header",
			damage: func(t *testing.T, dir string) {
				truncate(t, last(dir), lastSize-damageRecSize+5)
			},
			lost: []int{299}, torn: 5, lastSize: lastSize - damageRecSize,
			reports: []CorruptError{{Path: "272", Offset: lastSize - damageRecSize, Bytes: 5, Truncated: true}},
		},
		{
			name: "zeros after the last record (power loss)",
			damage: func(t *testing.T, dir string) {
				writeAt(t, last(dir), lastSize, make([]byte, 4096))
			},
			torn: 4096, lastSize: lastSize,
			reports: []CorruptError{{Path: "272", Offset: lastSize, Bytes: 4096, Truncated: true}},
		},
		{
			name: "checksum mismatch in a sealed segment",
			damage: func(t *testing.T, dir string) {
				path, off := recOff(dir, 50)
				flipByte(t, path, off+recordHeaderSize+2) // a byte of its message
			},
			lost: []int{50}, corrupt: 1,
			reports: []CorruptError{{Path: "0", Offset: segHeaderSize + 50*damageRecSize, Bytes: damageRecSize, Records: 1}},
		},
		{
			name: "length damaged in the last segment",
			damage: func(t *testing.T, dir string) {
				path, off := recOff(dir, 280)
				flipByte(t, path, off+5)
			},
			lost: []int{280}, corrupt: 1,
			reports: []CorruptError{{Path: "272", Offset: segHeaderSize + 8*damageRecSize, Bytes: damageRecSize, Records: 1}},
		},
		{
			name: "zeroed block amid the records (power loss)",
			damage: func(t *testing.T, dir string) {
				// Records 140 to 149 and the start of 150 of segment 136.
				_, off := recOff(dir, 140)
				writeAt(t, seg136(dir), off, make([]byte, 10*damageRecSize+7))
			},
			lost: rangeOf(140, 151), corrupt: 11,
			reports: []CorruptError{{Path: "136", Offset: segHeaderSize + 4*damageRecSize, Bytes: 11 * damageRecSize, Records: 11}},
		},
		{
			name: "sealed segment cut short",
			damage: func(t *testing.T, dir string) {
				_, off := recOff(dir, 130)
				truncate(t, seg0(dir), off+3)
			},
			lost: rangeOf(130, 136), corrupt: 6,
			reports: []CorruptError{{Path: "0", Offset: segHeaderSize + 130*damageRecSize, Bytes: 3, Records: 6}},
		},
		{
			name: "segment file deleted",
			damage: func(t *testing.T, dir string) {
				os.Remove(seg136(dir))
			},
			lost: rangeOf(136, 272), corrupt: 136,
			reports: []CorruptError{{Path: "0", Offset: segHeaderSize + 136*damageRecSize, Bytes: 0, Records: 136}},
		},
		{
			name: "segment header damaged",
			damage: func(t *testing.T, dir string) {
				flipByte(t, seg136(dir), 1)
			},
			reports: []CorruptError{{Path: "136", Offset: 0, Bytes: segHeaderSize}},
		},
		{
			name: "segment created without its header (crash)",
			damage: func(t *testing.T, dir string) {
				writeFile(filepath.Join(dir, segName(300)), []byte("cws"))
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, all := spoolOnDisk(t)
			tc.damage(t, dir)
			d := &memDst{}
			rep := &reports{}
			o := damageOpts()
			o.OnError = rep.add
			s := mustOpen(t, dir, d, o)
			if tc.lastSize != 0 {
				if fi, err := os.Stat(last(dir)); err != nil || fi.Size() != tc.lastSize {
					t.Fatalf("last segment after Open: %v %v, want %d bytes", fi.Size(), err, tc.lastSize)
				}
			}
			// A new record goes after the last whole one.
			if err := s.Log(time.UnixMilli(1), "new-record"); err != nil {
				t.Fatal(err)
			}
			err := s.Close(context.Background())
			want := append(without(all, tc.lost...), "new-record")
			if got := d.got(); !slices.Equal(got, want) {
				t.Fatalf("delivered %d records, want %d:\n%q", len(got), len(want), got)
			}
			st := s.Stats()
			checkIdentities(t, st)
			if st.Dropped.Corrupt != tc.corrupt || st.TornBytes != tc.torn {
				t.Fatalf("Corrupt %d, TornBytes %d; want %d, %d", st.Dropped.Corrupt, st.TornBytes, tc.corrupt, tc.torn)
			}
			if (tc.corrupt > 0) != (err != nil) {
				t.Fatalf("Close = %v", err)
			}
			got := rep.corrupt()
			for i := range got {
				got[i].Path = filepath.Base(got[i].Path)
			}
			for i := range tc.reports { // the table names a segment by its first record
				var n uint64
				fmt.Sscan(tc.reports[i].Path, &n)
				tc.reports[i].Path = segName(n)
			}
			if !slices.Equal(got, tc.reports) {
				t.Fatalf("reported %+v\nwant %+v", got, tc.reports)
			}
			if st.Pending != 0 || st.Segments != 0 {
				t.Fatalf("left %d records, %d segments", st.Pending, st.Segments)
			}
		})
	}
}

// TestCheckpointDamage: a checkpoint that cannot be read is reported and
// everything on disk is sent (duplicates, not loss); a checkpoint past the
// records on disk (a power loss kept it, not the records it covers) skips
// them, and new records go to a segment of their own.
func TestCheckpointDamage(t *testing.T) {
	t.Run("unreadable", func(t *testing.T) {
		dir, all := spoolOnDisk(t)
		writeFile(filepath.Join(dir, CheckpointFile), []byte("{garbage"))
		d := &memDst{}
		rep := &reports{}
		o := damageOpts()
		o.OnError = rep.add
		s := mustOpen(t, dir, d, o)
		closeOK(t, s)
		if got := d.got(); !slices.Equal(got, all) {
			t.Fatalf("delivered %d, want %d", len(got), len(all))
		}
		var e *Error
		if len(rep.errs) == 0 || !errors.As(rep.errs[0], &e) || e.Op != "checkpoint" {
			t.Fatalf("reported %v, want a checkpoint *Error", rep.errs)
		}
	})
	t.Run("past the records", func(t *testing.T) {
		dir, _ := spoolOnDisk(t)
		// The checkpoint says records up to 310 were delivered, at an offset
		// of the last segment that a power loss took away.
		ck := position{Segment: 272, Offset: segHeaderSize + 38*damageRecSize, Seq: 310}
		if err := writeCheckpoint(dir, ck, false); err != nil {
			t.Fatal(err)
		}
		d := &memDst{}
		s := mustOpen(t, dir, d, damageOpts())
		if st := s.Stats(); st.Recovered != 0 || st.Pending != 0 {
			t.Fatalf("after Open: %+v", st)
		}
		logAll(t, s, []string{"after"})
		closeOK(t, s)
		if got := d.got(); !slices.Equal(got, []string{"after"}) {
			t.Fatalf("delivered %q", got)
		}
		if ck, _, _ := readCheckpoint(dir); ck.Seq != 311 {
			t.Fatalf("checkpoint %+v, want seq 311", ck)
		}
	})
	// Open removes the temporary files a crash left while writing the
	// checkpoint or an end marker, and no other file: one merely named
	// like an end marker's temporary file is not the spool's. (Any
	// "*.end.tmpN" was removed.)
	t.Run("leftover temporary files", func(t *testing.T) {
		dir, _ := spoolOnDisk(t)
		for _, tc := range []struct {
			name    string
			removed bool
		}{
			{CheckpointFile + ".tmp123", true},
			{segName(136) + endSuffix + ".tmp45", true},
			{"notes.end.tmp1", false},
			{segName(136) + ".old" + endSuffix + ".tmp2", false},
			{"x" + segName(136) + endSuffix + ".tmp3", false},
		} {
			writeFile(filepath.Join(dir, tc.name), []byte("x"))
			defer func() {
				_, err := os.Stat(filepath.Join(dir, tc.name))
				if gone := errors.Is(err, os.ErrNotExist); gone != tc.removed {
					t.Errorf("%s: removed %v, want %v (%v)", tc.name, gone, tc.removed, err)
				}
			}()
		}
		s := mustOpen(t, dir, &memDst{}, damageOpts())
		closeOK(t, s)
	})
}

// TestFutureSegmentVersion: a segment of an unknown format version is not
// taken for damaged data: Open refuses the directory.
func TestFutureSegmentVersion(t *testing.T) {
	dir, _ := spoolOnDisk(t)
	path := filepath.Join(dir, segName(136))
	writeAt(t, path, 7, []byte{2})
	_, err := Open(dir, &memDst{}, damageOpts())
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, errSegVersion) || e.Path != path {
		t.Fatalf("Open = %v, want an *Error for %s", err, path)
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, []byte("cwspool\x02")) {
		t.Fatal("the segment was changed")
	}
	// The failed Open released the directory and closed its files.
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		before := len(fds)
		Open(dir, &memDst{}, damageOpts())
		if fds, _ := os.ReadDir("/proc/self/fd"); len(fds) != before {
			t.Errorf("a failed Open left %d file descriptors open", len(fds)-before)
		}
	}
	writeAt(t, path, 7, []byte{segVersion})
	s, err := Open(dir, &memDst{}, damageOpts())
	if err != nil {
		t.Fatalf("Open once the segment is repaired: %v", err)
	}
	closeOK(t, s)
}

// TestSegmentCutWhileOpen: a segment cut short behind the spool's back
// while it is open is damage like any other: the records past the cut are
// counted lost, and the pump goes on.
func TestSegmentCutWhileOpen(t *testing.T) {
	dir, all := spoolOnDisk(t)
	d := &memDst{block: make(chan struct{})}
	s := mustOpen(t, dir, d, damageOpts())
	for s.Stats().Handed == 0 { // the pump holds record 0
		time.Sleep(time.Millisecond)
	}
	truncate(t, filepath.Join(dir, segName(136)), segHeaderSize+3*damageRecSize+2)
	close(d.block)
	err := s.Close(context.Background())
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Stats.Dropped.Corrupt != 133 || ce.Pending != 0 {
		t.Fatalf("Close = %v, want 133 records lost", err)
	}
	if got := d.got(); !slices.Equal(got, without(all, rangeOf(139, 272)...)) {
		t.Fatalf("delivered %d records", len(got))
	}
}
