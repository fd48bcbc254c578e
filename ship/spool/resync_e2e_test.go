package spool

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// TestResyncImpostor: a record written inside a message, with a later
// sequence number, does not make the spool skip the real records after it
// when the header of the record holding it is damaged, whether the pump
// (a sealed segment) or Open (the end of the last segment) finds the
// damage: only that record is lost, counted and reported.
func TestResyncImpostor(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   int // the record holding the impostor
	}{
		{"sealed segment", 50},
		{"last segment", damageRecords - 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := damageOpts()
			o.MaxMessageBytes = 1024
			d := &memDst{block: make(chan struct{})}
			s := mustOpen(t, dir, d, o)
			all := msgs("r", damageRecords)
			all[tc.at] = impostor(uint64(tc.at+4), 200)
			logAll(t, s, all)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			s.Close(ctx)

			// Damage the length of the record holding the impostor.
			path, off := findRecord(t, dir, all[tc.at])
			flipByte(t, path, off+5)

			rep := &reports{}
			o.OnError = rep.add
			d = &memDst{}
			s = mustOpen(t, dir, d, o)
			closeOK2(t, s, 1)
			if got, want := d.got(), without(all, tc.at); !slices.Equal(got, want) {
				t.Fatalf("delivered %d records, want %d: %q", len(got), len(want), got)
			}
			st := s.Stats()
			checkIdentities(t, st)
			if st.Dropped.Corrupt != 1 {
				t.Fatalf("Dropped.Corrupt %d, want 1", st.Dropped.Corrupt)
			}
			want := []CorruptError{{Path: path, Offset: off, Bytes: recordSize(all[tc.at]), Records: 1}}
			if got := rep.corrupt(); !slices.Equal(got, want) {
				t.Fatalf("reported %+v, want %+v", got, want)
			}
		})
	}
}

// findRecord returns the segment and offset of the record whose message is
// msg.
func findRecord(t *testing.T, dir, msg string) (string, int64) {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*"+segSuffix))
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(b, []byte(msg)); i >= 0 {
			return path, int64(i - recordHeaderSize)
		}
	}
	t.Fatalf("no record %.20q on disk", msg)
	return "", 0
}

// TestResyncUnreadableHeader: a record whose header cannot be read costs
// the records up to the first one that starts on the next readable page
// (4 KiB), not the rest of its segment; those are counted, reported with
// the read error, and the records after them delivered.
func TestResyncUnreadableHeader(t *testing.T) {
	const n = 300 // records of 30 bytes: one segment of 9,008 bytes
	size := int64(recordSize("r-0000"))
	start := func(i int64) int64 { return segHeaderSize + i*size }
	firstOn := func(page int64) int64 { return (page - segHeaderSize + size - 1) / size } // first record starting at or after page
	for _, tc := range []struct {
		name      string
		bad       [2]int64
		first     int64 // the first record lost
		lostUntil int64 // the first record delivered after
	}{
		{"bytes of a header", [2]int64{start(50) + 4, start(50) + 8}, 50, firstOn(resyncAlign)},
		{"a page holding headers", [2]int64{resyncAlign, 2 * resyncAlign}, (resyncAlign - segHeaderSize) / size, firstOn(2 * resyncAlign)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := &reports{}
			o := damageOpts()
			o.SegmentBytes = 64 << 10
			o.OnError = rep.add
			dir := t.TempDir()
			f := &readFault{}
			f.install(t)
			path := filepath.Join(dir, segName(0))
			f.setBad(path, tc.bad)
			d := &memDst{}
			s := mustOpen(t, dir, d, o)
			all := msgs("r", n)
			logAll(t, s, all)
			lost := tc.lostUntil - tc.first
			var fe *FlushError
			if err := s.Flush(context.Background()); !errors.As(err, &fe) || fe.Records != lost {
				t.Fatalf("Flush = %v, want %d records lost", err, lost)
			}
			closeOK2(t, s, lost)
			st := s.Stats()
			checkIdentities(t, st)
			want := slices.Delete(slices.Clone(all), int(tc.first), int(tc.lostUntil))
			if got := d.got(); st.Dropped.Corrupt != lost || !slices.Equal(got, want) {
				t.Fatalf("Dropped.Corrupt %d, delivered %d records: want %d and %d", st.Dropped.Corrupt, len(got), lost, len(want))
			}
			var got []CorruptError
			for _, ce := range rep.corrupt() {
				if !errors.Is(&ce, syscall.EIO) {
					t.Errorf("reported %v, want a loss to EIO", &ce)
				}
				ce.Err = nil
				got = append(got, ce)
			}
			wantRep := []CorruptError{{Path: path, Offset: start(tc.first), Bytes: start(tc.lostUntil) - start(tc.first), Records: lost}}
			if !slices.Equal(got, wantRep) {
				t.Fatalf("reported %+v, want %+v", got, wantRep)
			}
		})
	}
}

// TestResyncUnreadableClose: the search past bytes that cannot be read
// (a failed read per page, each slow on a failing card) ends when Close
// gives up, and the records it had not reached are not counted as lost:
// they stay on disk for the next Open.
func TestResyncUnreadableClose(t *testing.T) {
	o := damageOpts()
	o.SegmentBytes = 1 << 20
	o.MaxBytes = 4 << 20
	o.MaxMessageBytes = 1024
	dir := t.TempDir()
	f := &readFault{}
	f.install(t)
	path := filepath.Join(dir, segName(0))
	f.setBad(path, [2]int64{resyncAlign, 200 * resyncAlign})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Close gives up during the search: its ctx ends at the 40th failed
	// read (the pump's 8 attempts at the first unreadable record take
	// fewer), and the search waits for Close to give up.
	const giveUp = 40
	var s *Spool
	f.onBad = func(n int) {
		if n == giveUp {
			cancel()
			<-s.runCtx.Done()
		}
	}
	d := &memDst{}
	s = mustOpen(t, dir, d, o)
	all := msgs(string(bytes.Repeat([]byte{'m'}, 1000)), 900)
	logAll(t, s, all)
	var ce *CloseError
	if err := s.Close(ctx); !errors.As(err, &ce) {
		t.Fatalf("Close = %v, want a *CloseError", err)
	}
	f.mu.Lock()
	reads := f.badReads
	f.mu.Unlock()
	if reads > giveUp+4 {
		t.Fatalf("%d failed reads, want the search to end at about %d", reads, giveUp)
	}
	st := s.Stats()
	checkIdentities(t, st)
	// Records of 1,029 bytes: 0–2 are read, 3 skipped (its header can be
	// read, not its message), the search starts at 4 (its header cannot).
	if st.Delivered != 3 || st.Dropped.Corrupt != 1 || st.Pending != int64(len(all)-4) {
		t.Fatalf("Delivered %d, Dropped.Corrupt %d, Pending %d: want 3, 1 and %d", st.Delivered, st.Dropped.Corrupt, st.Pending, len(all)-4)
	}
}
