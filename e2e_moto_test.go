package cwlogs_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/testpeer"
)

// The original library's own test cases (electricimp/AWSCloudWatchLogs
// tests/agent.test.nut), run against moto_server through Action with the
// seed's params, and through the typed API.

type seedCase struct {
	name   string
	setup  []cwlogs.ActionType // extra actions on the case's params before the checked one
	action cwlogs.ActionType
	params func() map[string]any
	status int
	msg    string // expected "message" of a 400 body (the live-AWS text the seed's tests recorded)
	// motoMsg is moto_server's text where it differs from AWS (moto reports
	// stream errors with the group's wording); "" means moto matches AWS.
	motoMsg string
	check   func(t *testing.T, body []byte)
}

// seedTimestamp is the seed's timestamp: time() seconds followed by three
// millisecond digits, as a string.
func seedTimestamp(now time.Time) string {
	return strconv.FormatInt(now.Unix(), 10) + now.Format(".000")[1:]
}

func seedCases() []seedCase {
	group := func(name string) func() map[string]any {
		return func() map[string]any { return map[string]any{"logGroupName": name} }
	}
	stream := func(g, s string) func() map[string]any {
		return func() map[string]any { return map[string]any{"logGroupName": g, "logStreamName": s} }
	}
	return []seedCase{
		{name: "testCreatelogGroup", action: cwlogs.ActionCreateLogGroup, status: 200, params: func() map[string]any {
			return map[string]any{"logGroupName": "testLogGroup1", "tags": map[string]string{"Environment": "test", "Team": "imp"}}
		}},
		{name: "testFailCreateLogGroup", action: cwlogs.ActionCreateLogGroup, params: group("testLogGroup"),
			status: 400, msg: "The specified log group already exists"},
		{name: "testCreateLogStream", action: cwlogs.ActionCreateLogStream, params: stream("testLogGroup", "testLogStream"), status: 200},
		{name: "testDeleteLogStream", setup: []cwlogs.ActionType{cwlogs.ActionCreateLogStream}, action: cwlogs.ActionDeleteLogStream,
			params: stream("testLogGroup", "testLogStream"), status: 200},
		{name: "testDeleteLogGroup", setup: []cwlogs.ActionType{cwlogs.ActionCreateLogGroup}, action: cwlogs.ActionDeleteLogGroup,
			params: group("testLogGroup2"), status: 200},
		{name: "testFailCreateLogStream", setup: []cwlogs.ActionType{cwlogs.ActionCreateLogStream}, action: cwlogs.ActionCreateLogStream,
			params: stream("testLogGroup", "testLogStream"), status: 400, msg: "The specified log stream already exists",
			motoMsg: "The specified log group already exists"},
		{name: "testFailCreateLogStream2", action: cwlogs.ActionCreateLogStream, params: stream("testLogGroup3", "testLogStream"),
			status: 400, msg: "The specified log group does not exist."},
		{name: "testFailDeleteLogGroup", action: cwlogs.ActionDeleteLogGroup, params: group("testLogGroup3"),
			status: 400, msg: "The specified log group does not exist."},
		{name: "testFailDeleteLogStream", action: cwlogs.ActionDeleteLogStream, params: stream("testLogGroup", "testLogStream"),
			status: 400, msg: "The specified log stream does not exist.", motoMsg: "The specified log group does not exist."},
		{name: "testPutLogEvent", setup: []cwlogs.ActionType{cwlogs.ActionCreateLogStream}, action: cwlogs.ActionPutLogEvents, status: 200,
			params: func() map[string]any {
				return map[string]any{"logGroupName": "testLogGroup", "logStreamName": "testLogStream",
					"logEvents": []map[string]any{{"message": "testMessage", "timestamp": seedTimestamp(time.Now())}}}
			}},
		{name: "testFailPutLogEvent", setup: []cwlogs.ActionType{cwlogs.ActionCreateLogStream}, action: cwlogs.ActionPutLogEvents, status: 200,
			params: func() map[string]any {
				return map[string]any{"logGroupName": "testLogGroup", "logStreamName": "testLogStream",
					"logEvents": []map[string]any{{"message": "testMessage", "timestamp": strconv.FormatInt(time.Now().Unix(), 10)}}}
			},
			check: func(t *testing.T, body []byte) {
				var out cwlogs.PutLogEventsOutput
				if err := json.Unmarshal(body, &out); err != nil {
					t.Fatal(err)
				}
				if !tooOldOK(out.RejectedLogEventsInfo) {
					t.Errorf("body %s: want rejectedLogEventsInfo.tooOldLogEventEndIndex", body)
				}
			}},
		{name: "testPutLogEventMultiple", setup: []cwlogs.ActionType{cwlogs.ActionCreateLogStream}, action: cwlogs.ActionPutLogEvents, status: 200,
			params: func() map[string]any {
				ts := seedTimestamp(time.Now())
				return map[string]any{"logGroupName": "testLogGroup", "logStreamName": "testLogStream",
					"logEvents": []map[string]any{{"message": "testMessage", "timestamp": ts}, {"message": "testMessage2", "timestamp": ts}}}
			}},
	}
}

// tooOldOK checks the rejection of a one-event batch whose event is too old.
// Live AWS answered tooOldLogEventEndIndex 1 (exclusive end) in the seed's
// tests; moto_server answers 0 (the inclusive index of the last too-old
// event). Both mean "event 0 was too old"; anything else is wrong.
func tooOldOK(r *cwlogs.RejectedLogEventsInfo) bool {
	return r != nil && r.TooOldLogEventEndIndex != nil && (*r.TooOldLogEventEndIndex == 1 || *r.TooOldLogEventEndIndex == 0) &&
		r.TooNewLogEventStartIndex == nil && r.ExpiredLogEventEndIndex == nil
}

// wantMsg is the message expected from moto_server.
func (c seedCase) wantMsg() string {
	if c.motoMsg != "" {
		return c.motoMsg
	}
	return c.msg
}

func motoClient(t *testing.T) *cwlogs.Client {
	t.Helper()
	ep := testpeer.Moto(t)
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(ep))
	if err != nil {
		t.Fatal(err)
	}
	// The seed's setUp: create testLogGroup.
	resp, err := c.Action(context.Background(), cwlogs.ActionCreateLogGroup, map[string]any{"logGroupName": "testLogGroup"})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("setUp: %v", err)
	}
	return c
}

func TestSeedCasesActionMoto(t *testing.T) {
	ctx := context.Background()
	for _, tc := range seedCases() {
		t.Run(tc.name, func(t *testing.T) {
			c := motoClient(t)
			for _, a := range tc.setup {
				p := tc.params()
				if a == cwlogs.ActionCreateLogStream {
					p = map[string]any{"logGroupName": p["logGroupName"], "logStreamName": "testLogStream"}
				}
				if _, err := c.Action(ctx, a, p); err != nil {
					t.Fatalf("setup %s: %v", a, err)
				}
			}
			resp, err := c.Action(ctx, tc.action, tc.params())
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (body %s)", resp.StatusCode, tc.status, resp.Body)
			}
			if tc.status != 200 {
				var body struct {
					Message string `json:"message"`
				}
				if jerr := json.Unmarshal(resp.Body, &body); jerr != nil || body.Message != tc.wantMsg() {
					t.Errorf("message %q, want %q (%v)", body.Message, tc.wantMsg(), jerr)
				}
				var ae *cwlogs.APIError
				if !errors.As(err, &ae) || ae.Message != tc.wantMsg() || ae.StatusCode != 400 {
					t.Errorf("err = %v, want *APIError with the message", err)
				}
			} else if err != nil {
				t.Fatalf("err = %v", err)
			}
			if tc.check != nil {
				tc.check(t, resp.Body)
			}
		})
	}
}

func TestSeedCasesTypedMoto(t *testing.T) {
	ctx := context.Background()
	const g, s = "testLogGroup", "testLogStream"
	now := time.Now()
	tests := []struct {
		name  string
		run   func(c *cwlogs.Client) error
		check func(err error) bool
		msg   string
	}{
		{"testCreatelogGroup", func(c *cwlogs.Client) error {
			return c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: "testLogGroup1", Tags: map[string]string{"Environment": "test"}})
		}, nil, ""},
		{"testFailCreateLogGroup", func(c *cwlogs.Client) error {
			return c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: g})
		}, cwlogs.IsAlreadyExists, "The specified log group already exists"},
		{"testCreateLogStream", func(c *cwlogs.Client) error {
			return c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: s})
		}, nil, ""},
		{"testDeleteLogStream", func(c *cwlogs.Client) error {
			if err := c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: s}); err != nil {
				return err
			}
			return c.DeleteLogStream(ctx, &cwlogs.DeleteLogStreamInput{LogGroupName: g, LogStreamName: s})
		}, nil, ""},
		{"testDeleteLogGroup", func(c *cwlogs.Client) error {
			if err := c.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: "testLogGroup2"}); err != nil {
				return err
			}
			return c.DeleteLogGroup(ctx, &cwlogs.DeleteLogGroupInput{LogGroupName: "testLogGroup2"})
		}, nil, ""},
		{"testFailCreateLogStream", func(c *cwlogs.Client) error {
			if err := c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: s}); err != nil {
				return err
			}
			return c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: s})
		}, cwlogs.IsAlreadyExists, "The specified log group already exists"}, // AWS: "... log stream already exists"; moto uses the group's text
		{"testFailCreateLogStream2", func(c *cwlogs.Client) error {
			return c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: "testLogGroup3", LogStreamName: s})
		}, cwlogs.IsNotFound, "The specified log group does not exist."},
		{"testFailDeleteLogGroup", func(c *cwlogs.Client) error {
			return c.DeleteLogGroup(ctx, &cwlogs.DeleteLogGroupInput{LogGroupName: "testLogGroup3"})
		}, cwlogs.IsNotFound, "The specified log group does not exist."},
		{"testFailDeleteLogStream", func(c *cwlogs.Client) error {
			return c.DeleteLogStream(ctx, &cwlogs.DeleteLogStreamInput{LogGroupName: g, LogStreamName: s})
		}, cwlogs.IsNotFound, "The specified log group does not exist."}, // AWS: "... log stream does not exist."; moto uses the group's text
		{"testPutLogEvent", func(c *cwlogs.Client) error {
			_ = c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: s})
			out, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: g, LogStreamName: s,
				LogEvents: []cwlogs.InputLogEvent{{Timestamp: cwlogs.Millis(now), Message: "testMessage"}}})
			if err == nil && out.RejectedLogEventsInfo != nil {
				return errors.New("event rejected")
			}
			return err
		}, nil, ""},
		{"testFailPutLogEvent", func(c *cwlogs.Client) error {
			_ = c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: s})
			out, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: g, LogStreamName: s,
				LogEvents: []cwlogs.InputLogEvent{{Timestamp: now.Unix(), Message: "testMessage"}}})
			if err != nil {
				return err
			}
			if !tooOldOK(out.RejectedLogEventsInfo) {
				return errors.New("want tooOldLogEventEndIndex for event 0")
			}
			return nil
		}, nil, ""},
		{"testPutLogEventMultiple", func(c *cwlogs.Client) error {
			_ = c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: s})
			ts := cwlogs.Millis(now)
			if _, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: g, LogStreamName: s,
				LogEvents: []cwlogs.InputLogEvent{{Timestamp: ts, Message: "testMessage"}, {Timestamp: ts, Message: "testMessage2"}}}); err != nil {
				return err
			}
			var got []string
			for ev, err := range c.GetLogEventsIter(ctx, &cwlogs.GetLogEventsInput{LogGroupName: g, LogStreamName: s}) {
				if err != nil {
					return err
				}
				got = append(got, ev.Message)
			}
			if len(got) != 2 || got[0] != "testMessage" || got[1] != "testMessage2" {
				return errors.New("read back " + strconv.Quote(got[0]))
			}
			return nil
		}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := motoClient(t)
			err := tc.run(c)
			if tc.check == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae *cwlogs.APIError
			if !tc.check(err) || !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Message != tc.msg {
				t.Fatalf("err = %v, want HTTP 400 %q", err, tc.msg)
			}
		})
	}
}

func TestReadSideMoto(t *testing.T) {
	ctx := context.Background()
	c := motoClient(t)
	for i := range 3 {
		if err := c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: "testLogGroup", LogStreamName: "s" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, err := range c.DescribeLogStreamsIter(ctx, &cwlogs.DescribeLogStreamsInput{LogGroupName: "testLogGroup", Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("streams = %d, want 3", n)
	}
	if err := c.PutRetentionPolicy(ctx, &cwlogs.PutRetentionPolicyInput{LogGroupName: "testLogGroup", RetentionInDays: 7}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeLogGroups(ctx, &cwlogs.DescribeLogGroupsInput{LogGroupNamePrefix: "testLogGroup"})
	if err != nil || len(out.LogGroups) != 1 || out.LogGroups[0].RetentionInDays != 7 {
		t.Fatalf("DescribeLogGroups = %+v, %v", out, err)
	}
	arn := out.LogGroups[0].LogGroupArn
	if arn == "" {
		arn = "arn:aws:logs:us-east-1:123456789012:log-group:testLogGroup"
	}
	if err := c.TagResource(ctx, &cwlogs.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &cwlogs.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || tags.Tags["k"] != "v" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	if err := c.UntagResource(ctx, &cwlogs.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	ts := cwlogs.Millis(time.Now())
	if _, err := c.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: "testLogGroup", LogStreamName: "s1",
		LogEvents: []cwlogs.InputLogEvent{{Timestamp: ts, Message: "ERROR one"}, {Timestamp: ts + 1, Message: "INFO two"}}}); err != nil {
		t.Fatal(err)
	}
	var found []string
	for ev, err := range c.FilterLogEventsIter(ctx, &cwlogs.FilterLogEventsInput{LogGroupName: "testLogGroup", FilterPattern: "ERROR"}) {
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, ev.Message)
	}
	if len(found) != 1 || found[0] != "ERROR one" {
		t.Errorf("filtered = %q", found)
	}
	if err := c.DeleteRetentionPolicy(ctx, &cwlogs.DeleteRetentionPolicyInput{LogGroupName: "testLogGroup"}); err != nil {
		t.Fatal(err)
	}
}
