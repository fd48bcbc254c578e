package cwlogs

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func events(n int, msgLen int) []InputLogEvent {
	evs := make([]InputLogEvent, n)
	msg := strings.Repeat("x", msgLen)
	for i := range evs {
		evs[i] = InputLogEvent{Timestamp: int64(i), Message: msg}
	}
	return evs
}

// putAt returns a PutLogEvents call of one event per timestamp.
func putAt(ctx context.Context, ts ...int64) func(c *Client) error {
	return func(c *Client) error {
		evs := make([]InputLogEvent, len(ts))
		for i, t := range ts {
			evs[i] = InputLogEvent{Timestamp: t, Message: "m"}
		}
		_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: evs})
		return err
	}
}

func TestValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	now, day := time.Now().UnixMilli(), (24 * time.Hour).Milliseconds()
	manyTags := map[string]string{}
	for i := range 51 {
		manyTags["k"+strconv.Itoa(i)] = "v"
	}
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func(c *Client) error
		field string // "" means valid
	}{
		{"group name max ok", func(c *Client) error { return c.DeleteLogGroup(ctx, &DeleteLogGroupInput{long(512)}) }, ""},
		{"group name too long", func(c *Client) error { return c.DeleteLogGroup(ctx, &DeleteLogGroupInput{long(513)}) }, "logGroupName"},
		{"group name empty", func(c *Client) error { return c.DeleteLogGroup(ctx, &DeleteLogGroupInput{""}) }, "logGroupName"},
		{"group name bad char", func(c *Client) error { return c.DeleteLogGroup(ctx, &DeleteLogGroupInput{"a*b"}) }, "logGroupName"},
		{"group name all allowed chars", func(c *Client) error { return c.DeleteLogGroup(ctx, &DeleteLogGroupInput{"/aws.X-y_z#09"}) }, ""},
		{"create aws/ prefix", func(c *Client) error { return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "aws/x"}) }, "logGroupName"},
		{"nil input", func(c *Client) error { return c.CreateLogGroup(ctx, nil) }, "input"},
		{"kms too long", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", KmsKeyID: long(257)})
		}, "kmsKeyId"},
		{"class bad", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", LogGroupClass: "standard"})
		}, "logGroupClass"},
		{"class delivery", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", LogGroupClass: "DELIVERY"})
		}, ""},
		{"51 tags", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", Tags: manyTags})
		}, "tags"},
		{"tag key bad char", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", Tags: map[string]string{"a*": "v"}})
		}, "tags key"},
		{"tag key unicode letters ok", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", Tags: map[string]string{"Größe 9": "wert é"}})
		}, ""},
		{"tag key too long", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", Tags: map[string]string{long(129): "v"}})
		}, "tags key"},
		{"tag value too long", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", Tags: map[string]string{"k": long(257)}})
		}, `tags["k"]`},
		{"tag value bad char", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", Tags: map[string]string{"k": "a!"}})
		}, `tags["k"]`},
		{"tag value empty ok", func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", Tags: map[string]string{"k": ""}})
		}, ""},
		{"stream too long", func(c *Client) error {
			return c.CreateLogStream(ctx, &CreateLogStreamInput{"g", long(513)})
		}, "logStreamName"},
		{"stream star", func(c *Client) error { return c.CreateLogStream(ctx, &CreateLogStreamInput{"g", "a*"}) }, "logStreamName"},
		{"stream invalid utf8", func(c *Client) error { return c.CreateLogStream(ctx, &CreateLogStreamInput{"g", "a\xff"}) }, "logStreamName"},
		{"stream unicode ok", func(c *Client) error { return c.CreateLogStream(ctx, &CreateLogStreamInput{"g", "日本 / ok"}) }, ""},
		{"put no events", func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s"})
			return err
		}, "logEvents"},
		{"put 10000 events ok", func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: events(10000, 1)})
			return err
		}, ""},
		{"put 10001 events", func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: events(10001, 1)})
			return err
		}, "logEvents"},
		{"empty message", func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: []InputLogEvent{{1, "a"}, {2, ""}}})
			return err
		}, "logEvents[1].message"},
		{"negative timestamp", func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: []InputLogEvent{{-1, "a"}}})
			return err
		}, "logEvents[0].timestamp"},
		{"out of order", func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: []InputLogEvent{{5, "a"}, {5, "b"}, {4, "c"}}})
			return err
		}, "logEvents[2].timestamp"},
		{"span exactly 24h ok", putAt(ctx, now-day, now), ""},
		{"span over 24h", putAt(ctx, now-day-1, now), "logEvents[1].timestamp"},
		{"span over 24h in the future window", putAt(ctx, now-day+time.Hour.Milliseconds(), now+time.Hour.Milliseconds()+1), "logEvents[1].timestamp"},
		// Events older than 14 days or over 2 hours ahead are rejected one by one
		// by the service, which stores the rest: they do not count (a review found
		// [now-20d, now] refused, though AWS and the local server take it).
		{"too old event outside the span", putAt(ctx, now-20*day, now), ""},
		{"too new event outside the span", putAt(ctx, now-23*time.Hour.Milliseconds(), now+3*time.Hour.Milliseconds()), ""},
		{"event at the 14-day edge outside the span", putAt(ctx, now-14*day+time.Minute.Milliseconds(), now), ""},
		{"old events alone", putAt(ctx, 0, 86400001), ""},
		{"largest single event ok", func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: events(1, MaxEventBytes-EventOverheadBytes)})
			return err
		}, ""},
		{"single event too large", func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: events(1, MaxEventBytes-EventOverheadBytes+1)})
			return err
		}, "logEvents[0].message"},
		{"invalid UTF-8 counted as U+FFFD", func(c *Client) error {
			msg := strings.Repeat("x", MaxEventBytes-EventOverheadBytes-2) + "\xff"
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: []InputLogEvent{{1, msg}}})
			return err
		}, "logEvents[0].message"},
		{"batch exactly 1048576 ok", func(c *Client) error {
			// 8 events of 131046 bytes: 8*(131046+26) = 1048576.
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: events(8, 131046)})
			return err
		}, ""},
		{"batch one byte over", func(c *Client) error {
			evs := events(8, 131046)
			evs[7].Message += "y"
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: evs})
			return err
		}, "logEvents"},
		{"describe groups prefix and pattern", func(c *Client) error {
			_, err := c.DescribeLogGroups(ctx, &DescribeLogGroupsInput{LogGroupNamePrefix: "a", LogGroupNamePattern: "b"})
			return err
		}, "logGroupNamePattern"},
		{"describe groups limit 51", func(c *Client) error {
			_, err := c.DescribeLogGroups(ctx, &DescribeLogGroupsInput{Limit: 51})
			return err
		}, "limit"},
		{"describe groups limit negative", func(c *Client) error {
			_, err := c.DescribeLogGroups(ctx, &DescribeLogGroupsInput{Limit: -1})
			return err
		}, "limit"},
		{"describe streams name and identifier", func(c *Client) error {
			_, err := c.DescribeLogStreams(ctx, &DescribeLogStreamsInput{LogGroupName: "g", LogGroupIdentifier: "g"})
			return err
		}, "logGroupIdentifier"},
		{"describe streams neither", func(c *Client) error {
			_, err := c.DescribeLogStreams(ctx, &DescribeLogStreamsInput{})
			return err
		}, "logGroupName"},
		{"describe streams LastEventTime with prefix", func(c *Client) error {
			_, err := c.DescribeLogStreams(ctx, &DescribeLogStreamsInput{LogGroupName: "g", LogStreamNamePrefix: "p", OrderBy: OrderByLastEventTime})
			return err
		}, "orderBy"},
		{"describe streams bad orderBy", func(c *Client) error {
			_, err := c.DescribeLogStreams(ctx, &DescribeLogStreamsInput{LogGroupName: "g", OrderBy: "Name"})
			return err
		}, "orderBy"},
		{"identifier bad char", func(c *Client) error {
			_, err := c.DescribeLogStreams(ctx, &DescribeLogStreamsInput{LogGroupIdentifier: "arn:aws:logs:x:1:log-group:g:*"})
			return err
		}, "logGroupIdentifier"},
		{"get events limit 10001", func(c *Client) error {
			_, err := c.GetLogEvents(ctx, &GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", Limit: 10001})
			return err
		}, "limit"},
		{"get events negative start", func(c *Client) error {
			_, err := c.GetLogEvents(ctx, &GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", StartTime: ptr(int64(-1))})
			return err
		}, "startTime"},
		{"get events no stream", func(c *Client) error {
			_, err := c.GetLogEvents(ctx, &GetLogEventsInput{LogGroupName: "g"})
			return err
		}, "logStreamName"},
		{"filter names and prefix", func(c *Client) error {
			_, err := c.FilterLogEvents(ctx, &FilterLogEventsInput{LogGroupName: "g", LogStreamNames: []string{"a"}, LogStreamNamePrefix: "p"})
			return err
		}, "logStreamNamePrefix"},
		{"filter 101 names", func(c *Client) error {
			names := make([]string, 101)
			for i := range names {
				names[i] = "s"
			}
			_, err := c.FilterLogEvents(ctx, &FilterLogEventsInput{LogGroupName: "g", LogStreamNames: names})
			return err
		}, "logStreamNames"},
		{"filter empty names list", func(c *Client) error {
			_, err := c.FilterLogEvents(ctx, &FilterLogEventsInput{LogGroupName: "g", LogStreamNames: []string{}})
			return err
		}, "logStreamNames"},
		{"filter pattern too long", func(c *Client) error {
			_, err := c.FilterLogEvents(ctx, &FilterLogEventsInput{LogGroupName: "g", FilterPattern: long(1025)})
			return err
		}, "filterPattern"},
		{"retention 2 days", func(c *Client) error {
			return c.PutRetentionPolicy(ctx, &PutRetentionPolicyInput{LogGroupName: "g", RetentionInDays: 2})
		}, "retentionInDays"},
		{"retention 3653 ok", func(c *Client) error {
			return c.PutRetentionPolicy(ctx, &PutRetentionPolicyInput{LogGroupName: "g", RetentionInDays: 3653})
		}, ""},
		{"tag resource no tags", func(c *Client) error {
			return c.TagResource(ctx, &TagResourceInput{ResourceArn: "arn:x"})
		}, "tags"},
		{"arn too long", func(c *Client) error {
			return c.TagResource(ctx, &TagResourceInput{ResourceArn: long(1012), Tags: map[string]string{"k": "v"}})
		}, "resourceArn"},
		{"arn bad char", func(c *Client) error {
			_, err := c.ListTagsForResource(ctx, &ListTagsForResourceInput{ResourceArn: "arn x"})
			return err
		}, "resourceArn"},
		{"untag 51 keys", func(c *Client) error {
			return c.UntagResource(ctx, &UntagResourceInput{ResourceArn: "arn:x", TagKeys: make([]string, 51)})
		}, "tagKeys"},
		{"untag empty key", func(c *Client) error {
			return c.UntagResource(ctx, &UntagResourceInput{ResourceArn: "arn:x", TagKeys: []string{""}})
		}, "tagKeys[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLogs(t, nil)
			c := newTestClient(t, f)
			err := tc.call(c)
			sent := len(f.requests())
			if tc.field == "" {
				if err != nil || sent != 1 {
					t.Fatalf("valid input: err %v, %d requests", err, sent)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if ve.Field != tc.field {
				t.Errorf("Field = %q, want %q (%v)", ve.Field, tc.field, err)
			}
			if ve.Reason == "" || ve.Value == "" || ve.Operation == "" {
				t.Errorf("incomplete error %+v", ve)
			}
			if len(ve.Value) > 3*maxShownValue+2+3 {
				t.Errorf("Value not shortened: %d bytes", len(ve.Value))
			}
			if sent != 0 {
				t.Errorf("%d requests sent for invalid input", sent)
			}
		})
	}
}

// TestValidationCharMessages pins the character errors of the name-like fields.
func TestValidationCharMessages(t *testing.T) {
	for _, tc := range []struct {
		in     interface{ validate() error }
		field  string
		reason string
	}{
		{&DescribeLogStreamsInput{LogGroupIdentifier: "a b"}, "logGroupIdentifier", `contains ' '; allowed are letters, digits and _ # + = / : , . @ -`},
		{&ListTagsForResourceInput{ResourceArn: "arn#x"}, "resourceArn", `contains '#'; allowed are letters, digits and _ + = / : , . @ -`},
		{&DeleteLogGroupInput{LogGroupName: "a:b"}, "logGroupName", `contains ':' at byte 1; allowed are A-Z a-z 0-9 . - _ / #`},
		{&DescribeLogGroupsInput{LogGroupNamePattern: "ab*"}, "logGroupNamePattern", `contains '*' at byte 2; allowed are A-Z a-z 0-9 . - _ / #`},
		{&DescribeLogGroupsInput{LogGroupNamePattern: strings.Repeat("a", 513)}, "logGroupNamePattern", "is 513 characters long; the maximum is 512"},
		{&DescribeLogGroupsInput{LogGroupNamePattern: "\xff"}, "logGroupNamePattern", "is not valid UTF-8"},
		{&DescribeLogGroupsInput{LogGroupIdentifiers: []string{"a"}, LogGroupNamePrefix: "p"}, "logGroupNamePrefix", "must not be combined with logGroupIdentifiers"},
		{&DescribeLogGroupsInput{LogGroupIdentifiers: []string{"a"}, LogGroupNamePattern: "p"}, "logGroupNamePattern", "must not be combined with logGroupIdentifiers"},
		{&DescribeLogGroupsInput{LogGroupIdentifiers: []string{"a"}, LogGroupClass: "STANDARD"}, "logGroupClass", "must not be combined with logGroupIdentifiers"},
		{&DescribeLogGroupsInput{LogGroupIdentifiers: make([]string, 51)}, "logGroupIdentifiers", "must hold 1 to 50"},
		{&DescribeLogGroupsInput{LogGroupIdentifiers: []string{"ok", "a b"}}, "logGroupIdentifiers[1]", `contains ' '; allowed are letters, digits and _ # + = / : , . @ -`},
		{&DescribeLogGroupsInput{LogGroupIdentifiers: []string{""}}, "logGroupIdentifiers[0]", "is required and must not be empty"},
		{&DescribeLogGroupsInput{AccountIdentifiers: make([]string, 21)}, "accountIdentifiers", "must hold at most 20"},
		{&DescribeLogGroupsInput{AccountIdentifiers: []string{"123456789012", "12345678901x"}}, "accountIdentifiers[1]", "must be 12 digits"},
		{&CreateLogGroupInput{LogGroupName: "g", Tags: map[string]string{"b*": "v", "a*": "v"}}, "tags key", `must match ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`},
	} {
		var ve *ValidationError
		if err := tc.in.validate(); !errors.As(err, &ve) || ve.Field != tc.field || ve.Reason != tc.reason {
			t.Errorf("%T: err = %v, want field %q reason %q", tc.in, err, tc.field, tc.reason)
		}
	}
	var ve *ValidationError
	in := &CreateLogGroupInput{LogGroupName: "g", Tags: map[string]string{"b*": "v", "a*": "v", "c*": "v"}}
	if err := in.validate(); !errors.As(err, &ve) || ve.Value != `"a*"` {
		t.Errorf("tags: err = %v, want the first key in order", err)
	}
	if err := (&DescribeLogGroupsInput{LogGroupNamePattern: "/app-1_x.y#z"}).validate(); err != nil {
		t.Errorf("valid pattern: %v", err)
	}
}
