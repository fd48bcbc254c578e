package main

import (
	"context"
	"testing"

	"github.com/cwlogs/cwlogs"
)

// seedClient is a library client of the server at endpoint, with the key the tests
// store their data with.
func seedClient(t *testing.T, endpoint string) *cwlogs.Client {
	t.Helper()
	cl, err := cwlogs.New("us-east-1", "AKIDSEED", "seed-secret", cwlogs.WithEndpoint(endpoint))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// createGroup creates the log group and its streams.
func createGroup(t *testing.T, cl *cwlogs.Client, group string, streams ...string) {
	t.Helper()
	ctx := context.Background()
	if err := cl.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		if err := cl.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: s}); err != nil {
			t.Fatal(err)
		}
	}
}

// apiCall is an operation and its JSON input, for Client.Invoke.
type apiCall struct{ op, body string }

// appAndWeb are the calls that start the data of the call tests: log group app (with
// tags and a retention) with streams web-1, web-2 and worker, and an empty log group web.
var appAndWeb = []apiCall{
	{"CreateLogGroup", `{"logGroupName": "app", "tags": {"team": "payments", "env": "prod"}}`},
	{"PutRetentionPolicy", `{"logGroupName": "app", "retentionInDays": 30}`},
	{"CreateLogGroup", `{"logGroupName": "web"}`},
	{"CreateLogStream", `{"logGroupName": "app", "logStreamName": "web-1"}`},
	{"CreateLogStream", `{"logGroupName": "app", "logStreamName": "web-2"}`},
	{"CreateLogStream", `{"logGroupName": "app", "logStreamName": "worker"}`},
}

// invokeAll makes the calls in order with cl.Invoke.
func invokeAll(t *testing.T, cl *cwlogs.Client, calls []apiCall) {
	t.Helper()
	for _, c := range calls {
		if _, err := cl.Invoke(context.Background(), c.op, []byte(c.body)); err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
	}
}
