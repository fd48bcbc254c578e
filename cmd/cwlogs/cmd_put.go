package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
)

var putInfo = &commandInfo{
	name:    "put",
	args:    "[--create] GROUP STREAM [MESSAGE...]",
	summary: "Send messages to a log stream: the arguments, or one per line from stdin.",
	details: `Each MESSAGE is one event stamped with the current time; with no MESSAGE (or "-"), each line of
stdin is one event (blank lines are skipped: the service refuses empty messages). Events are
batched, retried and flushed by the shipper (package ship). A summary goes to stderr; with
--output json it is also printed on stdout. The exit status is 1 when any event was not stored.`,
	examples: []string{"journalctl -f | cwlogs put --create my-app host-1", `cwlogs put my-app web-1 "deploy finished"`},
	new:      func(m *Main) command { return &PutCommand{m: m} },
}

// PutCommand is "cwlogs put".
type PutCommand struct {
	m       *Main
	create  bool
	timeout time.Duration
}

func (c *PutCommand) flags() *flag.FlagSet {
	fs := newFlagSet("put")
	fs.BoolVar(&c.create, "create", false, "create the log group and stream when missing")
	c.timeout = time.Minute
	fs.Var((*durationFlag)(&c.timeout), "timeout", "how long to keep sending at the end (or after Ctrl-C) before giving up, `D`")
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
	if err := wantArgs(name, pos, 2, -1, "GROUP STREAM [MESSAGE...]"); err != nil {
		return err
	}
	group, stream, msgs := pos[0], pos[1], pos[2:]
	// One layer of retries: the shipper's (see package ship).
	cl, err := c.m.client(ctx, cwlogs.WithMaxAttempts(1))
	if err != nil {
		return err
	}
	sh, err := ship.New(cl, group, stream, &ship.Options{
		CreateGroup:         c.create,
		DisableCreateStream: !c.create,
		// The CLI ends quickly when the service refuses for good.
		MaxElapsedTime: c.timeout,
	})
	if err != nil {
		var oe *ship.OptionError
		if errors.As(err, &oe) {
			return usagef(name, "%v", err)
		}
		return err
	}

	pr := c.m.startProgress(func() string {
		st := sh.Stats()
		return fmt.Sprintf("cwlogs: put %d events, %d sent (%d bytes)", st.Events, st.Sent, st.Bytes)
	})
	readErr := c.feed(ctx, sh, msgs)
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	defer cancel()
	closeErr := sh.Close(closeCtx)
	pr.end()

	st := sh.Stats()
	var ce *ship.CloseError
	if errors.As(closeErr, &ce) {
		st = ce.Stats
	}
	sum := summarize(st)
	if st.Lost() > 0 && st.LastError != nil {
		sum.Error = errorText(st.LastError)
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
		if st.LastError != nil {
			return fmt.Errorf("cwlogs put: %d of %d events not delivered: %w", st.Lost(), st.Events, st.LastError)
		}
		return fmt.Errorf("cwlogs put: %d of %d events not delivered", st.Lost(), st.Events)
	case closeErr != nil:
		return closeErr
	}
	return nil
}

// feed offers the messages, or the lines of stdin, to the shipper. On
// Ctrl-C it stops reading (even when blocked on a terminal or a pipe) and
// returns, so that what was read is still sent by Close.
func (c *PutCommand) feed(ctx context.Context, sh *ship.Shipper, msgs []string) error {
	if len(msgs) > 0 && !(len(msgs) == 1 && msgs[0] == "-") {
		for _, msg := range msgs {
			if ctx.Err() != nil {
				return nil
			}
			_ = sh.Log(time.Time{}, msg) // refusals are counted in Stats
		}
		return nil
	}
	type item struct {
		line string
		err  error
	}
	lines := make(chan item, 256)
	go func() {
		// Left blocked on Read when ctx ends first; the process exits soon after.
		r := bufio.NewReaderSize(c.m.Stdin, 64<<10)
		for {
			line, err := r.ReadString('\n')
			lines <- item{line, err}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case it, ok := <-lines:
			if !ok {
				return nil
			}
			if line := strings.TrimRight(it.line, "\r\n"); line != "" {
				_ = sh.Log(time.Time{}, line)
			}
			if it.err == io.EOF {
				return nil
			}
			if it.err != nil {
				return fmt.Errorf("cwlogs put: reading stdin: %w", it.err)
			}
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
