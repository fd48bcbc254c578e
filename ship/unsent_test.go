package ship_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/testpeer"
	"github.com/cwlogs/cwlogs/ship"
)

// TestCloseUnsentOverTheWire: Close sorts the events it gives up on into Unsent and
// Unconfirmed from what a real cwlogs.Client saw on the wire. A review found a
// blackholed endpoint (every SYN dropped, so each dial outlasts the attempt) counted as
// Unconfirmed, though no request had left: the dial failure reached ship as a bare
// context.DeadlineExceeded. A proxy refusing CONNECT was counted the same way.
func TestCloseUnsentOverTheWire(t *testing.T) {
	for _, tc := range []struct {
		name string
		// client returns the HTTP client and endpoint of the test, and a channel that
		// receives a value once an attempt is under way (dialing, or its request read).
		client func(t *testing.T) (*http.Client, string, <-chan struct{})
		// clientAttempts: the client's own attempts per call, 1 as the package doc
		// advises; clientTimeout bounds each (0: the default).
		clientAttempts int
		clientTimeout  time.Duration
		// timeout is the shipper's AttemptTimeout (0: an hour). Only a blackhole may
		// reach a timeout: every other attempt ends on its own or by Close.
		timeout time.Duration
		// inFlight: Close gives up while an attempt is in progress; else while the
		// batch waits to retry after a failed attempt.
		inFlight    bool
		unconfirmed bool
	}{
		{"blackholed, in flight", blackholed, 1, 0, 0, true, false},
		{"blackholed, waiting to retry", blackholed, 1, 0, 50 * time.Millisecond, false, false},
		{"blackholed, the client retried", blackholed, 3, 10 * time.Millisecond, 0, false, false},
		{"proxy refuses CONNECT", refusedCONNECT, 1, 0, 0, false, false},
		{"request read, then connection reset", func(t *testing.T) (*http.Client, string, <-chan struct{}) {
			return peer(t, true)
		}, 1, 0, 0, false, true},
		{"request read, then connection reset, the client retried", func(t *testing.T) (*http.Client, string, <-chan struct{}) {
			return peer(t, true)
		}, 3, 0, 0, false, true},
		{"request read, no answer, in flight", func(t *testing.T) (*http.Client, string, <-chan struct{}) {
			return peer(t, false)
		}, 1, 0, 0, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc, endpoint, started := tc.client(t)
			c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(endpoint),
				cwlogs.WithHTTPClient(hc), cwlogs.WithMaxAttempts(tc.clientAttempts),
				cwlogs.WithRetryPolicy(cwlogs.RetryPolicy{MaxBackoff: time.Millisecond}),
				cwlogs.WithAttemptTimeout(tc.clientTimeout))
			if err != nil {
				t.Fatal(err)
			}
			o := &ship.Options{FlushInterval: time.Hour, MaxBatchEvents: 5, MaxElapsedTime: 2 * time.Hour,
				InitialBackoff: time.Hour, MaxBackoff: time.Hour, AttemptTimeout: tc.timeout}
			if o.AttemptTimeout == 0 {
				o.AttemptTimeout = time.Hour
			}
			s, err := ship.New(c, "g", "s", o)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				_ = s.Log(time.Now(), fmt.Sprint(i))
			}
			// Bounded waits: a review saw this test hang once under load (not reproduced in
			// 600 loaded runs); a stall now fails at once with every goroutine's stack.
			stall := time.Now().Add(30 * time.Second)
			select {
			case <-started:
			case <-time.After(time.Until(stall)):
				t.Fatalf("no attempt started in 30 s\n%s", allStacks())
			}
			if !tc.inFlight {
				for s.Stats().LastError == nil { // the attempt failed: the batch waits to retry
					if time.Now().After(stall) {
						t.Fatalf("the attempt did not fail in 30 s\n%s", allStacks())
					}
					time.Sleep(time.Millisecond)
				}
				var oe *cwlogs.OpError
				if err := s.Stats().LastError; !errors.As(err, &oe) || oe.Attempts != tc.clientAttempts {
					t.Fatalf("last error %v, want an *OpError after %d attempt(s)", err, tc.clientAttempts)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			var ce *ship.CloseError
			watchdog := time.AfterFunc(30*time.Second, func() {
				panic("Close did not return in 30 s after its ctx ended\n" + allStacks())
			})
			err = s.Close(ctx)
			watchdog.Stop()
			if !errors.As(err, &ce) {
				t.Fatalf("Close: %v", err)
			}
			want := ship.CloseError{Unsent: 5}
			if tc.unconfirmed {
				want = ship.CloseError{Unconfirmed: 5}
			}
			if ce.Unsent != want.Unsent || ce.Unconfirmed != want.Unconfirmed {
				t.Errorf("unsent %d unconfirmed %d, want %d %d (last error: %v)",
					ce.Unsent, ce.Unconfirmed, want.Unsent, want.Unconfirmed, ce.Stats.LastError)
			}
		})
	}
}

// allStacks returns the stacks of every goroutine, for a test that stalls.
func allStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// blackholed is an endpoint whose every dial hangs (the SYN dropped) until the test
// ends, long after the attempt gave up on it.
func blackholed(t *testing.T) (*http.Client, string, <-chan struct{}) {
	b := testpeer.NewBlackhole(t)
	return &http.Client{Transport: &http.Transport{DialContext: b.Dial}}, "http://192.0.2.1", b.Dialing
}

// refusedCONNECT is an https endpoint behind a proxy that answers CONNECT with 403.
func refusedCONNECT(t *testing.T) (*http.Client, string, <-chan struct{}) {
	proxy, asked := testpeer.RefusingProxy(t)
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}, "https://logs.us-east-1.amazonaws.com", asked
}

// peer is an endpoint that reads each request whole, then resets the connection
// (reset) or never answers.
func peer(t *testing.T, reset bool) (*http.Client, string, <-chan struct{}) {
	p := testpeer.NewSilent(t, reset)
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}, "http://" + p.Addr(), p.Got
}
