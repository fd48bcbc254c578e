package spool

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestOfferedNeverGoesDown: a Flush whose unfinished line waits for room in a
// full spool (Block) and gives up when its ctx ends leaves Stats.Offered as it
// was, during the wait and after it. (Offered was raised for the wait and
// lowered after it: a counter going down, which a Prometheus scrape in between
// read as a reset.) Close, once the pump has made room, writes the line and
// counts it once.
func TestOfferedNeverGoesDown(t *testing.T) {
	d := &memDst{block: make(chan struct{})}
	s := mustOpen(t, t.TempDir(), d, &Options{SegmentBytes: 4096, MaxBytes: 8192, MaxMessageBytes: 1000,
		OnFull: Block, Sync: SyncNever, FlushInterval: time.Hour})
	waiting := make(chan struct{}, 8)
	s.blockHook = func() { waiting <- struct{}{} }
	cancelled, cancel := context.WithCancel(context.Background())
	cancel() // a LogContext refused for room returns at once
	for _, size := range []int{900, 1} {
		for i := 0; ; i++ {
			err := s.LogContext(cancelled, time.Now(), strings.Repeat("x", size))
			if err == nil {
				continue
			}
			if !errors.Is(err, context.Canceled) || i == 0 && size == 900 {
				t.Fatalf("record %d of %d bytes: %v", i, size, err)
			}
			<-waiting // that refused record's wait
			break
		}
	}
	if _, err := s.Write([]byte("unfinished")); err != nil {
		t.Fatal(err)
	}
	before := s.Stats()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Flush(ctx) }()
	<-waiting // Flush's line waits for room
	if got := s.Stats().Offered; got != before.Offered {
		t.Errorf("Offered %d while the line waits for room, %d before", got, before.Offered)
	}
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Flush: %v, want context.Canceled", err)
	}
	after := s.Stats()
	if after.Offered != before.Offered || after.Dropped != before.Dropped || after.Accepted != before.Accepted {
		t.Errorf("after Flush gave up: Offered %d, Accepted %d, Dropped %+v; before: %d, %d, %+v",
			after.Offered, after.Accepted, after.Dropped, before.Offered, before.Accepted, before.Dropped)
	}
	// Room again: the pump delivers, and Close writes the line, counted once.
	close(d.block)
	cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
	defer ccancel()
	_ = s.Close(cctx) // it reports the two records refused for room above
	end := s.Stats()
	if end.Offered != before.Offered+1 {
		t.Errorf("Offered %d after Close wrote the line, want %d", end.Offered, before.Offered+1)
	}
	dropped := end.Dropped.Empty + end.Dropped.TooLarge + end.Dropped.Full + end.Dropped.Closed + end.Dropped.WriteError
	if end.Offered != end.Accepted+dropped {
		t.Errorf("Offered %d != Accepted %d + dropped %d (%+v)", end.Offered, end.Accepted, dropped, end.Dropped)
	}
}

// TestOfferedRetainedLineFull: Flush's unfinished line refused for room
// (DropNewest) is counted once in Offered, with Dropped.Full, as a Log
// refused so is, and not again by Close (it is dropped, not kept).
func TestOfferedRetainedLineFull(t *testing.T) {
	d := &memDst{block: make(chan struct{})}
	s := mustOpen(t, t.TempDir(), d, fullOpts(DropNewest))
	for i := 0; ; i++ {
		err := s.Log(time.UnixMilli(1), "r-9999")
		if err == ErrFull {
			break
		}
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if _, err := s.Write([]byte("unfinished")); err != nil {
		t.Fatal(err)
	}
	before := s.Stats()
	if err := s.Flush(context.Background()); err != ErrFull {
		t.Fatalf("Flush = %v, want ErrFull", err)
	}
	after := s.Stats()
	if after.Offered != before.Offered+1 || after.Dropped.Full != before.Dropped.Full+1 || after.Accepted != before.Accepted {
		t.Errorf("after Flush: Offered %d, Full %d, Accepted %d; before: %d, %d, %d",
			after.Offered, after.Dropped.Full, after.Accepted, before.Offered, before.Dropped.Full, before.Accepted)
	}
	checkIdentities(t, after)
	close(d.block)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = s.Close(ctx) // it reports the records refused for room
	end := s.Stats()
	if end.Offered != after.Offered || end.Dropped.Full != after.Dropped.Full {
		t.Errorf("after Close: Offered %d, Full %d; after Flush: %d, %d", end.Offered, end.Dropped.Full, after.Offered, after.Dropped.Full)
	}
	checkIdentities(t, end)
}
