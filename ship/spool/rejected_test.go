package spool

import (
	"errors"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship"
)

// TestRejectedNotReplayed: a Flush that fails only because the service
// refused events for good (too old, or older than the group's retention)
// while it stored the rest of their batch settles the window: the refused
// records are dropped (Refused, reported), the others delivered, and
// nothing is sent again, as a replay would store the rest again and be
// refused again, forever. Any other loss, and too-new events (which a
// later attempt may store), make the window be sent again.
func TestRejectedNotReplayed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error // of the first Flush
		refused  int64
		replayed int64
	}{
		{"expired", rejErr(2, ship.Rejected{Expired: 2}, ship.Rejected{Expired: 2}), 2, 0},
		{"too old and expired", rejErr(3, ship.Rejected{TooOld: 1, Expired: 2}, ship.Rejected{TooOld: 1, Expired: 2}), 3, 0},
		// The Err of a Flush is the last batch's: its Rejected counts every batch's.
		{"expired, in several batches", rejErr(3, ship.Rejected{Expired: 3}, ship.Rejected{Expired: 1}), 3, 0},
		{"too new", rejErr(2, ship.Rejected{TooNew: 2}, ship.Rejected{TooNew: 2}), 0, 10},
		{"another loss too", rejErr(5, ship.Rejected{Expired: 2}, ship.Rejected{Expired: 2}), 0, 10},
		{"batch dropped", &ship.FlushError{Events: 10, Err: &ship.BatchError{Events: 10}}, 0, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &memDst{failFlush: func(n int) error {
				if n == 1 {
					return tc.err
				}
				return nil
			}}
			rep := &reports{}
			o := fastOpts()
			o.FlushInterval = time.Hour
			o.OnError = rep.add
			s := mustOpen(t, t.TempDir(), d, o)
			logAll(t, s, msgs("r", 10))
			err := s.Flush(flushCtx(t))
			var fe *FlushError
			if tc.refused > 0 && (!errors.As(err, &fe) || fe.Records != tc.refused) {
				t.Fatalf("Flush = %v, want a *FlushError for %d records", err, tc.refused)
			}
			if tc.refused == 0 && err != nil {
				t.Fatalf("Flush = %v", err)
			}
			s.Close(flushCtx(t))
			st := s.Stats()
			checkIdentities(t, st)
			if st.Dropped.Refused != tc.refused || st.Delivered != 10-tc.refused || st.Replayed != tc.replayed || st.Pending != 0 {
				t.Fatalf("Refused %d, Delivered %d, Replayed %d, Pending %d; want %d, %d, %d, 0",
					st.Dropped.Refused, st.Delivered, st.Replayed, st.Pending, tc.refused, 10-tc.refused, tc.replayed)
			}
			var de *DropError
			var re *ship.RejectedError
			for _, r := range rep.errs {
				if errors.As(r, &de) {
					break
				}
			}
			if (de != nil) != (tc.refused > 0) || (de != nil && (de.Reason != ReasonRefused || de.Records != tc.refused || !errors.As(de, &re))) {
				t.Fatalf("reported %v", rep.errs)
			}
		})
	}
}

// rejErr is a Flush's error for events lost in all, of which rej were
// rejected by the service, last being the last batch's rejections.
func rejErr(events int64, rej, last ship.Rejected) error {
	return &ship.FlushError{Events: events, Rejected: rej, Err: &ship.RejectedError{Rejected: last}}
}
