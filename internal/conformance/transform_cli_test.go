package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// transformCLIConfig parses JSON events, adds a key and copies the log group name in.
const transformCLIConfig = `[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"env","value":"prod"}]}},` +
	`{"copyValue":{"entries":[{"source":"@logGroupName","target":"group"}]}}]`

// TestAWSCLITransformers drives the log transformer operations through AWS CLI v1 (9
// invocations when the query has ended at the first poll): test-transformer, put-transformer, get-transformer by ARN, a Logs Insights
// query that reads fields only the transformer made, the recorded errors (an unsupported
// processor, a missing group), delete-transformer and get-transformer after it.
func TestAWSCLITransformers(t *testing.T) {
	t.Parallel()
	cli := findCLI(t, 1)
	srv := startServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	ctx := context.Background()
	c := newClient(t, srv.URL())
	const group = "/cli/transform"
	arn := "arn:aws:logs:" + testRegion + ":" + testAccountID + ":log-group:" + group
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: "s"}); err != nil {
		t.Fatal(err)
	}

	var tested struct {
		TransformedLogs []struct {
			EventNumber             int64  `json:"eventNumber"`
			EventMessage            string `json:"eventMessage"`
			TransformedEventMessage string `json:"transformedEventMessage"`
		} `json:"transformedLogs"`
	}
	cli.ok(t, &tested, "test-transformer", "--transformer-config", transformCLIConfig, "--log-event-messages", `{"status":503}`)
	if l := tested.TransformedLogs; len(l) != 1 || l[0].EventNumber != 1 || l[0].EventMessage != `{"status":503}` ||
		l[0].TransformedEventMessage != `{"status":503,"env":"prod","group":""}` {
		t.Errorf("test-transformer: %+v", l)
	}

	cli.ok(t, nil, "put-transformer", "--log-group-identifier", group, "--transformer-config", transformCLIConfig)
	var got struct {
		LogGroupIdentifier string            `json:"logGroupIdentifier"`
		CreationTime       int64             `json:"creationTime"`
		LastModifiedTime   int64             `json:"lastModifiedTime"`
		TransformerConfig  []json.RawMessage `json:"transformerConfig"`
	}
	cli.ok(t, &got, "get-transformer", "--log-group-identifier", arn)
	cfg, _ := json.Marshal(got.TransformerConfig)
	if got.LogGroupIdentifier != arn || got.CreationTime <= 0 || got.LastModifiedTime != got.CreationTime || string(cfg) != transformCLIConfig {
		t.Errorf("get-transformer: %+v (config %s)", got, cfg)
	}

	base := time.Now().Add(-time.Minute).Truncate(time.Second)
	if _, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: "s",
		LogEvents: []cwlogs.InputLogEvent{{Timestamp: base.UnixMilli(), Message: `{"status":503}`}}}); err != nil {
		t.Fatal(err)
	}
	fields := cliQueryOneRow(t, cli, group, base, "filter env = 'prod' | fields status, group")
	if fields["status"] != "503" || fields["group"] != group {
		t.Errorf("query row: %v", fields)
	}

	cli.fail(t, "InvalidParameterException", "PutTransformer",
		"Invalid transformerConfig: transformerConfig[0]: the parseToOCSF processor is not supported by this server",
		"put-transformer", "--log-group-identifier", group, "--transformer-config", `[{"parseToOCSF":{"eventSource":"VPCFlow","ocsfVersion":"V1.1"}}]`)
	cli.fail(t, "ResourceNotFoundException", "GetTransformer", "The specified log group does not exist.",
		"get-transformer", "--log-group-identifier", "/cli/none")
	cli.ok(t, nil, "delete-transformer", "--log-group-identifier", group)
	got.LogGroupIdentifier, got.TransformerConfig = "", nil
	cli.ok(t, &got, "get-transformer", "--log-group-identifier", group)
	if got.LogGroupIdentifier != group || len(got.TransformerConfig) != 0 {
		t.Errorf("get-transformer after delete: %+v", got)
	}
}

// cliQueryOneRow runs query over group from a minute before base to a minute after through
// start-query, polls get-query-results while it is Scheduled or Running (30 s at most), and
// returns the one row it must have found, by field name.
func cliQueryOneRow(t *testing.T, cli *awsCLI, group string, base time.Time, query string) map[string]string {
	t.Helper()
	var started struct {
		QueryID string `json:"queryId"`
	}
	cli.ok(t, &started, "start-query", "--log-group-name", group,
		"--start-time", fmt.Sprint(base.Unix()-60), "--end-time", fmt.Sprint(base.Unix()+60),
		"--query-string", query)
	var res struct {
		Status  string                            `json:"status"`
		Results [][]struct{ Field, Value string } `json:"results"`
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		cli.ok(t, &res, "get-query-results", "--query-id", started.QueryID)
		if res.Status != "Running" && res.Status != "Scheduled" || time.Now().After(deadline) {
			break
		}
	}
	if res.Status != "Complete" || len(res.Results) != 1 {
		t.Fatalf("get-query-results: %+v", res)
	}
	fields := map[string]string{}
	for _, f := range res.Results[0] {
		fields[f.Field] = f.Value
	}
	return fields
}
