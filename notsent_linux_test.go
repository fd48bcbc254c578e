//go:build linux

package cwlogs

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// kernelBlackhole returns the address of a loopback socket that listens with a backlog
// of 0 and never accepts, its accept queue filled by one connection: Linux then drops
// every further SYN, as a firewall that blackholes an address does, and a dial to it
// hangs until its timeout. Skips the test where the kernel does otherwise.
func kernelBlackhole(t *testing.T) string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	filler, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { filler.Close() })
	probe, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
	if err == nil {
		probe.Close()
		t.Skip("the kernel completed a connection beyond a full accept queue: no blackhole")
	}
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Skipf("a dial beyond a full accept queue failed with %v, not a timeout: no blackhole", err)
	}
	return addr
}

// TestOpErrorNotSentKernelBlackhole: TestOpErrorNotSent's blackhole made by the kernel,
// dialed by a net.Dialer, whichever timeout ends the attempt first.
func TestOpErrorNotSentKernelBlackhole(t *testing.T) {
	addr := kernelBlackhole(t)
	for _, tc := range []struct {
		name        string
		dialTimeout time.Duration
		opts        []Option
		ctxTimeout  time.Duration
		wantErr     error
	}{
		// The dials last until the socket is closed at the end of the test, when the
		// next SYN sent again gets a reset; a minute bounds them.
		{"caller's deadline", time.Minute, nil, 50 * time.Millisecond, context.DeadlineExceeded},
		{"attempt timeout", time.Minute, []Option{WithAttemptTimeout(50 * time.Millisecond)}, 0, ErrAttemptTimeout},
		{"dial timeout", 50 * time.Millisecond, nil, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &net.Dialer{Timeout: tc.dialTimeout}
			tr := &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
			opts := append([]Option{WithEndpoint("http://" + addr), WithHTTPClient(&http.Client{Transport: tr}),
				WithMaxAttempts(1)}, tc.opts...)
			c, err := New("us-east-1", testAKID, testSecret, opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctxTimeout)
				defer cancel()
			}
			_, err = c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s",
				LogEvents: []InputLogEvent{{Timestamp: 1, Message: "m"}}})
			var oe *OpError
			if !errors.As(err, &oe) || !oe.NotSent {
				t.Fatalf("err %v, want an *OpError with NotSent", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err %v, want one matching %v", err, tc.wantErr)
			}
		})
	}
}
