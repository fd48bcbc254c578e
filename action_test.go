package cwlogs

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestActionTimestampForms(t *testing.T) {
	ts := time.UnixMilli(1530000000123)
	tests := []struct {
		name string
		ts   any
	}{
		{"digit string", "1530000000123"},
		{"int64", int64(1530000000123)},
		{"uint64", uint64(1530000000123)},
		{"float64 from JSON", float64(1530000000123)},
		{"json.Number", json.Number("1530000000123")},
		{"time.Time", ts},
		{"*time.Time", &ts},
	}
	if strconv.IntSize == 64 { // a timestamp in milliseconds does not fit a 32-bit int
		tests = append(tests, struct {
			name string
			ts   any
		}{"int", int(ts.UnixMilli())})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLogs(t, nil)
			c := newTestClient(t, f)
			_, err := c.Action(context.Background(), ActionPutLogEvents, map[string]any{
				"logGroupName": "g", "logStreamName": "s",
				"logEvents": []any{map[string]any{"message": "m", "timestamp": tc.ts}},
			})
			if err != nil {
				t.Fatal(err)
			}
			want := `{"logGroupName":"g","logStreamName":"s","logEvents":[{"message":"m","timestamp":1530000000123}]}`
			if got := f.requests()[0].Body; got != want {
				t.Errorf("body %s, want %s", got, want)
			}
		})
	}
}

func TestActionEventListForms(t *testing.T) {
	want := `{"logGroupName":"g","logStreamName":"s","logEvents":[{"message":"a","timestamp":1},{"message":"b","timestamp":2}],"sequenceToken":"49590"}`
	for _, tc := range []struct {
		name   string
		events any
	}{
		{"[]map[string]any", []map[string]any{{"message": "a", "timestamp": 1}, {"message": "b", "timestamp": "2"}}},
		{"[]map[string]string", []map[string]string{{"message": "a", "timestamp": "1"}, {"message": "b", "timestamp": "2"}}},
		{"[]any mixed", []any{map[string]string{"message": "a", "timestamp": "1"}, InputLogEvent{2, "b"}}},
		{"[]InputLogEvent", []InputLogEvent{{1, "a"}, {2, "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLogs(t, nil)
			c := newTestClient(t, f)
			if _, err := c.Action(context.Background(), ActionPutLogEvents, map[string]any{
				"logGroupName": "g", "logStreamName": "s", "logEvents": tc.events, "sequenceToken": "49590"}); err != nil {
				t.Fatal(err)
			}
			if got := f.requests()[0].Body; got != want {
				t.Errorf("body %s, want %s", got, want)
			}
		})
	}
}

func TestActionPassThroughAndResponse(t *testing.T) {
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Custom", "kept")
		writeJSON(w, 200, `{"nextSequenceToken":"t2"}`)
	})
	c := newTestClient(t, f)
	resp, err := c.Action(context.Background(), ActionCreateLogGroup, map[string]any{
		"logGroupName": "g", "deletionProtectionEnabled": true, "tags": map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.requests()[0].Body, `{"deletionProtectionEnabled":true,"logGroupName":"g","tags":{"a":"b"}}`; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	if resp.StatusCode != 200 || resp.Header.Get("x-custom") != "kept" || resp.Header.Get("x-amzn-requestid") != "req-1234" ||
		string(resp.Body) != `{"nextSequenceToken":"t2"}` {
		t.Errorf("response = %d %v %s", resp.StatusCode, resp.Header, resp.Body)
	}
}

func TestActionAPIErrorReturnsResponse(t *testing.T) {
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"__type":"ResourceAlreadyExistsException","message":"The specified log group already exists"}`)
	})
	c := newTestClient(t, f)
	resp, err := c.Action(context.Background(), ActionCreateLogGroup, map[string]any{"logGroupName": "g"})
	var ae *APIError
	if !errors.As(err, &ae) || !IsAlreadyExists(err) {
		t.Fatalf("err = %v", err)
	}
	if resp == nil || resp.StatusCode != 400 || !strings.Contains(string(resp.Body), "already exists") {
		t.Fatalf("resp = %+v", resp)
	}
	if ae.Message != "The specified log group already exists" || ae.RequestID != "req-1234" || ae.Operation != "CreateLogGroup" {
		t.Errorf("APIError = %+v", ae)
	}
}

// putParams returns the params of a valid one-event PutLogEvents with k: v added.
func putParams(k string, v any) map[string]any {
	return map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": []map[string]any{{"message": "m", "timestamp": time.Now()}}, k: v}
}

// TestActionSendsValidPassThrough: pass-through members within their model
// shapes, and batches whose too-old events would span more than 24 hours,
// are sent.
func TestActionSendsValidPassThrough(t *testing.T) {
	f := newFakeLogs(t, nil)
	c := newTestClient(t, f)
	for _, params := range []map[string]any{
		putParams("entity", map[string]any{"keyAttributes": map[string]string{"Type": "Service", "Name": "api"}, "attributes": map[string]string{"PlatformType": "Generic"}}),
		putParams("entity", nil),
		{"logGroupName": "g", "logStreamName": "s", "logEvents": []map[string]any{
			{"message": "old", "timestamp": time.Now().Add(-20 * 24 * time.Hour)}, {"message": "new", "timestamp": time.Now()}}},
		{"logGroupName": "g", "deletionProtectionEnabled": false},
	} {
		action := ActionPutLogEvents
		if _, ok := params["logEvents"]; !ok {
			action = ActionCreateLogGroup
		}
		if _, err := c.Action(context.Background(), action, params); err != nil {
			t.Errorf("%v: %v", params, err)
		}
	}
	if n := len(f.requests()); n != 4 {
		t.Errorf("%d requests sent, want 4", n)
	}
}

func TestActionRejectsBeforeSending(t *testing.T) {
	tests := []struct {
		name   string
		action ActionType
		params map[string]any
		field  string
	}{
		{"empty logEvents", ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": []map[string]any{}}, "logEvents"},
		{"missing logEvents", ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s"}, "logEvents"},
		{"timestamp with letters", ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": []map[string]any{{"message": "m", "timestamp": "12a"}}}, "logEvents[0].timestamp"},
		{"fractional float", ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": []map[string]any{{"message": "m", "timestamp": 1.5}}}, "logEvents[0].timestamp"},
		{"missing timestamp", ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": []map[string]any{{"message": "m"}}}, "logEvents[0].timestamp"},
		{"message not a string", ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": []any{map[string]any{"message": 5, "timestamp": 1}}}, "logEvents[0].message"},
		{"unknown event key", ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": []map[string]any{{"message": "m", "timestamp": 1, "level": "x"}}}, "logEvents[0].level"},
		{"unknown param", ActionCreateLogStream, map[string]any{"logGroupName": "g", "logStreamName": "s", "bogus": 1}, "bogus"},
		{"name not a string", ActionDeleteLogGroup, map[string]any{"logGroupName": 7}, "logGroupName"},
		{"bad group name", ActionCreateLogGroup, map[string]any{"logGroupName": "has space"}, "logGroupName"},
		{"tag value not string", ActionCreateLogGroup, map[string]any{"logGroupName": "g", "tags": map[string]any{"k": 1}}, `tags["k"]`},
		{"empty tags", ActionCreateLogGroup, map[string]any{"logGroupName": "g", "tags": map[string]string{}}, "tags"},
		{"stream with colon", ActionDeleteLogStream, map[string]any{"logGroupName": "g", "logStreamName": "a:b"}, "logStreamName"},
		{"bad operation name", ActionType("Put Log"), nil, "action"},
		{"empty operation", ActionType(""), nil, "action"},
		{"unencodable generic", ActionType("StartQuery"), map[string]any{"x": func() {}}, "params.x"},
		// Pass-through members are checked against their model shapes (a review
		// found them sent as given), and the span of the valid events too.
		{"deletionProtectionEnabled not a bool", ActionCreateLogGroup, map[string]any{"logGroupName": "g", "deletionProtectionEnabled": "yes"}, "deletionProtectionEnabled"},
		{"entity not a structure", ActionPutLogEvents, putParams("entity", "svc"), "entity"},
		{"entity unknown member", ActionPutLogEvents, putParams("entity", map[string]any{"keys": map[string]string{}}), "entity.keys"},
		{"entity keyAttributes 1 entry", ActionPutLogEvents, putParams("entity", map[string]any{"keyAttributes": map[string]string{"Type": "Service"}}), "entity.keyAttributes"},
		{"entity keyAttributes 5 entries", ActionPutLogEvents, putParams("entity", map[string]any{"keyAttributes": map[string]any{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}}), "entity.keyAttributes"},
		{"entity key 33 characters", ActionPutLogEvents, putParams("entity", map[string]any{"keyAttributes": map[string]string{strings.Repeat("k", 33): "v", "Type": "Service"}}), "entity.keyAttributes"},
		{"entity value 513 characters", ActionPutLogEvents, putParams("entity", map[string]any{"keyAttributes": map[string]string{"Name": strings.Repeat("v", 513), "Type": "Service"}}), `entity.keyAttributes["Name"]`},
		{"entity attributes 11 entries", ActionPutLogEvents, putParams("entity", map[string]any{"attributes": map[string]string{"a": "1", "b": "1", "c": "1", "d": "1", "e": "1", "f": "1", "g": "1", "h": "1", "i": "1", "j": "1", "k": "1"}}), "entity.attributes"},
		{"entity attribute value not a string", ActionPutLogEvents, putParams("entity", map[string]any{"attributes": map[string]any{"a": 1}}), `entity.attributes["a"]`},
		{"valid events span over 24h", ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s",
			"logEvents": []map[string]any{{"message": "a", "timestamp": time.Now().Add(-25 * time.Hour)}, {"message": "b", "timestamp": time.Now()}}}, "logEvents[1].timestamp"},
		// With several bad entries the first in sorted order is named, whatever the map's order.
		{"several bad tag values", ActionCreateLogGroup, map[string]any{"logGroupName": "g", "tags": map[string]any{"z": 1, "y": 2, "b": 3, "m": 4, "c": 5, "q": 6, "e": 7, "f": 8}}, `tags["b"]`},
		{"several unencodable generic", ActionType("StartQuery"), map[string]any{"z": func() {}, "y": func() {}, "b": func() {}, "m": func() {}, "c": func() {}, "q": func() {}, "e": func() {}}, "params.b"},
	}
	f := newFakeLogs(t, nil)
	c := newTestClient(t, f)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Action(context.Background(), tc.action, tc.params)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if resp != nil {
				t.Errorf("resp = %+v, want nil", resp)
			}
			if ve.Field != tc.field {
				t.Errorf("Field = %q, want %q (%v)", ve.Field, tc.field, err)
			}
			if !IsInvalidParameter(err) {
				t.Error("ValidationError should match ErrInvalidParameter")
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Fatalf("%d requests were sent for invalid input", n)
	}
}

func TestActionDoesNotMutateParams(t *testing.T) {
	f := newFakeLogs(t, nil)
	c := newTestClient(t, f)
	events := []map[string]any{{"message": "m", "timestamp": "1530000000123"}, {"message": "n", "timestamp": time.UnixMilli(1530000000124)}}
	tags := map[string]any{"k": "v"}
	params := map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": events, "sequenceToken": "x"}
	snapshot := map[string]any{"logGroupName": "g", "logStreamName": "s", "sequenceToken": "x",
		"logEvents": []map[string]any{maps.Clone(events[0]), maps.Clone(events[1])}}
	if _, err := c.Action(context.Background(), ActionPutLogEvents, params); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(params, snapshot) {
		t.Errorf("params changed: %v", params)
	}
	generic := map[string]any{"logGroupName": "g", "startTime": time.UnixMilli(5), "nested": map[string]any{"t": time.UnixMilli(6)}, "tags": tags}
	before := map[string]any{"logGroupName": "g", "startTime": time.UnixMilli(5), "nested": map[string]any{"t": time.UnixMilli(6)}, "tags": map[string]any{"k": "v"}}
	if _, err := c.Action(context.Background(), "TagLogGroup", generic); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(generic, before) {
		t.Errorf("generic params changed: %v", generic)
	}
	if got := f.requests()[1].Body; got != `{"logGroupName":"g","nested":{"t":6},"startTime":5,"tags":{"k":"v"}}` {
		t.Errorf("generic body %s", got)
	}
}

func TestToMillis(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"9223372036854775807", 1<<63 - 1, true}, {"9223372036854775808", 0, false},
		{"-1", 0, false}, {"", 0, false}, {" 1", 0, false}, {int8(-3), -3, true}, {uint(7), 7, true},
		{uint64(1 << 63), 0, false}, {float32(2), 2, true}, {1e300, 0, false}, {json.Number("1.5"), 0, false},
		{true, 0, false}, {nil, 0, false},
	} {
		got, err := ToMillis(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ToMillis(%#v) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestActionEventErrorsIndexed pins the field of an error in any element of a
// mixed []any list, whatever the element's form, and the pass-through merge.
func TestActionEventErrorsIndexed(t *testing.T) {
	ok := map[string]any{"message": "a", "timestamp": 1}
	for _, tc := range []struct {
		name   string
		events any
		field  string
		reason string
	}{
		{"string map bad timestamp", []any{ok, map[string]string{"message": "m", "timestamp": "x"}}, "logEvents[1].timestamp", "must be a string of digits (milliseconds since the epoch)"},
		{"string map missing timestamp", []any{ok, ok, map[string]string{"message": "m"}}, "logEvents[2].timestamp", "must be milliseconds since the epoch, got an empty string"},
		{"string map unknown key", []any{ok, map[string]string{"message": "m", "timestamp": "1", "level": "x"}}, "logEvents[1].level", "is not a member of an event (allowed: message, timestamp)"},
		{"string map list unknown key", []map[string]string{{"message": "m", "timestamp": "1"}, {"message": "m", "timestamp": "1", "k": "v"}}, "logEvents[1].k", "is not a member of an event (allowed: message, timestamp)"},
		// Several unknown keys: the first in sorted order is named, whatever the map's order.
		{"several unknown keys", []map[string]any{{"message": "m", "timestamp": 1, "zz": 1, "level": 2, "b": 3, "q": 4, "m": 5, "x": 6, "c": 7, "d": 8, "e": 9}}, "logEvents[0].b", "is not a member of an event (allowed: message, timestamp)"},
		{"several unknown string keys", []any{map[string]string{"message": "m", "timestamp": "1", "zz": "", "level": "", "b": "", "q": "", "m": "", "x": "", "c": "", "d": ""}}, "logEvents[0].b", "is not a member of an event (allowed: message, timestamp)"},
		{"any map bad message", []any{ok, map[string]any{"message": 1, "timestamp": 1}}, "logEvents[1].message", "must be a string, not int"},
		{"element of wrong type", []any{ok, "text"}, "logEvents[1]", "must be a map with message and timestamp, not string"},
		{"list of wrong type", "text", "logEvents", "must be a list of events ([]map[string]any), not string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := paramEvents(tc.events)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field || ve.Reason != tc.reason || ve.Operation != "PutLogEvents" {
				t.Fatalf("err = %#v, want field %q reason %q", err, tc.field, tc.reason)
			}
		})
	}
	f := newFakeLogs(t, nil)
	c := newTestClient(t, f)
	entity := map[string]any{"keyAttributes": map[string]any{"Type": "Service", "Name": "api"}}
	if _, err := c.Action(context.Background(), ActionPutLogEvents, map[string]any{"logGroupName": "g", "logStreamName": "s",
		"logEvents": []any{ok}, "entity": entity}); err != nil {
		t.Fatal(err)
	}
	want := `{"entity":{"keyAttributes":{"Name":"api","Type":"Service"}},"logEvents":[{"message":"a","timestamp":1}],"logGroupName":"g","logStreamName":"s"}`
	if got := f.requests()[0].Body; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
}

// TestInvokeRejectsBadOperation checks that Invoke's errors name Invoke and its
// operation argument, and that nothing is sent.
func TestInvokeRejectsBadOperation(t *testing.T) {
	f := newFakeLogs(t, nil)
	c := newTestClient(t, f)
	for _, tc := range []struct{ op, wantOp string }{{"", "Invoke"}, {"Put Log", "Put Log"}, {"1Put", "1Put"}} {
		resp, err := c.Invoke(context.Background(), tc.op, nil)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Operation != tc.wantOp || ve.Field != "operation" || resp != nil {
			t.Errorf("Invoke(%q) = %v, %#v; want a ValidationError for %s, field operation", tc.op, resp, err, tc.wantOp)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Fatalf("%d requests were sent for invalid operations", n)
	}
}

// TestNormalizeValueLists pins how the generic path encodes lists, nil ones included.
func TestNormalizeValueLists(t *testing.T) {
	f := newFakeLogs(t, nil)
	c := newTestClient(t, f)
	params := map[string]any{
		"a": []any{time.UnixMilli(1), map[string]any{"t": time.UnixMilli(2)}},
		"b": []map[string]any{{"t": time.UnixMilli(3)}},
		"c": []any(nil),
		"d": []map[string]any(nil),
		"e": map[string]any(nil),
	}
	if _, err := c.Action(context.Background(), "StartQuery", params); err != nil {
		t.Fatal(err)
	}
	want := `{"a":[1,{"t":2}],"b":[{"t":3}],"c":null,"d":null,"e":null}`
	if got := f.requests()[0].Body; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	_, err := c.Action(context.Background(), "StartQuery", map[string]any{"b": []map[string]any{{}, {"f": func() {}}}})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "params.b[1].f" {
		t.Fatalf("err = %v, want field params.b[1].f", err)
	}
}
