package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/localserver"
)

// TestAWSCLIScheduledQueries runs the scheduled query operations through AWS CLI v1
// (botocore's current model) against a local server: create-scheduled-query with every
// option, get-, list- and update-scheduled-query, the ConflictException of a name used
// twice and the ResourceNotFoundException of an unknown one, a run (the
// server's clock moved on past the first trigger) read back with
// get-scheduled-query-history and from the bucket directory, and delete-scheduled-query.
func TestAWSCLIScheduledQueries(t *testing.T) {
	t.Parallel()
	cli := findCLI(t, 1)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, diffExportBucket), 0o755); err != nil {
		t.Fatal(err)
	}
	var skew atomic.Int64 // how far the server's clock is ahead, in ns
	srv, err := localserver.New(localserver.Config{
		Memory: true, Credentials: map[string]string{testAccessKeyID: testSecretAccessKey},
		Region: testRegion, AccountID: testAccountID, ExportDir: dir,
		Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		srv.Shutdown(context.Background())
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	c := newClient(t, srv.URL())
	now := time.Now().UnixMilli()
	for _, st := range []struct{ op, body string }{
		{"CreateLogGroup", `{"logGroupName":"/cli/sq"}`},
		{"CreateLogStream", `{"logGroupName":"/cli/sq","logStreamName":"s"}`},
		{"PutLogEvents", fmt.Sprintf(`{"logGroupName":"/cli/sq","logStreamName":"s","logEvents":[{"timestamp":%d,"message":"ERROR one"},{"timestamp":%d,"message":"INFO two"}]}`,
			now-2000, now-1000)},
	} {
		if _, err := c.Invoke(context.Background(), st.op, []byte(st.body)); err != nil {
			t.Fatalf("%s: %v", st.op, err)
		}
	}

	const role = "arn:aws:iam::" + testAccountID + ":role/sq"
	dest := `{"s3Configuration":{"destinationIdentifier":"s3://` + diffExportBucket + `/sq","roleArn":"` + role + `"}}`
	var created struct {
		ScheduledQueryArn string `json:"scheduledQueryArn"`
		State             string `json:"state"`
	}
	cli.ok(t, &created, "create-scheduled-query", "--name", "cli-errors", "--description", "errors",
		"--query-language", "CWLI", "--query-string", "filter @message like /ERROR/ | fields @message",
		"--log-group-identifiers", "/cli/sq", "--schedule-expression", "rate(1 minute)", "--timezone", "UTC",
		"--start-time-offset", "300", "--destination-configuration", dest, "--execution-role-arn", role,
		"--state", "ENABLED", "--tags", "team=a")
	arnPrefix := "arn:aws:logs:" + testRegion + ":" + testAccountID + ":scheduled-query:"
	if !strings.HasPrefix(created.ScheduledQueryArn, arnPrefix) || created.State != "ENABLED" {
		t.Fatalf("create-scheduled-query: %+v", created)
	}
	cli.fail(t, "ConflictException", "CreateScheduledQuery", "A scheduled query named cli-errors already exists.",
		"create-scheduled-query", "--name", "cli-errors", "--query-language", "CWLI", "--query-string", "fields @message",
		"--log-group-identifiers", "/cli/sq", "--schedule-expression", "rate(1 minute)", "--execution-role-arn", role)
	cli.fail(t, "ResourceNotFoundException", "GetScheduledQuery", "The specified scheduled query does not exist.",
		"get-scheduled-query", "--identifier", "nope")

	type sq struct {
		ScheduledQueryArn   string   `json:"scheduledQueryArn"`
		Name                string   `json:"name"`
		Description         string   `json:"description"`
		QueryLanguage       string   `json:"queryLanguage"`
		LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
		ScheduleExpression  string   `json:"scheduleExpression"`
		StartTimeOffset     int64    `json:"startTimeOffset"`
		State               string   `json:"state"`
		LastExecutionStatus string   `json:"lastExecutionStatus"`
		ExecutionRoleArn    string   `json:"executionRoleArn"`
		CreationTime        int64    `json:"creationTime"`
	}
	var got sq
	cli.ok(t, &got, "get-scheduled-query", "--identifier", created.ScheduledQueryArn)
	if got.Name != "cli-errors" || got.Description != "errors" || got.QueryLanguage != "CWLI" || len(got.LogGroupIdentifiers) != 1 ||
		got.ScheduleExpression != "rate(1 minute)" || got.StartTimeOffset != 300 || got.State != "ENABLED" || got.ExecutionRoleArn != role ||
		got.CreationTime <= 0 {
		t.Errorf("get-scheduled-query: %+v", got)
	}
	// The first trigger is a minute after the creation: move the server's clock on, wake
	// its runner with another query's creation (through the Go client: CLI invocations
	// are slow) and wait for the run to end.
	skew.Store(int64(61 * time.Second))
	if _, err := c.Invoke(context.Background(), "CreateScheduledQuery", []byte(`{"name":"off","queryLanguage":"CWLI",
		"queryString":"fields @message","logGroupIdentifiers":["/cli/sq"],"scheduleExpression":"cron(0 0 1 1 ? *)",
		"executionRoleArn":"`+role+`","state":"DISABLED"}`)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; {
		out, err := c.Invoke(context.Background(), "GetScheduledQueryHistory", []byte(`{"identifier":"cli-errors","startTime":0,
			"endTime":`+ms(time.Now().Add(time.Hour).UnixMilli())+`,"executionStatuses":["Complete","Failed","Timeout"]}`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out.Body), `"queryId"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	type history struct {
		Name           string `json:"name"`
		TriggerHistory []struct {
			QueryID            string `json:"queryId"`
			ExecutionStatus    string `json:"executionStatus"`
			TriggeredTimestamp int64  `json:"triggeredTimestamp"`
			Destinations       []struct {
				DestinationType     string `json:"destinationType"`
				Status              string `json:"status"`
				ProcessedIdentifier string `json:"processedIdentifier"`
			} `json:"destinations"`
		} `json:"triggerHistory"`
	}
	var h history
	cli.ok(t, &h, "get-scheduled-query-history", "--identifier", "cli-errors", "--start-time", "0",
		"--end-time", ms(time.Now().Add(time.Hour).UnixMilli()), "--execution-statuses", "Complete", "Failed", "Timeout")
	if len(h.TriggerHistory) != 1 || h.Name != "cli-errors" {
		t.Fatalf("get-scheduled-query-history: %+v", h)
	}
	run := h.TriggerHistory[0]
	if run.ExecutionStatus != "Complete" || len(run.Destinations) != 1 || run.Destinations[0].Status != "COMPLETE" ||
		run.Destinations[0].DestinationType != "S3" || !strings.HasPrefix(run.Destinations[0].ProcessedIdentifier, "s3://"+diffExportBucket+"/sq/") {
		t.Fatalf("the run: %+v", run)
	}
	obj, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(run.Destinations[0].ProcessedIdentifier, "s3://"))))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(obj), `"results":[{"@message":"ERROR one"}]`) {
		t.Errorf("results object: %s", obj)
	}

	var list struct {
		ScheduledQueries []struct {
			Name                string `json:"name"`
			State               string `json:"state"`
			LastExecutionStatus string `json:"lastExecutionStatus"`
		} `json:"scheduledQueries"`
	}
	cli.ok(t, &list, "list-scheduled-queries", "--state", "ENABLED")
	if len(list.ScheduledQueries) != 1 || list.ScheduledQueries[0].Name != "cli-errors" || list.ScheduledQueries[0].LastExecutionStatus != "Complete" {
		t.Errorf("list-scheduled-queries --state ENABLED: %+v", list)
	}
	got = sq{}
	cli.ok(t, &got, "update-scheduled-query", "--identifier", "cli-errors", "--query-language", "CWLI", "--query-string", "fields @message",
		"--log-group-identifiers", "/cli/sq", "--schedule-expression", "rate(1 hour)", "--execution-role-arn", role, "--state", "DISABLED")
	if got.State != "DISABLED" || got.Description != "" || got.ScheduleExpression != "rate(1 hour)" || got.LastExecutionStatus != "Complete" {
		t.Errorf("update-scheduled-query: %+v", got)
	}
	cli.ok(t, nil, "delete-scheduled-query", "--identifier", "cli-errors")
	cli.fail(t, "ResourceNotFoundException", "GetScheduledQueryHistory", "The specified scheduled query does not exist.",
		"get-scheduled-query-history", "--identifier", "cli-errors", "--start-time", "0", "--end-time", "1")
}
