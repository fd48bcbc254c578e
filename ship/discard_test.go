package ship

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestDropOldestReported: events that OnFull DropOldest discards are losses
// after the event was accepted, so OnError must see them (as a *DiscardError
// wrapping ErrBufferFull) and a Flush waiting for their batch must count them
// in a *FlushError that says why. A review found them only counted in Stats:
// OnError never heard of them and the FlushError's Err was nil.
func TestDropOldestReported(t *testing.T) {
	cases := []struct {
		name  string
		offer func(s *Shipper, msgs []string) error // offers the events that discard older ones
		flush bool                                  // OnError calls Flush
	}{
		{"Log", func(s *Shipper, msgs []string) error {
			for _, m := range msgs {
				if err := s.Log(time.Now(), m); err != nil {
					return err
				}
			}
			return nil
		}, false},
		{"Write", func(s *Shipper, msgs []string) error {
			var p []byte
			for _, m := range msgs {
				p = append(p, m+"\n"...)
			}
			_, err := s.Write(p)
			return err
		}, false},
		{"Write, OnError flushes", func(s *Shipper, msgs []string) error {
			var p []byte
			for _, m := range msgs {
				p = append(p, m+"\n"...)
			}
			_, err := s.Write(p)
			return err
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, release, o := heldDropOldest(t)
			var (
				mu       sync.Mutex
				reported []error
				s        *Shipper
			)
			o.OnError = func(err error) {
				mu.Lock()
				reported = append(reported, err)
				mu.Unlock()
				if tc.flush {
					_ = s.Flush(context.Background())
				}
			}
			s = mustNew(t, f, o)
			msg := func(i int) string { return fmt.Sprintf("e%02d", i) }
			for i := range 5 { // batch A, then in flight
				if err := s.Log(time.Now(), msg(i)); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, "the first batch in flight", func() bool { return s.Stats().InFlight == 5 })
			for i := 5; i < 10; i++ { // batch B, queued: the buffer is full
				if err := s.Log(time.Now(), msg(i)); err != nil {
					t.Fatal(err)
				}
			}
			flushErr := make(chan error, 1)
			go func() { flushErr <- s.Flush(ctxT(t)) }()
			waitFor(t, "Flush waiting", func() bool { s.mu.Lock(); defer s.mu.Unlock(); return len(s.waiters) == 1 })
			// Each new event discards the oldest of batch B, which Flush waits for.
			const discards = 3
			var newer []string
			for i := 10; i < 10+discards; i++ {
				newer = append(newer, msg(i))
			}
			if err := tc.offer(s, newer); err != nil {
				t.Fatal(err)
			}
			close(release)
			var fe *FlushError
			if err := <-flushErr; !errors.As(err, &fe) || fe.Events != discards || !errors.Is(err, ErrBufferFull) {
				t.Errorf("Flush: %v, want a *FlushError counting %d events, wrapping ErrBufferFull", err, discards)
			}
			err := returnsSoon(t, "Close", func() error { return s.Close(ctxT(t)) })
			var ce *CloseError
			if !errors.As(err, &ce) || !errors.Is(err, ErrBufferFull) {
				t.Errorf("Close: %v, want a *CloseError wrapping ErrBufferFull", err)
			}
			st := s.Stats()
			checkInvariant(t, st)
			if st.Dropped.BufferFull != discards || st.Sent != 10 {
				t.Errorf("dropped %+v, sent %d; want %d buffer full, 10 sent", st.Dropped, st.Sent, discards)
			}
			// Close waited for OnError: every discard has been reported.
			mu.Lock()
			defer mu.Unlock()
			var events int
			var bytes int64
			for _, r := range reported {
				var de *DiscardError
				if !errors.As(r, &de) || !errors.Is(r, ErrBufferFull) || de.Group != "g" || de.Stream != "s" {
					t.Errorf("OnError got %v, want a *DiscardError for g/s wrapping ErrBufferFull", r)
					continue
				}
				events += de.Events
				bytes += de.Bytes
			}
			if want := int64(discards * (len(msg(0)) + cwlogs.EventOverheadBytes)); events != discards || bytes != want {
				t.Errorf("OnError reported %d events, %d bytes discarded; want %d, %d", events, bytes, discards, want)
			}
		})
	}
}

// waitFor polls cond until it holds, failing the test after a bounded wait.
// TestOnErrorLoggingIntoItsOwnFullShipper: an OnError that logs each report
// into the same full DropOldest shipper discards another event per report,
// which made another report at once: a loop that spun as long as the buffer
// stayed full, each turn evicting a real event. Discard reports are now
// passed on at most once per interval, holding the discards made meanwhile,
// and Close passes on the one waiting.
func TestOnErrorLoggingIntoItsOwnFullShipper(t *testing.T) {
	f, release, o := heldDropOldest(t)
	var (
		mu       sync.Mutex
		reported []DiscardError
		s        *Shipper
	)
	o.OnError = func(err error) {
		var d *DiscardError
		if !errors.As(err, &d) {
			t.Errorf("OnError(%v): want only discard reports", err)
			return
		}
		mu.Lock()
		reported = append(reported, *d)
		mu.Unlock()
		_ = s.Log(time.Now(), "shipper: "+err.Error()) // into the same full shipper
	}
	s = mustNew(t, f, o)
	s.c.discardEvery = time.Hour // only Close passes on a second report
	for i := range 10 {
		if err := s.Log(time.Now(), fmt.Sprintf("e%02d", i)); err != nil {
			t.Fatal(err)
		}
		if i == 4 {
			waitFor(t, "the first batch in flight", func() bool { return s.Stats().InFlight == 5 })
		}
	}
	calls := func() int { mu.Lock(); defer mu.Unlock(); return len(reported) }
	if err := s.Log(time.Now(), "e10"); err != nil { // discards e05: the first report
		t.Fatal(err)
	}
	// OnError's own event discards e06; that report waits. Before the fix
	// each report was passed on at once and the calls ran away.
	waitFor(t, "OnError's event to discard another", func() bool { return s.Stats().Dropped.BufferFull >= 2 })
	for end := time.Now().Add(100 * time.Millisecond); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if n := calls(); n > 1 {
			t.Fatalf("%d OnError calls while the buffer stayed full; want 1 until the interval has passed", n)
		}
	}
	if err := s.Log(time.Now(), "e11"); err != nil { // discards e07 into the waiting report
		t.Fatal(err)
	}
	close(release)
	if err := s.Close(ctxT(t)); !errors.Is(err, ErrBufferFull) {
		t.Fatalf("Close: %v, want a CloseError for the discards", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 2 || reported[0].Events != 1 || reported[1].Events != 2 {
		t.Errorf("reports %+v; want two: 1 event, then the 2 discarded while it waited", reported)
	}
	st := s.Stats()
	checkInvariant(t, st)
	if st.Dropped.BufferFull != 3 {
		t.Errorf("dropped %+v; want 3 discarded", st.Dropped)
	}
}

// heldDropOldest returns a fake whose PutLogEvents calls answer once release
// is closed, and the options of an OnFull DropOldest shipper sending one
// batch at a time, of 5 events, with a buffer of 10.
func heldDropOldest(t *testing.T) (*fakeAPI, chan struct{}, *Options) {
	f := newFake(t)
	release := make(chan struct{})
	f.hook = holdUntil(release)
	o := fastOpts()
	o.OnFull = DropOldest
	o.Concurrency, o.MaxBatchEvents, o.MaxBufferEvents = 1, 5, 10
	return f, release, o
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
