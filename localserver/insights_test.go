package localserver

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/localserver/insights"
)

// fnum reads a JSON number that may have a fraction.
func fnum(t *testing.T, v any) float64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("not a number: %#v", v)
	}
	f, err := n.Float64()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// waitQuery polls GetQueryResults until the query has ended and returns the last answer.
func waitQuery(t *testing.T, s *Server, id string, extra m) *response {
	t.Helper()
	in := m{"queryId": id}
	for k, v := range extra {
		in[k] = v
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := mustOK(t, s, "GetQueryResults", in)
		if st := r.body["status"]; st != "Running" && st != "Scheduled" {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s still running", id)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// startQuery starts q and returns its id.
func startQuery(t *testing.T, s *Server, in m) string {
	t.Helper()
	r := mustOK(t, s, "StartQuery", in)
	id, _ := r.body["queryId"].(string)
	if len(id) != 36 {
		t.Fatalf("queryId %q is not a UUID", id)
	}
	return id
}

// rowsOf renders GetQueryResults rows as "field=value; ..." lines, @ptr left out.
func rowsOf(r *response) []string {
	var out []string
	for _, row := range list(r.body["results"]) {
		var parts []string
		for _, f := range list(row) {
			fm := f.(map[string]any)
			if fm["field"] == "@ptr" {
				continue
			}
			parts = append(parts, fmt.Sprintf("%s=%s", fm["field"], fm["value"]))
		}
		out = append(out, strings.Join(parts, "; "))
	}
	return out
}

// ptrsOf lists the @ptr of every row.
func ptrsOf(r *response) []string {
	var out []string
	for _, row := range list(r.body["results"]) {
		for _, f := range list(row) {
			if fm := f.(map[string]any); fm["field"] == "@ptr" {
				out = append(out, fm["value"].(string))
			}
		}
	}
	return out
}

// insightsFixture creates groups app and web with events around base (a whole second).
func insightsFixture(t *testing.T, s *Server) (base int64) {
	t.Helper()
	base = (nowMs()/1000 - 3600) * 1000
	setupStream(t, s, "app", "s1")
	setupStream(t, s, "app", "s2")
	setupStream(t, s, "web", "w1")
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s1", "logEvents": []m{
		{"timestamp": base, "message": `{"level":"INFO","latency":40,"user":{"id":"u1"}}`},
		{"timestamp": base + 2000, "message": `{"level":"ERROR","latency":400,"user":{"id":"u2"}}`},
		{"timestamp": base + 4000, "message": `{"level":"INFO","latency":60,"user":{"id":"u1"}}`},
	}})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s2", "logEvents": []m{
		{"timestamp": base + 1000, "message": "plain user=bob took 12ms"},
	}})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "web", "logStreamName": "w1", "logEvents": []m{
		{"timestamp": base + 3000, "message": "GET /index 200"},
		{"timestamp": base + 5000, "message": "GET /missing 404"},
	}})
	return base
}

func TestInsightsQueryEndToEnd(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	sec := base / 1000
	ts := func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000") }

	for _, c := range []struct {
		name string
		in   m
		want []string
	}{
		{"default fields, newest first, two groups", m{"logGroupNames": []string{"app", "web"}, "queryString": "limit 3"}, []string{
			"@timestamp=" + ts(base+5000) + "; @message=GET /missing 404",
			"@timestamp=" + ts(base+4000) + `; @message={"level":"INFO","latency":60,"user":{"id":"u1"}}`,
			"@timestamp=" + ts(base+3000) + "; @message=GET /index 200",
		}},
		{"system fields", m{"logGroupName": "web", "queryString": "fields @log, @logStream, @timestamp, @ingestionTime | sort @timestamp asc | limit 1"}, []string{
			"@log=123456789012:web; @logStream=w1; @timestamp=" + ts(base+3000) + "; @ingestionTime=" + ts(nowMs()),
		}},
		{"json fields and filter", m{"logGroupIdentifiers": []string{"arn:aws:logs:us-east-1:123456789012:log-group:app", "web"},
			"queryString": "filter latency > 50 | fields level, user.id | sort latency desc"}, []string{
			"level=ERROR; user.id=u2", "level=INFO; user.id=u1",
		}},
		{"stats", m{"logGroupNames": []string{"app", "web"}, "queryString": "stats count(*) as n, avg(latency) as avg by @log | sort n desc"}, []string{
			"@log=123456789012:app; n=4; avg=166.66666666666666", "@log=123456789012:web; n=2",
		}},
		{"parse", m{"logGroupName": "web", "queryString": `parse @message "GET * *" as path, code | filter code >= 400 | display path, code`}, []string{
			"path=/missing; code=404",
		}},
		{"limit parameter", m{"logGroupName": "app", "queryString": "fields @message", "limit": 2}, []string{
			`@message={"level":"INFO","latency":60,"user":{"id":"u1"}}`, `@message={"level":"ERROR","latency":400,"user":{"id":"u2"}}`,
		}},
		// startTime and endTime are seconds and both inclusive: base+1000 .. base+3000 holds
		// the events at +1 s, +2 s and +3 s.
		{"time range", m{"logGroupNames": []string{"app", "web"}, "queryString": "fields @timestamp | sort @timestamp asc", "startTime": sec + 1, "endTime": sec + 3}, []string{
			"@timestamp=" + ts(base+1000), "@timestamp=" + ts(base+2000), "@timestamp=" + ts(base+3000),
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := m{"startTime": sec, "endTime": sec + 10}
			for k, v := range c.in {
				in[k] = v
			}
			r := waitQuery(t, s, startQuery(t, s, in), nil)
			if r.body["status"] != "Complete" {
				t.Fatalf("status %v: %s", r.body["status"], r.raw)
			}
			got := rowsOf(r)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestInsightsStatisticsAndPtr(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	id := startQuery(t, s, m{"logGroupNames": []string{"app", "web"}, "startTime": base / 1000, "endTime": base/1000 + 10,
		"queryString": `filter @message like "GET" | fields @message`})
	r := waitQuery(t, s, id, nil)
	st, _ := r.body["statistics"].(map[string]any)
	bytes := len("GET /index 200") + len("GET /missing 404") + len("plain user=bob took 12ms") +
		len(`{"level":"INFO","latency":40,"user":{"id":"u1"}}`) + len(`{"level":"ERROR","latency":400,"user":{"id":"u2"}}`) + len(`{"level":"INFO","latency":60,"user":{"id":"u1"}}`)
	if fnum(t, st["recordsMatched"]) != 2 || fnum(t, st["recordsScanned"]) != 6 || fnum(t, st["bytesScanned"]) != float64(bytes) || fnum(t, st["logGroupsScanned"]) != 2 {
		t.Errorf("statistics = %v, want 2 matched, 6 scanned, %d bytes, 2 groups", st, bytes)
	}
	if !strings.Contains(string(r.raw), `"recordsMatched":2.0`) || r.body["queryLanguage"] != "CWLI" {
		t.Errorf("statistics are not doubles or queryLanguage missing: %s", r.raw)
	}
	// Every row ends with @ptr, and GetLogRecord opens it.
	ptrs := ptrsOf(r)
	if len(ptrs) != 2 {
		t.Fatalf("@ptr in %d of 2 rows: %s", len(ptrs), r.raw)
	}
	rec := mustOK(t, s, "GetLogRecord", m{"logRecordPointer": ptrs[0]})
	lr, _ := rec.body["logRecord"].(map[string]any)
	want := map[string]string{"@message": "GET /missing 404", "@logStream": "w1", "@log": "123456789012:web",
		"@timestamp": itoa(base + 5000), "@ingestionTime": itoa(nowMs())}
	for k, v := range want {
		if lr[k] != v {
			t.Errorf("logRecord[%s] = %v, want %q (%s)", k, lr[k], v, rec.raw)
		}
	}
	// A JSON event's record carries its discovered fields.
	id = startQuery(t, s, m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "filter level = 'ERROR'"})
	ptrs = ptrsOf(waitQuery(t, s, id, nil))
	if len(ptrs) != 1 {
		t.Fatalf("%d rows for level = ERROR", len(ptrs))
	}
	rec = mustOK(t, s, "GetLogRecord", m{"logRecordPointer": ptrs[0]})
	lr, _ = rec.body["logRecord"].(map[string]any)
	if lr["user.id"] != "u2" || lr["latency"] != "400" {
		t.Errorf("logRecord of a JSON event = %s", rec.raw)
	}
	// Pointers that are not ours, or whose stream is gone.
	if r := call(t, s, "GetLogRecord", m{"logRecordPointer": "nonsense"}); r.errType() != codeInvalidParameter {
		t.Errorf("bad pointer: %d %s", r.status, r.raw)
	}
	mustOK(t, s, "DeleteLogStream", m{"logGroupName": "app", "logStreamName": "s1"})
	if r := call(t, s, "GetLogRecord", m{"logRecordPointer": ptrs[0]}); r.errType() != codeResourceNotFound {
		t.Errorf("pointer into a deleted stream: %d %s", r.status, r.raw)
	}
}

func TestInsightsValidation(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	ok := m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "fields @message"}
	with := func(kv ...any) m {
		in := m{}
		for k, v := range ok {
			in[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(in, kv[i].(string))
			} else {
				in[kv[i].(string)] = kv[i+1]
			}
		}
		return in
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = "app"
	}
	for _, c := range []struct {
		name       string
		in         m
		code, want string
	}{
		{"no queryString", with("queryString", nil), codeInvalidParameter, "Value null at 'queryString' failed to satisfy constraint: Member must not be null"},
		{"no startTime", with("startTime", nil), codeInvalidParameter, "Value null at 'startTime'"},
		{"long query", with("queryString", strings.Repeat("x", 10001)), codeInvalidParameter, "Member must have length less than or equal to 10000"},
		{"limit 0", with("limit", 0), codeInvalidParameter, "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"limit too big", with("limit", 100001), codeInvalidParameter, "Member must have value less than or equal to 100000"},
		{"bad language", with("queryLanguage", "KQL"), codeInvalidParameter, "Member must satisfy enum value set: [CWLI, SQL, PPL]"},
		{"SQL", with("queryLanguage", "SQL"), codeInvalidParameter, "queryLanguage SQL is not supported by this server"},
		{"PPL", with("queryLanguage", "PPL"), codeInvalidParameter, "queryLanguage PPL is not supported"},
		{"two group parameters", with("logGroupNames", []string{"web"}), codeInvalidParameter, "Exactly one of logGroupName, logGroupNames and logGroupIdentifiers"},
		{"no group", with("logGroupName", nil), codeInvalidParameter, "Exactly one of"},
		{"51 groups", with("logGroupName", nil, "logGroupNames", many), codeInvalidParameter, "from 1 to 50 log groups; 51 were given"},
		{"unknown group", with("logGroupName", nil, "logGroupNames", []string{"app", "nosuch"}), codeResourceNotFound, msgGroupNotFound},
		{"bad group name", with("logGroupName", "bad name"), codeInvalidParameter, "Member must satisfy regular expression pattern"},
		{"end before start", with("endTime", base/1000-1), codeInvalidParameter, "must not be before startTime"},
		{"malformed", with("queryString", "fields @message | nosuch x"), codeMalformedQuery, "unknown or unsupported command"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, s, "StartQuery", c.in)
			if r.status != 400 || r.errType() != c.code || !strings.Contains(r.message(), c.want) {
				t.Errorf("%d %s %q, want 400 %s containing %q", r.status, r.errType(), r.message(), c.code, c.want)
			}
		})
	}

	// queryCompileError locates the fault in characters, not bytes.
	r := call(t, s, "StartQuery", with("queryString", "filter é = 1 | fields nosuch(é)"))
	ce, _ := r.body["queryCompileError"].(map[string]any)
	loc, _ := ce["location"].(map[string]any)
	if r.errType() != codeMalformedQuery || loc == nil || num(t, loc["startCharOffset"]) != 22 || num(t, loc["endCharOffset"]) != 28 ||
		!strings.Contains(fmt.Sprint(ce["message"]), "unknown function nosuch()") {
		t.Errorf("queryCompileError: %s", r.raw)
	}

	for _, op := range []string{"GetQueryResults", "StopQuery"} {
		if r := call(t, s, op, m{"queryId": "00000000-0000-4000-8000-000000000000"}); r.errType() != codeResourceNotFound {
			t.Errorf("%s of an unknown query: %d %s", op, r.status, r.raw)
		}
		if r := call(t, s, op, m{}); r.errType() != codeInvalidParameter {
			t.Errorf("%s without queryId: %d %s", op, r.status, r.raw)
		}
	}
	if r := call(t, s, "GetLogRecord", m{}); r.errType() != codeInvalidParameter {
		t.Errorf("GetLogRecord without a pointer: %d %s", r.status, r.raw)
	}
}

func TestInsightsPagingAndStop(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	id := startQuery(t, s, m{"logGroupNames": []string{"app", "web"}, "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "fields @timestamp"})
	waitQuery(t, s, id, nil)
	var all []string
	in := m{"queryId": id, "maxItems": 4}
	pages := 0
	for {
		r := mustOK(t, s, "GetQueryResults", in)
		pages++
		all = append(all, rowsOf(r)...)
		tok, ok := r.body["nextToken"].(string)
		if !ok {
			break
		}
		in["nextToken"] = tok
	}
	if pages != 2 || len(all) != 6 {
		t.Errorf("%d pages, %d rows; want 2 pages of 6 rows", pages, len(all))
	}
	if r := call(t, s, "GetQueryResults", m{"queryId": id, "nextToken": "bogus"}); r.errType() != codeInvalidParameter {
		t.Errorf("bad nextToken: %d %s", r.status, r.raw)
	}
	// A query that has ended cannot be stopped.
	if r := call(t, s, "StopQuery", m{"queryId": id}); r.errType() != codeInvalidParameter || !strings.Contains(r.message(), "not running") {
		t.Errorf("StopQuery of a complete query: %d %s", r.status, r.raw)
	}
}

func TestInsightsDescribeQueries(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	var ids []string
	for _, g := range []string{"app", "web", "app"} {
		id := startQuery(t, s, m{"logGroupName": g, "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "stats count(*)"})
		waitQuery(t, s, id, nil)
		ids = append(ids, id)
	}
	qs, pages := pageItems(t, s, "DescribeQueries", m{"maxResults": 1, "logGroupName": "app"}, "queries", 10)
	if pages != 2 || len(qs) != 2 || qs[0]["queryId"] != ids[2] || qs[1]["queryId"] != ids[0] {
		t.Fatalf("DescribeQueries for app: %d pages %v", pages, qs)
	}
	q := qs[0]
	if q["status"] != "Complete" || q["queryString"] != "stats count(*)" || q["logGroupName"] != "app" || q["queryLanguage"] != "CWLI" ||
		num(t, q["createTime"]) != nowMs() || q["queryDuration"] == nil {
		t.Errorf("QueryInfo = %v", q)
	}
	if qs, _ := pageItems(t, s, "DescribeQueries", m{"status": "Running"}, "queries", 10); len(qs) != 0 {
		t.Errorf("running queries: %v", qs)
	}
	if qs, _ := pageItems(t, s, "DescribeQueries", m{}, "queries", 10); len(qs) != 3 {
		t.Errorf("all queries: %d", len(qs))
	}
	if r := call(t, s, "DescribeQueries", m{"status": "Done"}); r.errType() != codeInvalidParameter {
		t.Errorf("bad status: %d %s", r.status, r.raw)
	}
}

// TestInsightsCancelAndLimit drives the registry directly: a stopped query ends
// Cancelled without a result, and StartQuery refuses more than maxRunningQueries.
func TestInsightsCancelAndLimit(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	reg := s.queries()
	reg.mu.Lock()
	reg.running = maxRunningQueries
	reg.mu.Unlock()
	r := call(t, s, "StartQuery", m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "limit 1"})
	if r.errType() != codeLimitExceeded {
		t.Errorf("StartQuery beyond the concurrency limit: %d %s", r.status, r.raw)
	}
	reg.mu.Lock()
	reg.running = 0
	reg.mu.Unlock()

	g, _ := groupByName(context.Background(), s.st.r, "app")
	ctx, cancel := context.WithCancel(context.Background())
	qs := &queryState{id: "q-cancel", groups: []string{"app"}, created: nowMs(), cancel: cancel, done: make(chan struct{}), status: "Running", canceled: true}
	reg.mu.Lock()
	reg.add(qs)
	reg.mu.Unlock()
	cancel()
	q, _ := insights.Parse("fields @message")
	s.runQuery(ctx, reg, qs, q, []*groupRow{g}, 0, nowMs(), nowMs(), 10)
	res := mustOK(t, s, "GetQueryResults", m{"queryId": "q-cancel"})
	if res.body["status"] != "Cancelled" || len(list(res.body["results"])) != 0 {
		t.Errorf("stopped query: %s", res.raw)
	}
}

func TestInsightsRetention(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "old", "s")
	day := int64(86_400_000)
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "old", "logStreamName": "s", "logEvents": []m{{"timestamp": nowMs() - 3*day, "message": "three days old"}}})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "old", "logStreamName": "s", "logEvents": []m{{"timestamp": nowMs() - 1000, "message": "recent"}}})
	mustOK(t, s, "PutRetentionPolicy", m{"logGroupName": "old", "retentionInDays": 1})
	r := waitQuery(t, s, startQuery(t, s, m{"logGroupName": "old", "startTime": 0, "endTime": nowMs() / 1000, "queryString": "fields @message"}), nil)
	if got := strings.Join(rowsOf(r), "|"); got != "@message=recent" {
		t.Errorf("rows with 1-day retention: %q", got)
	}
}

// TestInsightsStopQuery stops a running query (held before its scan by the registry's
// test hook): StopQuery answers success, the query ends Cancelled, and DescribeQueries
// showed it Running meanwhile.
func TestInsightsStopQuery(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	reg := s.queries()
	reg.mu.Lock()
	reg.beforeScan = func(ctx context.Context) { <-ctx.Done() }
	reg.mu.Unlock()
	id := startQuery(t, s, m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "fields @message"})
	if r := mustOK(t, s, "GetQueryResults", m{"queryId": id}); r.body["status"] != "Running" || len(list(r.body["results"])) != 0 {
		t.Errorf("held query: %s", r.raw)
	}
	if qs, _ := pageItems(t, s, "DescribeQueries", m{"status": "Running"}, "queries", 10); len(qs) != 1 || qs[0]["queryId"] != id || qs[0]["queryDuration"] != nil {
		t.Errorf("running queries: %v", qs)
	}
	if r := mustOK(t, s, "StopQuery", m{"queryId": id}); r.body["success"] != true {
		t.Errorf("StopQuery: %s", r.raw)
	}
	if r := mustOK(t, s, "GetQueryResults", m{"queryId": id}); r.body["status"] != "Cancelled" || len(list(r.body["results"])) != 0 {
		t.Errorf("stopped query: %s", r.raw)
	}
	if r := call(t, s, "StopQuery", m{"queryId": id}); r.errType() != codeInvalidParameter {
		t.Errorf("StopQuery twice: %d %s", r.status, r.raw)
	}
}

// TestInsightsOrderAcrossStreams checks the scan's default order over a group of many
// streams and batches whose time ranges overlap: every event exactly once, newest first,
// and the same count from stats.
func TestInsightsOrderAcrossStreams(t *testing.T) {
	s := newTestServer(t, Config{})
	rng := rand.New(rand.NewPCG(1, 2))
	base := nowMs() - 3_600_000
	type ev struct {
		ts  int64
		msg string
	}
	var all []ev
	used := map[int64]bool{}
	for st := range 20 {
		name := fmt.Sprintf("s%02d", st)
		setupStream(t, s, "many", name)
		for batch := range 3 {
			var evs []m
			var tss []int64
			for range 40 {
				ts := base + rng.Int64N(3_000_000)
				for used[ts] {
					ts++
				}
				used[ts] = true
				tss = append(tss, ts)
			}
			slices.Sort(tss)
			for i, ts := range tss {
				msg := fmt.Sprintf("%s-%d-%d", name, batch, i)
				evs = append(evs, m{"timestamp": ts, "message": msg})
				all = append(all, ev{ts, msg})
			}
			mustOK(t, s, "PutLogEvents", m{"logGroupName": "many", "logStreamName": name, "logEvents": evs})
		}
	}
	slices.SortFunc(all, func(a, b ev) int { return cmp.Compare(b.ts, a.ts) })
	want := make([]string, len(all))
	for i, e := range all {
		want[i] = "@message=" + e.msg
	}
	in := m{"logGroupName": "many", "startTime": base / 1000, "endTime": nowMs() / 1000, "queryString": "fields @message"}
	got := rowsOf(waitQuery(t, s, startQuery(t, s, in), nil))
	if !slices.Equal(got, want) {
		i := firstDiff(got, want)
		t.Errorf("%d rows, want %d newest first; first difference at row %d", len(got), len(want), i)
	}
	in["queryString"] = "stats count(*) as n"
	if got := rowsOf(waitQuery(t, s, startQuery(t, s, in), nil)); len(got) != 1 || got[0] != fmt.Sprintf("n=%d", len(all)) {
		t.Errorf("stats count = %v, want %d", got, len(all))
	}
}

// TestRecordPtrEncoding checks that a @ptr has encodeOpaque's layout (base64url of
// "R|group|stream|ts|cid|idx|crc", crc the 8-hex-digit CRC-32 of what precedes it, as
// tokens have always been written) and decodes back.
func TestRecordPtrEncoding(t *testing.T) {
	for _, c := range []struct {
		g, s int64
		k    evKey
	}{{1, 2, evKey{3, 4, 5}}, {0, 0, evKey{}}, {1 << 62, 1<<63 - 1, evKey{maxTokenTs, 1 << 40, 499}}} {
		got := encodeRecordPtr(c.g, c.s, c.k)
		plain := fmt.Sprintf("R|%d|%d|%d|%d|%d", c.g, c.s, c.k.ts, c.k.cid, c.k.idx)
		if want := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s|%08x", plain, crc32.ChecksumIEEE([]byte(plain)))); got != want {
			t.Errorf("encodeRecordPtr(%d, %d, %v) = %q, want %q", c.g, c.s, c.k, got, want)
		}
		g, s, k, ok := decodeRecordPtr(got)
		if !ok || g != c.g || s != c.s || k != c.k {
			t.Errorf("decodeRecordPtr(%q) = %d, %d, %v, %v", got, g, s, k, ok)
		}
	}
}

// TestInsightsShutdownWaitsForQueries shuts the server down while a query runs (held in
// its goroutine by the registry's test hook, which lingers after the cancellation):
// Shutdown returns only once the query's goroutine has ended, so no query reads the
// store after it is closed, and no goroutine outlives the server.
func TestInsightsShutdownWaitsForQueries(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	reg := s.queries()
	started := make(chan struct{})
	reg.mu.Lock()
	reg.beforeScan = func(ctx context.Context) {
		close(started)
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // a scan that takes a while to notice
	}
	reg.mu.Unlock()
	id := startQuery(t, s, m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "fields @message"})
	<-started
	qs := reg.get(id)
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-qs.done:
	default:
		t.Fatal("Shutdown returned while a query's goroutine was still running")
	}
	if st, _, _ := qs.snapshot(); st != "Cancelled" {
		t.Errorf("query ended %s at shutdown, want Cancelled", st)
	}
	// Nor any goroutine of the query's (its watcher of the server's stop included).
	checkGoroutinesGone(t, "localserver.(*Server).runQuery", "localserver.(*Server).startQuery")
	// A server that is shut down starts no more queries.
	if r := call(t, s, "StartQuery", m{"logGroupName": "app", "startTime": base / 1000, "endTime": base/1000 + 10, "queryString": "fields @message"}); r.errType() != codeServiceUnavailable {
		t.Errorf("StartQuery after Shutdown: %d %s", r.status, r.raw)
	}
}

// TestInsightsTimeRangeEdges pins the bounds of StartQuery's range: startTime and endTime
// are seconds, converted to milliseconds "straight" and both inclusive of that
// millisecond, so events later within endTime's second are left out (the CloudWatch team
// in aws/aws-sdk#280: "EndTime is inclusive but not at second level").
func TestInsightsTimeRangeEdges(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "edges", "s")
	start := (nowMs()/1000 - 60) * 1000
	end := start + 10_000
	var evs []m
	for _, ts := range []int64{start - 1, start, start + 500, end - 1, end, end + 1, end + 999} {
		evs = append(evs, m{"timestamp": ts, "message": fmt.Sprint(ts - start)})
	}
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "edges", "logStreamName": "s", "logEvents": evs})
	r := waitQuery(t, s, startQuery(t, s, m{"logGroupName": "edges", "startTime": start / 1000, "endTime": end / 1000,
		"queryString": "fields @message | sort @timestamp asc"}), nil)
	if got, want := strings.Join(rowsOf(r), " "), "@message=0 @message=500 @message=9999 @message=10000"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// TestInsightsConcurrentOps runs StartQuery, GetQueryResults, StopQuery and
// DescribeQueries from several goroutines at once (run it with -race): every query
// ends Complete or Cancelled, StopQuery either stops a query or says it is not running,
// and DescribeQueries lists every query once.
func TestInsightsConcurrentOps(t *testing.T) {
	s := newTestServer(t, Config{})
	base := insightsFixture(t, s)
	const workers, each = 4, 8
	ids := make(chan string, workers*each)
	errs := make(chan string, workers*each*4)
	done := make(chan struct{})
	for w := range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range each {
				r := call(t, s, "StartQuery", m{"logGroupNames": []string{"app", "web"}, "startTime": base / 1000, "endTime": base/1000 + 10,
					"queryString": "stats count(*) by @logStream | sort @logStream asc"})
				id, _ := r.body["queryId"].(string)
				if r.status != 200 || id == "" {
					errs <- fmt.Sprintf("StartQuery: %d %s", r.status, r.raw)
					continue
				}
				ids <- id
				if (w+i)%2 == 0 {
					if r := call(t, s, "StopQuery", m{"queryId": id}); r.status != 200 && r.errType() != codeInvalidParameter {
						errs <- fmt.Sprintf("StopQuery: %d %s", r.status, r.raw)
					}
				}
				if r := call(t, s, "GetQueryResults", m{"queryId": id}); r.status != 200 {
					errs <- fmt.Sprintf("GetQueryResults: %d %s", r.status, r.raw)
				}
				if r := call(t, s, "DescribeQueries", m{"maxResults": 5}); r.status != 200 {
					errs <- fmt.Sprintf("DescribeQueries: %d %s", r.status, r.raw)
				}
			}
		}()
	}
	for range workers {
		<-done
	}
	close(ids)
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
		r := waitQuery(t, s, id, nil)
		switch r.body["status"] {
		case "Complete":
			if got := strings.Join(rowsOf(r), "|"); got != "@logStream=s1; count(*)=3|@logStream=s2; count(*)=1|@logStream=w1; count(*)=2" {
				t.Errorf("query %s rows %q", id, got)
			}
		case "Cancelled":
		default:
			t.Errorf("query %s ended %v", id, r.body["status"])
		}
	}
	listed, _ := pageItems(t, s, "DescribeQueries", m{}, "queries", 7)
	if len(listed) != len(seen) {
		t.Errorf("DescribeQueries listed %d queries, want %d", len(listed), len(seen))
	}
	for _, q := range listed {
		if !seen[q["queryId"].(string)] {
			t.Errorf("DescribeQueries listed unknown query %v", q["queryId"])
		}
		delete(seen, q["queryId"].(string))
	}
}
