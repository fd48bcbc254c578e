package localserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// CloudWatch Logs Insights: StartQuery, GetQueryResults, StopQuery, DescribeQueries and
// GetLogRecord (shapes, limits and enums from botocore's logs/2014-03-28 service model;
// behaviour from the API reference pages of the five operations and the user guide's
// "CloudWatch Logs Insights language query syntax"). The query language is package
// insights.
//
// Queries live in memory, per Server: each StartQuery runs its query in a goroutine
// (status Running, then Complete, Failed, Cancelled or Timeout) and keeps the result for
// queryRetention or until maxKeptQueries newer queries have ended, whichever comes first;
// a restart forgets every query. While a query runs, GetQueryResults answers its
// statistics so far and its answer over the events scanned so far (insights.Run.Progress:
// for a query without stats and sort, the first rows of its answer). At most
// maxRunningQueries run at once (the service's documented concurrency quota), beyond
// which StartQuery answers LimitExceededException. A query running longer than
// Config.QueryTimeout (by default 60 minutes: "Queries time out after 60 minutes of
// runtime") ends with status Timeout and keeps what it had found (rows, and aggregates
// over the records scanned).

const (
	maxRunningQueries  = 100
	maxKeptQueries     = 1000
	queryRetention     = 7 * 24 * time.Hour // "query results are available for 7 days"
	maxQueryLogGroups  = 50                 // logGroupNames / logGroupIdentifiers: "up to 50 log groups"
	maxQueryLimit      = 100_000            // EventsLimitStartQuery max
	maxResultsPerPage  = 10_000             // GetQueryResultsMaxItems max
	maxDescribeQueries = 1000               // DescribeQueriesMaxResults max
	queryLanguageCWLI  = "CWLI"
	codeMalformedQuery = "MalformedQueryException"
)

var (
	shQueryString     = shape(0, 10000, "")
	shQueryID         = shape(1, 256, "")
	shResultsToken    = shape(0, 1024, "")
	queryLanguages    = []string{"CWLI", "SQL", "PPL"}
	queryStatusValues = []string{"Scheduled", "Running", "Complete", "Failed", "Cancelled", "Timeout", "Unknown"}
)

// queryState is one query and, once it has ended, its result.
type queryState struct {
	id, queryString string
	groups          []string           // log group names, as resolved at StartQuery
	created         int64              // ms
	cancel          context.CancelFunc // ends the query's scan (StopQuery, Shutdown)
	timeOut         func()             // ends it as Config.QueryTimeout does (its timer; tests)
	done            chan struct{}

	mu       sync.Mutex
	status   string
	ended    int64 // ms; 0 while running
	result   *insights.Result
	run      *insights.Run // while running (for its progress), once its scan has begun
	canceled bool
}

func (q *queryState) snapshot() (status string, ended int64, res *insights.Result) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.status, q.ended, q.result
}

// progress is snapshot with, while the query runs, its answer so far
// (insights.Run.Progress); without rows, only its counts so far (insights.Run.Counts),
// which asks the run for no intermediate answer.
func (q *queryState) progress(rows bool) (status string, ended int64, res *insights.Result) {
	q.mu.Lock()
	status, ended, res, run := q.status, q.ended, q.result, q.run
	q.mu.Unlock()
	if res == nil && run != nil {
		var p insights.Result
		if rows {
			p = run.Progress()
		} else {
			p = run.Counts()
		}
		res = &p
	}
	return status, ended, res
}

// queryRegistry holds a Server's queries, oldest first. Its zero value is empty and
// ready to use.
type queryRegistry struct {
	mu      sync.Mutex
	byID    map[string]*queryState
	order   []*queryState
	running int
	// beforeScan, when set (tests), runs in each query's goroutine before it scans.
	beforeScan func(ctx context.Context)
	// afterRecord, when set (tests), runs in each query's goroutine after each record
	// given to the query (n of them so far), its progress published: it can pause a scan
	// at a given record.
	afterRecord func(ctx context.Context, n int)
}

func (s *Server) queries() *queryRegistry { return &s.queryReg }

// prune drops ended queries past queryRetention, then the oldest ended ones beyond
// maxKeptQueries. Called with r.mu held.
func (r *queryRegistry) prune(nowMs int64) {
	ended := 0
	for _, q := range r.order {
		if _, e, _ := q.snapshot(); e != 0 {
			ended++
		}
	}
	kept := r.order[:0]
	for _, q := range r.order {
		_, e, _ := q.snapshot()
		if e != 0 && (q.created < nowMs-queryRetention.Milliseconds() || ended > maxKeptQueries) {
			delete(r.byID, q.id)
			ended--
			continue
		}
		kept = append(kept, q)
	}
	clear(r.order[len(kept):])
	r.order = kept
}

// add registers a running query. Called with r.mu held.
func (r *queryRegistry) add(qs *queryState) {
	if r.byID == nil {
		r.byID = map[string]*queryState{}
	}
	r.running++
	r.byID[qs.id] = qs
	r.order = append(r.order, qs)
}

func (r *queryRegistry) get(id string) *queryState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id]
}

type startQueryIn struct {
	QueryLanguage       *string   `json:"queryLanguage"`
	LogGroupName        *string   `json:"logGroupName"`
	LogGroupNames       *[]string `json:"logGroupNames"`
	LogGroupIdentifiers *[]string `json:"logGroupIdentifiers"`
	StartTime           *int64    `json:"startTime"`
	EndTime             *int64    `json:"endTime"`
	QueryString         *string   `json:"queryString"`
	Limit               *int64    `json:"limit"`
}

func (s *Server) startQuery(rc *reqCtx) ([]byte, *apiError) {
	var in startQueryIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.enum(in.QueryLanguage, "queryLanguage", queryLanguages)
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.strList(in.LogGroupNames, "logGroupNames", 0, 0, shLogGroupName)
	v.strList(in.LogGroupIdentifiers, "logGroupIdentifiers", 0, 0, shLogGroupIdentifier)
	v.required(in.StartTime != nil, "startTime")
	v.minInt(in.StartTime, "startTime", 0)
	v.required(in.EndTime != nil, "endTime")
	v.minInt(in.EndTime, "endTime", 0)
	v.required(in.QueryString != nil, "queryString")
	v.str(in.QueryString, "queryString", shQueryString)
	v.intRange(in.Limit, "limit", 1, maxQueryLimit)
	if e := v.err(); e != nil {
		return nil, e
	}
	if in.QueryLanguage != nil && *in.QueryLanguage != queryLanguageCWLI {
		return nil, invalidParam("queryLanguage %s is not supported by this server: only CWLI (the Logs Insights query language) is.", *in.QueryLanguage)
	}
	given := 0
	for _, p := range []bool{in.LogGroupName != nil, in.LogGroupNames != nil, in.LogGroupIdentifiers != nil} {
		if p {
			given++
		}
	}
	if given != 1 {
		// The API reference: "exactly one of the following parameters: logGroupName,
		// logGroupNames, or logGroupIdentifiers" (the SOURCE command is not supported).
		return nil, invalidParam("Exactly one of logGroupName, logGroupNames and logGroupIdentifiers must be specified.")
	}
	var refs []string
	switch {
	case in.LogGroupName != nil:
		refs = []string{*in.LogGroupName}
	case in.LogGroupNames != nil:
		refs = *in.LogGroupNames
	default:
		for _, id := range *in.LogGroupIdentifiers {
			name, aerr := s.resolveGroupRef(nil, &id)
			if aerr != nil {
				return nil, aerr
			}
			refs = append(refs, name)
		}
	}
	if len(refs) == 0 || len(refs) > maxQueryLogGroups {
		return nil, invalidParam("A query must name from 1 to %d log groups; %d were given.", maxQueryLogGroups, len(refs))
	}
	if *in.EndTime < *in.StartTime {
		return nil, invalidParam("endTime (%d) must not be before startTime (%d).", *in.EndTime, *in.StartTime)
	}
	q, err := insights.Parse(*in.QueryString)
	if err != nil {
		return nil, malformedQuery(*in.QueryString, err)
	}
	// The query's lookup tables as they are now: a change while it runs does not reach it.
	q, aerr := s.queryLookupTables(rc.ctx, q)
	if aerr != nil {
		return nil, aerr
	}
	groups, names, aerr := s.queryGroups(rc.ctx, q, refs)
	if aerr != nil {
		return nil, aerr
	}
	// Without the limit parameter, the query's own limit command may ask for more than
	// the default of 10,000 rows (insights.Options.Limit).
	limit := limitOr(in.Limit, 0)

	reg := s.queries()
	nowMs := rc.now.UnixMilli()
	// The context's cause tells a timeout (errQueryTimeout) from a stop (StopQuery, or
	// Shutdown cancelling s.queryCtx): whichever came first.
	ctx, cancel := context.WithCancelCause(s.queryCtx)
	qs := &queryState{id: newRequestID(), queryString: *in.QueryString, groups: names, created: nowMs,
		cancel: func() { cancel(context.Canceled) }, timeOut: func() { cancel(errQueryTimeout) },
		done: make(chan struct{}), status: "Running"}
	reg.mu.Lock()
	reg.prune(nowMs)
	if s.stopping() {
		reg.mu.Unlock()
		qs.cancel()
		return nil, errShuttingDown()
	}
	if reg.running >= maxRunningQueries {
		reg.mu.Unlock()
		qs.cancel()
		return nil, clientErr(codeLimitExceeded, fmt.Sprintf("Account maximum query concurrency limit of [%d] reached.", maxRunningQueries))
	}
	reg.add(qs)
	// Shutdown waits on sweepWG after closing s.stop and cancelling every query: so it
	// returns only after the query's goroutine has ended and no longer reads the store.
	// Shutdown closes s.stop under reg.mu, and s.stop was checked above under it, so this
	// Add happens before Shutdown's Wait, even when the Server is served by another
	// listener (no sweeper holding sweepWG above zero).
	s.sweepWG.Add(1)
	reg.mu.Unlock()

	// startTime and endTime are seconds, both inclusive ("The range is inclusive") once
	// converted to milliseconds: the rest of endTime's second is not in the range (the
	// CloudWatch team in aws/aws-sdk#280: "inclusive but not at second level").
	startTs := min(*in.StartTime, maxTokenTs/1000) * 1000
	endTs := min(*in.EndTime, maxTokenTs/1000)*1000 + 1
	var timer *time.Timer
	if d := s.queryTimeout(); d > 0 {
		timer = time.AfterFunc(d, qs.timeOut)
	}
	go func() {
		defer s.sweepWG.Done()
		if timer != nil {
			defer timer.Stop() // not to keep the query until its timeout
		}
		s.runQuery(ctx, reg, qs, q, groups, startTs, endTs, nowMs, int(limit))
	}()

	o := newObj(nil)
	o.str("queryId", qs.id)
	return o.done(), nil
}

// runQuery evaluates q and records its end. It stops early when the query is stopped or
// the server shuts down.
func (s *Server) runQuery(ctx context.Context, reg *queryRegistry, qs *queryState, q *insights.Query, groups []*groupRow, startTs, endTs, nowMs int64, limit int) {
	defer close(qs.done)
	defer qs.cancel() // detaches ctx from s.queryCtx
	reg.mu.Lock()
	hook, after := reg.beforeScan, reg.afterRecord
	reg.mu.Unlock()
	if hook != nil {
		hook(ctx)
	}
	run := q.NewRun(insights.Options{Limit: limit})
	qs.mu.Lock()
	qs.run = run
	qs.mu.Unlock()
	err := s.queryScan(ctx, groups, startTs, endTs, nowMs, run, after)
	res := run.Result() // owns its text (insights' sink copies it out of the records)
	qs.mu.Lock()
	qs.run = nil
	switch cause := context.Cause(ctx); {
	case qs.canceled:
		qs.status = "Cancelled" // StopQuery
	case err != nil && cause == errQueryTimeout:
		// "Queries time out after 60 minutes of runtime": the result keeps what the
		// query found until then (aggregates over the records scanned).
		qs.status = "Timeout"
		qs.result = res
	case err != nil && s.stopping():
		qs.status = "Cancelled" // the server shut down
	case err != nil:
		qs.status = "Failed"
		s.cfg.Logger.Error("query failed", "queryId", qs.id, "err", err)
	default:
		qs.status = "Complete"
		qs.result = res
	}
	qs.ended = max(s.cfg.Now().UnixMilli(), qs.created)
	qs.mu.Unlock()
	reg.mu.Lock()
	reg.running--
	reg.mu.Unlock()
}

// DefaultQueryTimeout is how long a Logs Insights query may run when Config.QueryTimeout
// is zero: the service's "Queries time out after 60 minutes of runtime".
const DefaultQueryTimeout = 60 * time.Minute

// errQueryTimeout is the cause of a query's context ending at Config.QueryTimeout.
var errQueryTimeout = errors.New("query timed out")

// queryTimeout is how long a query may run (Config.QueryTimeout); 0 means no limit.
func (s *Server) queryTimeout() time.Duration {
	switch d := s.cfg.QueryTimeout; {
	case d == 0:
		return DefaultQueryTimeout
	case d < 0:
		return 0
	default:
		return d
	}
}

// stopping reports whether Shutdown has begun.
func (s *Server) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// errShuttingDown answers a query started while the server shuts down.
func errShuttingDown() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Code: codeServiceUnavailable, Message: "The server is shutting down."}
}

// malformedQuery answers a query that does not parse: MalformedQueryException with
// queryCompileError (location in characters of the query, as the model's
// QueryCharOffset suggests).
func malformedQuery(src string, err error) *apiError {
	start, end, msg := 0, len(src), err.Error()
	if se, ok := err.(*insights.SyntaxError); ok {
		start, end, msg = se.Start, se.End, se.Msg
	}
	cs := utf8.RuneCountInString(src[:min(start, len(src))])
	ce := utf8.RuneCountInString(src[:min(end, len(src))])
	o := newObj(nil)
	o.key("queryCompileError")
	ce0 := newObj(o.b)
	ce0.key("location")
	loc := newObj(ce0.b)
	loc.int("startCharOffset", int64(cs))
	loc.int("endCharOffset", int64(ce))
	ce0.b = loc.done()
	ce0.str("message", msg)
	o.b = ce0.done()
	members := o.b[1:] // drop the outer '{'
	e := clientErr(codeMalformedQuery, fmt.Sprintf("Query is malformed at characters %d-%d: %s", cs, ce, msg))
	e.Members = members
	return e
}

type queryIDIn struct {
	QueryID   *string `json:"queryId"`
	NextToken *string `json:"nextToken"`
	MaxItems  *int64  `json:"maxItems"`
}

func queryNotFound(id string) *apiError {
	return clientErr(codeResourceNotFound, fmt.Sprintf("Query does not exist: %s", id))
}

func (s *Server) getQueryResults(rc *reqCtx) ([]byte, *apiError) {
	var in queryIDIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.QueryID != nil, "queryId")
	v.str(in.QueryID, "queryId", shQueryID)
	v.str(in.NextToken, "nextToken", shResultsToken)
	v.intRange(in.MaxItems, "maxItems", 0, maxResultsPerPage)
	if e := v.err(); e != nil {
		return nil, e
	}
	qs := s.queries().get(*in.QueryID)
	if qs == nil {
		return nil, queryNotFound(*in.QueryID)
	}
	// While the query runs: the rows found so far (for the query shapes that have them)
	// and the statistics so far, as the service's "If the value of the Status field in
	// the output is Running, this operation returns only partial results".
	status, _, res := qs.progress(true)
	offset := 0
	if in.NextToken != nil && *in.NextToken != "" {
		p, ok := decodeOpaque("Q", *in.NextToken, 2)
		if !ok || p[0] != qs.id {
			return nil, badToken()
		}
		n, err := strconv.Atoi(p[1])
		if err != nil || n < 0 {
			return nil, badToken()
		}
		offset = n
	}
	page := maxResultsPerPage
	if in.MaxItems != nil && *in.MaxItems > 0 {
		page = int(*in.MaxItems)
	}
	var rows [][]insights.Field
	if res != nil {
		rows = res.Rows[min(offset, len(res.Rows)):]
	}
	more := len(rows) > page
	rows = rows[:min(page, len(rows))]

	o := newObj(make([]byte, 0, 256))
	o.str("queryLanguage", queryLanguageCWLI)
	o.key("results")
	o.b = append(o.b, '[')
	for i, r := range rows {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, '[')
		for j, f := range r {
			if j > 0 {
				o.b = append(o.b, ',')
			}
			fo := newObj(o.b)
			fo.str("field", f.Name)
			fo.str("value", f.Value)
			o.b = fo.done()
		}
		o.b = append(o.b, ']')
	}
	o.b = append(o.b, ']')
	st := newObj(nil)
	var matched, scanned, bytes float64
	if res != nil {
		matched, scanned, bytes = float64(res.RecordsMatched), float64(res.RecordsScanned), float64(res.BytesScanned)
	}
	st.raw("recordsMatched", fmtDouble(matched))
	st.raw("recordsScanned", fmtDouble(scanned))
	st.raw("estimatedRecordsSkipped", fmtDouble(0))
	st.raw("bytesScanned", fmtDouble(bytes))
	st.raw("estimatedBytesSkipped", fmtDouble(0))
	st.raw("logGroupsScanned", fmtDouble(float64(len(qs.groups))))
	o.raw("statistics", st.done())
	o.str("status", status)
	if more {
		o.str("nextToken", encodeOpaque("Q", qs.id, strconv.Itoa(offset+page)))
	}
	return o.done(), nil
}

// fmtDouble writes a model double as the service does: with a fraction ("12.0").
func fmtDouble(f float64) []byte {
	return strconv.AppendFloat(nil, f, 'f', 1, 64)
}

func (s *Server) stopQuery(rc *reqCtx) ([]byte, *apiError) {
	var in struct {
		QueryID *string `json:"queryId"`
	}
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.QueryID != nil, "queryId")
	v.str(in.QueryID, "queryId", shQueryID)
	if e := v.err(); e != nil {
		return nil, e
	}
	qs := s.queries().get(*in.QueryID)
	if qs == nil {
		return nil, queryNotFound(*in.QueryID)
	}
	qs.mu.Lock()
	running := qs.ended == 0
	if running {
		qs.canceled = true
	}
	qs.mu.Unlock()
	if !running {
		// "If the query has already ended, the operation returns an error indicating
		// that the specified query is not running."
		return nil, invalidParam("Query %s is not running.", qs.id)
	}
	qs.cancel()
	<-qs.done
	o := newObj(nil)
	o.bool("success", true)
	return o.done(), nil
}

type describeQueriesIn struct {
	LogGroupName  *string `json:"logGroupName"`
	Status        *string `json:"status"`
	MaxResults    *int64  `json:"maxResults"`
	NextToken     *string `json:"nextToken"`
	QueryLanguage *string `json:"queryLanguage"`
}

func (s *Server) describeQueries(rc *reqCtx) ([]byte, *apiError) {
	var in describeQueriesIn
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.str(in.LogGroupName, "logGroupName", shLogGroupName)
	v.enum(in.Status, "status", queryStatusValues)
	v.intRange(in.MaxResults, "maxResults", 1, maxDescribeQueries)
	v.str(in.NextToken, "nextToken", shNextToken)
	v.enum(in.QueryLanguage, "queryLanguage", queryLanguages)
	if e := v.err(); e != nil {
		return nil, e
	}
	scope := listScope(optPart(in.LogGroupName), optPart(in.Status), optPart(in.QueryLanguage))
	after := ""
	if in.NextToken != nil {
		var ok bool
		if after, ok = decodeScopedToken("D", *in.NextToken, scope); !ok {
			return nil, badToken()
		}
	}
	limit := int(limitOr(in.MaxResults, maxDescribeQueries))
	reg := s.queries()
	reg.mu.Lock()
	reg.prune(rc.now.UnixMilli())
	list := slices.Clone(reg.order)
	reg.mu.Unlock()
	slices.Reverse(list) // newest first

	o := newObj(make([]byte, 0, 256))
	o.key("queries")
	o.b = append(o.b, '[')
	n, skipping := 0, after != ""
	var next string
	for i, q := range list {
		if skipping {
			skipping = q.id != after
			continue
		}
		status, ended, res := q.progress(false) // bytesScanned only
		if (in.Status != nil && status != *in.Status) || (in.QueryLanguage != nil && *in.QueryLanguage != queryLanguageCWLI) ||
			(in.LogGroupName != nil && !slices.Contains(q.groups, *in.LogGroupName)) {
			continue
		}
		if n == limit {
			next = encodeScopedToken("D", scope, list[i-1].id)
			break
		}
		if n > 0 {
			o.b = append(o.b, ',')
		}
		n++
		qo := newObj(o.b)
		qo.str("queryLanguage", queryLanguageCWLI)
		qo.str("queryId", q.id)
		qo.str("queryString", q.queryString)
		qo.str("status", status)
		qo.int("createTime", q.created)
		qo.str("logGroupName", q.groups[0])
		if ended != 0 {
			qo.int("queryDuration", ended-q.created)
		}
		if res != nil {
			qo.raw("bytesScanned", fmtDouble(float64(res.BytesScanned)))
		}
		o.b = qo.done()
	}
	o.b = append(o.b, ']')
	if next != "" {
		o.str("nextToken", next)
	}
	return o.done(), nil
}

func (s *Server) getLogRecord(rc *reqCtx) ([]byte, *apiError) {
	var in struct {
		LogRecordPointer *string `json:"logRecordPointer"`
		Unmask           *bool   `json:"unmask"`
	}
	if e := decodeJSON(rc.body, &in); e != nil {
		return nil, e
	}
	var v verrs
	v.required(in.LogRecordPointer != nil, "logRecordPointer")
	if e := v.err(); e != nil {
		return nil, e
	}
	groupID, streamID, k, ok := decodeRecordPtr(*in.LogRecordPointer)
	if !ok {
		return nil, invalidParam("The specified logRecordPointer is invalid.")
	}
	ev, g, stream, ingest, err := s.recordAt(rc.ctx, groupID, streamID, k, rc.now.UnixMilli())
	if err == errRecordGone {
		return nil, clientErr(codeResourceNotFound, "The specified log record does not exist.")
	}
	if err != nil {
		return nil, s.dbErr(err)
	}
	// Transformed, then masked, after the read (see dpState and ops_transformers.go).
	text, tfErr := s.transformedOrError(s.transformers(), g, stream, ev.msg, ingest)
	msg := s.maskerFor(g, in.Unmask).mask(text, ingest)
	// Every field of the event: the system fields (timestamps in milliseconds since the
	// epoch) and the fields discovered in a JSON message, names sorted.
	fields := insights.FlattenJSON(msg)
	if fields == nil {
		fields = map[string]string{}
	}
	fields["@timestamp"] = strconv.FormatInt(ev.ts, 10)
	fields["@ingestionTime"] = strconv.FormatInt(ingest, 10)
	fields["@message"] = msg
	fields["@logStream"] = stream
	fields["@log"] = s.cfg.AccountID + ":" + g.name
	if tfErr != "" {
		fields["@transformationError"] = tfErr
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rec := newObj(make([]byte, 0, 128+len(msg)))
	for _, k := range keys {
		rec.str(k, fields[k])
	}
	o := newObj(nil)
	o.raw("logRecord", rec.done())
	return o.done(), nil
}

// queryGroups finds the log groups a query of q names (refs, names already resolved from
// identifiers), once each in the order first named, and checks that q may run over them.
// StartQuery and the runs of scheduled queries share it.
func (s *Server) queryGroups(ctx context.Context, q *insights.Query, refs []string) ([]*groupRow, []string, *apiError) {
	var groups []*groupRow
	var names []string
	for _, name := range refs {
		if slices.Contains(names, name) {
			continue
		}
		g, aerr := s.findGroup(ctx, s.st.r, name)
		if aerr != nil {
			return nil, nil, aerr
		}
		groups = append(groups, g)
		names = append(names, name)
	}
	// "Log groups in the Infrequent Access log class support all query commands except
	// pattern, diff, filterIndex, and unmask"
	// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData_Classes.html).
	// The service's error for it is not on record; here, InvalidParameterException.
	for _, c := range []struct {
		uses bool
		name string
	}{{q.Unmasks(), "unmask"}, {q.HasPattern(), "pattern"}} {
		if !c.uses {
			continue
		}
		for _, g := range groups {
			if g.class == "INFREQUENT_ACCESS" {
				return nil, nil, invalidParam("Log group %s is of the INFREQUENT_ACCESS class, whose queries cannot use %s.", g.name, c.name)
			}
		}
	}
	return groups, names, nil
}
