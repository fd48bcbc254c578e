package ship

import (
	"context"
	"errors"
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
	waitForBlockedWriter(s)
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
