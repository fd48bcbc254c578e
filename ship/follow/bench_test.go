package follow_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// discard is a Destination that drops everything: the Follower's own cost.
type discard struct{ lines int64 }

func (d *discard) Write(p []byte) (int, error) {
	d.lines += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}
func (*discard) Flush(context.Context) error { return nil }

// benchRun runs a Follower of path into dst, polled by hand; stop cancels it
// and waits for Run.
func benchRun(b *testing.B, path string, dst follow.Destination, opts follow.Options) (step func(), stop func()) {
	f, err := follow.New(path, dst, &opts)
	if err != nil {
		b.Fatal(err)
	}
	poll := follow.ManualPolls(f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	step = func() {
		if !poll() {
			b.Fatal("poll did not complete")
		}
	}
	step()
	return step, func() {
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFollowThroughput: lines per second from a file of 100,000 JSON
// access-log lines (about 200 bytes each) into a discarding destination, read
// from the start with and without a state file (checkpoint every 5 s, so
// none here but the first and the last).
func BenchmarkFollowThroughput(b *testing.B) {
	const lines = 100_000
	path := filepath.Join(b.TempDir(), "app.log")
	var sb strings.Builder
	for i := range lines {
		fmt.Fprintf(&sb, `{"time":"2025-01-02T15:04:05.%06dZ","level":"info","method":"GET","path":"/api/v1/orders/%d","status":200,"duration_ms":%d.%03d,"request_id":"%08x"}`+"\n",
			i%1000000, i%100000, i%500, i%1000, int64(i)*2654435761)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, withState := range []bool{false, true} {
		b.Run(fmt.Sprintf("state=%t", withState), func(b *testing.B) {
			b.SetBytes(int64(sb.Len()))
			b.ReportAllocs()
			var total int64
			for b.Loop() {
				opts := follow.Options{FromStart: true}
				if withState {
					opts.StateFile = filepath.Join(b.TempDir(), "state")
				}
				d := &discard{}
				_, stop := benchRun(b, path, d, opts) // start reads the whole file
				stop()
				if d.lines != lines {
					b.Fatalf("%d lines, want %d", d.lines, lines)
				}
				total += d.lines
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkFollowIdlePoll: one poll of a file that did not change (one Stat
// of the path), with the hand-off to the poll through ManualPolls; at the
// default PollInterval of 250 ms, ns/op × 4 is the CPU time per second.
func BenchmarkFollowIdlePoll(b *testing.B) {
	path := filepath.Join(b.TempDir(), "app.log")
	if err := os.WriteFile(path, []byte("x\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	step, stop := benchRun(b, path, &discard{}, follow.Options{StateFile: filepath.Join(b.TempDir(), "state")})
	defer stop()
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}
