package main

import (
	"context"
	"flag"

	"github.com/cwlogs/cwlogs"
)

// ---- create-stream ----

var createStreamInfo = &commandInfo{
	name:     "create-stream",
	args:     "GROUP STREAM",
	summary:  "Create a log stream in a log group.",
	examples: []string{"cwlogs create-stream my-app web-1"},
	new:      func(m *Main) command { return &CreateStreamCommand{m: m} },
}

// CreateStreamCommand is "cwlogs create-stream".
type CreateStreamCommand struct{ m *Main }

func (c *CreateStreamCommand) flags() *flag.FlagSet { return newFlagSet("create-stream") }

// Run implements the command.
func (c *CreateStreamCommand) Run(ctx context.Context, args []string) error {
	return c.m.runWrite(ctx, createStreamInfo, c.flags(), args, 2, func(cl *cwlogs.Client, pos []string) (string, writeResult, error) {
		err := cl.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: pos[0], LogStreamName: pos[1]})
		return "created log stream " + pos[0] + " " + pos[1],
			writeResult{Operation: "CreateLogStream", LogGroupName: pos[0], LogStreamName: pos[1]}, err
	})
}

// ---- delete-stream ----

var deleteStreamInfo = &commandInfo{
	name:     "delete-stream",
	args:     "GROUP STREAM",
	summary:  "Delete a log stream and its events.",
	examples: []string{"cwlogs delete-stream my-app web-1"},
	new:      func(m *Main) command { return &DeleteStreamCommand{m: m} },
}

// DeleteStreamCommand is "cwlogs delete-stream".
type DeleteStreamCommand struct{ m *Main }

func (c *DeleteStreamCommand) flags() *flag.FlagSet { return newFlagSet("delete-stream") }

// Run implements the command.
func (c *DeleteStreamCommand) Run(ctx context.Context, args []string) error {
	return c.m.runWrite(ctx, deleteStreamInfo, c.flags(), args, 2, func(cl *cwlogs.Client, pos []string) (string, writeResult, error) {
		err := cl.DeleteLogStream(ctx, &cwlogs.DeleteLogStreamInput{LogGroupName: pos[0], LogStreamName: pos[1]})
		return "deleted log stream " + pos[0] + " " + pos[1],
			writeResult{Operation: "DeleteLogStream", LogGroupName: pos[0], LogStreamName: pos[1]}, err
	})
}

// ---- streams ----

var streamsInfo = &commandInfo{
	name:    "streams",
	args:    "GROUP [--prefix P] [--order-by name|last-event]",
	summary: "List the log streams of a log group.",
	details: `--order-by name lists streams by name (the default); last-event lists the stream with the
most recent event first. The service does not allow --prefix with --order-by last-event.`,
	examples: []string{"cwlogs streams my-app --order-by last-event"},
	new:      func(m *Main) command { return &StreamsCommand{m: m} },
}

// StreamsCommand is "cwlogs streams".
type StreamsCommand struct {
	m       *Main
	prefix  string
	orderBy string
}

func (c *StreamsCommand) flags() *flag.FlagSet {
	fs := newFlagSet("streams")
	fs.StringVar(&c.prefix, "prefix", "", "only streams whose name starts with `P`")
	fs.StringVar(&c.orderBy, "order-by", "name", "`ORDER`: name or last-event")
	return fs
}

// streamJSON is the --output json shape of one log stream. Event times are
// null for a stream without events.
type streamJSON struct {
	LogStreamName       string `json:"logStreamName"`
	Arn                 string `json:"arn"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp"`
	LastIngestionTime   *int64 `json:"lastIngestionTime"`
	StoredBytes         int64  `json:"storedBytes"`
}

func optMillis(ms int64) *int64 {
	if ms == 0 {
		return nil
	}
	return &ms
}

// Run implements the command.
func (c *StreamsCommand) Run(ctx context.Context, args []string) error {
	const name = "streams"
	pos, err := c.m.parseArgs(streamsInfo, c.flags(), args)
	if err != nil {
		return err
	}
	if err := wantArgs(name, pos, 1, 1, "GROUP"); err != nil {
		return err
	}
	in := &cwlogs.DescribeLogStreamsInput{LogGroupName: pos[0], LogStreamNamePrefix: c.prefix}
	switch c.orderBy {
	case "name":
		in.OrderBy = cwlogs.OrderByLogStreamName
	case "last-event":
		if c.prefix != "" {
			return usagef(name, "--prefix cannot be combined with --order-by last-event (the service refuses it)")
		}
		in.OrderBy, in.Descending = cwlogs.OrderByLastEventTime, true
	default:
		return usagef(name, "invalid --order-by %q: want name or last-event", c.orderBy)
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	p := c.m.out
	var t *table
	if !p.json {
		t = p.newTable("NAME", "CREATED", "FIRST EVENT", "LAST EVENT", "LAST INGESTION")
	}
	for s, err := range cl.DescribeLogStreamsIter(ctx, in) {
		if err != nil {
			return err // the table is not printed: stdout stays empty
		}
		if p.json {
			if err := p.jsonLine(streamJSON{LogStreamName: s.LogStreamName, Arn: s.Arn, CreationTime: s.CreationTime,
				FirstEventTimestamp: optMillis(s.FirstEventTimestamp), LastEventTimestamp: optMillis(s.LastEventTimestamp),
				LastIngestionTime: optMillis(s.LastIngestionTime), StoredBytes: s.StoredBytes}); err != nil {
				return err
			}
			continue
		}
		t.row(s.LogStreamName, p.fmtTime(s.CreationTime), p.fmtTime(s.FirstEventTimestamp),
			p.fmtTime(s.LastEventTimestamp), p.fmtTime(s.LastIngestionTime))
	}
	if t != nil {
		return t.flush()
	}
	return nil
}
