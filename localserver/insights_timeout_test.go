package localserver

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestInsightsQueryTimeout times out queries paused after their second record (of six,
// newest first), with the function their Config.QueryTimeout timer calls (the timer
// itself would make the rows depend on the machine's speed): each ends with status
// Timeout, keeping what it found in those two records, rows and aggregates, as the
// service's timed-out queries do. A timed-out query is not running: StopQuery refuses
// it, and DescribeQueries lists it as Timeout.
func TestInsightsQueryTimeout(t *testing.T) {
	s := newTestServer(t, Config{QueryTimeout: time.Hour})
	base := insightsFixture(t, s)
	in := func(q string) m {
		return m{"logGroupNames": []string{"app", "web"}, "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": q}
	}
	paused := pauseQueries(t, s, 2, nil) // held until the query's context ends
	ts := func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000") }
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"fields @timestamp", []string{"@timestamp=" + ts(base+5000), "@timestamp=" + ts(base+4000)}},
		{"stats count(*) as n, max(@timestamp) as newest, min(@timestamp) as oldest",
			[]string{"n=2; newest=" + ts(base+5000) + "; oldest=" + ts(base+4000)}},
		{"sort @timestamp asc | fields @timestamp", []string{"@timestamp=" + ts(base+4000), "@timestamp=" + ts(base+5000)}},
	} {
		t.Run(c.q, func(t *testing.T) {
			id := startQuery(t, s, in(c.q))
			waitPaused(t, paused)
			s.queries().get(id).timeOut()
			r := waitQuery(t, s, id, nil)
			if r.body["status"] != "Timeout" {
				t.Fatalf("status: %s", r.raw)
			}
			if got := strings.Join(rowsOf(r), "|"); got != strings.Join(c.want, "|") {
				t.Errorf("rows of a timed-out query:\n%s\nwant:\n%s", got, strings.Join(c.want, "|"))
			}
			if st := r.body["statistics"].(map[string]any); fnum(t, st["recordsScanned"]) != 2 {
				t.Errorf("statistics: %v", st)
			}
			if r := call(t, s, "StopQuery", m{"queryId": id}); r.errType() != codeInvalidParameter {
				t.Errorf("StopQuery of a timed-out query: %d %s", r.status, r.raw)
			}
			qs, _ := pageItems(t, s, "DescribeQueries", m{"status": "Timeout"}, "queries", 10)
			found := false
			for _, q := range qs {
				found = found || (q["queryId"] == id && q["queryDuration"] != nil)
			}
			if !found {
				t.Errorf("DescribeQueries status=Timeout: %v", qs)
			}
		})
	}
	// Without the hook, the same server's queries complete.
	reg := s.queries()
	reg.mu.Lock()
	reg.afterRecord = nil
	reg.mu.Unlock()
	if r := waitQuery(t, s, startQuery(t, s, in("fields @timestamp")), nil); r.body["status"] != "Complete" || len(list(r.body["results"])) != 6 {
		t.Errorf("query without a pause: %s", r.raw)
	}
}

// TestInsightsQueryTimeoutTimer checks that Config.QueryTimeout's timer ends a query
// that runs longer (one held after its first record until its context ends) with
// status Timeout.
func TestInsightsQueryTimeoutTimer(t *testing.T) {
	s := newTestServer(t, Config{QueryTimeout: 20 * time.Millisecond})
	base := insightsFixture(t, s)
	paused := pauseQueries(t, s, 1, nil)
	id := startQuery(t, s, m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "stats count(*)"})
	// The query cannot end on its own: it pauses after its first record until its
	// context ends. Under load the timer may fire before the scan reaches that record
	// (the test once failed waiting for the pause), so the pause is not waited for.
	go func() {
		select {
		case <-paused:
		case <-t.Context().Done():
		}
	}()
	if r := waitQuery(t, s, id, nil); r.body["status"] != "Timeout" {
		t.Errorf("status: %s", r.raw)
	}
}

// TestInsightsTimeoutAndShutdown checks that a query's status names what ended it first
// when a timeout and Shutdown both come before its scan notices either: Timeout, or
// Cancelled.
func TestInsightsTimeoutAndShutdown(t *testing.T) {
	for _, timeoutFirst := range []bool{true, false} {
		t.Run(map[bool]string{true: "timeout first", false: "shutdown first"}[timeoutFirst], func(t *testing.T) {
			s := newTestServer(t, Config{QueryTimeout: time.Hour})
			base := insightsFixture(t, s)
			release := make(chan struct{})
			paused := make(chan struct{}, 1)
			reg := s.queries()
			reg.mu.Lock()
			reg.afterRecord = func(ctx context.Context, n int) {
				if n == 1 {
					paused <- struct{}{}
					<-release // the scan notices neither until both happened
				}
			}
			reg.mu.Unlock()
			id := startQuery(t, s, m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "fields @message"})
			waitPaused(t, paused)
			qs := reg.get(id)
			if timeoutFirst {
				qs.timeOut()
			}
			shut := make(chan error, 1)
			go func() { shut <- s.Shutdown(context.Background()) }()
			for !s.stopping() {
				time.Sleep(time.Millisecond)
			}
			if !timeoutFirst {
				qs.cancel() // as Shutdown's cancel of every query has, or soon will
				qs.timeOut()
			}
			close(release)
			if err := <-shut; err != nil {
				t.Fatal(err)
			}
			want := map[bool]string{true: "Timeout", false: "Cancelled"}[timeoutFirst]
			if st, _, _ := qs.snapshot(); st != want {
				t.Errorf("status %s, want %s", st, want)
			}
		})
	}
}

// TestInsightsQueryTimeoutStop checks that a query stopped before its timeout ends
// Cancelled, not Timeout.
func TestInsightsQueryTimeoutStop(t *testing.T) {
	s := newTestServer(t, Config{QueryTimeout: time.Hour})
	base := insightsFixture(t, s)
	paused := pauseQueries(t, s, 1, nil)
	id := startQuery(t, s, m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "fields @message"})
	waitPaused(t, paused)
	mustOK(t, s, "StopQuery", m{"queryId": id})
	if r := mustOK(t, s, "GetQueryResults", m{"queryId": id}); r.body["status"] != "Cancelled" {
		t.Errorf("stopped query: %s", r.raw)
	}
}

// TestQueryTimeoutConfig checks Config.QueryTimeout's documented values.
func TestQueryTimeoutConfig(t *testing.T) {
	for _, c := range []struct {
		cfg, want time.Duration
	}{
		{0, DefaultQueryTimeout},
		{-1, 0},
		{-time.Hour, 0},
		{5 * time.Second, 5 * time.Second},
	} {
		s := &Server{cfg: Config{QueryTimeout: c.cfg}}
		if got := s.queryTimeout(); got != c.want {
			t.Errorf("QueryTimeout %v: limit %v, want %v", c.cfg, got, c.want)
		}
	}
	if DefaultQueryTimeout != 60*time.Minute {
		t.Errorf("DefaultQueryTimeout = %v; the service's is 60 minutes", DefaultQueryTimeout)
	}
}
