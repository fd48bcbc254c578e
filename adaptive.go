package cwlogs

import (
	"context"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The AWS SDKs' "adaptive" retry mode: the standard mode plus a client-side
// rate limiter. Every attempt takes a token from a bucket whose fill rate
// follows a CUBIC curve (as TCP CUBIC's congestion window): a throttling
// answer cuts the rate to beta times the rate the client was sending at, and
// the answers that follow grow it again, slowly near that rate and faster
// beyond it. The bucket is used only after the first throttling answer; until
// then attempts go out unhindered. The algorithm and its constants are those
// of aws-sdk-go-v2 (aws/retry adaptive_ratelimit.go, adaptive_token_bucket.go)
// and botocore (retries/adaptive.py, bucket.py, throttling.py); where the two
// differ, aws-sdk-go-v2 is followed and the comment says so.

// RetryMode selects how a [Client] paces its attempts; see [WithRetryMode].
type RetryMode int

const (
	// RetryModeStandard is the SDKs' standard mode (the zero value): retries
	// as [RetryPolicy] describes, and no limit on the rate of attempts. The
	// SDKs' "legacy" mode is served by it too.
	RetryModeStandard RetryMode = iota
	// RetryModeAdaptive is the SDKs' adaptive mode: the standard mode plus a
	// client-side rate limiter shared by all the client's calls. Once the
	// service has throttled an attempt, each attempt waits for a token from a
	// bucket whose rate is cut on every throttling answer and grows back
	// along a CUBIC curve on the others (see [WithRetryMode]).
	RetryModeAdaptive
)

// String returns the mode's name as AWS_RETRY_MODE spells it.
func (m RetryMode) String() string {
	switch m {
	case RetryModeStandard:
		return "standard"
	case RetryModeAdaptive:
		return "adaptive"
	}
	return "RetryMode(" + strconv.Itoa(int(m)) + ")"
}

// Constants of the adaptive mode (the same in aws-sdk-go-v2 and botocore).
const (
	adaptiveSmooth        = 0.8 // weight of the latest half-second in the measured send rate
	adaptiveBeta          = 0.7 // a throttle cuts the rate to beta times the rate sent at
	adaptiveScaleConstant = 0.4 // the CUBIC curve's C
	adaptiveMinFillRate   = 0.5 // tokens per second, the slowest the bucket fills
	adaptiveMinCapacity   = 1.0 // the bucket always holds at least one token's room
	adaptiveRequestCost   = 1.0 // tokens an attempt takes
)

// cubic computes the bucket's target rate (tokens per second) along the CUBIC
// curve W(t) = C·(t − K)³ + Wmax, where Wmax is the rate the last throttle was
// received at, t the time since then and K = ∛(Wmax·(1 − β)/C) the time the
// curve takes to climb back to Wmax from β·Wmax.
type cubic struct {
	lastMaxRate  float64   // Wmax
	lastThrottle time.Time // when the last throttle was received
	timeWindow   float64   // K, in seconds
}

// newCubic starts the curve at start with Wmax = 0, as both SDKs do.
func newCubic(start time.Time) cubic {
	c := cubic{lastThrottle: start}
	c.timeWindow = c.window()
	return c
}

func (c *cubic) window() float64 {
	return math.Pow(c.lastMaxRate*(1-adaptiveBeta)/adaptiveScaleConstant, 1./3.)
}

// rate returns the curve's rate elapsed seconds after the last throttle.
func (c *cubic) rate(elapsed float64) float64 {
	dt := elapsed - c.timeWindow
	// dt³ multiplied out: the SDKs call pow, which costs ten times more here
	// and agrees to within a few ulps.
	return adaptiveScaleConstant*dt*dt*dt + c.lastMaxRate
}

// throttle records a throttle received at t while sending at rate and returns
// the cut rate β·rate.
func (c *cubic) throttle(rate float64, t time.Time) float64 {
	c.lastMaxRate = rate
	c.timeWindow = c.window()
	c.lastThrottle = t
	return rate * adaptiveBeta
}

// rateMeter measures the rate attempts are answered at: requests are counted
// in half-second buckets of the clock, and when a bucket ends the rate over
// it is smoothed into the measure (an exponential moving average).
type rateMeter struct {
	rate       float64 // requests per second, smoothed
	lastBucket float64 // start of the current bucket, in Unix seconds
	count      int64   // requests counted since lastBucket
}

// newRateMeter starts counting at start; the first bucket begins at the whole
// second before it (both SDKs floor to the second here, to the half-second after).
func newRateMeter(start time.Time) rateMeter {
	return rateMeter{lastBucket: math.Floor(unixSeconds(start))}
}

// record counts a request answered at t and returns the measured rate.
func (m *rateMeter) record(t time.Time) float64 {
	bucket := halfSecond(t)
	m.count++
	if bucket > m.lastBucket {
		current := float64(m.count) / (bucket - m.lastBucket)
		m.rate = current*adaptiveSmooth + m.rate*(1-adaptiveSmooth)
		m.count = 0
		m.lastBucket = bucket
	}
	return m.rate
}

// tokenBucket holds up to capacity tokens and gains fillRate of them per
// second of the clock.
type tokenBucket struct {
	fillRate float64 // tokens per second, at least adaptiveMinFillRate once set
	capacity float64
	tokens   float64
	last     time.Time // when tokens was last brought up to date
	started  bool      // last is set
}

// refill adds the tokens gained since the last refill. The first call only
// starts the clock. A clock that went back adds nothing (neither SDK guards
// against it; here it would take tokens away).
func (b *tokenBucket) refill(now time.Time) {
	if !b.started {
		b.last, b.started = now, true
		return
	}
	if dt := seconds(now.Sub(b.last)); dt > 0 {
		b.tokens = min(b.capacity, b.tokens+dt*b.fillRate)
	}
	b.last = now
}

// setRate makes the bucket fill at rate (at least adaptiveMinFillRate) and
// hold at most rate tokens (at least adaptiveMinCapacity), after adding the
// tokens gained at the old rate.
func (b *tokenBucket) setRate(now time.Time, rate float64) {
	b.refill(now)
	b.fillRate = max(rate, adaptiveMinFillRate)
	b.capacity = max(rate, adaptiveMinCapacity)
	b.tokens = min(b.tokens, b.capacity)
}

// take removes n tokens if the bucket holds them; else it reports how long
// the missing ones take to arrive at the current rate (at least 1ns).
func (b *tokenBucket) take(now time.Time, n float64) (ok bool, wait time.Duration) {
	b.refill(now)
	if n <= b.tokens {
		b.tokens -= n
		return true, 0
	}
	// Rounded up: a wait rounded down to 0 would have a loop on it spin.
	return false, time.Duration(math.Ceil((n - b.tokens) / b.fillRate * float64(time.Second)))
}

// rateLimiter is the client-side rate limiter of the adaptive mode, one per
// Client, shared by all its calls and goroutines.
//
// Both SDKs time every answer, before the first throttle too: the rate sent
// at is measured all along, for a throttle to cut it, and the bucket's rate
// follows the curve and it. Most answers change nothing but the meter's
// count, though: between throttles the curve only grows (before the first it
// is C·t³ from the limiter's start), and it soon exceeds twice any measured
// rate, so that the bucket's rate is that twice and stays so until the
// meter's half-second ends; a refill left out is made up in full by the next
// one (a take refills first). While that holds, update says so in quiet, and
// a success within that half-second is only counted, in counted, without the
// lock; the next update under the lock adds the count to the meter's. The
// state is the same as if each answer had taken the lock (to rounding; an
// answer counted while another goroutine ends the half-second may be counted
// in the next one, as it would be had it taken the lock a little later).
type rateLimiter struct {
	clock   func() time.Time
	enabled atomic.Bool // a throttle has been received: attempts take tokens

	quiet   atomic.Uint64 // math.Float64bits of the meter's half-second (its start, Unix seconds) in which a success only counts; NaN's when none
	counted atomic.Int64  // answers counted outside the lock, not yet in meter.count

	mu     sync.Mutex
	cubic  cubic
	meter  rateMeter
	bucket tokenBucket
}

// noQuiet is rateLimiter.quiet when no half-second is quiet: a NaN, which
// equals no bucket.
var noQuiet = math.Float64bits(math.NaN())

// newRateLimiter starts a limiter at clock's current time. As in
// aws-sdk-go-v2, the bucket starts empty, with no rate, and its clock starts
// at the first answer; botocore starts it with a rate of 1 token per second
// at the client's creation, so that its first throttle may find a token left.
func newRateLimiter(clock func() time.Time) *rateLimiter {
	now := clock()
	l := &rateLimiter{clock: clock, cubic: newCubic(now), meter: newRateMeter(now)}
	l.quiet.Store(noQuiet)
	return l
}

// acquire takes a token for an attempt, waiting with sleep until one is there.
// Before the first throttle it returns at once. An error is ctx's: a call
// whose ctx has ended makes no attempt, so it takes no token and its failure
// is not counted as an answer (aws-sdk-go-v2 checks ctx before it asks for a
// token, and releases none then). As in aws-sdk-go-v2, a waiter sleeps the
// whole wait computed when it found the bucket short, then tries again;
// botocore's waiters also wake when the rate is changed. A nil limiter (the
// standard mode) returns at once: this much is small enough to be inlined,
// so that the standard mode pays no call.
func (l *rateLimiter) acquire(ctx context.Context, sleep func(context.Context, time.Duration) error) error {
	if l == nil {
		return nil
	}
	return l.acquireToken(ctx, sleep)
}

// acquireToken is acquire for a limiter that is there.
func (l *rateLimiter) acquireToken(ctx context.Context, sleep func(context.Context, time.Duration) error) error {
	if err := ctx.Err(); err != nil {
		return err // no attempt: no token taken, no answer counted
	}
	if !l.enabled.Load() {
		return nil
	}
	for {
		l.mu.Lock()
		ok, wait := l.bucket.take(l.clock(), adaptiveRequestCost)
		l.mu.Unlock()
		if ok {
			return nil
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// update records an attempt's outcome: throttled or not (any other answer,
// error or none). It measures the send rate, moves the CUBIC curve and sets
// the bucket's rate to the curve's, but never above twice the measured rate.
// A success in a quiet half-second (see rateLimiter) is only counted. A nil
// limiter does nothing, inlined as acquire's check is.
func (l *rateLimiter) update(throttled bool) {
	if l != nil {
		l.record(throttled)
	}
}

// record is update for a limiter that is there.
func (l *rateLimiter) record(throttled bool) {
	now := l.clock()
	if !throttled && halfSecond(now) == math.Float64frombits(l.quiet.Load()) {
		l.counted.Add(1)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counted.Load() != 0 {
		l.meter.count += l.counted.Swap(0)
	}
	measured := l.meter.record(now)
	var rate, elapsed float64 // elapsed: seconds since the last throttle (0 for this one)
	if throttled {
		sent := measured
		if l.enabled.Load() {
			sent = min(measured, l.bucket.fillRate)
		}
		rate = l.cubic.throttle(sent, now)
		l.enabled.Store(true)
	} else {
		elapsed = seconds(now.Sub(l.cubic.lastThrottle))
		rate = l.cubic.rate(elapsed)
	}
	l.bucket.setRate(now, min(rate, 2*measured))
	if q := l.quietAfter(elapsed); q != l.quiet.Load() {
		l.quiet.Store(q)
	}
}

// quietAfter returns the bits for rateLimiter.quiet after an update at now,
// elapsed seconds after the last throttle: the meter's half-second if, for
// the rest of it, a success would leave the curve, the bucket's rate and the
// measured rate as they are, and would only refill the bucket; else noQuiet.
// A success leaves the curve as it is, and the curve only grows with time; a
// success in the meter's half-second comes
// later than half a second before now (now is in that half-second, or in an
// earlier one if the clock went back); so if the curve there is at least
// twice the measured rate, the bucket's rate, the lesser of the two, stays
// that twice. The refills left out are the next refill's, from the bucket's
// clock, which stays at this update's now: tokens that only grow reach the
// same min(capacity, tokens + elapsed·rate) in one step as in many.
func (l *rateLimiter) quietAfter(elapsed float64) uint64 {
	if l.cubic.rate(elapsed-0.5) < 2*l.meter.rate {
		return noQuiet
	}
	return math.Float64bits(l.meter.lastBucket)
}

func seconds(d time.Duration) float64 { return float64(d) / float64(time.Second) }

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / float64(time.Second) }

// halfSecond returns the start of the rate meter's half-second that t is in,
// in Unix seconds.
func halfSecond(t time.Time) float64 { return math.Floor(unixSeconds(t)*2) / 2 }
