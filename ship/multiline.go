package ship

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/internal/linecut"
)

// EventSink receives the events a [MultilineWriter] makes. *Shipper
// implements it; so does the *Shipper that [Mux.Stream] returns for one
// stream of a Mux (its Flush flushes that stream only), which gives each
// stream of a Mux a MultilineWriter of its own.
type EventSink interface {
	// LogContext takes one event; see Shipper.LogContext.
	LogContext(ctx context.Context, t time.Time, msg string) error
	// Flush delivers the events taken so far; see Shipper.Flush.
	Flush(ctx context.Context) error
}

var _ EventSink = (*Shipper)(nil)

// GoTracebackPattern is a continuation pattern ([MultilineOptions.Continue])
// that keeps a Go panic or fatal error, with the traceback of every goroutine
// it prints, in one event: the line "panic: ..." or "fatal error: ..." starts
// the event and every line the runtime prints after it continues it — indented
// lines (file:line, a multi-line panic value, "[recovered]" panics), goroutine
// headers, function calls, "created by", "[signal ...]", "runtime stack:",
// elided frames, and the "exit status N" line of go run. It covers
// GOTRACEBACK=single, all and system, and the dump of a SIGQUIT (kill -QUIT,
// Ctrl-\) or of a signal in cgo code: the "PC=0x... m=N sigcode=N" line and
// the register dump ("rax    0xca", one register a line) after the
// goroutines continue the "SIGQUIT: quit" line. Other lines start a new event,
// so a log line written just before a panic stays an event of its own; so do
// the "runtime: ..." lines the runtime prints before some fatal errors (a stack
// overflow). A log line that looks like a Go function call ("pkg.Func(...)",
// with nothing after the closing parenthesis), like a register ("name 0x1f":
// a lower-case name of up to seven letters and digits, spaces, a hexadecimal
// number, nothing else) or begins with white space continues the event
// before it.
//
// Empty lines are not matched (see MultilineOptions): the blank lines of a
// traceback stay in its event.
const GoTracebackPattern = `^(?:\s|goroutine \d+ |created by |panic\(|\[signal |runtime stack:$|\.\.\.(?:additional|\d+) frames elided\.\.\.$|exit status \d+$|[\pL\pN_%./~-]+\.\S*\(.*\)$|PC=0x[0-9a-f]+ m=\d+ sigcode=|signal arrived during cgo execution$|[a-z][a-z0-9]{1,6} +0x[0-9a-f]+$)`

// JavaStackTracePattern is a continuation pattern ([MultilineOptions.Continue])
// that keeps a Java exception's stack trace in one event: lines that begin
// with white space ("\tat ...", "\t... 3 more", "\tSuppressed: ...") and
// "Caused by: " lines continue the event that the exception's first line
// ("Exception in thread ...", or a log line followed by the trace) started.
// The lines of a multi-line exception message after its first begin a new
// event, as the JVM does not indent them.
const JavaStackTracePattern = `^(?:\s|Caused by: )`

// DefaultMultilineTimeout is the default of MultilineOptions.Timeout.
const DefaultMultilineTimeout = time.Second

// MultilineOptions configures a MultilineWriter. Exactly one of Start and
// Continue must be set; the zero value of every other field selects the
// documented default.
//
// Lines are matched without their line ending ("\n" or "\r\n"), invalid UTF-8
// replaced by U+FFFD. Empty lines are never matched: inside an event they are
// kept, at its start or end they are dropped, and they never make an event of
// their own (Shipper.Write drops them too). A line longer than MaxBytes
// cannot share an event: it starts one whatever the patterns, and is not
// matched.
type MultilineOptions struct {
	// Start is the start pattern: a line that matches it starts a new event,
	// any other line continues the current one (Docker's
	// awslogs-multiline-pattern, the CloudWatch agent's
	// multi_line_start_pattern). For example `^\d{4}-\d\d-\d\d` for records
	// that begin with a date. Lines before the first match form events of
	// their own, grouped as if a start line had preceded them.
	Start *regexp.Regexp
	// Continue is the continuation pattern: a line that matches it continues
	// the current event, any other line starts a new one. For example `^\s`
	// for indented continuation lines, GoTracebackPattern or
	// JavaStackTracePattern. A matching line with no event to continue starts
	// one.
	Continue *regexp.Regexp
	// Timeout is how long an event may wait for more lines, counted from its
	// first line: then it is handed on, even if lines keep coming, and the
	// next line starts a new event whatever the patterns say. A pattern that
	// never matches thus delays events by Timeout at most, instead of holding
	// them until MaxBytes. The destination's batching (Options.FlushInterval)
	// comes on top. 0: DefaultMultilineTimeout (1 s), ample for a traceback,
	// which a program writes all at once.
	Timeout time.Duration
	// MaxBytes caps the size of an event, in UTF-8 bytes. A line that would
	// take an event past it starts a new one; a line longer than MaxBytes is
	// cut into events of MaxBytes at most, on UTF-8 character boundaries.
	// At least 4, at most MaxMessageBytes. 0: the destination's
	// Options.MaxMessageBytes (at least 4) when it is a *Shipper, else
	// MaxMessageBytes (1,048,550).
	MaxBytes int
	// MaxLines caps the number of lines of an event (empty lines inside it
	// included): the line after the last one starts a new event. 0: no limit
	// but MaxBytes.
	MaxLines int
	// Separator joins the lines of an event; valid UTF-8. "": "\n".
	Separator string
	// Now returns the current time, the timestamp of the events (the time
	// their first line was written; all the lines of one Write share one
	// reading). Nil: time.Now. Timeout is measured with the runtime's clock
	// whatever Now returns.
	Now func() time.Time
}

// MultilineStats are a MultilineWriter's counters since it was created. Each
// non-empty line written is counted in Lines, in Refused or in Discarded (a
// line that Flush or Close completed before the rest of it came counts as
// two; a line longer than MaxBytes whose first pieces were handed on before
// DiscardPending dropped the rest, in Lines and in Discarded).
type MultilineStats struct {
	// Lines counts the non-empty lines taken into events: complete lines,
	// and unfinished ones that Flush or Close completed or that were longer
	// than MaxBytes.
	Lines int64
	// Events counts the events handed to the destination; Failed those for
	// which it returned an error (a Shipper also counts each of them in its
	// own Stats.Dropped).
	Events int64
	Failed int64
	// Refused counts the non-empty lines that Write refused after Close
	// started (the unfinished last line of its input included), as
	// Shipper.Write counts them after Close: they never reached the
	// destination.
	Refused int64
	// Discarded counts the non-empty lines, complete or not, that
	// DiscardPending dropped.
	Discarded int64
	// LastError is the last error the destination returned; nil if none.
	LastError error
}

// MultilineWriter is an io.Writer that groups lines into multi-line events —
// a stack trace, a Go panic, a pretty-printed JSON document — and hands each
// event to a destination (an [EventSink], usually a *Shipper) with the time
// its first line was written. Shipper.Write makes every line an event of its
// own; a MultilineWriter in front of the shipper keeps records whole.
//
// The patterns of MultilineOptions decide where an event starts. An event is
// handed on when the line after it starts a new one, when it reaches MaxBytes
// or MaxLines, when its first line is Timeout old (a timer hands it on even
// if no line comes), and on Flush and Close. An unfinished last line, without
// its "\n" yet, waits for the next Write, as in Shipper.Write, until Flush
// or Close completes it; one longer than MaxBytes is handed on in pieces.
//
// Its methods are safe for concurrent use. Concurrent Writes are taken one
// after the other: give a record to one Write call (as log.Logger and
// log/slog handlers do) so that no other Write's lines come into it. A Write,
// Flush or Close waits while another one hands events to the destination,
// which may wait for room (Options.OnFull Block).
//
// An idle MultilineWriter runs no goroutine: the timer runs only while an
// event is pending, and Close stops it and waits for it.
//
// Fed from a file with a checkpoint (package ship/follow does so), a writer
// is flushed with FlushComplete, which keeps the record still being grouped
// and says how many bytes it holds, so that the checkpoint stays before them;
// DiscardPending drops them when the reader stops, to be read again, whole,
// from the checkpoint.
type MultilineWriter struct {
	dst      EventSink
	start    *regexp.Regexp
	cont     *regexp.Regexp
	timeout  time.Duration
	maxBytes int
	maxLines int
	sep      string
	now      func() time.Time // nil: the reading of clock

	// clock is the runtime's clock, for Timeout, and afterFunc starts the
	// timer; tests replace them before the first Write. testHookTimerEnd,
	// set only by tests, runs at the end of the timer's callback, after it
	// let go of lk and before it tells Close it is done.
	clock            func() time.Time
	afterFunc        func(time.Duration, func()) multilineTimer
	testHookTimerEnd func()

	closing atomic.Bool // Close has started: Write refuses
	lk      ctxMutex    // holds a token while Write, Flush, Close or the timer uses the fields below

	closed   bool  // Close has handed on the pending event
	closeErr error // Close's result
	line     []byte
	open     bool // the unfinished line is longer than MaxBytes: its start is in the pending event, line holds the bytes kept for the next Write
	// buf holds the events ready to hand on (buf[:done], ends in ready) and
	// then the pending event (buf[done:]).
	buf     []byte
	done    int
	ready   []readyEvent
	evTime  time.Time // the pending event's timestamp
	evClock time.Time // when its first line came, by clock
	evLines int       // lines in the pending event
	blanks  int       // empty lines after its last line (at most maxBytes+1)
	lines   int64     // lines taken, not yet in st
	// Positions in the bytes given to Write, for FlushComplete and
	// DiscardPending: in counts the bytes taken; lineStart is where the
	// unfinished (or open) line began, evStart where the pending event's
	// first line began. evCounted counts the lines of lines or st.Lines that
	// are wholly in the pending event; evPartial says that the event begins
	// with the rest of a line whose start was handed on.
	in        int64
	lineStart int64
	evStart   int64
	evCounted int64
	evPartial bool
	err       error // the first error of the destination during the current call
	// refused counts the events the destination refused since the last Flush
	// or FlushComplete, which report them (a checkpoint must not pass them),
	// and refusedErr is the last error.
	refused    int64
	refusedErr error
	valid      []byte // scratch for lines with invalid UTF-8
	timer      multilineTimer
	armed      bool
	wg         sync.WaitGroup // one count while the timer is armed or its callback runs

	smu sync.Mutex
	st  MultilineStats
}

type readyEvent struct {
	t   time.Time
	end int // in buf
}

// multilineTimer is the part of *time.Timer the timer uses.
type multilineTimer interface {
	Stop() bool
	Reset(time.Duration) bool
}

// NewMultilineWriter returns a MultilineWriter that hands its events to dst
// (usually a *Shipper, or the *Shipper of one stream of a Mux). Bad options
// are reported by an error naming the field.
//
// The writer does not own dst: Close hands on the pending event but neither
// flushes nor closes dst. Close the writer before dst, so that dst takes its
// last event.
func NewMultilineWriter(dst EventSink, opts *MultilineOptions) (*MultilineWriter, error) {
	if dst == nil {
		return nil, errors.New("ship: NewMultilineWriter: dst is nil")
	}
	if opts == nil {
		return nil, errors.New("ship: NewMultilineWriter: opts is nil: MultilineOptions.Start or MultilineOptions.Continue is required")
	}
	bad := func(field string, v any, reason string) error {
		return fmt.Errorf("ship: invalid MultilineOptions.%s %v: %s", field, v, reason)
	}
	switch {
	case opts.Start == nil && opts.Continue == nil:
		return nil, errors.New("ship: invalid MultilineOptions: one of Start and Continue is required (both are nil)")
	case opts.Start != nil && opts.Continue != nil:
		return nil, fmt.Errorf("ship: invalid MultilineOptions: Start (%q) and Continue (%q) are both set: set one of them", opts.Start, opts.Continue)
	}
	limit := MaxMessageBytes
	if s, ok := dst.(*Shipper); ok && s != nil {
		limit = max(s.c.maxMessage, utf8.UTFMax) // the shipper splits smaller events still
	}
	w := &MultilineWriter{
		dst:       dst,
		start:     opts.Start,
		cont:      opts.Continue,
		timeout:   DefaultMultilineTimeout,
		maxBytes:  limit,
		maxLines:  opts.MaxLines,
		sep:       "\n",
		now:       opts.Now,
		clock:     time.Now,
		afterFunc: func(d time.Duration, f func()) multilineTimer { return time.AfterFunc(d, f) },
		lk:        newCtxMutex(),
	}
	switch {
	case opts.Timeout < 0:
		return nil, bad("Timeout", opts.Timeout, fmt.Sprintf("must not be negative (0 selects %v)", DefaultMultilineTimeout))
	case opts.Timeout > 0:
		w.timeout = opts.Timeout
	}
	switch {
	case opts.MaxBytes < 0 || opts.MaxBytes > MaxMessageBytes || (opts.MaxBytes > 0 && opts.MaxBytes < utf8.UTFMax):
		return nil, bad("MaxBytes", opts.MaxBytes, fmt.Sprintf("must be within %d–%d (0 selects %d)", utf8.UTFMax, MaxMessageBytes, limit))
	case opts.MaxBytes > 0:
		w.maxBytes = opts.MaxBytes
	}
	if opts.MaxLines < 0 {
		return nil, bad("MaxLines", opts.MaxLines, "must not be negative (0: no limit)")
	}
	switch {
	case !utf8.ValidString(opts.Separator):
		return nil, bad("Separator", fmt.Sprintf("%q", opts.Separator), "must be valid UTF-8")
	case opts.Separator != "":
		w.sep = opts.Separator
	}
	return w, nil
}

// Write implements io.Writer: it groups the lines of p (without their "\n"
// and a trailing "\r") into events, handing on those that are complete, and
// returns len(p) and nil. Events the destination refuses are its to count (a
// Shipper counts them in its Stats), and counted in Stats.Failed; when it
// refuses one with ErrClosed, Write returns len(p) and that error. Handing
// events to a Shipper whose buffer is full may wait for room (OnFull Block),
// as Shipper.Write does.
//
// After Close has started, Write returns 0 and ErrClosed and counts the
// non-empty lines of p (the unfinished last one included) in Stats.Refused,
// as Shipper.Write counts the lines it refuses after Close.
func (w *MultilineWriter) Write(p []byte) (int, error) {
	if w.closing.Load() {
		w.refuse(p)
		return 0, ErrClosed
	}
	_ = w.lk.lock(context.Background())
	defer w.lk.unlock()
	if w.closing.Load() {
		w.refuse(p)
		return 0, ErrClosed
	}
	ctx := context.Background()
	w.err = nil
	t, ct := w.times()
	for data := p; len(data) > 0; {
		if !w.open && len(w.line) == 0 {
			w.lineStart = w.in + int64(len(p)-len(data))
		}
		seg, complete := data, false
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			seg, data, complete = data[:i], data[i+1:], true
		} else {
			data = nil
		}
		w.segment(ctx, seg, complete, t, ct)
	}
	w.in += int64(len(p))
	w.deliver(ctx)
	w.release()
	if errors.Is(w.err, ErrClosed) {
		return len(p), w.err
	}
	return len(p), nil
}

// segment takes the bytes of p up to the next "\n" (complete) or to its end.
func (w *MultilineWriter) segment(ctx context.Context, seg []byte, complete bool, t, ct time.Time) {
	switch {
	case w.open:
		w.more(ctx, seg, complete, t, ct)
	case len(w.line)+len(seg) > w.maxBytes:
		// A line longer than an event, complete or not: it starts an event
		// and is handed on in pieces, as it comes, keeping for the next Write
		// the bytes that may belong with it (an unfinished UTF-8 character, a
		// '\r'), and never whole in memory.
		need := w.maxBytes + 1 - len(w.line)
		w.line = append(w.line, seg[:need]...)
		keep := linecut.Keep(w.line)
		w.addLine(ctx, w.line[:len(w.line)-keep], true, t, ct)
		w.line = append(w.line[:0], w.line[len(w.line)-keep:]...)
		w.open = true
		w.more(ctx, seg[need:], complete, t, ct)
	case complete:
		line := seg
		if len(w.line) > 0 {
			w.line = append(w.line, seg...)
			line = w.line
		}
		w.addLine(ctx, trimCR(line), false, t, ct)
		w.line = w.line[:0]
	default:
		w.line = append(w.line, seg...)
	}
}

// more takes more bytes of an open line (see MultilineWriter.open), up to
// the end of the line when complete.
func (w *MultilineWriter) more(ctx context.Context, seg []byte, complete bool, t, ct time.Time) {
	if len(w.line) > 0 {
		// The bytes kept from before come first, joined by the first bytes
		// of seg: enough to finish a character.
		k := min(len(seg), 2*utf8.UTFMax)
		w.line = append(w.line, seg[:k]...)
		if k < len(seg) {
			// Hand them on but for a tail that the rest of seg may finish
			// (its bytes come from seg: they go back to it).
			keep := linecut.Keep(w.line)
			w.add(ctx, w.sanitize(w.line[:len(w.line)-keep]), true, t, ct)
			w.line = w.line[:0]
			seg = seg[k-keep:]
		} else {
			seg = w.line // all that came
		}
	}
	if complete {
		w.addText(ctx, trimCR(seg), t, ct)
		w.line, w.open = w.line[:0], false
		return
	}
	keep := linecut.Keep(seg)
	w.addText(ctx, seg[:len(seg)-keep], t, ct)
	w.line = append(w.line[:0], seg[len(seg)-keep:]...)
}

// textPiece is the size of the pieces in which addText sanitizes a line.
const textPiece = 64 << 10

// addText adds b, more bytes of an open line, which may hold invalid UTF-8
// and be of any length, in pieces: the copy with invalid bytes replaced
// stays small. The pieces end before an unfinished character, so they are
// replaced as b would be whole.
func (w *MultilineWriter) addText(ctx context.Context, b []byte, t, ct time.Time) {
	for len(b) > 0 {
		n := len(b)
		if n > textPiece {
			n = textPiece - linecut.Keep(b[:textPiece])
		}
		w.add(ctx, w.sanitize(b[:n]), true, t, ct)
		b = b[n:]
	}
}

// addLine takes the next line, without its line ending: a complete line, or
// the start of an unfinished one longer than MaxBytes (long), which cannot
// join the pending event whatever its start.
func (w *MultilineWriter) addLine(ctx context.Context, line []byte, long bool, t, ct time.Time) {
	n := len(w.buf) - w.done // the pending event's size
	if len(line) == 0 {
		if n > 0 && w.blanks <= w.maxBytes {
			w.blanks++
		}
		return
	}
	line = w.sanitize(line)
	w.lines++
	if n > 0 {
		// The pattern last: it is the costly test.
		sepBytes := int64(w.blanks+1) * int64(len(w.sep))
		if !long && int64(n)+sepBytes+int64(len(line)) <= int64(w.maxBytes) &&
			(w.maxLines == 0 || w.evLines+w.blanks < w.maxLines) && ct.Sub(w.evClock) < w.timeout &&
			(w.start != nil && !w.start.Match(line) || w.cont != nil && w.cont.Match(line)) {
			for range w.blanks + 1 {
				w.buf = append(w.buf, w.sep...)
			}
			w.buf = append(w.buf, line...)
			w.evLines += w.blanks + 1
			w.blanks = 0
			w.evCounted++
			return
		}
		w.emit(ctx)
	}
	w.add(ctx, line, false, t, ct)
	if !w.evPartial && len(w.buf) > w.done {
		w.evCounted = 1 // else its start was handed on (a line longer than MaxBytes)
	}
}

// add appends b (valid UTF-8, from one line: its start, or a piece of the
// rest of a line begun before) to the pending event, starting one if there
// is none, and hands on each event that reaches MaxBytes.
func (w *MultilineWriter) add(ctx context.Context, b []byte, piece bool, t, ct time.Time) {
	for len(b) > 0 {
		n := len(w.buf) - w.done
		if n == 0 {
			w.evTime, w.evClock, w.evLines, w.blanks = t, ct, 1, 0
			w.evStart, w.evPartial = w.lineStart, piece
			w.arm(w.timeout)
		}
		if n+len(b) <= w.maxBytes {
			w.buf = append(w.buf, b...)
			return
		}
		cut := runeCut(b, w.maxBytes-n)
		w.buf = append(w.buf, b[:cut]...)
		b = b[cut:]
		w.emit(ctx)
		piece = true // the rest of the line
	}
}

// runeCut returns the largest c <= max (max < len(b)) such that b[:c] ends on
// a character boundary of b, valid UTF-8; 0 when the first character is
// longer than max.
func runeCut(b []byte, max int) int {
	c := max
	for c > 0 && !utf8.RuneStart(b[c]) {
		c--
	}
	return c
}

// emit makes the pending event ready to hand on, and hands the ready events
// on once they are many.
func (w *MultilineWriter) emit(ctx context.Context) {
	if len(w.buf) == w.done {
		return
	}
	w.ready = append(w.ready, readyEvent{t: w.evTime, end: len(w.buf)})
	w.done = len(w.buf)
	w.evLines, w.blanks, w.evCounted, w.evPartial = 0, 0, 0, false
	if w.done >= sharedLinesMax {
		w.deliver(ctx)
	}
}

// deliver hands the ready events to the destination, in order, and
// publishes the counters.
func (w *MultilineWriter) deliver(ctx context.Context) {
	var failed int64
	var last error
	n := len(w.ready)
	if n > 0 {
		// Up to sharedLinesMax the events share one allocation, as the lines
		// of a Shipper.Write do; beyond, each gets its own, so that an event
		// still buffered does not pin the memory of the others.
		var all string
		shared := w.done <= sharedLinesMax
		if shared {
			all = string(w.buf[:w.done])
		}
		start := 0
		for _, e := range w.ready {
			var msg string
			if shared {
				msg = all[start:e.end]
			} else {
				msg = string(w.buf[start:e.end])
			}
			start = e.end
			if err := w.dst.LogContext(ctx, e.t, msg); err != nil {
				failed++
				last = err
				if w.err == nil || errors.Is(err, ErrClosed) && !errors.Is(w.err, ErrClosed) {
					w.err = err
				}
			}
		}
		if failed > 0 {
			w.refused += failed
			w.refusedErr = last
		}
		clear(w.ready)
		w.ready = w.ready[:0]
		w.buf = w.buf[:copy(w.buf, w.buf[w.done:])]
		w.done = 0
		w.buf = shrink(w.buf)
	}
	if n == 0 && w.lines == 0 {
		return
	}
	w.smu.Lock()
	w.st.Lines += w.lines
	w.st.Events += int64(n)
	w.st.Failed += failed
	if last != nil {
		w.st.LastError = last
	}
	w.smu.Unlock()
	w.lines = 0
}

// shrinkAbove is the capacity beyond which a buffer that one large Write or
// event grew is let go of once it is mostly empty.
const shrinkAbove = 4 * sharedLinesMax

func shrink(b []byte) []byte {
	if cap(b) > shrinkAbove && len(b) < cap(b)/4 {
		if len(b) == 0 {
			return nil
		}
		return append([]byte(nil), b...)
	}
	return b
}

// endLine completes the unfinished line, for Flush and Close.
func (w *MultilineWriter) endLine(ctx context.Context, t, ct time.Time) {
	switch {
	case w.open:
		w.add(ctx, w.sanitize(trimCR(w.line)), true, t, ct)
		w.open = false
	case len(w.line) > 0:
		w.addLine(ctx, trimCR(w.line), false, t, ct)
	}
	w.line = w.line[:0]
	w.release()
}

// release lets go of the scratch buffers that a long line grew.
func (w *MultilineWriter) release() {
	w.line = shrink(w.line)
	if cap(w.valid) > shrinkAbove {
		w.valid = nil
	}
}

// Flush hands on the pending event, the unfinished last line completed and
// included, then calls the destination's Flush with ctx and returns its
// error, or a *FlushError counting the events the destination refused since
// the last Flush or FlushComplete — handed on by this call, by a Write or by
// the timer — with the last of its errors (both joined when both failed): nil
// says that every event handed on before the call was taken. ctx bounds the wait while a Write hands events on (the event then stays
// pending and Flush returns ctx.Err()), and the destination's wait for room
// for the event. After Close has started, Flush only flushes the
// destination.
func (w *MultilineWriter) Flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.lk.lock(ctx); err != nil {
		return err
	}
	if !w.closing.Load() {
		w.err = nil
		t, ct := w.times()
		w.endLine(ctx, t, ct)
		w.emit(ctx)
		w.deliver(ctx)
	}
	err := w.takeRefused()
	w.lk.unlock()
	return join(err, w.dst.Flush(ctx))
}

// takeRefused returns the events refused since the last Flush or
// FlushComplete as a *FlushError, nil if none, and forgets them; w.lk is held.
func (w *MultilineWriter) takeRefused() error {
	if w.refused == 0 {
		return nil
	}
	err := &FlushError{Events: w.refused, Err: w.refusedErr}
	w.refused, w.refusedErr = 0, nil
	return err
}

// join returns the non-nil one of a and b, or both joined.
func join(a, b error) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return errors.Join(a, b)
}

// FlushComplete is Flush for a writer fed from a file with a checkpoint (see
// package ship/follow): it hands on the events that are complete and calls
// the destination's Flush with ctx, as Flush does, but keeps the pending
// event — the record whose end has not been seen yet — and the unfinished
// last line, for the lines to come, so that a checkpoint does not split a
// record. A pending event whose first line is Timeout old is complete: it is
// handed on, as the timer would.
//
// It returns held, how many of the last bytes given to Write are in no
// event handed on: those from the start of the pending event's first line
// (or, with no pending event, of the unfinished line) on, blank lines
// included. The bytes before them are in events handed on — delivered, when
// err is nil — or were blank lines, which make no event. A line longer than
// MaxBytes is held from its start until its last piece is handed on, though
// its first pieces are. Its error is Flush's: the destination's Flush's, or
// a *FlushError counting the events refused since the last Flush or
// FlushComplete. ctx bounds the wait while a Write hands events on; on an
// error held is 0. After Close has started, FlushComplete flushes the
// destination only (Close has handed everything on) and held is 0.
func (w *MultilineWriter) FlushComplete(ctx context.Context) (held int64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := w.lk.lock(ctx); err != nil {
		return 0, err
	}
	if !w.closing.Load() {
		w.err = nil
		if len(w.buf) > w.done && w.clock().Sub(w.evClock) >= w.timeout {
			w.emit(ctx) // complete by Timeout: the timer is due
		}
		w.deliver(ctx)
		held = w.heldBytes()
	}
	err = w.takeRefused()
	w.lk.unlock()
	if err = join(err, w.dst.Flush(ctx)); err != nil {
		return 0, err
	}
	return held, nil
}

// heldBytes is FlushComplete's held; w.lk is held.
func (w *MultilineWriter) heldBytes() int64 {
	switch {
	case len(w.buf) > w.done:
		return w.in - w.evStart
	case w.open || len(w.line) > 0:
		return w.in - w.lineStart
	}
	return 0
}

// DiscardPending drops the pending event and the unfinished last line, the
// bytes FlushComplete reports as held, as if they had never been written, and
// returns how many bytes they were. It is for a writer fed from a file with
// a checkpoint before those bytes (see package ship/follow), stopping: the
// next run reads them again from the checkpoint, and ships the record whole.
// The events already handed on are not affected; the dropped lines are
// counted in Stats.Discarded instead of Lines. ctx bounds the wait while a
// Write hands events on. After Close has started it drops nothing (Close has
// handed everything on) and returns 0.
func (w *MultilineWriter) DiscardPending(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := w.lk.lock(ctx); err != nil {
		return 0, err
	}
	defer w.lk.unlock()
	if w.closing.Load() {
		return 0, nil
	}
	held := w.heldBytes()
	lines := w.evCounted
	if w.evPartial || w.open && len(w.buf) == w.done && len(w.line) > 0 {
		lines++ // a line whose start was handed on (longer than MaxBytes)
	}
	if !w.open && len(trimCR(w.line)) > 0 {
		lines++ // the unfinished line, not counted in Lines yet
	}
	w.smu.Lock()
	w.st.Lines += w.lines - w.evCounted
	w.st.Discarded += lines
	w.smu.Unlock()
	w.lines = 0
	w.buf = shrink(w.buf[:w.done])
	w.line, w.open = w.line[:0], false
	w.evLines, w.blanks, w.evCounted, w.evPartial = 0, 0, 0, false
	w.release()
	if w.armed && w.timer.Stop() {
		w.armed = false
		w.wg.Done()
	}
	return held, nil
}

// Close stops the writer: Write refuses from now on (ErrClosed), and the
// pending event, the unfinished last line completed and included, is handed
// to the destination, with ctx bounding its wait for room. Close neither
// flushes nor closes the destination: close it after the writer. It stops
// the timer and waits for its callback. It returns nil, the destination's
// error for the last event (ErrClosed when the destination was closed
// first), or ctx.Err() when ctx ended while a Write was handing events on:
// the pending event is then handed on once that Write returns, with the ended
// ctx (a Shipper takes it if it has room at once, else refuses and counts
// it). Calling Close again returns the result of the call that handed the
// event on.
func (w *MultilineWriter) Close(ctx context.Context) error {
	w.closing.Store(true)
	if w.lk.tryLock() {
		err := w.finish(ctx)
		w.lk.unlock()
		w.wg.Wait()
		return err
	}
	// A Write (or the timer) is handing events on, maybe waiting for room:
	// finish after it, on a goroutine of its own so that ctx bounds Close.
	done := make(chan error, 1)
	go func() {
		_ = w.lk.lock(context.Background())
		err := w.finish(ctx)
		w.lk.unlock()
		w.wg.Wait()
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finish hands on what is pending and stops the timer, once.
func (w *MultilineWriter) finish(ctx context.Context) error {
	if w.closed {
		return w.closeErr
	}
	w.closed = true
	w.err = nil
	t, ct := w.times()
	w.endLine(ctx, t, ct)
	w.emit(ctx)
	w.deliver(ctx)
	if w.armed && w.timer.Stop() {
		w.armed = false
		w.wg.Done()
	}
	w.closeErr = w.err
	w.line, w.buf, w.ready, w.valid = nil, nil, nil, nil
	return w.closeErr
}

// Stats returns a snapshot of the counters.
func (w *MultilineWriter) Stats() MultilineStats {
	w.smu.Lock()
	defer w.smu.Unlock()
	return w.st
}

// arm starts the timer to fire in d, unless it is armed or Close started.
func (w *MultilineWriter) arm(d time.Duration) {
	if w.armed || w.closing.Load() {
		return
	}
	w.armed = true
	w.wg.Add(1)
	if w.timer == nil {
		w.timer = w.afterFunc(d, w.onTimer)
	} else {
		w.timer.Reset(d)
	}
}

// onTimer hands on the pending event once its first line is Timeout old.
func (w *MultilineWriter) onTimer() {
	defer w.wg.Done()
	if h := w.testHookTimerEnd; h != nil {
		defer h()
	}
	_ = w.lk.lock(context.Background())
	defer w.lk.unlock()
	w.armed = false
	if w.closing.Load() || len(w.buf) == w.done {
		return // Close hands on what is pending
	}
	if wait := w.timeout - w.clock().Sub(w.evClock); wait > 0 {
		w.arm(wait) // a later event than the one the timer was armed for
		return
	}
	ctx := context.Background()
	w.err = nil
	w.emit(ctx)
	w.deliver(ctx)
}

// refuse counts the non-empty lines of p as refused.
func (w *MultilineWriter) refuse(p []byte) {
	var n int64
	for len(p) > 0 {
		line := p
		p = nil
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, p = line[:i], line[i+1:]
		}
		if len(trimCR(line)) > 0 {
			n++
		}
	}
	if n > 0 {
		w.smu.Lock()
		w.st.Refused += n
		w.smu.Unlock()
	}
}

func (w *MultilineWriter) times() (t, ct time.Time) {
	ct = w.clock()
	if w.now == nil {
		return ct, ct
	}
	return w.now(), ct
}

// sanitize returns b with each invalid UTF-8 byte replaced by U+FFFD, as the
// service (and Shipper.LogContext) would do; the result may be w.valid.
func (w *MultilineWriter) sanitize(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	w.valid = w.valid[:0]
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			w.valid = append(w.valid, "\uFFFD"...)
		} else {
			w.valid = append(w.valid, b[:n]...)
		}
		b = b[n:]
	}
	return w.valid
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
