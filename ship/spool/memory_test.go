package spool

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// heapDst samples the heap while it takes events.
type heapDst struct {
	n, max uint64
}

func (d *heapDst) LogContext(context.Context, time.Time, string) error {
	if d.n++; d.n%500 == 0 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		d.max = max(d.max, ms.HeapAlloc)
	}
	return nil
}

func (d *heapDst) Flush(context.Context) error { return nil }

// TestMemoryBounded: opening a spool with 32 MiB on disk (one 32 MiB
// segment, scanned at Open, then read by the pump) and delivering it all
// keeps the heap far below the size of the segment: nothing is loaded whole.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 32 MiB")
	}
	const segBytes = 32 << 20
	dir := t.TempDir()
	o := &Options{SegmentBytes: segBytes, MaxBytes: 2 * segBytes, Sync: SyncNever, FlushBytes: 256 << 10}
	s := mustOpen(t, dir, &memDst{block: make(chan struct{})}, o)
	msg := strings.Repeat("m", 1000)
	n := 0
	for ; int64(n+1)*recordSize(msg) < segBytes-segHeaderSize; n++ {
		if err := s.Log(time.UnixMilli(1), msg); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	s.Close(ctx)
	if fi, err := os.Stat(filepath.Join(dir, segName(0))); err != nil || fi.Size() < segBytes-2000 {
		t.Fatalf("segment: %v", err)
	}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	d := &heapDst{}
	s = mustOpen(t, dir, d, o)
	closeOK(t, s)
	if d.n != uint64(n) {
		t.Fatalf("delivered %d of %d", d.n, n)
	}
	if grew := int64(d.max) - int64(base); grew > 12<<20 {
		t.Fatalf("the heap grew by %d MiB while delivering a %d MiB segment", grew>>20, segBytes>>20)
	}
}

// TestReaderBufferBounded: the segment reader reads through a buffer of
// readChunk bytes, grown only for a larger record and shrunk after it.
func TestReaderBufferBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), segName(0))
	seg := segHeader()
	small := strings.Repeat("s", 300)
	for i := range 1000 {
		seg = appendRecord(seg, uint64(i), 0, small)
	}
	big := strings.Repeat("B", 3*readChunk)
	seg = appendRecord(seg, 1000, 0, big)
	seg = appendRecord(seg, 1001, 0, small)
	if err := writeFile(path, seg); err != nil {
		t.Fatal(err)
	}
	r := &segReader{}
	r.reset(path)
	size := int64(len(seg))
	off, next := int64(segHeaderSize), uint64(0)
	for next < 1002 {
		rec, at, n, ok, err := r.next(off, size, next)
		if err != nil || !ok || at != off || rec.seq != next {
			t.Fatalf("record %d: %+v at %d, %v %v", next, rec.seq, at, ok, err)
		}
		limit := readChunk
		if rec.seq == 1000 {
			limit = len(big) + recordHeaderSize
			if string(rec.msg) != big {
				t.Fatal("big record damaged")
			}
		}
		if cap(r.buf) > limit {
			t.Fatalf("record %d: buffer of %d bytes, want at most %d", rec.seq, cap(r.buf), limit)
		}
		if n > readChunk {
			r.shrink()
		}
		off, next = off+int64(n), next+1
	}
}
