package spool

import (
	"errors"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// TestReadBeforeBadBytes: the records before bytes that cannot be read are
// read, whether a failing read returns the bytes before the bad ones (as
// through the page cache) or nothing, the search through damaged bytes
// before them included; and a failing read costs one failed read, not one
// per record or per byte searched.
func TestReadBeforeBadBytes(t *testing.T) {
	for _, whole := range []bool{false, true} {
		t.Run(map[bool]string{false: "partial reads", true: "whole reads fail"}[whole], func(t *testing.T) {
			s := buildSeg(0, msgs("r", 4000)) // records of 30 bytes
			// Damaged: 12 KiB of zeros from record 100 (about 410 records).
			zeroFrom, zeroTo := s.offs[100], s.offs[100]+12<<10
			clear(s.data[zeroFrom:zeroTo])
			// Unreadable: a page 20 KiB further (within a read chunk).
			bad := alignUp(zeroTo + 20<<10)
			path := filepath.Join(t.TempDir(), segName(0))
			if err := writeFile(path, s.data); err != nil {
				t.Fatal(err)
			}
			f := &readFault{whole: whole}
			f.install(t)
			f.setBad(path, [2]int64{bad, bad + resyncAlign})
			r := &segReader{}
			r.reset(path)
			next, size := uint64(0), int64(len(s.data))
			var read []uint64
			var err error
			for off := int64(segHeaderSize); ; {
				var rec record
				var at int64
				var n int
				var ok bool
				if rec, at, n, ok, err = r.next(off, size, next); err != nil || !ok {
					break
				}
				off, next = at+int64(n), rec.seq+1
				read = append(read, rec.seq)
				if at+int64(n) > bad {
					t.Fatalf("read record %d, over the bad page at %d", rec.seq, bad)
				}
			}
			if !errors.Is(err, syscall.EIO) {
				t.Fatalf("reading stopped with %v, want EIO at the bad page", err)
			}
			// Every record that ends before the bad page and that the zeros
			// did not touch was read.
			var want []uint64
			for i := range len(s.offs) - 1 {
				if s.offs[i+1] <= bad && (s.offs[i+1] <= zeroFrom || s.offs[i] >= zeroTo) {
					want = append(want, uint64(i))
				}
			}
			if !slices.Equal(read, want) {
				t.Fatalf("read %d records before the bad page (%v…), want %d (%v…)", len(read), read[:min(len(read), 5)], len(want), want[:5])
			}
			if f.badReads > 6 {
				t.Fatalf("%d failed reads before the bad page, want at most 6", f.badReads)
			}
		})
	}
}
