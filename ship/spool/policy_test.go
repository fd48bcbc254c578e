package spool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// fullOpts: 4 KiB segments, 8 KiB in all: 272 records of 30 bytes fill two
// segments; the third segment does not fit.
func fullOpts(p FullPolicy) *Options {
	o := damageOpts()
	o.MaxBytes = 2 * MinSegmentBytes
	o.OnFull = p
	return o
}

// TestFullPolicies: with a destination that takes nothing, the spool fills
// up; then each policy does what it says, and counts it.
func TestFullPolicies(t *testing.T) {
	const fits = 2 * perSegment // records that fit: two segments
	for _, tc := range []struct {
		policy FullPolicy
		check  func(t *testing.T, s *Spool, d *memDst, all []string)
	}{
		{Block, func(t *testing.T, s *Spool, d *memDst, all []string) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			if err := s.LogContext(ctx, time.UnixMilli(1), "r-9999"); err != context.DeadlineExceeded {
				t.Fatalf("LogContext on a full spool = %v, want DeadlineExceeded", err)
			}
			// Log waits until the destination takes records and the first
			// segment is deleted.
			done := make(chan error)
			go func() { done <- s.Log(time.UnixMilli(1), "r-late") }()
			select {
			case err := <-done:
				t.Fatalf("Log returned %v on a full spool", err)
			case <-time.After(30 * time.Millisecond):
			}
			close(d.block)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			closeOK2(t, s, 1)
			if got := d.got(); !slices.Equal(got, append(all[:fits], "r-late")) {
				t.Fatalf("delivered %d records", len(got))
			}
			if st := s.Stats(); st.Dropped.Full != 1 {
				t.Fatalf("Full %d, want 1", st.Dropped.Full)
			}
		}},
		{DropNewest, func(t *testing.T, s *Spool, d *memDst, all []string) {
			for range 3 {
				if err := s.Log(time.UnixMilli(1), "r-9999"); err != ErrFull {
					t.Fatalf("Log on a full spool = %v, want ErrFull", err)
				}
			}
			close(d.block)
			closeOK2(t, s, 3)
			if got := d.got(); !slices.Equal(got, all[:fits]) {
				t.Fatalf("delivered %d records", len(got))
			}
			if st := s.Stats(); st.Dropped.Full != 3 {
				t.Fatalf("Full %d, want 3", st.Dropped.Full)
			}
		}},
		{DropOldest, func(t *testing.T, s *Spool, d *memDst, all []string) {
			// The pump holds record 0 (waiting in LogContext); the rest of
			// the first segment is dropped for the new records.
			for s.Stats().Handed == 0 {
				time.Sleep(time.Millisecond)
			}
			more := make([]string, 10)
			for i := range more {
				more[i] = fmt.Sprintf("n-%04d", i)
			}
			logAll(t, s, more)
			close(d.block)
			err := s.Close(context.Background())
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Pending != 0 || ce.Stats.Dropped.Oldest != perSegment-1 {
				t.Fatalf("Close = %v, want %d dropped", err, perSegment-1)
			}
			want := append([]string{all[0]}, all[perSegment:fits]...)
			want = append(want, more...)
			if got := d.got(); !slices.Equal(got, want) {
				t.Fatalf("delivered %q\nwant %q", got, want)
			}
		}},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			d := &memDst{block: make(chan struct{})}
			rep := &reports{}
			o := fullOpts(tc.policy)
			o.OnError = rep.add
			s := mustOpen(t, t.TempDir(), d, o)
			all := make([]string, fits)
			for i := range all {
				all[i] = fmt.Sprintf("r-%04d", i)
			}
			logAll(t, s, all)
			if st := s.Stats(); st.DiskBytes != 2*(segHeaderSize+perSegment*damageRecSize) {
				t.Fatalf("DiskBytes %d", st.DiskBytes)
			}
			tc.check(t, s, d, all)
			st := s.Stats()
			checkIdentities(t, st)
			if tc.policy == DropOldest {
				var de *DropError
				if len(rep.errs) != 1 || !errors.As(rep.errs[0], &de) || de.Reason != ReasonOldest || de.Records != perSegment-1 {
					t.Fatalf("reported %v, want one *DropError of %d records", rep.errs, perSegment-1)
				}
			}
		})
	}
}

// closeOK2 closes s, which refused n records: a *CloseError with nothing
// left on disk.
func closeOK2(t *testing.T, s *Spool, n int64) {
	t.Helper()
	err := s.Close(context.Background())
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Pending != 0 || ce.Stats.Dropped.Total() != n {
		t.Fatalf("Close = %v, want %d refused and nothing left", err, n)
	}
}

// TestBlockedLogEndsOnClose: a Log waiting for room returns ErrClosed when
// Close starts.
func TestBlockedLogEndsOnClose(t *testing.T) {
	d := &memDst{block: make(chan struct{})}
	s := mustOpen(t, t.TempDir(), d, fullOpts(Block))
	logAll(t, s, msgs("r", 2*perSegment))
	done := make(chan error)
	go func() { done <- s.Log(time.UnixMilli(1), "r-wait") }()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	s.Close(ctx)
	if err := <-done; err != ErrClosed {
		t.Fatalf("waiting Log = %v, want ErrClosed", err)
	}
	if st := s.Stats(); st.Dropped.Closed != 1 {
		t.Fatalf("Closed %d, want 1", st.Dropped.Closed)
	}
}

// TestFlushKeepsUnfinishedLine: when Flush cannot write Write's unfinished
// line (no room before its ctx ends, or Close starts), the line stays, is not
// counted, and Close writes it.
func TestFlushKeepsUnfinishedLine(t *testing.T) {
	d := &memDst{block: make(chan struct{})}
	s := mustOpen(t, t.TempDir(), d, fullOpts(Block))
	all := msgs("r", 2*perSegment)
	logAll(t, s, all)
	s.Write([]byte("unfinished"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.Flush(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Flush = %v, want DeadlineExceeded", err)
	}
	if st := s.Stats(); st.Offered != 2*perSegment || st.Dropped.Total() != 0 {
		t.Fatalf("the line was counted: %+v", st)
	}
	flushed := make(chan error)
	go func() { flushed <- s.Flush(context.Background()) }()
	time.Sleep(10 * time.Millisecond) // Flush waits for room
	closed := make(chan error)
	go func() { closed <- s.Close(context.Background()) }()
	if err := <-flushed; err != ErrClosed {
		t.Fatalf("Flush when Close starts = %v, want ErrClosed", err)
	}
	close(d.block)
	if err := <-closed; err != nil {
		t.Fatalf("Close = %v", err)
	}
	if got := d.got(); !slices.Equal(got, append(all, "unfinished")) {
		t.Fatalf("delivered %d records, the last %q", len(got), got[len(got)-1])
	}
}
