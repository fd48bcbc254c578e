package cwlogs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/cwlogs/cwlogs"
)

// exampleServer is a tiny in-memory CloudWatch Logs for the examples: groups,
// streams and events, with the service's error bodies.
func exampleServer() *httptest.Server {
	var mu sync.Mutex
	groups := map[string]map[string][]cwlogs.OutputLogEvent{}
	fail := func(w http.ResponseWriter, typ, msg string) {
		w.Header().Set("Content-Type", cwlogs.ContentType)
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, typ, msg)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var in struct {
			LogGroupName  string                  `json:"logGroupName"`
			LogStreamName string                  `json:"logStreamName"`
			LogEvents     []cwlogs.OutputLogEvent `json:"logEvents"`
			NextToken     string                  `json:"nextToken"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		g, gok := groups[in.LogGroupName]
		out := "{}"
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), cwlogs.TargetPrefix+".") {
		case "CreateLogGroup":
			if gok {
				fail(w, "ResourceAlreadyExistsException", "The specified log group already exists")
				return
			}
			groups[in.LogGroupName] = map[string][]cwlogs.OutputLogEvent{}
		case "DeleteLogGroup":
			if !gok {
				fail(w, "ResourceNotFoundException", "The specified log group does not exist.")
				return
			}
			delete(groups, in.LogGroupName)
		case "CreateLogStream":
			if !gok {
				fail(w, "ResourceNotFoundException", "The specified log group does not exist.")
				return
			}
			g[in.LogStreamName] = nil
		case "PutLogEvents":
			if _, ok := g[in.LogStreamName]; !ok {
				fail(w, "ResourceNotFoundException", "The specified log stream does not exist.")
				return
			}
			g[in.LogStreamName] = append(g[in.LogStreamName], in.LogEvents...)
			out = `{"nextSequenceToken":"1"}`
		case "GetLogEvents":
			evs := g[in.LogStreamName]
			if in.NextToken == "f/end" {
				evs = nil
			}
			b, _ := json.Marshal(map[string]any{"events": evs, "nextForwardToken": "f/end", "nextBackwardToken": "b/0"})
			out = string(b)
		}
		w.Header().Set("Content-Type", cwlogs.ContentType)
		io.WriteString(w, out)
	}))
}

// The seed's example (example/sample.agent.nut): create a group with tags,
// create a stream, put an event; the callbacks become returned values.
func Example() {
	srv := exampleServer()
	defer srv.Close()
	ctx := context.Background()

	// logs <- AWSCloudWatchLogs(region, accessKeyId, secretAccessKey)
	logs, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "SECRET", cwlogs.WithEndpoint(srv.URL))
	if err != nil {
		panic(err)
	}

	// logs.action(AWS_CLOUDWATCH_LOGS_ACTION_CREATE_LOG_GROUP, groupParams, cb)
	resp, err := logs.Action(ctx, cwlogs.ActionCreateLogGroup, map[string]any{
		"logGroupName": "testLogGroup",
		"tags":         map[string]string{"testTag": "test"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("create group:", resp.StatusCode)

	resp, _ = logs.Action(ctx, cwlogs.ActionCreateLogStream, map[string]any{
		"logGroupName": "testLogGroup", "logStreamName": "testLogStream",
	})
	fmt.Println("create stream:", resp.StatusCode)

	// The seed's timestamp: seconds from time() and three millisecond digits, as a string.
	resp, _ = logs.Action(ctx, cwlogs.ActionPutLogEvents, map[string]any{
		"logGroupName":  "testLogGroup",
		"logStreamName": "testLogStream",
		"logEvents":     []map[string]any{{"message": "testMessage", "timestamp": "1530000000123"}},
	})
	fmt.Println("put event:", resp.StatusCode, string(resp.Body))

	// On 400 "already exists" the seed deleted the group and started again.
	resp, err = logs.Action(ctx, cwlogs.ActionCreateLogGroup, map[string]any{"logGroupName": "testLogGroup"})
	var apiErr *cwlogs.APIError
	if errors.As(err, &apiErr) && cwlogs.IsAlreadyExists(err) {
		fmt.Println("again:", resp.StatusCode, apiErr.Code, apiErr.Message)
		resp, _ = logs.Action(ctx, cwlogs.ActionDeleteLogGroup, map[string]any{"logGroupName": "testLogGroup"})
		fmt.Println("delete group:", resp.StatusCode)
	}
	// Output:
	// create group: 200
	// create stream: 200
	// put event: 200 {"nextSequenceToken":"1"}
	// again: 400 ResourceAlreadyExistsException The specified log group already exists
	// delete group: 200
}

// The same flow with the typed API.
func ExampleClient_PutLogEvents() {
	srv := exampleServer()
	defer srv.Close()
	ctx := context.Background()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "SECRET", cwlogs.WithEndpoint(srv.URL))
	if err != nil {
		panic(err)
	}
	if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: "app", Tags: map[string]string{"env": "dev"}}); err != nil {
		panic(err)
	}
	if err := c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: "app", LogStreamName: "web-1"}); err != nil {
		panic(err)
	}
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	out, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{
		LogGroupName:  "app",
		LogStreamName: "web-1",
		LogEvents: []cwlogs.InputLogEvent{
			{Timestamp: cwlogs.Millis(t0), Message: `started "web-1"`},
			{Timestamp: cwlogs.Millis(t0.Add(time.Second)), Message: "listening on :8080"},
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("rejected:", out.RejectedLogEventsInfo != nil)
	for ev, err := range c.GetLogEventsIter(ctx, &cwlogs.GetLogEventsInput{LogGroupName: "app", LogStreamName: "web-1"}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(time.UnixMilli(ev.Timestamp).UTC().Format(time.TimeOnly), ev.Message)
	}
	// Output:
	// rejected: false
	// 12:00:00 started "web-1"
	// 12:00:01 listening on :8080
}

// The seed called its callback asynchronously; in Go, run the call in a
// goroutine and receive the result.
func ExampleClient_Action_async() {
	srv := exampleServer()
	defer srv.Close()
	c, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "SECRET", cwlogs.WithEndpoint(srv.URL))

	done := make(chan *cwlogs.Response, 1)
	go func() {
		resp, err := c.Action(context.Background(), cwlogs.ActionDeleteLogGroup, map[string]any{"logGroupName": "missing"})
		if err != nil {
			fmt.Println("callback error:", err)
		}
		done <- resp
	}()
	resp := <-done
	fmt.Println("statuscode:", resp.StatusCode)
	// Output:
	// callback error: cwlogs: DeleteLogGroup: ResourceNotFoundException (HTTP 400): The specified log group does not exist.
	// statuscode: 400
}

// Invalid input is rejected before anything is sent: the seed sent a
// truncated body for an empty event list.
func ExampleValidationError() {
	c, _ := cwlogs.New("us-east-1", "AKIDEXAMPLE", "SECRET", cwlogs.WithEndpoint("http://127.0.0.1:1"))
	_, err := c.Action(context.Background(), cwlogs.ActionPutLogEvents, map[string]any{
		"logGroupName": "testLogGroup", "logStreamName": "testLogStream", "logEvents": []map[string]any{},
	})
	var ve *cwlogs.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field, "-", ve.Reason)
	}
	// Output:
	// logEvents - must hold at least 1 event (nothing was sent)
}

// ResolveEndpoint shows the partition-aware default endpoints.
func ExampleResolveEndpoint() {
	for _, r := range []string{"eu-west-1", "cn-north-1", "us-gov-west-1"} {
		u, _ := cwlogs.ResolveEndpoint(r, false, false)
		fmt.Println(u)
	}
	u, _ := cwlogs.ResolveEndpoint("us-east-1", true, true)
	fmt.Println(u)
	// Output:
	// https://logs.eu-west-1.amazonaws.com
	// https://logs.cn-north-1.amazonaws.com.cn
	// https://logs.us-gov-west-1.amazonaws.com
	// https://logs-fips.us-east-1.api.aws
}
