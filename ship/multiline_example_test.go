package ship_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
)

// The README's snippet: a logger whose records may carry a Go stack trace.
func ExampleNewMultilineWriter() {
	srv, stored := exampleEndpoint()
	defer srv.Close()
	client, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))

	s, err := ship.New(client, "my-app", "web-1", nil)
	if err != nil {
		panic(err)
	}
	// Lines that continue a Go traceback join the event before them: a panic,
	// or a record with debug.Stack(), is one event, not 30.
	w, err := ship.NewMultilineWriter(s, &ship.MultilineOptions{
		Continue: regexp.MustCompile(ship.GoTracebackPattern),
	})
	if err != nil {
		panic(err)
	}
	logger := log.New(w, "", log.LstdFlags) // or cmd.Stderr = w for a child process
	logger.Print("started")
	logger.Printf("request failed: %v\n%s", io.ErrUnexpectedEOF, debug.Stack())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w.Close(ctx) // hands the last event to s; does not close s
	s.Close(ctx)

	fmt.Println("lines:", w.Stats().Lines > 5, "events:", w.Stats().Events, "stored:", stored())
	// Output: lines: true events: 2 stored: 2
}

// printSink prints the events it takes.
type printSink struct{}

func (printSink) LogContext(_ context.Context, _ time.Time, msg string) error {
	fmt.Printf("event: %q\n", msg)
	return nil
}

func (printSink) Flush(context.Context) error { return nil }

// A start pattern: a line that begins with a date starts an event, the others
// continue it; empty lines inside an event are kept, at its end dropped.
func ExampleMultilineWriter() {
	w, err := ship.NewMultilineWriter(printSink{}, &ship.MultilineOptions{
		Start: regexp.MustCompile(`^\d{4}-\d\d-\d\d `),
	})
	if err != nil {
		panic(err)
	}
	io.WriteString(w, "2025-01-02 12:00:00 ERROR query failed:\n  SELECT *\n\n  FROM t\n\n")
	io.WriteString(w, "2025-01-02 12:00:01 INFO retrying\n")
	w.Close(context.Background())
	// Output:
	// event: "2025-01-02 12:00:00 ERROR query failed:\n  SELECT *\n\n  FROM t"
	// event: "2025-01-02 12:00:01 INFO retrying"
}

// Each stream of a Mux is a *Shipper: give each its own MultilineWriter.
func ExampleMultilineWriter_mux() {
	srv, stored := exampleEndpoint()
	defer srv.Close()
	client, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret",
		cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	m, err := ship.NewMux(client, nil)
	if err != nil {
		panic(err)
	}
	indented := regexp.MustCompile(`^\s`)
	var writers []*ship.MultilineWriter
	for _, name := range []string{"worker-1", "worker-2"} {
		s, err := m.Stream("my-app", name)
		if err != nil {
			panic(err)
		}
		w, err := ship.NewMultilineWriter(s, &ship.MultilineOptions{Continue: indented})
		if err != nil {
			panic(err)
		}
		io.WriteString(w, "job failed:\n  step 1\n  step 2\njob done\n")
		writers = append(writers, w)
	}
	for _, w := range writers {
		w.Close(context.Background())
	}
	m.Close(context.Background())
	fmt.Println("stored:", stored())
	// Output: stored: 4
}

// A reader that checkpoints the offset of what was delivered (package
// ship/follow does so) flushes with FlushComplete: the record still being
// grouped is kept, and the checkpoint stays before the bytes it holds. When
// the reader stops, DiscardPending drops them: the next run reads them again
// from the checkpoint, and the record is shipped whole, not in two parts.
func ExampleMultilineWriter_FlushComplete() {
	w, err := ship.NewMultilineWriter(printSink{}, &ship.MultilineOptions{
		Start: regexp.MustCompile(`^\d{4}-\d\d-\d\d `),
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	read := "2025-01-02 12:00:00 first\n  detail\n2025-01-02 12:00:01 second\n  still being written\n"
	w.Write([]byte(read))
	held, _ := w.FlushComplete(ctx) // the first record is complete: the second started
	fmt.Println("checkpoint at", int64(len(read))-held)
	dropped, _ := w.DiscardPending(ctx) // stopping: the next run reads them again
	fmt.Println("dropped", dropped, "bytes; discarded lines:", w.Stats().Discarded)
	w.Close(ctx)
	// Output:
	// event: "2025-01-02 12:00:00 first\n  detail"
	// checkpoint at 35
	// dropped 49 bytes; discarded lines: 2
}
