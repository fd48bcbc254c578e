package cwlogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// simClock is a simulated clock: time moves only when a test, or a sleep of
// the client, advances it. Safe for concurrent use.
type simClock struct{ ns atomic.Int64 }

func newSimClock(start time.Time) *simClock {
	c := &simClock{}
	c.ns.Store(start.UnixNano())
	return c
}

func (c *simClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *simClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// sleep is a Client's sleep on the simulated clock: it advances the clock by
// d at once, unless ctx has ended.
func (c *simClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.advance(d)
	return nil
}

// closeTo compares floats to 1e-9, relative to their size when above 1.
func closeTo(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a), math.Abs(b))
}

// ms is a time of the simulated clock, in milliseconds after the Unix epoch
// plus 1000 s (small absolute times keep float seconds exact to the ns).
func ms(n int64) time.Time { return time.Unix(1000, 0).Add(time.Duration(n) * time.Millisecond) }

// success returns the curve's rate at t (the limiter computes it in record,
// which also needs the time since the last throttle).
func (c *cubic) success(t time.Time) float64 { return c.rate(seconds(t.Sub(c.lastThrottle))) }

func TestCubic(t *testing.T) {
	c := newCubic(ms(0))
	if c.timeWindow != 0 || c.lastMaxRate != 0 {
		t.Fatalf("start: %+v, want Wmax = K = 0", c)
	}
	// With Wmax = 0 and K = 0 the curve is 0.4·t³.
	if got := c.success(ms(2000)); !closeTo(got, 0.4*8) {
		t.Errorf("success(2 s) = %v, want 3.2", got)
	}
	if got := c.throttle(10, ms(5000)); !closeTo(got, 7) {
		t.Errorf("throttle(10) = %v, want β·10 = 7", got)
	}
	k := math.Cbrt(10 * 0.3 / 0.4)
	if !closeTo(c.timeWindow, k) || c.lastMaxRate != 10 || !c.lastThrottle.Equal(ms(5000)) {
		t.Errorf("after throttle: %+v, want Wmax 10, K %v", c, k)
	}
	// Right after the throttle the curve gives the cut rate; K seconds later, Wmax again.
	if got := c.success(ms(5000)); !closeTo(got, 7) {
		t.Errorf("success at the throttle = %v, want 7", got)
	}
	if got := c.success(ms(5000).Add(time.Duration(k * float64(time.Second)))); !closeTo(got, 10) {
		t.Errorf("success K after the throttle = %v, want Wmax 10", got)
	}
}

func TestTokenBucket(t *testing.T) {
	var b tokenBucket
	b.setRate(ms(0), 0.1) // below both minimums
	if b.fillRate != adaptiveMinFillRate || b.capacity != adaptiveMinCapacity || b.tokens != 0 {
		t.Fatalf("setRate(0.1) = %+v, want fill 0.5, capacity 1, no tokens", b)
	}
	ok, wait := b.take(ms(0), 1)
	if ok || wait != 2*time.Second {
		t.Fatalf("take from empty = %v, %v; want false, 2s at 0.5/s", ok, wait)
	}
	if ok, _ := b.take(ms(2000), 1); !ok || b.tokens != 0 {
		t.Fatalf("take after 2 s = %v, tokens %v; want a token", ok, b.tokens)
	}
	b.setRate(ms(2000), 20)
	if ok, _ := b.take(ms(12000), 1); !ok || b.tokens != 19 {
		t.Fatalf("after 10 s at 20/s: %v, tokens %v; want the capacity 20 less 1", ok, b.tokens)
	}
	b.setRate(ms(12000), 4) // scaling down caps the tokens
	if b.tokens != 4 || b.capacity != 4 {
		t.Fatalf("setRate(4): %+v, want 4 tokens of 4", b)
	}
	b.refill(ms(11000)) // a clock that went back takes nothing away
	if b.tokens != 4 {
		t.Fatalf("clock back: tokens %v, want 4", b.tokens)
	}
	// A wait never rounds down to 0, so that a loop on it always moves on.
	b.tokens = 1 - 1e-12
	if ok, wait := b.take(ms(11000), 1); ok || wait < 1 {
		t.Fatalf("almost a token: %v, %v; want a wait of at least 1ns", ok, wait)
	}
}

// TestRateLimiterEnabledByThrottle: until the first throttle no attempt waits,
// however fast they go; after it, they do.
func TestRateLimiterEnabledByThrottle(t *testing.T) {
	clk := newSimClock(ms(0))
	l := newRateLimiter(clk.now)
	noSleep := func(ctx context.Context, d time.Duration) error {
		t.Fatalf("waited %v before any throttle", d)
		return nil
	}
	for range 1000 {
		if err := l.acquire(context.Background(), noSleep); err != nil {
			t.Fatal(err)
		}
		l.update(false)
		clk.advance(time.Millisecond)
	}
	l.update(true)
	if !l.enabled.Load() {
		t.Fatal("not enabled after a throttle")
	}
	var waited time.Duration
	for range 10 {
		if err := l.acquire(context.Background(), func(ctx context.Context, d time.Duration) error {
			waited += d
			return clk.sleep(ctx, d)
		}); err != nil {
			t.Fatal(err)
		}
		l.update(false)
	}
	if waited == 0 {
		t.Error("10 attempts right after a throttle never waited")
	}
}

// botocoreRun runs script (Python, with botocore) on one JSON line of input
// and decodes its JSON output into out.
func botocoreRun(t *testing.T, python, script string, in, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(string(b) + "\n")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v: %s", err, stderr.String())
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("botocore printed %q: %v", raw, err)
	}
}

// botocoreClock is a clock botocore's classes read, set by each event.
const botocoreClock = `
import json, sys
class Clock:
    def __init__(self, t): self.t = t
    def current_time(self): return self.t
    def sleep(self, amount): raise RuntimeError("no sleeping here")
inp = json.loads(sys.stdin.readline())
clock = Clock(inp["start"])
out = []
`

// limiterEvent is one answer: when, and whether it was a throttle.
type limiterEvent struct {
	T         float64 `json:"t"` // Unix seconds, as unixSeconds gives them
	Throttled bool    `json:"throttled"`
	at        time.Time
}

// limiterEvents builds n answers from seed: gaps of 0 to 400 ms, bursts of
// throttles now and then, with a gap of several seconds sometimes.
func limiterEvents(seed uint64, n int) []limiterEvent {
	r := rand.New(rand.NewPCG(seed, 7))
	at := ms(0)
	ev := make([]limiterEvent, n)
	throttling := false
	for i := range ev {
		gap := time.Duration(r.IntN(400_001)) * time.Microsecond
		if r.IntN(40) == 0 {
			gap += time.Duration(r.IntN(8000)) * time.Millisecond
		}
		at = at.Add(gap)
		if r.IntN(10) == 0 {
			throttling = !throttling
		}
		ev[i] = limiterEvent{T: unixSeconds(at), Throttled: throttling && r.IntN(3) > 0, at: at}
	}
	return ev
}

// TestRateLimiterMatchesBotocore feeds the same answers to the limiter and to
// botocore's ClientRateLimiter (its RateClocker, CubicCalculator and
// TokenBucket) and compares the measured send rate, the bucket's fill rate
// and the curve after each.
func TestRateLimiterMatchesBotocore(t *testing.T) {
	python := testpeer.Botocore(t)
	if python == "" {
		return
	}
	script := botocoreClock + `
from botocore.retries import adaptive, bucket, throttling
class Detector:
    def is_throttling_error(self, **kwargs): return kwargs["throttled"]
cubic = throttling.CubicCalculator(starting_max_rate=0, start_time=clock.current_time())
clocker = adaptive.RateClocker(clock)
tb = bucket.TokenBucket(max_rate=1, clock=clock)
lim = adaptive.ClientRateLimiter(rate_adjustor=cubic, rate_clocker=clocker, token_bucket=tb,
                                 throttling_detector=Detector(), clock=clock)
for ev in inp["events"]:
    clock.t = ev["t"]
    lim.on_receiving_response(throttled=ev["throttled"])
    p = cubic.get_params_snapshot()
    out.append({"fill": tb.max_rate, "measured": clocker.measured_rate, "wmax": p.w_max, "k": p.k, "lastFail": p.last_fail})
print(json.dumps(out))
`
	type state struct {
		Fill, Measured, Wmax, K, LastFail float64
	}
	for _, tc := range []struct {
		name   string
		events []limiterEvent
	}{
		{"steady then throttled", func() []limiterEvent {
			// Five answers a second for 2 s, a throttle, the same again, a throttle, 3 s more.
			var ev []limiterEvent
			for i := int64(1); i <= 35; i++ {
				at := ms(i * 200)
				ev = append(ev, limiterEvent{T: unixSeconds(at), Throttled: i == 10 || i == 20, at: at})
			}
			return ev
		}()},
		{"random 1", limiterEvents(1, 500)},
		{"random 2", limiterEvents(2, 500)},
		{"random 3", limiterEvents(3, 2000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []state
			botocoreRun(t, python, script, map[string]any{"start": unixSeconds(ms(0)), "events": tc.events}, &want)
			if len(want) != len(tc.events) {
				t.Fatalf("botocore gave %d states for %d events", len(want), len(tc.events))
			}
			clk := newSimClock(ms(0))
			l := newRateLimiter(clk.now)
			throttles := 0
			for i, ev := range tc.events {
				clk.ns.Store(ev.at.UnixNano())
				l.update(ev.Throttled)
				if ev.Throttled {
					throttles++
				}
				got := state{Fill: l.bucket.fillRate, Measured: l.meter.rate, Wmax: l.cubic.lastMaxRate, K: l.cubic.timeWindow,
					LastFail: unixSeconds(l.cubic.lastThrottle)}
				w := want[i]
				if !closeTo(got.Fill, w.Fill) || !closeTo(got.Measured, w.Measured) || !closeTo(got.Wmax, w.Wmax) ||
					!closeTo(got.K, w.K) || !closeTo(got.LastFail, w.LastFail) {
					t.Fatalf("event %d (t=%v throttled=%v):\n got %+v\nwant %+v", i, ev.T, ev.Throttled, got, w)
				}
			}
			if throttles == 0 {
				t.Fatal("no throttle in the sequence: it tests nothing of the curve's cut")
			}
		})
	}
}

// bucketOp is one operation on a token bucket: set its rate, or take tokens.
type bucketOp struct {
	T  float64 `json:"t"`
	Op string  `json:"op"` // "rate" or "take"
	V  float64 `json:"v"`
	at time.Time
}

// TestTokenBucketMatchesBotocore runs the same rate changes and takes on the
// bucket and on botocore's TokenBucket (non-blocking acquire) and compares
// tokens, capacity, fill rate and, when a take fails, the wait it reports.
func TestTokenBucketMatchesBotocore(t *testing.T) {
	python := testpeer.Botocore(t)
	if python == "" {
		return
	}
	script := botocoreClock + `
from botocore.retries import bucket
from botocore.exceptions import CapacityNotAvailableError
tb = bucket.TokenBucket(max_rate=inp["rate"], clock=clock)
for op in inp["ops"]:
    clock.t = op["t"]
    ok, wait = True, 0.0
    if op["op"] == "rate":
        tb.max_rate = op["v"]
    else:
        try:
            tb.acquire(op["v"], block=False)
        except CapacityNotAvailableError:
            ok, wait = False, tb._sleep_amount(op["v"])
    out.append({"ok": ok, "wait": wait, "tokens": tb.available_capacity, "capacity": tb.max_capacity, "fill": tb.max_rate})
print(json.dumps(out))
`
	r := rand.New(rand.NewPCG(42, 42))
	at := ms(0)
	var ops []bucketOp
	for range 3000 {
		at = at.Add(time.Duration(r.IntN(300_001)) * time.Microsecond)
		op := bucketOp{T: unixSeconds(at), Op: "take", V: 1, at: at}
		switch r.IntN(8) {
		case 0:
			op.Op, op.V = "rate", r.Float64()*30 // 0 to 30 per second, below the minimums too
		case 1:
			op.V = float64(1 + r.IntN(3))
		}
		ops = append(ops, op)
	}
	type state struct {
		OK                           bool
		Wait, Tokens, Capacity, Fill float64
	}
	var want []state
	botocoreRun(t, python, script, map[string]any{"start": unixSeconds(ms(0)), "rate": 3.0, "ops": ops}, &want)
	if len(want) != len(ops) {
		t.Fatalf("botocore gave %d states for %d ops", len(want), len(ops))
	}
	var b tokenBucket
	b.setRate(ms(0), 3) // as botocore's constructor: its clock starts, at 3 per second
	fails := 0
	for i, op := range ops {
		got := state{OK: true}
		if op.Op == "rate" {
			b.setRate(op.at, op.V)
		} else {
			var wait time.Duration
			got.OK, wait = b.take(op.at, op.V)
			got.Wait = seconds(wait)
		}
		got.Tokens, got.Capacity, got.Fill = b.tokens, b.capacity, b.fillRate
		w := want[i]
		if !got.OK {
			fails++
		}
		// The wait is rounded up to a whole nanosecond.
		if got.OK != w.OK || math.Abs(got.Wait-w.Wait) > 2e-9 || !closeTo(got.Tokens, w.Tokens) || !closeTo(got.Capacity, w.Capacity) || !closeTo(got.Fill, w.Fill) {
			t.Fatalf("op %d %+v:\n got %+v\nwant %+v", i, op, got, w)
		}
	}
	if fails == 0 || fails == len(ops) {
		t.Fatalf("%d of %d takes failed: the sequence does not test both outcomes", fails, len(ops))
	}
}

// TestCubicMatchesBotocore compares the curve with botocore's CubicCalculator
// on a sequence of successes and throttles.
func TestCubicMatchesBotocore(t *testing.T) {
	python := testpeer.Botocore(t)
	if python == "" {
		return
	}
	script := botocoreClock + `
from botocore.retries import throttling
c = throttling.CubicCalculator(starting_max_rate=inp["wmax"], start_time=inp["start"])
for ev in inp["events"]:
    if ev["throttled"]:
        out.append(c.error_received(ev["rate"], ev["t"]))
    else:
        out.append(c.success_received(ev["t"]))
print(json.dumps(out))
`
	type ev struct {
		T         float64 `json:"t"`
		Throttled bool    `json:"throttled"`
		Rate      float64 `json:"rate"`
		at        time.Time
	}
	r := rand.New(rand.NewPCG(9, 9))
	at := ms(0)
	var evs []ev
	for range 1000 {
		at = at.Add(time.Duration(r.IntN(1_000_001)) * time.Microsecond)
		e := ev{T: unixSeconds(at), at: at}
		if r.IntN(6) == 0 {
			e.Throttled, e.Rate = true, r.Float64()*50
		}
		evs = append(evs, e)
	}
	var want []float64
	botocoreRun(t, python, script, map[string]any{"start": unixSeconds(ms(0)), "wmax": 10.0, "events": evs}, &want)
	if len(want) != len(evs) {
		t.Fatalf("botocore gave %d rates for %d events", len(want), len(evs))
	}
	c := newCubic(ms(0))
	c.lastMaxRate = 10
	c.timeWindow = c.window()
	for i, e := range evs {
		var got float64
		if e.Throttled {
			got = c.throttle(e.Rate, e.at)
		} else {
			got = c.success(e.at)
		}
		if !closeTo(got, want[i]) {
			t.Fatalf("event %d %+v: rate %v, botocore %v", i, e, got, want[i])
		}
	}
}

// throttlingServer answers ThrottlingException (400) to the requests beyond
// perSecond in each second of the simulated clock, and 200 to the others.
type throttlingServer struct {
	*fakeLogs
	mu            sync.Mutex
	second        int64
	inSecond      int
	ok, throttled int
}

func newThrottlingServer(t *testing.T, clk *simClock, perSecond int) *throttlingServer {
	s := &throttlingServer{}
	s.fakeLogs = newFakeLogs(t, func(n int, _ seen, w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		sec := clk.now().Unix()
		if sec != s.second {
			s.second, s.inSecond = sec, 0
		}
		s.inSecond++
		over := s.inSecond > perSecond
		if over {
			s.throttled++
		} else {
			s.ok++
		}
		s.mu.Unlock()
		if over {
			writeJSON(w, 400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
			return
		}
		writeJSON(w, 200, "{}")
	})
	s.fakeLogs.now = clk.now
	return s
}

func (s *throttlingServer) counts() (ok, throttled int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ok, s.throttled
}

// newAlwaysThrottled returns a client in the adaptive mode with one attempt
// per call, on a simulated clock, and a server on that clock that throttles
// every request.
func newAlwaysThrottled(t *testing.T) (*Client, *simClock, *throttlingServer) {
	t.Helper()
	clk := newSimClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newThrottlingServer(t, clk, 0)
	c, err := New("us-east-1", testAKID, testSecret, WithEndpoint(srv.srv.URL), WithClock(clk.now),
		WithRetryMode(RetryModeAdaptive), WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c, clk, srv
}

// TestAdaptiveModeThrottledLess: a client that would send 50 calls per second
// of simulated time to a service that takes 10 per second gets fewer throttling
// answers in the adaptive mode than in the standard mode, for the same calls,
// and no fewer of them succeed. With one attempt per call the limiter alone
// paces the client: a quarter of the throttles at most. With retries the
// standard mode's backoff (on the simulated clock too) already slows a caller
// that makes one call at a time, so that the adaptive mode gains less.
func TestAdaptiveModeThrottledLess(t *testing.T) {
	const calls = 600
	run := func(mode RetryMode, attempts int) (ok, throttled int, elapsed time.Duration) {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		clk := newSimClock(start)
		srv := newThrottlingServer(t, clk, 10)
		c, err := New("us-east-1", testAKID, testSecret, WithEndpoint(srv.srv.URL), WithClock(clk.now),
			WithRetryMode(mode), WithMaxAttempts(attempts))
		if err != nil {
			t.Fatal(err)
		}
		c.sleep = clk.sleep
		c.rand = rand.New(rand.NewPCG(1, 2)).Float64
		for range calls {
			clk.advance(20 * time.Millisecond)
			err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
			if err != nil && !IsThrottling(err) {
				t.Fatalf("%v: %v", mode, err)
			}
		}
		ok, throttled = srv.counts()
		return ok, throttled, clk.now().Sub(start)
	}
	for _, tc := range []struct {
		attempts, factor int // adaptive throttles × factor ≤ standard throttles
	}{
		{1, 4},
		{3, 1},
	} {
		t.Run(fmt.Sprintf("%d attempts", tc.attempts), func(t *testing.T) {
			stdOK, stdThrottled, stdTime := run(RetryModeStandard, tc.attempts)
			adOK, adThrottled, adTime := run(RetryModeAdaptive, tc.attempts)
			t.Logf("standard: %d ok, %d throttled in %v; adaptive: %d ok, %d throttled in %v",
				stdOK, stdThrottled, stdTime, adOK, adThrottled, adTime)
			if adThrottled*tc.factor > stdThrottled || adThrottled >= stdThrottled {
				t.Errorf("adaptive mode throttled %d times, standard %d: want fewer, by a factor of %d", adThrottled, stdThrottled, tc.factor)
			}
			if adOK < stdOK {
				t.Errorf("adaptive mode had %d calls succeed, standard %d: it should not lose any", adOK, stdOK)
			}
		})
	}
}

// TestAdaptiveWaitHonoursContext: a call waiting for a token returns when its
// ctx is cancelled, with an *OpError of the operation wrapping ctx's error,
// and sends nothing.
func TestAdaptiveWaitHonoursContext(t *testing.T) {
	c, _, srv := newAlwaysThrottled(t)
	waiting := make(chan time.Duration, 1)
	c.sleep = func(ctx context.Context, d time.Duration) error {
		waiting <- d
		<-ctx.Done() // the simulated clock never gets there
		return ctx.Err()
	}
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); !IsThrottling(err) {
		t.Fatalf("first call: %v, want a throttle", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"}) }()
	select {
	case d := <-waiting:
		if d <= 0 {
			t.Errorf("waits %v for a token", d)
		}
	case err := <-done:
		t.Fatalf("the call after a throttle returned %v without waiting for a token", err)
	}
	cancel()
	err := <-done
	var oe *OpError
	if !errors.As(err, &oe) || oe.Operation != "DeleteLogGroup" || oe.Attempts != 0 || !oe.NotSent || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %#v (%v), want *OpError{DeleteLogGroup, 0 attempts, NotSent} wrapping context.Canceled", err, err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("requests = %d, want 1 (the second call sent nothing)", n)
	}
	// An ended ctx returns at once, without a wait.
	ended, stop := context.WithCancel(context.Background())
	stop()
	if err := c.DeleteLogGroup(ended, &DeleteLogGroupInput{LogGroupName: "g"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("ended ctx: %v", err)
	}
	select {
	case d := <-waiting:
		t.Errorf("waited %v with an ended ctx", d)
	default:
	}
}

// TestAdaptiveConcurrent: goroutines share one client's limiter (run with
// -race); its state stays within its bounds.
func TestAdaptiveConcurrent(t *testing.T) {
	clk := newSimClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := newThrottlingServer(t, clk, 5)
	c, err := New("us-east-1", testAKID, testSecret, WithEndpoint(srv.srv.URL), WithClock(clk.now), WithRetryMode(RetryModeAdaptive))
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = clk.sleep
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				clk.advance(time.Duration(g+1) * time.Millisecond)
				if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil && !IsThrottling(err) {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	ok, throttled := srv.counts()
	if ok == 0 || throttled == 0 {
		t.Fatalf("%d ok, %d throttled: the test did not throttle", ok, throttled)
	}
	l := c.limiter
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.enabled.Load() || l.bucket.fillRate < adaptiveMinFillRate || l.bucket.tokens > l.bucket.capacity || l.bucket.capacity < adaptiveMinCapacity {
		t.Errorf("limiter state out of bounds: enabled %v, %+v", l.enabled.Load(), l.bucket)
	}
}

// TestRetryModeOption: the option's values, and a bad one refused before any request.
func TestRetryModeOption(t *testing.T) {
	for _, tc := range []struct {
		opts     []Option
		adaptive bool
		err      string
	}{
		{nil, false, ""},
		{[]Option{WithRetryMode(RetryModeStandard)}, false, ""},
		{[]Option{WithRetryMode(RetryModeAdaptive)}, true, ""},
		{[]Option{WithRetryMode(RetryMode(7))}, false, "invalid retryMode RetryMode(7)"},
	} {
		c, err := New("us-east-1", "AKID", "secret", tc.opts...)
		if tc.err != "" {
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: err = %v, want a ValidationError with %q", tc.opts, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := c.limiter != nil; got != tc.adaptive {
			t.Errorf("limiter %v, want %v", got, tc.adaptive)
		}
	}
	if s := fmt.Sprint(RetryModeStandard, RetryModeAdaptive); s != "standard adaptive" {
		t.Errorf("String: %s", s)
	}
}

// BenchmarkAdaptiveAcquire: what the adaptive mode adds to an attempt while
// no throttle has come: a token acquire (none needed) and the update of the
// measured rate and the curve after the answer. "time.Now" includes the one
// clock read the update makes; "steppedClock" leaves it out (a counter, 1 µs a
// call). "settled" is a limiter started an hour before, as a client that has
// been up a while: the curve is far above twice the measured rate, and most
// answers are only counted; "fresh" is one started at the benchmark's start,
// whose curve at these rates (a million a second and more) stays below twice
// the measured rate for minutes, so that every answer moves the bucket's rate.
func BenchmarkAdaptiveAcquire(b *testing.B) {
	var step atomic.Int64
	stepped := func() time.Time { return time.Unix(1000, step.Add(int64(time.Microsecond))) }
	for _, bc := range []struct {
		name  string
		clock func() time.Time
	}{{"time.Now", time.Now}, {"steppedClock", stepped}} {
		for _, age := range []struct {
			name string
			ago  time.Duration
		}{{"settled", time.Hour}, {"fresh", 0}} {
			b.Run(bc.name+"/"+age.name, func(b *testing.B) {
				l := newRateLimiter(func() time.Time { return bc.clock().Add(-age.ago) })
				l.clock = bc.clock
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if err := l.acquire(ctx, sleepCtx); err != nil {
						b.Fatal(err)
					}
					l.update(false)
				}
			})
		}
	}
}

// TestAdaptiveThrottleClassification: the answers that count as throttles for
// the limiter are those the standard mode deems throttling, a 429 without an
// AWS error code included; other errors do not turn the limiter on. Every
// attempt's outcome is measured once by the rate meter, an error answer, a
// broken connection and a lost 2xx included (as the SDKs, which update the
// limiter with every attempt's result).
func TestAdaptiveThrottleClassification(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answer   func(w http.ResponseWriter)
		throttle bool
	}{
		{"ThrottlingException", status(400, "ThrottlingException", "Rate exceeded"), true},
		{"LimitExceededException", status(400, "LimitExceededException", "x"), true},
		{"429 without a code", func(w http.ResponseWriter) { w.WriteHeader(429) }, true},
		{"500", status(500, "ServiceUnavailableException", "x"), false},
		{"not found", status(400, "ResourceNotFoundException", "x"), false},
		{"success", ok200, false},
		{"connection closed", hangup, false},
		{"2xx lost on the way", truncated200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A clock that stays within one half-second of the meter: its count is the answers.
			clk := newSimClock(time.Date(2026, 1, 1, 0, 0, 0, int(100*time.Millisecond), time.UTC))
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) { tc.answer(w) })
			f.now = clk.now
			c := newTestClient(t, f, WithClock(clk.now), WithRetryMode(RetryModeAdaptive), WithMaxAttempts(1))
			_ = c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
			if got := c.limiter.enabled.Load(); got != tc.throttle {
				t.Errorf("limiter on = %v, want %v", got, tc.throttle)
			}
			if got := snapshot(c.limiter, clk.now()).Count; got != 1 {
				t.Errorf("rate meter counted %d answers, want 1", got)
			}
		})
	}
}

// TestAdaptiveSuccessesRaiseRate: after a throttle, successful answers move
// the bucket's rate up the curve again (and the measured rate with them).
func TestAdaptiveSuccessesRaiseRate(t *testing.T) {
	clk := newSimClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		if n == 20 {
			status(400, "ThrottlingException", "Rate exceeded")(w)
			return
		}
		ok200(w)
	})
	f.now = clk.now
	c := newTestClient(t, f, WithClock(clk.now), WithRetryMode(RetryModeAdaptive), WithMaxAttempts(1))
	c.sleep = clk.sleep
	var afterThrottle float64
	for i := range 200 {
		clk.advance(100 * time.Millisecond)
		_ = c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
		if i == 20 {
			afterThrottle = c.limiter.bucket.fillRate
		}
	}
	c.limiter.mu.Lock()
	defer c.limiter.mu.Unlock()
	if final := c.limiter.bucket.fillRate; final <= 2*afterThrottle || c.limiter.meter.rate < 1 {
		t.Errorf("fill rate %v right after the throttle, %v 180 answers later (measured %v): want it grown",
			afterThrottle, final, c.limiter.meter.rate)
	}
}

// TestAdaptiveEndedContextTakesNoToken: a call whose ctx has ended makes no
// attempt, so it takes no token (as aws-sdk-go-v2, which checks ctx before it
// asks for one): the next live call still finds the token that was there.
// Before any throttle too, it makes no attempt (0 attempts: none counted as
// an answer by the rate meter).
func TestAdaptiveEndedContextTakesNoToken(t *testing.T) {
	c, clk, srv := newAlwaysThrottled(t)
	c.sleep = func(ctx context.Context, d time.Duration) error {
		t.Errorf("waited %v for a token: a call with an ended ctx took the one there was", d)
		return clk.sleep(ctx, d)
	}
	ended, stop := context.WithCancel(context.Background())
	stop()
	callEnded := func(when string) {
		t.Helper()
		err := c.DeleteLogGroup(ended, &DeleteLogGroupInput{LogGroupName: "g"})
		var oe *OpError
		if !errors.As(err, &oe) || oe.Attempts != 0 || !oe.NotSent || !errors.Is(err, context.Canceled) {
			t.Fatalf("ended ctx %s: %#v (%v), want an *OpError (0 attempts, NotSent) wrapping context.Canceled", when, err, err)
		}
	}
	callEnded("before any throttle")
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); !IsThrottling(err) {
		t.Fatalf("first call: %v, want a throttle", err)
	}
	clk.advance(10 * time.Second) // the bucket (0.5 per second, room for 1) is full again
	for range 3 {
		callEnded("after a throttle")
	}
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); !IsThrottling(err) {
		t.Fatalf("live call: %v, want the server's throttle", err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("requests = %d, want 2 (none for the ended ctx)", n)
	}
}

// limiterSnapshot is what a limiter's future depends on, with the bucket's
// tokens as they are at a given time (a quiet answer leaves the refill to the
// next update, so the bucket's own clock may differ).
type limiterSnapshot struct {
	Enabled                  bool
	Rate, LastBucket         float64
	Count                    int64
	Wmax, K                  float64
	LastThrottle             time.Time
	Fill, Capacity, TokensAt float64
}

func snapshot(l *rateLimiter, at time.Time) limiterSnapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket
	b.refill(at)
	return limiterSnapshot{Enabled: l.enabled.Load(), Rate: l.meter.rate, LastBucket: l.meter.lastBucket,
		Count: l.meter.count + l.counted.Load(), Wmax: l.cubic.lastMaxRate, K: l.cubic.timeWindow,
		LastThrottle: l.cubic.lastThrottle, Fill: b.fillRate, Capacity: b.capacity, TokensAt: b.tokens}
}

func (s limiterSnapshot) closeTo(o limiterSnapshot) bool {
	return s.Enabled == o.Enabled && closeTo(s.Rate, o.Rate) && s.LastBucket == o.LastBucket && s.Count == o.Count &&
		closeTo(s.Wmax, o.Wmax) && closeTo(s.K, o.K) && s.LastThrottle.Equal(o.LastThrottle) &&
		closeTo(s.Fill, o.Fill) && closeTo(s.Capacity, o.Capacity) && closeTo(s.TokensAt, o.TokensAt)
}

// TestRateLimiterQuietAnswers: the answers a settled limiter only counts (see
// rateLimiter) leave it as the full update does, answer after answer, on
// sequences of many answers a second with pauses, with and without
// throttles, and attempts taking tokens once throttled; and a settled limiter
// does count most answers that way, before a throttle and long after one (the
// cheap path is taken). The reference is the same limiter with its quiet
// half-second cleared before each answer, so that every answer takes the lock.
func TestRateLimiterQuietAnswers(t *testing.T) {
	errNoToken := errors.New("no token")
	for _, tc := range []struct {
		name                    string
		age                     time.Duration // how long before the first answer the limiter started
		seed                    uint64
		throttleFrom            int     // answers from this one on are throttled now and then (0: none)
		throttleTo              int     // and up to this one
		minQuiet, minQuietAfter float64 // the least share of answers counted quietly before the first throttle, and in the last 5000
	}{
		{"settled, throttled at the end", time.Hour, 1, 15000, 20000, 0.9, 0},
		{"settled, no throttle", time.Hour, 2, 0, 0, 0.9, 0.9},
		{"fresh, throttled at the end", 0, 3, 15000, 20000, 0.5, 0}, // the curve passes twice the measured rate after a few seconds
		{"settled, throttled, then not for 30 s", time.Hour, 4, 2000, 4000, 0.9, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := ms(0)
			clk := newSimClock(start.Add(-tc.age))
			fast, ref := newRateLimiter(clk.now), newRateLimiter(clk.now)
			clk.ns.Store(start.UnixNano())
			r := rand.New(rand.NewPCG(tc.seed, 11))
			quietBefore, before, quietAfter, short := 0, 0, 0, 0
			const n = 20000
			for i := range n {
				gap := time.Duration(r.IntN(4001)) * time.Microsecond // about 500 answers a second
				if r.IntN(2000) == 0 {
					gap += time.Duration(r.IntN(5000)) * time.Millisecond
				}
				clk.advance(gap)
				// An attempt: both limiters take a token, or say how long to wait for one.
				var waits [2]time.Duration
				var errs [2]error
				for k, l := range []*rateLimiter{fast, ref} {
					errs[k] = l.acquire(context.Background(), func(_ context.Context, d time.Duration) error {
						waits[k] = d
						return errNoToken
					})
				}
				if errs[0] != errs[1] || math.Abs(float64(waits[0]-waits[1])) > 2+1e-9*float64(waits[1]) {
					t.Fatalf("answer %d: acquire %v (wait %v), reference %v (wait %v)", i, errs[0], waits[0], errs[1], waits[1])
				}
				if errs[0] != nil {
					short++
				}
				throttled := i >= tc.throttleFrom && i < tc.throttleTo && r.IntN(20) == 0
				counted := fast.counted.Load()
				fast.update(throttled)
				wasQuiet := fast.counted.Load() != counted
				if !ref.enabled.Load() {
					before++
					if wasQuiet {
						quietBefore++
					}
				}
				if i >= n-5000 && wasQuiet {
					quietAfter++
				}
				ref.quiet.Store(noQuiet)
				ref.update(throttled)
				if got, want := snapshot(fast, clk.now()), snapshot(ref, clk.now()); !got.closeTo(want) {
					t.Fatalf("answer %d (throttled %v):\n got %+v\nwant %+v", i, throttled, got, want)
				}
			}
			if share := float64(quietBefore) / float64(before); share < tc.minQuiet {
				t.Errorf("%d of %d answers before the first throttle counted quietly (%.2f), want at least %.2f", quietBefore, before, share, tc.minQuiet)
			}
			if share := float64(quietAfter) / 5000; share < tc.minQuietAfter {
				t.Errorf("%d of the last 5000 answers counted quietly (%.2f), want at least %.2f", quietAfter, share, tc.minQuietAfter)
			}
			if tc.throttleTo > 0 && (!fast.enabled.Load() || short == 0) {
				t.Errorf("throttled %v, %d attempts found no token: the sequence does not test the bucket's takes", fast.enabled.Load(), short)
			}
			t.Logf("%d of %d answers before the first throttle and %d of the last 5000 counted quietly; %d attempts found no token",
				quietBefore, before, quietAfter, short)
		})
	}
}

// TestRateLimiterQuietLateAnswer: an answer timed before the update that made
// the half-second quiet (the clock went back, or a goroutine read it before
// another's update), while the curve was still below twice the measured rate,
// is not counted quietly: it lowers the bucket's rate to the curve's, as the
// full update does.
func TestRateLimiterQuietLateAnswer(t *testing.T) {
	for _, quiet := range []bool{true, false} {
		clk := newSimClock(ms(0))
		l := newRateLimiter(clk.now)
		// 20 answers a second for 3 s: the measured rate nears 20, the curve 0.4·t³ passes 40 at t ≈ 4.6 s.
		for range 60 {
			clk.advance(50 * time.Millisecond)
			l.update(false)
		}
		// Answers until the curve at the update is past twice the measured rate, that half a
		// second earlier not.
		for {
			clk.advance(10 * time.Millisecond)
			l.update(false)
			now := clk.now()
			if halfSecond(now) == l.meter.lastBucket && l.cubic.success(now) >= 2*l.meter.rate &&
				l.cubic.success(now.Add(-300*time.Millisecond)) < 2*l.meter.rate && halfSecond(now.Add(-300*time.Millisecond)) == l.meter.lastBucket {
				break
			}
			if clk.now().After(ms(10_000)) {
				t.Fatal("the curve never crossed twice the measured rate within a half-second")
			}
		}
		if !quiet {
			l.quiet.Store(noQuiet) // the reference: the full update
		}
		clk.advance(-300 * time.Millisecond)
		l.update(false)
		if want := l.cubic.success(clk.now()); !closeTo(l.bucket.fillRate, want) || !closeTo(l.bucket.capacity, want) {
			t.Errorf("quiet path %v: after a late answer the bucket fills at %v, holds %v; want the curve's %v", quiet, l.bucket.fillRate, l.bucket.capacity, want)
		}
	}
}

// TestRateLimiterQuietCountsEveryAnswer: answers counted by many goroutines
// at once outside the lock are all in the measured rate when the
// half-second ends.
func TestRateLimiterQuietCountsEveryAnswer(t *testing.T) {
	clk := newSimClock(ms(0).Add(-time.Hour))
	l := newRateLimiter(clk.now)
	clk.ns.Store(ms(0).UnixNano())
	l.update(false) // a new half-second: quiet from here
	if math.Float64frombits(l.quiet.Load()) != unixSeconds(ms(0)) {
		t.Fatalf("quiet = %v after an update at %v", math.Float64frombits(l.quiet.Load()), unixSeconds(ms(0)))
	}
	const goroutines, each = 8, 1000
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				l.update(false)
			}
		})
	}
	wg.Wait()
	clk.advance(500 * time.Millisecond)
	rateBefore := l.meter.rate
	l.update(false) // ends the half-second: its 8000 answers and this one (the first ended the one before)
	want := 0.8*float64(goroutines*each+1)/0.5 + 0.2*rateBefore
	if got := l.meter.rate; !closeTo(got, want) {
		t.Errorf("measured rate %v, want %v (every answer of the half-second counted)", got, want)
	}
}
