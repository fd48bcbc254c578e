package localserver

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestConnectionsAfterRefusals: a refused request leaves its keep-alive connection usable
// (the body is read before any check that can refuse it), and a body refused for its size
// gets its 413 answer, not a reset connection, whether its length is announced or not.
// Checked, found right; kept as a regression test.
func TestConnectionsAfterRefusals(t *testing.T) {
	// The listener's clients sign with the wall clock. Now goes through Config (the
	// verifier takes it from there too): assigning s.cfg.Now after New would race with the
	// runner of scheduled queries, which reads it.
	s := newTestServer(t, Config{MaxRequestBytes: 64 << 10, Now: time.Now,
		Credentials: map[string]string{testCreds.AccessKeyID: testCreds.SecretAccessKey}})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	var dials atomic.Int32
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	send := func(r *http.Request) int {
		t.Helper()
		res, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	url := s.URL() + "/"
	body := []byte(strings.Repeat(" ", 32<<10) + "{}")
	refused := []func() *http.Request{
		func() *http.Request { // unsigned
			r, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			r.Header.Set("X-Amz-Target", targetPrefix+"DescribeLogGroups")
			return r
		},
		func() *http.Request { // target changed after signing
			r := signedRequest(t, url, "DescribeLogGroups", body, testCreds, time.Now())
			r.Header.Set("X-Amz-Target", targetPrefix+"DescribeLogStreams")
			return r
		},
		func() *http.Request { return signedRequest(t, url, "NoSuchOperation", body, testCreds, time.Now()) },
		func() *http.Request {
			return signedRequest(t, url, "DescribeLogGroups", []byte(`{"limit":`), testCreds, time.Now())
		},
	}
	for round := 0; round < 2; round++ {
		for i, mk := range refused {
			if st := send(mk()); st != http.StatusBadRequest {
				t.Fatalf("refused request %d: status %d", i, st)
			}
		}
		if st := send(signedRequest(t, url, "DescribeLogGroups", body, testCreds, time.Now())); st != http.StatusOK {
			t.Fatalf("valid request: status %d", st)
		}
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d connections for %d requests on a keep-alive client, want 1", n, 2*(len(refused)+1))
	}
	big := bytes.Repeat([]byte(" "), 4<<20)
	for _, chunked := range []bool{false, true} {
		r := signedRequest(t, url, "DescribeLogGroups", big, testCreds, time.Now())
		if chunked {
			r.ContentLength = -1
			r.Body = io.NopCloser(bytes.NewReader(big))
		}
		if st := send(r); st != http.StatusRequestEntityTooLarge {
			t.Errorf("4 MiB body (chunked %v): status %d, want 413", chunked, st)
		}
		if st := send(signedRequest(t, url, "DescribeLogGroups", []byte("{}"), testCreds, time.Now())); st != http.StatusOK {
			t.Errorf("after the 413 (chunked %v): status %d", chunked, st)
		}
	}
}
