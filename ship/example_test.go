package ship_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
)

// exampleEndpoint is a stand-in for CloudWatch Logs that counts stored events.
func exampleEndpoint() (*httptest.Server, func() int) {
	var mu sync.Mutex
	stored := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
			mu.Lock()
			stored += strings.Count(string(body), `"timestamp":`)
			mu.Unlock()
		}
		w.Write([]byte("{}"))
	}))
	return srv, func() int { mu.Lock(); defer mu.Unlock(); return stored }
}

func Example() {
	srv, stored := exampleEndpoint()
	defer srv.Close()

	// The shipper does the retrying: one attempt per client call.
	client, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	if err != nil {
		panic(err)
	}
	s, err := ship.New(client, "my-app", "web-1", nil) // nil: default options
	if err != nil {
		panic(err)
	}
	s.Log(time.Now(), "server started")
	fmt.Fprintf(s, "request %d served\nrequest %d served\n", 1, 2) // io.Writer: one event per line

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		var ce *ship.CloseError
		if errors.As(err, &ce) {
			fmt.Println("not delivered:", ce.Stats.Lost())
		}
	}
	st := s.Stats()
	fmt.Println("sent:", st.Sent, "batches:", st.Batches, "stored:", stored())
	// Output: sent: 3 batches: 1 stored: 3
}

func ExampleMux() {
	srv, stored := exampleEndpoint()
	defer srv.Close()
	client, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))

	m, err := ship.NewMux(client, &ship.Options{
		MaxBufferBytes: 64 << 20,        // shared by all streams
		OnFull:         ship.DropOldest, // never block the application
		CreateGroup:    true,            // create missing groups too
		OnError:        func(err error) { fmt.Println("lost:", err) },
	})
	if err != nil {
		panic(err)
	}
	for i := range 6 {
		m.Log("my-app", fmt.Sprintf("worker-%d", i%3), time.Now(), fmt.Sprintf("job %d done", i))
	}
	if err := m.Close(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println("sent:", m.Stats().Sent, "stored:", stored())
	// Output: sent: 6 stored: 6
}

func ExampleShipper_Flush() {
	srv, stored := exampleEndpoint()
	defer srv.Close()
	client, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	s, _ := ship.New(client, "my-app", "batch-job", &ship.Options{FlushInterval: time.Minute})
	defer s.Close(context.Background())

	io.WriteString(s, "step 1\nstep 2 (no newline yet)")
	// Flush sends the unfinished line too and waits for delivery.
	if err := s.Flush(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println("stored:", stored())
	// Output: stored: 2
}
