package spool

import (
	"context"
	"strings"
	"testing"
	"time"
)

// discard is a Destination that takes every event and whose Flush
// succeeds at once.
type discard struct{}

func (discard) LogContext(context.Context, time.Time, string) error { return nil }
func (discard) Flush(context.Context) error                         { return nil }

// BenchmarkLog measures Log of 100-byte events to disk, per SyncPolicy,
// while the pump reads them back and hands them to a destination that
// discards them (its copy of each message for the destination's string is
// one of the allocations counted).
func BenchmarkLog(b *testing.B) {
	msg := strings.Repeat("x", 100)
	for _, p := range []SyncPolicy{SyncAlways, SyncPeriodic, SyncNever} {
		b.Run(p.String(), func(b *testing.B) {
			s := mustOpen(b, b.TempDir(), discard{}, &Options{Sync: p, MaxBytes: 1 << 30})
			ts := time.Now()
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Log(ts, msg); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if err := s.Close(context.Background()); err != nil { // after delivering the backlog
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkLogParallel is BenchmarkLog with 8 goroutines per CPU logging
// at once: with SyncAlways, concurrent calls share an fsync.
func BenchmarkLogParallel(b *testing.B) {
	msg := strings.Repeat("x", 100)
	for _, p := range []SyncPolicy{SyncAlways, SyncPeriodic} {
		b.Run(p.String(), func(b *testing.B) {
			s := mustOpen(b, b.TempDir(), discard{}, &Options{Sync: p, MaxBytes: 1 << 30})
			ts := time.Now()
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.Log(ts, msg); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if err := s.Close(context.Background()); err != nil { // after delivering the backlog
				b.Fatal(err)
			}
		})
	}
}

// gated is a Destination that takes nothing until open is closed, then
// takes every event and counts them; its Flush succeeds at once.
type gated struct {
	open chan struct{}
	n    int
}

func (g *gated) LogContext(ctx context.Context, _ time.Time, _ string) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.n++
	return nil
}

func (g *gated) Flush(context.Context) error { return nil }

// BenchmarkDeliver measures the pump: reading 100-byte events back from
// disk (written beforehand, not timed) and handing them to a destination
// that discards them, checkpoints included.
func BenchmarkDeliver(b *testing.B) {
	msg := strings.Repeat("x", 100)
	g := &gated{open: make(chan struct{})}
	s := mustOpen(b, b.TempDir(), g, &Options{Sync: SyncNever, MaxBytes: 1 << 30})
	ts := time.Now()
	for range b.N {
		if err := s.Log(ts, msg); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	close(g.open)
	if err := s.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if g.n != b.N {
		b.Fatalf("delivered %d of %d", g.n, b.N)
	}
	closeOK(b, s)
}
