package main

import (
	"context"
	"flag"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cwlogs/cwlogs"
)

var getInfo = &commandInfo{
	name:    "get",
	args:    "GROUP STREAM [--start T] [--end T] [--limit N] [--head]",
	summary: "Print the events of one log stream, oldest first.",
	details: `Without --limit, every event between --start (inclusive) and --end (exclusive) is printed.
With --limit N, the last N events are printed; with --head as well, the first N.

` + timeHelp,
	examples: []string{"cwlogs get my-app web-1 --start 1h --limit 100"},
	new:      func(m *Main) command { return &GetCommand{m: m} },
}

// GetCommand is "cwlogs get".
type GetCommand struct {
	m          *Main
	start, end string
	limit      string
	head       bool
}

func (c *GetCommand) flags() *flag.FlagSet {
	fs := newFlagSet("get")
	fs.StringVar(&c.start, "start", "", "first time `T` (inclusive)")
	fs.StringVar(&c.end, "end", "", "end time `T` (exclusive)")
	fs.StringVar(&c.limit, "limit", "", "print at most `N` events: the last N, or the first N with --head")
	fs.BoolVar(&c.head, "head", false, "start from the oldest event (with --limit: the first N events)")
	return fs
}

// Run implements the command.
func (c *GetCommand) Run(ctx context.Context, args []string) error {
	const name = "get"
	pos, err := c.m.parseArgs(getInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs(name, pos, 2, 2, "GROUP STREAM"); err != nil {
		return err
	}
	now := time.Now()
	in := &cwlogs.GetLogEventsInput{LogGroupName: pos[0], LogStreamName: pos[1]}
	if in.StartTime, err = timeFlag(name, "start", c.start, now); err != nil {
		return err
	}
	if in.EndTime, err = timeFlag(name, "end", c.end, now); err != nil {
		return err
	}
	limit := 0
	if c.limit != "" {
		if limit, err = positiveInt(name, "--limit", c.limit); err != nil {
			return err
		}
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	var n atomic.Int64
	pr := c.m.startReadProgress(func() string { return fmt.Sprintf("cwlogs: read %d events", n.Load()) })
	defer pr.end()
	emit := func(e cwlogs.OutputLogEvent) error {
		return c.m.out.event(eventJSON{LogStreamName: pos[1], Timestamp: e.Timestamp, IngestionTime: e.IngestionTime, Message: e.Message}, false)
	}

	if limit > 0 && !c.head {
		evs, err := lastEvents(ctx, cl, in, limit, &n)
		pr.end()
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	}
	if limit > 0 {
		in.Limit = min(limit, cwlogs.MaxEventsLimit)
	}
	for e, err := range cl.GetLogEventsIter(ctx, in) {
		if err != nil {
			return err
		}
		n.Add(1)
		if err := emit(e); err != nil {
			return err
		}
		if limit > 0 && n.Load() >= int64(limit) {
			break
		}
	}
	return nil
}

// lastEvents reads the last limit events of a stream, following backward
// tokens from the newest page until it has limit events or reaches the start
// of the stream, and returns them oldest first.
func lastEvents(ctx context.Context, cl *cwlogs.Client, in *cwlogs.GetLogEventsInput, limit int, n *atomic.Int64) ([]cwlogs.OutputLogEvent, error) {
	req := *in
	req.StartFromHead = false
	var pages [][]cwlogs.OutputLogEvent
	total := 0
	for total < limit {
		req.Limit = min(limit-total, cwlogs.MaxEventsLimit)
		out, err := cl.GetLogEvents(ctx, &req)
		if err != nil {
			return nil, err
		}
		if len(out.Events) > 0 {
			pages = append(pages, out.Events)
			total += len(out.Events)
			n.Add(int64(len(out.Events)))
		}
		// The start of the stream is where the service sends back the token
		// it was given; an empty page with a new token is not the end (the
		// service may return those in the middle of a stream).
		if out.NextBackwardToken == "" || out.NextBackwardToken == req.NextToken {
			break
		}
		req.NextToken = out.NextBackwardToken
	}
	evs := make([]cwlogs.OutputLogEvent, 0, total)
	for i := len(pages) - 1; i >= 0; i-- {
		evs = append(evs, pages[i]...)
	}
	if len(evs) > limit {
		evs = evs[len(evs)-limit:]
	}
	return evs, nil
}
