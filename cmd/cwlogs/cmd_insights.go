package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs"
)

var queryInfo = &commandInfo{
	name:    "query",
	args:    "-g GROUP [-g GROUP]... [--since D | --start T [--end T]] [--limit N] [--language L] [--max-wait D] QUERY | --query-string QUERY",
	summary: "Run a CloudWatch Logs Insights query and print its rows.",
	details: `QUERY is a Logs Insights query, e.g. 'fields @timestamp, @message | sort @timestamp desc | limit 20'.
GROUP (-g, --group, or aws's --log-group-names) is a log group name, up to 50 of them; when one is an
ARN, all are sent as log group identifiers. Without a GROUP the query must select its log groups
itself (SOURCE, or --language SQL).

The time range is the last hour unless --since D or --start T is given; --end defaults to now. The
service takes whole seconds, both ends inclusive: the start is rounded down and the end up.

The flags of aws logs start-query work too: --log-group-name, --log-group-names and
--log-group-identifiers (values up to the next flag), --start-time and --end-time (all digits are
epoch seconds there, as aws takes them; any other time T as for --start), --query-string (instead
of QUERY), --query-language and --limit.

The query is polled until it ends: after 0.1 s, then doubling up to 5 s. Ctrl-C stops it (StopQuery)
and exits 130. With --max-wait D (e.g. 30s, 10m), the query has D from StartQuery's answer to end:
the last poll is made at D, and a query it finds still running is stopped (StopQuery), the rows it
had are printed and cwlogs exits 1 saying it did not finish within D. D does not cut StartQuery
(its answer is needed to stop the query) nor the fetch of a complete query's rows. Without it,
cwlogs waits until the query ends (AWS ends queries after 60 minutes, status Timeout).
Rows are printed as a table without the @ptr field, or with --output json as one JSON object per
row, every field in the service's order. A summary goes to stderr: id=, status=,
rows=, matched=, scanned= and bytes= (records matched, records and bytes scanned). A query that ends
Failed, Cancelled, Timeout or Unknown exits 1.

` + timeHelp,
	examples: []string{`cwlogs query -g my-app --since 2h 'fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 20'`},
	new:      func(m *Main) command { return &QueryCommand{m: m} },
}

// defaultQuerySince is the range of a query given neither --since nor --start.
const defaultQuerySince = time.Hour

// QueryCommand is "cwlogs query".
type QueryCommand struct {
	m                 *Main
	groups            stringList
	ids               stringList // --log-group-identifiers
	since, start, end string
	startTime         string // aws's --start-time: epoch seconds, or T
	endTime           string
	queryString       string
	limit             string
	language          string
	maxWait           string
}

func (c *QueryCommand) flags() *flag.FlagSet {
	fs := newFlagSet("query")
	fs.Var(&c.groups, "group", "query the log group `GROUP` (repeatable, up to 50; also -g)")
	fs.Var(&awsList{&c.groups}, "log-group-names", "the log groups `GROUP...`, as --group (aws's name: values up to the next flag)")
	fs.StringVar(&c.since, "since", "", "start `D` ago (or at a time T); the default is 1h without --start")
	fs.StringVar(&c.start, "start", "", "first time `T` (inclusive)")
	fs.StringVar(&c.end, "end", "", "last time `T` (inclusive; default now)")
	fs.StringVar(&c.limit, "limit", "", "return at most `N` rows (1-100000; the service default is 10000)")
	fs.StringVar(&c.language, "language", "", "query language `L`: CWLI (the default), SQL or PPL")
	fs.StringVar(&c.maxWait, "max-wait", "", "stop the query (StopQuery) if it has not ended `D` after it started (default: wait until it ends)")
	// aws logs start-query's names.
	fs.StringVar(&c.language, "query-language", "", "the query language `L`, as --language (aws's name)")
	fs.Var(&c.groups, "log-group-name", "the log group `GROUP`, as --group (aws's name)")
	fs.Var(&awsList{&c.ids}, "log-group-identifiers", "log group names or ARNs `ID...`, sent as identifiers (aws's name)")
	fs.StringVar(&c.startTime, "start-time", "", "first time `S` in epoch seconds, or a time T (aws's name)")
	fs.StringVar(&c.endTime, "end-time", "", "last time `S` in epoch seconds, or a time T (aws's name)")
	fs.StringVar(&c.queryString, "query-string", "", "the `QUERY`, instead of the argument (aws's name)")
	return fs
}

// Run implements the command.
func (c *QueryCommand) Run(ctx context.Context, args []string) error {
	const name = "query"
	fs := c.flags()
	fs.Var(&c.groups, "g", "same as --group")
	pos, err := c.m.parseArgs(queryInfo, fs, args)
	if err != nil {
		return err
	}
	if c.queryString != "" {
		if len(pos) > 0 {
			return usagef(name, "the query is given twice: --query-string and the argument %q", pos[0])
		}
		pos = []string{c.queryString}
	}
	if len(pos) == 0 && len(c.groups)+len(c.ids) > 0 {
		if last := append(append([]string(nil), c.groups...), c.ids...); strings.ContainsAny(last[len(last)-1], " |") {
			// aws's list flags take the values up to the next flag: the query too.
			return usagef(name, "missing QUERY: %q was taken for a log group name (--log-group-names and "+
				"--log-group-identifiers take the values up to the next flag); give it with --query-string", last[len(last)-1])
		}
	}
	if err := wantArgs(name, pos, 1, 1, "QUERY"); err != nil {
		return err
	}
	in, err := c.input(pos[0], time.Now())
	if err != nil {
		return err
	}
	var maxWait time.Duration
	if c.maxWait != "" {
		if maxWait, err = parseDuration(c.maxWait); err != nil {
			return usagef(name, "--max-wait: %v", err)
		}
		if maxWait <= 0 {
			return usagef(name, "--max-wait %q: want a positive duration, such as 30s or 10m", c.maxWait)
		}
	}
	cl, err := c.m.client(ctx)
	if err != nil {
		return err
	}
	// While the query runs, a progress line on a terminal says how far the service got.
	var mu sync.Mutex
	state := "started"
	pr := c.m.startProgress(func() string {
		mu.Lock()
		defer mu.Unlock()
		return c.m.forStderr("cwlogs: query " + state)
	})
	// --max-wait bounds only the wait for the query to end (MaxWait): StartQuery, whose
	// answer is needed to stop the query, and the fetch of a complete query's rows are not cut.
	opts := &cwlogs.QueryOptions{MaxWait: maxWait, Progress: func(status string, st cwlogs.QueryStatistics) {
		mu.Lock()
		state = fmt.Sprintf("%s: %.0f records matched, %.0f scanned (%.0f bytes)", status, st.RecordsMatched, st.RecordsScanned, st.BytesScanned)
		mu.Unlock()
	}}
	res, err := cl.RunQuery(ctx, in, opts)
	pr.end()
	// --max-wait ran out (not Ctrl-C): RunQuery stopped the query. Its rows so far, then why.
	waitOver := errors.As(err, new(*cwlogs.QueryWaitError)) && ctx.Err() == nil
	if waitOver {
		err = &queryWaitError{wait: c.maxWait, err: err}
	}
	if res != nil {
		fmt.Fprintln(c.m.Stderr, c.m.forStderr(querySummary(res))) // the id and status are the server's
	}
	if err != nil && !waitOver && !errors.As(err, new(*cwlogs.QueryError)) {
		var ae *cwlogs.APIError
		if errors.As(err, &ae) && ae.QueryCompileError != nil {
			// Where the query is wrong; the error itself follows (Report).
			fmt.Fprintln(c.m.Stderr, c.m.forStderr(compileErrorText(ae.QueryCompileError)))
		}
		return err
	}
	if perr := c.print(res); perr != nil {
		return perr
	}
	return err // a *QueryError or *queryWaitError after its partial rows, if any
}

// queryWaitError reports a query given up on after --max-wait.
type queryWaitError struct {
	wait string // --max-wait, as given
	err  error  // RunQuery's: it names the query and says whether StopQuery stopped it
}

// Error implements error.
func (e *queryWaitError) Error() string {
	return fmt.Sprintf("cwlogs: query did not finish within %s (--max-wait): %v", e.wait, e.err)
}

// Unwrap returns RunQuery's error.
func (e *queryWaitError) Unwrap() error { return e.err }

// input builds the StartQuery input from the flags; now is the time durations count back from.
func (c *QueryCommand) input(query string, now time.Time) (*cwlogs.StartQueryInput, error) {
	const name = "query"
	in := &cwlogs.StartQueryInput{QueryString: query, QueryLanguage: strings.ToUpper(c.language)}
	switch in.QueryLanguage {
	case "", cwlogs.QueryLanguageCWLI, cwlogs.QueryLanguageSQL, cwlogs.QueryLanguagePPL:
	default:
		return nil, usagef(name, "--language %q: want CWLI, SQL or PPL", c.language)
	}
	groups := append(append([]string(nil), c.groups...), c.ids...)
	if len(groups) > cwlogs.MaxQueryLogGroups {
		return nil, usagef(name, "%d log groups: at most %d", len(groups), cwlogs.MaxQueryLogGroups)
	}
	arn := len(c.ids) > 0
	for _, g := range groups {
		arn = arn || strings.HasPrefix(g, "arn:")
	}
	if arn {
		in.LogGroupIdentifiers = groups
	} else {
		in.LogGroupNames = groups
	}
	startFlag, startVal, err := oneFlag(name, [][2]string{{"since", c.since}, {"start", c.start}, {"start-time", c.startTime}})
	if err != nil {
		return nil, err
	}
	endFlag, endVal, err := oneFlag(name, [][2]string{{"end", c.end}, {"end-time", c.endTime}})
	if err != nil {
		return nil, err
	}
	in.StartTime, in.EndTime = now.Add(-defaultQuerySince), now
	for _, f := range []struct {
		name, v string
		t       *time.Time
	}{{startFlag, startVal, &in.StartTime}, {endFlag, endVal, &in.EndTime}} {
		if strings.HasSuffix(f.name, "-time") && isDigits(f.v) {
			// aws logs start-query's unit: epoch seconds.
			sec, err := strconv.ParseInt(f.v, 10, 64)
			if err == nil && sec > maxEpochSeconds && sec/1000 <= maxEpochSeconds {
				return nil, usagef(name, "--%s: %q looks like epoch milliseconds: --%s takes epoch seconds, as aws does (%d)",
					f.name, f.v, f.name, sec/1000)
			}
			if err != nil || sec > maxEpochSeconds {
				return nil, usagef(name, "--%s: epoch seconds %q out of range", f.name, f.v)
			}
			*f.t = time.Unix(sec, 0)
			continue
		}
		ms, err := timeFlag(name, f.name, f.v, now)
		if err != nil {
			return nil, err
		}
		if ms != nil {
			*f.t = time.UnixMilli(*ms)
		}
	}
	// The service takes whole seconds: round the end up, so that events of its
	// last second (those of the current one, by default) are not left out.
	if frac := in.EndTime.Sub(in.EndTime.Truncate(time.Second)); frac > 0 {
		in.EndTime = in.EndTime.Add(time.Second - frac)
	}
	if in.StartTime.Unix() > in.EndTime.Unix() {
		return nil, usagef(name, "--%s %s is after --%s %s", startFlag, in.StartTime.UTC().Format(time.RFC3339), endFlag, in.EndTime.UTC().Format(time.RFC3339))
	}
	if c.limit != "" {
		n, err := positiveInt(name, "--limit", c.limit)
		if err != nil {
			return nil, err
		}
		if n > cwlogs.MaxQueryLimit {
			return nil, usagef(name, "--limit %d: at most %d", n, cwlogs.MaxQueryLimit)
		}
		in.Limit = n
	}
	return in, nil
}

// maxEpochSeconds is the largest epoch seconds --start-time and --end-time take (year 9999).
const maxEpochSeconds = 253402300799

// oneFlag returns the one of the flags (name, value) that is set, refusing two: they are the
// same setting. The first name, with an empty value, when none is.
func oneFlag(cmd string, flags [][2]string) (name, value string, err error) {
	name = flags[0][0]
	for _, f := range flags {
		if f[1] == "" {
			continue
		}
		if value != "" {
			return "", "", usagef(cmd, "--%s and --%s are the same setting: give one", name, f[0])
		}
		name, value = f[0], f[1]
	}
	return name, value, nil
}

// print writes the rows: a table of the fields but @ptr, or JSON lines.
func (c *QueryCommand) print(res *cwlogs.QueryResult) error {
	p := c.m.out
	if p.json {
		for _, r := range res.Rows {
			b, err := rowJSON(r)
			if err != nil {
				return err
			}
			if err := p.writeJSONLine(append(b, '\n')); err != nil {
				return err
			}
		}
		return nil
	}
	var cols []string
	for _, f := range res.Fields() {
		if f != "@ptr" {
			cols = append(cols, f)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	t := p.newTable(cols...)
	for _, r := range res.Rows {
		cells := make([]string, len(cols))
		for i, f := range cols {
			cells[i] = r.Get(f)
		}
		t.row(cells...)
	}
	return t.flush()
}

// rowJSON renders a row as a JSON object with its fields in the row's order
// (the first of a field given twice), without HTML escaping, as the other
// commands' JSON lines.
func rowJSON(r cwlogs.QueryRow) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	str := func(s string) error {
		if err := enc.Encode(s); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		return nil
	}
	b.WriteByte('{')
	seen := map[string]bool{}
	for _, f := range r {
		if seen[f.Field] {
			continue
		}
		seen[f.Field] = true
		if len(seen) > 1 {
			b.WriteByte(',')
		}
		if err := str(f.Field); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := str(f.Value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// querySummary is the line printed on stderr after a query.
func querySummary(res *cwlogs.QueryResult) string {
	st := res.Statistics
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return fmt.Sprintf("cwlogs query: id=%s status=%s rows=%d matched=%s scanned=%s bytes=%s",
		res.QueryID, res.Status, len(res.Rows), f(st.RecordsMatched), f(st.RecordsScanned), f(st.BytesScanned))
}

// compileErrorText describes a MalformedQueryException's compile error.
func compileErrorText(ce *cwlogs.QueryCompileError) string {
	return fmt.Sprintf("cwlogs query: malformed at characters %d-%d of the query: %s",
		ce.Location.StartCharOffset, ce.Location.EndCharOffset, ce.Message)
}
