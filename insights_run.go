package cwlogs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Defaults of [QueryOptions].
const (
	// DefaultQueryPollInterval is the wait before the first poll: short, so that a
	// query that ends at once (a small one, or any on a local server) costs little
	// more than its two calls; the doubling then keeps the polls of a long query
	// to a few (7 in its first 10 s, then one every 5 s).
	DefaultQueryPollInterval    = 100 * time.Millisecond
	DefaultQueryMaxPollInterval = 5 * time.Second
	DefaultQueryStopTimeout     = 5 * time.Second
)

// QueryOptions configures [Client.RunQuery]. The zero value (and nil) waits
// 100 ms after StartQuery before the first GetQueryResults, doubles the wait
// after each poll that finds the query still under way up to 5 s, waits for
// the query to end for as long as ctx lasts, and gives the StopQuery sent when
// the caller's ctx ends 5 s.
type QueryOptions struct {
	// PollInterval is the wait before the first poll; 0 means
	// DefaultQueryPollInterval (100 ms).
	PollInterval time.Duration
	// MaxPollInterval caps the doubling wait between polls; 0 means
	// DefaultQueryMaxPollInterval (5 s). A cap below PollInterval polls at
	// PollInterval throughout.
	MaxPollInterval time.Duration
	// StopTimeout bounds the best-effort StopQuery that RunQuery sends, on a
	// context detached from the caller's, when it gives up on a query that is
	// still running, and the wait for a StartQuery in flight when ctx ends
	// (see [Client.RunQuery]); 0 means DefaultQueryStopTimeout (5 s),
	// negative sends no StopQuery and cuts StartQuery at once.
	StopTimeout time.Duration
	// MaxWait bounds the wait for the query to end, counted from StartQuery's
	// answer; 0 means no bound (the query is polled until it ends or ctx
	// does). The wait before a poll never runs past MaxWait, and the poll made
	// when MaxWait has run out is the last: a query it finds still under way
	// is stopped, as when ctx ends, and RunQuery returns that poll's result
	// with an error wrapping a [*QueryWaitError]. Only the waiting is bounded:
	// StartQuery (whose answer is needed to stop the query), each poll and the
	// fetch of a Complete query's later pages run under ctx alone, so a query
	// that ends in time is never reported late, and RunQuery may return up to
	// one call's duration after MaxWait. Use ctx's deadline to bound the whole
	// run instead. Negative is invalid.
	MaxWait time.Duration
	// Progress, when set, is called after each poll that finds the query still
	// under way (Scheduled, Running or a status this package does not know),
	// with that answer's status and statistics, which the service updates
	// while it scans (records matched and scanned, bytes scanned); for a
	// progress line, say. It is called on RunQuery's goroutine and should
	// return quickly. nil: not called.
	Progress func(status string, stats QueryStatistics)

	sleep func(ctx context.Context, d time.Duration) error // tests; nil: sleepCtx
	now   func() time.Time                                 // tests; nil: time.Now
}

// QueryResult is the outcome of a query run by [Client.RunQuery].
type QueryResult struct {
	// QueryID is the id StartQuery gave the query.
	QueryID string
	// Status is QueryStatusComplete, unless the result is returned with an
	// error: then it is the status of the last answer (Running, Failed…).
	Status string
	// QueryLanguage is the language the service reports the query in.
	QueryLanguage string
	// Rows are the result rows, every page of them; partial when the result is
	// returned with an error.
	Rows []QueryRow
	// Statistics are those of the last answer.
	Statistics QueryStatistics
	// EncryptionKey is the KMS key the results are encrypted with, if any.
	EncryptionKey string
}

// Fields returns the names of the fields of the rows, in the order they
// first appear (the columns of a table of the results).
func (r *QueryResult) Fields() []string {
	var names []string
	seen := map[string]bool{}
	for _, row := range r.Rows {
		for _, f := range row {
			if !seen[f.Field] {
				seen[f.Field] = true
				names = append(names, f.Field)
			}
		}
	}
	return names
}

// QueryError reports a query that ended with a status other than Complete:
// Failed, Cancelled (by a StopQuery, maybe another caller's), Timeout (the
// service stops queries after 60 minutes) or Unknown.
type QueryError struct {
	QueryID    string          // the query's id
	Status     string          // the status it ended with (a QueryStatus* constant)
	Statistics QueryStatistics // those of its last answer
}

// Error implements error.
func (e *QueryError) Error() string {
	return fmt.Sprintf("cwlogs: query %s ended with status %s", e.QueryID, e.Status)
}

// QueryWaitError reports a query that had not ended when
// [QueryOptions.MaxWait] ran out. RunQuery returns it wrapped in an error that
// names the query and says whether StopQuery stopped it, with the result of
// the last poll.
type QueryWaitError struct {
	QueryID    string          // the query's id
	MaxWait    time.Duration   // the wait that ran out
	Status     string          // the status of the last poll: Scheduled, Running…
	Statistics QueryStatistics // those of the last poll
}

// Error implements error.
func (e *QueryWaitError) Error() string {
	return fmt.Sprintf("cwlogs: query %s still %s after %v (MaxWait)", e.QueryID, e.Status, e.MaxWait)
}

// RunQuery runs a CloudWatch Logs Insights query: it starts it with StartQuery
// and polls GetQueryResults (see [QueryOptions]; opts may be nil) until the
// query ends. A Complete query returns its rows, all pages of them, with its
// statistics. Any other end — Failed, Cancelled, Timeout or Unknown — returns
// the partial result together with a [*QueryError]. Scheduled, Running and
// statuses this package does not know are polled again: AWS ends a query after
// 60 minutes, but another service may never, so ctx should carry a deadline
// when the service is not AWS, or the options a MaxWait. An answer without a
// status is a [*DecodeError].
//
// When ctx ends, a poll fails or MaxWait runs out while the query runs,
// RunQuery sends a best-effort StopQuery on a context detached from ctx
// (bounded by StopTimeout) and returns an error that wraps ctx's error (or the
// poll's, or a [*QueryWaitError]) and names the query, together with the
// result of the last poll that was answered (nil if none was): its Status
// (Running, say) and partial rows. A
// failure to fetch a later page of a Complete query's rows returns the rows
// fetched so far with the error. Errors of StartQuery are returned as they
// are, with a nil result. ctx's end does not cut StartQuery short, whose
// answer may name a query already started: RunQuery then waits for it
// StopTimeout more, stops that query, and returns ctx's error with a nil
// result (a negative StopTimeout cuts StartQuery at once). A ctx that has
// ended before the call sends nothing.
func (c *Client) RunQuery(ctx context.Context, in *StartQueryInput, opts *QueryOptions) (*QueryResult, error) {
	o, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	id, err := c.startQuery(ctx, in, o)
	if err != nil {
		return nil, err
	}
	var deadline time.Time // of MaxWait, from StartQuery's answer
	if o.MaxWait > 0 {
		deadline = o.now().Add(o.MaxWait)
	}
	wait := o.PollInterval
	var last *QueryResult // the last answered poll's
	for {
		d, final := wait, false
		if !deadline.IsZero() {
			if left := deadline.Sub(o.now()); left <= d {
				d, final = max(left, 0), true
			}
		}
		if err := o.sleep(ctx, d); err != nil {
			return last, c.abandonQuery(ctx, id, o, err)
		}
		out, err := c.GetQueryResults(ctx, &GetQueryResultsInput{QueryID: id})
		if err != nil {
			return last, c.abandonQuery(ctx, id, o, err)
		}
		res := &QueryResult{QueryID: id, Status: out.Status, QueryLanguage: out.QueryLanguage, Rows: out.Results,
			Statistics: out.Statistics, EncryptionKey: out.EncryptionKey}
		switch out.Status {
		case QueryStatusComplete:
			if err := c.restOfResults(ctx, res, out.NextToken); err != nil {
				return res, err
			}
			return res, nil
		case QueryStatusFailed, QueryStatusCancelled, QueryStatusTimeout, QueryStatusUnknown:
			return res, &QueryError{QueryID: id, Status: out.Status, Statistics: out.Statistics}
		case "":
			// Not an answer of the service (which always says), and polling it
			// again would never end: a server that does not run queries, say.
			return last, c.abandonQuery(ctx, id, o,
				&DecodeError{Operation: "GetQueryResults", Err: errors.New("the answer has no status")})
		}
		last = res
		if o.Progress != nil {
			o.Progress(out.Status, out.Statistics)
		}
		if final {
			return res, c.abandonQuery(ctx, id, o,
				&QueryWaitError{QueryID: id, MaxWait: o.MaxWait, Status: out.Status, Statistics: out.Statistics})
		}
		wait = min(wait*2, max(o.MaxPollInterval, o.PollInterval))
	}
}

// startQuery sends StartQuery and returns the query's id. ctx's end does not cut the call
// short: a StartQuery cut short may have started the query on the service, which only its id
// can stop. When ctx ends first, it waits StopTimeout more for the answer, stops the query it
// names (abandonQuery) and returns ctx's error; a negative StopTimeout cuts the call at once. A
// ctx that has ended already starts no query.
func (c *Client) startQuery(ctx context.Context, in *StartQueryInput, o QueryOptions) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("cwlogs: RunQuery: StartQuery not sent: %w", err) // the caller gave up already
	}
	if o.StopTimeout < 0 {
		return c.startQueryID(ctx, in)
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	type answer struct {
		id  string
		err error
	}
	done := make(chan answer, 1)
	go func() {
		id, err := c.startQueryID(sctx, in)
		done <- answer{id, err}
	}()
	var a answer
	select {
	case a = <-done:
		return a.id, a.err
	case <-ctx.Done():
	}
	t := time.NewTimer(o.StopTimeout)
	defer t.Stop()
	select {
	case a = <-done:
	case <-t.C:
		cancel()
		a = <-done
	}
	if a.err != nil {
		return "", fmt.Errorf("cwlogs: RunQuery: StartQuery: %w", ctx.Err())
	}
	return "", c.abandonQuery(ctx, a.id, o, ctx.Err())
}

// startQueryID sends StartQuery and returns the query's id.
func (c *Client) startQueryID(ctx context.Context, in *StartQueryInput) (string, error) {
	started, err := c.StartQuery(ctx, in)
	if err != nil {
		return "", err
	}
	if started.QueryID == "" {
		return "", &DecodeError{Operation: "StartQuery", Err: errors.New("the answer has no queryId")}
	}
	return started.QueryID, nil
}

// restOfResults appends the pages after the first of a complete query's results.
func (c *Client) restOfResults(ctx context.Context, res *QueryResult, token string) error {
	for token != "" {
		page, err := c.GetQueryResults(ctx, &GetQueryResultsInput{QueryID: res.QueryID, NextToken: token})
		if err != nil {
			return fmt.Errorf("cwlogs: RunQuery: results of query %s: %w", res.QueryID, err)
		}
		res.Rows = append(res.Rows, page.Results...)
		if page.NextToken == token {
			break
		}
		token = page.NextToken
	}
	return nil
}

// abandonQuery stops a query RunQuery gives up on, best effort, and returns
// the error to report: ctx's when it ended, else cause.
func (c *Client) abandonQuery(ctx context.Context, id string, o QueryOptions, cause error) error {
	if ctx.Err() != nil {
		cause = ctx.Err()
	}
	stopped := ""
	if o.StopTimeout > 0 {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.StopTimeout)
		defer cancel()
		if _, err := c.StopQuery(sctx, &StopQueryInput{QueryID: id}); err != nil {
			stopped = " (StopQuery failed: " + err.Error() + ")"
		} else {
			stopped = " (stopped)"
		}
	}
	return fmt.Errorf("cwlogs: RunQuery: query %s%s: %w", id, stopped, cause)
}

func (o *QueryOptions) normalize() (QueryOptions, error) {
	var n QueryOptions
	if o != nil {
		n = *o
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"PollInterval", n.PollInterval}, {"MaxPollInterval", n.MaxPollInterval}, {"MaxWait", n.MaxWait}} {
		if f.d < 0 {
			return n, &ValidationError{Operation: "RunQuery", Field: f.name, Value: f.d.String(), Reason: "must not be negative (0 means the default)"}
		}
	}
	if n.PollInterval == 0 {
		n.PollInterval = DefaultQueryPollInterval
	}
	if n.MaxPollInterval == 0 {
		n.MaxPollInterval = DefaultQueryMaxPollInterval
	}
	if n.StopTimeout == 0 {
		n.StopTimeout = DefaultQueryStopTimeout
	}
	if n.sleep == nil {
		n.sleep = sleepCtx
	}
	if n.now == nil {
		n.now = time.Now
	}
	return n, nil
}
