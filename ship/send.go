package ship

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/cwlogs/cwlogs"
)

// sender takes sealed batches from the queue until it is empty, then exits.
func (s *Shipper) sender() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.senders--
			if s.senders == 0 && len(s.cur.events) == 0 && cap(s.cur.events) > 0 {
				// Idle: give the batch being built, a recycled one that may hold
				// room for 10,000 events, back to the pool, so that an idle
				// stream (of a Mux with many) pins no memory.
				putBatch(s.cur)
				s.cur = &batch{sorted: true}
			}
			s.mu.Unlock()
			return
		}
		b := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		n := int64(len(b.events))
		s.st.InFlight += n
		s.mu.Unlock()

		r := s.send(b)
		s.finish(b, r)
	}
}

// result is the outcome of sending one batch.
type result struct {
	out       *cwlogs.PutLogEventsOutput // success
	reason    Reason                     // failure
	cancelled bool                       // Close gave up
	// mayBeStored: an attempt may have reached the service and its outcome is unknown
	// (for cancelled: Unconfirmed rather than Unsent).
	mayBeStored bool
	attempts    int
	err         error
}

// errClass is how the shipper treats an error.
type errClass int

const (
	classRetry errClass = iota
	classThrottle
	classNotFound
	classPermanent
)

// classify sorts an error of PutLogEvents or a creation call. Retried:
// throttling (including any HTTP 429), HTTP 5xx and server-side timeouts
// (including HTTP 408), what cwlogs.IsRetryable accepts (e.g. a corrected
// clock skew), transport errors and attempt timeouts (including errors of
// unknown type, and a *cwlogs.DecodeError: the answer to a batch the service
// may have stored was lost, and delivery is at least once). Permanent: every
// other service error (4xx) and input rejected by the client before sending.
func classify(err error) errClass {
	var ce *cwlogs.CredentialsError
	if errors.As(err, &ce) {
		return classRetry // the credentials may come back (an STS outage, a renewed login)
	}
	if cwlogs.IsThrottling(err) {
		return classThrottle
	}
	if cwlogs.IsNotFound(err) {
		return classNotFound
	}
	var ve *cwlogs.ValidationError
	if errors.As(err, &ve) {
		return classPermanent
	}
	var ae *cwlogs.APIError
	if errors.As(err, &ae) {
		switch {
		case ae.StatusCode == http.StatusTooManyRequests:
			// Throttling whatever the body says: a proxy, gateway or emulator
			// in front of the service answers 429 without an AWS error code.
			return classThrottle
		case cwlogs.IsRetryable(err), ae.StatusCode >= 500, ae.StatusCode == http.StatusRequestTimeout,
			ae.Code == cwlogs.CodeServiceUnavailable, ae.Code == "InternalFailure",
			ae.Code == "RequestTimeout", ae.Code == "RequestTimeoutException":
			return classRetry
		}
		return classPermanent
	}
	return classRetry
}

// mayHaveStored reports whether the service may have stored the events of a PutLogEvents
// that failed with err. Not when it answered with a client error, nor when the request
// never left (no connection, no address); otherwise (a 5xx, a timeout, a connection
// broken or cancelled mid-request, a lost 2xx) it may have. A *cwlogs.Client tells
// which requests never left in OpError.NotSent, across its own retries too, and whether
// a refusal followed an attempt that may have been stored in
// APIError.EarlierAttemptUnconfirmed; for other
// implementations of API, the error's type tells what it can.
func mayHaveStored(err error) bool {
	var ce *cwlogs.CredentialsError
	var ve *cwlogs.ValidationError
	if errors.As(err, &ce) || errors.As(err, &ve) {
		return false // before APIError: a CredentialsError may wrap an STS answer
	}
	var oe *cwlogs.OpError
	if errors.As(err, &oe) {
		if oe.NotSent {
			return false // no attempt's request left, whatever error ended the last one
		}
		if oe.Attempts > 1 {
			return true // the client retried: an earlier attempt may have reached the service
		}
	}
	var ae *cwlogs.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode >= 500 || ae.EarlierAttemptUnconfirmed
	}
	var dnsErr *net.DNSError
	var cve *tls.CertificateVerificationError
	if errors.As(err, &dnsErr) || errors.As(err, &cve) {
		return false
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		// "proxyconnect" wraps a failure to dial the proxy or to complete TLS with it. A proxy
		// that refuses CONNECT gives an untyped error, told only by OpError.NotSent.
		if ne, ok := e.(*net.OpError); ok && (ne.Op == "dial" || ne.Op == "proxyconnect") {
			return false
		}
	}
	return true
}

// backoff returns the delay before retry number attempt (0-based), drawn
// uniformly from [d/2, d] with d = base·2^attempt capped at MaxBackoff.
func (s *Shipper) backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 0; i < attempt && d < s.c.maxBackoff; i++ {
		d *= 2
	}
	if d > s.c.maxBackoff {
		d = s.c.maxBackoff
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

// send delivers one batch, retrying until success, a permanent error,
// MaxElapsedTime, or Close giving up.
func (s *Shipper) send(b *batch) result {
	b.in = cwlogs.PutLogEventsInput{LogGroupName: s.group, LogStreamName: s.stream, LogEvents: b.events, LogFormat: s.c.logFormat}
	start := time.Now()
	var r result
	retries, throttles, recreated := 0, 0, false
	for {
		if err := s.budget.waitPause(s.runCtx); err != nil {
			r.cancelled = true
			return r
		}
		s.mu.Lock()
		s.st.Requests++
		if r.attempts > 0 {
			s.st.Retries++
		}
		gen := s.createGen
		s.mu.Unlock()
		r.attempts++
		ctx, cancel := context.WithTimeout(s.runCtx, s.c.attemptTimeout)
		out, err := s.api.PutLogEvents(ctx, &b.in)
		cancel()
		if err != nil && mayHaveStored(err) {
			r.mayBeStored = true
		}
		if err == nil {
			if out == nil {
				out = &cwlogs.PutLogEventsOutput{}
			}
			r.out = out
			return r
		}
		if s.runCtx.Err() != nil {
			r.cancelled = true
			r.err = err
			return r
		}
		r.err = err
		var delay time.Duration
		switch classify(err) {
		case classPermanent:
			r.reason = ReasonPermanent
			return r
		case classNotFound:
			if !s.c.createStream {
				r.reason = ReasonPermanent
				return r
			}
			cerr := s.ensureStream(gen, start)
			if s.runCtx.Err() != nil {
				r.cancelled = true
				return r
			}
			if cerr == errCreatePaused {
				// A creation call was throttled and the pause outlasts this
				// batch's MaxElapsedTime: give up now, as for a backoff.
				r.reason = ReasonRetryExhausted
				r.err = fmt.Errorf("%w; %w", err, cerr)
				return r
			}
			if cerr == nil {
				if !recreated {
					recreated = true
					s.recordErr(err)
					continue // the stream exists now: send again at once, once
				}
				// Still not found right after the stream was created or found to exist
				// (the service can lag): back off like any retryable error, bounded by
				// MaxElapsedTime, instead of hammering the API.
				delay = s.backoff(s.c.initialBackoff, retries)
				retries++
				break
			}
			r.err = cerr
			switch classify(cerr) {
			case classPermanent, classNotFound:
				r.reason = ReasonPermanent
				return r
			case classThrottle:
				// Counted and shared like a throttled PutLogEvents, but the
				// pause holds back only creation calls (see pauseCreate).
				delay = s.backoff(s.c.throttleBackoff, throttles)
				throttles++
				s.mu.Lock()
				s.st.Throttled++
				s.mu.Unlock()
				s.budget.pauseCreate(delay)
			default:
				delay = s.backoff(s.c.initialBackoff, retries)
				retries++
			}
		case classThrottle:
			delay = s.backoff(s.c.throttleBackoff, throttles)
			throttles++
			s.mu.Lock()
			s.st.Throttled++
			s.mu.Unlock()
			s.budget.pause(delay)
		default:
			delay = s.backoff(s.c.initialBackoff, retries)
			retries++
		}
		s.recordErr(r.err)
		if time.Since(start)+delay > s.c.maxElapsed {
			r.reason = ReasonRetryExhausted
			return r
		}
		if err := sleep(s.runCtx, delay); err != nil {
			r.cancelled = true
			return r
		}
	}
}

func (s *Shipper) recordErr(err error) {
	s.mu.Lock()
	s.setErrLocked(err)
	s.mu.Unlock()
}

// errCreatePaused: the creation pause ends after the batch's MaxElapsedTime.
var errCreatePaused = errors.New("ship: creation paused after throttling")

// ensureStream creates the stream (and the group, if enabled) unless another
// sender did so since generation gen was read. It first waits for the
// creation pause, or returns errCreatePaused when that pause would keep a
// batch started at start past MaxElapsedTime.
func (s *Shipper) ensureStream(gen uint64, start time.Time) error {
	s.createMu.Lock()
	defer s.createMu.Unlock()
	s.mu.Lock()
	done := s.createGen != gen
	s.mu.Unlock()
	if done {
		return nil
	}
	if left := s.budget.createPauseLeft(); left > 0 && time.Since(start)+left > s.c.maxElapsed {
		return errCreatePaused
	}
	if err := s.budget.waitCreatePause(s.runCtx); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(s.runCtx, s.c.attemptTimeout)
	defer cancel()
	in := &cwlogs.CreateLogStreamInput{LogGroupName: s.group, LogStreamName: s.stream}
	err := s.api.CreateLogStream(ctx, in)
	var groups, streams int64
	if cwlogs.IsNotFound(err) && s.c.createGroup {
		err = s.api.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: s.group})
		if err == nil {
			groups++
		}
		if err == nil || cwlogs.IsAlreadyExists(err) {
			err = s.api.CreateLogStream(ctx, in)
		}
	}
	if err == nil {
		streams++
	}
	if cwlogs.IsAlreadyExists(err) {
		err = nil
	}
	s.mu.Lock()
	s.st.GroupsCreated += groups
	s.st.StreamsCreated += streams
	if err == nil {
		s.createGen++
	}
	s.mu.Unlock()
	return err
}

// finish accounts for a batch that left the sender and recycles it.
func (s *Shipper) finish(b *batch, r result) {
	n := int64(len(b.events))
	var lost int64
	var rej Rejected // of lost, those the service refused
	var report error
	s.mu.Lock()
	s.st.InFlight -= n
	s.st.Queued -= n
	s.st.QueuedBytes -= b.bytes
	switch {
	case r.out != nil:
		rej = rejected(r.out.RejectedLogEventsInfo, len(b.events))
		sent := n - rej.Total()
		bytes := b.bytes
		if rej.Total() > 0 {
			lo, hi := rejectedRange(rej, len(b.events))
			bytes = size(b.events[lo:hi])
			s.st.Rejected = s.st.Rejected.plus(rej)
			report = &RejectedError{Group: s.group, Stream: s.stream, Rejected: rej}
			s.setErrLocked(report)
		}
		s.st.Sent += sent
		s.st.Bytes += bytes
		s.st.Batches++
		lost = rej.Total()
	case r.cancelled:
		s.st.Dropped.Closed += n
		if r.mayBeStored {
			s.unconfirmed += n
		} else {
			s.unsent += n
		}
		lost = n
		if r.err == nil {
			r.err = context.Canceled
		}
	default:
		if r.reason == ReasonRetryExhausted {
			s.st.Dropped.RetryExhausted += n
		} else {
			s.st.Dropped.PermanentError += n
		}
		lost = n
		report = &BatchError{Group: s.group, Stream: s.stream, Events: int(n), Bytes: b.bytes,
			Attempts: r.attempts, Reason: r.reason, Err: r.err}
		s.setErrLocked(report)
	}
	err := r.err
	if report != nil {
		err = report
		s.reportLocked(report)
	}
	if err == nil && b.lost > 0 {
		err = ErrBufferFull // the batch was sent, without what DropOldest took from it
	}
	s.batchDoneLocked(b, lost+b.lost, rej, err)
	s.mu.Unlock()
	s.budget.release(b.bytes, n)
	putBatch(b)
}

// rejected turns rejectedLogEventsInfo into counts for a batch of n events.
// Too-old and expired events form a prefix (the two prefixes overlap; each
// event is counted once, as too old when both apply), too-new events a suffix.
func rejected(info *cwlogs.RejectedLogEventsInfo, n int) Rejected {
	var r Rejected
	if info == nil {
		return r
	}
	clamp := func(p *int) int {
		if p == nil || *p < 0 {
			return 0
		}
		if *p > n {
			return n
		}
		return *p
	}
	old := clamp(info.TooOldLogEventEndIndex)
	exp := clamp(info.ExpiredLogEventEndIndex)
	r.TooOld = int64(old)
	if exp > old {
		r.Expired = int64(exp - old)
	}
	prefix := max(old, exp)
	if info.TooNewLogEventStartIndex != nil {
		start := max(clamp(info.TooNewLogEventStartIndex), prefix)
		r.TooNew = int64(n - start)
	}
	return r
}

// rejectedRange returns the stored events' range [lo, hi).
func rejectedRange(r Rejected, n int) (int, int) {
	lo := int(r.TooOld + r.Expired)
	return lo, n - int(r.TooNew)
}
