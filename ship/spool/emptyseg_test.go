package spool

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestEmptyLastSegmentDamagedHeader: a last segment that holds nothing but
// a damaged header (a power loss as it was created, leaving zeros) is
// removed at Open and reported as a torn end; no sequence number is skipped
// for it, so a Flush with nothing to deliver returns at once instead of
// waiting for a record that does not exist.
func TestEmptyLastSegmentDamagedHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup returns the damaged segment's first record and the records
		// left to deliver before it.
		setup func(t *testing.T, dir string) (uint64, []string)
	}{
		{"only segment", func(t *testing.T, dir string) (uint64, []string) {
			writeFile(filepath.Join(dir, segName(0)), make([]byte, segHeaderSize))
			return 0, nil
		}},
		{"after a delivered spool", func(t *testing.T, dir string) (uint64, []string) {
			d := &memDst{}
			s := mustOpen(t, dir, d, damageOpts())
			logAll(t, s, msgs("old", 3))
			closeOK(t, s) // every record delivered: a checkpoint at 3, no segment
			writeFile(filepath.Join(dir, segName(3)), make([]byte, segHeaderSize))
			return 3, nil
		}},
		{"after undelivered segments", func(t *testing.T, dir string) (uint64, []string) {
			all := spoolIn(t, dir)
			writeFile(filepath.Join(dir, segName(damageRecords)), make([]byte, segHeaderSize))
			return damageRecords, all
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first, old := tc.setup(t, dir)
			d := &memDst{}
			rep := &reports{}
			o := damageOpts()
			o.OnError = rep.add
			s := mustOpen(t, dir, d, o)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := s.Flush(ctx); err != nil {
				t.Fatalf("Flush with nothing to deliver = %v", err)
			}
			logAll(t, s, []string{"new"})
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			closeOK(t, s)
			if got := d.got(); !slices.Equal(got, append(old, "new")) {
				t.Fatalf("delivered %q", got)
			}
			st := s.Stats()
			checkIdentities(t, st)
			if st.TornBytes != segHeaderSize || st.Recovered != int64(len(old)) {
				t.Fatalf("TornBytes %d, Recovered %d; want %d, %d", st.TornBytes, st.Recovered, segHeaderSize, len(old))
			}
			path := filepath.Join(dir, segName(first))
			want := []CorruptError{{Path: path, Offset: 0, Bytes: segHeaderSize, Truncated: true}}
			if got := rep.corrupt(); !slices.Equal(got, want) {
				t.Fatalf("reported %+v, want %+v", got, want)
			}
			if _, err := os.Stat(path); err == nil {
				// The name served again for the new record's segment, which
				// Close deleted once delivered.
				t.Fatalf("%s left behind", path)
			}
		})
	}
}

// TestEmptyLastSegmentNotRemoved: when the empty last segment with a
// damaged header cannot be removed, the next segment is named after the
// number after its own, which no record has: a Flush with nothing to
// deliver still returns (the pump passes that number). (It waited for a
// record that does not exist.)
func TestEmptyLastSegmentNotRemoved(t *testing.T) {
	dir := t.TempDir()
	writeFile(filepath.Join(dir, segName(0)), make([]byte, segHeaderSize))
	removeEmpty = func(string) error { return os.ErrPermission }
	t.Cleanup(func() { removeEmpty = os.Remove })
	d := &memDst{}
	s := mustOpen(t, dir, d, damageOpts())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		s.Close(ctx)
		t.Fatalf("Flush with nothing to deliver = %v", err)
	}
	logAll(t, s, []string{"new"})
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	closeOK(t, s)
	if got := d.got(); !slices.Equal(got, []string{"new"}) {
		t.Fatalf("delivered %q", got)
	}
	checkIdentities(t, s.Stats())
}

// TestEmptyLastSegmentNotRemovedReopen: the number skipped for an empty
// last segment that Open could not remove belongs to no record at a later
// Open too, once a segment follows it: it is not counted lost. (The next
// Open, which no longer scans that segment, took the number for a record
// lost to damage: Dropped.Corrupt 1, and a Flush returning a *FlushError.)
func TestEmptyLastSegmentNotRemovedReopen(t *testing.T) {
	dir := t.TempDir()
	writeFile(filepath.Join(dir, segName(0)), make([]byte, segHeaderSize))
	removeEmpty = func(string) error { return os.ErrPermission }
	t.Cleanup(func() { removeEmpty = os.Remove })
	o := damageOpts()
	leaveOnDisk(t, dir, o, []string{"old"}, 0)
	// The process stopped before the pump wrote a checkpoint past the
	// number skipped (it may have written one: remove it).
	if err := os.Remove(filepath.Join(dir, CheckpointFile)); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}

	d := &memDst{}
	s := mustOpen(t, dir, d, o)
	logAll(t, s, []string{"new"})
	if err := s.Flush(context.Background()); err != nil {
		s.Close(context.Background())
		t.Fatalf("Flush = %v, want nil: no record was lost", err)
	}
	closeOK(t, s)
	if got := d.got(); !slices.Equal(got, []string{"old", "new"}) {
		t.Fatalf("delivered %q", got)
	}
	st := s.Stats()
	checkIdentities(t, st)
	if st.Dropped.Total() != 0 || st.Recovered != 1 {
		t.Fatalf("Recovered %d, dropped %+v; want 1, none", st.Recovered, st.Dropped)
	}
}
