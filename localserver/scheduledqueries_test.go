package localserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// sqClock is a settable clock for the scheduled queries' and anomaly detectors' runners.
// Requests are signed at the clock's time and verified against it; hold keeps a jump
// from falling between the two for requests made while another goroutine moves it.
type sqClock struct {
	mu   sync.Mutex
	t    time.Time
	hold sync.RWMutex // held for writing by shift, for reading by steadily
}

func (c *sqClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// shift moves the clock on by d once no request made under steadily is in flight.
func (c *sqClock) shift(d time.Duration) {
	c.hold.Lock()
	defer c.hold.Unlock()
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// steadily runs f, which makes requests, with the clock held still: a request signed at
// one time and verified an hour later would fail on the signature's ±5 minutes.
func (c *sqClock) steadily(f func()) {
	c.hold.RLock()
	defer c.hold.RUnlock()
	f()
}

// advance moves the clock on by d and wakes s's runner.
func (c *sqClock) advance(s *Server, d time.Duration) {
	c.shift(d)
	s.sched.kick()
}

const sqRole = "arn:aws:iam::123456789012:role/sq-exec"

// sqInput is a valid CreateScheduledQuery input for group (extra members override).
func sqInput(name, group string, extra m) m {
	in := m{"name": name, "queryLanguage": "CWLI", "queryString": "fields @timestamp, @message | sort @timestamp asc",
		"logGroupIdentifiers": []string{group}, "scheduleExpression": "rate(5 minutes)", "executionRoleArn": sqRole}
	for k, v := range extra {
		if v == nil {
			delete(in, k)
		} else {
			in[k] = v
		}
	}
	return in
}

// newSQServer is an in-memory server on clk with an export directory holding testBucket,
// and a log group "g" with a stream "s".
func newSQServer(t *testing.T, clk *sqClock, cfg Config) (*Server, string) {
	t.Helper()
	cfg.Now = clk.Now
	s, dir := newExportServer(t, cfg)
	setupStream(t, s, "g", "s")
	return s, dir
}

// history returns the trigger history of query name (all of it).
func history(t *testing.T, s *Server, name string) []map[string]any {
	t.Helper()
	items, _ := pageItems(t, s, "GetScheduledQueryHistory", m{"identifier": name, "startTime": 0, "endTime": int64(1) << 50},
		"triggerHistory", 100)
	return items
}

// waitRuns waits until query name has n runs that have ended and returns its history.
func waitRuns(t *testing.T, s *Server, name string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h := history(t, s, name)
		ended := 0
		for _, r := range h {
			if r["executionStatus"] != sqRunning {
				ended++
			}
		}
		if ended >= n {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %d runs of %s: history %v", n, name, h)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// readResults reads the results object of a run from its processedIdentifier.
func readResults(t *testing.T, dir string, rec map[string]any) map[string]any {
	t.Helper()
	dests := list(rec["destinations"])
	if len(dests) != 1 {
		t.Fatalf("destinations: %v", rec)
	}
	d := dests[0].(map[string]any)
	if d["status"] != sqDestComplete || d["destinationType"] != "S3" {
		t.Fatalf("destination: %v", d)
	}
	key := strings.TrimPrefix(d["processedIdentifier"].(string), "s3://")
	raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := newDecoder(raw).Decode(&out); err != nil {
		t.Fatalf("results object: %v: %s", err, raw)
	}
	return out
}

func resultMessages(obj map[string]any) []string {
	var out []string
	for _, r := range list(obj["results"]) {
		out = append(out, r.(map[string]any)["@message"].(string))
	}
	return out
}

func TestScheduledQueryValidation(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, _ := newSQServer(t, clk, Config{})
	s3 := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/r", "roleArn": sqRole}}
	tests := []struct {
		name  string
		extra m
		code  string
		msg   string
	}{
		{"no name", m{"name": nil}, codeValidation, "Value null at 'name'"},
		{"bad name", m{"name": "a b"}, codeValidation, "'name' failed to satisfy constraint"},
		{"long name", m{"name": strings.Repeat("a", 256)}, codeValidation, "length less than or equal to 255"},
		{"no role", m{"executionRoleArn": nil}, codeValidation, "Value null at 'executionRoleArn'"},
		{"role not IAM", m{"executionRoleArn": "arn:aws:s3:::bucket"}, codeValidation, "Invalid executionRoleArn"},
		{"role no name", m{"executionRoleArn": "arn:aws:iam::123456789012:role/"}, codeValidation, "Invalid executionRoleArn"},
		{"bad language", m{"queryLanguage": "SPL"}, codeValidation, "'queryLanguage' failed to satisfy constraint"},
		{"SQL", m{"queryLanguage": "SQL"}, codeValidation, "only CWLI"},
		{"bad query", m{"queryString": "fields | |"}, codeValidation, "not a valid Logs Insights query"},
		{"no schedule", m{"scheduleExpression": nil}, codeValidation, "Value null at 'scheduleExpression'"},
		{"bad cron", m{"scheduleExpression": "cron(0 9 * * * *)"}, codeValidation, "Invalid scheduleExpression"},
		{"bad rate", m{"scheduleExpression": "rate(1 minutes)"}, codeValidation, "singular"},
		{"bad timezone", m{"timezone": "Mars/Olympus"}, codeValidation, "Invalid timezone"},
		{"negative offset", m{"startTimeOffset": -1}, codeValidation, "Invalid startTimeOffset"},
		{"end before start", m{"scheduleStartTime": 2000, "scheduleEndTime": 1000}, codeValidation, "scheduleEndTime (1000)"},
		{"bad state", m{"state": "PAUSED"}, codeValidation, "'state' failed to satisfy constraint"},
		{"no groups", m{"logGroupIdentifiers": nil}, codeValidation, "logGroupIdentifiers is required"},
		{"empty groups", m{"logGroupIdentifiers": []string{}}, codeValidation, "length greater than or equal to 1"},
		{"missing group", m{"logGroupIdentifiers": []string{"nope"}}, codeResourceNotFound, msgGroupNotFound},
		{"no s3Configuration", m{"destinationConfiguration": m{}}, codeValidation, "destinationConfiguration.s3Configuration"},
		{"bad S3 URI", m{"destinationConfiguration": m{"s3Configuration": m{"destinationIdentifier": "https://b/x", "roleArn": sqRole}}},
			codeValidation, "destinationConfiguration.s3Configuration.destinationIdentifier"},
		{"bad prefix", m{"destinationConfiguration": m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/a//b", "roleArn": sqRole}}},
			codeValidation, "cannot be a key prefix"},
		{"dest role", m{"destinationConfiguration": m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket, "roleArn": "role"}}},
			codeValidation, "s3Configuration.roleArn"},
		{"bad tag", m{"tags": m{"": "x"}}, codeValidation, "tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s, "CreateScheduledQuery", sqInput("q", "g", tt.extra))
			if r.status != 400 || r.errType() != tt.code || !strings.Contains(r.message(), tt.msg) {
				t.Errorf("got %d %s %q, want %s containing %q", r.status, r.errType(), r.message(), tt.code, tt.msg)
			}
		})
	}
	// A valid one with a destination is accepted; none of the refused ones was stored.
	mustOK(t, s, "CreateScheduledQuery", sqInput("q", "g", m{"destinationConfiguration": s3}))
	if got := list(mustOK(t, s, "ListScheduledQueries", m{}).body["scheduledQueries"]); len(got) != 1 {
		t.Errorf("listed %d queries, want 1", len(got))
	}
	// Without an export directory a destination cannot be served.
	mem := newTestServer(t, Config{})
	setupStream(t, mem, "g", "s")
	if r := call(t, mem, "CreateScheduledQuery", sqInput("q", "g", m{"destinationConfiguration": s3})); r.errType() != codeValidation ||
		!strings.Contains(r.message(), "Config.ExportDir") {
		t.Errorf("without ExportDir: %d %s", r.status, r.raw)
	}
	for _, op := range []string{"GetScheduledQuery", "DeleteScheduledQuery"} {
		if r := call(t, s, op, m{}); r.errType() != codeValidation {
			t.Errorf("%s without identifier: %s", op, r.raw)
		}
	}
	for _, in := range []m{{"identifier": "q"}, {"identifier": "q", "startTime": 0}, {"identifier": "q", "startTime": 0, "endTime": 1, "maxResults": 0},
		{"identifier": "q", "startTime": 0, "endTime": 1, "executionStatuses": []string{"Done"}}} {
		if r := call(t, s, "GetScheduledQueryHistory", in); r.errType() != codeValidation {
			t.Errorf("GetScheduledQueryHistory %v: %s", in, r.raw)
		}
	}
}

func TestScheduledQueryCRUD(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, _ := newSQServer(t, clk, Config{})
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/results/", "roleArn": sqRole}}
	r := mustOK(t, s, "CreateScheduledQuery", sqInput("errors/daily", "g", m{"description": "d", "timezone": "Europe/Paris",
		"scheduleExpression": "cron(0 9 * * ? *)", "startTimeOffset": 3600, "destinationConfiguration": dest,
		"tags": m{"team": "a"}}))
	arn, _ := r.body["scheduledQueryArn"].(string)
	if !strings.HasPrefix(arn, "arn:aws:logs:us-east-1:123456789012:scheduled-query:") || r.body["state"] != sqEnabled {
		t.Fatalf("CreateScheduledQuery: %s", r.raw)
	}
	if r := call(t, s, "CreateScheduledQuery", sqInput("errors/daily", "g", nil)); r.errType() != codeConflict {
		t.Errorf("same name again: %s", r.raw)
	}
	for _, ident := range []string{"errors/daily", arn} {
		g := mustOK(t, s, "GetScheduledQuery", m{"identifier": ident}).body
		if g["scheduledQueryArn"] != arn || g["name"] != "errors/daily" || g["description"] != "d" || g["timezone"] != "Europe/Paris" ||
			num(t, g["startTimeOffset"]) != 3600 || g["state"] != sqEnabled || g["executionRoleArn"] != sqRole ||
			num(t, g["creationTime"]) != nowMs() || num(t, g["lastUpdatedTime"]) != nowMs() || g["lastTriggeredTime"] != nil {
			t.Errorf("GetScheduledQuery(%s) = %v", ident, g)
		}
		if d, _ := json.Marshal(g["destinationConfiguration"]); !strings.Contains(string(d), `"destinationIdentifier":"s3://export-bucket/results/"`) {
			t.Errorf("destinationConfiguration = %s", d)
		}
	}
	for _, ident := range []string{"nope", "arn:aws:logs:us-east-1:123456789012:scheduled-query:nope", "arn:aws:logs:us-east-1:123456789012:log-group:g"} {
		if r := call(t, s, "GetScheduledQuery", m{"identifier": ident}); r.errType() != codeResourceNotFound || r.message() != msgScheduledQueryNotFound {
			t.Errorf("GetScheduledQuery(%s): %s", ident, r.raw)
		}
	}
	// Tags through the ARN.
	mustOK(t, s, "TagResource", m{"resourceArn": arn, "tags": m{"env": "prod"}})
	tags := mustOK(t, s, "ListTagsForResource", m{"resourceArn": arn}).body["tags"].(map[string]any)
	if len(tags) != 2 || tags["team"] != "a" || tags["env"] != "prod" {
		t.Errorf("tags = %v", tags)
	}
	// Listing: by name, paged, filtered by state.
	mustOK(t, s, "CreateScheduledQuery", sqInput("b", "g", m{"state": sqDisabled}))
	mustOK(t, s, "CreateScheduledQuery", sqInput("a", "arn:aws:logs:us-east-1:123456789012:log-group:g", nil))
	items, pages := pageItems(t, s, "ListScheduledQueries", m{"maxResults": 1}, "scheduledQueries", 10)
	var names []string
	for _, it := range items {
		names = append(names, it["name"].(string))
	}
	if strings.Join(names, ",") != "a,b,errors/daily" || pages != 3 {
		t.Errorf("listed %v in %d pages", names, pages)
	}
	if items[2]["scheduleExpression"] != "cron(0 9 * * ? *)" || items[2]["timezone"] != "Europe/Paris" || items[2]["destinationConfiguration"] == nil {
		t.Errorf("summary = %v", items[2])
	}
	items, _ = pageItems(t, s, "ListScheduledQueries", m{"state": sqDisabled}, "scheduledQueries", 10)
	if len(items) != 1 || items[0]["name"] != "b" {
		t.Errorf("DISABLED: %v", items)
	}
	if r := call(t, s, "ListScheduledQueries", m{"nextToken": "bogus"}); r.errType() != codeValidation {
		t.Errorf("bad token: %s", r.raw)
	}
	// Update replaces the whole definition (PUT): the description and destination go.
	clk.advance(s, time.Minute)
	u := mustOK(t, s, "UpdateScheduledQuery", m{"identifier": arn, "queryLanguage": "CWLI", "queryString": "stats count(*)",
		"logGroupIdentifiers": []string{"g"}, "scheduleExpression": "rate(1 hour)", "executionRoleArn": sqRole, "state": sqDisabled}).body
	if u["name"] != "errors/daily" || u["description"] != nil || u["destinationConfiguration"] != nil || u["state"] != sqDisabled ||
		u["scheduleExpression"] != "rate(1 hour)" || num(t, u["lastUpdatedTime"]) != nowMs()+60000 || num(t, u["creationTime"]) != nowMs() {
		t.Errorf("UpdateScheduledQuery = %v", u)
	}
	if g := mustOK(t, s, "GetScheduledQuery", m{"identifier": "errors/daily"}).body; g["queryString"] != "stats count(*)" || g["timezone"] != nil {
		t.Errorf("after update: %v", g)
	}
	if r := call(t, s, "UpdateScheduledQuery", sqInput("", "g", m{"name": nil, "identifier": "nope"})); r.errType() != codeResourceNotFound {
		t.Errorf("update unknown: %s", r.raw)
	}
	// Delete: gone, with its tags.
	mustOK(t, s, "DeleteScheduledQuery", m{"identifier": arn})
	if r := call(t, s, "GetScheduledQuery", m{"identifier": arn}); r.errType() != codeResourceNotFound {
		t.Errorf("after delete: %s", r.raw)
	}
	if r := call(t, s, "ListTagsForResource", m{"resourceArn": arn}); r.errType() != codeResourceNotFound {
		t.Errorf("tags after delete: %s", r.raw)
	}
	if r := call(t, s, "DeleteScheduledQuery", m{"identifier": arn}); r.errType() != codeResourceNotFound {
		t.Errorf("delete again: %s", r.raw)
	}
}

// TestScheduledQueryRuns runs a query on its schedule over ingested events: each run
// queries its window and writes the rows to the bucket; a disabled query never runs.
func TestScheduledQueryRuns(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, dir := newSQServer(t, clk, Config{})
	t0 := nowMs()
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{
		{"timestamp": t0 - 700_000, "message": "keep too old"}, // before the first window
		{"timestamp": t0 - 200_000, "message": "keep 1"},
		{"timestamp": t0 - 100_000, "message": "drop 1"},
		{"timestamp": t0 + 100_000, "message": "keep 2"},
	}})
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/out", "roleArn": sqRole}}
	arn := mustOK(t, s, "CreateScheduledQuery", sqInput("q", "g", m{"startTimeOffset": 600, "destinationConfiguration": dest,
		"queryString": "filter @message like /keep/ | fields @message | sort @timestamp asc"})).body["scheduledQueryArn"].(string)
	mustOK(t, s, "CreateScheduledQuery", sqInput("off", "g", m{"state": sqDisabled, "destinationConfiguration": dest}))

	clk.advance(s, 4*time.Minute) // not yet due
	clk.advance(s, time.Minute)   // t0 + 5 min: the first trigger
	h := waitRuns(t, s, "q", 1)
	rec := h[0]
	if len(h) != 1 || rec["executionStatus"] != sqComplete || num(t, rec["triggeredTimestamp"]) != t0+300_000 || rec["queryId"] == "" {
		t.Fatalf("history = %v", h)
	}
	obj := readResults(t, dir, rec)
	id := arn[strings.LastIndex(arn, ":")+1:]
	if want := "s3://" + testBucket + "/out/" + id + "/" + rec["queryId"].(string) + ".json"; list(rec["destinations"])[0].(map[string]any)["processedIdentifier"] != want {
		t.Errorf("processedIdentifier = %v, want %s", rec["destinations"], want)
	}
	if got := strings.Join(resultMessages(obj), "|"); got != "keep 1|keep 2" {
		t.Errorf("first run's rows = %q, want keep 1|keep 2 (window [t0-5m, t0+5m))", got)
	}
	if num(t, obj["startTime"]) != t0-300_000 || num(t, obj["endTime"]) != t0+300_000 || obj["scheduledQueryArn"] != arn {
		t.Errorf("results object = %v", obj)
	}
	g := mustOK(t, s, "GetScheduledQuery", m{"identifier": "q"}).body
	if num(t, g["lastTriggeredTime"]) != t0+300_000 || g["lastExecutionStatus"] != sqComplete {
		t.Errorf("after the run: %v", g)
	}

	// Two more periods: two more runs. The windows (10 minutes) overlap: the second,
	// [t0, t0+10m), sees "keep 2" again.
	clk.advance(s, 5*time.Minute)
	waitRuns(t, s, "q", 2)
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": t0 + 660_000, "message": "keep 3"}}})
	clk.advance(s, 5*time.Minute)
	h = waitRuns(t, s, "q", 3)
	if got := strings.Join(resultMessages(readResults(t, dir, h[0])), "|"); got != "keep 3" { // newest first
		t.Errorf("third run's rows = %q", got)
	}
	if got := strings.Join(resultMessages(readResults(t, dir, h[1])), "|"); got != "keep 2" {
		t.Errorf("second run's rows = %q, want keep 2", got)
	}
	if h := history(t, s, "off"); len(h) != 0 {
		t.Errorf("the disabled query ran: %v", h)
	}

	// History paging, time range and status filter.
	items, pages := pageItems(t, s, "GetScheduledQueryHistory", m{"identifier": arn, "startTime": 0, "endTime": t0 + 3_600_000, "maxResults": 1},
		"triggerHistory", 10)
	if len(items) != 3 || pages != 3 || num(t, items[0]["triggeredTimestamp"]) != t0+900_000 || num(t, items[2]["triggeredTimestamp"]) != t0+300_000 {
		t.Errorf("paged history: %v in %d pages", items, pages)
	}
	items, _ = pageItems(t, s, "GetScheduledQueryHistory", m{"identifier": "q", "startTime": t0 + 600_000, "endTime": t0 + 600_000}, "triggerHistory", 10)
	if len(items) != 1 || num(t, items[0]["triggeredTimestamp"]) != t0+600_000 {
		t.Errorf("history of one instant: %v", items)
	}
	items, _ = pageItems(t, s, "GetScheduledQueryHistory", m{"identifier": "q", "startTime": 0, "endTime": t0 + 3_600_000,
		"executionStatuses": []string{sqFailed, sqTimeout}}, "triggerHistory", 10)
	if len(items) != 0 {
		t.Errorf("Failed runs: %v", items)
	}
	if r := call(t, s, "GetScheduledQueryHistory", m{"identifier": "q", "startTime": 0, "endTime": 1, "nextToken": encodeScopedToken("SH", "other", "5")}); r.errType() != codeValidation {
		t.Errorf("foreign token: %s", r.raw)
	}
}

// TestScheduledQueryDelivery covers a missing bucket (CLIENT_ERROR), a cron schedule in a
// time zone with the default window (since the previous run) and scheduleEndTime.
func TestScheduledQueryDelivery(t *testing.T) {
	clk := &sqClock{t: time.Date(2025, 6, 1, 6, 58, 0, 0, time.UTC)}
	s, dir := newSQServer(t, clk, Config{})
	t0 := clk.Now().UnixMilli()
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{
		{"timestamp": t0 - 60_000, "message": "before creation"}, {"timestamp": t0 + 60_000, "message": "after creation"}}})
	// 9:00 in Paris is 7:00 UTC in June; the schedule ends before the next day's run.
	mustOK(t, s, "CreateScheduledQuery", sqInput("paris", "g", m{"scheduleExpression": "cron(0 9 * * ? *)", "timezone": "Europe/Paris",
		"scheduleEndTime":          t0 + 3_600_000,
		"destinationConfiguration": m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket, "roleArn": sqRole}}}))
	mustOK(t, s, "CreateScheduledQuery", sqInput("nobucket", "g", m{"scheduleExpression": "rate(2 minutes)",
		"destinationConfiguration": m{"s3Configuration": m{"destinationIdentifier": "s3://missing-bucket/x", "roleArn": sqRole}}}))
	clk.advance(s, 2*time.Minute)
	h := waitRuns(t, s, "paris", 1)
	if num(t, h[0]["triggeredTimestamp"]) != time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC).UnixMilli() {
		t.Errorf("paris triggered at %v", h[0]["triggeredTimestamp"])
	}
	if got := strings.Join(resultMessages(readResults(t, dir, h[0])), "|"); got != "after creation" {
		t.Errorf("default window rows = %q, want those since the creation", got)
	}
	if g := mustOK(t, s, "GetScheduledQuery", m{"identifier": "paris"}).body; g["lastExecutionStatus"] != sqComplete {
		t.Errorf("paris: %v", g)
	}
	h = waitRuns(t, s, "nobucket", 1)
	d := list(h[0]["destinations"])[0].(map[string]any)
	if h[0]["executionStatus"] != sqComplete || d["status"] != sqDestClientError || d["errorMessage"] != msgNoSuchBucket || d["processedIdentifier"] != nil {
		t.Errorf("missing bucket: %v", h[0])
	}
	// A day on: past scheduleEndTime, paris does not run again.
	clk.advance(s, 24*time.Hour)
	waitRuns(t, s, "nobucket", 2)
	if h := history(t, s, "paris"); len(h) != 1 {
		t.Errorf("paris ran after its end: %v", h)
	}
}

// TestScheduledQueryWhileRunning updates and deletes queries while they run.
func TestScheduledQueryWhileRunning(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, dir := newSQServer(t, clk, Config{})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(nowMs()-1000, nowMs()-500)})
	started := make(chan string, 4)
	release := make(chan struct{})
	s.sched.mu.Lock()
	s.sched.beforeRun = func(ctx context.Context, queryID, runID string) {
		started <- runID
		select {
		case <-release:
		case <-ctx.Done():
		}
	}
	s.sched.mu.Unlock()
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket, "roleArn": sqRole}}
	mustOK(t, s, "CreateScheduledQuery", sqInput("upd", "g", m{"startTimeOffset": 3600, "destinationConfiguration": dest,
		"queryString": "fields @message | sort @timestamp asc"}))
	clk.advance(s, 5*time.Minute)
	<-started
	if h := history(t, s, "upd"); len(h) != 1 || h[0]["executionStatus"] != sqRunning {
		t.Fatalf("while running: %v", h)
	}
	if g := mustOK(t, s, "GetScheduledQuery", m{"identifier": "upd"}).body; g["lastExecutionStatus"] != sqRunning {
		t.Errorf("lastExecutionStatus while running: %v", g["lastExecutionStatus"])
	}
	// The update does not change the run in flight; the next run uses it.
	mustOK(t, s, "UpdateScheduledQuery", m{"identifier": "upd", "queryLanguage": "CWLI", "queryString": "stats count(*) as n",
		"logGroupIdentifiers": []string{"g"}, "scheduleExpression": "rate(5 minutes)", "executionRoleArn": sqRole,
		"startTimeOffset": 3600, "destinationConfiguration": dest})
	release <- struct{}{}
	h := waitRuns(t, s, "upd", 1)
	if got := resultMessages(readResults(t, dir, h[0])); strings.Join(got, "|") != "event 0|event 1" {
		t.Errorf("the run in flight's rows = %q", got)
	}
	clk.advance(s, 5*time.Minute)
	<-started
	release <- struct{}{}
	h = waitRuns(t, s, "upd", 2)
	if rows := list(readResults(t, dir, h[0])["results"]); len(rows) != 1 || rows[0].(map[string]any)["n"] != "2" {
		t.Errorf("the updated query's rows = %v", rows)
	}

	// Delete while running: the run stops, nothing is delivered, the history goes.
	mustOK(t, s, "DeleteScheduledQuery", m{"identifier": "upd"})
	mustOK(t, s, "CreateScheduledQuery", sqInput("del", "g", m{"destinationConfiguration": dest}))
	clk.advance(s, 5*time.Minute)
	<-started
	before, _ := os.ReadDir(filepath.Join(dir, testBucket))
	mustOK(t, s, "DeleteScheduledQuery", m{"identifier": "del"})
	after, _ := os.ReadDir(filepath.Join(dir, testBucket))
	if len(after) != len(before) {
		t.Errorf("the deleted query delivered: %d entries, then %d", len(before), len(after))
	}
	s.sched.mu.Lock()
	inFlight := len(s.sched.runs)
	s.sched.mu.Unlock()
	if inFlight != 0 {
		t.Errorf("%d runs still in flight after DeleteScheduledQuery", inFlight)
	}
	var n int
	if err := s.st.r.QueryRow(`SELECT count(*) FROM scheduled_query_history`).Scan(&n); err != nil || n != 0 {
		t.Errorf("history rows left: %d, %v", n, err)
	}
}

// TestScheduledQueryRestart: queries survive a restart; a run that Shutdown interrupts
// ends Failed; a run a killed server left Running is Failed at the next start, and the
// schedule goes on.
func TestScheduledQueryRestart(t *testing.T) {
	clk := &sqClock{t: testNow}
	dataDir, exportDir := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(exportDir, testBucket), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DataDir: dataDir, ExportDir: exportDir, Now: clk.Now}
	s1, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	setupStream(t, s1, "g", "s")
	arn := mustOK(t, s1, "CreateScheduledQuery", sqInput("q", "g", m{"tags": m{"k": "v"}})).body["scheduledQueryArn"].(string)
	started := make(chan struct{}, 1)
	s1.sched.mu.Lock()
	s1.sched.beforeRun = func(ctx context.Context, _, _ string) {
		started <- struct{}{}
		<-ctx.Done()
	}
	s1.sched.mu.Unlock()
	clk.advance(s1, 5*time.Minute)
	<-started
	if err := s1.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	s2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Shutdown(context.Background()) })
	h := history(t, s2, "q")
	if len(h) != 1 || h[0]["executionStatus"] != sqFailed || h[0]["errorMessage"] != msgSQShutdown {
		t.Fatalf("after Shutdown during a run: %v", h)
	}
	if g := mustOK(t, s2, "GetScheduledQuery", m{"identifier": arn}).body; g["name"] != "q" || g["lastExecutionStatus"] != sqFailed {
		t.Errorf("after restart: %v", g)
	}
	if tags := mustOK(t, s2, "ListTagsForResource", m{"resourceArn": arn}).body["tags"].(map[string]any); tags["k"] != "v" {
		t.Errorf("tags after restart: %v", tags)
	}
	// A run left Running (as by a killed server) is Failed at the next start.
	if aerr := s2.write(func(tx *sql.Tx) *apiError {
		if _, err := tx.Exec(`UPDATE scheduled_query_history SET status = 'Running', error_message = NULL`); err != nil {
			return s2.dbErr(err)
		}
		return nil
	}); aerr != nil {
		t.Fatal(aerr)
	}
	if err := s2.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s3, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s3.Shutdown(context.Background()) })
	if h := history(t, s3, "q"); len(h) != 1 || h[0]["executionStatus"] != sqFailed || h[0]["errorMessage"] != msgSQInterrupted {
		t.Errorf("a run left Running: %v", h)
	}
	clk.advance(s3, 5*time.Minute)
	if h := waitRuns(t, s3, "q", 2); h[0]["executionStatus"] != sqComplete {
		t.Errorf("the schedule after restarts: %v", h)
	}
}

// TestScheduledQueryFailures: a run past Config.QueryTimeout ends Timeout and delivers
// nothing; a run whose log group was deleted ends Failed, saying why.
func TestScheduledQueryFailures(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, dir := newSQServer(t, clk, Config{QueryTimeout: time.Nanosecond})
	setupStream(t, s, "gone", "s")
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/t", "roleArn": sqRole}}
	mustOK(t, s, "CreateScheduledQuery", sqInput("slow", "g", m{"destinationConfiguration": dest}))
	mustOK(t, s, "CreateScheduledQuery", sqInput("orphan", "gone", nil))
	mustOK(t, s, "DeleteLogGroup", m{"logGroupName": "gone"})
	clk.advance(s, 5*time.Minute)
	h := waitRuns(t, s, "slow", 1)
	if h[0]["executionStatus"] != sqTimeout || h[0]["destinations"] != nil {
		t.Errorf("timed out run: %v", h[0])
	}
	if _, err := os.Stat(filepath.Join(dir, testBucket, "t")); !os.IsNotExist(err) {
		t.Errorf("a timed out run delivered: %v", err)
	}
	h = waitRuns(t, s, "orphan", 1)
	if msg, _ := h[0]["errorMessage"].(string); h[0]["executionStatus"] != sqFailed || !strings.Contains(msg, msgGroupNotFound) {
		t.Errorf("run of a deleted group: %v", h[0])
	}
	if g := mustOK(t, s, "GetScheduledQuery", m{"identifier": "orphan"}).body; g["lastExecutionStatus"] != sqFailed {
		t.Errorf("orphan: %v", g)
	}
}

// FuzzCreateScheduledQuery feeds CreateScheduledQuery arbitrary schedules, time zones,
// offsets, destinations and roles: the answer is 200 or a 4xx refusal, never a failure,
// and what is accepted reads back as it was given.
func FuzzCreateScheduledQuery(f *testing.F) {
	f.Add("cron(0 9 * * ? *)", "Europe/Paris", int64(300), "s3://"+testBucket+"/p", sqRole)
	f.Add("rate(1 minute)", "UTC", int64(0), "s3://a-b.c/x/y/", "arn:aws-cn:iam::123456789012:role/a/b")
	f.Add("cron(0 0 ? * MON#1 2030)", "", int64(-1), "s3://ab", "arn:aws:iam::123:role/x")
	f.Add("rate(5 minutes)", "Local", int64(1)<<62, "s3://bucket/../x", "arn:aws:iam::123456789012:role/")
	clk := &sqClock{t: testNow}
	s, _ := newExportServer(f, Config{Now: clk.Now})
	setupStream(f, s, "g", "s")
	f.Fuzz(func(t *testing.T, expr, tz string, offset int64, uri, role string) {
		in := sqInput("fz", "g", m{"scheduleExpression": expr, "startTimeOffset": offset, "executionRoleArn": role,
			"destinationConfiguration": m{"s3Configuration": m{"destinationIdentifier": uri, "roleArn": sqRole}}})
		if tz != "" {
			in["timezone"] = tz
		}
		r := call(t, s, "CreateScheduledQuery", in)
		if r.status != 200 {
			if r.status != 400 || r.message() == "" {
				t.Fatalf("CreateScheduledQuery: %d %s", r.status, r.raw)
			}
			return
		}
		g := mustOK(t, s, "GetScheduledQuery", m{"identifier": "fz"}).body
		if g["scheduleExpression"] != expr || num(t, g["startTimeOffset"]) != offset || g["executionRoleArn"] != role {
			t.Fatalf("read back %v", g)
		}
		mustOK(t, s, "DeleteScheduledQuery", m{"identifier": "fz"})
	})
}
