package spool

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship"
)

func flushCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestReplayAfterFailedFlush: a failed Flush sends the same records again
// after a pause; the records the destination stored before failing are the
// duplicates, and none is lost.
func TestReplayAfterFailedFlush(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stored int // events a failed Flush stores before failing
	}{
		{"nothing stored", 0},
		{"first half stored", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &memDst{
				failFlush:   failFirst(2),
				storeOnFail: func(int) int { return tc.stored },
			}
			rep := &reports{}
			o := fastOpts()
			o.FlushInterval = time.Hour
			o.OnError = rep.add
			s := mustOpen(t, t.TempDir(), d, o)
			want := msgs("r", 10)
			logAll(t, s, want)
			if err := s.Flush(flushCtx(t)); err != nil {
				t.Fatal(err)
			}
			closeOK(t, s)
			var dups []string
			for range 2 {
				dups = append(dups, want[:tc.stored]...)
			}
			if got := d.got(); !slices.Equal(got, append(dups, want...)) {
				t.Fatalf("stored %q", got)
			}
			st := s.Stats()
			if st.Failures != 2 || st.Handed != 30 || st.Replayed != 20 || st.Delivered != 10 {
				t.Fatalf("%+v", st)
			}
			checkIdentities(t, st)
			var fails []int
			for _, err := range rep.errs {
				var de *DeliveryError
				if !errors.As(err, &de) || de.Records != 10 || !errors.Is(err, errFlush) {
					t.Fatalf("reported %v", err)
				}
				fails = append(fails, de.Failures)
			}
			if !slices.Equal(fails, []int{1, 2}) {
				t.Fatalf("DeliveryError.Failures %v, want [1 2]", fails)
			}
		})
	}
}

// TestMaxReplays: past MaxReplays failed replays, the window is dropped,
// counted and reported, and delivery goes on: the next window is sent again
// after its own failure.
func TestMaxReplays(t *testing.T) {
	d := &memDst{failFlush: failFirst(4)}
	rep := &reports{}
	o := fastOpts()
	o.FlushInterval = time.Hour
	o.MaxReplays = 2
	o.OnError = rep.add
	s := mustOpen(t, t.TempDir(), d, o)
	logAll(t, s, msgs("lost", 10))
	err := s.Flush(flushCtx(t))
	var fe *FlushError
	if !errors.As(err, &fe) || fe.Records != 10 {
		t.Fatalf("Flush = %v, want a *FlushError of 10 records", err)
	}
	later := msgs("later", 3)
	logAll(t, s, later)
	if err := s.Flush(flushCtx(t)); err != nil {
		t.Fatal(err)
	}
	s.Close(context.Background())
	if got := d.got(); !slices.Equal(got, later) {
		t.Fatalf("stored %q", got)
	}
	st := s.Stats()
	if st.Dropped.ReplayLimit != 10 || st.Failures != 4 {
		t.Fatalf("%+v", st)
	}
	checkIdentities(t, st)
	var drops []*DropError
	for _, err := range rep.errs {
		var de *DropError
		if errors.As(err, &de) {
			drops = append(drops, de)
		}
	}
	if len(drops) != 1 || drops[0].Reason != ReasonReplayLimit || drops[0].Records != 10 || !errors.Is(drops[0], errFlush) {
		t.Fatalf("drop reports %v", drops)
	}
}

// TestRefusedForGood: records the destination refuses for good are dropped
// and counted once, even when their window is sent again.
func TestRefusedForGood(t *testing.T) {
	refusals := map[string]error{
		"r-0003": fmt.Errorf("x: %w", ship.ErrOutOfRange),
		"r-0004": ship.ErrTooLarge,
		"r-0007": fmt.Errorf("custom: %w", ErrRefused),
	}
	d := &memDst{
		refuse:    func(m string) error { return refusals[m] },
		failFlush: failFirst(1),
	}
	rep := &reports{}
	o := fastOpts()
	o.FlushInterval = time.Hour
	o.OnError = rep.add
	s := mustOpen(t, t.TempDir(), d, o)
	all := msgs("r", 10)
	logAll(t, s, all)
	err := s.Flush(flushCtx(t))
	var fe *FlushError
	if !errors.As(err, &fe) || fe.Records != 3 {
		t.Fatalf("Flush = %v, want a *FlushError of 3 records", err)
	}
	s.Close(context.Background())
	if got := d.got(); !slices.Equal(got, without(all, 3, 4, 7)) {
		t.Fatalf("stored %q", got)
	}
	st := s.Stats()
	if st.Dropped.Refused != 3 || st.Delivered != 7 {
		t.Fatalf("%+v", st)
	}
	checkIdentities(t, st)
	var refused int64
	for _, err := range rep.errs {
		var de *DropError
		if errors.As(err, &de) && de.Reason == ReasonRefused {
			refused += de.Records
		}
	}
	if refused != 3 {
		t.Fatalf("reported %d refused, want 3: %v", refused, rep.errs)
	}
}

// TestNotTakenForNow: a record the destination does not take for now
// (ship.ErrBufferFull) is tried again after a pause; what was taken before it
// is flushed first, so nothing is sent twice.
func TestNotTakenForNow(t *testing.T) {
	var busy atomic.Int32
	busy.Store(3)
	d := &memDst{refuse: func(m string) error {
		if m == "r-0004" && busy.Add(-1) >= 0 {
			return ship.ErrBufferFull
		}
		return nil
	}}
	o := fastOpts()
	o.FlushInterval = time.Hour
	s := mustOpen(t, t.TempDir(), d, o)
	all := msgs("r", 10)
	logAll(t, s, all)
	if err := s.Flush(flushCtx(t)); err != nil {
		t.Fatal(err)
	}
	closeOK(t, s)
	if got := d.got(); !slices.Equal(got, all) {
		t.Fatalf("stored %q", got)
	}
	if st := s.Stats(); st.Failures != 3 || st.Replayed != 0 || st.Checkpoints < 2 {
		t.Fatalf("%+v", st)
	}
}

// TestDropOldestDuringDelivery: a segment dropped while its records wait
// for their Flush: when the Flush succeeds they are delivered (not counted
// dropped); when it fails they cannot be sent again and are counted
// dropped then. Either way each record is counted once.
func TestDropOldestDuringDelivery(t *testing.T) {
	for _, tc := range []struct {
		name       string
		flushErr   error
		oldest     int64
		deliveredA bool
	}{
		{"flush succeeds", nil, 0, true},
		{"flush fails", errFlush, perSegment, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &memDst{gate: make(chan error), entered: make(chan struct{})}
			o := fullOpts(DropOldest)
			// No timed flush: one that came while segA was being logged would hold only
			// part of it (the rest then dropped with the segment), as seen under load.
			o.FlushInterval = time.Hour
			o.FlushBytes = 1 << 20
			s := mustOpen(t, t.TempDir(), d, o)
			segA := msgs("a", perSegment)
			logAll(t, s, segA) // the first segment, full
			fctx, stopFlush := context.WithCancel(context.Background())
			defer stopFlush()
			go s.Flush(fctx) // asks the pump to hand all of segA over and flush
			<-d.entered      // the pump took all of it and flushes
			segB := msgs("b", perSegment)
			logAll(t, s, segB)
			segC := msgs("c", 5) // drops the first segment
			logAll(t, s, segC)
			d.gate <- tc.flushErr
			go func() {
				for range d.entered {
					d.gate <- nil
				}
			}()
			if tc.oldest == 0 {
				closeOK(t, s)
			} else {
				closeOK2(t, s, tc.oldest)
			}
			var want []string
			if tc.deliveredA {
				want = segA
			}
			want = append(append(want, segB...), segC...)
			if got := d.got(); !slices.Equal(got, want) {
				t.Fatalf("stored %d records, want %d", len(got), len(want))
			}
			st := s.Stats()
			if st.Dropped.Oldest != tc.oldest {
				t.Fatalf("Oldest %d, want %d", st.Dropped.Oldest, tc.oldest)
			}
			checkIdentities(t, st)
		})
	}
}

// TestCloseLeavesWindowOnDisk: records handed to a destination that never
// confirms stay on disk through Close and are sent by the next Open.
func TestCloseLeavesWindowOnDisk(t *testing.T) {
	dir := t.TempDir()
	d := &memDst{failFlush: func(int) error { return errFlush }}
	s := mustOpen(t, dir, d, fastOpts())
	want := msgs("r", 7)
	logAll(t, s, want)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.Close(ctx)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Pending != 7 || !strings.Contains(err.Error(), "7 records left on disk") {
		t.Fatalf("Close = %v", err)
	}
	d2 := &memDst{}
	s2 := mustOpen(t, dir, d2, fastOpts())
	if st := s2.Stats(); st.Recovered != 7 || st.Pending != 7 {
		t.Fatalf("after Open: %+v", st)
	}
	closeOK(t, s2)
	if got := d2.got(); !slices.Equal(got, want) {
		t.Fatalf("sent %q", got)
	}
}
