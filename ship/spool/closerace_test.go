package spool

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestCloseRaces: Close with a short deadline while Log, Write, Flush and
// Sync run from other goroutines, DropOldest drops segments and the
// destination fails one Flush in three: every call returns, nothing
// deadlocks, and Stats accounts for every record; a reopened spool then
// delivers exactly the records the first left on disk.
func TestCloseRaces(t *testing.T) {
	for round := range 6 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			policy := []SyncPolicy{SyncPeriodic, SyncAlways, SyncNever}[round%3]
			d := &memDst{failFlush: func(n int) error {
				if n%3 == 0 {
					return errFlush
				}
				return nil
			}}
			o := fastOpts()
			o.Sync = policy
			o.OnFull = DropOldest
			o.SegmentBytes = MinSegmentBytes
			o.MaxBytes = 4 * MinSegmentBytes
			o.MaxMessageBytes = 64
			dir := t.TempDir()
			s := mustOpen(t, dir, d, o)
			ctx := context.Background()
			var wg sync.WaitGroup
			run := func(f func(i int) error) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						if err := f(i); errors.Is(err, ErrClosed) {
							return
						}
					}
				}()
			}
			run(func(i int) error { return s.Log(time.UnixMilli(1), fmt.Sprintf("log-%d", i)) })
			run(func(i int) error {
				_, err := fmt.Fprintf(s, "w-%d\nw-%d-", i, i)
				return err
			})
			run(func(int) error {
				fctx, cancel := context.WithTimeout(ctx, time.Millisecond)
				defer cancel()
				err := s.Flush(fctx)
				if s.isClosing() {
					return ErrClosed
				}
				return err
			})
			run(func(int) error {
				err := s.Sync()
				if s.isClosing() {
					return ErrClosed
				}
				return err
			})
			time.Sleep(time.Duration(20+rand.IntN(30)) * time.Millisecond)
			cctx, cancel := context.WithTimeout(ctx, time.Duration(rand.IntN(10))*time.Millisecond)
			defer cancel()
			err := s.Close(cctx)
			wg.Wait()
			st := s.Stats()
			checkIdentities(t, st)
			var ce *CloseError
			if st.Pending > 0 && (!errors.As(err, &ce) || ce.Pending != st.Pending) {
				t.Fatalf("Close = %v with %d records pending", err, st.Pending)
			}
			d2 := &memDst{}
			s2 := mustOpen(t, dir, d2, o)
			closeOK(t, s2)
			st2 := s2.Stats()
			checkIdentities(t, st2)
			if st2.Recovered != st.Pending || int64(len(d2.got())) != st.Pending {
				t.Fatalf("reopened: Recovered %d, delivered %d; the first left %d\nfirst: %+v\nsecond: %+v", st2.Recovered, len(d2.got()), st.Pending, st, st2)
			}
		})
	}
}

// stallDst is a memDst whose LogContext, for the message stall, says so
// on stalled and takes the event only once ctx ends.
type stallDst struct {
	memDst
	stall   string
	stalled chan struct{}
}

func (d *stallDst) LogContext(ctx context.Context, t time.Time, msg string) error {
	if msg == d.stall {
		close(d.stalled)
		<-ctx.Done()
	}
	return d.memDst.LogContext(ctx, t, msg)
}

// TestCloseCountsWindowOfDroppedSegment: records the pump handed to the
// destination, whose segment DropOldest deleted before their Flush, are
// counted as dropped (Oldest) when Close gives up before that Flush: they
// are not on disk for the next Open, and Close does not count them as left
// there.
func TestCloseCountsWindowOfDroppedSegment(t *testing.T) {
	d := &stallDst{stall: "r-0099", stalled: make(chan struct{})}
	o := damageOpts()
	o.OnFull = DropOldest
	o.MaxBytes = 2 * MinSegmentBytes
	o.FlushInterval = time.Hour // no Flush before Close
	dir := t.TempDir()
	s := mustOpen(t, dir, d, o)
	all := msgs("r", 3*perSegment)
	logAll(t, s, all[:100])
	<-d.stalled // records 0–98 handed, 99 being handed: all of segment 0
	logAll(t, s, all[100:])
	if st := s.Stats(); st.Dropped.Oldest == 0 {
		t.Fatalf("segment 0 not dropped: %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := s.Close(ctx)
	st := s.Stats()
	checkIdentities(t, st)
	if st.Delivered != 0 || st.Dropped.Oldest != perSegment {
		t.Fatalf("Delivered %d, Oldest %d; want 0, %d (all of segment 0)", st.Delivered, st.Dropped.Oldest, perSegment)
	}
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Pending != int64(len(all)-perSegment) {
		t.Fatalf("Close = %v, want %d records left", err, len(all)-perSegment)
	}
	d2 := &memDst{}
	s2 := mustOpen(t, dir, d2, o)
	closeOK(t, s2)
	if st2 := s2.Stats(); st2.Recovered != ce.Pending || !slices.Equal(d2.got(), all[perSegment:]) {
		t.Fatalf("reopened: Recovered %d, delivered %d records; the first left %d", st2.Recovered, len(d2.got()), ce.Pending)
	}
}

// isClosing reports whether Close has started.
func (s *Spool) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}
