package interop

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/cwlogs/cwlogs/localserver"
)

// evaluations is a slog.Handler that signals each "anomaly detector evaluated" record the
// local server logs (at Debug level) on its channel.
type evaluations chan struct{}

func (e evaluations) Enabled(context.Context, slog.Level) bool { return true }
func (e evaluations) WithAttrs([]slog.Attr) slog.Handler       { return e }
func (e evaluations) WithGroup(string) slog.Handler            { return e }
func (e evaluations) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "anomaly detector evaluated" {
		e <- struct{}{}
	}
	return nil
}

// TestServerSDKAnomalyDetectors runs the log anomaly detector operations through
// aws-sdk-go-v2's client, on a server whose clock the test moves one evaluation period
// at a time (from 4 minutes behind the real time, so that signatures stay within the
// 5-minute window): every member of GetLogAnomalyDetector's and ListLogAnomalyDetectors'
// answers decodes as sent (enums typed), UpdateLogAnomalyDetector restarts the runner's
// wait, the detector trains (TRAINING, then ANALYZING) on steady traffic, a new error
// pattern decodes as a types.Anomaly with every required member (histogram keyed by the
// evaluation's time, tokens, samples), UpdateAnomaly suppresses it
// (ListAnomalies by SUPPRESSED), the tags are readable by the detector's ARN and a
// missing detector is the SDK's typed ResourceNotFoundException.
func TestServerSDKAnomalyDetectors(t *testing.T) {
	var offset atomic.Int64 // the server clock's offset from the real time, ns
	offset.Store(int64(-4 * time.Minute))
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	evaluated := make(evaluations, 16)
	srv := startStrictServerWith(t, func(c *localserver.Config) {
		c.Now = now
		c.Logger = slog.New(evaluated)
	})
	c := sdkClient(srv.URL(), sdkAccessKeyID, sdkSecret)
	ctx := context.Background()
	groupArn := "arn:aws:logs:us-east-1:" + sdkAccount + ":log-group:anomalies"
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("anomalies")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("anomalies"), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateLogAnomalyDetector(ctx, &cloudwatchlogs.CreateLogAnomalyDetectorInput{
		LogGroupArnList: []string{groupArn}, DetectorName: aws.String("sdk"), EvaluationFrequency: types.EvaluationFrequencyOneMin,
		FilterPattern: aws.String("-DEBUG"), AnomalyVisibilityTime: aws.Int64(7), Tags: map[string]string{"team": "obs"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.AnomalyDetectorArn)
	if !strings.HasPrefix(arn, "arn:aws:logs:us-east-1:"+sdkAccount+":anomaly-detector:") {
		t.Fatalf("CreateLogAnomalyDetector: ARN %q", arn)
	}
	got, err := c.GetLogAnomalyDetector(ctx, &cloudwatchlogs.GetLogAnomalyDetectorInput{AnomalyDetectorArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.DetectorName) != "sdk" || fmt.Sprint(got.LogGroupArnList) != "["+groupArn+"]" ||
		got.EvaluationFrequency != types.EvaluationFrequencyOneMin || aws.ToString(got.FilterPattern) != "-DEBUG" ||
		got.AnomalyDetectorStatus != types.AnomalyDetectorStatusTraining || aws.ToInt64(got.AnomalyVisibilityTime) != 7 ||
		got.KmsKeyId != nil || got.CreationTimeStamp == 0 || got.LastModifiedTimeStamp != got.CreationTimeStamp {
		t.Errorf("GetLogAnomalyDetector: %s", asJSON(got))
	}
	tags, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || tags.Tags["team"] != "obs" {
		t.Errorf("ListTagsForResource: %v %v", tags, err)
	}

	// One evaluation: events at the server's time, the clock one period on, the runner
	// woken by an UpdateLogAnomalyDetector that changes nothing, the evaluation awaited.
	put := func(msgs ...string) {
		t.Helper()
		evs := make([]types.InputLogEvent, len(msgs))
		for i, m := range msgs {
			evs[i] = types.InputLogEvent{Timestamp: aws.Int64(now().UnixMilli()), Message: aws.String(m)}
		}
		if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("anomalies"),
			LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
	}
	evaluate := func() {
		t.Helper()
		offset.Add(int64(time.Minute))
		if _, err := c.UpdateLogAnomalyDetector(ctx, &cloudwatchlogs.UpdateLogAnomalyDetectorInput{
			AnomalyDetectorArn: aws.String(arn), Enabled: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-evaluated:
		case <-time.After(10 * time.Second):
			t.Fatal("no evaluation within 10 s")
		}
	}
	steady := func(run int) {
		var msgs []string
		for i := range 10 {
			msgs = append(msgs, fmt.Sprintf("INFO GET /items/%d 200 %dms", run*10+i, 5+i))
		}
		put(msgs...)
	}
	for run := range 5 {
		steady(run)
		evaluate()
	}
	list, err := c.ListLogAnomalyDetectors(ctx, &cloudwatchlogs.ListLogAnomalyDetectorsInput{FilterLogGroupArn: aws.String(groupArn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AnomalyDetectors) != 1 || list.AnomalyDetectors[0].AnomalyDetectorStatus != types.AnomalyDetectorStatusAnalyzing ||
		aws.ToString(list.AnomalyDetectors[0].AnomalyDetectorArn) != arn || list.NextToken != nil {
		t.Fatalf("ListLogAnomalyDetectors after 5 evaluations: %s", asJSON(list))
	}

	steady(5)
	put("ERROR disk /dev/sda1 full on host-7", "ERROR disk /dev/sdb2 full on host-9", "DEBUG ignored by the filter")
	evaluate()
	anomalies, err := c.ListAnomalies(ctx, &cloudwatchlogs.ListAnomaliesInput{AnomalyDetectorArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(anomalies.Anomalies) != 1 {
		t.Fatalf("ListAnomalies: %s, want the disk error", asJSON(anomalies))
	}
	a := anomalies.Anomalies[0]
	if len(aws.ToString(a.AnomalyId)) != 36 || len(aws.ToString(a.PatternId)) != 32 || aws.ToString(a.AnomalyDetectorArn) != arn ||
		!strings.Contains(aws.ToString(a.PatternString), "ERROR disk") || aws.ToString(a.PatternRegex) == "" ||
		aws.ToString(a.Priority) != "HIGH" || a.FirstSeen == 0 || a.LastSeen != a.FirstSeen || aws.ToString(a.Description) == "" ||
		!aws.ToBool(a.Active) || a.State != types.StateActive || len(a.Histogram) != 1 || a.Histogram[fmt.Sprint(a.FirstSeen)] != 2 ||
		len(a.LogSamples) != 2 || len(a.PatternTokens) == 0 || fmt.Sprint(a.LogGroupArnList) != "["+groupArn+"]" ||
		aws.ToBool(a.Suppressed) || a.SuppressedDate != 0 || a.SuppressedUntil != 0 || aws.ToBool(a.IsPatternLevelSuppression) {
		t.Errorf("the anomaly: %s", asJSON(a))
	}
	var dynamic int32
	for _, tok := range a.PatternTokens {
		if aws.ToBool(tok.IsDynamic) {
			dynamic++
			if tok.DynamicTokenPosition != dynamic || aws.ToString(tok.TokenString) != "<*>" || len(tok.Enumerations) == 0 {
				t.Errorf("dynamic token %s", asJSON(tok))
			}
		}
	}
	if dynamic == 0 {
		t.Errorf("no dynamic token in %s", asJSON(a.PatternTokens))
	}

	if _, err := c.UpdateAnomaly(ctx, &cloudwatchlogs.UpdateAnomalyInput{AnomalyDetectorArn: aws.String(arn), AnomalyId: a.AnomalyId,
		SuppressionType:   types.SuppressionTypeLimited,
		SuppressionPeriod: &types.SuppressionPeriod{Value: 1, SuppressionUnit: types.SuppressionUnitHours}}); err != nil {
		t.Fatal(err)
	}
	suppressed, err := c.ListAnomalies(ctx, &cloudwatchlogs.ListAnomaliesInput{SuppressionState: types.SuppressionStateSuppressed})
	if err != nil {
		t.Fatal(err)
	}
	if len(suppressed.Anomalies) != 1 || suppressed.Anomalies[0].State != types.StateSuppressed ||
		suppressed.Anomalies[0].SuppressedUntil != suppressed.Anomalies[0].SuppressedDate+3_600_000 {
		t.Errorf("ListAnomalies SUPPRESSED: %s", asJSON(suppressed))
	}

	if _, err := c.DeleteLogAnomalyDetector(ctx, &cloudwatchlogs.DeleteLogAnomalyDetectorInput{AnomalyDetectorArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetLogAnomalyDetector(ctx, &cloudwatchlogs.GetLogAnomalyDetectorInput{AnomalyDetectorArn: aws.String(arn)})
	wantErr[*types.ResourceNotFoundException](t, "GetLogAnomalyDetector of a deleted detector", err, "The specified anomaly detector does not exist.")
}
