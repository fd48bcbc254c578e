package ship

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestMuxCloseFromTwoOnErrors: the OnError of two streams both call
// Mux.Close (shut down on any error, with a failure that hits every stream).
// A review found them waiting for each other's reporter for ever; both must
// return.
func TestMuxCloseFromTwoOnErrors(t *testing.T) {
	f := newFake(t)
	gate := make(chan struct{})
	f.hook = func(context.Context, int, *cwlogs.PutLogEventsInput) error {
		<-gate
		return apiErr(cwlogs.CodeInvalidParameter, 400)
	}
	o := fastOpts()
	var (
		m    *Mux
		wg   sync.WaitGroup
		once sync.Map
	)
	wg.Add(2)
	o.OnError = func(err error) {
		var be *BatchError
		if errors.As(err, &be) {
			if _, dup := once.LoadOrStore(be.Stream, true); !dup {
				defer wg.Done()
				_ = m.Close(context.Background())
			}
		}
	}
	m, err := NewMux(f, o)
	if err != nil {
		t.Fatal(err)
	}
	_ = m.Log("g", "a", time.Now(), "x")
	_ = m.Log("g", "b", time.Now(), "y")
	go func() { _ = m.Flush(context.Background()) }()
	waitFor(t, "both batches in flight", func() bool { return m.Stats().InFlight == 2 })
	close(gate)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Mux.Close called from two streams' OnError did not return")
	}
	st := m.Stats()
	checkInvariant(t, st)
	if st.Dropped.PermanentError != 2 {
		t.Errorf("dropped %+v, want the 2 events as permanent errors", st.Dropped)
	}
}

// TestIdleStreamPinsNoBatch: when a stream's last sender exits with nothing
// left to send, the batch being built, a recycled one that may hold room for
// 10,000 events, goes back to the pool. A review measured 243 KB pinned per
// idle stream: with one stream per day or per request id, memory grew without
// bound.
func TestIdleStreamPinsNoBatch(t *testing.T) {
	f := newFake(t)
	m, err := NewMux(f, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctxT(t))
	if err := m.Log("g", "day-0", time.Now(), "first"); err != nil {
		t.Fatal(err)
	}
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, _ := m.Stream("g", "day-0")
	waitFor(t, "the stream's senders to exit", func() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.senders == 0 })
	// The state a stream is left in after sending full batches: an empty,
	// recycled batch being built. Its last sender now exits.
	s.mu.Lock()
	s.cur = &batch{events: make([]cwlogs.InputLogEvent, 0, 10000), sorted: true}
	s.senders++
	s.wg.Add(1)
	s.mu.Unlock()
	s.sender()
	s.mu.Lock()
	c := cap(s.cur.events)
	s.mu.Unlock()
	if c != 0 {
		t.Errorf("idle stream holds a batch of capacity %d", c)
	}
	// The stream resumes as before.
	if err := m.Log("g", "day-0", time.Now(), "again"); err != nil {
		t.Fatal(err)
	}
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.stored("g", "day-0"); len(got) != 2 || got[1].Message != "again" {
		t.Errorf("stored %v", got)
	}
}

// TestMuxCountsEventsRefusedAfterClose: Mux.Log after Close counts the event
// as Shipper.Log does (Events, Dropped.Closed). A review found Mux.Stats
// showing 1 event after 3 offers.
func TestMuxCountsEventsRefusedAfterClose(t *testing.T) {
	m, err := NewMux(newFake(t), fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	_ = m.Log("g", "s", time.Now(), "a")
	if err := m.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	for _, stream := range []string{"s", "new"} {
		if err := m.Log("g", stream, time.Now(), "late"); !errors.Is(err, ErrClosed) {
			t.Fatalf("Log to %s after Close: %v", stream, err)
		}
	}
	st := m.Stats()
	checkInvariant(t, st)
	if st.Events != 3 || st.Sent != 1 || st.Dropped.Closed != 2 {
		t.Errorf("events %d, sent %d, dropped %+v; want 3 offered, 1 sent, 2 refused after Close", st.Events, st.Sent, st.Dropped)
	}
}

// TestMuxFullBufferSealsOtherStreams: when one stream's batch being built
// fills the shared buffer, a full buffer seen from another stream sends that
// batch now. A review found every event to the other stream refused (drop
// policies) or waiting (Block), with no request sent, until the first
// stream's FlushInterval (an hour here).
func TestMuxFullBufferSealsOtherStreams(t *testing.T) {
	for _, p := range []FullPolicy{DropNewest, DropOldest, Block} {
		t.Run(p.String(), func(t *testing.T) {
			f := newFake(t)
			o := fastOpts() // FlushInterval: an hour
			o.OnFull, o.MaxBufferEvents = p, 10
			m, err := NewMux(f, o)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close(ctxT(t))
			for i := range 10 {
				if err := m.Log("g", "a", time.Now(), fmt.Sprint("a", i)); err != nil {
					t.Fatal(err)
				}
			}
			// Block waits for room, which only a's batch, once sent, frees; the
			// drop policies refuse this event.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = m.LogContext(ctx, "g", "b", time.Now(), "b0")
			if p == Block && err != nil {
				t.Fatalf("Block: %v", err)
			}
			waitFor(t, "stream a's batch to be sent", func() bool { return len(f.stored("g", "a")) == 10 })
			if err := m.Log("g", "b", time.Now(), "b1"); err != nil {
				t.Errorf("stream b after a's batch left: %v", err)
			}
		})
	}
}

// TestMuxStreamShare: with MaxStreamBufferBytes, a stream whose batches keep failing
// holds at most its share of the Mux's buffer, and the other streams keep room; without
// it the failing stream takes the whole buffer and the others are refused.
func TestMuxStreamShare(t *testing.T) {
	for _, share := range []int64{0, 20_000} {
		t.Run(fmt.Sprint("share ", share), func(t *testing.T) {
			m := shareMux(t, share, DropNewest)
			msg := strings.Repeat("x", 474) // 500 bytes counted
			for range 100 {
				_ = m.Log("g", "bad", time.Now(), msg)
			}
			good := 0
			for range 20 {
				if m.Log("g", "good", time.Now(), msg) == nil {
					good++
				}
			}
			bad, _ := m.Stream("g", "bad")
			held := bad.Stats().QueuedBytes
			switch {
			case share == 0 && (good != 0 || held != 40_000):
				t.Errorf("no share: good stream took %d events, bad holds %d bytes; want 0 and 40000", good, held)
			case share > 0 && (good != 20 || held > share):
				t.Errorf("share %d: good stream took %d of 20 events, bad holds %d bytes", share, good, held)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_ = m.Close(ctx)
		})
	}
}

// TestMuxStreamShareBlock: under Block, a stream over its share waits (until its ctx
// ends) while another stream's events are taken at once.
func TestMuxStreamShareBlock(t *testing.T) {
	m := shareMux(t, 20_000, Block)
	msg := strings.Repeat("x", 474) // 500 bytes counted
	for range 40 {                  // 20,000 bytes: the share
		if err := m.Log("g", "bad", time.Now(), msg); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := m.LogContext(ctx, "g", "bad", time.Now(), msg); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("over its share: %v, want to wait until the deadline", err)
	}
	for range 20 {
		if err := m.Log("g", "good", time.Now(), msg); err != nil {
			t.Fatalf("another stream: %v", err)
		}
	}
	cctx, ccancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer ccancel()
	_ = m.Close(cctx)
}

// shareMux is a Mux with a 40,000-byte buffer, the given per-stream share and policy,
// whose stream "bad" always fails (503, retried after an hour) and "good" succeeds.
func shareMux(t *testing.T, share int64, onFull FullPolicy) *Mux {
	t.Helper()
	f := newFake(t)
	f.hook = func(ctx context.Context, call int, in *cwlogs.PutLogEventsInput) error {
		if in.LogStreamName == "bad" {
			return &cwlogs.APIError{Code: "ServiceUnavailableException", StatusCode: 503}
		}
		return nil
	}
	o := fastOpts()
	o.MaxMessageBytes, o.MaxBufferBytes, o.MaxStreamBufferBytes = 1000, 40_000, share
	o.OnFull = onFull
	o.MaxBatchEvents = 10
	o.InitialBackoff, o.MaxBackoff, o.MaxElapsedTime = time.Hour, time.Hour, 2*time.Hour
	m, err := NewMux(f, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
