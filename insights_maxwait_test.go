package cwlogs

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that only the test moves: sleep advances it by the wait
// asked for (and records it), advance by any duration (a slow call, say).
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	c.advance(d)
	return ctx.Err()
}

// TestRunQueryMaxWait: MaxWait bounds the waits between polls, counted from StartQuery's
// answer; the poll made when it runs out is the last, and a query that poll finds under
// way is stopped and reported with a *QueryWaitError. StartQuery, a slow poll and the
// later pages of a Complete query are not cut.
func TestRunQueryMaxWait(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name     string
		maxWait  time.Duration
		statuses []string
		// slowStart, slowPoll and slowPage advance the clock while StartQuery, the
		// first GetQueryResults and the second page's are answered.
		slowStart, slowPoll, slowPage time.Duration
		wantWaits                     []time.Duration
		wantStatus                    string // of the result
		wantWait                      bool   // a *QueryWaitError, the query stopped
		wantErr                       bool   // another error
	}{
		{"still running", time.Second, []string{"Running"}, 0, 0, 0,
			[]time.Duration{100 * ms, 200 * ms, 400 * ms, 300 * ms}, QueryStatusRunning, true, false},
		{"below the first wait", 30 * ms, []string{"Scheduled"}, 0, 0, 0,
			[]time.Duration{30 * ms}, QueryStatusScheduled, true, false},
		{"complete at the last poll", time.Second, []string{"Running", "Running", "Running", "Complete"}, 0, 0, 0,
			[]time.Duration{100 * ms, 200 * ms, 400 * ms, 300 * ms}, QueryStatusComplete, false, false},
		{"failed at the last poll", time.Second, []string{"Running", "Running", "Running", "Failed"}, 0, 0, 0,
			[]time.Duration{100 * ms, 200 * ms, 400 * ms, 300 * ms}, QueryStatusFailed, false, true},
		{"slow StartQuery not counted", time.Second, []string{"Running", "Complete"}, time.Hour, 0, 0,
			[]time.Duration{100 * ms, 200 * ms}, QueryStatusComplete, false, false},
		{"slow pages not counted", 150 * ms, []string{"Complete"}, 0, 0, time.Hour,
			[]time.Duration{100 * ms}, QueryStatusComplete, false, false},
		// A poll that answers after MaxWait is not cut; the next, at once, is the last.
		{"slow poll", time.Second, []string{"Running"}, 0, 2 * time.Second, 0,
			[]time.Duration{100 * ms, 0}, QueryStatusRunning, true, false},
		{"zero: no bound", 0, []string{"Running", "Running", "Running", "Running", "Running", "Complete"}, 0, 0, 0,
			[]time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms}, QueryStatusComplete, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
			s := &insightsServer{statuses: tc.statuses, onPoll: func(n int, r *http.Request) {
				if n == 0 {
					clk.advance(tc.slowPoll)
				}
			}}
			inner := s.answer(t)
			c := newTestClient(t, newFakeLogs(t, func(n int, sn seen, w http.ResponseWriter, r *http.Request) {
				switch {
				case strings.HasSuffix(sn.Target, ".StartQuery"):
					clk.advance(tc.slowStart)
				case strings.Contains(sn.Body, `"nextToken"`):
					clk.advance(tc.slowPage)
				}
				inner(n, sn, w, r)
			}))
			res, err := c.RunQuery(context.Background(), queryIn, &QueryOptions{MaxWait: tc.maxWait, sleep: clk.sleep, now: clk.now})
			var we *QueryWaitError
			if tc.wantWait != errors.As(err, &we) || tc.wantErr != (err != nil && we == nil) {
				t.Fatalf("error %v (%T); want a *QueryWaitError: %v, another error: %v", err, err, tc.wantWait, tc.wantErr)
			}
			if !reflect.DeepEqual(clk.waits, tc.wantWaits) {
				t.Errorf("waits %v, want %v", clk.waits, tc.wantWaits)
			}
			if res == nil || res.Status != tc.wantStatus {
				t.Fatalf("result %+v, want status %s", res, tc.wantStatus)
			}
			if tc.wantStatus == QueryStatusComplete && len(res.Rows) != 3 {
				t.Errorf("%d rows, want the 3 of both pages", len(res.Rows))
			}
			wantStops := []string(nil)
			if tc.wantWait {
				wantStops = []string{"q-1"}
				if we.QueryID != "q-1" || we.MaxWait != tc.maxWait || we.Status != tc.wantStatus || we.Statistics.RecordsMatched != 3 {
					t.Errorf("QueryWaitError %+v", we)
				}
				if want := "query q-1 (stopped): cwlogs: query q-1 still " + tc.wantStatus + " after " + tc.maxWait.String(); !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if got := s.stopped(); !reflect.DeepEqual(got, wantStops) {
				t.Errorf("StopQuery calls %q, want %q", got, wantStops)
			}
		})
	}
}

// TestRunQueryMaxWaitRealTime: on the real clock, a StartQuery answered after MaxWait
// and a query complete at its first poll return the rows.
func TestRunQueryMaxWaitRealTime(t *testing.T) {
	s := &insightsServer{statuses: []string{"Complete"}}
	inner := s.answer(t)
	c := newTestClient(t, newFakeLogs(t, func(n int, sn seen, w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(sn.Target, ".StartQuery") {
			time.Sleep(60 * time.Millisecond)
		}
		inner(n, sn, w, r)
	}))
	res, err := c.RunQuery(context.Background(), queryIn, &QueryOptions{PollInterval: time.Millisecond, MaxWait: 20 * time.Millisecond})
	if err != nil || res.Status != QueryStatusComplete || len(res.Rows) != 3 {
		t.Fatalf("RunQuery = %+v, %v; want the 3 rows of a complete query", res, err)
	}
}

// TestRunQueryCancelledDuringStart: when ctx ends while StartQuery is in flight, RunQuery
// waits for its answer (StopTimeout at most) and stops the query it names; the query had
// started on the service but, its StartQuery cut short, was never stopped. With a negative
// StopTimeout, or when no answer comes in time, StartQuery is cut off.
func TestRunQueryCancelledDuringStart(t *testing.T) {
	for _, tc := range []struct {
		name        string
		stopTimeout time.Duration
		answerLate  bool // StartQuery answers only when its request is cut off
		wantStops   []string
	}{
		{"answered after ctx ended", 0, false, []string{"q-1"}},
		{"no answer within StopTimeout", 50 * time.Millisecond, true, nil},
		{"StopTimeout negative", -1, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s := &insightsServer{statuses: []string{"Running"}}
			inner := s.answer(t)
			c := newTestClient(t, newFakeLogs(t, func(n int, sn seen, w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(sn.Target, ".StartQuery") {
					cancel() // the caller gives up while the service starts the query
					if tc.answerLate {
						<-r.Context().Done()
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
				inner(n, sn, w, r)
			}), WithMaxAttempts(1))
			res, err := c.RunQuery(ctx, queryIn, &QueryOptions{StopTimeout: tc.stopTimeout})
			if res != nil || !errors.Is(err, context.Canceled) {
				t.Fatalf("RunQuery = %+v, %v; want nil and context.Canceled", res, err)
			}
			if got := s.stopped(); !reflect.DeepEqual(got, tc.wantStops) {
				t.Errorf("StopQuery calls %q, want %q", got, tc.wantStops)
			}
			if tc.wantStops != nil && !strings.Contains(err.Error(), "query q-1 (stopped)") {
				t.Errorf("error %q does not name the query stopped", err)
			}
		})
	}
}

// TestRunQueryCtxEndedBeforeStart: a ctx that has already ended starts no query:
// RunQuery returns its error without a request. StartQuery ran on a context
// detached from ctx, so a query was started (and then stopped) on the service for
// a caller that had already given up.
func TestRunQueryCtxEndedBeforeStart(t *testing.T) {
	for _, tc := range []struct {
		name        string
		stopTimeout time.Duration
	}{{"default StopTimeout", 0}, {"StopTimeout negative", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			s := &insightsServer{statuses: []string{"Complete"}}
			f := newFakeLogs(t, s.answer(t))
			c := newTestClient(t, f)
			res, err := c.RunQuery(ctx, queryIn, &QueryOptions{StopTimeout: tc.stopTimeout})
			if res != nil || !errors.Is(err, context.Canceled) {
				t.Fatalf("RunQuery = %+v, %v; want nil and context.Canceled", res, err)
			}
			if reqs := f.requests(); len(reqs) != 0 {
				t.Errorf("%d requests (first %s), want none", len(reqs), reqs[0].Target)
			}
		})
	}
}
