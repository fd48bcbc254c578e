package main

import (
	"context"
	"flag"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cwlogs/cwlogs"
)

var filterInfo = &commandInfo{
	name:    "filter",
	args:    "GROUP [--pattern P] [--stream S]... [--stream-prefix P] [--start T] [--end T] [--limit N]",
	summary: "Print the events of a log group that match a filter pattern, across streams, by time.",
	details: `P is a CloudWatch Logs filter pattern: terms ("ERROR timeout"), quoted phrases, ?OR terms,
-exclusions, JSON patterns ({ $.status >= 500 }) or space-delimited patterns ([ip, user, ...]).
An empty pattern matches every event. aws logs tail's flag names --filter-pattern,
--log-stream-names and --log-stream-name-prefix are accepted too.

` + timeHelp,
	examples: []string{`cwlogs filter my-app --pattern '{ $.level = "error" }' --start 2h`},
	new:      func(m *Main) command { return &FilterCommand{m: m} },
}

// FilterCommand is "cwlogs filter".
type FilterCommand struct {
	m          *Main
	sel        eventSelection
	start, end string
	limit      string
}

func (c *FilterCommand) flags() *flag.FlagSet {
	fs := newFlagSet("filter")
	c.sel.bind(fs)
	fs.StringVar(&c.start, "start", "", "first time `T` (inclusive)")
	fs.StringVar(&c.end, "end", "", "end time `T` (exclusive)")
	fs.StringVar(&c.limit, "limit", "", "print at most `N` events")
	return fs
}

// Run implements the command.
func (c *FilterCommand) Run(ctx context.Context, args []string) error {
	const name = "filter"
	fs := c.flags()
	pos, err := c.m.parseArgs(filterInfo, fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(name, pos, 1, 1, "GROUP"); err != nil {
		return err
	}
	if err := c.sel.check(name, fs); err != nil {
		return err
	}
	now := time.Now()
	in := &cwlogs.FilterLogEventsInput{LogGroupName: pos[0]}
	c.sel.apply(in)
	if in.StartTime, err = timeFlag(name, "start", c.start, now); err != nil {
		return err
	}
	if in.EndTime, err = timeFlag(name, "end", c.end, now); err != nil {
		return err
	}
	if in.EndTime != nil {
		// --end is exclusive, as in get; FilterLogEvents's endTime is inclusive
		// ("events with a timestamp later than this time are not returned").
		if *in.EndTime == 0 {
			return usagef(name, "--end %q: no event is before it", c.end)
		}
		*in.EndTime--
	}
	limit := 0
	if c.limit != "" {
		if limit, err = positiveInt(name, "--limit", c.limit); err != nil {
			return err
		}
		in.Limit = min(limit, cwlogs.MaxEventsLimit)
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	var n atomic.Int64
	pr := c.m.startReadProgress(func() string { return fmt.Sprintf("cwlogs: %d events found", n.Load()) })
	defer pr.end()
	for e, err := range cl.FilterLogEventsIter(ctx, in) {
		if err != nil {
			return err
		}
		if err := c.m.out.event(filteredJSON(e), true); err != nil {
			return err
		}
		if n.Add(1) == int64(limit) {
			break
		}
	}
	return nil
}

func filteredJSON(e cwlogs.FilteredLogEvent) eventJSON {
	return eventJSON{LogStreamName: e.LogStreamName, Timestamp: e.Timestamp, IngestionTime: e.IngestionTime, Message: e.Message, EventID: e.EventID}
}

// eventSelection is what filter and tail select events by, under cwlogs's
// flag names and aws logs tail's.
type eventSelection struct {
	pattern string
	streams stringList
	prefix  string
}

func (s *eventSelection) bind(fs *flag.FlagSet) {
	fs.StringVar(&s.pattern, "pattern", "", "filter pattern `P`")
	fs.StringVar(&s.pattern, "filter-pattern", "", "filter pattern `P`, as --pattern (aws logs tail's name)")
	fs.Var(&s.streams, "stream", "only the stream `S` (repeatable, up to 100)")
	fs.Var(&awsList{&s.streams}, "log-stream-names", "only the streams `S...`, as --stream (aws logs tail's name: values up to the next flag)")
	fs.StringVar(&s.prefix, "stream-prefix", "", "only streams whose name starts with `P`")
	fs.StringVar(&s.prefix, "log-stream-name-prefix", "", "only streams starting with `P`, as --stream-prefix (aws logs tail's name)")
}

// check refuses one setting given under both its names, and what the service
// would refuse: too many streams, or streams and a prefix together. Errors
// name the flags as they were typed (fs has been parsed).
func (s *eventSelection) check(cmd string, fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	used := func(a, b string) string { // the name used ("" for neither), a if both
		switch {
		case given[a]:
			return a
		case given[b]:
			return b
		}
		return ""
	}
	for _, pair := range [][2]string{{"pattern", "filter-pattern"}, {"stream-prefix", "log-stream-name-prefix"}} {
		if given[pair[0]] && given[pair[1]] {
			return usagef(cmd, "--%s and --%s are the same setting: give one", pair[0], pair[1])
		}
	}
	streams, prefix := used("stream", "log-stream-names"), used("stream-prefix", "log-stream-name-prefix")
	if len(s.streams) > cwlogs.MaxFilterLogStreamNames {
		return usagef(cmd, "%d streams in --%s: at most %d", len(s.streams), streams, cwlogs.MaxFilterLogStreamNames)
	}
	if len(s.streams) > 0 && s.prefix != "" {
		return usagef(cmd, "--%s and --%s cannot be combined (the service refuses both)", streams, prefix)
	}
	return nil
}

func (s *eventSelection) apply(in *cwlogs.FilterLogEventsInput) {
	in.FilterPattern, in.LogStreamNames, in.LogStreamNamePrefix = s.pattern, s.streams, s.prefix
}
