package follow_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// BenchmarkGlobIdle: the cost of an idle Glob of n files (none changing):
// scan is one scan of the directory (one ReadDir of n+1 names, the names
// matched; the followed ones are not stat'ed); pollRound is one poll of
// every Follower (one Stat each) with the hand-off to each poll through
// ManualGlob. At the defaults (ScanInterval 1 s, PollInterval 250 ms), the
// CPU time per second of following is scan + 4 × pollRound.
func BenchmarkGlobIdle(b *testing.B) {
	for _, n := range []int{100, 1000} {
		dir := logFiles(b, n)
		if err := os.WriteFile(filepath.Join(dir, "README"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
		g, err := follow.NewGlob(filepath.Join(dir, "*.log"), func(string) (follow.Destination, error) { return &discard{}, nil },
			&follow.GlobOptions{StateDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		steps := follow.ManualGlob(g)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- g.Run(ctx) }()
		if err := steps.Started(); err != nil {
			b.Fatal(err)
		}
		if got := len(g.Files()); got != n {
			b.Fatalf("following %d files, want %d", got, n)
		}
		b.Run(fmt.Sprintf("files=%d/scan", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := steps.Scan(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("files=%d/pollRound", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := steps.PollAll(); err != nil {
					b.Fatal(err)
				}
			}
		})
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGlobStart: the start of a Glob of n files, each with a state file in
// StateDir (a restart): Run until every Follower has made its first poll, then
// its stop.
func BenchmarkGlobStart(b *testing.B) {
	for _, n := range []int{100, 1000} {
		dir, stateDir := logFiles(b, n), b.TempDir()
		run := func() {
			g, err := follow.NewGlob(filepath.Join(dir, "*.log"), func(string) (follow.Destination, error) { return &discard{}, nil },
				&follow.GlobOptions{StateDir: stateDir})
			if err != nil {
				b.Fatal(err)
			}
			steps := follow.ManualGlob(g)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- g.Run(ctx) }()
			if err := steps.Started(); err != nil {
				b.Fatal(err)
			}
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		}
		run() // the state files
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				run()
			}
		})
	}
}

// logFiles returns a directory of n files app-NNNN.log of one line each.
func logFiles(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("app-%04d.log", i)), []byte("x\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}
