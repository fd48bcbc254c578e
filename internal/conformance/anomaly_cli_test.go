package conformance

import (
	"context"
	"strings"
	"testing"
)

// TestAWSCLIAnomalyDetectors runs the log anomaly detector operations through AWS CLI v1
// (botocore's current model) against a local server: create-log-anomaly-detector with
// every option, get-log-anomaly-detector (every member as sent, the ARN's form),
// update-log-anomaly-detector (paused), list-log-anomaly-detectors filtered by the log
// group, list-anomalies of the detector (none: it is still training), tags through the
// ARN, delete-log-anomaly-detector and the ResourceNotFoundException of the deleted
// detector. Set-up goes through the Go client: every CLI invocation costs about 2 s.
func TestAWSCLIAnomalyDetectors(t *testing.T) {
	t.Parallel()
	cli := findCLI(t, 1)
	srv := startServer(t)
	cli.configure(t, srv.URL(), testAccessKeyID, testSecretAccessKey)
	c := newClient(t, srv.URL())
	if _, err := c.Invoke(context.Background(), "CreateLogGroup", []byte(`{"logGroupName":"/cli/anomaly"}`)); err != nil {
		t.Fatalf("CreateLogGroup: %v", err)
	}
	groupArn := "arn:aws:logs:" + testRegion + ":" + testAccountID + ":log-group:/cli/anomaly"
	const kms = "arn:aws:kms:" + testRegion + ":" + testAccountID + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"

	var created struct {
		AnomalyDetectorArn string `json:"anomalyDetectorArn"`
	}
	cli.ok(t, &created, "create-log-anomaly-detector", "--log-group-arn-list", groupArn, "--detector-name", "cli-detector",
		"--evaluation-frequency", "FIFTEEN_MIN", "--filter-pattern", "ERROR", "--kms-key-id", kms,
		"--anomaly-visibility-time", "10", "--tags", "team=obs")
	prefix := "arn:aws:logs:" + testRegion + ":" + testAccountID + ":anomaly-detector:"
	if id, ok := strings.CutPrefix(created.AnomalyDetectorArn, prefix); !ok || len(id) != 36 {
		t.Fatalf("create-log-anomaly-detector: ARN %q, want %sUUID", created.AnomalyDetectorArn, prefix)
	}
	arn := created.AnomalyDetectorArn

	type detector struct {
		AnomalyDetectorArn    string   `json:"anomalyDetectorArn"`
		DetectorName          string   `json:"detectorName"`
		LogGroupArnList       []string `json:"logGroupArnList"`
		EvaluationFrequency   string   `json:"evaluationFrequency"`
		FilterPattern         string   `json:"filterPattern"`
		AnomalyDetectorStatus string   `json:"anomalyDetectorStatus"`
		KmsKeyID              string   `json:"kmsKeyId"`
		CreationTimeStamp     int64    `json:"creationTimeStamp"`
		LastModifiedTimeStamp int64    `json:"lastModifiedTimeStamp"`
		AnomalyVisibilityTime int64    `json:"anomalyVisibilityTime"`
	}
	var got detector
	cli.ok(t, &got, "get-log-anomaly-detector", "--anomaly-detector-arn", arn)
	if got.DetectorName != "cli-detector" || len(got.LogGroupArnList) != 1 || got.LogGroupArnList[0] != groupArn ||
		got.EvaluationFrequency != "FIFTEEN_MIN" || got.FilterPattern != "ERROR" || got.KmsKeyID != kms ||
		got.AnomalyVisibilityTime != 10 || got.AnomalyDetectorStatus != "TRAINING" || got.CreationTimeStamp <= 0 ||
		got.LastModifiedTimeStamp < got.CreationTimeStamp || got.AnomalyDetectorArn != "" {
		t.Errorf("get-log-anomaly-detector: %+v", got)
	}

	cli.ok(t, nil, "update-log-anomaly-detector", "--anomaly-detector-arn", arn, "--no-enabled", "--evaluation-frequency", "ONE_HOUR")
	var listed struct {
		AnomalyDetectors []detector `json:"anomalyDetectors"`
	}
	cli.ok(t, &listed, "list-log-anomaly-detectors", "--filter-log-group-arn", groupArn)
	if len(listed.AnomalyDetectors) != 1 {
		t.Fatalf("list-log-anomaly-detectors: %+v", listed)
	}
	if d := listed.AnomalyDetectors[0]; d.AnomalyDetectorArn != arn || d.AnomalyDetectorStatus != "PAUSED" ||
		d.EvaluationFrequency != "ONE_HOUR" || d.FilterPattern != "ERROR" || d.AnomalyVisibilityTime != 10 {
		t.Errorf("list-log-anomaly-detectors after update: %+v", d)
	}

	var anomalies struct {
		Anomalies []map[string]any `json:"anomalies"`
	}
	cli.ok(t, &anomalies, "list-anomalies", "--anomaly-detector-arn", arn, "--suppression-state", "UNSUPPRESSED")
	if anomalies.Anomalies == nil || len(anomalies.Anomalies) != 0 {
		t.Errorf("list-anomalies of a detector that has not evaluated: %+v", anomalies)
	}

	tags, err := c.Invoke(context.Background(), "ListTagsForResource", []byte(`{"resourceArn":"`+arn+`"}`))
	if err != nil || !strings.Contains(string(tags.Body), `"team":"obs"`) {
		t.Errorf("ListTagsForResource: %v %s", err, tags.Body)
	}

	cli.ok(t, nil, "delete-log-anomaly-detector", "--anomaly-detector-arn", arn)
	cli.fail(t, "ResourceNotFoundException", "GetLogAnomalyDetector", "The specified anomaly detector does not exist.",
		"get-log-anomaly-detector", "--anomaly-detector-arn", arn)
}
