package follow_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// recorder is a Destination that records what it is given.
type recorder struct {
	mu       sync.Mutex
	data     bytes.Buffer // every byte written
	parts    []string     // each Write's bytes
	writes   int
	flushes  int
	flushed  int   // len(data) at the last successful Flush
	flushErr error // returned by Flush when set
	writeErr error // returned by Write when set
	// onFlush, when set, runs at the next Flush only, whose error it returns.
	onFlush func() error
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.writeErr != nil {
		return 0, r.writeErr
	}
	r.writes++
	r.data.Write(p)
	r.parts = append(r.parts, string(p))
	return len(p), nil
}

func (r *recorder) Flush(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushes++
	if f := r.onFlush; f != nil {
		r.onFlush = nil
		if err := f(); err != nil {
			return err
		}
	}
	if r.flushErr != nil {
		return r.flushErr
	}
	r.flushed = r.data.Len()
	return nil
}

func (r *recorder) setFlushErr(err error) {
	r.mu.Lock()
	r.flushErr = err
	r.mu.Unlock()
}

// lines returns the lines written, without their "\n"; an unfinished last
// piece is returned as a line of its own.
func (r *recorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.data.String()
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// running is a Follower running in a goroutine, polled by step.
type running struct {
	t      *testing.T
	f      *follow.Follower
	poll   func() bool
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
	errs   []error // given to OnError
}

// start runs a Follower of path with opts (OnError recorded) polled by hand,
// and waits until it has started.
func start(t *testing.T, path string, dst follow.Destination, opts follow.Options) *running {
	t.Helper()
	return startWith(t, path, dst, opts, nil)
}

// startWith is start with setup called on the Follower before Run.
func startWith(t *testing.T, path string, dst follow.Destination, opts follow.Options, setup func(*follow.Follower)) *running {
	t.Helper()
	r := &running{t: t, done: make(chan error, 1)}
	opts.OnError = func(err error) {
		r.mu.Lock()
		r.errs = append(r.errs, err)
		r.mu.Unlock()
	}
	f, err := follow.New(path, dst, &opts)
	if err != nil {
		t.Fatal(err)
	}
	r.f, r.poll = f, follow.ManualPolls(f)
	if setup != nil {
		setup(f)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
		}
	})
	r.step() // started: idle after the first poll
	return r
}

// step runs one poll and waits for it.
func (r *running) step() {
	r.t.Helper()
	if !r.poll() {
		select {
		case err := <-r.done:
			r.t.Fatalf("Run returned: %v", err)
		default:
			r.t.Fatal("poll did not complete")
		}
	}
}

// stop cancels Run and returns its result.
func (r *running) stop() error {
	r.t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for Cleanup
		return err
	case <-time.After(10 * time.Second):
		r.t.Fatal("Run did not return")
		return nil
	}
}

// reported returns the errors given to OnError.
func (r *running) reported() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// gaps returns the GapErrors reported.
func (r *running) gaps() []*follow.GapError {
	var out []*follow.GapError
	for _, err := range r.reported() {
		var g *follow.GapError
		if errors.As(err, &g) {
			out = append(out, g)
		}
	}
	return out
}

// appendFile appends s to the file name, creating it.
func appendFile(t *testing.T, name, s string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func logPath(t *testing.T) string { return filepath.Join(t.TempDir(), "app.log") }
