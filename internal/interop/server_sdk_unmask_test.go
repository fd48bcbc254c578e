package interop

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/cwlogs/cwlogs/localserver"
)

// TestServerSDKUnmask runs Logs Insights' unmask(@message) through aws-sdk-go-v2's client
// over a group with a data protection policy (sdkDPDoc) and a transformer: @message is
// masked, unmask(@message) is the event as sent (transformed), a filter matches the masked
// text unless it unmasks, GetLogRecord masks unless Unmask, a query that unmasks an
// Infrequent Access group is the SDK's InvalidParameterException, a misused unmask its
// MalformedQueryException, and an export task (CreateExportTask, DescribeExportTasks)
// writes the masked text.
func TestServerSDKUnmask(t *testing.T) {
	exports := t.TempDir()
	if err := os.Mkdir(filepath.Join(exports, "sdk-bucket"), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := startStrictServerWith(t, func(cfg *localserver.Config) { cfg.ExportDir = exports })
	c := sdkClient(srv.URL(), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	const group = "sdk-unmask"
	for _, in := range []*cloudwatchlogs.CreateLogGroupInput{
		{LogGroupName: aws.String(group)},
		{LogGroupName: aws.String("sdk-unmask-ia"), LogGroupClass: types.LogGroupClassInfrequentAccess},
	} {
		if _, err := c.CreateLogGroup(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Minute).Truncate(time.Second)
	n := 0
	put := func(msg string) {
		t.Helper()
		_, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"),
			LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(base.Add(time.Duration(n) * time.Second).UnixMilli()), Message: aws.String(msg)}}})
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	put("before a@b.io")
	if _, err := c.PutDataProtectionPolicy(ctx, &cloudwatchlogs.PutDataProtectionPolicyInput{LogGroupIdentifier: aws.String(group), PolicyDocument: aws.String(sdkDPDoc)}); err != nil {
		t.Fatal(err)
	}
	put("after a@b.io TKT-42")
	if _, err := c.PutTransformer(ctx, &cloudwatchlogs.PutTransformerInput{LogGroupIdentifier: aws.String(group), TransformerConfig: []types.Processor{
		{ParseJSON: &types.ParseJSON{}},
		{CopyValue: &types.CopyValue{Entries: []types.CopyValueEntry{{Source: aws.String("to"), Target: aws.String("cc")}}}},
	}}); err != nil {
		t.Fatal(err)
	}
	put(`{"to":"c@d.io"}`)

	in := func(q string) *cloudwatchlogs.StartQueryInput {
		return &cloudwatchlogs.StartQueryInput{LogGroupIdentifiers: []string{group}, StartTime: aws.Int64(base.Unix() - 60),
			EndTime: aws.Int64(base.Unix() + 60), QueryString: aws.String(q)}
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"fields @message, unmask(@message) | sort @timestamp asc", []string{
			"@message=before a@b.io unmask(@message)=before a@b.io",
			"@message=after ****** ****** unmask(@message)=after a@b.io TKT-42",
			`@message={"to":"******","cc":"******"} unmask(@message)={"to":"c@d.io","cc":"c@d.io"}`,
		}},
		{`filter @message like "a@b.io" | fields @message`, []string{"@message=before a@b.io"}},
		{`filter unmask(@message) like /TKT-42|c@d/ | fields unmask(@message) as m | sort @timestamp asc`, []string{
			"m=after a@b.io TKT-42", `m={"to":"c@d.io","cc":"c@d.io"}`,
		}},
	} {
		if got := sdkQuery(t, ctx, c, in(tc.q)); !slices.Equal(got, tc.want) {
			t.Errorf("%s\n got %q\nwant %q", tc.q, got, tc.want)
		}
	}

	rows, _ := sdkQueryResults(t, ctx, c, in(`filter @message like "after" | fields @message`))
	var ptr string
	for _, row := range rows {
		for _, f := range row {
			if aws.ToString(f.Field) == "@ptr" {
				ptr = aws.ToString(f.Value)
			}
		}
	}
	if ptr == "" {
		t.Fatalf("no @ptr in %s", asJSON(rows))
	}
	for _, tc := range []struct {
		unmask bool
		want   string
	}{{false, "after ****** ******"}, {true, "after a@b.io TKT-42"}} {
		rec, err := c.GetLogRecord(ctx, &cloudwatchlogs.GetLogRecordInput{LogRecordPointer: aws.String(ptr), Unmask: tc.unmask})
		if err != nil || rec.LogRecord["@message"] != tc.want {
			t.Errorf("GetLogRecord Unmask=%v: %v %v, want @message %q", tc.unmask, rec.LogRecord, err, tc.want)
		}
	}

	both := in("fields unmask(@message)")
	both.LogGroupIdentifiers = []string{group, "sdk-unmask-ia"}
	_, err := c.StartQuery(ctx, both)
	wantErrContains[*types.InvalidParameterException](t, "unmask over Infrequent Access", err, "sdk-unmask-ia is of the INFREQUENT_ACCESS class")
	_, err = c.StartQuery(ctx, in("fields unmask(to)"))
	wantErrContains[*types.MalformedQueryException](t, "unmask of a field", err, "unmask() takes @message")

	task, err := c.CreateExportTask(ctx, &cloudwatchlogs.CreateExportTaskInput{LogGroupName: aws.String(group), Destination: aws.String("sdk-bucket"),
		DestinationPrefix: aws.String("masked"), From: aws.Int64(base.UnixMilli() - 60_000), To: aws.Int64(base.UnixMilli() + 60_000)})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		d, err := c.DescribeExportTasks(ctx, &cloudwatchlogs.DescribeExportTasksInput{TaskId: task.TaskId})
		if err != nil || len(d.ExportTasks) != 1 || d.ExportTasks[0].Status == nil {
			t.Fatalf("DescribeExportTasks: %s %v", asJSON(d), err)
		}
		if code := d.ExportTasks[0].Status.Code; code == types.ExportTaskStatusCodeCompleted {
			break
		} else if code != types.ExportTaskStatusCodePending && code != types.ExportTaskStatusCodeRunning {
			t.Fatalf("export task: %s", asJSON(d.ExportTasks[0]))
		}
		if time.Now().After(deadline) {
			t.Fatal("export task still running after 10 s")
		}
	}
	f, err := os.Open(filepath.Join(exports, "sdk-bucket", "masked", aws.ToString(task.TaskId), "s", "000000.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	// Exports show the events as sent (not transformed), masked by the policy in force at
	// their ingestion.
	for _, want := range []string{"before a@b.io", "after ****** ******", `{"to":"******"}`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("export object lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(string(text), "c@d.io") || strings.Contains(string(text), "TKT-42") {
		t.Errorf("export object carries clear text:\n%s", text)
	}
}
