package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// Logs Insights against moto: moto's query engine understands only fields, sort and limit
// (moto/logs/logs_query), so the differential runs queries of that subset and compares
// what both can answer alike: the status, the number of rows, the order of the events,
// and the @message and @logStream values. moto sorts by @timestamp whatever the sort key,
// descending unless asc, like the service's default; it shows @timestamp as epoch
// milliseconds where the service shows "2006-01-02 15:04:05.000", and @log as the bare
// group name where the service shows "accountId:name" (the user guide's discovered-fields
// page), so @timestamp is compared as the same instant and @log not at all. moto lists
// @ptr first in a row and sends no statistics; neither is compared.

// insightsRow is one result row by field name.
type insightsRow map[string]string

func insightsRun(t *testing.T, c *cwlogs.Client, in map[string]any) (status string, rows []insightsRow, raw string) {
	t.Helper()
	ctx := context.Background()
	body, _ := json.Marshal(in)
	resp, err := c.Invoke(ctx, "StartQuery", body)
	if err != nil {
		t.Fatalf("StartQuery: %v", err)
	}
	var start struct{ QueryID string }
	if err := json.Unmarshal(resp.Body, &start); err != nil || start.QueryID == "" {
		t.Fatalf("StartQuery answered %s", resp.Body)
	}
	req, _ := json.Marshal(map[string]any{"queryId": start.QueryID})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		resp, err := c.Invoke(ctx, "GetQueryResults", req)
		if err != nil {
			t.Fatalf("GetQueryResults: %v", err)
		}
		var out struct {
			Status  string
			Results [][]struct{ Field, Value string }
		}
		if err := json.Unmarshal(resp.Body, &out); err != nil {
			t.Fatalf("GetQueryResults answered %s", resp.Body)
		}
		if out.Status != "Running" && out.Status != "Scheduled" {
			for _, r := range out.Results {
				row := insightsRow{}
				for _, f := range r {
					row[f.Field] = f.Value
				}
				rows = append(rows, row)
			}
			return out.Status, rows, string(resp.Body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("query still running: %s", resp.Body)
		}
	}
}

func TestMotoDifferentialInsights(t *testing.T) {
	moto := testpeer.Moto(t)
	ours := startServer(t).URL()
	now := time.Now()
	base := now.Add(-10 * time.Minute).Truncate(time.Second)
	const group = "/diff/insights"
	setup := []struct {
		op   string
		body map[string]any
	}{
		{"CreateLogGroup", map[string]any{"logGroupName": group}},
		{"CreateLogStream", map[string]any{"logGroupName": group, "logStreamName": "a"}},
		{"CreateLogStream", map[string]any{"logGroupName": group, "logStreamName": "b"}},
		{"PutLogEvents", map[string]any{"logGroupName": group, "logStreamName": "a", "logEvents": []any{
			map[string]any{"timestamp": base.UnixMilli(), "message": "first"},
			map[string]any{"timestamp": base.Add(2 * time.Second).UnixMilli(), "message": "third"},
			map[string]any{"timestamp": base.Add(4 * time.Second).UnixMilli(), "message": "fifth"},
		}}},
		{"PutLogEvents", map[string]any{"logGroupName": group, "logStreamName": "b", "logEvents": []any{
			map[string]any{"timestamp": base.Add(1 * time.Second).UnixMilli(), "message": "second"},
			map[string]any{"timestamp": base.Add(3 * time.Second).UnixMilli(), "message": `{"level":"info"}`},
		}}},
	}
	clients := map[string]*cwlogs.Client{"moto": newClient(t, moto), "ours": newClient(t, ours)}
	for side, c := range clients {
		for _, st := range setup {
			body, _ := json.Marshal(st.body)
			if _, err := c.Invoke(context.Background(), st.op, body); err != nil {
				var ae *cwlogs.APIError
				errors.As(err, &ae)
				t.Fatalf("%s %s: %v", side, st.op, err)
			}
		}
	}

	for _, c := range []struct {
		query    string
		messages []string // expected, in order, on both sides
	}{
		{"fields @timestamp, @message | sort @timestamp desc | limit 3", []string{"fifth", `{"level":"info"}`, "third"}},
		{"fields @timestamp, @message | sort @timestamp asc", []string{"first", "second", "third", `{"level":"info"}`, "fifth"}},
		{"fields @message, @logStream | sort @timestamp desc", []string{"fifth", `{"level":"info"}`, "third", "second", "first"}},
		{"fields @message | limit 2", []string{"fifth", `{"level":"info"}`}},
	} {
		t.Run(c.query, func(t *testing.T) {
			in := map[string]any{"logGroupName": group, "startTime": base.Unix() - 60, "endTime": now.Unix() + 60, "queryString": c.query}
			got := map[string][]insightsRow{}
			for side, cl := range clients {
				status, rows, raw := insightsRun(t, cl, in)
				if testing.Verbose() {
					t.Logf("%s: %s", side, raw)
				}
				if status != "Complete" {
					t.Fatalf("%s: status %s", side, status)
				}
				got[side] = rows
			}
			for side, rows := range got {
				var msgs []string
				for _, r := range rows {
					msgs = append(msgs, r["@message"])
					if r["@ptr"] == "" {
						t.Errorf("%s: a row without @ptr: %v", side, r)
					}
				}
				if strings.Join(msgs, "|") != strings.Join(c.messages, "|") {
					t.Errorf("%s: messages %q, want %q", side, msgs, c.messages)
				}
			}
			if len(got["moto"]) != len(got["ours"]) {
				return
			}
			for i, m := range got["moto"] {
				o := got["ours"][i]
				if m["@logStream"] != o["@logStream"] {
					t.Errorf("row %d: @logStream moto %q, ours %q", i, m["@logStream"], o["@logStream"])
				}
				if ts, ok := o["@timestamp"]; ok {
					// moto: epoch milliseconds; ours: the service's format.
					p, err := time.Parse("2006-01-02 15:04:05.000", ts)
					if err != nil || fmt.Sprint(p.UnixMilli()) != m["@timestamp"] {
						t.Errorf("row %d: @timestamp ours %q, moto %q", i, ts, m["@timestamp"])
					}
				}
			}
		})
	}
}

// TestAWSCLIInsights runs a Logs Insights query through both AWS CLIs against the local
// server: start-query, get-query-results until Complete, get-log-record on the @ptr, and a
// malformed query reported as MalformedQueryException; with v1, list-log-groups-for-query.
func TestAWSCLIInsights(t *testing.T) {
	t.Parallel()
	for _, major := range []int{1, 2} {
		t.Run(fmt.Sprintf("v%d", major), func(t *testing.T) {
			t.Parallel()
			cli := findCLI(t, major)
			srv := startServer(t)
			cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
			base := time.Now().Add(-5 * time.Minute).Truncate(time.Second)
			// Set up through the Go client: CLI invocations are slow (about 2 s each for v1).
			c := newClient(t, srv.URL())
			for _, st := range []struct{ op, body string }{
				{"CreateLogGroup", `{"logGroupName":"/cli/insights"}`},
				{"CreateLogStream", `{"logGroupName":"/cli/insights","logStreamName":"s"}`},
				{"PutLogEvents", fmt.Sprintf(`{"logGroupName":"/cli/insights","logStreamName":"s","logEvents":[{"timestamp":%d,"message":"{\"status\":200}"},{"timestamp":%d,"message":"{\"status\":503}"}]}`,
					base.UnixMilli(), base.Add(time.Second).UnixMilli())},
			} {
				if _, err := c.Invoke(context.Background(), st.op, []byte(st.body)); err != nil {
					t.Fatalf("%s: %v", st.op, err)
				}
			}

			var started struct {
				QueryID string `json:"queryId"`
			}
			cli.ok(t, &started, "start-query", "--log-group-name", "/cli/insights",
				"--start-time", fmt.Sprint(base.Unix()), "--end-time", fmt.Sprint(base.Unix()+60),
				"--query-string", "filter status >= 500 | fields status")
			var res struct {
				Status     string                            `json:"status"`
				Results    [][]struct{ Field, Value string } `json:"results"`
				Statistics map[string]float64                `json:"statistics"`
			}
			for deadline := time.Now().Add(30 * time.Second); ; {
				cli.ok(t, &res, "get-query-results", "--query-id", started.QueryID)
				if res.Status != "Running" || time.Now().After(deadline) {
					break
				}
			}
			if res.Status != "Complete" || len(res.Results) != 1 || res.Statistics["recordsMatched"] != 1 || res.Statistics["recordsScanned"] != 2 {
				t.Fatalf("get-query-results: %+v", res)
			}
			var ptr string
			for _, f := range res.Results[0] {
				switch f.Field {
				case "status":
					if f.Value != "503" {
						t.Errorf("status = %q, want 503", f.Value)
					}
				case "@ptr":
					ptr = f.Value
				}
			}
			var rec struct {
				LogRecord map[string]string `json:"logRecord"`
			}
			cli.ok(t, &rec, "get-log-record", "--log-record-pointer", ptr)
			if rec.LogRecord["@message"] != `{"status":503}` || rec.LogRecord["status"] != "503" {
				t.Errorf("get-log-record: %v", rec.LogRecord)
			}
			if major == 1 { // Debian's AWS CLI v2 (2.9) predates ListLogGroupsForQuery
				var groups struct {
					LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
				}
				cli.ok(t, &groups, "list-log-groups-for-query", "--query-id", started.QueryID)
				if want := "arn:aws:logs:" + testRegion + ":" + testAccountID + ":log-group:/cli/insights"; len(groups.LogGroupIdentifiers) != 1 || groups.LogGroupIdentifiers[0] != want {
					t.Errorf("list-log-groups-for-query: %q, want [%s]", groups.LogGroupIdentifiers, want)
				}
			}
			cli.fail(t, "MalformedQueryException", "StartQuery", "Query is malformed at characters 0-6: unknown or unsupported command \"select\"",
				"start-query", "--log-group-name", "/cli/insights", "--start-time", "0", "--end-time", "1", "--query-string", "select * from x")
		})
	}
}
