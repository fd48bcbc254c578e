package spool

import (
	"context"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// failOnce is a segment file whose first Sync fails (an I/O error) and the
// next ones succeed, as fsync does on Linux once the error was reported:
// the dirty pages the failed write-back covered are marked clean, and
// whether they reached the disk is unknown.
type failOnce struct {
	segFile
	failed bool
}

func (f *failOnce) Sync() error {
	if !f.failed {
		f.failed = true
		return syscall.EIO
	}
	return f.segFile.Sync()
}

// failNextSync makes the next sync of the segment being written fail.
func failNextSync(s *Spool) {
	s.mu.Lock()
	s.f = &failOnce{segFile: s.f}
	s.mu.Unlock()
}

// write writes a record without syncing it and returns its sync position.
func write(t *testing.T, s *Spool, msg string) int64 {
	t.Helper()
	end, err := s.logRecord(context.Background(), time.UnixMilli(1700000000000), msg)
	if err != nil {
		t.Fatal(err)
	}
	return end
}

// TestSyncFailureSticks: with SyncAlways, a record that a failed sync
// covered is never acknowledged, even when a later sync succeeds: neither
// for the caller of the failed sync, nor for another whose record the same
// sync covered (group commit), nor for a record of a segment whose sync
// failed when a roll closed it.
func TestSyncFailureSticks(t *testing.T) {
	t.Run("group commit", func(t *testing.T) {
		o := fastOpts()
		o.Sync = SyncAlways
		d := &memDst{block: make(chan struct{})}
		unblock := sync.OnceFunc(func() { close(d.block) })
		s := mustOpen(t, t.TempDir(), d, o)
		defer s.Close(context.Background())
		defer unblock() // first, when the test fails early
		logAll(t, s, []string{"synced"})
		failNextSync(s)
		// Two records written, then synced by one call that fails.
		endA, endB := write(t, s, "a"), write(t, s, "b")
		if err := s.syncTo(endB); !errors.Is(err, syscall.EIO) {
			t.Fatalf("syncTo(b) = %v, want EIO", err)
		}
		// A's caller comes second: the sync that covered its record failed.
		if err := s.syncTo(endA); !errors.Is(err, syscall.EIO) {
			t.Fatalf("syncTo(a) after the failed sync covering it = %v, want EIO", err)
		}
		// A record written after the failure is synced by a sync that works.
		if err := s.Log(time.UnixMilli(1700000000000), "after"); err != nil {
			t.Fatalf("Log after the failure = %v", err)
		}
		// Sync does not vouch for the records in doubt until they are
		// delivered.
		if err := s.Sync(); !errors.Is(err, syscall.EIO) {
			t.Fatalf("Sync with undelivered records in doubt = %v, want EIO", err)
		}
		unblock()
		if err := s.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := s.Sync(); err != nil {
			t.Fatalf("Sync once they were delivered = %v", err)
		}
	})
	t.Run("roll", func(t *testing.T) {
		o := fastOpts()
		o.Sync = SyncAlways
		o.SegmentBytes = MinSegmentBytes
		o.MaxMessageBytes = 1000
		s := mustOpen(t, t.TempDir(), &memDst{}, o)
		defer s.Close(context.Background())
		logAll(t, s, []string{"synced"})
		failNextSync(s)
		// A record is written; before its caller syncs, another record
		// takes the spool to a new segment, whose roll fails to sync the
		// old one.
		endA := write(t, s, "a")
		for s.Stats().Segments < 2 {
			write(t, s, strings.Repeat("x", 1000))
		}
		if err := s.syncTo(endA); !errors.Is(err, syscall.EIO) {
			t.Fatalf("syncTo(a) after the roll failed to sync its segment = %v, want EIO", err)
		}
	})
}
