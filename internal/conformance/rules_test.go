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
)

// TestAWSRecordedAnswers sends, through the project's client, requests whose answer from
// live AWS is recorded (cloudwatch-logs-api.md §5, §7; local-emulators.md §1; issues cited
// per case) and that the scripted suites do not cover, and expects the same status, __type
// and exact message.
func TestAWSRecordedAnswers(t *testing.T) {
	srv := startServer(t)
	c := newClient(t, srv.URL())
	ctx := context.Background()
	now := time.Now().UnixMilli()
	setup := []struct{ op, body string }{
		{"CreateLogGroup", `{"logGroupName":"/rules/app"}`},
		{"CreateLogStream", `{"logGroupName":"/rules/app","logStreamName":"s"}`},
	}
	for _, s := range setup {
		if _, err := c.Invoke(ctx, s.op, []byte(s.body)); err != nil {
			t.Fatalf("setup %s: %v", s.op, err)
		}
	}
	events := func(evs ...string) string {
		return `{"logGroupName":"/rules/app","logStreamName":"s","logEvents":[` + strings.Join(evs, ",") + `]}`
	}
	ev := func(ts int64, msg string) string { return fmt.Sprintf(`{"timestamp":%d,"message":%q}`, ts, msg) }
	half := strings.Repeat("y", 600_000)
	cases := []struct {
		name, op, body string
		status         int
		code, message  string
	}{
		{"reserved prefix aws/", "CreateLogGroup", `{"logGroupName":"aws/cwagent"}`, 400, "InvalidParameterException",
			// aws-observability/aws-otel-collector#353, aws-solutions/application-monitoring-with-amazon-cloudwatch#11
			"Log groups starting with AWS/ are reserved for AWS."},
		{"reserved prefix AWS/", "CreateLogGroup", `{"logGroupName":"AWS/x"}`, 400, "InvalidParameterException",
			"Log groups starting with AWS/ are reserved for AWS."},
		{"/aws/ is not reserved", "CreateLogGroup", `{"logGroupName":"/aws/lambda/fn"}`, 200, "", ""},
		{"span over 24 h", "PutLogEvents", events(ev(now-25*3600_000, "a"), ev(now, "b")), 400, "InvalidParameterException",
			"The batch of log events in a single PutLogEvents request cannot span more than 24 hours."},
		{"upload too large", "PutLogEvents", events(ev(now, half), ev(now, half)), 400, "InvalidParameterException",
			fmt.Sprintf("Upload too large: %d bytes exceeds limit of 1048576", 2*(len(half)+26))},
		{"empty batch", "PutLogEvents", events(), 400, "InvalidParameterException",
			"1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"out of order", "PutLogEvents", events(ev(now, "b"), ev(now-1, "a")), 400, "InvalidParameterException",
			"Log events in a single PutLogEvents request must be in chronological order."},
		{"limit 10001", "GetLogEvents", `{"logGroupName":"/rules/app","logStreamName":"s","limit":10001}`, 400, "InvalidParameterException",
			"1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"name and identifier", "GetLogEvents", `{"logGroupName":"/rules/app","logGroupIdentifier":"/rules/app","logStreamName":"s"}`, 400,
			"ValidationException", "LogGroup name and LogGroup ARN are mutually exclusive parameters."},
		{"bad token", "GetLogEvents", `{"logGroupName":"/rules/app","logStreamName":"s","nextToken":"f/00000000000000000000000000000000000000000000000000000000/s"}`,
			400, "InvalidParameterException", "The specified nextToken is invalid."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Invoke(ctx, tc.op, []byte(tc.body))
			var apiErr *cwlogs.APIError
			if err != nil && !errors.As(err, &apiErr) {
				t.Fatal(err)
			}
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(resp.Body, &body); err != nil {
				t.Fatalf("body %q: %v", resp.Body, err)
			}
			if resp.StatusCode != tc.status || body.Type != tc.code || body.Message != tc.message {
				t.Errorf("%s %.200s\n got %d %s %q\nwant %d %s %q", tc.op, tc.body, resp.StatusCode, body.Type, body.Message, tc.status, tc.code, tc.message)
			}
		})
	}
}
