package localserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/sigv4"
)

// TestScheduledQueryLookup: a scheduled query's run binds its lookup tables as StartQuery
// does, as they are when the run starts; a run whose table is gone fails and says so.
func TestScheduledQueryLookup(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, dir := newSQServer(t, clk, Config{})
	t0 := nowMs()
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{
		{"timestamp": t0 - 60_000, "message": `{"uid":"u1"}`},
	}})
	mustOK(t, s, "CreateLookupTable", m{"lookupTableName": "users", "tableBody": "id,team\nu1,eng\n"})
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/out", "roleArn": sqRole}}
	mustOK(t, s, "CreateScheduledQuery", sqInput("q", "g", m{"startTimeOffset": 600, "destinationConfiguration": dest,
		"queryString": "lookup users id as uid OUTPUT team | fields uid, team"}))

	clk.advance(s, 5*time.Minute)
	h := waitRuns(t, s, "q", 1)
	if h[0]["executionStatus"] != sqComplete {
		t.Fatalf("run: %v", h[0])
	}
	rows := list(readResults(t, dir, h[0])["results"])
	if len(rows) != 1 || rows[0].(map[string]any)["team"] != "eng" {
		t.Errorf("rows = %v, want one with team=eng", rows)
	}

	mustOK(t, s, "DeleteLookupTable", m{"lookupTableArn": ltArn("users")})
	clk.advance(s, 5*time.Minute)
	h = waitRuns(t, s, "q", 2)
	if h[0]["executionStatus"] != sqFailed || h[0]["errorMessage"] != "Lookup table users does not exist." {
		t.Errorf("run without its table: %v", h[0])
	}
}

// TestScheduledQueryGroups: a scheduled query's run reads its log groups as StartQuery
// does: a group named twice (by name and by ARN) is read once, and unmask over a group of
// the INFREQUENT_ACCESS class fails the run rather than write clear text to the bucket.
func TestScheduledQueryGroups(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, dir := newSQServer(t, clk, Config{})
	t0 := nowMs()
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": t0 - 60_000, "message": "one"}}})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"})
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/out", "roleArn": sqRole}}
	mustOK(t, s, "CreateScheduledQuery", sqInput("twice", "g", m{"startTimeOffset": 600, "destinationConfiguration": dest,
		"logGroupIdentifiers": []string{"g", testGroupArn + "g"}, "queryString": "stats count(*) as n"}))
	mustOK(t, s, "CreateScheduledQuery", sqInput("unmask-ia", "ia", m{"startTimeOffset": 600, "destinationConfiguration": dest,
		"queryString": "fields unmask(@message)"}))

	clk.advance(s, 5*time.Minute)
	h := waitRuns(t, s, "twice", 1)
	rows := list(readResults(t, dir, h[0])["results"])
	if len(rows) != 1 || rows[0].(map[string]any)["n"] != "1" {
		t.Errorf("count over a group named twice: %v, want n=1", rows)
	}
	h = waitRuns(t, s, "unmask-ia", 1)
	if h[0]["executionStatus"] != sqFailed || !strings.Contains(h[0]["errorMessage"].(string), "INFREQUENT_ACCESS") {
		t.Errorf("unmask over an Infrequent Access group: %v", h[0])
	}
}

// TestScheduledQueryEndTimeOffset: endTimeOffset (sent by aws-sdk-go-v2, newer than the
// botocore model) ends a run's window that many seconds before its trigger, is answered
// by GetScheduledQuery, and must be less than startTimeOffset.
func TestScheduledQueryEndTimeOffset(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, dir := newSQServer(t, clk, Config{})
	t0 := nowMs()
	trigger := t0 + 300_000 // the first trigger of rate(5 minutes)
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{
		{"timestamp": trigger - 700_000, "message": "before the window"},
		{"timestamp": trigger - 300_000, "message": "in the window"},
		{"timestamp": trigger - 60_000, "message": "after the window's end"},
	}})
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/out", "roleArn": sqRole}}
	for _, c := range []struct {
		name string
		in   m
		msg  string
	}{
		{"negative", m{"endTimeOffset": -1}, "Invalid endTimeOffset -1"},
		{"not before the start", m{"startTimeOffset": 600, "endTimeOffset": 600}, "must be less than startTimeOffset (600)"},
	} {
		checkAnswer(t, call(t, s, "CreateScheduledQuery", sqInput("bad", "g", c.in)), codeValidation, "~"+c.msg)
	}
	mustOK(t, s, "CreateScheduledQuery", sqInput("q", "g", m{"startTimeOffset": 600, "endTimeOffset": 120,
		"destinationConfiguration": dest, "queryString": "fields @message"}))
	if g := mustOK(t, s, "GetScheduledQuery", m{"identifier": "q"}).body; num(t, g["endTimeOffset"]) != 120 {
		t.Errorf("GetScheduledQuery: %v", g)
	}
	clk.advance(s, 5*time.Minute)
	h := waitRuns(t, s, "q", 1)
	obj := readResults(t, dir, h[0])
	if got := strings.Join(resultMessages(obj), "|"); got != "in the window" {
		t.Errorf("rows = %q, want the one event of [T-600s, T-120s)", got)
	}
	if num(t, obj["startTime"]) != trigger-600_000 || num(t, obj["endTime"]) != trigger-120_000 || num(t, obj["triggeredTimestamp"]) != trigger {
		t.Errorf("results window: %v – %v, triggered %v", obj["startTime"], obj["endTime"], obj["triggeredTimestamp"])
	}
}

// TestScheduledQueryResultsRegion: on a server that serves every region, a run's results
// object names the query by the ARN CreateScheduledQuery answered, in the region of the
// request that created it.
func TestScheduledQueryResultsRegion(t *testing.T) {
	clk := &sqClock{t: testNow}
	s, dir := newSQServer(t, clk, Config{})
	dest := m{"s3Configuration": m{"destinationIdentifier": "s3://" + testBucket + "/out", "roleArn": sqRole}}
	body, err := json.Marshal(sqInput("q", "g", m{"destinationConfiguration": dest, "queryString": "fields @message"}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := http.NewRequest(http.MethodPost, "http://logs.local/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", contentTypeJSON)
	r.Header.Set("X-Amz-Target", targetPrefix+"CreateScheduledQuery")
	if err := testSigner.SignHTTP(r, testCreds, sigv4.HashHex(body), "logs", "eu-west-1", clk.Now()); err != nil {
		t.Fatal(err)
	}
	created := do(t, s, r)
	arn, _ := created.body["scheduledQueryArn"].(string)
	if !strings.HasPrefix(arn, "arn:aws:logs:eu-west-1:") {
		t.Fatalf("CreateScheduledQuery in eu-west-1: %d %s", created.status, created.raw)
	}
	clk.advance(s, 5*time.Minute)
	h := waitRuns(t, s, "q", 1)
	if got := readResults(t, dir, h[0])["scheduledQueryArn"]; got != arn {
		t.Errorf("results object's scheduledQueryArn = %v, want %s", got, arn)
	}
}
