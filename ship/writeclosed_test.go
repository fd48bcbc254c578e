package ship

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWriteAfterCloseCounted: Write after Close must count the lines it
// refuses, as Log after Close counts its message (Dropped.Closed, Split,
// Truncated, TooLarge alike). A review found that Write after Close returned
// (0, ErrClosed) without counting anything, while Log counted its event, so
// that the refused lines appeared nowhere in Stats.
func TestWriteAfterCloseCounted(t *testing.T) {
	long := strings.Repeat("x", 25) // over MaxMessageBytes (20)
	cases := []struct {
		name     string
		oversize OversizePolicy
		input    string
		lines    []string // what Log is given to count the same
	}{
		{"lines", Split, "a\nb\n", []string{"a", "b"}},
		{"unfinished last line", Split, "a\nb", []string{"a", "b"}},
		{"crlf and empty lines", Split, "a\r\n\r\n\nb\r\n", []string{"a", "b"}},
		{"long line split", Split, long + "\n", []string{long}},
		{"long line truncated", Truncate, long + "\nb\n", []string{long, "b"}},
		{"long line dropped", Drop, "a\n" + long, []string{"a", long}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := fastOpts()
			o.MaxMessageBytes, o.Oversize, o.TruncateMarker = 20, tc.oversize, "…"
			closed := func() *Shipper {
				s := mustNew(t, newFake(t), o)
				if err := s.Close(ctxT(t)); err != nil {
					t.Fatal(err)
				}
				return s
			}
			w := closed()
			if n, err := w.Write([]byte(tc.input)); n != 0 || !errors.Is(err, ErrClosed) {
				t.Fatalf("Write after Close = %d, %v; want 0, ErrClosed", n, err)
			}
			l := closed()
			for _, m := range tc.lines {
				_ = l.Log(time.Now(), m)
			}
			got, want := w.Stats(), l.Stats()
			checkInvariant(t, got)
			got.LastError, got.LastErrorTime, want.LastError, want.LastErrorTime = nil, time.Time{}, nil, time.Time{}
			if got != want || got.Events < int64(len(tc.lines)) {
				t.Errorf("Write after Close counted %+v\nLog after Close counted %+v", got, want)
			}
		})
	}
}

// TestWriteRefusedDuringCloseCounted: when Close starts while a Write waits
// for room (OnFull Block), the line it waits with is refused and counted, and
// so must be the lines after it. A review found that Write returned at the
// first refused line, leaving the rest of p uncounted.
func TestWriteRefusedDuringCloseCounted(t *testing.T) {
	f := newFake(t)
	f.hook = hang
	s := fullShipper(t, f)
	writeErr := make(chan error, 1)
	go func() { _, err := s.Write([]byte("x\ny\nz\nunfinished")); writeErr <- err }()
	waitForBlockedWriter(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := returnsSoon(t, "Close", func() error { return s.Close(ctx) })
	var ce *CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("Close: %v, want a *CloseError", err)
	}
	if err := <-writeErr; !errors.Is(err, ErrClosed) {
		t.Errorf("Write: %v, want ErrClosed", err)
	}
	st := s.Stats()
	checkInvariant(t, st)
	// a and b abandoned in flight; x, y, z and the unfinished line refused.
	if st.Events != 6 || st.Dropped.Closed != 6 {
		t.Errorf("events %d, dropped %+v; want 6 events, all closed", st.Events, st.Dropped)
	}
}

// TestWriteRefusedKeepsNothingBack: a Write that Close refuses must leave no
// bytes behind for Close to send. Splitting a line over MaxMessageBytes keeps
// an unfinished UTF-8 sequence (up to 3 bytes) or a trailing '\r' for the next
// Write; when Close refused the split piece, those kept bytes stayed and Close
// sent them as an event of their own, although Write had returned ErrClosed.
func TestWriteRefusedKeepsNothingBack(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t)
	f.hook = holdUntil(release)
	s := fullShipperWith(t, f, 20)
	writeErr := make(chan error, 1)
	go func() {
		_, err := s.Write([]byte(strings.Repeat("x", 20) + "\xe2\x82")) // the first 2 bytes of "€"
		writeErr <- err
	}()
	waitForBlockedWriter(t, s)
	closeErr := make(chan error, 1)
	go func() { closeErr <- s.Close(ctxT(t)) }()
	if err := <-writeErr; !errors.Is(err, ErrClosed) {
		t.Fatalf("Write: %v, want ErrClosed", err)
	}
	close(release)
	var ce *CloseError
	if err := <-closeErr; !errors.As(err, &ce) {
		t.Fatalf("Close: %v, want a *CloseError reporting the refused line", err)
	}
	var sent []string
	for _, ev := range f.stored("g", "s") {
		sent = append(sent, ev.Message)
	}
	if slices.Sort(sent); !slices.Equal(sent, []string{"a", "b"}) { // one event per batch, sent concurrently
		t.Errorf("sent %q; want only a and b: the refused Write's bytes must not be sent", sent)
	}
	st := s.Stats()
	checkInvariant(t, st)
	if st.Sent != 2 || st.Dropped.Closed < 1 {
		t.Errorf("sent %d, dropped %+v; want 2 sent and the refused Write counted as closed", st.Sent, st.Dropped)
	}
}
