package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/cwlogs/cwlogs"
)

var tailInfo = &commandInfo{
	name:    "tail",
	args:    "GROUP [--follow] [--pattern P] [--since D] [--stream S]... [--stream-prefix P]",
	summary: "Print the recent events of a log group and, with --follow, new ones as they arrive.",
	details: `Events since D (default 10m: the last ten minutes) are printed across all streams, by time.
With --follow, cwlogs polls FilterLogEvents once a second (the service allows 10 requests per
second per account and region), slowing down up to 30 s while throttled, and never prints an
event twice: each poll re-reads the last 5 seconds before the newest event seen, to catch
events that arrive late, and skips the event ids already printed. While nothing new is
printed, a poll reads back at most 2 minutes before the previous poll (not to D each time).
Ctrl-C stops it (exit 0).
-f is short for --follow. aws logs tail's flag names --filter-pattern, --log-stream-names and
--log-stream-name-prefix are accepted too.

` + timeHelp,
	examples: []string{"cwlogs tail my-app --follow --since 1h --pattern ERROR"},
	new:      func(m *Main) command { return &TailCommand{m: m} },
}

// Polling parameters of tail --follow.
const (
	tailInterval    = time.Second            // between polls: FilterLogEvents is limited to 10 TPS per account
	tailMaxInterval = 30 * time.Second       // the longest wait while throttled
	tailPageGap     = 200 * time.Millisecond // between the pages of one poll
	tailOverlap     = 5 * time.Second        // re-read window for late events
	// tailQuietLag bounds how far back a poll reads when nothing has been printed for a
	// while: this much before the previous poll started. Generous, for writers whose
	// clocks lag this machine's and for late arrivals.
	tailQuietLag = 2 * time.Minute
)

// TailCommand is "cwlogs tail".
type TailCommand struct {
	m      *Main
	follow bool
	sel    eventSelection
	since  string
}

func (c *TailCommand) flags() *flag.FlagSet {
	fs := newFlagSet("tail")
	fs.BoolVar(&c.follow, "follow", false, "keep printing new events until interrupted")
	c.sel.bind(fs)
	fs.StringVar(&c.since, "since", "10m", "start `D` ago (or at a time T)")
	return fs
}

// Run implements the command.
func (c *TailCommand) Run(ctx context.Context, args []string) error {
	const name = "tail"
	fs := c.flags()
	// -f as in tail(1).
	fs.BoolVar(&c.follow, "f", false, "same as --follow")
	pos, err := c.m.parseArgs(tailInfo, fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(name, pos, 1, 1, "GROUP"); err != nil {
		return err
	}
	if err := c.sel.check(name, fs); err != nil {
		return err
	}
	start, err := timeFlag(name, "since", c.since, time.Now())
	if err != nil {
		return err
	}
	if start == nil { // timeFlag takes "" as not given, but tail needs a start
		return usagef(name, "--since: empty time: want a duration before now (10m) or a time (T)")
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	t := &tailer{m: c.m, cl: cl, group: pos[0], sel: c.sel, start: *start, seen: map[string]int64{}, sleep: sleepCtx}
	err = t.run(ctx, c.follow)
	if c.follow && ctx.Err() != nil {
		return nil // Ctrl-C is how --follow ends: a clean end, as aws logs tail --follow
	}
	return err // without --follow, an interruption is reported (exit 130), as aws logs tail does
}

// tailer polls FilterLogEvents and prints each event once.
type tailer struct {
	m      *Main
	cl     *cwlogs.Client
	group  string
	sel    eventSelection
	start  int64            // ms: nothing before this is shown
	newest int64            // ms: newest timestamp printed
	polled int64            // ms, this machine's clock: when the last complete poll started
	seen   map[string]int64 // event id -> timestamp, for events inside the overlap window (--follow only)
	sleep  func(ctx context.Context, d time.Duration) error
	now    func() time.Time // nil: time.Now
}

// windowStart is where the next poll starts reading.
// An event stamped in the future (a writer's clock ahead) does not move the
// window past now, which would hide every event that follows it.
func (t *tailer) windowStart() int64 {
	return max(t.start, min(t.newest, t.clock().UnixMilli())-tailOverlap.Milliseconds(),
		t.polled-tailQuietLag.Milliseconds())
}

func (t *tailer) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

func (t *tailer) run(ctx context.Context, follow bool) error {
	wait := tailInterval
	for {
		err := t.poll(ctx, follow)
		switch {
		case err == nil:
			wait = tailInterval
		case !follow || ctx.Err() != nil:
			return err
		case cwlogs.IsThrottling(err) || cwlogs.IsRetryable(err):
			wait = min(2*wait, tailMaxInterval)
			fmt.Fprintf(t.m.Stderr, "%s (retrying in %s)\n", t.m.forStderr(errorText(err)), wait)
		default:
			return err
		}
		if !follow {
			return nil
		}
		if err := t.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// poll reads every page from the window start to now and prints the events
// not printed yet.
func (t *tailer) poll(ctx context.Context, follow bool) error {
	started := t.clock().UnixMilli()
	from := t.windowStart()
	in := &cwlogs.FilterLogEventsInput{LogGroupName: t.group, StartTime: &from}
	t.sel.apply(in)
	for {
		out, err := t.cl.FilterLogEvents(ctx, in)
		if err != nil {
			return err
		}
		for _, e := range out.Events {
			if _, dup := t.seen[e.EventID]; dup || e.Timestamp < from {
				continue
			}
			if follow { // one poll alone never returns an event twice
				t.seen[e.EventID] = e.Timestamp
			}
			t.newest = max(t.newest, e.Timestamp)
			if err := t.m.out.event(filteredJSON(e), true); err != nil {
				return err
			}
		}
		t.prune() // a long first poll (--since 1w) must not keep every id
		if out.NextToken == "" || out.NextToken == in.NextToken {
			break
		}
		in.NextToken = out.NextToken
		if follow {
			if err := t.sleep(ctx, tailPageGap); err != nil {
				return err
			}
		}
	}
	t.polled = started
	t.prune()
	return nil
}

// prune forgets the ids that no later page or poll can return again: events
// come by time, and the next poll starts at windowStart.
func (t *tailer) prune() {
	next := t.windowStart()
	for id, ts := range t.seen {
		if ts < next {
			delete(t.seen, id)
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
