package spool

import (
	"context"
	"strings"
	"testing"
	"time"
)

// BenchmarkLog measures Log of 100-byte events to disk, per SyncPolicy.
// The pump is held back (its destination takes nothing until the timer
// stops), so that only Log is measured; BenchmarkDeliver measures the pump.
func BenchmarkLog(b *testing.B) {
	msg := strings.Repeat("x", 100)
	for _, p := range []SyncPolicy{SyncAlways, SyncPeriodic, SyncNever} {
		b.Run(p.String(), func(b *testing.B) {
			g, s := heldSpool(b, p)
			ts := time.Now()
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Log(ts, msg); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			g.release(b, s)
		})
	}
}

// BenchmarkLogParallel is BenchmarkLog with 8 goroutines per CPU logging
// at once: with SyncAlways, concurrent calls share an fsync.
func BenchmarkLogParallel(b *testing.B) {
	msg := strings.Repeat("x", 100)
	for _, p := range []SyncPolicy{SyncAlways, SyncPeriodic} {
		b.Run(p.String(), func(b *testing.B) {
			g, s := heldSpool(b, p)
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
			g.release(b, s)
		})
	}
}

// heldSpool opens a spool whose pump is held back by a gated destination
// until release. It refuses records past 4 GiB (ErrFull) rather than wait.
func heldSpool(b *testing.B, p SyncPolicy) (*gated, *Spool) {
	g := &gated{open: make(chan struct{})}
	return g, mustOpen(b, b.TempDir(), g, &Options{Sync: p, MaxBytes: 4 << 30, OnFull: DropNewest})
}

// release lets the pump deliver the backlog, then closes the spool.
func (g *gated) release(b *testing.B, s *Spool) {
	close(g.open)
	if err := s.Close(context.Background()); err != nil {
		b.Fatal(err)
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
// disk (written beforehand, not timed; read from the page cache, in
// practice) and handing them to a destination that discards them,
// checkpoints included. Its allocation is the message's string for the
// destination.
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

// BenchmarkWrite measures Write of 16 lines of 100 bytes per call, pump
// held back as in BenchmarkLog (SyncNever: the copy of each line, not the
// disk, is what it shows).
func BenchmarkWrite(b *testing.B) {
	p := []byte(strings.Repeat(strings.Repeat("x", 100)+"\n", 16))
	g, s := heldSpool(b, SyncNever)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Write(p); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	g.release(b, s)
}
