package noloss_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/faultproxy"
	"github.com/cwlogs/cwlogs/internal/testpeer"
	"github.com/cwlogs/cwlogs/localserver"
	"github.com/cwlogs/cwlogs/ship"
)

func newClient(t testing.TB, endpoint string, attemptTimeout time.Duration) *cwlogs.Client {
	t.Helper()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(endpoint),
		cwlogs.WithMaxAttempts(1), cwlogs.WithAttemptTimeout(attemptTimeout))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noLossRun ships n events per stream through a fault-injecting proxy to
// endpoint and checks that every event was stored, in order, with duplicates
// only from answers lost after the upstream stored the batch.
func noLossRun(t *testing.T, endpoint string, streams, n, batch int, createGroup bool) {
	p, err := faultproxy.New(faultproxy.Config{
		Upstream: endpoint, Seed: 42,
		ServerError: 0.04, Throttle: 0.04, Reset: 0.03, Slow: 0.002, LostResponse: 0.03,
		SlowDelay: time.Minute,
		// Every kind of fault early on, then at random.
		Schedule: []faultproxy.Fault{faultproxy.None, faultproxy.ServerError, faultproxy.None, faultproxy.Throttle,
			faultproxy.None, faultproxy.Reset, faultproxy.None, faultproxy.LostResponse, faultproxy.None, faultproxy.Slow},
		Eligible: func(r *http.Request) bool {
			return strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ps := httptest.NewServer(p)
	defer ps.Close()
	defer p.CloseIdleConnections()
	// The attempt timeout is far above a normal answer's time, even under the
	// race detector, so that only injected faults lose answers.
	client := newClient(t, ps.URL, 10*time.Second)
	m, err := ship.NewMux(client, &ship.Options{
		MaxBatchEvents: batch, Concurrency: 2, CreateGroup: createGroup,
		InitialBackoff: 5 * time.Millisecond, ThrottleBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		MaxElapsedTime: 2 * time.Minute, FlushInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	group := "noloss"
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	start := time.Now()
	var wg sync.WaitGroup
	for s := range streams {
		wg.Go(func() {
			sh, err := m.Stream(group, fmt.Sprint("stream-", s))
			if err != nil {
				t.Error(err)
				return
			}
			for i := range n {
				// Distinct timestamps per stream: read-back order is the send order.
				if err := sh.Log(base.Add(time.Duration(i)*time.Millisecond), fmt.Sprintf("s%d-%08d payload", s, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	elapsed := time.Since(start)
	st := m.Stats()
	if st.Sent != int64(streams*n) || st.Lost() != 0 {
		t.Fatalf("stats: sent %d of %d, lost %d", st.Sent, streams*n, st.Lost())
	}

	// Which events may legitimately be stored twice.
	mayDup := map[string]int{}
	lostEvents := 0
	for _, b := range p.LostBodies() {
		var in struct {
			LogEvents []struct{ Message string } `json:"logEvents"`
		}
		if err := json.Unmarshal(b, &in); err != nil {
			t.Fatal(err)
		}
		for _, e := range in.LogEvents {
			mayDup[e.Message]++
			lostEvents++
		}
	}
	// Read back directly from the upstream.
	reader := newClient(t, endpoint, 30*time.Second)
	totalDup := 0
	for s := range streams {
		counts := make([]int, n)
		last := -1
		for e, err := range reader.GetLogEventsIter(ctx, &cwlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: fmt.Sprint("stream-", s)}) {
			if err != nil {
				t.Fatal(err)
			}
			var ss, i int
			if _, err := fmt.Sscanf(e.Message, "s%d-%d payload", &ss, &i); err != nil || ss != s || i < 0 || i >= n {
				t.Fatalf("stream %d: unexpected event %q", s, e.Message)
			}
			if i < last {
				t.Fatalf("stream %d: event %d read after %d", s, i, last)
			}
			last = i
			counts[i]++
		}
		for i, c := range counts {
			msg := fmt.Sprintf("s%d-%08d payload", s, i)
			switch {
			case c == 0:
				t.Fatalf("stream %d: event %d lost", s, i)
			case c > 1+mayDup[msg]:
				t.Fatalf("stream %d: event %d stored %d times, only %d lost answers carried it", s, i, c, mayDup[msg])
			}
			totalDup += c - 1
		}
	}
	c := p.Counts()
	t.Logf("no-loss: %d events in %d streams in %v (%.0f events/s); requests %d, retries %d, throttled %d; injected: %d 5xx, %d throttles, %d resets, %d slow, %d lost answers (+%d client gone); duplicates stored: %d (at most %d: events in lost answers)",
		streams*n, streams, elapsed.Round(time.Millisecond), float64(streams*n)/elapsed.Seconds(), st.Requests, st.Retries, st.Throttled,
		c.ServerErrors, c.Throttles, c.Resets, c.Slow, c.LostResponses, c.ClientGone, totalDup, lostEvents)
	if c.ServerErrors == 0 || c.Throttles == 0 || c.Resets == 0 || c.Slow == 0 || c.LostResponses == 0 {
		t.Errorf("no faults injected: %+v", c)
	}
	if name := os.Getenv("NOLOSS_REPORT"); name != "" {
		appendReport(t, name, fmt.Sprintf("%s: events=%d streams=%d elapsed=%v requests=%d retries=%d throttled=%d 5xx=%d throttles=%d resets=%d slow=%d lost=%d clientgone=%d duplicates=%d\n",
			t.Name(), streams*n, streams, elapsed, st.Requests, st.Retries, st.Throttled, c.ServerErrors, c.Throttles, c.Resets, c.Slow, c.LostResponses, c.ClientGone, totalDup))
	}
}

// appendReport adds one line to the report file, so that every run's counts are kept.
func appendReport(t *testing.T, name, line string) {
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Errorf("report: %v", err)
		return
	}
	defer f.Close()
	if _, err := f.WriteString(line); err != nil {
		t.Errorf("report: %v", err)
	}
}

// TestNoLossLocalServer ships 1,000,000 events (250,000 under the race
// detector, 50,000 with -short; NOLOSS_EVENTS=N sets the total) through the
// fault proxy into the local server.
func TestNoLossLocalServer(t *testing.T) {
	n := 250000
	switch {
	case testing.Short():
		n = 12500
	case raceOn:
		n = 62500
	}
	if v := os.Getenv("NOLOSS_EVENTS"); v != "" {
		total, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		n = total / 4
	}
	srv := startLocalServer(t)
	c := newClient(t, srv.URL(), 10*time.Second)
	if err := c.CreateLogGroup(context.Background(), &cwlogs.CreateLogGroupInput{LogGroupName: "noloss"}); err != nil {
		t.Fatal(err)
	}
	noLossRun(t, srv.URL(), 4, n, 2000, false)
}

// TestNoLossMoto: the same against moto_server, with fewer events, creating
// the group and the streams on ResourceNotFoundException.
func TestNoLossMoto(t *testing.T) {
	endpoint := testpeer.Moto(t)
	noLossRun(t, endpoint, 2, 10000, 250, true)
}

// startLocalServer starts an in-memory local server on a free loopback port, shut down when
// the test ends.
func startLocalServer(t *testing.T) *localserver.Server {
	t.Helper()
	srv, err := localserver.New(localserver.Config{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return srv
}
