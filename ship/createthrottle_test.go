package ship

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestCreateThrottled: a throttled CreateLogStream or CreateLogGroup (made
// after ResourceNotFoundException) must be counted in Stats.Throttled and
// pause the creation calls of the other senders, as a throttled
// PutLogEvents is counted and pauses them. A review found it was neither:
// only the sender that was throttled backed off, so every other stream of a
// Mux went on calling the throttled API.
//
// Stream a's creation is throttled; the backoff (at least 30 minutes) is
// longer than MaxElapsedTime, so a's batch gives up at once, and so must the
// batch of stream b, without calling the API: its creation would wait for
// the pause past its MaxElapsedTime.
func TestCreateThrottled(t *testing.T) {
	cases := []struct {
		name        string
		groupExists bool
		createGroup bool
		throttled   string // the operation throttled once
	}{
		{"CreateLogStream", true, false, "CreateLogStream"},
		{"CreateLogGroup", false, true, "CreateLogGroup"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.requireStream = true
			f.groups["g"] = tc.groupExists
			var mu sync.Mutex
			calls := map[string][]string{} // operation → streams
			f.createHook = func(op, _, stream string) error {
				mu.Lock()
				defer mu.Unlock()
				calls[op] = append(calls[op], stream)
				if op == tc.throttled && len(calls[op]) == 1 {
					return &cwlogs.APIError{Operation: op, Code: cwlogs.CodeThrottling, StatusCode: 400, Message: "Rate exceeded"}
				}
				return nil
			}
			o := fastOpts()
			o.CreateGroup = tc.createGroup
			o.ThrottleBackoff, o.MaxBackoff, o.MaxElapsedTime = time.Hour, time.Hour, 10*time.Minute
			m, err := NewMux(f, o)
			if err != nil {
				t.Fatal(err)
			}
			flush := func(stream string) (Stats, error) {
				s, err := m.Stream("g", stream)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Log(time.Now(), "event of "+stream); err != nil {
					t.Fatal(err)
				}
				err = returnsSoon(t, "Flush", func() error { return s.Flush(ctxT(t)) })
				return s.Stats(), err
			}
			stA, errA := flush("a")
			var fe *FlushError
			if !errors.As(errA, &fe) || fe.Events != 1 || !cwlogs.IsThrottling(errA) {
				t.Errorf("Flush of a: %v, want a *FlushError for 1 event after throttling", errA)
			}
			if stA.Throttled != 1 || stA.Dropped.RetryExhausted != 1 {
				t.Errorf("stream a: throttled %d, dropped %+v; want 1 throttled, 1 retries exhausted", stA.Throttled, stA.Dropped)
			}
			stB, errB := flush("b")
			if !errors.As(errB, &fe) || fe.Events != 1 {
				t.Errorf("Flush of b: %v, want a *FlushError for 1 event (creation paused)", errB)
			}
			if stB.Dropped.RetryExhausted != 1 || stB.Sent != 0 {
				t.Errorf("stream b: sent %d, dropped %+v; want 0 sent, 1 retries exhausted", stB.Sent, stB.Dropped)
			}
			mu.Lock()
			if len(calls["CreateLogStream"]) != 1 || len(calls["CreateLogGroup"]) > 1 {
				t.Errorf("creation calls %v; want only those for stream a (b's would come during the pause)", calls)
			}
			mu.Unlock()
			err = m.Close(ctxT(t))
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Stats.Lost() != 2 {
				t.Errorf("Close: %v, want a *CloseError with 2 events lost", err)
			}
			checkInvariant(t, m.Stats())
		})
	}
}
