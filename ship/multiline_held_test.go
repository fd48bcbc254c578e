package ship

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMultilineFlushComplete: FlushComplete hands on the complete events and
// flushes the destination, keeps the pending event and the unfinished line, and
// says how many of the bytes written they are; DiscardPending drops them, counted
// in Stats.Discarded.
func TestMultilineFlushComplete(t *testing.T) {
	rec := regexp.MustCompile(`^REC`)
	for _, tc := range []struct {
		name     string
		writes   []string
		maxBytes int
		expire   bool // the pending event's Timeout has passed at FlushComplete
		events   []string
		held     int64
		lines    int64 // Stats.Lines after DiscardPending
		dropped  int64 // Stats.Discarded
	}{
		{"one record", []string{"REC 1\n  a\n"}, 0, false, nil, 10, 0, 2},
		{"record ended by the next", []string{"REC 1\n  a\nREC 2\n"}, 0, false, []string{"REC 1\n  a"}, 6, 2, 1},
		{"across writes", []string{"REC 1\n  ", "a\nRE", "C 2\n  b"}, 0, false, []string{"REC 1\n  a"}, len64("REC 2\n  b"), 2, 2},
		// The unfinished line may yet not start a record: REC 1 is pending too.
		{"unfinished line after a record", []string{"REC 1\n", "REC 2"}, 0, false, nil, 11, 0, 2},
		{"blank lines before: not held", []string{"\n\r\n\nREC 1\n"}, 0, false, nil, 6, 0, 1},
		{"blank lines after: held", []string{"REC 1\n  a\n\n\n"}, 0, false, nil, 12, 0, 2},
		{"blank lines between records", []string{"REC 1\n\n\nREC 2\n"}, 0, false, []string{"REC 1"}, 6, 1, 1},
		{"before the first match", []string{"  x\n  y\n"}, 0, false, nil, 8, 0, 2},
		{"CRLF and invalid UTF-8 count as written", []string{"REC 1\r\n\xff\xfe\r\n"}, 0, false, nil, 11, 0, 2},
		{"nothing pending", []string{"REC 1\n", "\n"}, 0, true, []string{"REC 1"}, 0, 1, 0},
		{"Timeout passed: handed on", []string{"REC 1\n  a\n"}, 0, true, []string{"REC 1\n  a"}, 0, 2, 0},
		// A line longer than MaxBytes is held from its start until its last piece is
		// handed on, though its first pieces are.
		{"long line", []string{"REC 1\nREC 1234567890123\n"}, 8, false, []string{"REC 1", "REC 1234", "56789012"}, 18, 2, 1},
		{"long unfinished line", []string{"REC 1\nREC 12345678"}, 8, false, []string{"REC 1", "REC 1234"}, 12, 2, 1},
		{"record full at MaxBytes", []string{"REC 1\n  a\n  b\n"}, 9, false, []string{"REC 1\n  a"}, 4, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &fakeSink{}
			w, clk, _ := newML(t, sink, &MultilineOptions{Start: rec, MaxBytes: tc.maxBytes, Timeout: time.Minute})
			for _, s := range tc.writes {
				mustWrite(t, w, s)
			}
			if tc.expire {
				clk.advance(time.Minute)
			}
			held, err := w.FlushComplete(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := sink.msgs(); !slices.Equal(got, tc.events) {
				t.Errorf("events %q, want %q", got, tc.events)
			}
			if held != tc.held {
				t.Errorf("held %d, want %d", held, tc.held)
			}
			if sink.flushes != 1 {
				t.Errorf("%d Flushes of the destination, want 1", sink.flushes)
			}
			n, err := w.DiscardPending(context.Background())
			if err != nil || n != held {
				t.Errorf("DiscardPending = %d, %v; want %d, the bytes held", n, err, held)
			}
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := sink.msgs(); !slices.Equal(got, tc.events) {
				t.Errorf("after DiscardPending and Close: events %q, want %q", got, tc.events)
			}
			if st := w.Stats(); st.Lines != tc.lines || st.Discarded != tc.dropped || st.Events != int64(len(tc.events)) {
				t.Errorf("stats %+v, want %d lines, %d discarded", st, tc.lines, tc.dropped)
			}
		})
	}
}

func len64(s string) int64 { return int64(len(s)) }

// TestMultilineFlushCompleteErrors: a destination's Flush error, or an event it
// refuses, is returned with held 0; after Close, nothing is held or dropped.
func TestMultilineFlushCompleteErrors(t *testing.T) {
	rec := regexp.MustCompile(`^REC`)
	sink := &fakeSink{flushErr: ErrClosed}
	w, _, _ := newML(t, sink, &MultilineOptions{Start: rec})
	mustWrite(t, w, "REC 1\nREC 2\n")
	if held, err := w.FlushComplete(context.Background()); err != ErrClosed || held != 0 {
		t.Errorf("FlushComplete = %d, %v; want 0 and the Flush error", held, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if held, err := w.FlushComplete(ctx); err != context.Canceled || held != 0 {
		t.Errorf("FlushComplete(ended ctx) = %d, %v", held, err)
	}
	if n, err := w.DiscardPending(ctx); err != context.Canceled || n != 0 {
		t.Errorf("DiscardPending(ended ctx) = %d, %v", n, err)
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := w.DiscardPending(context.Background()); n != 0 || err != nil {
		t.Errorf("DiscardPending after Close = %d, %v", n, err)
	}
	if got := sink.msgs(); !slices.Equal(got, []string{"REC 1", "REC 2"}) {
		t.Errorf("events %q: Close hands the pending event on", got)
	}
}

// FuzzMultilineHeld: the input written in three pieces, FlushComplete after some
// of them (a timer expiry after others): held never reaches into a line already
// handed on whole, and the events handed on hold every line before the held bytes
// (nothing is lost by a checkpoint before them). When no timer expired and no line
// is longer than MaxBytes, the events handed on followed by those of the held bytes
// written again to a new writer (a restart from the checkpoint) are exactly the
// events of the whole input: no record split, none repeated.
func FuzzMultilineHeld(f *testing.F) {
	f.Add([]byte("S a\n b\n\n c\r\nS d\n\n"), uint16(3), uint8(0), uint8(0), uint8(0x15))
	f.Add([]byte("S 1\n  a\nS 2\n  b"), uint16(0x0906), uint8(1), uint8(2), uint8(0x3f))
	f.Add([]byte("x\n\tat y\r\n\n\xff\xfe€€€€€ z\nw"), uint16(9), uint8(1), uint8(3), uint8(0x2a))
	f.Add([]byte("S\n  😀a\nS 12345678901234567890\n b\n"), uint16(7), uint8(0), uint8(1), uint8(0x01))
	f.Fuzz(func(t *testing.T, data []byte, cuts uint16, mode, maxLines, ops uint8) {
		o := &MultilineOptions{MaxBytes: 12, MaxLines: int(maxLines % 4), Timeout: time.Second}
		if mode&1 == 0 {
			o.Start = regexp.MustCompile(`^S`)
		} else {
			o.Continue = regexp.MustCompile(`^\s`)
		}
		sink := &fakeSink{}
		w, clk, ft := newML(t, sink, o)
		a, b := threeCuts(len(data), cuts)
		expired := false
		var held int64
		written := 0
		for i, p := range [][]byte{data[:a], data[a:b], data[b:]} {
			mustWrite(t, w, string(p))
			written += len(p)
			op := ops >> (2 * i) & 3
			if op == 2 {
				clk.advance(time.Second)
				ft.fire()
				expired = true
			}
			if op == 0 && i < 2 {
				continue
			}
			var err error
			if held, err = w.FlushComplete(context.Background()); err != nil {
				t.Fatal(err)
			}
			checkHeld(t, data[:written], held, sink.msgs(), o.Separator)
		}
		if expired || longLine(data, 12) {
			return
		}
		restart := &fakeSink{}
		w2, _, _ := newML(t, restart, o)
		mustWrite(t, w2, string(data[len(data)-int(held):]))
		if n, err := w.DiscardPending(context.Background()); err != nil || n != held {
			t.Fatalf("DiscardPending = %d, %v; want %d", n, err, held)
		}
		for _, w := range []*MultilineWriter{w, w2} {
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		whole := &fakeSink{}
		w3, _, _ := newML(t, whole, o)
		mustWrite(t, w3, string(data))
		if err := w3.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got, want := append(sink.msgs(), restart.msgs()...), whole.msgs(); !slices.Equal(got, want) {
			t.Fatalf("held %d: events before the checkpoint and after a restart:\n%s", held, diffEvents(got, want))
		}
		if st := w.Stats(); st.Lines+st.Discarded != nonEmptyLines(string(data)) {
			t.Fatalf("stats %+v: %d lines written", st, nonEmptyLines(string(data)))
		}
	})
}

// checkHeld checks FlushComplete's held for the bytes written, data, and the
// events handed on: held starts at a line start, and the events hold the
// non-empty lines before it, then maybe the start of the held ones (the pieces
// of a long line), nothing else.
func checkHeld(t *testing.T, data []byte, held int64, events []string, sep string) {
	t.Helper()
	if held < 0 || held > int64(len(data)) {
		t.Fatalf("held %d of %d bytes", held, len(data))
	}
	cut := len(data) - int(held)
	if held > 0 && cut > 0 && data[cut-1] != '\n' {
		t.Fatalf("held %d: %q does not start a line of %q", held, data[cut:], data)
	}
	if sep == "" {
		sep = "\n"
	}
	lines := func(s string) string {
		var b strings.Builder
		for l := range strings.SplitSeq(s, "\n") {
			b.WriteString(validUTF8(strings.TrimSuffix(l, "\r")))
		}
		return b.String()
	}
	got := strings.ReplaceAll(strings.Join(events, ""), sep, "")
	before, all := lines(string(data[:cut])), lines(string(data))
	if !strings.HasPrefix(got, before) || !strings.HasPrefix(all, got) {
		t.Fatalf("held %d of %q: events %q do not hold the lines before it (%q), or hold more than was written", held, data, events, before)
	}
}

// longLine reports whether a line of data is longer than max bytes, as written or
// with its invalid UTF-8 replaced.
func longLine(data []byte, max int) bool {
	for l := range strings.SplitSeq(string(data), "\n") {
		if len(l) > max || len(validUTF8(strings.TrimSuffix(l, "\r"))) > max {
			return true
		}
	}
	return false
}

// TestMultilineFlushReportsEarlierRefusals: an event the destination refused in a
// Write or when the timer handed it on is reported by the next Flush or
// FlushComplete, as a *FlushError counting it, and by that call only: the caller
// (a checkpoint) must not take the bytes before the call as delivered. Flush and
// FlushComplete returned nil: only the events they handed on themselves counted.
func TestMultilineFlushReportsEarlierRefusals(t *testing.T) {
	errLog := errors.New("refused")
	rec := regexp.MustCompile(`^REC`)
	for _, tc := range []struct {
		name     string
		complete bool // FlushComplete, else Flush
		timer    bool // the refused event is handed on by the timer, else by a Write
	}{
		{"Write, then FlushComplete", true, false},
		{"Write, then Flush", false, false},
		{"timer, then FlushComplete", true, true},
		{"timer, then Flush", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &fakeSink{err: errLog}
			w, clk, ft := newML(t, sink, &MultilineOptions{Start: rec})
			if tc.timer {
				mustWrite(t, w, "REC 1\n")
				clk.advance(time.Hour)
				if !ft.fire() {
					t.Fatal("timer not armed")
				}
			} else {
				mustWrite(t, w, "REC 1\nREC 2\n") // REC 1 handed on, refused
			}
			if len(sink.msgs()) != 1 {
				t.Fatalf("events %q, want REC 1 handed on", sink.msgs())
			}
			sink.mu.Lock()
			sink.err = nil
			sink.mu.Unlock()
			flush := func() error {
				if tc.complete {
					_, err := w.FlushComplete(context.Background())
					return err
				}
				return w.Flush(context.Background())
			}
			var fe *FlushError
			if err := flush(); !errors.As(err, &fe) || fe.Events != 1 || !errors.Is(err, errLog) {
				t.Fatalf("flush after a refused event = %v, want a *FlushError of 1 event wrapping %v", err, errLog)
			}
			if err := flush(); err != nil {
				t.Fatalf("next flush = %v, want nil: the refusal was reported", err)
			}
		})
	}
}
