package cwlogs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// insightsServer answers the Insights operations for RunQuery tests: StartQuery
// returns "q-1", GetQueryResults the next of statuses (the last repeats),
// Complete with two pages of rows, and records StopQuery calls.
type insightsServer struct {
	mu       sync.Mutex
	statuses []string
	polls    int
	stops    []string
	// onPoll, when set, runs at each GetQueryResults (n counts from 0) before it answers.
	onPoll func(n int, r *http.Request)
	// pollErr, when set, is the answer body of a failing GetQueryResults (HTTP 400).
	pollErr string
	// pageErr, when set, is the answer body (HTTP 400) of the GetQueryResults of page-2.
	pageErr string
}

func (s *insightsServer) answer(t *testing.T) func(n int, sn seen, w http.ResponseWriter, r *http.Request) {
	return func(n int, sn seen, w http.ResponseWriter, r *http.Request) {
		var in struct {
			QueryID   string `json:"queryId"`
			NextToken string `json:"nextToken"`
		}
		_ = json.Unmarshal([]byte(sn.Body), &in)
		switch strings.TrimPrefix(sn.Target, TargetPrefix+".") {
		case "StartQuery":
			writeJSON(w, 200, `{"queryId":"q-1"}`)
		case "StopQuery":
			s.mu.Lock()
			s.stops = append(s.stops, in.QueryID)
			s.mu.Unlock()
			writeJSON(w, 200, `{"success":true}`)
		case "GetQueryResults":
			if in.QueryID != "q-1" {
				t.Errorf("GetQueryResults of %q", in.QueryID)
			}
			if in.NextToken == "page-2" {
				if s.pageErr != "" {
					writeJSON(w, 400, s.pageErr)
					return
				}
				writeJSON(w, 200, `{"status":"Complete","results":[[{"field":"@message","value":"c"}]],"nextToken":"page-2"}`)
				return
			}
			s.mu.Lock()
			n := s.polls
			s.polls++
			st, hook, perr := s.statuses[min(n, len(s.statuses)-1)], s.onPoll, s.pollErr
			s.mu.Unlock()
			if hook != nil {
				hook(n, r)
			}
			if perr != "" {
				writeJSON(w, 400, perr)
				return
			}
			body := `{"status":` + strconv.Quote(st) + `,"statistics":{"recordsMatched":3,"recordsScanned":10,"bytesScanned":120.5}`
			if st == QueryStatusComplete {
				body += `,"results":[[{"field":"@timestamp","value":"2024-01-01 00:00:00.000"},{"field":"@message","value":"a"}],` +
					`[{"field":"@message","value":"b"},{"field":"@ptr","value":"p2"}]],"nextToken":"page-2"`
			}
			writeJSON(w, 200, body+"}")
		default:
			t.Errorf("unexpected operation %s", sn.Target)
			writeJSON(w, 400, `{"__type":"UnknownOperationException"}`)
		}
	}
}

func (s *insightsServer) stopped() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.stops...)
}

var queryIn = &StartQueryInput{LogGroupName: "g", StartTime: time.Unix(1_700_000_000, 0), EndTime: time.Unix(1_700_003_600, 0),
	QueryString: "fields @timestamp, @message | limit 5"}

// recordSleeps returns a sleep hook that records the waits asked for, without waiting.
func recordSleeps(waits *[]time.Duration) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return ctx.Err()
	}
}

func TestRunQueryPollsWithBackoff(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      QueryOptions
		statuses  []string
		wantWaits []time.Duration
	}{
		{"defaults", QueryOptions{}, []string{"Scheduled", "Running", "Running", "Running", "Running", "Running", "Complete"},
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second}},
		{"capped", QueryOptions{PollInterval: 100 * time.Millisecond, MaxPollInterval: 300 * time.Millisecond},
			[]string{"Running", "Running", "Running", "Complete"},
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}},
		{"cap below the interval", QueryOptions{PollInterval: time.Second, MaxPollInterval: time.Millisecond},
			[]string{"Running", "Complete"}, []time.Duration{time.Second, time.Second}},
		// A status this package does not know is polled again, not taken as the end.
		{"unknown to the client", QueryOptions{PollInterval: time.Millisecond},
			[]string{"Paused", "Paused", "Complete"}, []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}},
		// A query that ends at once (any, on a local server) is not kept waiting: the
		// first poll comes after 100 ms (it came after 500 ms).
		{"complete at once", QueryOptions{}, []string{"Complete"}, []time.Duration{100 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &insightsServer{statuses: tc.statuses}
			c := newTestClient(t, newFakeLogs(t, s.answer(t)))
			var waits []time.Duration
			o := tc.opts
			o.sleep = recordSleeps(&waits)
			res, err := c.RunQuery(context.Background(), queryIn, &o)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(waits, tc.wantWaits) {
				t.Errorf("waits %v, want %v", waits, tc.wantWaits)
			}
			if res.QueryID != "q-1" || res.Status != QueryStatusComplete {
				t.Errorf("result %+v", res)
			}
			var msgs []string
			for _, r := range res.Rows {
				msgs = append(msgs, r.Get("@message"))
			}
			if !reflect.DeepEqual(msgs, []string{"a", "b", "c"}) {
				t.Errorf("messages %q, want a b c (both pages)", msgs)
			}
			if want := []string{"@timestamp", "@message", "@ptr"}; !reflect.DeepEqual(res.Fields(), want) {
				t.Errorf("Fields() = %q, want %q", res.Fields(), want)
			}
			if st := res.Statistics; st.RecordsMatched != 3 || st.RecordsScanned != 10 || st.BytesScanned != 120.5 {
				t.Errorf("statistics %+v", st)
			}
			if len(s.stopped()) != 0 {
				t.Errorf("StopQuery sent for a complete query: %q", s.stopped())
			}
		})
	}
}

// TestRunQueryNoStatus: an answer without a status (a server that does not run queries)
// ends RunQuery with a *DecodeError, the query stopped, instead of polling it for ever.
func TestRunQueryNoStatus(t *testing.T) {
	s := &insightsServer{statuses: []string{"Running", ""}}
	c := newTestClient(t, newFakeLogs(t, s.answer(t)))
	var waits []time.Duration
	res, err := c.RunQuery(context.Background(), queryIn, &QueryOptions{sleep: recordSleeps(&waits)})
	var de *DecodeError
	if !errors.As(err, &de) || de.Operation != "GetQueryResults" || !strings.Contains(err.Error(), "q-1") {
		t.Fatalf("error %v (%T), want a *DecodeError of GetQueryResults naming the query", err, err)
	}
	if res == nil || res.Status != QueryStatusRunning {
		t.Errorf("result %+v, want the Running one of the first poll", res)
	}
	if len(waits) != 2 || !reflect.DeepEqual(s.stopped(), []string{"q-1"}) {
		t.Errorf("%d polls, StopQuery calls %q; want 2, q-1", len(waits), s.stopped())
	}
}

// TestRunQueryPageFails: a failure to fetch the second page of a complete query's rows
// returns the rows of the first with the error.
func TestRunQueryPageFails(t *testing.T) {
	s := &insightsServer{statuses: []string{"Complete"}, pageErr: `{"__type":"ThrottlingException"}`}
	c := newTestClient(t, newFakeLogs(t, s.answer(t)), WithMaxAttempts(1))
	res, err := c.RunQuery(context.Background(), queryIn, &QueryOptions{sleep: recordSleeps(new([]time.Duration))})
	if !IsThrottling(err) || !strings.Contains(err.Error(), "q-1") {
		t.Fatalf("error %v, want the throttling of the second page, naming the query", err)
	}
	if res == nil || len(res.Rows) != 2 || res.Rows[1].Get("@message") != "b" {
		t.Errorf("result %+v, want the 2 rows of the first page", res)
	}
}

func TestRunQueryTerminalStatus(t *testing.T) {
	for _, st := range []string{QueryStatusFailed, QueryStatusCancelled, QueryStatusTimeout, QueryStatusUnknown} {
		t.Run(st, func(t *testing.T) {
			s := &insightsServer{statuses: []string{"Running", st}}
			c := newTestClient(t, newFakeLogs(t, s.answer(t)))
			var waits []time.Duration
			res, err := c.RunQuery(context.Background(), queryIn, &QueryOptions{sleep: recordSleeps(&waits)})
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("error %v (%T), want a *QueryError", err, err)
			}
			if qe.Status != st || qe.QueryID != "q-1" || qe.Statistics.RecordsMatched != 3 {
				t.Errorf("QueryError %+v", qe)
			}
			if !strings.Contains(err.Error(), "q-1") || !strings.Contains(err.Error(), st) {
				t.Errorf("message %q names neither the query nor the status", err)
			}
			if res == nil || res.Status != st {
				t.Errorf("result %+v, want the partial result with status %s", res, st)
			}
			if len(waits) != 2 {
				t.Errorf("%d polls, want 2", len(waits))
			}
			if len(s.stopped()) != 0 {
				t.Errorf("StopQuery sent for an ended query")
			}
		})
	}
}

// TestRunQueryStopsOnCancel: when the caller's ctx ends while the query runs, RunQuery
// stops it on a detached context and returns ctx's error; when a poll fails, it stops it
// and returns the poll's error.
func TestRunQueryStopsOnCancel(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup arranges for ctx to end (cancel) or a poll to fail.
		setup     func(s *insightsServer, cancel context.CancelFunc, o *QueryOptions)
		wantErr   func(error) bool
		wantStops []string
		wantLast  bool // a poll was answered before: its result comes with the error
	}{
		{"cancelled while waiting", func(s *insightsServer, cancel context.CancelFunc, o *QueryOptions) {
			n := 0
			o.sleep = func(ctx context.Context, d time.Duration) error {
				if n++; n == 3 {
					cancel()
				}
				return ctx.Err()
			}
		}, func(err error) bool { return errors.Is(err, context.Canceled) }, []string{"q-1"}, true},
		{"cancelled during a poll", func(s *insightsServer, cancel context.CancelFunc, o *QueryOptions) {
			o.PollInterval = time.Millisecond
			s.onPoll = func(n int, r *http.Request) {
				if n == 1 {
					cancel()
					<-r.Context().Done() // answer only once the client has given up
				}
			}
		}, func(err error) bool { return errors.Is(err, context.Canceled) }, []string{"q-1"}, true},
		{"deadline", func(s *insightsServer, cancel context.CancelFunc, o *QueryOptions) {
			o.sleep = func(ctx context.Context, d time.Duration) error { return context.DeadlineExceeded }
		}, func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }, []string{"q-1"}, false},
		{"cancelled, StopQuery off", func(s *insightsServer, cancel context.CancelFunc, o *QueryOptions) {
			o.StopTimeout = -1
			o.sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
		}, func(err error) bool { return errors.Is(err, context.Canceled) }, nil, false},
		{"poll refused", func(s *insightsServer, cancel context.CancelFunc, o *QueryOptions) {
			o.PollInterval = time.Millisecond
			s.pollErr = `{"__type":"InvalidParameterException","message":"bad id"}`
		}, func(err error) bool { var ae *APIError; return errors.As(err, &ae) && ae.Code == CodeInvalidParameter }, []string{"q-1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &insightsServer{statuses: []string{"Running"}}
			c := newTestClient(t, newFakeLogs(t, s.answer(t)))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := &QueryOptions{}
			tc.setup(s, cancel, o)
			res, err := c.RunQuery(ctx, queryIn, o)
			if !tc.wantErr(err) {
				t.Fatalf("RunQuery = %v, %v", res, err)
			}
			// The last answered poll comes with the error: its status and statistics.
			if tc.wantLast != (res != nil) || res != nil && (res.Status != QueryStatusRunning || res.Statistics.RecordsMatched != 3) {
				t.Errorf("result %+v, want the last poll's: %v", res, tc.wantLast)
			}
			if !strings.Contains(err.Error(), "q-1") {
				t.Errorf("error %q does not name the query", err)
			}
			if got := s.stopped(); !reflect.DeepEqual(got, tc.wantStops) {
				t.Errorf("StopQuery calls %q, want %q", got, tc.wantStops)
			}
		})
	}
}

// TestRunQueryStopTimeout: the detached StopQuery is bounded by StopTimeout.
func TestRunQueryStopTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := &insightsServer{statuses: []string{"Running"}}
	inner := s.answer(t)
	f := newFakeLogs(t, func(n int, sn seen, w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(sn.Target, ".StopQuery") {
			select { // a StopQuery that never answers
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		inner(n, sn, w, r)
	})
	c := newTestClient(t, f, WithMaxAttempts(1))
	ctx, cancel := context.WithCancel(context.Background())
	o := &QueryOptions{StopTimeout: 20 * time.Millisecond,
		sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }}
	_, err := c.RunQuery(ctx, queryIn, o)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "StopQuery failed") {
		t.Fatalf("error %v, want context.Canceled and the StopQuery failure", err)
	}
}

func TestRunQueryOptionsValidation(t *testing.T) {
	f := newFakeLogs(t, nil)
	c := newTestClient(t, f)
	for _, o := range []QueryOptions{{PollInterval: -1}, {MaxPollInterval: -time.Second}, {MaxWait: -time.Second}} {
		_, err := c.RunQuery(context.Background(), queryIn, &o)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Operation != "RunQuery" {
			t.Errorf("%+v: error %v, want a ValidationError of RunQuery", o, err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestStartQueryWire(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 900_000_000, time.UTC)
	for _, tc := range []struct {
		name string
		in   StartQueryInput
		want string
	}{
		// The start rounded down, the end up (it was truncated, leaving out the events of
		// its last fraction of a second: those of the current second for an end of now).
		{"range rounded out to seconds", StartQueryInput{LogGroupName: "g", StartTime: start, EndTime: start.Add(1500 * time.Millisecond),
			QueryString: "fields @message"},
			`{"logGroupName":"g","startTime":1704067200,"endTime":1704067203,"queryString":"fields @message"}`},
		{"whole seconds as they are", StartQueryInput{LogGroupName: "g", StartTime: start.Truncate(time.Second), EndTime: start.Add(100 * time.Millisecond),
			QueryString: "fields @message"},
			`{"logGroupName":"g","startTime":1704067200,"endTime":1704067201,"queryString":"fields @message"}`},
		{"every member", StartQueryInput{QueryLanguage: QueryLanguagePPL, LogGroupIdentifiers: []string{"arn:aws:logs:us-east-1:123456789012:log-group:g"},
			StartTime: start, EndTime: start, QueryString: "source=g", Limit: 7},
			`{"queryLanguage":"PPL","logGroupIdentifiers":["arn:aws:logs:us-east-1:123456789012:log-group:g"],"startTime":1704067200,"endTime":1704067201,"queryString":"source=g","limit":7}`},
		{"names, empty query", StartQueryInput{LogGroupNames: []string{"a", "b"}, StartTime: time.Unix(0, 0), EndTime: time.Unix(1, 0)},
			`{"logGroupNames":["a","b"],"startTime":0,"endTime":1,"queryString":""}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"queryId":"q"}`) })
			c := newTestClient(t, f)
			out, err := c.StartQuery(context.Background(), &tc.in)
			if err != nil || out.QueryID != "q" {
				t.Fatalf("StartQuery = %+v, %v", out, err)
			}
			r := f.requests()[0]
			if r.Target != TargetPrefix+".StartQuery" || r.Body != tc.want {
				t.Errorf("sent %s %s\nwant %s", r.Target, r.Body, tc.want)
			}
		})
	}
}

func TestInsightsWire(t *testing.T) {
	for _, tc := range []struct {
		op       string
		call     func(c *Client) (any, error)
		answer   string
		wantBody string
		want     any
	}{
		{"GetQueryResults", func(c *Client) (any, error) {
			return c.GetQueryResults(context.Background(), &GetQueryResultsInput{QueryID: "q", NextToken: "t", MaxItems: 10})
		}, `{"queryLanguage":"CWLI","status":"Running","results":[[{"field":"f","value":"v"}]],"statistics":{"logGroupsScanned":2,"estimatedBytesSkipped":1.5},"encryptionKey":"k","nextToken":"n"}`,
			`{"queryId":"q","nextToken":"t","maxItems":10}`,
			&GetQueryResultsOutput{QueryLanguage: "CWLI", Status: "Running", Results: []QueryRow{{{"f", "v"}}},
				Statistics: QueryStatistics{LogGroupsScanned: 2, EstimatedBytesSkipped: 1.5}, EncryptionKey: "k", NextToken: "n"}},
		{"StopQuery", func(c *Client) (any, error) {
			return c.StopQuery(context.Background(), &StopQueryInput{QueryID: "q"})
		}, `{"success":true}`, `{"queryId":"q"}`, &StopQueryOutput{Success: true}},
		{"DescribeQueries", func(c *Client) (any, error) {
			return c.DescribeQueries(context.Background(), &DescribeQueriesInput{LogGroupName: "g", Status: "Complete", MaxResults: 5, NextToken: "t", QueryLanguage: "SQL"})
		}, `{"queries":[{"queryId":"q","queryString":"fields @message","status":"Complete","createTime":1700000000000,"logGroupName":"g","queryDuration":12,"bytesScanned":3.5,"userIdentity":"arn:u","queryLanguage":"CWLI"}]}`,
			`{"logGroupName":"g","status":"Complete","maxResults":5,"nextToken":"t","queryLanguage":"SQL"}`,
			&DescribeQueriesOutput{Queries: []QueryInfo{{QueryLanguage: "CWLI", QueryID: "q", QueryString: "fields @message", Status: "Complete",
				CreateTime: 1700000000000, LogGroupName: "g", QueryDuration: 12, BytesScanned: 3.5, UserIdentity: "arn:u"}}}},
		{"DescribeQueries", func(c *Client) (any, error) {
			return c.DescribeQueries(context.Background(), nil)
		}, `{"queries":[]}`, `{}`, &DescribeQueriesOutput{Queries: []QueryInfo{}}},
		{"GetLogRecord", func(c *Client) (any, error) {
			return c.GetLogRecord(context.Background(), &GetLogRecordInput{LogRecordPointer: "ptr", Unmask: true})
		}, `{"logRecord":{"@message":"m","@timestamp":"1"}}`, `{"logRecordPointer":"ptr","unmask":true}`,
			&GetLogRecordOutput{LogRecord: map[string]string{"@message": "m", "@timestamp": "1"}}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, tc.answer) })
			got, err := tc.call(newTestClient(t, f))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			r := f.requests()[0]
			if r.Target != TargetPrefix+"."+tc.op || r.Body != tc.wantBody {
				t.Errorf("sent %s %s, want %s", r.Target, r.Body, tc.wantBody)
			}
		})
	}
}

func TestDescribeQueriesIter(t *testing.T) {
	pages := map[string]string{
		"":   `{"queries":[{"queryId":"a"},{"queryId":"b"}],"nextToken":"t1"}`,
		"t1": `{"queries":[{"queryId":"c"}]}`,
	}
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		var in describeQueriesWire
		_ = json.Unmarshal([]byte(s.Body), &in)
		if in.Status != "Running" {
			t.Errorf("status %q not passed on", in.Status)
		}
		writeJSON(w, 200, pages[in.NextToken])
	})
	c := newTestClient(t, f)
	var ids []string
	for q, err := range c.DescribeQueriesIter(context.Background(), &DescribeQueriesInput{Status: "Running"}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, q.QueryID)
	}
	if !reflect.DeepEqual(ids, []string{"a", "b", "c"}) || len(f.requests()) != 2 {
		t.Errorf("ids %q after %d requests", ids, len(f.requests()))
	}
	for _, err := range c.DescribeQueriesIter(context.Background(), &DescribeQueriesInput{MaxResults: 1001}) {
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "maxResults" {
			t.Errorf("error %v, want a ValidationError of maxResults", err)
		}
	}
}

// TestStartQueryMalformed: a MalformedQueryException carries where the query is wrong.
func TestStartQueryMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want *QueryCompileError
	}{
		{"with location", `{"__type":"MalformedQueryException","message":"unexpected symbol","queryCompileError":{"location":{"startCharOffset":7,"endCharOffset":9},"message":"unexpected symbol: |"}}`,
			&QueryCompileError{Location: QueryCompileErrorLocation{StartCharOffset: 7, EndCharOffset: 9}, Message: "unexpected symbol: |"}},
		{"without", `{"__type":"MalformedQueryException","message":"bad"}`, nil},
		{"of another shape", `{"__type":"MalformedQueryException","message":"bad","queryCompileError":"x"}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) { writeJSON(w, 400, tc.body) })
			c := newTestClient(t, f)
			for _, call := range []func() error{
				func() error { _, err := c.StartQuery(context.Background(), queryIn); return err },
				func() error { _, err := c.RunQuery(context.Background(), queryIn, nil); return err },
			} {
				err := call()
				var ae *APIError
				if !errors.As(err, &ae) || ae.Code != CodeMalformedQuery || ae.Message == "" {
					t.Fatalf("error %v, want a MalformedQueryException", err)
				}
				if !reflect.DeepEqual(ae.QueryCompileError, tc.want) {
					t.Errorf("QueryCompileError = %+v, want %+v", ae.QueryCompileError, tc.want)
				}
			}
		})
	}
}

func TestQueryRow(t *testing.T) {
	r := QueryRow{{"a", "1"}, {"b", ""}, {"a", "2"}}
	for _, tc := range []struct {
		field string
		want  string
		ok    bool
	}{{"a", "1", true}, {"b", "", true}, {"c", "", false}} {
		if v, ok := r.Lookup(tc.field); v != tc.want || ok != tc.ok {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tc.field, v, ok, tc.want, tc.ok)
		}
		if v := r.Get(tc.field); v != tc.want {
			t.Errorf("Get(%q) = %q", tc.field, v)
		}
	}
	if m := r.Map(); !reflect.DeepEqual(m, map[string]string{"a": "1", "b": ""}) {
		t.Errorf("Map() = %v", m)
	}
}

func TestInsightsValidation(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	sq := func(mod func(in *StartQueryInput)) func(c *Client) error {
		return func(c *Client) error {
			in := StartQueryInput{LogGroupName: "g", StartTime: t0, EndTime: t0.Add(time.Hour), QueryString: "fields @message"}
			mod(&in)
			_, err := c.StartQuery(context.Background(), &in)
			return err
		}
	}
	names := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = "g" + strconv.Itoa(i)
		}
		return s
	}
	for _, tc := range []struct {
		name      string
		call      func(c *Client) error
		wantField string // "" means valid: sent
	}{
		{"ok", sq(func(in *StartQueryInput) {}), ""},
		{"nil", func(c *Client) error { _, err := c.StartQuery(context.Background(), nil); return err }, "input"},
		{"name and names", sq(func(in *StartQueryInput) { in.LogGroupNames = []string{"a"} }), "logGroupNames"},
		{"name and identifiers", sq(func(in *StartQueryInput) { in.LogGroupIdentifiers = []string{"a"} }), "logGroupIdentifiers"},
		{"names and identifiers", sq(func(in *StartQueryInput) {
			in.LogGroupName, in.LogGroupNames, in.LogGroupIdentifiers = "", []string{"a"}, []string{"b"}
		}), "logGroupIdentifiers"},
		{"no group (SOURCE in the query)", sq(func(in *StartQueryInput) { in.LogGroupName = "" }), ""},
		{"empty names list", sq(func(in *StartQueryInput) { in.LogGroupNames = []string{} }), ""},
		{"50 names", sq(func(in *StartQueryInput) { in.LogGroupName, in.LogGroupNames = "", names(50) }), ""},
		{"51 names", sq(func(in *StartQueryInput) { in.LogGroupName, in.LogGroupNames = "", names(51) }), "logGroupNames"},
		{"51 identifiers", sq(func(in *StartQueryInput) { in.LogGroupName, in.LogGroupIdentifiers = "", names(51) }), "logGroupIdentifiers"},
		{"bad name", sq(func(in *StartQueryInput) { in.LogGroupName = "a b" }), "logGroupName"},
		{"bad name in list", sq(func(in *StartQueryInput) { in.LogGroupName, in.LogGroupNames = "", []string{"a", "b*"} }), "logGroupNames[1]"},
		{"bad identifier", sq(func(in *StartQueryInput) { in.LogGroupName, in.LogGroupIdentifiers = "", []string{"x y"} }), "logGroupIdentifiers[0]"},
		{"no start", sq(func(in *StartQueryInput) { in.StartTime = time.Time{} }), "startTime"},
		{"no end", sq(func(in *StartQueryInput) { in.EndTime = time.Time{} }), "endTime"},
		{"before 1970", sq(func(in *StartQueryInput) { in.StartTime = time.Unix(-1, 0) }), "startTime"},
		{"end before start", sq(func(in *StartQueryInput) { in.EndTime = t0.Add(-time.Second) }), "endTime"},
		{"same second", sq(func(in *StartQueryInput) {
			in.StartTime, in.EndTime = t0.Add(900*time.Millisecond), t0.Add(100*time.Millisecond)
		}), ""},
		{"empty query", sq(func(in *StartQueryInput) { in.QueryString = "" }), ""},
		{"10000-character query", sq(func(in *StartQueryInput) { in.QueryString = strings.Repeat("é", 10000) }), ""},
		{"10001-character query", sq(func(in *StartQueryInput) { in.QueryString = strings.Repeat("x", 10001) }), "queryString"},
		{"invalid UTF-8 query", sq(func(in *StartQueryInput) { in.QueryString = "\xff" }), "queryString"},
		{"limit 100000", sq(func(in *StartQueryInput) { in.Limit = 100000 }), ""},
		{"limit 100001", sq(func(in *StartQueryInput) { in.Limit = 100001 }), "limit"},
		{"negative limit", sq(func(in *StartQueryInput) { in.Limit = -1 }), "limit"},
		{"language", sq(func(in *StartQueryInput) { in.QueryLanguage = "sql" }), "queryLanguage"},
		{"results: no id", func(c *Client) error {
			_, err := c.GetQueryResults(context.Background(), &GetQueryResultsInput{})
			return err
		}, "queryId"},
		{"results: long id", func(c *Client) error {
			_, err := c.GetQueryResults(context.Background(), &GetQueryResultsInput{QueryID: strings.Repeat("q", 257)})
			return err
		}, "queryId"},
		{"results: maxItems", func(c *Client) error {
			_, err := c.GetQueryResults(context.Background(), &GetQueryResultsInput{QueryID: "q", MaxItems: 10001})
			return err
		}, "maxItems"},
		{"results: long token", func(c *Client) error {
			_, err := c.GetQueryResults(context.Background(), &GetQueryResultsInput{QueryID: "q", NextToken: strings.Repeat("t", 1025)})
			return err
		}, "nextToken"},
		{"stop: no id", func(c *Client) error { _, err := c.StopQuery(context.Background(), &StopQueryInput{}); return err }, "queryId"},
		{"stop: nil", func(c *Client) error { _, err := c.StopQuery(context.Background(), nil); return err }, "input"},
		{"describe: status", func(c *Client) error {
			_, err := c.DescribeQueries(context.Background(), &DescribeQueriesInput{Status: "Done"})
			return err
		}, "status"},
		{"describe: group", func(c *Client) error {
			_, err := c.DescribeQueries(context.Background(), &DescribeQueriesInput{LogGroupName: "a:b"})
			return err
		}, "logGroupName"},
		{"describe: language", func(c *Client) error {
			_, err := c.DescribeQueries(context.Background(), &DescribeQueriesInput{QueryLanguage: "X"})
			return err
		}, "queryLanguage"},
		{"describe: maxResults", func(c *Client) error {
			_, err := c.DescribeQueries(context.Background(), &DescribeQueriesInput{MaxResults: -1})
			return err
		}, "maxResults"},
		{"record: no pointer", func(c *Client) error {
			_, err := c.GetLogRecord(context.Background(), &GetLogRecordInput{})
			return err
		}, "logRecordPointer"},
		{"record: invalid UTF-8", func(c *Client) error {
			_, err := c.GetLogRecord(context.Background(), &GetLogRecordInput{LogRecordPointer: "\xfe"})
			return err
		}, "logRecordPointer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"queryId":"q"}`) })
			err := tc.call(newTestClient(t, f))
			sent := len(f.requests())
			if tc.wantField == "" {
				if err != nil || sent != 1 {
					t.Fatalf("error %v after %d requests, want it sent", err, sent)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.wantField || ve.Value == "" || !errors.Is(err, ErrInvalidParameter) {
				t.Fatalf("error %v, want a ValidationError of %s with its value", err, tc.wantField)
			}
			if sent != 0 {
				t.Errorf("%d requests sent after a validation error", sent)
			}
		})
	}
}
