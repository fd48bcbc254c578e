package cwlogs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Retry behaviour follows the AWS SDKs' "standard" retry mode
// (aws-sdk-go-v2 aws/retry, botocore retries/standard.py).

// Defaults of [RetryPolicy].
const (
	DefaultMaxAttempts = 3
	DefaultMaxBackoff  = 20 * time.Second
	DefaultRetryQuota  = 500
	retryCost          = 5
	retryTimeoutCost   = 10
	noRetryIncrement   = 1
)

// RetryPolicy configures retries. The zero value is the SDK standard mode:
// 3 attempts, full-jitter exponential backoff rand[0,1)·2^attempt seconds
// capped at 20 s, and a client-wide retry quota of 500 tokens (a retry costs
// 5, or 10 after a timeout; a successful retry refunds its cost and a
// first-attempt success adds 1). Throttling errors, HTTP 500/502/503/504,
// RequestTimeout(Exception), connection errors and timeouts are retried;
// other 4xx answers never are.
type RetryPolicy struct {
	// MaxAttempts is the maximum number of attempts per call including the
	// first; 0 means DefaultMaxAttempts (3), 1 disables retries.
	MaxAttempts int
	// MaxBackoff caps the delay between attempts; 0 means DefaultMaxBackoff (20 s).
	MaxBackoff time.Duration
	// RetryQuota is the size of the retry token bucket shared by all calls of
	// a client; 0 means DefaultRetryQuota (500); negative disables the quota.
	RetryQuota int
	// Retryable decides whether an error may be retried; nil means [IsRetryable].
	Retryable func(error) bool
}

func (p RetryPolicy) normalize() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	if p.RetryQuota == 0 {
		p.RetryQuota = DefaultRetryQuota
	}
	if p.Retryable == nil {
		p.Retryable = IsRetryable
	}
	return p
}

// backoff returns the delay before the retry that follows failed attempt
// number attempt (1-based): rand[0,1)·2^attempt seconds, or MaxBackoff once
// 2^attempt seconds exceeds it (the SDK's legacy-standard formula).
func (p RetryPolicy) backoff(attempt int, rnd func() float64) time.Duration {
	maxAttempts := math.Log2(p.MaxBackoff.Seconds())
	if float64(attempt) > math.Floor(maxAttempts) || attempt >= 62 {
		return p.MaxBackoff
	}
	d := time.Duration(rnd() * float64(int64(1)<<attempt) * float64(time.Second))
	return min(d, p.MaxBackoff)
}

// retryQuota is the SDK's retry token bucket.
type retryQuota struct {
	mu        sync.Mutex
	capacity  int
	available int
}

func newRetryQuota(capacity int) *retryQuota {
	if capacity < 0 {
		return nil
	}
	return &retryQuota{capacity: capacity, available: capacity}
}

// acquire takes cost tokens; false if the bucket holds fewer.
func (q *retryQuota) acquire(cost int) bool {
	if q == nil {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.available < cost {
		return false
	}
	q.available -= cost
	return true
}

// release returns n tokens, never above the capacity.
func (q *retryQuota) release(n int) {
	if q == nil {
		return
	}
	q.mu.Lock()
	q.available = min(q.capacity, q.available+n)
	q.mu.Unlock()
}

func (q *retryQuota) level() int {
	if q == nil {
		return -1
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.available
}

// ErrAttemptTimeout marks an attempt that exceeded the attempt timeout (see
// [WithAttemptTimeout]). Such attempts are retried; the final error wraps it
// together with context.DeadlineExceeded.
var ErrAttemptTimeout = errors.New("cwlogs: attempt timed out")

// IsRetryable reports whether err is worth retrying under the standard retry
// mode: a throttling error (an HTTP 429 without an AWS error code included),
// HTTP 500/502/503/504, RequestTimeout, a corrected clock-skew error, a
// timeout (the attempt timeout, an *http.Client's Timeout, a dial timeout),
// or a connection error. Validation errors, other API errors, a *DecodeError
// (a 2xx answer lost), the caller's context ending, credential errors, a host
// that does not exist and TLS certificate errors are not retryable.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var ce *CredentialsError
	if errors.As(err, &ce) { // before APIError: it may wrap one of STS
		return false
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.retryable()
	}
	var ve *ValidationError
	var de *DecodeError
	if errors.As(err, &ve) || errors.As(err, &de) {
		return false
	}
	if errors.Is(err, ErrAttemptTimeout) {
		return true
	}
	var oe *OpError
	if errors.As(err, &oe) {
		return transportRetryable(oe.Err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return transportRetryable(err)
	}
	return false
}

// transportRetryable classifies an error of the HTTP round trip or of reading
// the response body.
func transportRetryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrAttemptTimeout) {
		return true
	}
	if err == context.Canceled || err == context.DeadlineExceeded { // the caller's ctx ended
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true // http.Client.Timeout, a dial or read timeout (they also match DeadlineExceeded)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return false // no such host: as the SDK, not retried
	}
	var (
		cve *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		rh  tls.RecordHeaderError
	)
	if errors.As(err, &cve) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &rh) {
		return false
	}
	var ce *CredentialsError
	var cse *credentialsAfterSendError
	return !errors.As(err, &ce) && !errors.As(err, &cse)
}

// isTimeout reports whether err is a timeout (retry cost 10).
func isTimeout(err error) bool {
	if errors.Is(err, ErrAttemptTimeout) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// retryable classifies an API error.
func (e *APIError) retryable() bool {
	switch e.StatusCode {
	case 500, 502, 503, 504:
		return true
	}
	switch e.Code {
	case "RequestTimeout", "RequestTimeoutException":
		return true
	}
	return e.throttling() || e.skewCorrected
}

// throttling reports whether an answer is a throttle: a throttling error code,
// or an HTTP 429 without an AWS error code (aws-sdk-go-v2's DefaultThrottles).
// The standard mode retries it; the adaptive mode's limiter cuts its rate.
func (e *APIError) throttling() bool { return isThrottleCode(e.Code) || e.unmodeled429() }

// unmodeled429 reports an HTTP 429 answer without an AWS error code (a proxy's
// or load balancer's page): throttling, as the SDKs treat it.
func (e *APIError) unmodeled429() bool {
	return e.StatusCode == http.StatusTooManyRequests && e.Code == "UnknownError"
}

// CredentialsError reports that a request was not sent because its
// credentials could not be had: the provider failed (no credentials, an STS,
// SSO or metadata error, a credential process that failed) or they could not
// sign. It is not retried by the client (the providers retry themselves).
//
// A call that returns it was not acted on by the service: no attempt of it was
// sent, or each one that was got a refusal (4xx). When the client retried and an
// earlier attempt was sent and got no answer or a 5xx before a later one could
// not get credentials, the call returns an [*OpError] instead (NotSent false), so
// that the error does not claim that nothing was stored; its message is the
// credentials error's and it matches [ErrNoCredentials] as that error does, but
// errors.As finds no *CredentialsError (nor the STS or SSO error it wraps) in it.
//
// Check for it with errors.As before looking for an *APIError: it may wrap
// the *APIError of STS or IAM Identity Center (Operation "sts:AssumeRole",
// "sso:GetRoleCredentials"), which is not an answer of CloudWatch Logs; the
// IsNotFound, IsAlreadyExists and IsInvalidParameter predicates never match
// such errors. errors.Is(err, ErrNoCredentials) tells that none were found or
// a login is needed (an SSO token to renew).
type CredentialsError struct {
	Provider string // the provider's type, e.g. "*cwlogs.AssumeRoleProvider" ("static" for fixed keys)
	Err      error  // the provider's error
}

// Error implements error.
func (e *CredentialsError) Error() string {
	if e.Err == nil {
		return "retrieving credentials from " + e.Provider + ": failed"
	}
	return "retrieving credentials: " + e.Err.Error()
}

// Unwrap returns the provider's error.
func (e *CredentialsError) Unwrap() error { return e.Err }

// credentialsAfterSendError is the Err of the *OpError a call returns when an
// attempt could not get credentials after an earlier one may have been acted on
// (see [CredentialsError]). It keeps the message and the ErrNoCredentials match
// of the credentials error, but does not unwrap to it: a *CredentialsError in
// the chain means that the service did not act on the call.
type credentialsAfterSendError struct{ ce *CredentialsError }

func (e *credentialsAfterSendError) Error() string { return e.ce.Error() }

// Is matches ErrNoCredentials when the credentials error does.
func (e *credentialsAfterSendError) Is(target error) bool {
	return target == ErrNoCredentials && errors.Is(e.ce, ErrNoCredentials)
}

// Clock skew: the service answers InvalidSignatureException "Signature
// expired: ... is now earlier than ... (20240101T001000Z - 5 min.)" or
// "Signature not yet current: ... (… + 5 min.)" when the signing time is more
// than 5 minutes off. The client then derives the offset from the response's
// Date header (or, without one, from the server time in the message), stores
// it, and retries with a corrected signing time.

// skewThreshold is the smallest measured skew that is corrected (as in the SDKs).
const skewThreshold = 4 * time.Minute

// skewMsgTime finds the server time in a skew message: "(20240101T001000Z - 5 min.)".
func skewMsgTime(msg string) (string, bool) {
	for i := strings.IndexByte(msg, '('); i >= 0; {
		rest := msg[i+1:]
		if len(rest) >= 19 && rest[8] == 'T' && rest[15] == 'Z' && rest[16] == ' ' && (rest[17] == '-' || rest[17] == '+') {
			return rest[:16], true
		}
		j := strings.IndexByte(rest, '(')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return "", false
}

// isSkewError reports whether an API error complains about the signing time.
func isSkewError(e *APIError) bool {
	switch e.Code {
	case CodeInvalidSignature:
		return strings.Contains(e.Message, "Signature expired") || strings.Contains(e.Message, "Signature not yet current")
	case "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture":
		return true
	}
	return false
}

// serverTime extracts the server's time from a Date header or a skew message.
func serverTime(date, msg string) (time.Time, bool) {
	if date != "" {
		if t, err := time.Parse(time.RFC1123, date); err == nil {
			return t, true
		}
		if t, err := time.Parse(time.RFC1123Z, date); err == nil {
			return t, true
		}
	}
	if ts, ok := skewMsgTime(msg); ok {
		if t, err := time.Parse("20060102T150405Z", ts); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func defaultRand() float64 { return rand.Float64() }

// defaultHTTPClient is the HTTP client of clients and credential providers
// given none: http.DefaultTransport, and redirects returned as answers.
var defaultHTTPClient = &http.Client{CheckRedirect: noRedirects}

// credsCall sends one call of a credentials service (STS, IAM Identity
// Center) under policy. newReq builds each attempt's request; its error ends
// the call as it is (a source of credentials that failed is not retried
// here). The attempt is then bounded by timeout (0: DefaultAttemptTimeout)
// and its answer, read up to 1 MiB, is given to decode. Errors that policy
// deems retryable are retried after its backoff, an attempt's own timeout
// too (as ErrAttemptTimeout); an *OpError returned records the attempts made.
func credsCall(ctx context.Context, op string, hc *http.Client, policy RetryPolicy, timeout time.Duration,
	newReq func(ctx context.Context) (*http.Request, error), decode func(status int, h http.Header, raw []byte) error) error {
	if hc == nil {
		hc = defaultHTTPClient
	}
	if timeout <= 0 {
		timeout = DefaultAttemptTimeout
	}
	policy = policy.normalize()
	var err error
	for attempt := 1; attempt <= policy.MaxAttempts; attempt++ {
		if attempt > 1 {
			if serr := sleepCtx(ctx, policy.backoff(attempt-1, defaultRand)); serr != nil {
				return &OpError{Operation: op, Attempts: attempt - 1, Err: serr}
			}
		}
		req, rerr := newReq(ctx)
		if rerr != nil {
			return rerr
		}
		err = credsAttempt(ctx, op, hc, req, timeout, decode)
		if oe, ok := err.(*OpError); ok {
			oe.Attempts = attempt
		}
		if err == nil || ctx.Err() != nil || !policy.Retryable(err) {
			break
		}
	}
	return err
}

// credsAttempt sends req with the attempt timeout and decodes the answer.
func credsAttempt(ctx context.Context, op string, hc *http.Client, req *http.Request, timeout time.Duration,
	decode func(status int, h http.Header, raw []byte) error) error {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	transportErr := func(err error) error {
		if actx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", ErrAttemptTimeout, err) // retried, unlike the caller's deadline
		}
		return &OpError{Operation: op, Attempts: 1, Err: err}
	}
	resp, err := hc.Do(req.WithContext(actx))
	if err != nil {
		return transportErr(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return transportErr(err)
	}
	return decode(resp.StatusCode, resp.Header, raw)
}
