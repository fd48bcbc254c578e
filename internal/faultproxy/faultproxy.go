// Package faultproxy is a test helper: a reverse proxy, usable as an
// http.Handler behind httptest.NewServer, that sits in front of any HTTP
// endpoint and injects faults by schedule or by probability: 5xx answers,
// ThrottlingException answers, connection resets, answers slower than the
// client's timeout, and answers lost after the upstream handled the request.
// Every injection is counted, and the bodies of requests whose answer was
// lost after forwarding are kept, so a test can tell expected duplicates from
// bugs.
package faultproxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Fault is a kind of injected failure.
type Fault int

const (
	// None forwards the request and returns the upstream's answer.
	None Fault = iota
	// ServerError answers HTTP 500 ServiceUnavailableException without
	// forwarding.
	ServerError
	// Throttle answers HTTP 400 ThrottlingException without forwarding.
	Throttle
	// Reset resets the connection (TCP RST) without forwarding.
	Reset
	// Slow holds the request for Config.SlowDelay before forwarding it; when
	// the client gives up first, the request is never forwarded.
	Slow
	// LostResponse forwards the request, waits for the upstream's answer,
	// then resets the connection: the upstream handled it, the client never
	// learns.
	LostResponse
)

// String returns the fault's name.
func (f Fault) String() string {
	switch f {
	case None:
		return "None"
	case ServerError:
		return "ServerError"
	case Throttle:
		return "Throttle"
	case Reset:
		return "Reset"
	case Slow:
		return "Slow"
	case LostResponse:
		return "LostResponse"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Config configures a Proxy. Zero values are documented per field.
type Config struct {
	// Upstream is the base URL requests are forwarded to (required).
	Upstream string
	// Probabilities of each fault per eligible request; their sum must not
	// exceed 1. Zero: never, unless scheduled.
	ServerError, Throttle, Reset, Slow, LostResponse float64
	// Schedule fixes the fault of the first len(Schedule) eligible requests;
	// later ones draw from the probabilities. Nil: probabilities only.
	Schedule []Fault
	// SlowDelay is how long a Slow request is held. 0: 30 s.
	SlowDelay time.Duration
	// Seed seeds the random draws. 0: 1.
	Seed uint64
	// Eligible selects the requests that may get a fault; the others are
	// forwarded untouched. Nil: every request.
	Eligible func(r *http.Request) bool
	// Transport forwards requests. Nil: a dedicated http.Transport.
	Transport http.RoundTripper
}

// Counts are the proxy's counters.
type Counts struct {
	Requests      int64 // requests received
	Forwarded     int64 // requests sent upstream
	ServerErrors  int64 // 5xx injected
	Throttles     int64 // ThrottlingException injected
	Resets        int64 // connections reset before forwarding
	Slow          int64 // requests held by Slow
	SlowForwarded int64 // Slow requests forwarded because the client still waited
	LostResponses int64 // answers lost after forwarding (injected)
	ClientGone    int64 // answers lost because the client left while upstream worked
	UpstreamErrs  int64 // upstream unreachable (answered 502)
}

// Injected returns the number of injected faults.
func (c Counts) Injected() int64 {
	return c.ServerErrors + c.Throttles + c.Resets + c.Slow + c.LostResponses
}

// Proxy is the fault-injecting reverse proxy. It is safe for concurrent use.
type Proxy struct {
	cfg      Config
	upstream *url.URL
	rt       http.RoundTripper

	mu       sync.Mutex
	rng      *rand.Rand
	eligible int
	counts   Counts
	lost     [][]byte
	disabled bool
}

// New returns a Proxy for cfg.
func New(cfg Config) (*Proxy, error) {
	u, err := url.Parse(cfg.Upstream)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("faultproxy: invalid Config.Upstream %q: want an absolute URL", cfg.Upstream)
	}
	for _, p := range []float64{cfg.ServerError, cfg.Throttle, cfg.Reset, cfg.Slow, cfg.LostResponse} {
		if p < 0 || p > 1 {
			return nil, fmt.Errorf("faultproxy: invalid probability %v: want 0–1", p)
		}
	}
	if sum := cfg.ServerError + cfg.Throttle + cfg.Reset + cfg.Slow + cfg.LostResponse; sum > 1 {
		return nil, fmt.Errorf("faultproxy: invalid probabilities: sum %v exceeds 1", sum)
	}
	if cfg.SlowDelay <= 0 {
		cfg.SlowDelay = 30 * time.Second
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	rt := cfg.Transport
	if rt == nil {
		rt = &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	}
	return &Proxy{cfg: cfg, upstream: u, rt: rt, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}, nil
}

// SetEnabled turns injection on (the default) or off; when off every request
// is forwarded untouched.
func (p *Proxy) SetEnabled(on bool) {
	p.mu.Lock()
	p.disabled = !on
	p.mu.Unlock()
}

// Counts returns a snapshot of the counters.
func (p *Proxy) Counts() Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts
}

// LostBodies returns the bodies of the requests the upstream handled but
// whose answer never reached the client (LostResponse and ClientGone).
func (p *Proxy) LostBodies() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.lost...)
}

// CloseIdleConnections closes the proxy's idle upstream connections.
func (p *Proxy) CloseIdleConnections() {
	if t, ok := p.rt.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

func (p *Proxy) pick(r *http.Request) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts.Requests++
	if p.disabled || (p.cfg.Eligible != nil && !p.cfg.Eligible(r)) {
		return None
	}
	i := p.eligible
	p.eligible++
	if i < len(p.cfg.Schedule) {
		return p.cfg.Schedule[i]
	}
	x := p.rng.Float64()
	for _, c := range []struct {
		p float64
		f Fault
	}{{p.cfg.ServerError, ServerError}, {p.cfg.Throttle, Throttle}, {p.cfg.Reset, Reset}, {p.cfg.Slow, Slow}, {p.cfg.LostResponse, LostResponse}} {
		if x < c.p {
			return c.f
		}
		x -= c.p
	}
	return None
}

func (p *Proxy) count(f func(*Counts)) {
	p.mu.Lock()
	f(&p.counts)
	p.mu.Unlock()
}

// ServeHTTP implements http.Handler.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the client went away while sending
	}
	switch f := p.pick(r); f {
	case ServerError:
		p.count(func(c *Counts) { c.ServerErrors++ })
		writeAWSError(w, http.StatusInternalServerError, "ServiceUnavailableException", "injected by faultproxy")
		return
	case Throttle:
		p.count(func(c *Counts) { c.Throttles++ })
		writeAWSError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		return
	case Reset:
		p.count(func(c *Counts) { c.Resets++ })
		reset(w)
		return
	case Slow:
		p.count(func(c *Counts) { c.Slow++ })
		t := time.NewTimer(p.cfg.SlowDelay)
		select {
		case <-t.C:
			p.count(func(c *Counts) { c.SlowForwarded++ })
		case <-r.Context().Done():
			t.Stop()
			return
		}
	case LostResponse:
		if _, _, err := p.forward(r, body); err != nil {
			writeAWSError(w, http.StatusBadGateway, "BadGateway", err.Error())
			return
		}
		p.count(func(c *Counts) { c.LostResponses++ })
		p.recordLost(body)
		reset(w)
		return
	}
	resp, respBody, err := p.forward(r, body)
	if err != nil {
		if r.Context().Err() == nil {
			writeAWSError(w, http.StatusBadGateway, "BadGateway", err.Error())
		}
		return
	}
	if r.Context().Err() != nil {
		// The upstream handled the request but the client is gone.
		p.count(func(c *Counts) { c.ClientGone++ })
		p.recordLost(body)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(respBody)
}

func (p *Proxy) recordLost(body []byte) {
	p.mu.Lock()
	p.lost = append(p.lost, body)
	p.mu.Unlock()
}

// forward sends the request upstream, keeping the Host header so that a
// SigV4 signature stays valid, and reads the whole answer. The upstream
// request is not tied to the client's context: once forwarded, it completes.
func (p *Proxy) forward(r *http.Request, body []byte) (*http.Response, []byte, error) {
	u := *p.upstream
	u.Path = strings.TrimSuffix(u.Path, "/") + r.URL.Path
	u.RawQuery = r.URL.RawQuery
	req, err := http.NewRequest(r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	req.Host = r.Host
	p.count(func(c *Counts) { c.Forwarded++ })
	resp, err := p.rt.RoundTrip(req)
	if err != nil {
		p.count(func(c *Counts) { c.UpstreamErrs++ })
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.count(func(c *Counts) { c.UpstreamErrs++ })
		return nil, nil, err
	}
	return resp, b, nil
}

func writeAWSError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "faultproxy")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
}

// reset closes the client connection with a TCP RST.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(errors.New("faultproxy: the server does not support hijacking (HTTP/2?)"))
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
