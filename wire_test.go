package cwlogs

import (
	"context"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// TestWireRequests checks, for every operation, the exact body, the
// protocol headers and that the request verifies under SigV4.
func TestWireRequests(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func(c *Client) error
		target string
		body   string
	}{
		{"CreateLogGroup", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", Tags: map[string]string{"b": "2", "a": "1"}, LogGroupClass: "STANDARD"})
		}, "CreateLogGroup", `{"logGroupName":"g","tags":{"a":"1","b":"2"},"logGroupClass":"STANDARD"}`},
		{"CreateLogStream", func(c *Client) error {
			return c.CreateLogStream(ctx, &CreateLogStreamInput{LogGroupName: "g", LogStreamName: "s"})
		}, "CreateLogStream", `{"logGroupName":"g","logStreamName":"s"}`},
		{"DeleteLogGroup", func(c *Client) error { return c.DeleteLogGroup(ctx, &DeleteLogGroupInput{LogGroupName: "g"}) },
			"DeleteLogGroup", `{"logGroupName":"g"}`},
		{"DeleteLogStream", func(c *Client) error {
			return c.DeleteLogStream(ctx, &DeleteLogStreamInput{LogGroupName: "g", LogStreamName: "s"})
		}, "DeleteLogStream", `{"logGroupName":"g","logStreamName":"s"}`},
		{"PutLogEvents escaping", func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s/\"1\"",
				LogEvents: []InputLogEvent{{1, "a\"b\\c\nd\x01 <&> \u2028 \xff é"}, {2, "x"}}, SequenceToken: "tok"})
			return err
		}, "PutLogEvents", `{"logGroupName":"g","logStreamName":"s/\"1\"","logEvents":[{"message":"a\"b\\c\nd\u0001 <&> \u2028 \ufffd é","timestamp":1},{"message":"x","timestamp":2}],"sequenceToken":"tok"}`},
		{"DescribeLogGroups nil", func(c *Client) error { _, err := c.DescribeLogGroups(ctx, nil); return err },
			"DescribeLogGroups", `{}`},
		{"DescribeLogGroups", func(c *Client) error {
			_, err := c.DescribeLogGroups(ctx, &DescribeLogGroupsInput{LogGroupNamePrefix: "/app", Limit: 5, NextToken: "n"})
			return err
		}, "DescribeLogGroups", `{"logGroupNamePrefix":"/app","limit":5,"nextToken":"n"}`},
		{"DescribeLogGroups identifiers", func(c *Client) error {
			_, err := c.DescribeLogGroups(ctx, &DescribeLogGroupsInput{LogGroupIdentifiers: []string{"a", "arn:aws:logs:us-east-1:123456789012:log-group:b"},
				IncludeLinkedAccounts: true, AccountIdentifiers: []string{"123456789012"}})
			return err
		}, "DescribeLogGroups", `{"logGroupIdentifiers":["a","arn:aws:logs:us-east-1:123456789012:log-group:b"],"includeLinkedAccounts":true,"accountIdentifiers":["123456789012"]}`},
		{"DescribeLogStreams", func(c *Client) error {
			_, err := c.DescribeLogStreams(ctx, &DescribeLogStreamsInput{LogGroupIdentifier: "arn:aws:logs:us-east-1:123456789012:log-group:g", OrderBy: OrderByLastEventTime, Descending: true})
			return err
		}, "DescribeLogStreams", `{"logGroupIdentifier":"arn:aws:logs:us-east-1:123456789012:log-group:g","orderBy":"LastEventTime","descending":true}`},
		{"GetLogEvents", func(c *Client) error {
			_, err := c.GetLogEvents(ctx, &GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", StartTime: ptr(int64(0)), EndTime: ptr(int64(5)), StartFromHead: true, Unmask: true})
			return err
		}, "GetLogEvents", `{"logGroupName":"g","logStreamName":"s","startTime":0,"endTime":5,"startFromHead":true,"unmask":true}`},
		{"FilterLogEvents", func(c *Client) error {
			_, err := c.FilterLogEvents(ctx, &FilterLogEventsInput{LogGroupName: "g", LogStreamNames: []string{"a", "b"}, FilterPattern: "ERROR", Limit: 10, Unmask: true})
			return err
		}, "FilterLogEvents", `{"logGroupName":"g","logStreamNames":["a","b"],"filterPattern":"ERROR","limit":10,"unmask":true}`},
		{"PutRetentionPolicy", func(c *Client) error {
			return c.PutRetentionPolicy(ctx, &PutRetentionPolicyInput{LogGroupName: "g", RetentionInDays: 14})
		}, "PutRetentionPolicy", `{"logGroupName":"g","retentionInDays":14}`},
		{"DeleteRetentionPolicy", func(c *Client) error {
			return c.DeleteRetentionPolicy(ctx, &DeleteRetentionPolicyInput{LogGroupName: "g"})
		}, "DeleteRetentionPolicy", `{"logGroupName":"g"}`},
		{"TagResource", func(c *Client) error {
			return c.TagResource(ctx, &TagResourceInput{ResourceArn: "arn:aws:logs:us-east-1:1:log-group:g", Tags: map[string]string{"k": "v"}})
		}, "TagResource", `{"resourceArn":"arn:aws:logs:us-east-1:1:log-group:g","tags":{"k":"v"}}`},
		{"UntagResource empty", func(c *Client) error {
			return c.UntagResource(ctx, &UntagResourceInput{ResourceArn: "arn:x"})
		}, "UntagResource", `{"resourceArn":"arn:x","tagKeys":[]}`},
		{"ListTagsForResource", func(c *Client) error {
			_, err := c.ListTagsForResource(ctx, &ListTagsForResourceInput{ResourceArn: "arn:x"})
			return err
		}, "ListTagsForResource", `{"resourceArn":"arn:x"}`},
		{"Action PutLogEvents seed params", func(c *Client) error {
			_, err := c.Action(ctx, ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s",
				"logEvents": []map[string]any{{"message": "hi", "timestamp": "1530000000123"}}})
			return err
		}, "PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"message":"hi","timestamp":1530000000123}]}`},
		{"Action CreateLogGroup tags", func(c *Client) error {
			_, err := c.Action(ctx, ActionCreateLogGroup, map[string]any{"logGroupName": "g", "tags": map[string]any{"Env": "test"}})
			return err
		}, "CreateLogGroup", `{"logGroupName":"g","tags":{"Env":"test"}}`},
		{"Action other operation verbatim", func(c *Client) error {
			_, err := c.Action(ctx, "DescribeMetricFilters", map[string]any{"logGroupName": "g", "limit": 3})
			return err
		}, "DescribeMetricFilters", `{"limit":3,"logGroupName":"g"}`},
		{"Action other operation time.Time", func(c *Client) error {
			_, err := c.Action(ctx, "StartQuery", map[string]any{"startTime": time.UnixMilli(1000).UTC(), "queryString": "x"})
			return err
		}, "StartQuery", `{"queryString":"x","startTime":1000}`},
		{"Invoke nil body", func(c *Client) error { _, err := c.Invoke(ctx, "DescribeDestinations", nil); return err },
			"DescribeDestinations", `{}`},
	}
	for _, tc := range tests {
		for _, token := range []string{"", testToken} {
			name := tc.name
			if token != "" {
				name += " with session token"
			}
			t.Run(name, func(t *testing.T) {
				f := newFakeLogs(t, nil)
				c := newTestClient(t, f, WithSessionToken(token))
				if err := tc.call(c); err != nil {
					t.Fatalf("call: %v", err)
				}
				reqs := f.requests()
				if len(reqs) != 1 {
					t.Fatalf("got %d requests, want 1", len(reqs))
				}
				r := reqs[0]
				if r.Method != "POST" || r.Path != "/" {
					t.Errorf("request line = %s %s, want POST /", r.Method, r.Path)
				}
				if r.Target != "Logs_20140328."+tc.target {
					t.Errorf("X-Amz-Target = %q", r.Target)
				}
				if r.ContentType != "application/x-amz-json-1.1" {
					t.Errorf("Content-Type = %q", r.ContentType)
				}
				if r.Body != tc.body {
					t.Errorf("body\n got %s\nwant %s", r.Body, tc.body)
				}
				if r.VerifyErr != nil {
					t.Fatalf("signature does not verify: %v", r.VerifyErr)
				}
				want := "content-length;content-type;host;x-amz-date;x-amz-target"
				if token != "" {
					want = "content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
				}
				if got := r.signedHeaders(); got != want {
					t.Errorf("SignedHeaders = %q, want %q", got, want)
				}
				if r.Token != token {
					t.Errorf("X-Amz-Security-Token = %q, want %q", r.Token, token)
				}
				if r.Ident.Region != "us-east-1" || r.Ident.Service != "logs" {
					t.Errorf("scope = %s/%s", r.Ident.Region, r.Ident.Service)
				}
			})
		}
	}
}

func TestEndpointPathKept(t *testing.T) {
	f := newFakeLogs(t, nil)
	c, err := New("eu-west-1", testAKID, testSecret, WithEndpoint(f.srv.URL+"/logs-proxy/"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteLogGroup(context.Background(), &DeleteLogGroupInput{LogGroupName: "g"}); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Path != "/logs-proxy/" || r.VerifyErr != nil || r.Ident.Region != "eu-west-1" {
		t.Fatalf("path %q, verify %v, ident %+v", r.Path, r.VerifyErr, r.Ident)
	}
	if !strings.Contains(c.String(), "eu-west-1") {
		t.Errorf("String() = %q", c.String())
	}
}
