package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// TestQueryMoto runs cwlogs query against moto_server, which answers fields|sort|limit
// queries at once, giving @timestamp in milliseconds (AWS gives "2006-01-02 15:04:05.000").
func TestQueryMoto(t *testing.T) {
	endpoint := testpeer.Moto(t)
	ctx := context.Background()
	cl := seedClient(t, endpoint)
	createGroup(t, cl, "qapp", "s")
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var evs []cwlogs.InputLogEvent
	for i, m := range []string{"one", "two <b>", "three", "four"} {
		evs = append(evs, cwlogs.InputLogEvent{Timestamp: base.Add(time.Duration(i) * time.Second).UnixMilli(), Message: m})
	}
	if _, err := cl.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: "qapp", LogStreamName: "s", LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
	ms := func(i int) string { return strconv.FormatInt(evs[i].Timestamp, 10) }
	c := newCLI(t, endpoint)
	rng := []string{"--start", base.Add(-time.Minute).Format(time.RFC3339), "--end", base.Add(time.Minute).Format(time.RFC3339)}

	r := c.mustRun(0, "", append([]string{"query", "-g", "qapp", "fields @timestamp, @message | sort @timestamp desc | limit 3"}, rng...)...)
	want := "@timestamp     @message\n" + ms(3) + "  four\n" + ms(2) + "  three\n" + ms(1) + "  two <b>\n"
	if r.stdout != want {
		t.Errorf("table:\n%s\nwant:\n%s", r.stdout, want)
	}
	if !strings.Contains(r.stderr, " status=Complete rows=3 ") {
		t.Errorf("summary: %q", r.stderr)
	}

	r = c.mustRun(0, "", append([]string{"query", "--group", "qapp", "--output", "json", "fields @message | sort @timestamp asc | limit 2"}, rng...)...)
	var lines []map[string]string
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		var m map[string]string
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 || lines[0]["@message"] != "one" || lines[1]["@message"] != "two <b>" || lines[0]["@ptr"] == "" {
		t.Errorf("json lines: %s", r.stdout)
	}
	if !strings.Contains(r.stdout, `"two <b>"`) {
		t.Errorf("HTML escaped: %s", r.stdout)
	}

	// The default range is the last hour, and the end (now) is rounded up: an event of
	// this very second is found.
	now := time.Now()
	if _, err := cl.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: "qapp", LogStreamName: "s",
		LogEvents: []cwlogs.InputLogEvent{{Timestamp: now.UnixMilli(), Message: "just now"}}}); err != nil {
		t.Fatal(err)
	}
	r = c.mustRun(0, "", "query", "fields @message | sort @timestamp desc | limit 1", "--log-group-names", "qapp")
	if r.stdout != "@message\njust now\n" {
		t.Errorf("default range: %q", r.stdout)
	}

	r = c.mustRun(1, "", "query", "-g", "missing", "fields @message")
	if !strings.HasPrefix(r.stderr, "cwlogs: ResourceNotFoundException: ") {
		t.Errorf("missing group: %q", r.stderr)
	}
}

// fakeInsights is an Insights endpoint for the failure paths of cwlogs query: StartQuery
// answers start (default: query id "q-1"), GetQueryResults status, StopQuery is recorded.
type fakeInsights struct {
	mu     sync.Mutex
	start  string // StartQuery's answer body; "": {"queryId":"q-1"}
	status string
	rows   string // GetQueryResults' "results" (JSON); "": none
	// page2, when set, makes a Complete answer carry the nextToken "p2", whose page has these
	// "results" (JSON), answered after pageDelay.
	page2      string
	pageDelay  time.Duration
	startDelay time.Duration // StartQuery answers after this wait
	starts     []map[string]any
	polls      int
	stops      []string
	polled     chan struct{} // receives at each GetQueryResults, if not full
}

func newFakeInsights(t *testing.T, status, start string) (*fakeInsights, string) {
	f := &fakeInsights{status: status, start: start, polled: make(chan struct{}, 1)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		w.Header().Set("Content-Type", cwlogs.ContentType)
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), cwlogs.TargetPrefix+".")
		f.mu.Lock()
		delay := f.startDelay
		if op == "GetQueryResults" && in["nextToken"] != nil {
			delay = f.pageDelay
		} else if op != "StartQuery" {
			delay = 0
		}
		f.mu.Unlock()
		time.Sleep(delay)
		f.mu.Lock()
		defer f.mu.Unlock()
		switch op {
		case "StartQuery":
			f.starts = append(f.starts, in)
			if f.start != "" {
				w.WriteHeader(400)
				io.WriteString(w, f.start)
				return
			}
			io.WriteString(w, `{"queryId":"q-1"}`)
		case "GetQueryResults":
			if in["nextToken"] != nil {
				fmt.Fprintf(w, `{"results":%s,"status":"Complete","statistics":{"recordsMatched":1,"recordsScanned":9,"bytesScanned":300}}`, f.page2)
				return
			}
			f.polls++
			select {
			case f.polled <- struct{}{}:
			default:
			}
			results := ""
			if f.rows != "" {
				results = `"results":` + f.rows + `,`
			}
			if f.page2 != "" && f.status == cwlogs.QueryStatusComplete {
				results += `"nextToken":"p2",`
			}
			fmt.Fprintf(w, `{%s"status":%q,"statistics":{"recordsMatched":1,"recordsScanned":9,"bytesScanned":300}}`, results, f.status)
		case "StopQuery":
			f.stops = append(f.stops, fmt.Sprint(in["queryId"]))
			io.WriteString(w, `{"success":true}`)
		default:
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"UnknownOperationException"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeInsights) snapshot() (starts []map[string]any, polls int, stops []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.starts, f.polls, f.stops
}

func TestQueryFailures(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     string
		start      string
		args       []string
		wantCode   int
		wantStderr []string
		wantStarts int
	}{
		{"failed", cwlogs.QueryStatusFailed, "", nil, 1,
			[]string{"id=q-1 status=Failed rows=0 matched=1 scanned=9 bytes=300", "cwlogs: query q-1 ended with status Failed"}, 1},
		{"timeout", cwlogs.QueryStatusTimeout, "", nil, 1, []string{"ended with status Timeout"}, 1},
		{"malformed", "", `{"__type":"MalformedQueryException","message":"Query is malformed",` +
			`"queryCompileError":{"location":{"startCharOffset":7,"endCharOffset":9},"message":"unexpected symbol"}}`, nil, 1,
			[]string{"cwlogs query: malformed at characters 7-9 of the query: unexpected symbol\n", "cwlogs: MalformedQueryException: Query is malformed"}, 1},
		{"limit 0", "", "", []string{"--limit", "0"}, 2, []string{"invalid --limit \"0\""}, 0},
		{"limit too large", "", "", []string{"--limit", "100001"}, 2, []string{"--limit 100001: at most 100000"}, 0},
		{"language", "", "", []string{"--language", "sqlite"}, 2, []string{`--language "sqlite": want CWLI, SQL or PPL`}, 0},
		{"since and start", "", "", []string{"--since", "1h", "--start", "2h"}, 2, []string{"--since and --start"}, 0},
		{"start after end", "", "", []string{"--start", "1h", "--end", "2h"}, 2, []string{"is after --end"}, 0},
		{"bad time", "", "", []string{"--end", "yesterday"}, 2, []string{"--end: "}, 0},
		{"51 groups", "", "", strings.Fields(strings.Repeat("-g g ", 50)), 2, []string{"51 log groups: at most 50"}, 0},
		{"no query", "", "", []string{"--", "x", "y"}, 2, []string{"too many arguments"}, 0},
		{"query taken for a group", "", "", []string{"--log-group-names", "b", "fields @message | limit 1"}, 2,
			[]string{`missing QUERY: "fields @message | limit 1" was taken for a log group name`, "give it with --query-string"}, 0},
		{"query twice", "", "", []string{"--query-string", "fields x"}, 2, []string{`the query is given twice: --query-string and the argument "fields @message"`}, 0},
		{"start and start-time", "", "", []string{"--start", "2h", "--start-time", "1714564800"}, 2, []string{"--start and --start-time are the same setting"}, 0},
		{"end and end-time", "", "", []string{"--end-time", "1714564800", "--end", "now"}, 2, []string{"--end and --end-time are the same setting"}, 0},
		{"end-time out of range", "", "", []string{"--end-time", "999999999999999999"}, 2, []string{`--end-time: epoch seconds "999999999999999999" out of range`}, 0},
		{"start-time in milliseconds", "", "", []string{"--start-time", "1714564800000"}, 2,
			[]string{`--start-time: "1714564800000" looks like epoch milliseconds: --start-time takes epoch seconds, as aws does (1714564800)`}, 0},
		{"max-wait 0", "", "", []string{"--max-wait", "0s"}, 2, []string{`--max-wait "0s": want a positive duration`}, 0},
		{"max-wait without a unit", "", "", []string{"--max-wait", "30"}, 2, []string{`--max-wait: invalid duration "30"`}, 0},
		{"start-time after end-time", "", "", []string{"--start-time", "1714564801", "--end-time", "1714564800"}, 2,
			[]string{"--start-time 2024-05-01T12:00:01Z is after --end-time 2024-05-01T12:00:00Z"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFakeInsights(t, tc.status, tc.start)
			c := newCLI(t, url)
			args := append([]string{"query", "-g", "g", "fields @message"}, tc.args...)
			if slices.Contains(tc.args, "--log-group-names") {
				args = append([]string{"query"}, tc.args...) // the query after the list flag
			}
			r := c.mustRun(tc.wantCode, "", args...)
			for _, s := range tc.wantStderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr %q lacks %q", r.stderr, s)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout %q", r.stdout)
			}
			starts, _, stops := f.snapshot()
			if len(starts) != tc.wantStarts || len(stops) != 0 {
				t.Errorf("%d StartQuery, %d StopQuery calls; want %d, 0", len(starts), len(stops), tc.wantStarts)
			}
		})
	}
}

// TestQueryRequest: what cwlogs query sends for its flags.
func TestQueryRequest(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want map[string]any
	}{
		{"names, range rounded out", []string{"-g", "a", "-g", "b", "--start", "2024-05-01T12:00:00.500Z", "--end", "2024-05-01T13:00:00.200Z",
			"--limit", "20", "--language", "ppl"},
			map[string]any{"logGroupNames": []any{"a", "b"}, "startTime": 1714564800.0, "endTime": 1714568401.0, "limit": 20.0,
				"queryLanguage": "PPL", "queryString": "q"}},
		{"an ARN: identifiers", []string{"-g", "a", "--group", "arn:aws:logs:us-east-1:123456789012:log-group:b", "--since", "2024-05-01", "--end", "2024-05-02"},
			map[string]any{"logGroupIdentifiers": []any{"a", "arn:aws:logs:us-east-1:123456789012:log-group:b"},
				"startTime": 1714521600.0, "endTime": 1714608000.0, "queryString": "q"}},
		{"no group", []string{"--start", "1714564800000", "--end", "1714564800000"},
			map[string]any{"startTime": 1714564800.0, "endTime": 1714564800.0, "queryString": "q"}},
		// aws logs start-query's flags: epoch seconds, --query-string for the argument (which
		// --log-group-names would take for a group).
		{"aws's flags", []string{"--log-group-names", "a", "b", "--start-time", "1714564800", "--end-time", "1714568400",
			"--query-string", "q", "--query-language", "SQL", "--limit", "5"},
			map[string]any{"logGroupNames": []any{"a", "b"}, "startTime": 1714564800.0, "endTime": 1714568400.0, "limit": 5.0,
				"queryLanguage": "SQL", "queryString": "q"}},
		{"aws's identifiers", []string{"--log-group-name", "a", "--log-group-identifiers", "b", "--start-time", "2024-05-01T12:00:00.5Z",
			"--end-time", "2024-05-01T13:00:00.5Z", "--query-string", "q"},
			map[string]any{"logGroupIdentifiers": []any{"a", "b"}, "startTime": 1714564800.0, "endTime": 1714568401.0, "queryString": "q"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFakeInsights(t, cwlogs.QueryStatusComplete, "")
			c := newCLI(t, url)
			args := append([]string{"query", "q"}, tc.args...)
			if slices.Contains(tc.args, "--query-string") {
				args = append([]string{"query"}, tc.args...)
			}
			c.mustRun(0, "", args...)
			starts, _, _ := f.snapshot()
			if len(starts) != 1 {
				t.Fatalf("%d StartQuery calls", len(starts))
			}
			got, _ := json.Marshal(starts[0])
			want, _ := json.Marshal(tc.want)
			if string(got) != string(want) {
				t.Errorf("sent %s\nwant %s", got, want)
			}
		})
	}
}

// TestQueryMaxWait: a query still running after --max-wait is stopped (StopQuery), the
// rows it had are printed and cwlogs exits 1 saying it did not finish in time; one that
// ends before is not stopped. cwlogs query waited for as long as the service said Running.
func TestQueryMaxWait(t *testing.T) {
	const row = `[[{"field":"@message","value":"partial"},{"field":"@ptr","value":"p1"}]]`
	for _, tc := range []struct {
		name, status, wait string
		json               bool
		want               int
		stdout             string
		stderr             []string
		stops              int // StopQuery calls
	}{
		{"running: stopped", cwlogs.QueryStatusRunning, "1s", false, 1, "@message\npartial\n",
			[]string{"id=q-1 status=Running rows=1 matched=1 scanned=9 bytes=300\n",
				"cwlogs: query did not finish within 1s (--max-wait): RunQuery: query q-1 (stopped): query q-1 still Running after 1s (MaxWait)\n"}, 1},
		{"running: JSON rows", cwlogs.QueryStatusRunning, "1s", true, 1, `{"@message":"partial","@ptr":"p1"}` + "\n",
			[]string{"did not finish within 1s (--max-wait)"}, 1},
		// Over before the first poll (after 100 ms): the poll made at 50 ms is the last
		// (there was no answer to print, and a nil dereference before that).
		{"over before the first poll", cwlogs.QueryStatusRunning, "50ms", false, 1, "@message\npartial\n",
			[]string{"id=q-1 status=Running rows=1 ", "cwlogs: query did not finish within 50ms (--max-wait): "}, 1},
		{"complete in time", cwlogs.QueryStatusComplete, "1m", false, 0, "@message\npartial\n",
			[]string{"id=q-1 status=Complete rows=1 "}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, url := newFakeInsights(t, tc.status, "")
			f.mu.Lock()
			f.rows = row
			f.mu.Unlock()
			c := newCLI(t, url)
			args := []string{"query", "-g", "g", "fields @message", "--max-wait", tc.wait}
			if tc.json {
				args = append(args, "--output", "json")
			}
			r := c.mustRun(tc.want, "", args...)
			if r.stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tc.stdout)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr %q lacks %q", r.stderr, s)
				}
			}
			if _, _, stops := f.snapshot(); len(stops) != tc.stops || tc.stops > 0 && stops[0] != "q-1" {
				t.Errorf("StopQuery calls %q, want %d of q-1", stops, tc.stops)
			}
		})
	}
}

// TestQueryInterrupted: Ctrl-C while the query runs stops it (StopQuery) and exits 130,
// --max-wait or not.
func TestQueryInterrupted(t *testing.T) {
	for _, args := range [][]string{nil, {"--max-wait", "1h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { testQueryInterrupted(t, args) })
	}
}

func testQueryInterrupted(t *testing.T, args []string) {
	f, url := newFakeInsights(t, cwlogs.QueryStatusRunning, "")
	c := newCLI(t, url)
	cmd := exec.Command(binPath, append([]string{"query", "-g", "g", "fields @message"}, args...)...)
	cmd.Env = c.environ()
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-f.polled:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no GetQueryResults; stderr %s", stderr.String())
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatal("query did not exit after SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130; stderr %s", code, stderr.String())
	}
	if _, _, stops := f.snapshot(); len(stops) != 1 || stops[0] != "q-1" {
		t.Errorf("StopQuery calls %q, want one of q-1", stops)
	}
	if stdout.String() != "" || !strings.Contains(stderr.String(), "cwlogs: interrupted") {
		t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
}

func TestRowJSON(t *testing.T) {
	b, err := rowJSON(cwlogs.QueryRow{{Field: "@timestamp", Value: "2024-06-01 12:00:00.000"}, {Field: "@message", Value: `a "b" <c> é`},
		{Field: "@timestamp", Value: "dup"}, {Field: "x\ny", Value: ""}})
	want := `{"@timestamp":"2024-06-01 12:00:00.000","@message":"a \"b\" <c> é","x\ny":""}`
	if err != nil || string(b) != want {
		t.Errorf("rowJSON = %s, %v; want %s", b, err, want)
	}
	if b, _ := rowJSON(nil); string(b) != "{}" {
		t.Errorf("empty row: %s", b)
	}
	// A value equal to its field's name: a ':' was written after the value too.
	if b, _ := rowJSON(cwlogs.QueryRow{{Field: "level", Value: "level"}, {Field: "n", Value: "1"}}); string(b) != `{"level":"level","n":"1"}` {
		t.Errorf("value equal to its field name: %s", b)
	}
}

// TestQueryJSONRowsOnTerminal: query's JSON rows escape DEL and the C1 controls on a
// terminal, as the other commands' JSON lines do (they were written raw).
func TestQueryJSONRowsOnTerminal(t *testing.T) {
	var buf strings.Builder
	m := &Main{out: &printer{w: &buf, json: true, outTTY: true}}
	c := &QueryCommand{m: m}
	if err := c.print(&cwlogs.QueryResult{Rows: []cwlogs.QueryRow{{{Field: "@message", Value: "a\u009b2Jb\x7f"}}}}); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), `{"@message":"a\u009b2Jb\u007f"}`+"\n"; got != want {
		t.Errorf("JSON row on a terminal %q, want %q", got, want)
	}
}

// TestQueryLocalServer runs cwlogs query end to end against the local server's Logs
// Insights: JSON fields, filter, stats by a field, sort, a table and JSON rows, and a
// malformed query with the place the server reports.
func TestQueryLocalServer(t *testing.T) {
	endpoint := startLocal(t)
	ctx := context.Background()
	cl := seedClient(t, endpoint)
	createGroup(t, cl, "qweb", "s")
	createGroup(t, cl, "qjob", "s")
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	put := func(group string, msgs ...string) {
		var evs []cwlogs.InputLogEvent
		for i, m := range msgs {
			evs = append(evs, cwlogs.InputLogEvent{Timestamp: base.Add(time.Duration(i) * time.Second).UnixMilli(), Message: m})
		}
		if _, err := cl.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: "s", LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
	}
	put("qweb", `{"level":"info","path":"/a","ms":10}`, `{"level":"error","path":"/b","ms":250}`,
		`{"level":"error","path":"/a","ms":30}`, "plain text line")
	put("qjob", `{"level":"error","path":"/job","ms":5}`)
	c := newCLI(t, endpoint)
	rng := []string{"--start", base.Add(-time.Minute).Format(time.RFC3339), "--end", base.Add(time.Minute).Format(time.RFC3339)}

	r := c.mustRun(0, "", append([]string{"query", "-g", "qweb", "-g", "qjob",
		"filter level = 'error' | stats count(*) as n, max(ms) as worst by path | sort n desc, path asc"}, rng...)...)
	want := "path  n  worst\n/a    1  30\n/b    1  250\n/job  1  5\n"
	if r.stdout != want {
		t.Errorf("stats table:\n%s\nwant:\n%s", r.stdout, want)
	}
	if !strings.Contains(r.stderr, " status=Complete rows=3 matched=3 scanned=5 ") {
		t.Errorf("summary: %q", r.stderr)
	}

	r = c.mustRun(0, "", append([]string{"query", "-g", "qweb", "--output", "json",
		"fields @timestamp, @message | filter @message like /text/"}, rng...)...)
	var row map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &row); err != nil {
		t.Fatalf("json row %q: %v", r.stdout, err)
	}
	if ts := base.Add(3 * time.Second).UTC().Format("2006-01-02 15:04:05.000"); row["@timestamp"] != ts || row["@message"] != "plain text line" || row["@ptr"] == "" {
		t.Errorf("json row %v, want @timestamp %s, the plain line and a @ptr", row, ts)
	}

	r = c.mustRun(1, "", append([]string{"query", "-g", "qweb", "fields @message | sort"}, rng...)...)
	if !strings.Contains(r.stderr, "cwlogs query: malformed at characters ") || !strings.Contains(r.stderr, "MalformedQueryException") {
		t.Errorf("malformed query: stderr %q", r.stderr)
	}
}
