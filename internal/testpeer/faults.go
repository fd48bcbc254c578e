package testpeer

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
)

// Blackhole is a dialer for an address that drops every SYN: each dial waits until the
// test ends, long after the request gave up on it, then fails as a dial timeout would.
// (net/http detaches the dial from the request's context, so that ctx does not end it.)
type Blackhole struct {
	stop chan struct{}
	// Dialing receives a value as each dial starts (dropped when full).
	Dialing chan struct{}
}

// NewBlackhole returns a Blackhole whose dials end when t ends.
func NewBlackhole(t testing.TB) *Blackhole {
	b := &Blackhole{stop: make(chan struct{}), Dialing: make(chan struct{}, 1)}
	t.Cleanup(func() { close(b.stop) })
	return b
}

// Dial is an http.Transport DialContext that never connects.
func (b *Blackhole) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	select {
	case b.Dialing <- struct{}{}:
	default:
	}
	select {
	case <-b.stop:
	case <-ctx.Done():
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrDeadlineExceeded}
}

// Silent is a TCP server on loopback that reads each HTTP request whole, then either
// resets the connection or never answers until the test ends.
type Silent struct {
	ln net.Listener
	// Got receives a value after each request was read (dropped when full).
	Got chan struct{}
}

// NewSilent starts a Silent server that resets each connection after reading its request
// (reset) or keeps it open without answering; it stops when t ends.
func NewSilent(t testing.TB, reset bool) *Silent {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Silent{ln: ln, Got: make(chan struct{}, 1)}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop); ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				if _, err := io.ReadAll(req.Body); err != nil {
					return
				}
				select {
				case p.Got <- struct{}{}:
				default:
				}
				if reset {
					_ = conn.(*net.TCPConn).SetLinger(0) // RST instead of FIN
					return
				}
				<-stop
			}()
		}
	}()
	return p
}

// Addr is the server's host:port.
func (p *Silent) Addr() string { return p.ln.Addr().String() }

// Dial is an http.Transport DialContext that connects to the server whatever the address.
func (p *Silent) Dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, p.Addr())
}

// RefusingProxy starts an HTTP proxy that answers every CONNECT with 403 Forbidden (and
// anything else with 405); asked receives a value per CONNECT (dropped when full).
func RefusingProxy(t testing.TB) (proxy *url.URL, asked <-chan struct{}) {
	ch := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "only CONNECT", http.StatusMethodNotAllowed)
			return
		}
		select {
		case ch <- struct{}{}:
		default:
		}
		http.Error(w, "CONNECT not allowed", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u, ch
}
