package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// The original library's tests (electricimp/AWSCloudWatchLogs tests/agent.test.nut, run
// against live AWS; seed-original.md §3) replayed through the project's client against
// the local server. impUnit ran setUp once before the test case (creating testLogGroup) and
// tearDown once after it (deleting testLogGroup1, testLogGroup2 and testLogGroup); the
// tests ran in file order and share that state, so the replay does the same.

// seedOutcome is what a seed test expects: the HTTP status, and for an error the __type
// and AWS's exact message; tooOldEnd is rejectedLogEventsInfo.tooOldLogEventEndIndex when
// the test checks it.
type seedOutcome struct {
	status    int
	code      string
	message   string
	tooOldEnd int
}

// seedCall is one request of a seed test, expressed once and sent either through the
// seed-style Action API or through the typed API.
type seedCall struct {
	action cwlogs.ActionType
	params map[string]any
}

type seedCase struct {
	name string
	// setup runs first and must succeed (e.g. "create then delete": the create).
	setup []seedCall
	call  seedCall
	want  seedOutcome
	// stored lists messages that must be readable afterwards from (group, stream).
	storedGroup, storedStream string
	stored                    []string
}

// seedTimestamp renders a time the way the seed's tests built timestamps: time() followed
// by three digits of the microseconds, i.e. milliseconds since the epoch, as a string.
func seedTimestamp(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + strconv.Itoa(t.Nanosecond()/1e6 + 1000)[1:]
}

func seedCases(now time.Time) []seedCase {
	ms := seedTimestamp(now)
	seconds := strconv.FormatInt(now.Unix(), 10) // the test's mistake on purpose: too old
	const (
		group     = "testLogGroup"
		stream    = "testLogStream"
		aExists   = "ResourceAlreadyExistsException"
		notFound  = "ResourceNotFoundException"
		groupGone = "The specified log group does not exist."
	)
	create := func(g string, tags map[string]any) seedCall {
		p := map[string]any{"logGroupName": g}
		if tags != nil {
			p["tags"] = tags
		}
		return seedCall{cwlogs.ActionCreateLogGroup, p}
	}
	stream1 := func(a cwlogs.ActionType, g, s string) seedCall {
		return seedCall{a, map[string]any{"logGroupName": g, "logStreamName": s}}
	}
	put := func(s string, events ...map[string]any) seedCall {
		return seedCall{cwlogs.ActionPutLogEvents, map[string]any{"logGroupName": group, "logStreamName": s, "logEvents": events}}
	}
	ev := func(msg, ts string) map[string]any { return map[string]any{"message": msg, "timestamp": ts} }
	ok := seedOutcome{status: 200}
	return []seedCase{
		{name: "testCreatelogGroup", call: create("testLogGroup1", map[string]any{"tagKey1": "tagValue1", "tagKey2": "tagValue2"}), want: ok},
		{name: "testFailCreateLogGroup", call: create(group, nil),
			want: seedOutcome{status: 400, code: aExists, message: "The specified log group already exists"}},
		{name: "testCreateLogStream", call: stream1(cwlogs.ActionCreateLogStream, group, stream), want: ok},
		{name: "testDeleteLogStream", setup: []seedCall{stream1(cwlogs.ActionCreateLogStream, group, "testLogStream2")},
			call: stream1(cwlogs.ActionDeleteLogStream, group, "testLogStream2"), want: ok},
		{name: "testDeleteLogGroup", setup: []seedCall{create("testLogGroup3", nil)},
			call: seedCall{cwlogs.ActionDeleteLogGroup, map[string]any{"logGroupName": "testLogGroup3"}}, want: ok},
		{name: "testFailCreateLogStream", call: stream1(cwlogs.ActionCreateLogStream, group, stream),
			want: seedOutcome{status: 400, code: aExists, message: "The specified log stream already exists"}},
		{name: "testFailCreateLogStream2", call: stream1(cwlogs.ActionCreateLogStream, "testLogGroup2", stream),
			want: seedOutcome{status: 400, code: notFound, message: groupGone}},
		{name: "testFailDeleteLogGroup", call: seedCall{cwlogs.ActionDeleteLogGroup, map[string]any{"logGroupName": "testLogGroup2"}},
			want: seedOutcome{status: 400, code: notFound, message: groupGone}},
		{name: "testFailDeleteLogStream", call: stream1(cwlogs.ActionDeleteLogStream, group, "noSuchStream"),
			want: seedOutcome{status: 400, code: notFound, message: "The specified log stream does not exist."}},
		{name: "testPutLogEvent", call: put(stream, ev("single event", ms)), want: ok,
			storedGroup: group, storedStream: stream, stored: []string{"single event"}},
		{name: "testFailPutLogEvent", call: put(stream, ev("timestamp in seconds", seconds)),
			want: seedOutcome{status: 200, tooOldEnd: 1},
			// the too-old event is not stored: the stream still holds only the first event
			storedGroup: group, storedStream: stream, stored: []string{"single event"}},
		{name: "testPutLogEventMultiple", call: put(stream, ev("first of two", ms), ev("second of two", ms)), want: ok,
			storedGroup: group, storedStream: stream, stored: []string{"single event", "first of two", "second of two"}},
	}
}

// seedSender sends a seedCall and reports the outcome.
type seedSender func(ctx context.Context, t *testing.T, c *cwlogs.Client, call seedCall) seedOutcome

// sendAction uses the seed-style Action API and reads the raw response like the seed's
// callbacks did.
func sendAction(ctx context.Context, t *testing.T, c *cwlogs.Client, call seedCall) seedOutcome {
	t.Helper()
	resp, err := c.Action(ctx, call.action, call.params)
	if resp == nil {
		t.Fatalf("%s: no response: %v", call.action, err)
	}
	var apiErr *cwlogs.APIError
	if (resp.StatusCode >= 300) != errors.As(err, &apiErr) {
		t.Fatalf("%s: status %d but error %v", call.action, resp.StatusCode, err)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("%s: response without x-amzn-RequestId", call.action)
	}
	var body struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Rejected *struct {
			TooOld *int `json:"tooOldLogEventEndIndex"`
		} `json:"rejectedLogEventsInfo"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		t.Fatalf("%s: body %q is not JSON: %v", call.action, resp.Body, err)
	}
	out := seedOutcome{status: resp.StatusCode, code: body.Type, message: body.Message}
	if body.Rejected != nil && body.Rejected.TooOld != nil {
		out.tooOldEnd = *body.Rejected.TooOld
	}
	if apiErr != nil && (apiErr.Code != out.code || apiErr.Message != out.message) {
		t.Errorf("%s: APIError %q/%q disagrees with body %q/%q", call.action, apiErr.Code, apiErr.Message, out.code, out.message)
	}
	return out
}

// sendTyped converts the call to the typed API's input and reads the typed result.
func sendTyped(ctx context.Context, t *testing.T, c *cwlogs.Client, call seedCall) seedOutcome {
	t.Helper()
	str := func(k string) string { s, _ := call.params[k].(string); return s }
	var err error
	out := seedOutcome{status: 200}
	switch call.action {
	case cwlogs.ActionCreateLogGroup:
		in := &cwlogs.CreateLogGroupInput{LogGroupName: str("logGroupName")}
		if tags, ok := call.params["tags"].(map[string]any); ok {
			in.Tags = map[string]string{}
			for k, v := range tags {
				in.Tags[k] = v.(string)
			}
		}
		err = c.CreateLogGroup(ctx, in)
	case cwlogs.ActionCreateLogStream:
		err = c.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: str("logGroupName"), LogStreamName: str("logStreamName")})
	case cwlogs.ActionDeleteLogGroup:
		err = c.DeleteLogGroup(ctx, &cwlogs.DeleteLogGroupInput{LogGroupName: str("logGroupName")})
	case cwlogs.ActionDeleteLogStream:
		err = c.DeleteLogStream(ctx, &cwlogs.DeleteLogStreamInput{LogGroupName: str("logGroupName"), LogStreamName: str("logStreamName")})
	case cwlogs.ActionPutLogEvents:
		in := &cwlogs.PutLogEventsInput{LogGroupName: str("logGroupName"), LogStreamName: str("logStreamName")}
		for _, e := range call.params["logEvents"].([]map[string]any) {
			ts, perr := strconv.ParseInt(e["timestamp"].(string), 10, 64)
			if perr != nil {
				t.Fatal(perr)
			}
			in.LogEvents = append(in.LogEvents, cwlogs.InputLogEvent{Timestamp: ts, Message: e["message"].(string)})
		}
		var po *cwlogs.PutLogEventsOutput
		po, err = c.PutLogEvents(ctx, in)
		if err == nil {
			if po.NextSequenceToken == "" {
				t.Errorf("PutLogEvents: empty nextSequenceToken")
			}
			if r := po.RejectedLogEventsInfo; r != nil && r.TooOldLogEventEndIndex != nil {
				out.tooOldEnd = *r.TooOldLogEventEndIndex
			}
		}
	default:
		t.Fatalf("no typed form for %s", call.action)
	}
	if err != nil {
		var apiErr *cwlogs.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("%s: %v is not an *APIError", call.action, err)
		}
		out = seedOutcome{status: apiErr.StatusCode, code: apiErr.Code, message: apiErr.Message}
		// The sentinels must agree with the code.
		if cwlogs.IsNotFound(err) != (apiErr.Code == cwlogs.CodeResourceNotFound) ||
			cwlogs.IsAlreadyExists(err) != (apiErr.Code == cwlogs.CodeResourceAlreadyExists) {
			t.Errorf("%s: IsNotFound/IsAlreadyExists disagree with code %s", call.action, apiErr.Code)
		}
	}
	return out
}

func TestSeedCases(t *testing.T) {
	srv := startServer(t)
	for _, api := range []struct {
		name string
		send seedSender
	}{{"Action", sendAction}, {"Typed", sendTyped}} {
		t.Run(api.name, func(t *testing.T) {
			ctx := context.Background()
			c := newClient(t, srv.URL())
			// setUp
			if got := api.send(ctx, t, c, seedCall{cwlogs.ActionCreateLogGroup, map[string]any{"logGroupName": "testLogGroup"}}); got.status != http.StatusOK {
				t.Fatalf("setUp: create testLogGroup: %+v", got)
			}
			// tearDown: the seed ignored failures here (testLogGroup2 never exists).
			defer func() {
				for _, g := range []string{"testLogGroup1", "testLogGroup2", "testLogGroup"} {
					c.DeleteLogGroup(ctx, &cwlogs.DeleteLogGroupInput{LogGroupName: g})
				}
				got, err := c.DescribeLogGroups(ctx, &cwlogs.DescribeLogGroupsInput{LogGroupNamePrefix: "testLogGroup"})
				if err != nil {
					t.Fatal(err)
				}
				if len(got.LogGroups) != 0 {
					t.Errorf("after tearDown: groups %+v remain", got.LogGroups)
				}
			}()
			for _, tc := range seedCases(time.Now()) {
				t.Run(tc.name, func(t *testing.T) {
					for _, s := range tc.setup {
						if got := api.send(ctx, t, c, s); got.status != http.StatusOK {
							t.Fatalf("setup %s: %+v", s.action, got)
						}
					}
					if got := api.send(ctx, t, c, tc.call); got != tc.want {
						t.Errorf("%s %v:\n got %+v\nwant %+v", tc.call.action, tc.call.params, got, tc.want)
					}
					if tc.stored != nil {
						checkStored(ctx, t, c, tc.storedGroup, tc.storedStream, tc.stored)
					}
				})
			}
			// testCreatelogGroup's tags reached the group.
			arn := "arn:aws:logs:" + testRegion + ":" + testAccountID + ":log-group:testLogGroup1"
			tags, err := c.ListTagsForResource(ctx, &cwlogs.ListTagsForResourceInput{ResourceArn: arn})
			if err != nil {
				t.Fatal(err)
			}
			if len(tags.Tags) != 2 || tags.Tags["tagKey1"] != "tagValue1" || tags.Tags["tagKey2"] != "tagValue2" {
				t.Errorf("tags of testLogGroup1 = %v", tags.Tags)
			}
		})
	}
}

// checkStored reads the whole stream from the head and compares the messages.
func checkStored(ctx context.Context, t *testing.T, c *cwlogs.Client, group, stream string, want []string) {
	t.Helper()
	var got []string
	for ev, err := range c.GetLogEventsIter(ctx, &cwlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream}) {
		if err != nil {
			t.Fatalf("GetLogEvents: %v", err)
		}
		got = append(got, ev.Message)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("stored messages = %q, want %q", got, want)
	}
}
