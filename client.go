package cwlogs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// Protocol constants of CloudWatch Logs (the seed's AWS_CLOUDWATCH_LOGS_* globals).
const (
	TargetPrefix = "Logs_20140328"
	ContentType  = "application/x-amz-json-1.1"
	ServiceName  = "logs"
)

// Client is a CloudWatch Logs client. It is safe for concurrent use by
// multiple goroutines; create one per region and credentials and share it.
type Client struct {
	region   string
	endpoint string
	url      url.URL
	// retrieve is the credentials provider's Retrieve, held as a func value: fmt prints a
	// func as an address, so no verb applied to a Client value can reach the keys.
	retrieve       func(context.Context) (Credentials, error)
	credSource     string
	signer         *sigv4.Signer
	hc             *http.Client
	retry          RetryPolicy
	quota          *retryQuota
	limiter        *rateLimiter                               // the adaptive mode's rate limiter; nil in the standard mode
	sleep          func(context.Context, time.Duration) error // backoffs and limiter waits (sleepCtx; tests replace it)
	clock          func() time.Time
	rand           func() float64
	attemptTimeout time.Duration
	userAgent      string
	offset         atomic.Int64 // clock offset in nanoseconds, corrected from skew errors
	// hostPrefix: operations whose model sets a host prefix (StartLiveTail's "stream-")
	// send to the prefixed host. True for the default endpoints, false for a custom one,
	// unless WithHostPrefix says otherwise.
	hostPrefix bool
	// gzipLevel: PutLogEvents bodies are gzip-compressed at this level (WithGzip); 0: never.
	gzipLevel int
}

// Response is the raw answer of the service, like the seed's callback table:
// the HTTP status code, the response headers (http.Header; look them up with
// Header.Get, which ignores case) and the raw JSON body.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// New creates a client for region with long-term credentials (the seed's
// constructor AWSCloudWatchLogs(region, accessKeyId, secretAccessKey)). With
// [WithCredentialsProvider] the key arguments may be empty. Bad arguments give
// a *ValidationError.
func New(region, accessKeyID, secretAccessKey string, opts ...Option) (*Client, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.region != "" {
		region = o.region
	}
	if o.creds == nil {
		if accessKeyID == "" {
			return nil, &ValidationError{Operation: "New", Field: "accessKeyID", Value: `""`, Reason: "is required (or use WithCredentialsProvider)"}
		}
		if secretAccessKey == "" {
			return nil, &ValidationError{Operation: "New", Field: "secretAccessKey", Value: `""`, Reason: "is required (or use WithCredentialsProvider)"}
		}
		o.creds = StaticCredentialsProvider{Credentials: Credentials{
			AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey, SessionToken: o.sessionToken, Source: "static"}}
	}
	return newClient(region, &o)
}

func newClient(region string, o *options) (*Client, error) {
	if region == "" {
		return nil, &ValidationError{Operation: "New", Field: "region", Value: `""`, Reason: "is required (Invalid Configuration: Missing Region)"}
	}
	if !isHostLabel(region) {
		return nil, &ValidationError{Operation: "New", Field: "region", Value: showValue(region), Reason: "is not a valid region name (letters, digits and '-')"}
	}
	fips := o.fips != nil && *o.fips
	dual := o.dualStack != nil && *o.dualStack
	endpoint := o.endpoint
	if endpoint != "" {
		if fips {
			return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: showValue(endpoint), Reason: "Invalid Configuration: FIPS and custom endpoint are not supported"}
		}
		if dual {
			return nil, &ValidationError{Operation: "New", Field: "endpoint", Value: showValue(endpoint), Reason: "Invalid Configuration: Dualstack and custom endpoint are not supported"}
		}
	} else {
		var err error
		if endpoint, err = ResolveEndpoint(region, fips, dual); err != nil {
			return nil, err
		}
	}
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if err := o.caBundleHTTPClient("New"); err != nil {
		return nil, err
	}
	if err := checkGzipLevel(o.gzipLevel); err != nil {
		return nil, err
	}
	c := &Client{
		region:         region,
		endpoint:       endpoint,
		url:            *u,
		signer:         sigv4.NewSigner(),
		hc:             o.httpClient,
		clock:          o.clock,
		rand:           defaultRand,
		attemptTimeout: o.attemptTimeout,
		userAgent:      o.userAgent,
		hostPrefix:     o.endpoint == "",
		gzipLevel:      o.gzipLevel,
	}
	if o.hostPrefix != nil {
		c.hostPrefix = *o.hostPrefix
	}
	provider := o.creds
	switch p := o.creds.(type) {
	case StaticCredentialsProvider:
		c.credSource = "static"
	case *CredentialsCache:
		var inner CredentialsProvider
		if p.st != nil {
			inner = p.st.provider
		}
		c.credSource = fmt.Sprintf("%T (cached)", inner)
	default:
		// A cache the caller made is used as it is (it may be shared);
		// the one made here follows the client's clock.
		cc := NewCredentialsCache(p)
		cc.Now = o.clock
		provider = cc
		c.credSource = fmt.Sprintf("%T", p)
	}
	c.retrieve = provider.Retrieve
	if c.hc == nil {
		c.hc = defaultHTTPClient
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.attemptTimeout == 0 {
		c.attemptTimeout = DefaultAttemptTimeout
	}
	if c.userAgent == "" {
		c.userAgent = "cwlogs-go/" + Version
	}
	p := o.retryPolicy()
	if o.maxAttempts < 0 || p.MaxAttempts < 0 {
		return nil, &ValidationError{Operation: "New", Field: "maxAttempts", Value: strconv.Itoa(min(o.maxAttempts, p.MaxAttempts)), Reason: "must be at least 1 (0 means the default of 3)"}
	}
	c.retry = p.normalize()
	c.quota = newRetryQuota(c.retry.RetryQuota)
	c.sleep = sleepCtx
	switch o.retryMode {
	case RetryModeStandard:
	case RetryModeAdaptive:
		c.limiter = newRateLimiter(c.clock)
	default:
		return nil, &ValidationError{Operation: "New", Field: "retryMode", Value: o.retryMode.String(), Reason: "must be RetryModeStandard or RetryModeAdaptive"}
	}
	return c, nil
}

// Credentials returns the credentials the client signs requests with, from
// its provider through its cache, as the next request would get them; a
// failure is a *CredentialsError. Requests do this themselves: a program calls
// it to have a provider that asks its user something (an MFA code) do so at a
// moment it chooses, e.g. before it starts reading its input.
func (c *Client) Credentials(ctx context.Context) (Credentials, error) {
	creds, err := c.retrieve(ctx)
	if err != nil {
		return Credentials{}, &CredentialsError{Provider: c.credSource, Err: err}
	}
	return creds, nil
}

// Region returns the client's region.
func (c *Client) Region() string { return c.region }

// Endpoint returns the endpoint URL requests are sent to.
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the client without revealing credentials.
func (c *Client) String() string {
	return "cwlogs.Client{region: " + c.region + ", endpoint: " + c.endpoint + ", credentials: " + c.credSource +
		", maxAttempts: " + strconv.Itoa(c.retry.MaxAttempts) + "}"
}

// GoString implements fmt.GoStringer (%#v) without revealing credentials.
func (c *Client) GoString() string { return "&" + c.String() }

// Invoke calls any CloudWatch Logs operation with a raw JSON body (nil means
// {}): it signs, sends and retries as every other call. A non-2xx answer
// returns both the *Response and an *APIError; a transport failure returns an
// *OpError.
func (c *Client) Invoke(ctx context.Context, operation string, body []byte) (*Response, error) {
	if err := validOperation("Invoke", "operation", operation); err != nil {
		return nil, err
	}
	if body == nil {
		body = []byte("{}")
	}
	return c.do(ctx, operation, body, nil)
}

// noRedirects is the CheckRedirect of the clients cwlogs makes: a redirect is
// returned as the answer (the AWS JSON protocols never redirect; following one
// would resend a signed request elsewhere).
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// validOperation checks an operation name (it becomes part of a header). method
// and field name the caller's method and argument (Action/action, Invoke/operation);
// an empty name is reported under method, an invalid one under itself.
func validOperation(method, field, op string) error {
	if op == "" {
		return &ValidationError{Operation: method, Field: field, Value: `""`, Reason: "is required"}
	}
	for i := 0; i < len(op); i++ {
		b := op[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || i > 0 && b >= '0' && b <= '9') {
			return &ValidationError{Operation: op, Field: field, Value: showValue(op), Reason: "must be an operation name of letters and digits, e.g. PutLogEvents"}
		}
	}
	return nil
}

// reqBody is one attempt's request body. It records whether the transport
// closed it, so a pooled buffer is reused only once no reader is left, and whether
// the transport ever read it: a request whose body was not read was not sent, whatever
// error the transport returns for it (see [reqBody.seal]). It offers only Read and
// WriteTo (which io.Copy prefers), so that no byte can leave it unseen.
type reqBody struct {
	r      bytes.Reader
	closed atomic.Bool
	state  atomic.Uint32 // bodyUnread, then bodyRead or bodySealed
}

// States of a reqBody.
const (
	bodyUnread = iota
	bodyRead   // a read started: the request may have been sent
	bodySealed // the attempt ended before any read; none may start now
)

// errBodySealed is the error of a read that starts after the attempt ended unsent: a
// transport goroutine left behind cannot send the request any more.
var errBodySealed = errors.New("cwlogs: request body read after its attempt ended")

func (b *reqBody) Reset(body []byte) { b.r.Reset(body) }

// start records a read; false once sealed.
func (b *reqBody) start() bool {
	if st := b.state.Load(); st != bodyUnread {
		return st == bodyRead
	}
	// A failed swap means another read started, or the attempt sealed the body.
	return b.state.CompareAndSwap(bodyUnread, bodyRead) || b.state.Load() == bodyRead
}

func (b *reqBody) Read(p []byte) (int, error) {
	if !b.start() {
		return 0, errBodySealed
	}
	return b.r.Read(p)
}

func (b *reqBody) WriteTo(w io.Writer) (int64, error) {
	if !b.start() {
		return 0, errBodySealed
	}
	return b.r.WriteTo(w)
}

func (b *reqBody) Close() error { b.closed.Store(true); return nil }

// seal reports whether the body was never read, and makes every later read fail: true
// proves that the attempt did not send its request (the service needs the body, of
// Content-Length > 0, to act on it). Called once the attempt is over.
func (b *reqBody) seal() bool {
	return b.state.CompareAndSwap(bodyUnread, bodySealed) || b.state.Load() == bodySealed
}

// maxResponseBytes bounds a response body (GetLogEvents pages are ≤ 1 MB of
// events, so 64 MiB leaves ample room for JSON escaping).
const maxResponseBytes = 64 << 20

// do runs the retry loop for one call. pooled, when set, holds body and is
// returned to the pool once no attempt's body can still be read.
func (c *Client) do(ctx context.Context, op string, body []byte, pooled *bodyBuf) (*Response, error) {
	return c.doCall(ctx, op, body, pooled, "", nil)
}

// doCall is do with the call's extras: every attempt sends logFormat as its
// x-amzn-logs-format header unless it is "" and, when st is set, the 2xx answer is a
// stream, whose body the attempt that gets it leaves unread in st (see [streamAttempt]).
func (c *Client) doCall(ctx context.Context, op string, body []byte, pooled *bodyBuf, logFormat string, st *streamAttempt) (*Response, error) {
	// Compressed once: every attempt sends, and signs, the same bytes.
	body, encoding, pooled := c.compressBody(op, body, pooled)
	hash := sigv4.HashHex(body)
	target := TargetPrefix + "." + op
	var (
		small    [4]*reqBody
		bodies   = small[:0]
		lastCost int
		// reusable: the call succeeded at its first attempt. After an error answer, an
		// HTTP/2 transport may close the body while its writer is still inside a Read, so
		// closed does not prove that no reader is left: the buffer then goes to the GC.
		reusable bool
		// sent: an attempt's body was read, so its request may have reached the service.
		sent bool
		// unconfirmed: an attempt's request was sent and got no answer, or a 5xx, so the
		// service may have acted on it (APIError.EarlierAttemptUnconfirmed).
		unconfirmed bool
	)
	defer func() {
		if pooled == nil || !reusable {
			return
		}
		for _, b := range bodies {
			if !b.closed.Load() {
				return // still referenced by a transport goroutine: let the GC have it
			}
		}
		putBuf(pooled)
	}()
	for attempt := 1; ; attempt++ {
		// The adaptive mode's token, waited for as a backoff is (a no-op otherwise).
		if lerr := c.limiter.acquire(ctx, c.sleep); lerr != nil {
			return nil, &OpError{Operation: op, Attempts: attempt - 1, Err: lerr, NotSent: !sent}
		}
		rb := &reqBody{}
		rb.Reset(body)
		bodies = append(bodies, rb)
		// The offset this attempt is signed with: a skew error is measured against it, not
		// against c.offset, which a concurrent request may have corrected meanwhile.
		offset := c.offset.Load()
		resp, err := c.attempt(ctx, target, encoding, logFormat, body, rb, hash, offset, st)
		if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			c.limiter.update(false)
			if lastCost > 0 {
				c.quota.release(lastCost)
			} else if attempt == 1 {
				c.quota.release(noRetryIncrement)
			}
			reusable = attempt == 1
			if st != nil {
				st.attempts = attempt
			}
			return resp, nil
		}
		thisSent := len(body) == 0 || !rb.seal()
		sent = sent || thisSent
		noAnswer := err != nil
		var final error
		if err != nil {
			var ce *CredentialsError
			if errors.As(err, &ce) {
				if unconfirmed {
					// An earlier attempt may have been acted on: a *CredentialsError
					// would say that the service did not act on the call.
					if ctx.Err() != nil {
						// The caller's ctx ended while the credentials were fetched: say
						// so, as a transport failure does (errors.Is(err, context.Canceled)).
						return nil, &OpError{Operation: op, Attempts: attempt, Err: ctx.Err()}
					}
					return nil, &OpError{Operation: op, Attempts: attempt, Err: &credentialsAfterSendError{ce}}
				}
				return nil, fmt.Errorf("cwlogs: %s: %w", op, err)
			}
			c.limiter.update(false) // an attempt sent, or tried: not a throttle
			var de *DecodeError
			if errors.As(err, &de) {
				de.Operation = op
				return nil, de // a 2xx answer: the request took effect, never send it again
			}
			final = &OpError{Operation: op, Attempts: attempt, Err: err, NotSent: !sent}
			if ctx.Err() != nil {
				return nil, &OpError{Operation: op, Attempts: attempt, Err: ctx.Err(), NotSent: !sent}
			}
		} else {
			ae := parseAPIError(op, resp.StatusCode, resp.Header, resp.Body)
			c.limiter.update(ae.throttling())
			if isSkewError(ae) {
				if st, ok := serverTime(resp.Header.Get("Date"), ae.Message); ok {
					// Against the offset signed with, not the raw clock, so that an
					// offset stored before the clock was put right is undone; and not
					// the offset in use now, so that requests in flight together
					// when the first answer corrected it are retried too.
					skew := st.Sub(c.clock())
					if d := skew - time.Duration(offset); d > skewThreshold || d < -skewThreshold {
						c.offset.Store(int64(skew))
						ae.skewCorrected = true
					}
				}
			}
			ae.EarlierAttemptUnconfirmed = unconfirmed
			final = ae
			err = ae
		}
		// For the attempts after this one: it may have reached the service.
		unconfirmed = unconfirmed || (thisSent && (noAnswer || resp.StatusCode >= 500))
		if attempt >= c.retry.MaxAttempts || !c.retry.Retryable(final) {
			return resp, final
		}
		cost := retryCost
		if isTimeout(err) {
			cost = retryTimeoutCost
		}
		if !c.quota.acquire(cost) {
			return resp, final
		}
		lastCost = cost
		if serr := c.sleep(ctx, c.retry.backoff(attempt, c.rand)); serr != nil {
			return nil, &OpError{Operation: op, Attempts: attempt, Err: serr, NotSent: !sent}
		}
	}
}

// now is the client's clock corrected by the offset learnt from skew errors:
// the service's time, as near as the client knows it.
func (c *Client) now() time.Time { return c.clock().Add(time.Duration(c.offset.Load())) }

// Now returns the client's clock (WithClock, else time.Now) corrected by the offset it
// learnt when the service refused a signature as expired or not yet current: the
// service's time, as near as the client knows it. Until such an answer, or when the clock
// is within the service's 5 minutes, it is the clock itself. A device without a
// real-time clock can stamp its events with it once the client has made a request
// (ship.Options{Now: client.Now}).
func (c *Client) Now() time.Time { return c.now() }

// streamAttempt is what a streaming call's attempt leaves for it: the unread body of a
// 2xx answer and the function that cancels its request's context.
type streamAttempt struct {
	hostPrefix string // the operation's model host prefix, e.g. "stream-"
	attempts   int    // attempts made, set when one gets a 2xx answer
	body       io.ReadCloser
	cancel     context.CancelFunc
}

// attempt sends one freshly built request, signed at the client's clock plus offset,
// with the Content-Encoding encoding and the x-amzn-logs-format logFormat unless they
// are "". With st set, the attempt timeout bounds it until the answer's headers (and a
// non-2xx answer's body) arrive, and a 2xx answer's body is left unread in st.
func (c *Client) attempt(ctx context.Context, target, encoding, logFormat string, body []byte, rb *reqBody, hash string, offset int64, st *streamAttempt) (*Response, error) {
	creds, err := c.Credentials(ctx)
	if err != nil {
		return nil, err
	}
	actx, cancel := ctx, context.CancelFunc(nil)
	var timer *time.Timer
	switch {
	case st != nil:
		// The stream outlives the attempt timeout: a timer, stopped once the headers are
		// in, cancels the request until then.
		actx, cancel = context.WithCancel(ctx)
		if c.attemptTimeout > 0 {
			timer = time.AfterFunc(c.attemptTimeout, cancel)
		}
		defer func() {
			if st.body == nil {
				if timer != nil {
					timer.Stop()
				}
				cancel()
			}
		}()
	case c.attemptTimeout > 0:
		actx, cancel = context.WithTimeout(ctx, c.attemptTimeout)
		defer cancel()
	}
	vals := make([]string, 5)
	vals[0], vals[1], vals[2], vals[3], vals[4] = target, ContentType, c.userAgent, encoding, logFormat
	h := make(http.Header, 8)
	h["X-Amz-Target"] = vals[0:1:1]
	h["Content-Type"] = vals[1:2:2]
	h["User-Agent"] = vals[2:3:3]
	if encoding != "" {
		h["Content-Encoding"] = vals[3:4:4] // signed, as every header here but User-Agent
	}
	if logFormat != "" {
		h["X-Amzn-Logs-Format"] = vals[4:5:5] // signed, as the SDKs sign it
	}
	u := c.url
	if st != nil && c.hostPrefix {
		u.Host = st.hostPrefix + u.Host
	}
	req := (&http.Request{
		Method:        http.MethodPost,
		URL:           &u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          rb,
		ContentLength: int64(len(body)),
		Host:          u.Host,
	}).WithContext(actx)
	t := c.clock().Add(time.Duration(offset))
	sc := sigv4.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken}
	if err := c.signer.SignHTTP(req, sc, hash, ServiceName, c.region, t); err != nil {
		return nil, &CredentialsError{Provider: c.credSource, Err: fmt.Errorf("signing: %w", err)}
	}
	hr, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportErr(ctx, actx, err)
	}
	if st != nil && hr.StatusCode >= 200 && hr.StatusCode < 300 {
		if timer != nil && !timer.Stop() {
			// The attempt timed out as the headers came in: the request is cancelled.
			hr.Body.Close()
			return nil, c.transportErr(ctx, actx, context.Canceled)
		}
		st.body, st.cancel = hr.Body, cancel
		return &Response{StatusCode: hr.StatusCode, Header: hr.Header}, nil
	}
	data, err := readAll(hr)
	hr.Body.Close()
	if err != nil {
		err = c.transportErr(ctx, actx, err)
		if hr.StatusCode >= 200 && hr.StatusCode < 300 && ctx.Err() == nil {
			// The service acted on the request; only its answer was lost.
			return nil, &DecodeError{Err: fmt.Errorf("reading the HTTP %d answer: %w", hr.StatusCode, err)}
		}
		return nil, err
	}
	return &Response{StatusCode: hr.StatusCode, Header: hr.Header, Body: data}, nil
}

// transportErr distinguishes an attempt timeout from the caller's context
// ending and from other transport errors.
func (c *Client) transportErr(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if actx.Err() != nil {
		return fmt.Errorf("%w after %v: %w", ErrAttemptTimeout, c.attemptTimeout, context.DeadlineExceeded)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err // drop the URL-prefixed wrapper; the op name is added by OpError
	}
	return err
}

// readAll reads a response body, sized by Content-Length when known.
func readAll(hr *http.Response) ([]byte, error) {
	n := hr.ContentLength
	if n > maxResponseBytes {
		return nil, fmt.Errorf("response body of %d bytes exceeds %d", n, maxResponseBytes)
	}
	if n >= 0 {
		buf := make([]byte, n)
		_, err := io.ReadFull(hr.Body, buf)
		return buf, err
	}
	data, err := io.ReadAll(io.LimitReader(hr.Body, maxResponseBytes+1))
	if err == nil && len(data) > maxResponseBytes {
		return nil, fmt.Errorf("response body exceeds %d bytes", maxResponseBytes)
	}
	return data, err
}
