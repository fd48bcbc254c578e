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
		{"expired", &ship.FlushError{Events: 2, Err: &ship.RejectedError{Rejected: ship.Rejected{Expired: 2}}}, 2, 0},
		{"too old and expired", &ship.FlushError{Events: 3, Err: &ship.RejectedError{Rejected: ship.Rejected{TooOld: 1, Expired: 2}}}, 3, 0},
		{"too new", &ship.FlushError{Events: 2, Err: &ship.RejectedError{Rejected: ship.Rejected{TooNew: 2}}}, 0, 10},
		{"another loss too", &ship.FlushError{Events: 5, Err: &ship.RejectedError{Rejected: ship.Rejected{Expired: 2}}}, 0, 10},
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
