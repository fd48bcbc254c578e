package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/cwlogs/cwlogs"
)

var tailInfo = &commandInfo{
	name:    "tail",
	args:    "GROUP [--follow] [--pattern P] [--since D] [--stream S]... [--stream-prefix P] | GROUP... --live [--follow] [--pattern P] [--stream S]... [--stream-prefix P]",
	summary: "Print the recent events of a log group and, with --follow, new ones as they arrive.",
	details: `Events since D (default 10m: the last ten minutes) are printed across all streams, by time.
With --follow, cwlogs polls FilterLogEvents once a second (the service allows 10 requests per
second per account and region), slowing down up to 30 s while throttled, and never prints an
event twice: each poll re-reads the last 5 seconds before the newest event seen, to catch
events that arrive late, and skips the event ids already printed. While nothing new is
printed, a poll reads back at most 2 minutes before the previous poll (not to D each time).
Ctrl-C stops it (exit 0).
With --live, tail follows through a Live Tail session (StartLiveTail) instead of polling: the
service pushes the events of up to 10 log groups (names or ARNs; --stream and --stream-prefix
only with one group) as they are ingested, from now on (--since is refused: Live Tail has no
past). A session always follows: --follow (-f) may be given with --live and changes nothing.
Events print as with --follow; with several groups the stream column is GROUP STREAM.
When more than 500 events a second match, the service sends a sample of them: cwlogs says so
once on stderr. A session lasts at most 3 hours (the service then ends it: exit 1); Ctrl-C
stops it (exit 0).
-f is short for --follow. aws logs tail's flag names --filter-pattern, --log-stream-names and
--log-stream-name-prefix are accepted too.

` + timeHelp,
	examples: []string{"cwlogs tail my-app --follow --since 1h --pattern ERROR", "cwlogs tail my-app my-worker --live --pattern ERROR"},
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
	live   bool
	sel    eventSelection
	since  string
}

func (c *TailCommand) flags() *flag.FlagSet {
	fs := newFlagSet("tail")
	fs.BoolVar(&c.follow, "follow", false, "keep printing new events until interrupted")
	fs.BoolVar(&c.live, "live", false, "follow new events through a Live Tail session (StartLiveTail), not by polling")
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
	if c.live {
		return c.runLive(ctx, fs, pos)
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

// runLive is tail --live: a Live Tail session of up to 10 groups.
func (c *TailCommand) runLive(ctx context.Context, fs *flag.FlagSet, groups []string) error {
	const name = "tail"
	if len(groups) == 0 {
		return usagef(name, "missing arguments: want GROUP... (1 to %d log groups with --live)", cwlogs.MaxLiveTailLogGroups)
	}
	if len(groups) > cwlogs.MaxLiveTailLogGroups {
		return usagef(name, "%d log groups: --live tails at most %d", len(groups), cwlogs.MaxLiveTailLogGroups)
	}
	// --follow is accepted: a session always follows (the help says so). --since is not:
	// it has a default, so only fs knows whether it was given.
	since := false
	fs.Visit(func(f *flag.Flag) { since = since || f.Name == "since" })
	if since {
		return usagef(name, "--since cannot be used with --live: a Live Tail session shows the events ingested from now on, none before")
	}
	if err := c.sel.check(name, fs); err != nil {
		return err
	}
	if len(groups) > 1 && (len(c.sel.streams) > 0 || c.sel.prefix != "") {
		return usagef(name, "--stream and --stream-prefix need a single log group with --live (the service refuses them with %d)", len(groups))
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	err = c.liveTail(ctx, cl, groups)
	if ctx.Err() != nil {
		return nil // Ctrl-C is how --live ends, as --follow
	}
	return err
}

// liveTail resolves the groups to ARNs and prints the session's events.
func (c *TailCommand) liveTail(ctx context.Context, cl *cwlogs.Client, groups []string) error {
	in := &cwlogs.StartLiveTailInput{LogEventFilterPattern: c.sel.pattern}
	if len(c.sel.streams) > 0 {
		in.LogStreamNames = c.sel.streams
	}
	if c.sel.prefix != "" {
		in.LogStreamNamePrefixes = []string{c.sel.prefix}
	}
	names := make(map[string]string, len(groups)) // ARN -> the name shown
	for _, g := range groups {
		arn, gname, err := groupARN(ctx, cl, g) // StartLiveTail takes ARNs
		if err != nil {
			return err
		}
		in.LogGroupIdentifiers = append(in.LogGroupIdentifiers, arn)
		names[arn] = gname
	}
	s, err := cl.StartLiveTail(ctx, in)
	if err != nil {
		return err
	}
	defer s.Close()
	sampled := false
	for u, err := range s.Updates() {
		if err != nil {
			var ae *cwlogs.APIError
			if errors.As(err, &ae) && ae.Code == cwlogs.CodeSessionTimeout {
				// Not wrapped: errorText would print the bare code.
				return fmt.Errorf("tail: the Live Tail session timed out: the service ends a session after 3 hours (%s: %s); run 'cwlogs tail --live' again to go on",
					ae.Code, ae.Message)
			}
			return err
		}
		if u.SessionMetadata.Sampled && !sampled {
			sampled = true
			fmt.Fprintln(c.m.Stderr, "cwlogs: tail: more than 500 events a second match: Live Tail sends a sample of 500 of them a second (said once)")
		}
		for _, e := range u.SessionResults {
			ev := eventJSON{LogStreamName: e.LogStreamName, Timestamp: e.Timestamp, IngestionTime: e.IngestionTime, Message: e.Message}
			if len(groups) == 1 {
				err = c.m.out.event(ev, true)
			} else {
				group := liveGroupName(names, e.LogGroupIdentifier)
				if c.m.out.json {
					err = c.m.out.jsonLine(liveEventJSON{ev, group})
				} else {
					ev.LogStreamName = group + "  " + ev.LogStreamName
					err = c.m.out.event(ev, true)
				}
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// liveEventJSON is a --live event of several groups in JSON: tail's event and its group.
type liveEventJSON struct {
	eventJSON
	LogGroupName string `json:"logGroupName"`
}

// liveGroupName names an event's group: its logGroupIdentifier is an ARN of the
// session, or ACCOUNT:NAME, or a name.
func liveGroupName(names map[string]string, ident string) string {
	if n, ok := names[ident]; ok {
		return n
	}
	for _, n := range names {
		if ident == n || strings.HasSuffix(ident, ":"+n) {
			return n
		}
	}
	return ident
}
