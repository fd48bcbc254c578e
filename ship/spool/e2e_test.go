package spool_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/faultproxy"
	"github.com/cwlogs/cwlogs/localserver"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/follow"
	"github.com/cwlogs/cwlogs/ship/spool"
)

var (
	_ spool.Destination  = (*ship.Shipper)(nil)
	_ follow.Destination = (*spool.Spool)(nil) // a followed file may go through a spool
)

// TestOutageAcrossRestarts: the service is unreachable (every request
// answered 500 by a fault proxy in front of the local server) while events
// are logged over two runs of the program, each closed with its events still
// on disk; the third run, with the service back, delivers every event, once
// and in order.
func TestOutageAcrossRestarts(t *testing.T) {
	srv, err := localserver.New(localserver.Config{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	proxy, err := faultproxy.New(faultproxy.Config{Upstream: srv.URL(), ServerError: 1})
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	client, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(front.URL), cwlogs.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var want []string
	base := time.Now().Add(-time.Hour) // one millisecond per event: the stream's order is the logging order
	// run is one run of the program: a shipper, a spool in front of it, n
	// events logged, and Close within closeIn.
	run := func(name string, n int, closeIn time.Duration) (spool.Stats, error) {
		sh, err := ship.New(client, "edge", "gateway-1", &ship.Options{
			CreateGroup: true, Concurrency: 1, FlushInterval: 20 * time.Millisecond,
			InitialBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxElapsedTime: 100 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		sp, err := spool.Open(dir, sh, &spool.Options{
			FlushInterval: 20 * time.Millisecond, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			msg := fmt.Sprintf("%s event %d", name, i)
			if err := sp.Log(base.Add(time.Duration(len(want))*time.Millisecond), msg); err != nil {
				t.Fatal(err)
			}
			want = append(want, msg)
		}
		if closeIn < time.Second { // an outage: let deliveries fail
			for sp.Stats().Failures == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), closeIn)
		defer cancel()
		cerr := sp.Close(ctx)
		sctx, scancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer scancel()
		sh.Close(sctx)
		return sp.Stats(), cerr
	}

	st, err := run("first", 300, 50*time.Millisecond)
	var ce *spool.CloseError
	if !errors.As(err, &ce) || ce.Pending != 300 || st.Delivered != 0 {
		t.Fatalf("first run, service down: Close = %v, stats %+v", err, st)
	}
	st, err = run("second", 200, 50*time.Millisecond)
	if !errors.As(err, &ce) || ce.Pending != 500 || st.Recovered != 300 || st.Delivered != 0 {
		t.Fatalf("second run, service down: Close = %v, stats %+v", err, st)
	}
	proxy.SetEnabled(false) // the service is back
	st, err = run("third", 100, 10*time.Second)
	if err != nil || st.Recovered != 500 || st.Delivered != 600 || st.Pending != 0 {
		t.Fatalf("third run, service up: Close = %v, stats %+v", err, st)
	}
	var got []string
	for e, err := range client.GetLogEventsIter(context.Background(), &cwlogs.GetLogEventsInput{LogGroupName: "edge", LogStreamName: "gateway-1", StartFromHead: true}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Message)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the stream holds %d events, want %d in order", len(got), len(want))
	}
	if c := proxy.Counts(); c.ServerErrors == 0 {
		t.Fatalf("no outage: %+v", c)
	}
}
