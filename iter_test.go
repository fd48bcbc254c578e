package cwlogs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestGetLogEventsIter(t *testing.T) {
	// Pages: 2 events, an empty page mid-stream, 1 event, then the end (the
	// token sent comes back).
	pages := map[string]string{
		"":    `{"events":[{"timestamp":1,"message":"a","ingestionTime":1},{"timestamp":2,"message":"b","ingestionTime":2}],"nextForwardToken":"f/1","nextBackwardToken":"b/0"}`,
		"f/1": `{"events":[],"nextForwardToken":"f/2","nextBackwardToken":"b/1"}`,
		"f/2": `{"events":[{"timestamp":3,"message":"c","ingestionTime":3}],"nextForwardToken":"f/3","nextBackwardToken":"b/2"}`,
		"f/3": `{"events":[],"nextForwardToken":"f/3","nextBackwardToken":"b/3"}`,
	}
	var sent []getLogEventsWire
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		var in getLogEventsWire
		_ = json.Unmarshal([]byte(s.Body), &in)
		sent = append(sent, in)
		if n >= 10 { // an iterator that does not stop on the repeated token fails, not hangs
			writeJSON(w, 400, `{"__type":"InvalidParameterException","message":"too many requests in the test"}`)
			return
		}
		writeJSON(w, 200, pages[in.NextToken])
	})
	c := newTestClient(t, f)
	in := &GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", Limit: 2}
	orig := *in
	var msgs []string
	for ev, err := range c.GetLogEventsIter(context.Background(), in) {
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, ev.Message)
	}
	if !reflect.DeepEqual(msgs, []string{"a", "b", "c"}) {
		t.Errorf("messages = %v", msgs)
	}
	if len(sent) != 4 {
		t.Fatalf("requests = %d, want 4", len(sent))
	}
	for i, want := range []string{"", "f/1", "f/2", "f/3"} {
		if sent[i].NextToken != want || !sent[i].StartFromHead || sent[i].Limit != 2 {
			t.Errorf("request %d = %+v, want token %q and startFromHead", i, sent[i], want)
		}
	}
	if !reflect.DeepEqual(*in, orig) {
		t.Errorf("input modified: %+v", *in)
	}

	// A caller's NextToken is where the iterator starts (a review's mutation
	// ignoring it went unnoticed).
	sent = nil
	msgs = nil
	for ev, err := range c.GetLogEventsIter(context.Background(), &GetLogEventsInput{LogGroupName: "g", LogStreamName: "s", NextToken: "f/2"}) {
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, ev.Message)
	}
	if len(sent) == 0 || sent[0].NextToken != "f/2" || !reflect.DeepEqual(msgs, []string{"c"}) {
		t.Errorf("starting at f/2: first request %+v, messages %v; want token f/2 and [c]", sent, msgs)
	}
}

func TestIteratorEarlyBreakAndError(t *testing.T) {
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		switch {
		case !json.Valid([]byte(s.Body)):
			writeJSON(w, 400, `{"__type":"SerializationException"}`)
		case !contains(s.Body, "nextToken"):
			writeJSON(w, 200, `{"logGroups":[{"logGroupName":"a"},{"logGroupName":"b"}],"nextToken":"t1"}`)
		default:
			writeJSON(w, 400, `{"__type":"InvalidParameterException","message":"The specified nextToken is invalid."}`)
		}
	})
	c := newTestClient(t, f)
	// Break after the first item: no second request.
	for g, err := range c.DescribeLogGroupsIter(context.Background(), nil) {
		if err != nil || g.LogGroupName != "a" {
			t.Fatalf("first = %+v, %v", g, err)
		}
		break
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("requests after break = %d, want 1", n)
	}
	var names []string
	var last error
	for g, err := range c.DescribeLogGroupsIter(context.Background(), &DescribeLogGroupsInput{Limit: 2}) {
		if err != nil {
			last = err
			continue
		}
		names = append(names, g.LogGroupName)
	}
	if !reflect.DeepEqual(names, []string{"a", "b"}) || !IsInvalidParameter(last) {
		t.Fatalf("names %v, err %v", names, last)
	}
	// Validation errors come out of the iterator before any request.
	var ve *ValidationError
	for _, err := range c.DescribeLogStreamsIter(context.Background(), &DescribeLogStreamsInput{}) {
		if !errors.As(err, &ve) {
			t.Fatalf("err = %v", err)
		}
	}
	if ve == nil || ve.Field != "logGroupName" {
		t.Fatalf("DescribeLogStreamsIter yielded %v, want the logGroupName ValidationError", ve)
	}
	// An empty (not nil) LogStreamNames survives the iterator's copy and is rejected.
	ve = nil
	for _, err := range c.FilterLogEventsIter(context.Background(), &FilterLogEventsInput{LogGroupName: "g", LogStreamNames: []string{}}) {
		if !errors.As(err, &ve) {
			t.Fatalf("err = %v", err)
		}
	}
	if ve == nil || ve.Field != "logStreamNames" {
		t.Fatalf("FilterLogEventsIter yielded %v, want the logStreamNames ValidationError", ve)
	}
	if n := len(f.requests()); n != 3 {
		t.Fatalf("requests = %d, want 3", n)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestPagedIterators(t *testing.T) {
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		var tok struct {
			NextToken string `json:"nextToken"`
		}
		_ = json.Unmarshal([]byte(s.Body), &tok)
		switch s.Target {
		case "Logs_20140328.DescribeLogStreams":
			if tok.NextToken == "" {
				writeJSON(w, 200, `{"logStreams":[{"logStreamName":"s1"}],"nextToken":"n"}`)
			} else {
				writeJSON(w, 200, `{"logStreams":[{"logStreamName":"s2"}]}`)
			}
		case "Logs_20140328.FilterLogEvents":
			if tok.NextToken == "" {
				writeJSON(w, 200, `{"events":[],"nextToken":"n","searchedLogStreams":[]}`)
			} else {
				writeJSON(w, 200, `{"events":[{"logStreamName":"s","timestamp":1,"message":"m","eventId":"1"}]}`)
			}
		}
	})
	c := newTestClient(t, f)
	var streams []string
	for s, err := range c.DescribeLogStreamsIter(context.Background(), &DescribeLogStreamsInput{LogGroupName: "g"}) {
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, s.LogStreamName)
	}
	names := []string{"s"}
	in := &FilterLogEventsInput{LogGroupName: "g", LogStreamNames: names}
	var evs []string
	for e, err := range c.FilterLogEventsIter(context.Background(), in) {
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e.EventID)
	}
	if !reflect.DeepEqual(streams, []string{"s1", "s2"}) || !reflect.DeepEqual(evs, []string{"1"}) {
		t.Fatalf("streams %v events %v", streams, evs)
	}
	if len(f.requests()) != 4 || in.NextToken != "" {
		t.Fatalf("requests %d, input token %q", len(f.requests()), in.NextToken)
	}
}
