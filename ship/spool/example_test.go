package spool_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/spool"
)

// endpoint is a stand-in for CloudWatch Logs that counts the stored events;
// while down, it answers every request with HTTP 503.
func endpoint() (srv *httptest.Server, stored func() int, down *atomic.Bool) {
	var mu sync.Mutex
	n := 0
	down = new(atomic.Bool)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
			mu.Lock()
			n += strings.Count(string(body), `"timestamp":`)
			mu.Unlock()
		}
		w.Write([]byte("{}"))
	}))
	return srv, func() int { mu.Lock(); defer mu.Unlock(); return n }, down
}

// Example puts a spool in front of a shipper: events are on disk when Log
// returns, and the spool's pump hands them to the shipper.
func Example() {
	srv, stored, _ := endpoint()
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "spool-example")
	defer os.RemoveAll(dir)

	client, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	if err != nil {
		log.Fatal(err)
	}
	s, err := ship.New(client, "my-app", "gateway-7", nil)
	if err != nil {
		log.Fatal(err)
	}
	sp, err := spool.Open(dir, s, &spool.Options{OnFull: spool.DropOldest})
	if err != nil {
		log.Fatal(err) // a *spool.OptionError, or an *spool.Error (ErrLocked: the directory is in use)
	}
	sp.Log(time.Now(), "door opened")
	logger := log.New(sp, "", 0) // an io.Writer: one record per line
	logger.Printf("temperature %d°C", 21)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sp.Close(ctx); err != nil { // first the spool, then its shipper
		log.Print(err)
	}
	s.Close(ctx)
	fmt.Println("delivered:", sp.Stats().Delivered, "stored:", stored())
	// Output: delivered: 2 stored: 2
}

// ExampleSpool_Close: the service is down; Close leaves the records on
// disk, and the next Open sends them.
func ExampleSpool_Close() {
	srv, stored, down := endpoint()
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "spool-example")
	defer os.RemoveAll(dir)
	client, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	run := func(events int, closeIn time.Duration) {
		s, _ := ship.New(client, "my-app", "gateway-7", &ship.Options{MaxElapsedTime: 50 * time.Millisecond})
		sp, err := spool.Open(dir, s, &spool.Options{InitialBackoff: 10 * time.Millisecond})
		if err != nil {
			log.Fatal(err)
		}
		for i := range events {
			sp.Log(time.Now(), fmt.Sprintf("reading %d", i))
		}
		ctx, cancel := context.WithTimeout(context.Background(), closeIn)
		defer cancel()
		err = sp.Close(ctx)
		var ce *spool.CloseError
		if errors.As(err, &ce) {
			fmt.Println("left on disk:", ce.Pending)
		}
		s.Close(ctx)
		fmt.Println("recovered:", sp.Stats().Recovered, "delivered:", sp.Stats().Delivered)
	}

	down.Store(true)
	run(3, 100*time.Millisecond)
	down.Store(false)
	run(1, 10*time.Second)
	fmt.Println("stored:", stored())
	// Output:
	// left on disk: 3
	// recovered: 0 delivered: 0
	// recovered: 3 delivered: 4
	// stored: 4
}
