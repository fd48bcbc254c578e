package follow_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/follow"
)

// printer is a Destination that prints lines and stops after n of them.
type printer struct {
	n      int
	cancel context.CancelFunc
}

func (p *printer) Write(b []byte) (int, error) {
	for line := range strings.Lines(string(b)) {
		fmt.Print("got: ", line)
		if p.n--; p.n == 0 {
			p.cancel()
		}
	}
	return len(b), nil
}

func (p *printer) Flush(context.Context) error { return nil }

// Example follows a file from its start into a destination that prints
// the lines, and stops after three.
func Example() {
	dir, err := os.MkdirTemp("", "follow-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "app.log")
	if err := os.WriteFile(path, []byte("starting\nlistening on :8080\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := follow.New(path, &printer{n: 3, cancel: cancel}, &follow.Options{
		FromStart:    true,
		PollInterval: 10 * time.Millisecond,
		StateFile:    filepath.Join(dir, "app.log.state"),
	})
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- f.Run(ctx) }()
	w, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(w, "GET / 200")
	w.Close()
	if err := <-done; err != nil {
		log.Fatal(err)
	}
	fmt.Printf("shipped %d bytes\n", f.Stats().Bytes)
	// Output:
	// got: starting
	// got: listening on :8080
	// got: GET / 200
	// shipped 38 bytes
}

// Example_shipper ships /var/log/app.log to CloudWatch Logs until
// interrupted, resuming where it stopped after a restart.
func Example_shipper() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	client, err := cwlogs.New("us-east-1", os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"),
		cwlogs.WithMaxAttempts(1)) // the shipper retries
	if err != nil {
		log.Fatal(err)
	}
	sh, err := ship.New(client, "my-app", "host-1", nil)
	if err != nil {
		log.Fatal(err)
	}
	f, err := follow.New("/var/log/app.log", sh, &follow.Options{StateFile: "/var/lib/my-app/app.log.state"})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.Run(ctx); err != nil {
		log.Print(err)
	}
	if err := sh.Close(context.Background()); err != nil {
		log.Print(err)
	}
}
