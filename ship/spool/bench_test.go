package spool

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
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

// BenchmarkResync reads a damaged segment as the pump does: random bytes
// after its first record (one search over the whole segment), or a header
// damaged every 4 KiB (a search, with its check of what follows, every 4
// KiB), at 1 and 8 MiB: the time per byte stays the same (linear).
func BenchmarkResync(b *testing.B) {
	for _, mib := range []int{1, 8} {
		msgs := make([]string, mib<<20/(recordHeaderSize+100))
		for i := range msgs {
			msgs[i] = fmt.Sprintf("%-100d", i)
		}
		for _, kind := range []string{"random", "header-every-4KiB"} {
			s := buildSeg(0, msgs)
			switch kind {
			case "random":
				rng := rand.New(rand.NewPCG(1, 2))
				for i := s.offs[1]; i < int64(len(s.data)); i++ {
					s.data[i] = byte(rng.Uint32())
				}
			default:
				for i, next := 0, int64(0); i < len(msgs); i++ {
					if s.offs[i] >= next {
						s.data[s.offs[i]+5] ^= 0x40 // its length
						next = s.offs[i] + resyncAlign
					}
				}
			}
			path := filepath.Join(b.TempDir(), segName(0))
			if err := writeFile(path, s.data); err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/%dMiB", kind, mib), func(b *testing.B) {
				b.SetBytes(int64(len(s.data)))
				for b.Loop() {
					r := &segReader{}
					r.reset(path)
					next, size := uint64(0), int64(len(s.data))
					for off := int64(segHeaderSize); off < size; {
						rec, at, n, ok, err := r.next(off, size, next)
						if err != nil {
							b.Fatal(err)
						}
						if !ok {
							break
						}
						off, next = at+int64(n), rec.seq+1
					}
				}
			})
		}
	}
}

// BenchmarkResyncCrafted reads an 8 MiB segment in which a record whose
// header is damaged holds a message crafted with a plausible record header
// every 16 bytes, each claiming a 4 MiB message (none of them valid): the
// search checks each one. Its time grows with the crafted bytes (16 KiB,
// 64 KiB, 1 MiB here), not with the lengths they claim.
func BenchmarkResyncCrafted(b *testing.B) {
	for _, kib := range []int{16, 64, 1024} {
		msgs := make([]string, 8<<20/(recordHeaderSize+100))
		for i := range msgs {
			msgs[i] = fmt.Sprintf("%-100d", i)
		}
		const holder = 10
		msgs[holder] = string(craftedMessage(kib<<10, holder+1, 4<<20))
		s := buildSeg(0, msgs)
		s.data[s.offs[holder]+5] ^= 0x40 // its length
		path := filepath.Join(b.TempDir(), segName(0))
		if err := writeFile(path, s.data); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dKiB", kib), func(b *testing.B) {
			for b.Loop() {
				r := &segReader{}
				r.reset(path)
				next, size := uint64(0), int64(len(s.data))
				for off := int64(segHeaderSize); off < size; {
					rec, at, n, ok, err := r.next(off, size, next)
					if err != nil {
						b.Fatal(err)
					}
					if !ok {
						b.Fatalf("no record after %d", off)
					}
					off, next = at+int64(n), rec.seq+1
				}
				if next != uint64(len(msgs)) {
					b.Fatalf("read up to %d, want %d", next, len(msgs))
				}
			}
		})
	}
}

// craftedMessage returns a message of size bytes holding a record header
// every 16 bytes: a wrong checksum, length claim, sequence number seq.
func craftedMessage(size int, seq uint64, claim uint32) []byte {
	m := make([]byte, size)
	for i := 0; i+16 <= size; i += 16 {
		binary.LittleEndian.PutUint32(m[i+4:], claim)
		binary.LittleEndian.PutUint64(m[i+8:], seq)
	}
	return m
}
