package localserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdBudget serves, through s.ServeHTTP directly (no read deadline), a signed request of
// size body bytes whose body stalls after its first bytes until the returned release is
// called; it returns once the request holds its bytes of the budget. release waits for
// the answer and reports its status.
func holdBudget(t *testing.T, s *Server, size int) (release func() int) {
	t.Helper()
	body := []byte(`{"limit":1}` + strings.Repeat(" ", size-len(`{"limit":1}`)))
	g := &gate{head: bytes.NewReader(body[:10]), tail: bytes.NewReader(body[10:]), open: make(chan struct{})}
	r := signedRequest(t, "http://logs.local/", "DescribeLogGroups", body, testCreds, testNow)
	p := newProbe(g)
	r.Body = p
	done := make(chan int, 1)
	go func() {
		w := newRecorder()
		s.ServeHTTP(w, r)
		done <- w.status
	}()
	<-p.first
	var once sync.Once
	status := 0
	return func() int {
		once.Do(func() { close(g.open); status = <-done })
		return status
	}
}

// startBudgetHeld starts a verifying server with 100,000 in-flight bytes, 90,000 of which
// a request (see holdBudget) holds until release is called.
func startBudgetHeld(t *testing.T) (s *Server, release func() int) {
	t.Helper()
	s = newTestServer(t, Config{MaxInFlightBytes: 100_000, Credentials: Secrets{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	return s, holdBudget(t, s, 90_000)
}

// recorder is a minimal concurrent-safe ResponseWriter keeping the status.
type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{h: http.Header{}} }

func (r *recorder) Header() http.Header { return r.h }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return r.body.Write(b)
}

// TestBudgetWaitKeepsBodyTime: a request that waited for in-flight bytes still has the
// listener's whole ReadTimeout to send its body, counted from when it may. The read
// deadline was set when its headers arrived, so a request that waited longer than
// ReadTimeout had its (promptly sent) body cut off: 400 SerializationException, which
// SDKs do not retry.
func TestBudgetWaitKeepsBodyTime(t *testing.T) {
	defer func(d time.Duration) { requestReadTimeout = d }(requestReadTimeout)
	requestReadTimeout = 500 * time.Millisecond
	s, release := startBudgetHeld(t)
	// B's 20,000 bytes do not fit beside A's 90,000; they are more than the server's
	// read buffer holds with the headers, so the server reads them from the connection.
	body := []byte(`{"limit":1}` + strings.Repeat(" ", 20_000))
	b := signedRequest(t, s.URL()+"/", "DescribeLogGroups", body, testCreds, testNow)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	type answer struct {
		status int
		body   string
		err    error
	}
	resB := make(chan answer, 1)
	go func() {
		res, err := client.Do(b)
		if err != nil {
			resB <- answer{err: err}
			return
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		resB <- answer{status: res.StatusCode, body: string(raw)}
	}()
	waitFor(t, func() bool { return s.budget.waiting() == 1 })
	time.Sleep(2 * requestReadTimeout) // B waits longer than ReadTimeout
	if st := release(); st != 200 {
		t.Errorf("A: %d", st)
	}
	if a := <-resB; a.err != nil || a.status != 200 {
		t.Errorf("B, which waited: %d %s %v; want 200", a.status, a.body, a.err)
	}
	waitFor(t, func() bool { return s.budget.inUse() == 0 })
}

// TestBudgetWaitBounded: a request waits for in-flight bytes at most budgetWaitTimeout,
// then is answered 503 ServiceUnavailableException (which SDKs retry) unread, with
// Connection: close; a waiter whose client has gone is thus dropped too. net/http does not
// notice a client going away while its request's body is unread, so such a waiter stayed
// in line (and its goroutine and connection with it) until the line reached it.
func TestBudgetWaitBounded(t *testing.T) {
	defer func(d time.Duration) { budgetWaitTimeout = d }(budgetWaitTimeout)
	budgetWaitTimeout = 300 * time.Millisecond
	s, release := startBudgetHeld(t)
	defer release()
	body := []byte(`{"limit":1}` + strings.Repeat(" ", 20_000))
	addr := strings.TrimPrefix(s.URL(), "http://")

	// A client that sends a request and goes away while it waits.
	gone, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := signedRequest(t, s.URL()+"/", "DescribeLogGroups", body, testCreds, testNow).Write(gone); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.budget.waiting() == 1 })
	gone.Close()

	// A client that stays: answered 503 once it has waited budgetWaitTimeout.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := signedRequest(t, s.URL()+"/", "DescribeLogGroups", body, testCreds, testNow)
	if err := r.Write(conn); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), r)
	if err != nil {
		t.Fatalf("no answer while waiting: %v", err)
	}
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("X-Amzn-Errortype") != codeServiceUnavailable || !res.Close {
		t.Errorf("waiting request: %d %v %s, close %v; want 503 %s and Connection: close", res.StatusCode, res.Header, raw, res.Close, codeServiceUnavailable)
	}
	deadline := time.Now().Add(3 * time.Second)
	for s.budget.waiting() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := s.budget.waiting(); n != 0 {
		t.Errorf("%d requests still waiting after their clients went away", n)
	}
	if st := release(); st != 200 {
		t.Errorf("holder: %d", st)
	}
	if n := s.budget.inUse(); n != 0 {
		t.Errorf("used %d at the end", n)
	}
}

// TestBudgetCountsBodyBuffers: a request holds at least the body buffer it reads into
// (bodyBufSize) of the in-flight budget, whatever its Content-Length, and is given no
// pooled buffer much larger than what it holds. A tiny request counted its few bytes while
// holding a 64 KiB buffer (or a pooled one of megabytes): many tiny requests whose bodies
// stall could hold any amount of memory within a budget they barely touched.
func TestBudgetCountsBodyBuffers(t *testing.T) {
	s := newTestServer(t, Config{MaxInFlightBytes: 2 * bodyBufSize, Credentials: Secrets{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
	var releases []func() int
	for range 2 {
		releases = append(releases, holdBudget(t, s, 100))
	}
	// A third tiny request would take a third buffer: it waits, unread.
	r := signedRequest(t, "http://logs.local/", "DescribeLogGroups", []byte("{}"), testCreds, testNow)
	p := newProbe(strings.NewReader("{}"))
	r.Body = p
	third := make(chan *response, 1)
	go func() { third <- do(t, s, r) }()
	deadline := time.Now().Add(3 * time.Second)
	for s.budget.waiting() == 0 && time.Now().Before(deadline) {
		select {
		case <-p.first:
			deadline = time.Time{}
		default:
			time.Sleep(time.Millisecond)
		}
	}
	if s.budget.waiting() != 1 || p.read.Load() != 0 {
		t.Errorf("a third tiny request read its body (%d bytes) beside two holding %d bytes each, budget %d", p.read.Load(), bodyBufSize, s.budget.size)
	}
	for _, rel := range releases {
		if st := rel(); st != 200 {
			t.Errorf("holder: %d", st)
		}
	}
	if res := <-third; res.status != 200 {
		t.Errorf("third: %d %s", res.status, res.raw)
	}
	if n := s.budget.inUse(); n != 0 {
		t.Errorf("used %d at the end", n)
	}

	// A pooled buffer much larger than a request's share is not given to it.
	for range 20 {
		big := make([]byte, 0, 8<<20)
		s.putBody(&big)
		for _, n := range []int64{2, bodyBufSize, 200 << 10} {
			bp := s.getBody(n)
			if c := int64(cap(*bp)); c > max(2*n, bodyBufSize) {
				t.Fatalf("a request counting %d bytes got a buffer of %d", n, c)
			}
			s.putBody(bp)
		}
	}
}

// panicBody panics when read.
type panicBody struct{}

func (panicBody) Read([]byte) (int, error) { panic("body read panics") }
func (panicBody) Close() error             { return nil }

// errBody serves n spaces, then fails.
type errBody struct{ n int }

func (e *errBody) Read(b []byte) (int, error) {
	if e.n == 0 {
		return 0, errors.New("connection reset")
	}
	k := min(len(b), e.n)
	for i := range k {
		b[i] = ' '
	}
	e.n -= k
	return k, nil
}
func (e *errBody) Close() error { return nil }

// TestBudgetHammer: many concurrent requests of every kind (small and large, gzip and
// broken gzip, bodies that fail or panic midway, clients that give up while waiting,
// unauthenticated ones) never take the server past its budget, and every byte is given
// back: nothing is used and nobody waits once all are answered.
func TestBudgetHammer(t *testing.T) {
	const budget = 300_000
	s := newTestServer(t, Config{MaxInFlightBytes: budget, MaxRequestBytes: 200_000,
		Credentials: Secrets{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
	good := gzipped(t, []byte(`{"limit":1}`))
	var wg sync.WaitGroup
	var peakMu sync.Mutex
	peak := int64(0)
	for g := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for i := range 40 {
				kind := rng.IntN(8)
				body := []byte(`{"limit":1}` + strings.Repeat(" ", rng.IntN(150_000)))
				creds := testCreds
				if kind == 7 {
					creds.SecretAccessKey = "wrong"
				}
				r := signedRequest(t, "http://logs.local/", "DescribeLogGroups", body, creds, testNow)
				ctx, cancel := context.WithCancel(context.Background())
				switch kind {
				case 1:
					r = signedRequest(t, "http://logs.local/", "DescribeLogGroups", good, testCreds, testNow)
					r.Header.Set("Content-Encoding", "gzip")
				case 2:
					r.Header.Set("Content-Encoding", "gzip") // not gzip: signed, then refused
				case 3:
					r.Body = &errBody{n: len(body) / 2}
				case 4:
					r.Body = panicBody{}
				case 5:
					time.AfterFunc(time.Duration(rng.IntN(2000))*time.Microsecond, cancel)
				case 6:
					r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), -1 // chunked
					r.Header.Del("Content-Length")
				}
				r = r.WithContext(ctx)
				func() {
					defer func() {
						if p := recover(); p != nil && kind != 4 {
							t.Errorf("kind %d: panic %v", kind, p)
						}
					}()
					w := newRecorder()
					s.ServeHTTP(w, r)
					if kind == 0 && w.status != 200 {
						t.Errorf("request %d/%d: %d %s", g, i, w.status, w.body.String())
					}
				}()
				cancel()
				used := s.budget.inUse()
				peakMu.Lock()
				peak = max(peak, used)
				peakMu.Unlock()
			}
		}()
	}
	wg.Wait()
	if peak > budget {
		t.Errorf("%d bytes in flight, budget %d", peak, budget)
	}
	if n := s.budget.inUse(); n != 0 || s.budget.waiting() != 0 {
		t.Errorf("used %d, %d waiting after every answer", n, s.budget.waiting())
	}
}

// TestBudgetHammerOverTheWire: clients that hang up at every stage (after the headers,
// midway through the body, while waiting) over real connections leave nothing held.
func TestBudgetHammerOverTheWire(t *testing.T) {
	defer func(d, w time.Duration) { requestReadTimeout, budgetWaitTimeout = d, w }(requestReadTimeout, budgetWaitTimeout)
	requestReadTimeout, budgetWaitTimeout = time.Second, 500*time.Millisecond
	s := newTestServer(t, Config{MaxInFlightBytes: 200_000, Credentials: Secrets{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(s.URL(), "http://")
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 11))
			for range 10 {
				body := []byte(`{"limit":1}` + strings.Repeat(" ", 10_000+rng.IntN(90_000)))
				r := signedRequest(t, s.URL()+"/", "DescribeLogGroups", body, testCreds, testNow)
				var buf bytes.Buffer
				r.Write(&buf)
				raw := buf.Bytes()
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				switch rng.IntN(3) {
				case 0: // whole request, read the answer
					conn.Write(raw)
					conn.SetReadDeadline(time.Now().Add(10 * time.Second))
					if res, err := http.ReadResponse(bufio.NewReader(conn), r); err != nil {
						t.Errorf("no answer: %v", err)
					} else if res.StatusCode != 200 && res.StatusCode != 503 {
						b, _ := io.ReadAll(res.Body)
						t.Errorf("answer %d %s", res.StatusCode, b)
					}
				case 1: // part of the body, then gone
					conn.Write(raw[:len(raw)-len(body)/2])
				case 2: // the headers only, then gone after a while
					conn.Write(raw[:len(raw)-len(body)])
					time.Sleep(time.Duration(rng.IntN(50)) * time.Millisecond)
				}
				conn.Close()
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for (s.budget.inUse() != 0 || s.budget.waiting() != 0) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	s.budget.mu.Lock()
	used, waiting := s.budget.used, len(s.budget.waiters)
	s.budget.mu.Unlock()
	if used != 0 || waiting != 0 {
		t.Errorf("used %d, %d waiting once every client has gone", used, waiting)
	}
}

// TestByteBudgetMaxWait: a waiter that has waited maxWait leaves the line with
// errBudgetWait, having taken nothing, and the bytes it waited for are free for the next.
func TestByteBudgetMaxWait(t *testing.T) {
	b := newByteBudget(100)
	b.maxWait = 50 * time.Millisecond
	ctx := context.Background()
	if waited, err := b.acquireWait(ctx, 50); waited || err != nil {
		t.Fatalf("free bytes: waited %v, %v", waited, err)
	}
	if waited, err := b.acquireWait(ctx, 100); !waited || !errors.Is(err, errBudgetWait) {
		t.Errorf("bytes not free: waited %v, %v; want errBudgetWait", waited, err)
	}
	if b.inUse() != 50 || b.waiting() != 0 {
		t.Errorf("used %d, %d waiting; want 50, 0", b.inUse(), b.waiting())
	}
	if waited, err := b.acquireWait(ctx, 50); waited || err != nil {
		t.Errorf("the other half: waited %v, %v", waited, err)
	}
}

// TestBudgetSmallerThanRequests: with MaxInFlightBytes below what single requests count
// (bodies over it, gzip bodies counting MaxRequestBytes more), concurrent requests are
// served one at a time, never deadlocked, and give every byte back.
func TestBudgetSmallerThanRequests(t *testing.T) {
	s := newTestServer(t, Config{MaxInFlightBytes: 100_000, MaxRequestBytes: 1 << 20,
		Credentials: Secrets{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
	big := []byte(`{"limit":1}` + strings.Repeat(" ", 150_000))
	z := gzipped(t, big)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r *http.Request
			if i%2 == 0 {
				r = signedRequest(t, "http://logs.local/", "DescribeLogGroups", big, testCreds, testNow)
			} else {
				r = signedRequest(t, "http://logs.local/", "DescribeLogGroups", z, testCreds, testNow)
				r.Header.Set("Content-Encoding", "gzip")
			}
			w := newRecorder()
			s.ServeHTTP(w, r)
			if w.status != 200 {
				t.Errorf("request %d: %d %s", i, w.status, w.body.String())
			}
		}()
	}
	wg.Wait()
	if n := s.budget.inUse(); n != 0 || s.budget.waiting() != 0 {
		t.Errorf("used %d, %d waiting at the end", n, s.budget.waiting())
	}
}
