package localserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// probeBody is a request body that counts the bytes read from it. It serves src, or, when
// src is nil, spaces for ever.
type probeBody struct {
	src   io.Reader
	read  atomic.Int64
	first chan struct{} // closed at the first Read
	once  sync.Once
}

func newProbe(src io.Reader) *probeBody { return &probeBody{src: src, first: make(chan struct{})} }

func (p *probeBody) Read(b []byte) (int, error) {
	p.once.Do(func() { close(p.first) })
	if p.src == nil {
		for i := range b {
			b[i] = ' '
		}
		p.read.Add(int64(len(b)))
		return len(b), nil
	}
	n, err := p.src.Read(b)
	p.read.Add(int64(n))
	return n, err
}

func (p *probeBody) Close() error { return nil }

// gate is a reader that serves head, then blocks until open is closed, then serves tail.
type gate struct {
	head, tail io.Reader
	open       chan struct{}
}

func (g *gate) Read(b []byte) (int, error) {
	if n, err := g.head.Read(b); n > 0 || err != io.EOF {
		return n, err
	}
	<-g.open
	return g.tail.Read(b)
}

// TestRefusedBeforeBodyRead: a request that its headers (or presigned query) show to be
// unauthenticated is refused without a byte of its body being read, with the answer it
// always had. The server read up to MaxRequestBytes (8 MiB) of any request's body before
// checking anything, so anyone could make it read and hold 8 MiB per request.
func TestRefusedBeforeBodyRead(t *testing.T) {
	const token = "session-token-for-the-probe"
	verifying := newTestServer(t, Config{
		Credentials:          map[string]string{testCreds.AccessKeyID: testCreds.SecretAccessKey},
		TemporaryCredentials: TemporaryCredentials{"ASIAPROBE": {SecretAccessKey: "temp-secret", SessionToken: token}},
		Region:               "us-east-1",
	})
	open := newTestServer(t, Config{})
	body := []byte("{}")
	signed := func(c sigv4.Credentials, region, service string, at time.Time) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "http://logs.local/", nil)
		r.Header.Set("Content-Type", contentTypeJSON)
		r.Header.Set("X-Amz-Target", targetPrefix+"DescribeLogGroups")
		if err := testSigner.SignHTTP(r, c, sigv4.HashHex(body), service, region, at); err != nil {
			t.Fatal(err)
		}
		return r
	}
	valid := func() *http.Request { return signed(testCreds, "us-east-1", "logs", testNow) }
	tests := []struct {
		name string
		s    *Server
		req  func() *http.Request
		code string
	}{
		{"no Authorization", verifying, func() *http.Request { r := valid(); r.Header.Del("Authorization"); return r }, codeMissingAuthentication},
		{"no Authorization, any-signature mode", open, func() *http.Request { r := valid(); r.Header.Del("Authorization"); return r }, codeMissingAuthentication},
		{"malformed Authorization", verifying, func() *http.Request {
			r := valid()
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential")
			return r
		}, sigv4.CodeIncompleteSignature},
		{"unknown key", verifying, func() *http.Request {
			return signed(sigv4.Credentials{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}, "us-east-1", "logs", testNow)
		}, sigv4.CodeUnrecognizedClient},
		{"temporary key without its token", verifying, func() *http.Request {
			return signed(sigv4.Credentials{AccessKeyID: "ASIAPROBE", SecretAccessKey: "temp-secret"}, "us-east-1", "logs", testNow)
		}, sigv4.CodeUnrecognizedClient},
		{"other region", verifying, func() *http.Request { return signed(testCreds, "eu-west-1", "logs", testNow) }, sigv4.CodeInvalidSignature},
		{"other service", verifying, func() *http.Request { return signed(testCreds, "us-east-1", "s3", testNow) }, sigv4.CodeInvalidSignature},
		{"expired", verifying, func() *http.Request { return signed(testCreds, "us-east-1", "logs", testNow.Add(-time.Hour)) }, sigv4.CodeInvalidSignature},
		{"expired, any-signature mode", open, func() *http.Request { return signed(testCreds, "us-east-1", "logs", testNow.Add(-time.Hour)) }, sigv4.CodeInvalidSignature},
		{"presigned by an unknown key", verifying, func() *http.Request {
			return presigned(t, body, sigv4.Credentials{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}, testNow)
		}, sigv4.CodeUnrecognizedClient},
	}
	for _, tc := range tests {
		for _, length := range []int64{-1, 8 << 20} {
			t.Run(fmt.Sprintf("%s, Content-Length %d", tc.name, length), func(t *testing.T) {
				r := tc.req()
				// What Verify says of the request with its whole body: the answer must not change.
				_, want := tc.s.verifier.Verify(r, body)
				var wantVE *sigv4.VerifyError
				if !errors.As(want, &wantVE) || wantVE.Code != tc.code {
					t.Fatalf("test set-up: Verify says %v, want %s", want, tc.code)
				}
				probe := newProbe(nil)
				r.Body, r.ContentLength = probe, length
				res := do(t, tc.s, r)
				if res.status != http.StatusBadRequest || res.errType() != wantVE.Code || res.message() != wantVE.Message {
					t.Errorf("got %d %s, want 400 %s %q", res.status, res.raw, wantVE.Code, wantVE.Message)
				}
				if n := probe.read.Load(); n != 0 {
					t.Errorf("%d bytes of the body read", n)
				}
				if res.header.Get("Connection") != "close" {
					t.Errorf("Connection %q, want close: the unread body must not be read to keep the connection", res.header.Get("Connection"))
				}
			})
		}
	}
	// The probe counts: a request refused for its body (a signature over another body)
	// is read.
	r := valid()
	probe := newProbe(strings.NewReader(`{"limit":1}`))
	r.Body, r.ContentLength = probe, 11
	if res := do(t, verifying, r); res.errType() != sigv4.CodeInvalidSignature || probe.read.Load() != 11 {
		t.Errorf("tampered body: %d %s, %d bytes read", res.status, res.raw, probe.read.Load())
	}
}

// TestEndlessUnauthenticatedBodyAnswered: over the network, a request without a valid
// signature whose body never ends, or is announced huge and sent slowly, is answered while
// its client is still blocked sending the body. The server read such a body until the
// read timeout (1 minute) before answering.
func TestEndlessUnauthenticatedBodyAnswered(t *testing.T) {
	s := newTestServer(t, Config{Credentials: map[string]string{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	for _, length := range []int64{-1, 8 << 20} {
		t.Run(fmt.Sprintf("Content-Length %d", length), func(t *testing.T) {
			res, raw, written := sendStalledBody(t, http.DefaultClient, s, http.MethodPost, length, "AKIDNOBODY", 20*time.Second)
			if res.StatusCode != 400 || res.Header.Get("X-Amzn-Errortype") != sigv4.CodeUnrecognizedClient {
				t.Errorf("got %d %s", res.StatusCode, raw)
			}
			if written > 1024 {
				t.Errorf("client wrote %d bytes", written)
			}
		})
	}
}

// TestByteBudget: the in-flight byte budget never grants more than its size, serves its
// waiters in arrival order (a large one is not overtaken), gives nothing to a waiter whose
// context ends, and lets the line move on when that waiter was at its head.
func TestByteBudget(t *testing.T) {
	ctx := context.Background()
	t.Run("order", func(t *testing.T) {
		b := newByteBudget(100)
		if err := b.acquire(ctx, 60); err != nil {
			t.Fatal(err)
		}
		granted := make(chan int64, 2)
		for i, n := range []int64{80, 30} { // 30 would fit now, but 80 came first
			go func() {
				if err := b.acquire(ctx, n); err != nil {
					t.Error(err)
				}
				granted <- n
			}()
			waitFor(t, func() bool { return b.waiting() == i+1 })
		}
		b.release(60) // 80 fits now; 30 does not fit beside it
		if n := <-granted; n != 80 {
			t.Fatalf("granted %d first, want 80", n)
		}
		if w := b.waiting(); w != 1 {
			t.Fatalf("%d waiting after 80 was granted, want 1 (30 does not fit beside it)", w)
		}
		b.release(80)
		if n := <-granted; n != 30 {
			t.Fatalf("granted %d second, want 30", n)
		}
		b.release(30)
		if b.used != 0 {
			t.Errorf("used %d after every release", b.used)
		}
	})
	t.Run("cancelled head of the line", func(t *testing.T) {
		b := newByteBudget(100)
		b.acquire(ctx, 50)
		cctx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() { errc <- b.acquire(cctx, 100) }()
		waitFor(t, func() bool { return b.waiting() == 1 })
		small := make(chan error, 1)
		go func() { small <- b.acquire(ctx, 10) }() // behind the large one
		waitFor(t, func() bool { return b.waiting() == 2 })
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled waiter: %v", err)
		}
		if err := <-small; err != nil {
			t.Errorf("small waiter: %v", err)
		}
		if b.used != 60 || b.waiting() != 0 {
			t.Errorf("used %d, %d waiting; want 60, 0", b.used, b.waiting())
		}
	})
	t.Run("clamped", func(t *testing.T) {
		b := newByteBudget(100)
		if err := b.acquire(ctx, 1<<40); err != nil { // more than the whole budget: all of it
			t.Fatal(err)
		}
		if b.used != 100 {
			t.Errorf("used %d", b.used)
		}
		b.release(1 << 40)
		if b.used != 0 {
			t.Errorf("used %d after release", b.used)
		}
	})
	t.Run("never over", func(t *testing.T) {
		b := newByteBudget(1000)
		var inUse, peak atomic.Int64
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 50 {
					n := int64((i*37+j*101)%400 + 1)
					cctx, cancel := context.WithCancel(ctx)
					if j%7 == 0 {
						cancel() // some give up at once
					}
					if err := b.acquire(cctx, n); err != nil {
						cancel()
						continue
					}
					cancel()
					cur := inUse.Add(n)
					for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
					}
					inUse.Add(-n)
					b.release(n)
				}
			}()
		}
		wg.Wait()
		if p := peak.Load(); p > 1000 {
			t.Errorf("%d bytes granted at once, budget 1000", p)
		}
		if b.used != 0 || b.waiting() != 0 {
			t.Errorf("used %d, %d waiting at the end", b.used, b.waiting())
		}
	})
}

// waitFor polls cond until it holds (a state another goroutine reaches), failing the
// test after 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestInFlightBytesBounded: requests whose bodies would take the server past
// Config.MaxInFlightBytes wait, without their bodies being read, until earlier requests
// are answered; one whose client goes away meanwhile is answered 503 unread. The server
// read every request's body at once: many concurrent clients could make it hold 8 MiB
// each.
func TestInFlightBytesBounded(t *testing.T) {
	// Bodies above the 64 KiB every request counts at least, so that their Content-Length
	// is what counts: with a budget of 1,000 bytes, any request took it all.
	s := newTestServer(t, Config{MaxInFlightBytes: 300_000, Credentials: map[string]string{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
	if s.budget == nil || s.budget.size != 300_000 {
		t.Fatalf("MaxInFlightBytes 300,000: budget %+v", s.budget)
	}
	body := []byte(`{"limit":1}` + strings.Repeat(" ", 199_989)) // 200,000 bytes
	serve := func(r *http.Request) chan *response {
		c := make(chan *response, 1)
		go func() {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			res := w.Result()
			raw, _ := io.ReadAll(res.Body)
			c <- &response{status: res.StatusCode, header: res.Header, raw: raw}
		}()
		return c
	}
	// A holds 200,000 bytes while its body stalls.
	g := &gate{head: bytes.NewReader(body[:100]), tail: bytes.NewReader(body[100:]), open: make(chan struct{})}
	a := signedRequest(t, "http://logs.local/", "DescribeLogGroups", body, testCreds, testNow)
	probeA := newProbe(g)
	a.Body = probeA
	resA := serve(a)
	<-probeA.first
	// B needs 200,000 more: it waits, unread.
	b := signedRequest(t, "http://logs.local/", "DescribeLogGroups", body, testCreds, testNow)
	probeB := newProbe(bytes.NewReader(body))
	b.Body = probeB
	resB := serve(b)
	waitFor(t, func() bool { return s.budget.waiting() == 1 })
	// C waits behind B, and its client goes away.
	cctx, cancel := context.WithCancel(context.Background())
	c := signedRequest(t, "http://logs.local/", "DescribeLogGroups", []byte("{}"), testCreds, testNow).WithContext(cctx)
	probeC := newProbe(strings.NewReader("{}"))
	c.Body = probeC
	resC := serve(c)
	waitFor(t, func() bool { return s.budget.waiting() == 2 })
	cancel()
	if r := <-resC; r.status != http.StatusServiceUnavailable || r.header.Get("X-Amzn-Errortype") != codeServiceUnavailable || probeC.read.Load() != 0 {
		t.Errorf("abandoned request: %d %s, %d bytes read", r.status, r.raw, probeC.read.Load())
	}
	if n := probeB.read.Load(); n != 0 {
		t.Errorf("waiting request: %d bytes of its body read", n)
	}
	close(g.open)
	for name, c := range map[string]chan *response{"A": resA, "B": resB} {
		if r := <-c; r.status != 200 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if s.budget.used != 0 || s.budget.waiting() != 0 {
		t.Errorf("budget: %d used, %d waiting after every answer", s.budget.used, s.budget.waiting())
	}

	// A gzip body counts MaxRequestBytes more, within the budget: it is served alone.
	z := gzipped(t, []byte("{}"))
	r := signedRequest(t, "http://logs.local/", "DescribeLogGroups", z, testCreds, testNow)
	r.Header.Set("Content-Encoding", "gzip")
	if res := do(t, s, r); res.status != 200 {
		t.Errorf("gzip request: %d %s", res.status, res.raw)
	}

	// Without a bound (negative), nothing is counted.
	if u := newTestServer(t, Config{MaxInFlightBytes: -1}); u.budget != nil {
		t.Error("MaxInFlightBytes -1: a budget")
	}
	if d := newTestServer(t, Config{}); d.budget == nil || d.budget.size != DefaultMaxInFlightBytes {
		t.Errorf("default budget %+v", d.budget)
	}
}

// TestListenerLimits: Start's listener drops a client that trickles its headers
// (ReadHeaderTimeout), closes idle kept-alive connections (IdleTimeout) and refuses
// oversized headers (431). Idle connections were closed only after the whole-request
// timeout (1 minute), and headers of up to 1 MiB were read.
func TestListenerLimits(t *testing.T) {
	defer func(h, i time.Duration) { requestHeaderTimeout, idleTimeout = h, i }(requestHeaderTimeout, idleTimeout)
	requestHeaderTimeout, idleTimeout = 100*time.Millisecond, 100*time.Millisecond
	s := newTestServer(t, Config{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(s.URL(), "http://")
	// closed reports whether the server closes conn (within 10 s).
	closed := func(conn net.Conn) (string, bool) {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(conn)
		return string(got), err == nil
	}
	t.Run("slow headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\n") // and never the end of the headers
		if got, ok := closed(conn); !ok || got != "" {
			t.Errorf("connection not closed, or answered %q", got)
		}
	})
	t.Run("idle", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
		got, ok := closed(conn)
		if !ok || !strings.HasPrefix(got, "HTTP/1.1 200 OK") || strings.Contains(got, "Connection: close") {
			t.Errorf("kept-alive connection not closed when idle; read %q", got)
		}
	})
	t.Run("header size", func(t *testing.T) {
		for _, tc := range []struct {
			size int
			want int
		}{{8 << 10, http.StatusBadRequest}, {200 << 10, http.StatusRequestHeaderFieldsTooLarge}} {
			r, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader("{}"))
			r.Header.Set("X-Padding", strings.Repeat("a", tc.size))
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("%d KiB header: %d, want %d", tc.size>>10, res.StatusCode, tc.want)
			}
		}
	})
}

// TestTemporaryCredentialsNeedTheirToken: a key of Config.TemporaryCredentials is served
// only with its session token, whether signed in a header or presigned; a missing or other
// token is refused as AWS refuses it. Keys of Config.Credentials keep being accepted with
// any token. The server accepted a temporary key with any token or none.
func TestTemporaryCredentialsNeedTheirToken(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEXAMPLE/temporary+token=="
	temp := sigv4.Credentials{AccessKeyID: "ASIATEMPEXAMPLE", SecretAccessKey: "temp-secret-key", SessionToken: token}
	var logs bytes.Buffer
	s := newTestServer(t, Config{
		Credentials:          map[string]string{testCreds.AccessKeyID: testCreds.SecretAccessKey},
		TemporaryCredentials: TemporaryCredentials{temp.AccessKeyID: {SecretAccessKey: temp.SecretAccessKey, SessionToken: token}},
		Logger:               slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	with := func(c sigv4.Credentials, tok string) sigv4.Credentials { c.SessionToken = tok; return c }
	const invalid = "The security token included in the request is invalid."
	for _, tc := range []struct {
		name string
		r    *http.Request
		code string // "" for 200
	}{
		{"temporary key with its token", signedRequest(t, "http://logs.local/", "DescribeLogGroups", []byte("{}"), temp, testNow), ""},
		{"temporary key without a token", signedRequest(t, "http://logs.local/", "DescribeLogGroups", []byte("{}"), with(temp, ""), testNow), sigv4.CodeUnrecognizedClient},
		{"temporary key with another token", signedRequest(t, "http://logs.local/", "DescribeLogGroups", []byte("{}"), with(temp, token+"x"), testNow), sigv4.CodeUnrecognizedClient},
		{"presigned with its token", presigned(t, []byte("{}"), temp, testNow), ""},
		{"presigned without a token", presigned(t, []byte("{}"), with(temp, ""), testNow), sigv4.CodeUnrecognizedClient},
		{"presigned with another token", presigned(t, []byte("{}"), with(temp, "other"), testNow), sigv4.CodeUnrecognizedClient},
		{"long-term key with a token", signedRequest(t, "http://logs.local/", "DescribeLogGroups", []byte("{}"), with(testCreds, "whatever"), testNow), ""},
		{"long-term key without one", signedRequest(t, "http://logs.local/", "DescribeLogGroups", []byte("{}"), testCreds, testNow), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := do(t, s, tc.r)
			switch {
			case tc.code == "" && res.status != 200:
				t.Errorf("%d %s, want 200", res.status, res.raw)
			case tc.code != "" && (res.status != 400 || res.errType() != tc.code || res.message() != invalid):
				t.Errorf("%d %s, want 400 %s %q", res.status, res.raw, tc.code, invalid)
			}
			if strings.Contains(string(res.raw), token[:12]) {
				t.Errorf("the token is in the answer: %s", res.raw)
			}
		})
	}
	if logs.Len() == 0 {
		t.Fatal("nothing logged; the check below would prove nothing")
	}
	for _, secret := range []string{token[:12], temp.SecretAccessKey} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("%q is in the log:\n%s", secret, logs.String())
		}
	}
}

// TestTemporaryCredentialsConfig: New refuses incomplete temporary credentials, naming the
// field and the key but not the secret or token; the credentials print without them, with
// fmt and with slog's handlers.
func TestTemporaryCredentialsConfig(t *testing.T) {
	const secret, token = "s3cr3t-value", "t0k3n-value"
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"empty key", Config{TemporaryCredentials: TemporaryCredentials{"": {secret, token}}}, "Config.TemporaryCredentials: empty access key ID"},
		{"empty secret", Config{TemporaryCredentials: TemporaryCredentials{"ASIA1": {"", token}}}, `Config.TemporaryCredentials: empty secret access key for "ASIA1"`},
		{"empty token", Config{TemporaryCredentials: TemporaryCredentials{"ASIA1": {secret, ""}}}, `Config.TemporaryCredentials: empty session token for "ASIA1"`},
		{"in both", Config{Credentials: Secrets{"AKID1": secret}, TemporaryCredentials: TemporaryCredentials{"AKID1": {secret, token}}},
			`access key ID "AKID1" is in both Config.Credentials and Config.TemporaryCredentials`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Memory = true
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), token) {
				t.Fatalf("a secret is in the error: %v", err)
			}
		})
	}
	cfg := Config{Memory: true, Credentials: Secrets{"AKID1": secret}, TemporaryCredentials: TemporaryCredentials{"ASIA1": {secret, token}}}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		fmt.Fprintf(&out, verb+"\n", cfg)
		fmt.Fprintf(&out, verb+"\n", cfg.TemporaryCredentials["ASIA1"])
	}
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		slog.New(h).Info("config", "creds", cfg.Credentials, "temp", cfg.TemporaryCredentials, "one", cfg.TemporaryCredentials["ASIA1"], "cfg", cfg)
	}
	if strings.Contains(out.String(), secret) || strings.Contains(out.String(), token) {
		t.Errorf("a secret is printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "localserver.TemporaryCredentials{1 keys}") {
		t.Errorf("printed:\n%s", out.String())
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	if p := fmt.Sprintf("%+v", s); strings.Contains(p, secret) || strings.Contains(p, token) {
		t.Errorf("a secret is in %%+v of the Server")
	}
}
