package cwlogs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hangup closes the connection without answering (a reset / EOF).
func hangup(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

type step func(w http.ResponseWriter)

func status(code int, errType, msg string) step {
	return func(w http.ResponseWriter) {
		writeJSON(w, code, `{"__type":"`+errType+`","message":"`+msg+`"}`)
	}
}

var ok200 step = func(w http.ResponseWriter) { writeJSON(w, 200, "{}") }

// truncated200 answers 200 with a body shorter than its Content-Length, then
// hangs up: the service acted, but its answer is lost.
var truncated200 step = func(w http.ResponseWriter) {
	body := `{"nextSequenceToken":"abc"}`
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+10))
	w.WriteHeader(200)
	w.Write([]byte(body))
	w.(http.Flusher).Flush()
	hangup(w)
}

func sleepThen(d time.Duration, s step) step {
	return func(w http.ResponseWriter) { time.Sleep(d); s(w) }
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name         string
		steps        []step
		maxAttempts  int
		wantAttempts int
		wantErr      bool
		wantCode     string
		wantStatus   int
		wantOpErr    bool
		wantTimeout  bool
		wantDecode   bool          // a *DecodeError, not retryable
		timeout      time.Duration // attempt timeout; 0: 5 s
	}{
		{name: "500 then 200", steps: []step{status(500, "ServiceUnavailableException", "x"), ok200}, wantAttempts: 2},
		{name: "500 500 200", steps: []step{status(500, "InternalFailure", "x"), status(500, "InternalFailure", "x"), ok200}, wantAttempts: 3},
		{name: "500 three times", steps: []step{status(500, "ServiceUnavailableException", "down")}, wantAttempts: 3, wantErr: true, wantCode: "ServiceUnavailableException", wantStatus: 500},
		{name: "502 503 504 retried", steps: []step{status(502, "", ""), status(503, "", ""), status(504, "", ""), ok200}, maxAttempts: 4, wantAttempts: 4},
		{name: "throttling then 200", steps: []step{status(400, "ThrottlingException", "Rate exceeded"), ok200}, wantAttempts: 2},
		{name: "LimitExceeded retried like the SDK", steps: []step{status(400, "LimitExceededException", "x"), ok200}, wantAttempts: 2},
		{name: "namespaced throttling code", steps: []step{status(400, "com.amazonaws.logs#ThrottlingException:http://x", "x"), ok200}, wantAttempts: 2},
		{name: "RequestTimeoutException retried", steps: []step{status(400, "RequestTimeoutException", "x"), ok200}, wantAttempts: 2},
		{name: "not found never retried", steps: []step{status(400, "ResourceNotFoundException", "The specified log group does not exist.")}, wantAttempts: 1, wantErr: true, wantCode: "ResourceNotFoundException", wantStatus: 400},
		{name: "invalid parameter never retried", steps: []step{status(400, "InvalidParameterException", "bad")}, wantAttempts: 1, wantErr: true, wantCode: "InvalidParameterException", wantStatus: 400},
		{name: "access denied never retried", steps: []step{status(400, "AccessDeniedException", "no")}, wantAttempts: 1, wantErr: true, wantCode: "AccessDeniedException", wantStatus: 400},
		{name: "unrecognized client never retried", steps: []step{status(400, "UnrecognizedClientException", "bad token")}, wantAttempts: 1, wantErr: true, wantCode: "UnrecognizedClientException", wantStatus: 400},
		{name: "403 never retried", steps: []step{status(403, "", "")}, wantAttempts: 1, wantErr: true, wantCode: "UnknownError", wantStatus: 403},
		{name: "connection reset then 200", steps: []step{hangup, ok200}, wantAttempts: 2},
		{name: "connection reset every time", steps: []step{hangup}, wantAttempts: 3, wantErr: true, wantOpErr: true},
		{name: "slow attempt times out then 200", steps: []step{sleepThen(time.Second, ok200), ok200}, wantAttempts: 2, timeout: 300 * time.Millisecond},
		{name: "slow every time", steps: []step{sleepThen(time.Second, ok200)}, wantAttempts: 3, wantErr: true, wantOpErr: true, wantTimeout: true, timeout: 100 * time.Millisecond},
		{name: "HTML 429 from a proxy retried as throttling", steps: []step{func(w http.ResponseWriter) { w.WriteHeader(429); w.Write([]byte("<html>Too Many Requests</html>")) }, ok200}, wantAttempts: 2},
		{name: "error body with a non-string member", steps: []step{func(w http.ResponseWriter) {
			writeJSON(w, 400, `{"__type":"ThrottlingException","message":"Rate exceeded","code":400}`)
		}}, wantAttempts: 3, wantErr: true, wantCode: "ThrottlingException", wantStatus: 400},
		{name: "truncated 2xx answer never sent again", steps: []step{truncated200}, wantAttempts: 1, wantErr: true, wantDecode: true},
		{name: "max attempts 1 disables retries", steps: []step{status(500, "InternalFailure", "x"), ok200}, maxAttempts: 1, wantAttempts: 1, wantErr: true, wantCode: "InternalFailure", wantStatus: 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
				tc.steps[min(n, len(tc.steps)-1)](w)
			})
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			opts := []Option{WithClock(tickClock(time.Now())), WithAttemptTimeout(timeout)}
			if tc.maxAttempts != 0 {
				opts = append(opts, WithMaxAttempts(tc.maxAttempts))
			}
			c := newTestClient(t, f, opts...)
			in := &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: []InputLogEvent{{1, "m"}}}
			_, err := c.PutLogEvents(context.Background(), in)
			reqs := f.requests()
			if len(reqs) != tc.wantAttempts {
				t.Errorf("attempts = %d, want %d", len(reqs), tc.wantAttempts)
			}
			// Every attempt is a fresh request with the same body, signed anew.
			dates := map[string]bool{}
			for i, r := range reqs {
				if r.VerifyErr != nil {
					t.Errorf("attempt %d: signature: %v", i+1, r.VerifyErr)
				}
				if r.Body != reqs[0].Body || r.Body == "" {
					t.Errorf("attempt %d: body %q differs from first %q", i+1, r.Body, reqs[0].Body)
				}
				if dates[r.AmzDate] {
					t.Errorf("attempt %d reused X-Amz-Date %s", i+1, r.AmzDate)
				}
				dates[r.AmzDate] = true
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr {
				return
			}
			var ae *APIError
			if tc.wantCode != "" {
				if !errors.As(err, &ae) {
					t.Fatalf("err %T %v is not an *APIError", err, err)
				}
				if ae.Code != tc.wantCode || ae.StatusCode != tc.wantStatus || ae.Operation != "PutLogEvents" {
					t.Errorf("APIError = %+v, want code %s status %d", ae, tc.wantCode, tc.wantStatus)
				}
			}
			if tc.wantOpErr {
				var oe *OpError
				if !errors.As(err, &oe) {
					t.Fatalf("err %T %v is not an *OpError", err, err)
				}
				if oe.Operation != "PutLogEvents" || oe.Attempts != tc.wantAttempts {
					t.Errorf("OpError = %+v", oe)
				}
				if !IsRetryable(err) {
					t.Errorf("IsRetryable(%v) = false for a transport error", err)
				}
			}
			var de *DecodeError
			if tc.wantDecode && (!errors.As(err, &de) || de.Operation != "PutLogEvents" || IsRetryable(err)) {
				t.Errorf("err %T %v: want a *DecodeError of PutLogEvents, not retryable", err, err)
			}
			if tc.wantTimeout != errors.Is(err, ErrAttemptTimeout) {
				t.Errorf("errors.Is(err, ErrAttemptTimeout) = %v, want %v (err %v)", !tc.wantTimeout, tc.wantTimeout, err)
			}
			if tc.wantTimeout && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("timeout error %v does not match context.DeadlineExceeded", err)
			}
		})
	}
}

func TestContextCancelDuringBackoff(t *testing.T) {
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		status(500, "ServiceUnavailableException", "x")(w)
	})
	c := newTestClient(t, f, WithRetryPolicy(RetryPolicy{MaxAttempts: 5, MaxBackoff: time.Minute}))
	c.rand = func() float64 { return 0.99 } // first backoff ≈ 2 s
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err := c.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"})
	if el := time.Since(start); el > time.Second {
		t.Errorf("returned after %v; the backoff did not honour ctx", el)
	}
	var oe *OpError
	if !errors.As(err, &oe) || !errors.Is(err, context.Canceled) || oe.Attempts != 1 {
		t.Fatalf("err = %#v, want *OpError wrapping context.Canceled after 1 attempt", err)
	}
	if IsRetryable(err) {
		t.Error("a cancelled call must not be retryable")
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestContextDeadlineDuringAttempt(t *testing.T) {
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		sleepThen(500*time.Millisecond, ok200)(w)
	})
	c := newTestClient(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrAttemptTimeout) {
		t.Fatalf("err = %v, want the caller's deadline, not an attempt timeout", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("requests = %d, want 1 (no retry after the caller's deadline)", n)
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{}.normalize()
	tests := []struct {
		attempt int
		rnd     float64
		want    time.Duration
	}{
		{1, 0, 0},
		{1, 0.5, time.Second},
		{2, 0.5, 2 * time.Second},
		{3, 0.25, 2 * time.Second},
		{4, 0.999, time.Duration(0.999 * 16 * float64(time.Second))},
		{5, 0.1, 20 * time.Second}, // 2^5 s > 20 s: capped
		{60, 0.1, 20 * time.Second},
	}
	for _, tc := range tests {
		if got := p.backoff(tc.attempt, func() float64 { return tc.rnd }); got != tc.want {
			t.Errorf("backoff(%d, rand %v) = %v, want %v", tc.attempt, tc.rnd, got, tc.want)
		}
	}
	small := RetryPolicy{MaxBackoff: 1500 * time.Millisecond}.normalize()
	if got := small.backoff(1, func() float64 { return 0.9 }); got != 1500*time.Millisecond {
		t.Errorf("capped backoff = %v, want 1.5s", got)
	}
}

func TestRetryQuota(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			status(500, "InternalFailure", "x")(w)
			return
		}
		ok200(w)
	})
	// Quota 10: the first call spends 5+5 on two retries, the second call cannot retry.
	c := newTestClient(t, f, WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond, RetryQuota: 10}))
	ctx := context.Background()
	_ = c.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"})
	if n := len(f.requests()); n != 3 {
		t.Fatalf("first call: %d attempts, want 3", n)
	}
	if lv := c.quota.level(); lv != 0 {
		t.Fatalf("quota = %d, want 0", lv)
	}
	_ = c.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"})
	if n := len(f.requests()); n != 4 {
		t.Fatalf("second call with an empty quota: %d total attempts, want 4", n)
	}
	fail.Store(false)
	if err := c.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Fatal(err)
	}
	if lv := c.quota.level(); lv != 1 {
		t.Fatalf("quota after a first-attempt success = %d, want 1", lv)
	}
	// A successful retry refunds its cost.
	c2 := newTestClient(t, newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			status(503, "", "")(w)
			return
		}
		ok200(w)
	}), WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond, RetryQuota: 100}))
	if err := c2.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Fatal(err)
	}
	if lv := c2.quota.level(); lv != 100 {
		t.Fatalf("quota after a successful retry = %d, want 100", lv)
	}
}

func TestTimeoutCostsMore(t *testing.T) {
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			sleepThen(300*time.Millisecond, ok200)(w)
			return
		}
		status(500, "InternalFailure", "x")(w)
	})
	c := newTestClient(t, f, WithAttemptTimeout(50*time.Millisecond), WithMaxAttempts(2),
		WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond, RetryQuota: 100}))
	_ = c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
	if lv := c.quota.level(); lv != 90 {
		t.Fatalf("quota after a timeout retry = %d, want 90", lv)
	}
}

func TestClockSkewCorrection(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset time.Duration // server clock minus client clock
		want   string
	}{
		{"client behind: signature expired", 15 * time.Minute, "Signature expired"},
		{"client ahead: signature not yet current", -15 * time.Minute, "Signature not yet current"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clientNow := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
			f := newFakeLogs(t, nil)
			f.now = func() time.Time { return clientNow.Add(tc.offset) }
			c := newTestClient(t, f, WithClock(func() time.Time { return clientNow }))
			if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
				t.Fatalf("call failed despite skew correction: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != 2 {
				t.Fatalf("attempts = %d, want 2", len(reqs))
			}
			if reqs[0].VerifyErr == nil || !strings.Contains(reqs[0].VerifyErr.Error(), tc.want) {
				t.Errorf("first attempt error = %v, want %q", reqs[0].VerifyErr, tc.want)
			}
			if reqs[1].VerifyErr != nil || !reqs[1].Ident.Time.Equal(clientNow.Add(tc.offset)) {
				t.Errorf("second attempt signed at %v (err %v), want %v", reqs[1].Ident.Time, reqs[1].VerifyErr, clientNow.Add(tc.offset))
			}
			// Now reports the service's time, for callers that stamp events with it.
			if got := c.Now(); !got.Equal(clientNow.Add(tc.offset)) {
				t.Errorf("Now() = %v, want the service's time %v", got, clientNow.Add(tc.offset))
			}
			// The offset is kept: the next call succeeds at once.
			if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
				t.Fatal(err)
			}
			if n := len(f.requests()); n != 3 {
				t.Errorf("attempts after correction = %d, want 3", n)
			}
		})
	}
}

func TestClockSkewFromMessageWithoutDate(t *testing.T) {
	ae := &APIError{Code: CodeInvalidSignature, Message: "Signature expired: 20240301T120000Z is now earlier than 20240301T121000Z (20240301T121500Z - 5 min.)"}
	if !isSkewError(ae) {
		t.Fatal("not recognised as a skew error")
	}
	got, ok := serverTime("", ae.Message)
	if !ok || !got.Equal(time.Date(2024, 3, 1, 12, 15, 0, 0, time.UTC)) {
		t.Fatalf("serverTime = %v %v", got, ok)
	}
	if isSkewError(&APIError{Code: CodeInvalidSignature, Message: "The request signature we calculated does not match"}) {
		t.Error("a wrong signature is not a skew error")
	}
}

func TestIsRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&APIError{Code: "ThrottlingException", StatusCode: 400}, true},
		{&APIError{Code: "ServiceUnavailableException", StatusCode: 500}, true},
		{&APIError{Code: "UnknownError", StatusCode: 502}, true},
		{&APIError{Code: "ResourceNotFoundException", StatusCode: 400}, false},
		{&APIError{Code: "InvalidSignatureException", StatusCode: 400}, false},
		{&APIError{Code: "InvalidSignatureException", StatusCode: 400, skewCorrected: true}, true},
		{&ValidationError{}, false},
		{&OpError{Operation: "X", Err: context.Canceled}, false},
		{&OpError{Operation: "X", Err: errors.New("connection reset by peer")}, true},
		{&OpError{Operation: "X", Err: ErrAttemptTimeout}, true},
		{errors.New("something else"), false},
		// A credentials error is not retried by the client, even when it wraps an
		// STS answer that would be (a review found IsRetryable true for these).
		{fmt.Errorf("cwlogs: PutLogEvents: %w", &CredentialsError{Provider: "*cwlogs.AssumeRoleProvider",
			Err: &APIError{Operation: "sts:AssumeRole", Code: "Throttling", StatusCode: 400}}), false},
		{&DecodeError{Operation: "X", Err: fmt.Errorf("reading: %w", &net.OpError{Op: "read", Err: errors.New("reset")})}, false},
		{&OpError{Operation: "X", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}}, false},
		{&OpError{Operation: "X", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}}}, true},
	}
	for _, tc := range tests {
		if got := IsRetryable(tc.err); got != tc.want {
			t.Errorf("IsRetryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestClockSkewOffsetUndone: an offset stored while the local clock was off
// is undone once the clock is put right (by NTP, say). A review found it was
// compared with the raw clock, not with the offset in use, so that every
// call failed with "Signature not yet current" for the client's lifetime.
func TestClockSkewOffsetUndone(t *testing.T) {
	serverNow := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	f := newFakeLogs(t, nil)
	f.now = func() time.Time { return serverNow }
	var localErr atomic.Int64
	localErr.Store(int64(-10 * time.Minute))
	c := newTestClient(t, f, WithClock(func() time.Time { return serverNow.Add(time.Duration(localErr.Load())) }))
	ctx := context.Background()
	if err := c.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Fatalf("with the clock 10 min slow: %v", err)
	}
	localErr.Store(0) // the clock is put right
	if err := c.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Fatalf("after the clock was put right: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != 4 || reqs[3].VerifyErr != nil || !reqs[3].Ident.Time.Equal(serverNow) {
		t.Errorf("%d attempts, last signed at %v; want 4 (each call corrected once), the last at the server's time", len(reqs), reqs[len(reqs)-1].Ident.Time)
	}
}

// TestOtherTimeoutsRetried: the timeouts of an *http.Client (Client.Timeout)
// and of dialing are retried like the client's own attempt timeout, as the
// RetryPolicy doc says. A review found them taken for the caller's deadline
// (they match context.DeadlineExceeded) and not retried.
func TestOtherTimeoutsRetried(t *testing.T) {
	var calls atomic.Int32
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			time.Sleep(300 * time.Millisecond)
		}
		writeJSON(w, 200, "{}")
	})
	c := newTestClient(t, f, WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Errorf("http.Client.Timeout: %d attempts, %v; want a retry that succeeds", calls.Load(), err)
	}
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: 30 * time.Second}
		if dials.Add(1) == 1 {
			d.Timeout = time.Nanosecond // "i/o timeout"
		}
		return d.DialContext(ctx, network, addr)
	}}
	c = newTestClient(t, f, WithHTTPClient(&http.Client{Transport: tr}))
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Errorf("dial timeout: %d dials, %v; want a retry that succeeds", dials.Load(), err)
	}
}

// TestNoSuchHostNotRetried: a host that does not exist is not retried, as
// in the SDK.
func TestNoSuchHostNotRetried(t *testing.T) {
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "logs.invalid", IsNotFound: true}}
	}}
	c, err := New("us-east-1", testAKID, testSecret, WithEndpoint("http://logs.invalid"), WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"})
	var dns *net.DNSError
	if dials.Load() != 1 || !errors.As(err, &dns) {
		t.Errorf("%d dials, err %v; want 1 and a *net.DNSError", dials.Load(), err)
	}
}

// TestClockSkewConcurrentRequests: requests in flight together when the clock is found to
// be off all get a skew error; the first answer stores the offset. Every one of them must
// then be retried: a review found that the others, compared with the offset already
// corrected, were final errors, and ship dropped their batches as permanent failures.
func TestClockSkewConcurrentRequests(t *testing.T) {
	const n = 4
	clientNow := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	f := newFakeLogs(t, nil)
	f.now = func() time.Time { return clientNow.Add(72 * time.Hour) }
	var arrived sync.WaitGroup
	arrived.Add(n)
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Date") == clientNow.Format("20060102T150405Z") {
			arrived.Done()
			arrived.Wait() // every first attempt is in flight before any is answered
		}
		f.serve(w, r)
	}))
	t.Cleanup(gate.Close)
	c, err := New("us-east-1", testAKID, testSecret, WithEndpoint(gate.URL),
		WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond}), WithClock(func() time.Time { return clientNow }))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g" + strconv.Itoa(i)})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("a request in flight during the correction failed: %v", err)
		}
	}
	if got := len(f.requests()); got != 2*n {
		t.Errorf("%d requests, want %d (each retried once)", got, 2*n)
	}
}
