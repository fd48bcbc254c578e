package interop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestServerSDKInsights runs Logs Insights through aws-sdk-go-v2's client against the
// local server: StartQuery, polling GetQueryResults until Complete, GetLogRecord on a
// row's @ptr, DescribeQueries, StopQuery of an ended query, and the typed
// MalformedQueryException with its queryCompileError.
func TestServerSDKInsights(t *testing.T) {
	c := sdkClient(startStrictServer(t), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	const group = "/sdk/insights"
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	var evs []types.InputLogEvent
	for i := range 5 {
		evs = append(evs, types.InputLogEvent{
			Timestamp: aws.Int64(base.Add(time.Duration(i) * time.Second).UnixMilli()),
			Message:   aws.String(fmt.Sprintf(`{"n":%d,"level":"%s"}`, i, map[bool]string{true: "ERROR", false: "INFO"}[i%2 == 1])),
		})
	}
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
		t.Fatal(err)
	}

	start, err := c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupNames: []string{group},
		StartTime:     aws.Int64(base.Unix()),
		EndTime:       aws.Int64(base.Add(time.Minute).Unix()),
		QueryString:   aws.String(`filter level = "ERROR" | fields @timestamp, n | sort n asc`),
	})
	if err != nil {
		t.Fatal(err)
	}
	var res *cloudwatchlogs.GetQueryResultsOutput
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		res, err = c.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != types.QueryStatusRunning && res.Status != types.QueryStatusScheduled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("query still running after 10 s")
		}
	}
	if res.Status != types.QueryStatusComplete || len(res.Results) != 2 {
		t.Fatalf("status %s, %d rows, want Complete and 2", res.Status, len(res.Results))
	}
	if res.Statistics == nil || res.Statistics.RecordsMatched != 2 || res.Statistics.RecordsScanned != 5 {
		t.Errorf("statistics %+v, want 2 matched of 5 scanned", res.Statistics)
	}
	var got []string
	var ptr string
	for _, row := range res.Results {
		var parts []string
		for _, f := range row {
			if aws.ToString(f.Field) == "@ptr" {
				ptr = aws.ToString(f.Value)
				continue
			}
			parts = append(parts, aws.ToString(f.Field)+"="+aws.ToString(f.Value))
		}
		got = append(got, strings.Join(parts, " "))
	}
	ts := func(i int) string {
		return base.Add(time.Duration(i) * time.Second).UTC().Format("2006-01-02 15:04:05.000")
	}
	want := []string{"@timestamp=" + ts(1) + " n=1", "@timestamp=" + ts(3) + " n=3"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rows %q, want %q", got, want)
	}

	rec, err := c.GetLogRecord(ctx, &cloudwatchlogs.GetLogRecordInput{LogRecordPointer: aws.String(ptr)})
	if err != nil {
		t.Fatal(err)
	}
	if rec.LogRecord["@message"] != `{"n":3,"level":"ERROR"}` || rec.LogRecord["n"] != "3" || rec.LogRecord["@log"] != sdkAccount+":"+group {
		t.Errorf("GetLogRecord = %v", rec.LogRecord)
	}

	dq, err := c.DescribeQueries(ctx, &cloudwatchlogs.DescribeQueriesInput{LogGroupName: aws.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	if len(dq.Queries) != 1 || aws.ToString(dq.Queries[0].QueryId) != aws.ToString(start.QueryId) || dq.Queries[0].Status != types.QueryStatusComplete {
		t.Errorf("DescribeQueries = %+v", dq.Queries)
	}

	_, err = c.StopQuery(ctx, &cloudwatchlogs.StopQueryInput{QueryId: start.QueryId})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("StopQuery of a complete query: %v, want InvalidParameterException", err)
	}
	_, err = c.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String("no-such-query")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("GetQueryResults of an unknown query: %v, want ResourceNotFoundException", err)
	}

	_, err = c.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String(group), StartTime: aws.Int64(0), EndTime: aws.Int64(1),
		QueryString: aws.String("fields @message | stats nosuch(x)"),
	})
	var mq *types.MalformedQueryException
	if !errors.As(err, &mq) || mq.QueryCompileError == nil || mq.QueryCompileError.Location == nil {
		t.Fatalf("malformed query: %v, want MalformedQueryException with queryCompileError", err)
	}
	if loc := mq.QueryCompileError.Location; aws.ToInt32(loc.StartCharOffset) != 24 || aws.ToInt32(loc.EndCharOffset) != 30 {
		t.Errorf("queryCompileError location %d-%d, want 24-30", aws.ToInt32(loc.StartCharOffset), aws.ToInt32(loc.EndCharOffset))
	}
}
