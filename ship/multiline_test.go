package ship

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// sinkEvent is one event a fakeSink took.
type sinkEvent struct {
	t   time.Time
	msg string
}

// fakeSink is an EventSink that records the events it takes.
type fakeSink struct {
	mu       sync.Mutex
	events   []sinkEvent
	flushes  int
	err      error         // returned by LogContext (the event is recorded anyway)
	flushErr error         // returned by Flush
	block    chan struct{} // when set, LogContext waits until it is closed (or ctx ends)
	blocked  chan struct{} // when set, LogContext signals here before it waits
}

func (f *fakeSink) LogContext(ctx context.Context, t time.Time, msg string) error {
	f.mu.Lock()
	block, blocked := f.block, f.blocked
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block: // released: no wait, even with an ended ctx
		default:
			if blocked != nil {
				select {
				case blocked <- struct{}{}:
				default:
				}
			}
			select {
			case <-block:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, sinkEvent{t, msg})
	return f.err
}

func (f *fakeSink) Flush(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushes++
	return f.flushErr
}

func (f *fakeSink) msgs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		out = append(out, e.msg)
	}
	return out
}

func (f *fakeSink) all() []sinkEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.events)
}

// fakeClock is a settable clock for the writer's timestamps and Timeout.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeTimer stands for the writer's time.AfterFunc timer: fire runs the
// callback when the timer is armed, as the runtime would when it expires.
type fakeTimer struct {
	mu     sync.Mutex
	f      func()
	armed  bool
	d      time.Duration // of the last start
	starts int
}

func (ft *fakeTimer) afterFunc(d time.Duration, f func()) multilineTimer {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.f, ft.armed, ft.d = f, true, d
	ft.starts++
	return ft
}

func (ft *fakeTimer) Stop() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	was := ft.armed
	ft.armed = false
	return was
}

func (ft *fakeTimer) Reset(d time.Duration) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	was := ft.armed
	ft.armed, ft.d = true, d
	ft.starts++
	return was
}

func (ft *fakeTimer) isArmed() (bool, time.Duration) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.armed, ft.d
}

// fire expires the timer: it runs the callback on the caller's goroutine
// and reports whether the timer was armed.
func (ft *fakeTimer) fire() bool {
	ft.mu.Lock()
	if !ft.armed {
		ft.mu.Unlock()
		return false
	}
	ft.armed = false
	f := ft.f
	ft.mu.Unlock()
	f()
	return true
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// newML returns a writer to sink whose clock (timestamps and Timeout) and
// timer are the fakes returned with it.
func newML(t testing.TB, sink EventSink, o *MultilineOptions) (*MultilineWriter, *fakeClock, *fakeTimer) {
	t.Helper()
	w, err := NewMultilineWriter(sink, o)
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{t: t0}
	ft := &fakeTimer{}
	w.clock, w.afterFunc = clk.now, ft.afterFunc
	return w, clk, ft
}

func mustWrite(t testing.TB, w *MultilineWriter, s string) {
	t.Helper()
	if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
		t.Fatalf("Write(%q) = %d, %v", s, n, err)
	}
}

// goStack is the start of a Go panic as the runtime prints it.
const goStack = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\nexit status 2\n"

func TestMultilineGrouping(t *testing.T) {
	start := regexp.MustCompile(`^\d{4}-`)
	indented := regexp.MustCompile(`^\s`)
	goTB := regexp.MustCompile(GoTracebackPattern)
	cases := []struct {
		name   string
		opts   MultilineOptions
		writes []string
		want   []string // after Close
		before []string // handed on before Close (nil: not checked)
	}{
		{
			name:   "start pattern",
			opts:   MultilineOptions{Start: start},
			writes: []string{"2025-01 a\n  x\n  y\n2025-01 b\nz\n"},
			before: []string{"2025-01 a\n  x\n  y"},
			want:   []string{"2025-01 a\n  x\n  y", "2025-01 b\nz"},
		},
		{
			name:   "continuation pattern",
			opts:   MultilineOptions{Continue: indented},
			writes: []string{"a\n\tat x\n\tat y\nb\nc\n\tat z\n"},
			before: []string{"a\n\tat x\n\tat y", "b"},
			want:   []string{"a\n\tat x\n\tat y", "b", "c\n\tat z"},
		},
		{
			name:   "lines before the first start are an event of their own",
			opts:   MultilineOptions{Start: start},
			writes: []string{"x\ny\n2025-01 a\nb\n"},
			want:   []string{"x\ny", "2025-01 a\nb"},
		},
		{
			name:   "a continuation line with nothing to continue starts an event",
			opts:   MultilineOptions{Continue: indented},
			writes: []string{"  lone\n  more\nnext\n"},
			want:   []string{"  lone\n  more", "next"},
		},
		{
			name:   "CRLF",
			opts:   MultilineOptions{Start: start},
			writes: []string{"2025-01 a\r\n  b\r\n\r\n2025-01 c\r\n  d\r"},
			want:   []string{"2025-01 a\n  b", "2025-01 c\n  d"},
		},
		{
			name:   "a lone CR inside a line is kept",
			opts:   MultilineOptions{Start: start},
			writes: []string{"2025-01 a\rb\n c\r\r\n"},
			want:   []string{"2025-01 a\rb\n c\r"},
		},
		{
			name:   "lines split across writes",
			opts:   MultilineOptions{Start: start},
			writes: []string{"20", "25-01 a\n  ", "b\r", "\n2025", "-01 c\n"},
			want:   []string{"2025-01 a\n  b", "2025-01 c"},
		},
		{
			name:   "a start split across writes is matched whole",
			opts:   MultilineOptions{Start: start},
			writes: []string{"2025-01 a\n202", "5-01 b\n"},
			want:   []string{"2025-01 a", "2025-01 b"},
		},
		{
			name:   "empty lines inside an event are kept, trailing ones trimmed",
			opts:   MultilineOptions{Continue: goTB},
			writes: []string{"log line\n" + goStack + "\n\n"},
			want:   []string{"log line", strings.TrimSuffix(goStack, "\n")},
		},
		{
			name:   "leading empty lines dropped",
			opts:   MultilineOptions{Start: start},
			writes: []string{"\n\r\n\n2025-01 a\n\n b\n\n\n2025-01 c\n"},
			want:   []string{"2025-01 a\n\n b", "2025-01 c"},
		},
		{
			name:   "empty lines only: no event",
			opts:   MultilineOptions{Start: start},
			writes: []string{"\n\n\r\n", "\r\n"},
			want:   nil,
		},
		{
			name:   "empty lines never start an event",
			opts:   MultilineOptions{Start: regexp.MustCompile(`^$|^S`)},
			writes: []string{"S a\n\nb\n"},
			want:   []string{"S a\n\nb"},
		},
		{
			name:   "unfinished last line completed by Close",
			opts:   MultilineOptions{Start: start},
			writes: []string{"2025-01 a\n b\n c"},
			before: []string{},
			want:   []string{"2025-01 a\n b\n c"},
		},
		{
			name:   "unfinished start line completed by Close",
			opts:   MultilineOptions{Start: start},
			writes: []string{"2025-01 a\n b\n2025-01 c"},
			before: []string{},
			want:   []string{"2025-01 a\n b", "2025-01 c"},
		},
		{
			name:   "separator",
			opts:   MultilineOptions{Continue: indented, Separator: " ⏎ "},
			writes: []string{"a\n b\n\n c\nd\n"},
			want:   []string{"a ⏎  b ⏎  ⏎  c", "d"},
		},
		{
			name:   "MaxLines",
			opts:   MultilineOptions{Continue: indented, MaxLines: 3},
			writes: []string{"a\n 1\n 2\n 3\n 4\n 5\n 6\n 7\nb\n"},
			want:   []string{"a\n 1\n 2", " 3\n 4\n 5", " 6\n 7", "b"},
		},
		{
			name:   "MaxLines counts inner empty lines",
			opts:   MultilineOptions{Continue: indented, MaxLines: 3},
			writes: []string{"a\n\n 1\n 2\n"},
			want:   []string{"a\n\n 1", " 2"},
		},
		{
			name:   "MaxBytes: a line that does not fit starts a new event",
			opts:   MultilineOptions{Continue: indented, MaxBytes: 10},
			writes: []string{"abcd\n efg\n hi\n j\n"},
			want:   []string{"abcd\n efg", " hi\n j"},
		},
		{
			name:   "MaxBytes: exactly full",
			opts:   MultilineOptions{Continue: indented, MaxBytes: 10},
			writes: []string{"abcd\n efgh\n i\n"},
			want:   []string{"abcd\n efgh", " i"},
		},
		{
			name:   "MaxBytes: inner empty lines count",
			opts:   MultilineOptions{Continue: indented, MaxBytes: 10},
			writes: []string{"abcd\n\n\n efg\n"},
			want:   []string{"abcd", " efg"},
		},
		{
			name:   "MaxBytes: a long line is cut on character boundaries",
			opts:   MultilineOptions{Continue: indented, MaxBytes: 7},
			writes: []string{"a\n €€€€\n y\n"},
			want:   []string{"a", " €€", "€€", " y"},
		},
		{
			name:   "MaxBytes: lines continue the end of a cut line",
			opts:   MultilineOptions{Continue: indented, MaxBytes: 7},
			writes: []string{"a\n €€€€ x\n y\n"},
			want:   []string{"a", " €€", "€€ ", "x\n y"},
		},
		{
			name:   "MaxBytes: a long unfinished line is handed on in pieces",
			opts:   MultilineOptions{Continue: indented, MaxBytes: 8},
			writes: []string{"a\n", " 123456789", "abcdefghij", "klm\r", "\n b\n"},
			before: []string{"a", " 1234567", "89abcdef", "ghijklm"},
			want:   []string{"a", " 1234567", "89abcdef", "ghijklm", " b"},
		},
		{
			name:   "MaxBytes: an unfinished character is not cut",
			opts:   MultilineOptions{Start: start, MaxBytes: 8},
			writes: []string{"x€€\xe2", "\x82", "\xac€", "\xe2", "\n"},
			want:   []string{"x€€", "€€", "\uFFFD"},
		},
		{
			name:   "MaxBytes: a long line's CR before its newline is dropped",
			opts:   MultilineOptions{Start: start, MaxBytes: 4},
			writes: []string{"abcdef\r", "\r", "\n"},
			want:   []string{"abcd", "ef\r"},
		},
		{
			name:   "MaxBytes: a long line is matched on its start",
			opts:   MultilineOptions{Start: regexp.MustCompile(`^S`), MaxBytes: 4},
			writes: []string{"S 1\nS 23456", "789\nx\n"},
			want:   []string{"S 1", "S 23", "4567", "89\nx"},
		},
		{
			name:   "invalid UTF-8 replaced before matching and sizing",
			opts:   MultilineOptions{Start: regexp.MustCompile(`^\x{FFFD}`), MaxBytes: 8},
			writes: []string{"a\n\xffb\n\xfe\xfe\xfe\n"},
			want:   []string{"a", "\uFFFDb", "\uFFFD\uFFFD", "\uFFFD"},
		},
		{
			name:   "Go panic after log lines",
			opts:   MultilineOptions{Continue: goTB},
			writes: []string{"2025/01/02 started\n2025/01/02 serving\n", goStack},
			want:   []string{"2025/01/02 started", "2025/01/02 serving", strings.TrimSuffix(goStack, "\n")},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := &fakeSink{}
			o := tc.opts
			o.Timeout = time.Hour
			w, _, _ := newML(t, sink, &o)
			for _, s := range tc.writes {
				mustWrite(t, w, s)
			}
			if tc.before != nil {
				if got := sink.msgs(); !slices.Equal(got, tc.before) && !(len(got) == 0 && len(tc.before) == 0) {
					t.Errorf("before Close: got %q, want %q", got, tc.before)
				}
			}
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := sink.msgs()
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			for _, m := range got {
				if m == "" || !utf8.ValidString(m) || len(m) > w.maxBytes {
					t.Errorf("bad event %q", m)
				}
			}
			st := w.Stats()
			if st.Events != int64(len(got)) || st.Failed != 0 || st.Refused != 0 {
				t.Errorf("stats %+v, want %d events", st, len(got))
			}
			if want := nonEmptyLines(strings.Join(tc.writes, "")); st.Lines != want {
				t.Errorf("Stats.Lines = %d, want %d", st.Lines, want)
			}
		})
	}
}

// nonEmptyLines counts the lines of s that are not empty without their "\r".
func nonEmptyLines(s string) int64 {
	var n int64
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimSuffix(l, "\r") != "" {
			n++
		}
	}
	return n
}

// TestMultilineTimestamps: an event's timestamp is the time its first line was
// written, from Options.Now when set.
func TestMultilineTimestamps(t *testing.T) {
	for _, withNow := range []bool{false, true} {
		t.Run(fmt.Sprint("Now set: ", withNow), func(t *testing.T) {
			sink := &fakeSink{}
			o := &MultilineOptions{Continue: regexp.MustCompile(`^\s`), Timeout: time.Hour}
			stamps := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
			if withNow {
				o.Now = stamps.now
			}
			w, clk, _ := newML(t, sink, o)
			base := t0
			if withNow {
				base = stamps.t
			}
			step := func() { clk.advance(time.Second); stamps.advance(time.Second) }
			mustWrite(t, w, "a\n") // 0 s
			step()
			mustWrite(t, w, " a2\nb") // 1 s
			step()
			mustWrite(t, w, "\n c2\n") // 2 s: b completed, its first line is written now
			step()
			mustWrite(t, w, "d") // 3 s
			step()
			if err := w.Close(context.Background()); err != nil { // 4 s: d completed
				t.Fatal(err)
			}
			want := []sinkEvent{{base, "a\n a2"}, {base.Add(2 * time.Second), "b\n c2"}, {base.Add(4 * time.Second), "d"}}
			got := sink.all()
			if len(got) != len(want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			for i := range want {
				if !got[i].t.Equal(want[i].t) || got[i].msg != want[i].msg {
					t.Errorf("event %d: %v %q, want %v %q", i, got[i].t, got[i].msg, want[i].t, want[i].msg)
				}
			}
		})
	}
}

// TestMultilineTimeout drives Timeout with the fake clock and timer: the
// timer hands the pending event on once its first line is Timeout old, re-arms
// for a newer event, and a line that comes after Timeout starts a new event
// even if it would continue the pending one.
func TestMultilineTimeout(t *testing.T) {
	sink := &fakeSink{}
	w, clk, ft := newML(t, sink, &MultilineOptions{Start: regexp.MustCompile(`^S`)})
	if armed, _ := ft.isArmed(); armed {
		t.Fatal("timer armed before any line")
	}
	mustWrite(t, w, "S never matches again\n")
	armed, d := ft.isArmed()
	if !armed || d != DefaultMultilineTimeout {
		t.Fatalf("timer armed %v for %v, want %v", armed, d, DefaultMultilineTimeout)
	}
	clk.advance(400 * time.Millisecond)
	mustWrite(t, w, "x\n")
	clk.advance(400 * time.Millisecond)
	if !ft.fire() {
		t.Fatal("timer not armed")
	}
	if got := sink.msgs(); len(got) != 0 {
		t.Fatalf("handed on %q before Timeout", got)
	}
	if armed, d := ft.isArmed(); !armed || d != 200*time.Millisecond {
		t.Fatalf("timer re-armed %v for %v, want 200ms", armed, d)
	}
	clk.advance(200 * time.Millisecond)
	ft.fire()
	if got, want := sink.msgs(), []string{"S never matches again\nx"}; !slices.Equal(got, want) {
		t.Fatalf("after Timeout: %q, want %q", got, want)
	}
	if armed, _ := ft.isArmed(); armed {
		t.Fatal("timer armed with nothing pending")
	}
	// An unfinished line is not handed on by the timer (as Shipper.Write
	// keeps it), a pending event is.
	mustWrite(t, w, "y\nunfinished")
	clk.advance(time.Hour)
	ft.fire()
	if got, want := sink.msgs(), []string{"S never matches again\nx", "y"}; !slices.Equal(got, want) {
		t.Fatalf("after the second Timeout: %q, want %q", got, want)
	}
	// A continuation line that comes after Timeout, before the timer fired,
	// starts a new event.
	mustWrite(t, w, "\nS a\n")
	clk.advance(time.Second)
	mustWrite(t, w, "b\n")
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"S never matches again\nx", "y", "unfinished", "S a", "b"}
	if got := sink.msgs(); !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if armed, _ := ft.isArmed(); armed {
		t.Error("timer armed after Close")
	}
}

// TestMultilineTimerAfterCloseStarted: a timer that fires while Close waits
// for a Write leaves the pending event to Close.
func TestMultilineTimerAfterCloseStarted(t *testing.T) {
	sink := &fakeSink{block: make(chan struct{}), blocked: make(chan struct{}, 1)}
	w, clk, ft := newML(t, sink, &MultilineOptions{Start: regexp.MustCompile(`^S`)})
	mustWrite(t, w, "S 1\n") // pending, timer armed
	clk.advance(time.Hour)
	writeDone := make(chan error, 1)
	go func() { _, err := w.Write([]byte("S 2\nS 3\n")); writeDone <- err }() // hands "S 1" on, blocks
	<-sink.blocked
	// The timer fires: its callback waits for the Write.
	var cbDone sync.WaitGroup
	cbDone.Go(func() { ft.fire() })
	closeDone := make(chan error, 1)
	go func() { closeDone <- w.Close(context.Background()) }()
	waitFor(t, "Close to start", w.closing.Load)
	close(sink.block)
	if err := <-writeDone; err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := <-closeDone; err != nil {
		t.Fatalf("Close: %v", err)
	}
	// The callback found Close started and left the event to it.
	callbackDone := make(chan struct{})
	go func() { cbDone.Wait(); close(callbackDone) }()
	select {
	case <-callbackDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the timer's callback did not return")
	}
	if got, want := sink.msgs(), []string{"S 1", "S 2", "S 3"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestMultilineCloseWaitsForTimer: Close returns only once a timer callback
// in progress has returned, so that nothing of the writer runs after Close.
func TestMultilineCloseWaitsForTimer(t *testing.T) {
	sink := &fakeSink{}
	w, _, ft := newML(t, sink, &MultilineOptions{Start: regexp.MustCompile(`^S`)})
	entered, release := make(chan struct{}), make(chan struct{})
	w.testHookTimerEnd = func() { close(entered); <-release }
	mustWrite(t, w, "S 1\n")
	go ft.fire() // not due yet: re-arms, then stays in the hook
	<-entered
	closeDone := make(chan error, 1)
	go func() { closeDone <- w.Close(context.Background()) }()
	returned := false
	waitFor(t, "Close to return or to wait for the timer", func() bool {
		select {
		case err := <-closeDone:
			closeDone <- err
			returned = true
			return true
		default:
		}
		for g := range strings.SplitSeq(allStacks(), "\n\n") {
			if strings.Contains(g, "(*MultilineWriter).Close") && strings.Contains(g, "sync.(*WaitGroup).Wait") {
				return true
			}
		}
		return false
	})
	if returned {
		t.Fatal("Close returned while the timer's callback was running")
	}
	close(release)
	if err := <-closeDone; err != nil {
		t.Fatal(err)
	}
	if got := sink.msgs(); !slices.Equal(got, []string{"S 1"}) {
		t.Errorf("got %q", got)
	}
}

// TestMultilineNoGoroutineLeft: with the real timer, Close leaves no
// goroutine of the writer behind, whether the timer had fired or not.
func TestMultilineNoGoroutineLeft(t *testing.T) {
	for _, timeout := range []time.Duration{time.Nanosecond, time.Hour} {
		t.Run(timeout.String(), func(t *testing.T) {
			before := runtime.NumGoroutine()
			sink := &fakeSink{}
			for range 50 {
				w, err := NewMultilineWriter(sink, &MultilineOptions{Start: regexp.MustCompile(`^S`), Timeout: timeout})
				if err != nil {
					t.Fatal(err)
				}
				mustWrite(t, w, "S a\n b\n")
				mustWrite(t, w, "S c\n")
				if err := w.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
				if w.armed {
					t.Fatal("timer armed after Close")
				}
			}
			// A goroutine that has called wg.Done may take a moment to exit;
			// none may stay.
			waitFor(t, "the timer goroutines to exit", func() bool {
				return !strings.Contains(allStacks(), "(*MultilineWriter).onTimer") && runtime.NumGoroutine() <= before
			})
		})
	}
}

func allStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

func TestMultilineFlush(t *testing.T) {
	sink := &fakeSink{}
	w, _, _ := newML(t, sink, &MultilineOptions{Start: regexp.MustCompile(`^S`), Timeout: time.Hour})
	mustWrite(t, w, "S a\n b\n c")
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := sink.msgs(), []string{"S a\n b\n c"}; !slices.Equal(got, want) || sink.flushes != 1 {
		t.Fatalf("after Flush: %q and %d flushes, want %q and 1", got, sink.flushes, want)
	}
	// The line after a Flush starts a new event, even a continuation line.
	mustWrite(t, w, " d\n")
	// An ended ctx: nothing handed on, the destination not flushed.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Flush(ctx); err != context.Canceled {
		t.Fatalf("Flush(cancelled) = %v", err)
	}
	if got := sink.msgs(); len(got) != 1 || sink.flushes != 1 {
		t.Fatalf("Flush(cancelled) handed on %q, flushed %d times", got, sink.flushes)
	}
	// The destination's errors are returned: its Flush's and the event's.
	errFlush := errors.New("flush failed")
	errLog := errors.New("log failed")
	sink.flushErr = errFlush
	if err := w.Flush(context.Background()); err != errFlush {
		t.Fatalf("Flush = %v, want %v", err, errFlush)
	}
	mustWrite(t, w, "S e\n")
	sink.err = errLog
	if err := w.Flush(context.Background()); !errors.Is(err, errFlush) || !errors.Is(err, errLog) {
		t.Fatalf("Flush = %v, want both errors", err)
	}
	if got, want := sink.msgs(), []string{"S a\n b\n c", " d", "S e"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if st := w.Stats(); st.Events != 3 || st.Failed != 1 || st.LastError != errLog {
		t.Errorf("stats %+v", st)
	}
	// After Close, Flush flushes the destination only.
	sink.err, sink.flushErr = nil, nil
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(context.Background()); err != nil || sink.flushes != 4 {
		t.Errorf("Flush after Close = %v with %d flushes, want nil and 4", err, sink.flushes)
	}
}

// TestMultilineFlushWaitsForWrite: Flush's ctx bounds its wait for a Write
// that is handing events on; the pending event then stays pending.
func TestMultilineFlushWaitsForWrite(t *testing.T) {
	sink := &fakeSink{block: make(chan struct{}), blocked: make(chan struct{}, 1)}
	w, _, _ := newML(t, sink, &MultilineOptions{Start: regexp.MustCompile(`^S`), Timeout: time.Hour})
	mustWrite(t, w, "S a\n")
	writeDone := make(chan error, 1)
	go func() { _, err := w.Write([]byte("S b\n")); writeDone <- err }()
	<-sink.blocked
	ctx, cancel := context.WithCancel(context.Background())
	flushDone := make(chan error, 1)
	go func() { flushDone <- w.Flush(ctx) }()
	cancel()
	if err := <-flushDone; err != context.Canceled {
		t.Fatalf("Flush = %v, want context.Canceled", err)
	}
	close(sink.block)
	if err := <-writeDone; err != nil {
		t.Fatal(err)
	}
	sink.mu.Lock()
	sink.block = nil
	sink.mu.Unlock()
	if got := sink.msgs(); !slices.Equal(got, []string{"S a"}) {
		t.Fatalf("got %q", got)
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sink.msgs(); !slices.Equal(got, []string{"S a", "S b"}) {
		t.Fatalf("got %q", got)
	}
}

// TestMultilineWriteAfterClose: Write after Close refuses its input and counts
// its lines as Shipper.Write counts them after Close.
func TestMultilineWriteAfterClose(t *testing.T) {
	inputs := []string{"a\nb\n", "a\nb", "a\r\n\r\n\nb\r\n", "\n\n", "one unfinished line"}
	for _, in := range inputs {
		t.Run(fmt.Sprintf("%q", in), func(t *testing.T) {
			sink := &fakeSink{}
			w, _, _ := newML(t, sink, &MultilineOptions{Start: regexp.MustCompile(`^S`)})
			mustWrite(t, w, "S pending\n unfinished")
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n, err := w.Write([]byte(in)); n != 0 || err != ErrClosed {
				t.Fatalf("Write after Close = %d, %v; want 0, ErrClosed", n, err)
			}
			if got := sink.msgs(); !slices.Equal(got, []string{"S pending\n unfinished"}) {
				t.Errorf("handed on %q", got)
			}
			s := mustNew(t, newFake(t), fastOpts())
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			_, _ = s.Write([]byte(in))
			st := w.Stats()
			if st.Refused != s.Stats().Dropped.Closed || st.Refused != nonEmptyLines(in) {
				t.Errorf("Refused = %d; the shipper counted %d", st.Refused, s.Stats().Dropped.Closed)
			}
			if st.Lines != 2 || st.Events != 1 {
				t.Errorf("stats %+v", st)
			}
			if err := w.Close(context.Background()); err != nil {
				t.Errorf("second Close = %v", err)
			}
		})
	}
}

// TestMultilineCloseDoesNotCloseDestination: Close hands the pending event to
// the shipper and leaves it open; closing the shipper first makes Close report
// ErrClosed, counted by the shipper.
func TestMultilineCloseDoesNotCloseDestination(t *testing.T) {
	f := newFake(t)
	s := mustNew(t, f, fastOpts())
	w, err := NewMultilineWriter(s, &MultilineOptions{Continue: regexp.MustCompile(GoTracebackPattern)})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, "hello\n"+goStack)
	if err := w.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.Log(time.Now(), "the shipper is still open"); err != nil {
		t.Fatalf("Log after the writer's Close: %v", err)
	}
	if err := s.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range f.stored("g", "s") {
		got = append(got, e.Message)
	}
	if want := []string{"hello", strings.TrimSuffix(goStack, "\n"), "the shipper is still open"}; !slices.Equal(got, want) {
		t.Fatalf("stored %q, want %q", got, want)
	}

	// The wrong order: the shipper closed first refuses the last event.
	s2 := mustNew(t, newFake(t), fastOpts())
	w2, err := NewMultilineWriter(s2, &MultilineOptions{Start: regexp.MustCompile(`^S`)})
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w2, "S 1\nS 2\n")
	if err := s2.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if n, err := w2.Write([]byte("S 3\n")); n != 4 || err != ErrClosed {
		t.Fatalf("Write to a closed shipper = %d, %v; want 4, ErrClosed", n, err)
	}
	if err := w2.Close(ctxT(t)); err != ErrClosed {
		t.Fatalf("Close after the shipper's = %v, want ErrClosed", err)
	}
	if st := s2.Stats(); st.Sent != 1 || st.Dropped.Closed != 2 {
		t.Errorf("shipper stats %+v: want 1 sent, 2 refused as closed", st)
	}
	if st := w2.Stats(); st.Events != 3 || st.Failed != 2 || st.LastError != ErrClosed || st.Lines != 3 {
		t.Errorf("writer stats %+v", st)
	}
}

// TestMultilineCloseWhileWriteBlocked: Close's ctx bounds its wait for a
// Write that waits in the destination; the pending event is handed on once
// that Write returns, and nothing is left running.
func TestMultilineCloseWhileWriteBlocked(t *testing.T) {
	sink := &fakeSink{block: make(chan struct{}), blocked: make(chan struct{}, 1)}
	w, _, _ := newML(t, sink, &MultilineOptions{Start: regexp.MustCompile(`^S`), Timeout: time.Hour})
	writeDone := make(chan error, 1)
	go func() { _, err := w.Write([]byte("S 1\nS 2\n 2b")); writeDone <- err }()
	<-sink.blocked // "S 1" is being handed on
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Close(ctx); err != context.Canceled {
		t.Fatalf("Close = %v, want context.Canceled", err)
	}
	if n, err := w.Write([]byte("late\n")); n != 0 || err != ErrClosed {
		t.Fatalf("Write after Close = %d, %v", n, err)
	}
	close(sink.block) // the Write returns, then Close's goroutine hands "S 2\n 2b" on
	if err := <-writeDone; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the pending event", func() bool { return len(sink.msgs()) == 2 })
	if got, want := sink.msgs(), []string{"S 1", "S 2\n 2b"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if err := w.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if st := w.Stats(); st.Lines != 3 || st.Events != 2 || st.Refused != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestMultilineConcurrent: concurrent Writes of whole records, with Flush
// and Stats beside them, lose and mix nothing (run with -race).
func TestMultilineConcurrent(t *testing.T) {
	f := newFake(t)
	o := fastOpts()
	o.FlushInterval = time.Millisecond
	s := mustNew(t, f, o)
	w, err := NewMultilineWriter(s, &MultilineOptions{Start: regexp.MustCompile(`^rec `), Timeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	const writers, records = 8, 200
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range records {
				rec := fmt.Sprintf("rec %d-%d\n\tframe 1\n\n\tframe 2\r\n", g, i)
				if _, err := w.Write([]byte(rec)); err != nil {
					t.Error(err)
					return
				}
				if i%50 == 0 {
					if err := w.Flush(context.Background()); err != nil {
						t.Error(err)
					}
					_ = w.Stats()
				}
			}
		})
	}
	wg.Wait()
	if err := w.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range f.stored("g", "s") {
		id, ok := strings.CutPrefix(e.Message, "rec ")
		id, rest, _ := strings.Cut(id, "\n")
		if !ok || rest != "\tframe 1\n\n\tframe 2" || seen[id] {
			t.Fatalf("bad or repeated event %q", e.Message)
		}
		seen[id] = true
	}
	if len(seen) != writers*records {
		t.Fatalf("stored %d records, want %d", len(seen), writers*records)
	}
	if st := w.Stats(); st.Events != writers*records || st.Lines != 3*writers*records {
		t.Errorf("stats %+v", st)
	}
	f.checkNoViolations(t)
}

// TestMultilineDefaults: MaxBytes follows the shipper's message limit.
func TestMultilineDefaults(t *testing.T) {
	s := mustNew(t, newFake(t), &Options{MaxMessageBytes: 100})
	w, err := NewMultilineWriter(s, &MultilineOptions{Start: regexp.MustCompile(`^S`)})
	if err != nil {
		t.Fatal(err)
	}
	if w.maxBytes != 100 || w.timeout != time.Second || w.sep != "\n" || w.maxLines != 0 {
		t.Errorf("defaults: maxBytes %d, timeout %v, sep %q, maxLines %d", w.maxBytes, w.timeout, w.sep, w.maxLines)
	}
	w, err = NewMultilineWriter(&fakeSink{}, &MultilineOptions{Start: regexp.MustCompile(`^S`)})
	if err != nil {
		t.Fatal(err)
	}
	if w.maxBytes != MaxMessageBytes {
		t.Errorf("maxBytes %d, want %d", w.maxBytes, MaxMessageBytes)
	}
	_ = s.Close(context.Background())
	s = mustNew(t, newFake(t), &Options{MaxMessageBytes: 2})
	if w, err = NewMultilineWriter(s, &MultilineOptions{Start: regexp.MustCompile(`^S`)}); err != nil || w.maxBytes != utf8.UTFMax {
		t.Errorf("with MaxMessageBytes 2: %v, maxBytes %d, want %d", err, w.maxBytes, utf8.UTFMax)
	}
	_ = s.Close(context.Background())
}

func TestMultilineOptionErrors(t *testing.T) {
	re := regexp.MustCompile(`^S`)
	cases := []struct {
		name string
		dst  EventSink
		opts *MultilineOptions
		want string // in the error
	}{
		{"nil dst", nil, &MultilineOptions{Start: re}, "dst is nil"},
		{"nil opts", &fakeSink{}, nil, "Start or MultilineOptions.Continue is required"},
		{"no pattern", &fakeSink{}, &MultilineOptions{}, "one of Start and Continue is required"},
		{"two patterns", &fakeSink{}, &MultilineOptions{Start: re, Continue: re}, "Start (\"^S\") and Continue (\"^S\") are both set"},
		{"negative Timeout", &fakeSink{}, &MultilineOptions{Start: re, Timeout: -1}, "MultilineOptions.Timeout -1ns: must not be negative"},
		{"negative MaxBytes", &fakeSink{}, &MultilineOptions{Start: re, MaxBytes: -1}, "MultilineOptions.MaxBytes -1"},
		{"small MaxBytes", &fakeSink{}, &MultilineOptions{Start: re, MaxBytes: 3}, "MultilineOptions.MaxBytes 3: must be within 4–1048550"},
		{"large MaxBytes", &fakeSink{}, &MultilineOptions{Start: re, MaxBytes: MaxMessageBytes + 1}, "MultilineOptions.MaxBytes 1048551"},
		{"negative MaxLines", &fakeSink{}, &MultilineOptions{Start: re, MaxLines: -2}, "MultilineOptions.MaxLines -2"},
		{"invalid Separator", &fakeSink{}, &MultilineOptions{Start: re, Separator: "\xff"}, "MultilineOptions.Separator \"\\xff\": must be valid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := NewMultilineWriter(tc.dst, tc.opts)
			if err == nil || w != nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, %v; want an error containing %q", w, err, tc.want)
			}
		})
	}
}

// traceCase is a file of testdata/multiline: what a program really wrote to
// stderr, and the lines (0-based) that start events.
type traceCase struct {
	file   string
	starts []int
}

var goTraces = []traceCase{
	{"goroutine.txt", []int{0, 1}},
	{"goroutine-all.txt", []int{0, 1}},
	{"goroutine-system.txt", []int{0, 1}},
	{"nilmap.txt", []int{0, 1}},
	{"nilptr.txt", []int{0, 1}},
	{"deadlock.txt", []int{0, 1}},
	{"repanic.txt", []int{0, 1}},
	{"reraise.txt", []int{0, 1}},
	{"generic.txt", []int{0, 1}},
	{"message.txt", []int{0, 1}},
	// The "runtime:" lines before the fatal error are events of their own.
	{"overflow.txt", []int{0, 1, 2, 3}},
	// kill -QUIT: the PC line and the register dump after the goroutines continue it.
	{"sigquit.txt", []int{0, 1}},
}

var javaTraces = []traceCase{
	{"java.txt", []int{0, 1}},
	// The second line of the message is not indented: it starts an event.
	{"java-message.txt", []int{0, 1, 8}},
}

// wantEvents cuts text into the events that start at the given lines.
func wantEvents(text string, starts []int) []string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var out []string
	for i, s := range starts {
		end := len(lines)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		out = append(out, strings.Join(lines[s:end], "\n"))
	}
	return out
}

// checkTrace writes text through a writer with the pattern, in the pieces a
// pipe might deliver, and compares the events with the expected cut.
func checkTrace(t *testing.T, pattern, text string, starts []int) {
	t.Helper()
	want := wantEvents(text, starts)
	for _, piece := range []int{len(text), 4096, 7} {
		sink := &fakeSink{}
		w, _, _ := newML(t, sink, &MultilineOptions{Continue: regexp.MustCompile(pattern)})
		for rest := text; rest != ""; {
			n := min(piece, len(rest))
			mustWrite(t, w, rest[:n])
			rest = rest[n:]
		}
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := sink.msgs(); !slices.Equal(got, want) {
			t.Fatalf("written in pieces of %d: %d events, want %d:\n%s", piece, len(got), len(want), diffEvents(got, want))
		}
	}
}

func diffEvents(got, want []string) string {
	var b strings.Builder
	for i := range max(len(got), len(want)) {
		g, w := "<none>", "<none>"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			fmt.Fprintf(&b, "event %d:\n got  %q\n want %q\n", i, g, w)
		}
	}
	return b.String()
}

// TestGoTracebackPattern checks the pattern against tracebacks the Go runtime
// printed (testdata/multiline, made by testdata/multiline/gopanic).
func TestGoTracebackPattern(t *testing.T) {
	for _, tc := range goTraces {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "multiline", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkTrace(t, GoTracebackPattern, string(b), tc.starts)
		})
	}
}

// TestGoTracebackPatternLive runs testdata/multiline/gopanic with the Go
// toolchain at hand, so that a runtime that changes its traceback format
// fails here.
func TestGoTracebackPatternLive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "gopanic")
	if out, err := exec.Command(goTool, "build", "-trimpath", "-o", bin, "./testdata/multiline/gopanic").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range goTraces {
		mode, env, _ := strings.Cut(strings.TrimSuffix(tc.file, ".txt"), "-")
		t.Run(tc.file, func(t *testing.T) {
			cmd := exec.Command(bin, mode)
			cmd.Env = append(os.Environ(), "GOTRACEBACK="+map[string]string{"": "single", "all": "all", "system": "system"}[env])
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Run(); err == nil {
				t.Fatal("the program did not fail")
			}
			text := stderr.String()
			if !strings.HasPrefix(text, "2025-01-01T00:00:00Z INFO starting\n") || strings.Count(text, "\n") < 4 {
				t.Fatalf("unexpected output:\n%s", text)
			}
			checkTrace(t, GoTracebackPattern, text, tc.starts)
		})
	}
}

// TestJavaStackTracePattern checks the pattern against stack traces a JVM
// printed (testdata/multiline, made by testdata/multiline/javatrace).
func TestJavaStackTracePattern(t *testing.T) {
	for _, tc := range javaTraces {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "multiline", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkTrace(t, JavaStackTracePattern, string(b), tc.starts)
		})
	}
}

// TestJavaStackTracePatternLive runs testdata/multiline/javatrace when a JDK
// is installed (skipped otherwise, in CI too: the JDK is no peer of the
// project, the committed output is tested above).
func TestJavaStackTracePatternLive(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs a Java program")
	}
	javac, err1 := exec.LookPath("javac")
	java, err2 := exec.LookPath("java")
	if err1 != nil || err2 != nil {
		t.Skip("no JDK")
	}
	dir := t.TempDir()
	if out, err := exec.Command(javac, "-d", dir, "testdata/multiline/javatrace/JavaTrace.java").CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	for i, tc := range javaTraces {
		t.Run(tc.file, func(t *testing.T) {
			args := []string{"-cp", dir, "JavaTrace"}
			if i == 1 {
				args = append(args, "message")
			}
			cmd := exec.Command(java, args...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Run(); err == nil {
				t.Fatal("the program did not fail")
			}
			checkTrace(t, JavaStackTracePattern, stderr.String(), tc.starts)
		})
	}
}

// scratchSink is an EventSink that collects the events' bytes and, at each
// event, records the largest capacity of the writer's scratch buffers.
type scratchSink struct {
	w       *MultilineWriter
	text    strings.Builder
	events  int
	maxSize int // of the largest event
	maxCap  int // of w.line or w.valid
}

func (s *scratchSink) LogContext(_ context.Context, _ time.Time, msg string) error {
	s.text.WriteString(msg)
	s.events++
	s.maxSize = max(s.maxSize, len(msg))
	s.maxCap = max(s.maxCap, cap(s.w.line), cap(s.w.valid))
	return nil
}

func (s *scratchSink) Flush(context.Context) error { return nil }

// TestMultilineLongLineMemory: a line far longer than MaxBytes is handed on
// in pieces as it comes, however it is written, and the writer's scratch
// buffers stay small, during the Write and after. A long line written at once
// (or completing an unfinished start) used to be copied whole into the line
// buffer, and its copy with invalid UTF-8 replaced (3 bytes for each invalid
// one) stayed allocated until Close: 64 MB of "x\xff" kept 128 MB.
func TestMultilineLongLineMemory(t *testing.T) {
	long := strings.Repeat("x\xffé\xe2\x82", 1<<20/7*4) // 4 MiB, invalid UTF-8 in every piece
	want := validUTF8(long)
	const bound = shrinkAbove
	for _, tc := range []struct {
		name   string
		writes []string
	}{
		{"at once", []string{long + "\n"}},
		{"after its start", []string{long[:10], long[10:] + "\r\n"}},
		{"unfinished", []string{long}},
		{"in pieces", slices.Collect(func(yield func(string) bool) {
			for rest := long + "\n"; rest != ""; {
				n := min(len(rest), 100_000)
				if !yield(rest[:n]) {
					return
				}
				rest = rest[n:]
			}
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &scratchSink{}
			w, _, _ := newML(t, sink, &MultilineOptions{Continue: regexp.MustCompile(GoTracebackPattern), MaxBytes: 1000})
			sink.w = w
			for _, s := range tc.writes {
				mustWrite(t, w, s)
				if c := max(cap(w.line), cap(w.valid)); c > bound {
					t.Fatalf("after a Write, scratch buffers of %d bytes, want %d at most", c, bound)
				}
			}
			if sink.maxCap > bound {
				t.Errorf("during the Writes, scratch buffers of %d bytes, want %d at most", sink.maxCap, bound)
			}
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if sink.text.String() != want || sink.maxSize > 1000 {
				t.Errorf("%d events of %d bytes at most do not make up the line", sink.events, sink.maxSize)
			}
		})
	}
}

// TestMultilineWriteBoundaries: the events do not depend on where the input
// is cut into Writes. A line longer than MaxBytes used to be matched, when it
// came in pieces, on the part of its start that fits in MaxBytes; that part
// could then join the pending event, which the whole line, written at once,
// could not. Found by comparing the events of random inputs written whole and
// byte by byte.
func TestMultilineWriteBoundaries(t *testing.T) {
	cases := []struct {
		name string
		opts MultilineOptions
		in   string
		want []string
	}{
		{
			name: "long line after a start line, cut before an emoji",
			opts: MultilineOptions{Start: regexp.MustCompile(`^S`), MaxBytes: 4},
			in:   "S\n  😀a\n",
			want: []string{"S", "  ", "😀", "a"},
		},
		{
			name: "long continuation line, cut inside an emoji",
			opts: MultilineOptions{Continue: regexp.MustCompile(`^\s`), MaxBytes: 8},
			in:   "a\n 12345😀x\n b\n",
			want: []string{"a", " 12345", "😀x\n b"},
		},
		{
			name: "long continuation line ending in CR",
			opts: MultilineOptions{Continue: regexp.MustCompile(`^\s`), MaxBytes: 5},
			in:   "a\n 1234\r\r\n b\n",
			want: []string{"a", " 1234", "\r\n b"},
		},
		{
			name: "long line of invalid UTF-8",
			opts: MultilineOptions{Continue: regexp.MustCompile(`^\s`), MaxBytes: 7},
			in:   "a\n \xff\xff\xff\n",
			want: []string{"a", " \uFFFD\uFFFD", "\uFFFD"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Timeout = time.Hour
			run := func(writes []string) []string {
				sink := &fakeSink{}
				w, _, _ := newML(t, sink, &o)
				for _, s := range writes {
					mustWrite(t, w, s)
				}
				if err := w.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
				return sink.msgs()
			}
			if got := run([]string{tc.in}); !slices.Equal(got, tc.want) {
				t.Errorf("written at once: got %q, want %q", got, tc.want)
			}
			var bytewise []string
			for i := range len(tc.in) {
				bytewise = append(bytewise, tc.in[i:i+1])
			}
			if got := run(bytewise); !slices.Equal(got, tc.want) {
				t.Errorf("written byte by byte: got %q, want %q", got, tc.want)
			}
			for i := 1; i < len(tc.in); i++ {
				if got := run([]string{tc.in[:i], tc.in[i:]}); !slices.Equal(got, tc.want) {
					t.Errorf("written as %q + %q: got %q, want %q", tc.in[:i], tc.in[i:], got, tc.want)
				}
			}
		})
	}
}

// modelEvents is the grouping MultilineWriter promises when no limit, timeout
// or Flush cuts an event: lines (without "\r", invalid UTF-8 replaced) grouped
// at each start, empty lines kept inside and dropped around.
func modelEvents(data string, starts func(string) bool, sep string) []string {
	var out, cur []string
	end := func() {
		for len(cur) > 0 && cur[len(cur)-1] == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, sep))
		}
		cur = nil
	}
	for l := range strings.SplitSeq(data, "\n") {
		l = validUTF8(strings.TrimSuffix(l, "\r"))
		switch {
		case l == "":
			if len(cur) > 0 {
				cur = append(cur, "")
			}
			continue
		case starts(l):
			end()
		}
		cur = append(cur, l)
	}
	end()
	return out
}

// FuzzMultiline checks the invariants of MultilineWriter on any input,
// written in three pieces with a Flush, a timer expiry or nothing after each:
// every event is non-empty valid UTF-8 of at most MaxBytes and MaxLines;
// the events hold every byte of the non-empty lines (invalid UTF-8 replaced),
// once and in order, with only separators added; Stats count every line.
// Without limits and cuts, the events are exactly those of modelEvents;
// without cuts, those of the input written at once.
func FuzzMultiline(f *testing.F) {
	f.Add([]byte("S a\n b\n\n c\r\nS d\n\n"), uint16(3), uint8(0), uint8(4), uint8(0), uint8(0))
	f.Add([]byte("x\n\tat y\r\n\n\xff\xfe€€€€€ z\nw"), uint16(9), uint8(1), uint8(0), uint8(2), uint8(0x15))
	f.Add([]byte("panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/x.go:5\n"), uint16(300), uint8(4), uint8(0), uint8(0), uint8(0))
	f.Add([]byte("a€€€€€€€€€€€€€€€€€€€b\r\r\nS"), uint16(5), uint8(2), uint8(1), uint8(1), uint8(0x3f))
	f.Add([]byte("S\n  😀a\n"), uint16(7), uint8(0), uint8(0), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, cuts uint16, mode, maxBytes, maxLines, ops uint8) {
		o := &MultilineOptions{MaxBytes: utf8.UTFMax + int(maxBytes%29), MaxLines: int(maxLines % 4), Timeout: time.Second}
		var starts func(string) bool
		if mode&1 == 0 {
			o.Start = regexp.MustCompile(`^S`)
			starts = o.Start.MatchString
		} else {
			o.Continue = regexp.MustCompile(`^\s`)
			starts = func(l string) bool { return !o.Continue.MatchString(l) }
		}
		if mode&2 != 0 {
			o.Separator = "¶"
		}
		model := mode&4 != 0 // no limits, no cuts: compare with modelEvents
		if model {
			o.MaxBytes, o.MaxLines, ops = 0, 0, 0
		}
		sep := cmp.Or(o.Separator, "\n")
		sink := &fakeSink{}
		w, clk, ft := newML(t, sink, o)
		a, b := threeCuts(len(data), cuts)
		// text is data as the writer sees it: Flush completes the
		// unfinished line, as a "\n" would.
		var text strings.Builder
		for i, p := range [][]byte{data[:a], data[a:b], data[b:]} {
			if n, err := w.Write(p); n != len(p) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
			text.Write(p)
			switch ops >> (2 * i) & 3 {
			case 1:
				if err := w.Flush(context.Background()); err != nil {
					t.Fatal(err)
				}
				text.WriteByte('\n')
			case 2:
				clk.advance(time.Second)
				ft.fire()
			}
		}
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := sink.msgs()
		maxB := o.MaxBytes
		if maxB == 0 {
			maxB = MaxMessageBytes
		}
		sepFree := !strings.Contains(text.String(), sep)
		for _, m := range got {
			if m == "" || !utf8.ValidString(m) || len(m) > maxB {
				t.Fatalf("bad event %q (MaxBytes %d)", m, maxB)
			}
			if sepFree && (strings.HasPrefix(m, sep) || strings.HasSuffix(m, sep)) {
				t.Fatalf("event %q begins or ends with the separator", m)
			}
			if sepFree && o.MaxLines > 0 && strings.Count(m, sep) >= o.MaxLines {
				t.Fatalf("event %q has more than %d lines", m, o.MaxLines)
			}
		}
		var want strings.Builder
		for l := range strings.SplitSeq(text.String(), "\n") {
			want.WriteString(validUTF8(strings.TrimSuffix(l, "\r")))
		}
		if g, w := strings.ReplaceAll(strings.Join(got, ""), sep, ""), strings.ReplaceAll(want.String(), sep, ""); g != w {
			t.Fatalf("bytes differ:\n got  %q\n want %q", g, w)
		}
		if ops == 0 {
			// Where the input is cut into Writes does not matter.
			sink1 := &fakeSink{}
			w1, _, _ := newML(t, sink1, o)
			mustWrite(t, w1, string(data))
			if err := w1.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if whole := sink1.msgs(); !slices.Equal(got, whole) {
				t.Fatalf("events differ from those of one Write:\n%s", diffEvents(got, whole))
			}
		}
		if model {
			if want := modelEvents(string(data), starts, sep); !slices.Equal(got, want) {
				t.Fatalf("events differ from the model:\n%s", diffEvents(got, want))
			}
		}
		st := w.Stats()
		if st.Lines != nonEmptyLines(text.String()) || st.Events != int64(len(got)) || st.Failed != 0 || st.Refused != 0 {
			t.Fatalf("stats %+v for %d events", st, len(got))
		}
	})
}

// benchLines returns a Write's worth of 100 lines of 100 bytes ("\n"
// included: 99 bytes of text), every one a start line (every=1) or one in
// every lines.
func benchLines(every int) []byte {
	var b strings.Builder
	for i := range 100 {
		var line string
		if i%every == 0 {
			line = fmt.Sprintf("2025-01-02T03:04:05.%03dZ event %d ", i, i)
		} else {
			line = fmt.Sprintf("\tat com.example.Service.handle(Service.java:%d) ", i)
		}
		b.WriteString(line + strings.Repeat("x", 99-len(line)) + "\n")
	}
	return []byte(b.String())
}

// BenchmarkMultilineWrite measures MultilineWriter in front of a Shipper
// (whose API discards the batches), with a start pattern: 100 lines of 100
// bytes per Write, each line an event or 10 lines per event; one op is one
// line. BenchmarkWrite measures Shipper.Write alone on the same input size.
func BenchmarkMultilineWrite(b *testing.B) {
	for _, every := range []int{1, 10} {
		b.Run(fmt.Sprintf("lines-per-event=%d", every), func(b *testing.B) {
			s, _ := New(discardAPI{}, "bench-group", "bench-stream", nil)
			w, err := NewMultilineWriter(s, &MultilineOptions{Start: regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)})
			if err != nil {
				b.Fatal(err)
			}
			chunk := benchLines(every)
			b.ReportAllocs()
			b.SetBytes(100)
			n := 0
			for b.Loop() {
				if n%100 == 0 {
					_, _ = w.Write(chunk)
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
			_ = w.Close(context.Background())
			_ = s.Close(context.Background())
		})
	}
}

// threeCuts returns where to cut n bytes into three pieces, [:a], [a:b] and
// [b:], from a fuzzer's cuts.
func threeCuts(n int, cuts uint16) (a, b int) {
	if n == 0 {
		return 0, 0
	}
	a = int(cuts&0xff) % (n + 1)
	return a, a + int(cuts>>8)%(n-a+1)
}
