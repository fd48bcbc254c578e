package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/linecut"
	"github.com/cwlogs/cwlogs/ship"
	"github.com/cwlogs/cwlogs/ship/follow"
	"github.com/cwlogs/cwlogs/ship/metrics"
)

var putInfo = &commandInfo{
	name:    "put",
	args:    "[--create] [--multiline go|java] [--file PATH [--state FILE] [--from-start]] [--metrics-listen ADDR] GROUP STREAM [MESSAGE...] | --files PATTERN [--state-dir DIR] [--stream-template T] [--from-start] [--metrics-listen ADDR] GROUP",
	summary: "Send messages to a log stream: the arguments, the lines of stdin, or of files followed (--file, --files).",
	details: `Each MESSAGE is one event stamped with the current time; with no MESSAGE (or "-"), each line of
stdin is one event (blank lines are skipped: the service refuses empty messages). Events are
batched, retried and flushed by the shipper (package ship), one batch at a time so that they
keep their order; while input lasts, a failing batch is retried for up to 10 minutes. On Ctrl-C,
the lines already read are still sent.

With a --multiline option, lines of stdin are grouped into multi-line events (stack traces,
panics), as Docker's awslogs-multiline-pattern does: --multiline go or java keeps a Go panic or
fatal error with its goroutine tracebacks, or a Java stack trace, in one event;
--multiline-start RE starts an event at each line matching the regular expression RE (Go
syntax) and appends the other lines to it; --multiline-continue RE appends the lines matching RE
to the event before them. An event waits 1 s at most for more lines.

With --file PATH, put follows the file instead of reading stdin, as tail -F does, until Ctrl-C
(package ship/follow): it starts at the end of the file (--from-start: at its start), reads
lines as they are appended, and follows it across rotations (rename and create, copytruncate,
removal). With --state FILE, it keeps a checkpoint there (written after each delivered flush,
every 5 s and at the end) and resumes from it on the next run, even when the file was rotated
meanwhile, so that no line is lost or sent twice; lines that may have been lost are reported on
stderr. The --multiline options group the file's lines as they do stdin's; with --state, a
checkpoint never splits a record: one still being written stays after the checkpoint, and one
still waiting for more lines at Ctrl-C is left to the next run, which sends it whole. Give each
follower its own --state file.

With --files PATTERN, put follows every file matching PATTERN (filepath.Match syntax in the file
name: /var/log/app/*.log; the directory is literal), each into its own stream of GROUP, named by
--stream-template (default {name}: the file's base name; {hostname} is the host's name). The
directory is read once a second: a new file is followed within about a second, from its start
(the files there at start begin at their end, or at their start with --from-start). A rotated
file is finished under its old name's stream, even when its new name (app.log.1) matches too; a
removed file is read to its end, then left. --state-dir DIR keeps one checkpoint per file there.
With --create, each stream is created when its file's first lines are sent. --multiline options
group each file's lines. At most 1,000 files are followed at once; others are reported on stderr.

With --metrics-listen HOST:PORT (e.g. 127.0.0.1:9464), put serves the shipper's counters at
http://HOST:PORT/metrics in the Prometheus text format (package ship/metrics) while it runs:
labelled log_group and log_stream, or log_group alone with --files (the sum of its streams).
HOST is required (0.0.0.0 for every interface) and PORT is a number, not a service name.

A summary goes to stderr; with --output json it is also
printed on stdout. The exit status is 1 when any event was not stored, else 0 (interrupted too).`,
	examples: []string{"journalctl -f | cwlogs put --create my-app host-1", `cwlogs put my-app web-1 "deploy finished"`,
		`./server 2>&1 | cwlogs put --multiline go my-app server-1`,
		`cwlogs put --multiline-start '^\d{4}-\d\d-\d\d ' my-app batch-1 < batch.log`,
		"cwlogs put --create --file /var/log/app.log --state /var/lib/cwlogs/app.state my-app host-1",
		"cwlogs put --create --files '/var/log/app/*.log' --state-dir /var/lib/cwlogs/app --stream-template '{hostname}/{name}' my-app"},
	new: func(m *Main) command { return &PutCommand{m: m} },
}

// PutCommand is "cwlogs put".
type PutCommand struct {
	m         *Main
	create    bool
	timeout   time.Duration
	multiline multilineFlags
	file      string // --file: the file to follow
	state     string // --state: its checkpoint file
	fromStart bool
	files     string // --files: the pattern of the files to follow
	stateDir  string // --state-dir: their checkpoints
	template  string // --stream-template: their streams' names
	listen    string // --metrics-listen: where to serve /metrics
}

// multilineFlags are put's --multiline options; at most one is set.
type multilineFlags struct{ preset, start, cont string }

func (c *PutCommand) flags() *flag.FlagSet {
	fs := newFlagSet("put")
	fs.BoolVar(&c.create, "create", false, "create the log group and stream when missing")
	c.timeout = time.Minute
	fs.Var((*durationFlag)(&c.timeout), "timeout", "how long to keep sending at the end (or after Ctrl-C) before giving up, `D`")
	fs.StringVar(&c.multiline.preset, "multiline", "", "group the lines (of stdin or --file) into multi-line events: `PRESET` go (Go panics) or java (Java stack traces)")
	fs.StringVar(&c.multiline.start, "multiline-start", "", "group the lines (of stdin or --file) into events that start at each line matching `RE`")
	fs.StringVar(&c.multiline.cont, "multiline-continue", "", "group the lines (of stdin or --file): a line matching `RE` continues the event before it")
	fs.StringVar(&c.file, "file", "", "follow the file at `PATH` (like tail -F, across rotations) until Ctrl-C instead of reading stdin")
	fs.StringVar(&c.state, "state", "", "with --file: keep the checkpoint in `FILE` and resume from it")
	fs.BoolVar(&c.fromStart, "from-start", false, "with --file or --files and no checkpoint: start at the beginning of the file(s) there at start, not at their end")
	fs.StringVar(&c.files, "files", "", "follow every file matching `PATTERN` (e.g. '/var/log/app/*.log'), each into its own stream of GROUP, until Ctrl-C")
	fs.StringVar(&c.stateDir, "state-dir", "", "with --files: keep one checkpoint per file in `DIR` and resume from them")
	fs.StringVar(&c.listen, "metrics-listen", "", "serve the shipper's counters at http://`ADDR`/metrics (Prometheus text format) while put runs, ADDR as 127.0.0.1:9464")
	fs.StringVar(&c.template, "stream-template", "", "with --files: the stream name of each file, `T` with {name} (its base name) and {hostname} (default {name})")
	return fs
}

// putSummary is the --output json shape of put's summary.
type putSummary struct {
	Events   int64            `json:"events"`
	Sent     int64            `json:"sent"`
	Bytes    int64            `json:"bytes"`
	Batches  int64            `json:"batches"`
	Retries  int64            `json:"retries"`
	Rejected int64            `json:"rejected"`
	Dropped  int64            `json:"dropped"`
	Reasons  map[string]int64 `json:"reasons,omitempty"`
	Error    string           `json:"error,omitempty"`
}

// Run implements the command.
func (c *PutCommand) Run(ctx context.Context, args []string) error {
	const name = "put"
	pos, err := c.m.parseArgs(putInfo, c.flags(), args)
	if err != nil {
		return err
	}
	mlOpts, err := c.multiline.options(name)
	if err != nil {
		return err
	}
	if c.files != "" {
		return c.runFiles(ctx, pos, mlOpts)
	}
	switch {
	case c.stateDir != "":
		return usagef(name, "--state-dir %q: give --files too (it keeps the checkpoints of the followed files)", c.stateDir)
	case c.template != "":
		return usagef(name, "--stream-template %q: give --files too (it names the stream of each followed file)", c.template)
	}
	if err := wantArgs(name, pos, 2, -1, "GROUP STREAM [MESSAGE...]"); err != nil {
		return err
	}
	group, stream, msgs := pos[0], pos[1], pos[2:]
	switch {
	case c.file != "" && len(msgs) > 0:
		return usagef(name, "--file %q: the lines come from the file: give no MESSAGE arguments", c.file)
	case c.file == "" && c.state != "":
		return usagef(name, "--state %q: give --file too (the state is the followed file's checkpoint)", c.state)
	case c.file == "" && c.fromStart:
		return usagef(name, "--from-start: give --file too (or --files)")
	case mlOpts != nil && len(msgs) > 0 && !(len(msgs) == 1 && msgs[0] == "-"):
		return usagef(name, "--multiline options group the lines of stdin: give no MESSAGE arguments")
	}
	register, stopMetrics, err := c.serveMetrics(name)
	if err != nil {
		return err
	}
	defer stopMetrics()
	// One layer of retries: the shipper's (see package ship).
	cl, err := c.m.client(ctx, cwlogs.WithMaxAttempts(1))
	if err != nil {
		return err
	}
	var loss lastLoss
	sh, err := ship.New(cl, group, stream, c.shipOptions(&loss))
	if err != nil {
		return shipOptionErr(name, err)
	}
	if err := register(sh, metrics.Labels{"log_group": group, "log_stream": stream}); err != nil {
		return err
	}

	pr := c.m.startProgress(func() string {
		st := sh.Stats()
		return fmt.Sprintf("cwlogs: put %d events, %d sent (%d bytes)", st.Events, st.Sent, st.Bytes)
	})
	// After Ctrl-C, what was read is still offered and sent, for --timeout
	// at most: endCtx ends that long after the interrupt (or after the input
	// ends), bounding the waits for room and Close.
	endCtx, endCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer endCancel()
	stopAfter := context.AfterFunc(ctx, func() { time.AfterFunc(c.timeout, endCancel) })
	var mw *ship.MultilineWriter
	if mlOpts != nil {
		// The writer hands its events on with endCtx, as feed offers lines.
		if mw, err = ship.NewMultilineWriter(boundSink{sh, endCtx}, mlOpts); err != nil {
			return usagef(name, "%v", err)
		}
	}
	var readErr error
	if c.file != "" {
		readErr = c.follow(ctx, endCtx, sh, mw)
	} else {
		readErr = c.feed(ctx, endCtx, sh, mw, msgs)
	}
	if stopAfter() { // not interrupted: the input ended
		t := time.AfterFunc(c.timeout, endCancel)
		defer t.Stop()
	}
	if mw != nil {
		// Background: mw must have handed its last event on before sh.Close counts; its
		// waits for room are bounded by endCtx through boundSink, so --timeout bounds this.
		_ = mw.Close(context.Background()) // refusals are counted in the shipper's Stats
	}
	closeErr := sh.Close(endCtx)
	pr.end()

	cause := loss.get()
	return c.finish(sh.Stats(), closeErr, readErr, cause)
}

// serveMetrics starts serving /metrics on --metrics-listen, if given, and
// returns the function that registers the shipper with its collector
// (unserved if not; its error names the flag) and the function that stops
// the server. A malformed address, or one that cannot be listened on, is
// refused naming the flag and the address.
func (c *PutCommand) serveMetrics(name string) (register func(metrics.ShipSource, metrics.Labels) error, stop func(), err error) {
	col := metrics.New()
	register = func(s metrics.ShipSource, labels metrics.Labels) error {
		if _, err := col.AddShipper(s, labels); err != nil {
			return fmt.Errorf("cwlogs put: --metrics-listen: %w", err)
		}
		return nil
	}
	if c.listen == "" {
		return register, func() {}, nil
	}
	host, port, err := net.SplitHostPort(c.listen)
	if err != nil {
		return nil, nil, usagef(name, "--metrics-listen %q: not HOST:PORT (e.g. 127.0.0.1:9464): %v", c.listen, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return nil, nil, usagef(name, "--metrics-listen %q: port %q is not a number from 0 to 65535", c.listen, port)
	}
	if host == "" {
		// net.Listen would bind every interface: say so rather than do it.
		return nil, nil, usagef(name, "--metrics-listen %q: give a host: 127.0.0.1%s for this machine only, 0.0.0.0%s for every interface", c.listen, c.listen, c.listen)
	}
	if strings.ContainsAny(host, "/ ") {
		return nil, nil, usagef(name, "--metrics-listen %q: host %q is not a host name or an IP address", c.listen, host)
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return nil, nil, fmt.Errorf("cwlogs put: --metrics-listen %q: %w", c.listen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", col)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // returns ErrServerClosed when stopped
	fmt.Fprintf(c.m.Stderr, "cwlogs put: metrics at http://%s/metrics\n", ln.Addr())
	return register, func() { _ = srv.Close() }, nil
}

// finish prints the summary of st (the Stats of the shipper or Mux, unless
// closeErr holds them) and returns put's result. loss is the last error of
// events lost after they were accepted.
func (c *PutCommand) finish(st ship.Stats, closeErr, readErr, loss error) error {
	var ce *ship.CloseError
	if errors.As(closeErr, &ce) {
		st = ce.Stats
	}
	cause := loss
	if cause == nil || st.Dropped.Closed > 0 {
		cause = st.LastError // what Close gave up on, or a refusal before sending
	}
	sum := summarize(st)
	if st.Lost() > 0 && cause != nil {
		sum.Error = errorText(cause)
	}
	fmt.Fprintln(c.m.Stderr, sum.text())
	if c.m.out.json {
		if err := c.m.out.jsonLine(sum); err != nil {
			return err
		}
	}
	switch {
	case readErr != nil:
		return readErr
	case st.Lost() > 0:
		if cause != nil {
			return fmt.Errorf("cwlogs put: %d of %d events not delivered: %w", st.Lost(), st.Events, cause)
		}
		return fmt.Errorf("cwlogs put: %d of %d events not delivered", st.Lost(), st.Events)
	case closeErr != nil:
		return closeErr
	}
	return nil
}

// stdinGrace is how long, after Ctrl-C, put waits for a read of stdin in
// progress (a terminal or a pipe with nothing to read) before it stops.
const stdinGrace = 200 * time.Millisecond

// feed offers the messages, or the lines of stdin, to the shipper (the lines
// through mw, which groups them, when it is not nil). On Ctrl-C (ctx ending)
// it stops reading, offers every line already read, and returns, so that
// Close sends them. endCtx bounds the waits for room.
func (c *PutCommand) feed(ctx, endCtx context.Context, sh *ship.Shipper, mw *ship.MultilineWriter, msgs []string) error {
	if len(msgs) > 0 && !(len(msgs) == 1 && msgs[0] == "-") {
		for _, msg := range msgs {
			if ctx.Err() != nil {
				return nil
			}
			_ = sh.LogContext(endCtx, time.Time{}, msg) // refusals are counted in Stats
		}
		return nil
	}
	in := &trackedReader{r: c.m.Stdin}
	lines := make(chan stdinLine, 256)
	var stop atomic.Bool
	go readLines(in, lines, &stop)
	offer := func(it stdinLine) error {
		if mw != nil {
			_, _ = mw.Write([]byte(it.line)) // mw groups the lines; refusals are counted in Stats
		} else if line := strings.TrimRight(it.line, "\r\n"); line != "" {
			_ = sh.LogContext(endCtx, time.Time{}, line) // refusals are counted in Stats
		}
		if it.err != nil && it.err != io.EOF {
			return fmt.Errorf("cwlogs put: reading stdin: %w", it.err)
		}
		return nil
	}
	// After Ctrl-C (done fires): offer what was read; stop waiting only for a read of
	// stdin that has been blocked for stdinGrace (it holds nothing yet).
	done := ctx.Done()
	var idle *time.Timer
	var idleC <-chan time.Time // nil until Ctrl-C
	for {
		select {
		case it, ok := <-lines:
			if !ok {
				return nil
			}
			if err := offer(it); err != nil {
				return err
			}
			if idle != nil {
				idle.Reset(stdinGrace)
			}
		case <-done:
			stop.Store(true)
			done = nil
			idle = time.NewTimer(stdinGrace)
			defer idle.Stop()
			idleC = idle.C
		case <-idleC:
			if in.reading.Load() {
				return nil
			}
			idle.Reset(stdinGrace)
		}
	}
}

// follow ships the lines of --file (through mw when it is not nil) until
// Ctrl-C (ctx ending); the follower then flushes and checkpoints within
// --timeout. Once endCtx ends, the shipper is closed, so that a Write waiting
// for room gives up.
func (c *PutCommand) follow(ctx, endCtx context.Context, sh *ship.Shipper, mw *ship.MultilineWriter) error {
	var dst follow.Destination = sh
	if mw != nil {
		dst = mw
	}
	f, err := follow.New(c.file, dst, &follow.Options{
		StateFile:   c.state,
		FromStart:   c.fromStart,
		StopTimeout: c.timeout,
		OnError:     func(err error) { fmt.Fprintf(c.m.Stderr, "cwlogs put: %v\n", err) },
	})
	if err != nil {
		return usagef("put", "%v", err)
	}
	stop := context.AfterFunc(endCtx, func() { _ = sh.Close(endCtx) })
	defer stop()
	err = f.Run(ctx)
	if stoppedByTimeout(ctx, err) {
		return nil // --timeout ran out; the lines not taken are counted in the summary
	}
	if err != nil {
		return fmt.Errorf("cwlogs put: %w", err)
	}
	return nil
}

// runFiles is put --files: every file matching the pattern is followed into
// a stream of its own (a Glob of package ship/follow, Shippers of one Mux).
func (c *PutCommand) runFiles(ctx context.Context, pos []string, mlOpts *ship.MultilineOptions) error {
	const name = "put"
	switch {
	case c.file != "":
		return usagef(name, "--files %q: give --file PATH or --files PATTERN, not both", c.files)
	case c.state != "":
		return usagef(name, "--state %q: with --files, give --state-dir DIR (one checkpoint per file)", c.state)
	case len(pos) != 1:
		return usagef(name, "--files %q: give GROUP only, no STREAM or MESSAGE (each file's stream is named by --stream-template), got %d arguments", c.files, len(pos))
	}
	tmpl := c.template
	if tmpl == "" {
		tmpl = "{name}"
	}
	if !strings.Contains(tmpl, "{name}") {
		return usagef(name, "--stream-template %q: must contain {name} (one stream per file)", tmpl)
	}
	var host string
	if strings.Contains(tmpl, "{hostname}") {
		h, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("cwlogs put: --stream-template %q: %w", tmpl, err)
		}
		host = h
	}
	group := pos[0]
	var (
		mux   *ship.Mux // made once the pattern is known good; newDst runs only in g.Run
		mwsMu sync.Mutex
		mws   []*ship.MultilineWriter // the files' multi-line writers, closed at the end
	)
	endCtx, endCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer endCancel()
	names := strings.NewReplacer("{hostname}", host)
	// Bad patterns are refused before any client is made.
	g, err := follow.NewGlob(c.files, func(path string) (follow.Destination, error) {
		stream := strings.ReplaceAll(names.Replace(tmpl), "{name}", filepath.Base(path))
		sh, err := mux.Stream(group, stream)
		if err != nil || mlOpts == nil {
			return sh, err
		}
		mw, err := ship.NewMultilineWriter(boundSink{sh, endCtx}, mlOpts)
		if err != nil {
			return nil, err
		}
		mwsMu.Lock()
		mws = append(mws, mw)
		mwsMu.Unlock()
		return mw, nil
	}, &follow.GlobOptions{
		Options: follow.Options{
			FromStart:   c.fromStart,
			StopTimeout: c.timeout,
			// Also given the errors that end a file's Follower (Run returns
			// them again: not printed twice).
			OnError: func(err error) {
				if stoppedByTimeout(ctx, err) {
					return // --timeout ran out; the lines not taken are counted in the summary
				}
				fmt.Fprintf(c.m.Stderr, "cwlogs put: %v\n", err)
			},
		},
		StateDir: c.stateDir,
	})
	if err != nil {
		return usagef(name, "--files %q: %v", c.files, err)
	}
	register, stopMetrics, err := c.serveMetrics(name)
	if err != nil {
		return err
	}
	defer stopMetrics()
	cl, err := c.m.client(ctx, cwlogs.WithMaxAttempts(1))
	if err != nil {
		return err
	}
	var loss lastLoss
	mux, err = ship.NewMux(cl, c.shipOptions(&loss)) // each stream is created at its first batch
	if err != nil {
		return shipOptionErr(name, err)
	}
	if err := register(mux, metrics.Labels{"log_group": group}); err != nil {
		return err
	}
	// After Ctrl-C, --timeout bounds the flushes and checkpoints (g.Run returns only then).
	defer context.AfterFunc(ctx, func() { time.AfterFunc(c.timeout, endCancel) })()
	pr := c.m.startProgress(func() string {
		st := mux.Stats()
		return fmt.Sprintf("cwlogs put: %d files, %d events, %d sent (%d bytes)", len(g.Files()), st.Events, st.Sent, st.Bytes)
	})
	// Once endCtx ends, a Write waiting for room gives up.
	closeAfter := context.AfterFunc(endCtx, func() { _ = mux.Close(endCtx) })
	var readErr error
	if err := g.Run(ctx); err != nil {
		var ended []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			ended = j.Unwrap()
		}
		ended = slices.DeleteFunc(ended, func(err error) bool { return stoppedByTimeout(ctx, err) })
		if len(ended) > 0 { // each printed by OnError when it happened
			readErr = fmt.Errorf("cwlogs put: %d of the files followed stopped on the error printed above", len(ended))
		}
	}
	closeAfter()
	mwsMu.Lock()
	writers := mws
	mwsMu.Unlock()
	for _, mw := range writers {
		_ = mw.Close(context.Background()) // bounded by endCtx through boundSink; refusals are counted
	}
	closeErr := mux.Close(endCtx)
	pr.end()
	cause := loss.get()
	return c.finish(mux.Stats(), closeErr, readErr, cause)
}

// boundSink is the shipper as a MultilineWriter's destination, its waits for room bounded by
// ctx (put's endCtx) whatever the writer passes.
type boundSink struct {
	sh  *ship.Shipper
	ctx context.Context
}

func (b boundSink) LogContext(_ context.Context, t time.Time, msg string) error {
	return b.sh.LogContext(b.ctx, t, msg)
}

func (b boundSink) Flush(ctx context.Context) error { return b.sh.Flush(ctx) }

// options checks the --multiline flags: nil when none is set.
func (f multilineFlags) options(cmd string) (*ship.MultilineOptions, error) {
	set := 0
	for _, v := range []string{f.preset, f.start, f.cont} {
		if v != "" {
			set++
		}
	}
	switch {
	case set == 0:
		return nil, nil
	case set > 1:
		return nil, usagef(cmd, "give one of --multiline, --multiline-start and --multiline-continue")
	}
	compile := func(flag, expr string) (*regexp.Regexp, error) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, usagef(cmd, "%s %q: not a regular expression: %v", flag, expr, err)
		}
		return re, nil
	}
	var o ship.MultilineOptions
	var err error
	switch {
	case f.preset == "go":
		o.Continue = regexp.MustCompile(ship.GoTracebackPattern)
	case f.preset == "java":
		o.Continue = regexp.MustCompile(ship.JavaStackTracePattern)
	case f.preset != "":
		return nil, usagef(cmd, "--multiline %q: want go or java (or use --multiline-start or --multiline-continue RE)", f.preset)
	case f.start != "":
		o.Start, err = compile("--multiline-start", f.start)
	default:
		o.Continue, err = compile("--multiline-continue", f.cont)
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// stdinLine is a line of stdin (with its newline), or the last piece of
// input with the error that ended it.
type stdinLine struct {
	line string
	err  error
}

// trackedReader tells whether a Read is in progress.
type trackedReader struct {
	r       io.Reader
	reading atomic.Bool
}

func (t *trackedReader) Read(p []byte) (int, error) {
	t.reading.Store(true)
	defer t.reading.Store(false)
	return t.r.Read(p)
}

// readLines sends the lines of r to lines and closes it at the end of the
// input, or once stop is set, after sending what it has buffered. A line
// longer than an event's message holds is sent in pieces of that size (cut
// between UTF-8 characters), so memory stays bounded whatever the input.
func readLines(r io.Reader, lines chan<- stdinLine, stop *atomic.Bool) {
	defer close(lines)
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte // the start of a line longer than br's buffer
	for {
		if stop.Load() {
			rest, _ := br.Peek(br.Buffered())
			for all := string(append(long, rest...)); all != ""; {
				i := strings.IndexByte(all, '\n') + 1
				if i == 0 {
					i = len(all)
				}
				lines <- stdinLine{line: all[:i]}
				all = all[i:]
			}
			return
		}
		frag, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, frag...)
			if len(long) >= ship.MaxMessageBytes {
				n := len(long) - linecut.Keep(long)
				lines <- stdinLine{line: string(long[:n])}
				long = append(long[:0], long[n:]...)
			}
			continue
		}
		line := string(frag)
		if len(long) > 0 {
			line = string(append(long, frag...))
			long = long[:0]
		}
		lines <- stdinLine{line: line, err: err}
		if err != nil {
			return
		}
	}
}

func summarize(st ship.Stats) putSummary {
	s := putSummary{Events: st.Events, Sent: st.Sent, Bytes: st.Bytes, Batches: st.Batches, Retries: st.Retries,
		Rejected: st.Rejected.Total(), Dropped: st.Dropped.Total()}
	add := func(k string, v int64) {
		if v > 0 {
			if s.Reasons == nil {
				s.Reasons = map[string]int64{}
			}
			s.Reasons[k] = v
		}
	}
	add("rejectedTooNew", st.Rejected.TooNew)
	add("rejectedTooOld", st.Rejected.TooOld)
	add("rejectedExpired", st.Rejected.Expired)
	d := st.Dropped
	add("droppedEmpty", d.Empty)
	add("droppedTooLarge", d.TooLarge)
	add("droppedTooOld", d.TooOld)
	add("droppedTooNew", d.TooNew)
	add("droppedBufferFull", d.BufferFull)
	add("droppedRetryExhausted", d.RetryExhausted)
	add("droppedPermanentError", d.PermanentError)
	add("droppedClosed", d.Closed)
	return s
}

// text is the one-line summary printed on stderr.
func (s putSummary) text() string {
	line := fmt.Sprintf("cwlogs put: events=%d sent=%d bytes=%d batches=%d retries=%d rejected=%d dropped=%d",
		s.Events, s.Sent, s.Bytes, s.Batches, s.Retries, s.Rejected, s.Dropped)
	if len(s.Reasons) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(s.Reasons)) {
			parts = append(parts, fmt.Sprintf("%s=%d", k, s.Reasons[k]))
		}
		line += " (" + strings.Join(parts, " ") + ")"
	}
	return line
}

// lastLoss keeps the cause of the last events the shipper lost after accepting them,
// for put's summary.
type lastLoss struct {
	mu  sync.Mutex
	err error
}

// record is the shipper's OnError: it keeps a batch's cause, not its description.
func (l *lastLoss) record(err error) {
	var be *ship.BatchError
	if errors.As(err, &be) && be.Err != nil {
		err = be.Err
	}
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
}

func (l *lastLoss) get() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// shipOptions are the shipper options of put: the group and stream created when missing
// with --create, and one batch at a time, so that lines written in the same millisecond
// keep their order in the stream.
func (c *PutCommand) shipOptions(l *lastLoss) *ship.Options {
	return &ship.Options{CreateGroup: c.create, DisableCreateStream: !c.create, Concurrency: 1, OnError: l.record}
}

// shipOptionErr reports a refused shipper option as a usage error of cmd, other errors
// as they are.
func shipOptionErr(cmd string, err error) error {
	var oe *ship.OptionError
	if errors.As(err, &oe) {
		return usagef(cmd, "%v", err)
	}
	return err
}

// stoppedByTimeout reports an error that only says the shipper was closed after Ctrl-C
// (ctx ended) because --timeout ran out: not a failure of its own, as the lines it did not
// take are counted in the summary.
func stoppedByTimeout(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, ship.ErrClosed)
}
