package localserver

import (
	"testing"
	"time"
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
