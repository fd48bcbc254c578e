package follow_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cwlogs/cwlogs/ship/follow"
)

// BenchmarkGlobStart: the start of a Glob of n files, each with a state file in
// StateDir (a restart): Run until every Follower has made its first poll, then
// its stop.
func BenchmarkGlobStart(b *testing.B) {
	for _, n := range []int{100, 1000} {
		dir, stateDir := b.TempDir(), b.TempDir()
		for i := range n {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("app-%04d.log", i)), []byte("x\n"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
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
