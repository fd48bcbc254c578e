package cwlogs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// TestOpErrorNotSent: an *OpError says NotSent exactly when no attempt of the call can
// have reached the service. A review found that a blackholed address (every SYN dropped,
// the dial outlasting the attempt) gave a bare context.DeadlineExceeded or attempt
// timeout, which ship counted as Unconfirmed although no byte had left; and that a proxy
// refusing CONNECT gave an untyped error, counted the same way.
func TestOpErrorNotSent(t *testing.T) {
	type setup struct {
		client   *http.Client
		endpoint string
		opts     []Option
		timeout  time.Duration // of the caller's ctx; 0: none
		// cancelOn, when set, makes the caller cancel its ctx once it receives: the
		// call then ends at a known point (after a request was read, say), not at a
		// timeout that a loaded machine may reach early.
		cancelOn <-chan struct{}
	}
	keepAlivesOff := func(dial func(context.Context, string, string) (net.Conn, error)) *http.Client {
		return &http.Client{Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true}}
	}
	// thenBlackhole sends the first attempt with first, then the others into a
	// blackhole; the caller cancels once the second is dialing.
	thenBlackhole := func(t *testing.T, first func(context.Context, string, string) (net.Conn, error)) setup {
		b := testpeer.NewBlackhole(t)
		var n atomic.Int32
		return setup{client: keepAlivesOff(func(ctx context.Context, network, addr string) (net.Conn, error) {
			if n.Add(1) == 1 {
				return first(ctx, network, addr)
			}
			return b.Dial(ctx, network, addr)
		}), opts: []Option{WithMaxAttempts(2)}, cancelOn: b.Dialing}
	}
	for _, tc := range []struct {
		name         string
		setup        func(t *testing.T) setup
		wantAttempts int
		wantNotSent  bool
	}{
		{"blackholed, caller's deadline", func(t *testing.T) setup {
			return setup{client: keepAlivesOff(testpeer.NewBlackhole(t).Dial), timeout: 50 * time.Millisecond}
		}, 1, true},
		{"blackholed, attempt timeout, retried", func(t *testing.T) setup {
			return setup{client: keepAlivesOff(testpeer.NewBlackhole(t).Dial),
				opts: []Option{WithAttemptTimeout(20 * time.Millisecond), WithMaxAttempts(3)}}
		}, 3, true},
		{"blackholed, http.Client.Timeout", func(t *testing.T) setup {
			return setup{client: &http.Client{Timeout: 20 * time.Millisecond,
				Transport: &http.Transport{DialContext: testpeer.NewBlackhole(t).Dial}}}
		}, 1, true},
		{"connection refused", func(t *testing.T) setup {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			return setup{client: &http.Client{}, endpoint: "http://" + addr}
		}, 1, true},
		{"proxy refuses CONNECT", func(t *testing.T) setup {
			proxy, _ := testpeer.RefusingProxy(t)
			return setup{client: &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}},
				endpoint: "https://logs.us-east-1.amazonaws.com"}
		}, 1, true},
		{"request read, then connection reset", func(t *testing.T) setup {
			return setup{client: keepAlivesOff(testpeer.NewSilent(t, true).Dial)}
		}, 1, false},
		{"request read, no answer, cancelled", func(t *testing.T) setup {
			p := testpeer.NewSilent(t, false)
			return setup{client: keepAlivesOff(p.Dial), cancelOn: p.Got}
		}, 1, false},
		{"HTTP/2, request read, no answer, cancelled", func(t *testing.T) setup {
			got := make(chan struct{}, 1)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.ProtoMajor != 2 {
					t.Errorf("request over %s, want HTTP/2", r.Proto)
				}
				_, _ = io.ReadAll(r.Body)
				got <- struct{}{}
				<-r.Context().Done()
			}))
			srv.EnableHTTP2 = true
			srv.StartTLS()
			t.Cleanup(srv.Close)
			return setup{client: srv.Client(), endpoint: srv.URL, cancelOn: got}
		}, 1, false},
		// The first attempt may have been stored: the call is not NotSent, though the
		// last attempt never left.
		{"request read and reset, then blackholed", func(t *testing.T) setup {
			return thenBlackhole(t, testpeer.NewSilent(t, true).Dial)
		}, 2, false},
		{"503, then blackholed", func(t *testing.T) setup {
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
				status(503, "ServiceUnavailableException", "x")(w)
			})
			return thenBlackhole(t, func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, f.srv.Listener.Addr().String())
			})
		}, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.setup(t)
			if s.endpoint == "" {
				s.endpoint = "http://192.0.2.1" // TEST-NET-1; the test's dialer decides where it goes
			}
			opts := append([]Option{WithEndpoint(s.endpoint), WithHTTPClient(s.client),
				WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond}), WithMaxAttempts(1)}, s.opts...)
			c, err := New("us-east-1", testAKID, testSecret, opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if s.timeout > 0 {
				ctx, cancel = context.WithTimeout(ctx, s.timeout)
				defer cancel()
			}
			if s.cancelOn != nil {
				go func() {
					select {
					case <-s.cancelOn:
						cancel()
					case <-ctx.Done():
					}
				}()
			}
			_, err = c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s",
				LogEvents: []InputLogEvent{{Timestamp: 1, Message: "m"}}})
			var oe *OpError
			if !errors.As(err, &oe) {
				t.Fatalf("err %T %v, want an *OpError", err, err)
			}
			if oe.Attempts != tc.wantAttempts || oe.NotSent != tc.wantNotSent {
				t.Errorf("Attempts %d NotSent %v, want %d %v (err %v)", oe.Attempts, oe.NotSent, tc.wantAttempts, tc.wantNotSent, err)
			}
		})
	}
}

// TestReqBodySeal: once an attempt is over and its body was never read, no read may
// start (a transport goroutine left behind cannot send it later); a body read before is
// not sealed.
func TestReqBodySeal(t *testing.T) {
	for _, tc := range []struct {
		name       string
		read       func(b *reqBody) error
		wantSealed bool
	}{
		{"untouched", func(*reqBody) error { return nil }, true},
		{"read", func(b *reqBody) error { _, err := b.Read(make([]byte, 1)); return err }, false},
		{"read into an empty buffer", func(b *reqBody) error { _, err := b.Read(nil); return err }, false},
		{"written to", func(b *reqBody) error { _, err := b.WriteTo(io.Discard); return err }, false},
		{"closed only", func(b *reqBody) error { return b.Close() }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &reqBody{}
			b.Reset([]byte("{}"))
			if err := tc.read(b); err != nil {
				t.Fatal(err)
			}
			if got := b.seal(); got != tc.wantSealed {
				t.Fatalf("seal() = %v, want %v", got, tc.wantSealed)
			}
			if !tc.wantSealed {
				return
			}
			if n, err := b.Read(make([]byte, 8)); n != 0 || err == nil {
				t.Errorf("Read after seal = %d, %v; want 0 and an error", n, err)
			}
			if n, err := b.WriteTo(io.Discard); n != 0 || err == nil {
				t.Errorf("WriteTo after seal = %d, %v; want 0 and an error", n, err)
			}
		})
	}
}

// TestAPIErrorEarlierAttemptUnconfirmed: a refusal (4xx) that ends a retried call says
// whether an earlier attempt may have reached the service. A review found ship counting
// such a batch as certainly not stored after a first attempt had been sent and cut off.
func TestAPIErrorEarlierAttemptUnconfirmed(t *testing.T) {
	reset := func(w http.ResponseWriter) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		_ = conn.(*net.TCPConn).SetLinger(0) // RST: the request was read, no answer comes
		conn.Close()
	}
	answer := func(w http.ResponseWriter, status int, code string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":"m"}`, code)
	}
	const invalid = "InvalidParameterException"
	for _, tc := range []struct {
		name  string
		first func(http.ResponseWriter) // the first attempt's answer; the second is a 400
		want  bool
	}{
		{"cut off, then refused", reset, true},
		{"503, then refused", func(w http.ResponseWriter) { answer(w, 503, "ServiceUnavailableException") }, true},
		{"throttled, then refused", func(w http.ResponseWriter) { answer(w, 400, "ThrottlingException") }, false},
		{"refused at once", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if calls.Add(1) == 1 && tc.first != nil {
					tc.first(w)
					return
				}
				answer(w, 400, invalid)
			}))
			defer srv.Close()
			c, err := New("us-east-1", "AKIDEXAMPLE", "secret", WithEndpoint(srv.URL),
				WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond}), WithMaxAttempts(3))
			if err != nil {
				t.Fatal(err)
			}
			err = c.CreateLogStream(context.Background(), &CreateLogStreamInput{LogGroupName: "g", LogStreamName: "s"})
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != invalid {
				t.Fatalf("error %v, want %s", err, invalid)
			}
			if ae.EarlierAttemptUnconfirmed != tc.want {
				t.Errorf("EarlierAttemptUnconfirmed = %v after %d attempts, want %v", ae.EarlierAttemptUnconfirmed, calls.Load(), tc.want)
			}
		})
	}
}

// TestCredentialsErrorAfterUnconfirmedAttempt: a retried call whose later attempt cannot
// get credentials says that an earlier attempt may have been acted on when one was sent
// and got no answer or a 5xx. It used to return the *CredentialsError, which ship takes
// for "nothing was sent", counting as Unsent a batch that may be stored.
func TestCredentialsErrorAfterUnconfirmedAttempt(t *testing.T) {
	for _, tc := range []struct {
		name string
		// first answers the first attempt; the second cannot get credentials.
		first           func(http.ResponseWriter)
		wantUnconfirmed bool
	}{
		{"cut off", func(w http.ResponseWriter) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			_ = conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}, true},
		{"503", func(w http.ResponseWriter) {
			w.WriteHeader(503)
			fmt.Fprint(w, `{"__type":"ServiceUnavailableException"}`)
		}, true},
		{"throttled", func(w http.ResponseWriter) {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"__type":"ThrottlingException"}`)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			now := time.Unix(1_700_000_000, 0)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				mu.Lock()
				now = now.Add(time.Hour) // the credentials expire: the next attempt refreshes them
				mu.Unlock()
				tc.first(w)
			}))
			defer srv.Close()
			var retrieved atomic.Int32
			provider := CredentialsProviderFunc(func(context.Context) (Credentials, error) {
				if retrieved.Add(1) > 1 {
					return Credentials{}, fmt.Errorf("%w: token expired", ErrNoCredentials)
				}
				return Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", Expires: clock().Add(30 * time.Minute)}, nil
			})
			c, err := New("us-east-1", "", "", WithEndpoint(srv.URL), WithCredentialsProvider(provider), WithClock(clock),
				WithRetryPolicy(RetryPolicy{MaxBackoff: time.Millisecond}), WithMaxAttempts(3))
			if err != nil {
				t.Fatal(err)
			}
			err = c.CreateLogStream(context.Background(), &CreateLogStreamInput{LogGroupName: "g", LogStreamName: "s"})
			if !errors.Is(err, ErrNoCredentials) {
				t.Fatalf("error %v, want one matching ErrNoCredentials", err)
			}
			if retrieved.Load() != 2 {
				t.Fatalf("provider called %d times, want 2", retrieved.Load())
			}
			var ce *CredentialsError
			var oe *OpError
			isCreds, isOp := errors.As(err, &ce), errors.As(err, &oe)
			if tc.wantUnconfirmed {
				if isCreds || !isOp || oe.NotSent || oe.Attempts != 2 || IsRetryable(err) {
					t.Errorf("error %v (%T): *CredentialsError %v, *OpError %v; want an *OpError of 2 attempts, NotSent false, not retryable",
						err, err, isCreds, isOp)
				}
				return
			}
			if !isCreds || isOp {
				t.Errorf("error %v (%T): *CredentialsError %v, *OpError %v; want a *CredentialsError", err, err, isCreds, isOp)
			}
		})
	}
}
