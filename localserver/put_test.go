package localserver

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestPutLogEvents(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	now := nowMs()
	hour := int64(3_600_000)
	day := 24 * hour
	big := strings.Repeat("x", 1_048_576-26+1)
	tests := []struct {
		name         string
		in           any
		wantType     string
		wantMsg      string
		wantRejected string // fmt of rejectedLogEventsInfo, "" for none
		wantStored   []string
	}{
		{name: "one", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": now, "message": "hello"}}}, wantStored: []string{"hello"}},
		{name: "sequence token ignored", in: m{"logGroupName": "g", "logStreamName": "s", "sequenceToken": "bogus", "logEvents": []m{{"timestamp": now, "message": "tok"}}}, wantStored: []string{"tok"}},
		{name: "same timestamps", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": now, "message": "a"}, {"timestamp": now, "message": "b"}}}, wantStored: []string{"a", "b"}},
		{name: "seconds are too old", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": now / 1000, "message": "old"}}}, wantRejected: "map[tooOldLogEventEndIndex:1]"},
		{name: "mixed", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{
			{"timestamp": now - 15*day, "message": "old1"},
			{"timestamp": now - 14*day - 1, "message": "old2"},
			{"timestamp": now - hour, "message": "mid"},
			{"timestamp": now + 2*hour + 1, "message": "new1"},
			{"timestamp": now + 3*hour, "message": "new2"},
		}}, wantRejected: "map[tooNewLogEventStartIndex:3 tooOldLogEventEndIndex:2]", wantStored: []string{"mid"}},
		{name: "boundaries accepted", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{
			{"timestamp": now - 14*day, "message": "edge-old"}, {"timestamp": now - 13*day, "message": "in"},
		}}, wantStored: []string{"edge-old", "in"}},
		{name: "too new edge", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": now + 2*hour, "message": "edge-new"}}}, wantStored: []string{"edge-new"}},
		{name: "unordered", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(now, now-1)}, wantType: codeInvalidParameter, wantMsg: msgChronological},
		{name: "span", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": events(now-day-1, now)}, wantType: codeInvalidParameter, wantMsg: msgSpan24h},
		{name: "span ignores rejected", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": now - 20*day, "message": "r"}, {"timestamp": now, "message": "k"}}}, wantRejected: "map[tooOldLogEventEndIndex:1]", wantStored: []string{"k"}},
		{name: "empty", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{}}, wantType: codeInvalidParameter, wantMsg: "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "empty message", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": now, "message": ""}}}, wantType: codeInvalidParameter, wantMsg: "1 validation error detected: Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "missing timestamp", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"message": "x"}}}, wantType: codeInvalidParameter, wantMsg: "Value null at 'logEvents.1.member.timestamp' failed to satisfy constraint: Member must not be null"},
		{name: "negative timestamp", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": -1, "message": "x"}}}, wantType: codeInvalidParameter, wantMsg: "Value '-1' at 'logEvents.1.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{name: "missing events", in: m{"logGroupName": "g", "logStreamName": "s"}, wantType: codeInvalidParameter, wantMsg: "Value null at 'logEvents' failed to satisfy constraint: Member must not be null"},
		{name: "event too large", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": now, "message": big}}}, wantType: codeInvalidParameter, wantMsg: "Log event too large: 1048577 bytes exceeds limit of 1048576"},
		{name: "upload too large", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": now, "message": big[:600_000]}, {"timestamp": now, "message": big[:600_000]}}}, wantType: codeInvalidParameter, wantMsg: "Upload too large: 1200052 bytes exceeds limit of 1048576"},
		{name: "too many", in: m{"logGroupName": "g", "logStreamName": "s", "logEvents": manyEvents(10_001, now)}, wantType: codeInvalidParameter, wantMsg: "Member must have length less than or equal to 10000"},
		{name: "no group", in: m{"logGroupName": "nope", "logStreamName": "s", "logEvents": events(now)}, wantType: codeResourceNotFound, wantMsg: msgGroupNotFound},
		{name: "no stream", in: m{"logGroupName": "g", "logStreamName": "nope", "logEvents": events(now)}, wantType: codeResourceNotFound, wantMsg: msgStreamNotFound},
		{name: "malformed json", in: `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"x"}`, wantType: codeSerialization},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := streamMessages(t, s, "g", "s")
			r := call(t, s, "PutLogEvents", tc.in)
			if tc.wantType != "" {
				if r.status != 400 || r.errType() != tc.wantType || !strings.Contains(r.message(), tc.wantMsg) {
					t.Fatalf("got %d %s, want %s %q", r.status, r.raw, tc.wantType, tc.wantMsg)
				}
				if after := streamMessages(t, s, "g", "s"); len(after) != len(before) {
					t.Fatalf("failed call stored events")
				}
				return
			}
			if r.status != 200 {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
			if tok, _ := r.body["nextSequenceToken"].(string); len(tok) != 56 || strings.Trim(tok, "0123456789") != "" {
				t.Errorf("nextSequenceToken = %q", tok)
			}
			got := ""
			if ri, ok := r.body["rejectedLogEventsInfo"]; ok {
				got = fmt.Sprint(ri)
			}
			if got != tc.wantRejected {
				t.Errorf("rejectedLogEventsInfo = %s, want %s", got, tc.wantRejected)
			}
			after := streamMessages(t, s, "g", "s")
			if added := after[len(before):]; len(tc.wantStored) > 0 || len(added) > 0 {
				// New events sort after older ones only when their timestamps do; compare as sets.
				if !sameSet(diff(after, before), tc.wantStored) {
					t.Errorf("stored %v, want %v", diff(after, before), tc.wantStored)
				}
			}
		})
	}
}

func manyEvents(n int, ts int64) []m {
	out := make([]m, n)
	for i := range out {
		out[i] = m{"timestamp": ts, "message": "m"}
	}
	return out
}

// streamMessages reads every message of a stream from the head.
func streamMessages(t testing.TB, s *Server, g, st string) []string {
	t.Helper()
	var out []string
	in := m{"logGroupName": g, "logStreamName": st, "startFromHead": true}
	for {
		r := mustOK(t, s, "GetLogEvents", in)
		for _, e := range list(r.body["events"]) {
			out = append(out, e.(map[string]any)["message"].(string))
		}
		tok := r.body["nextForwardToken"]
		if tok == in["nextToken"] {
			return out
		}
		in["nextToken"] = tok
	}
}

func diff(after, before []string) []string {
	count := map[string]int{}
	for _, b := range before {
		count[b]++
	}
	var out []string
	for _, a := range after {
		if count[a] > 0 {
			count[a]--
			continue
		}
		out = append(out, a)
	}
	return out
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && len(diff(a, b)) == 0
}

func TestPutLogEventsStoredBytesAndStreamTimes(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": nowMs() - 500, "message": "héllo"}, {"timestamp": nowMs() - 100, "message": "x"}}})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": nowMs() - 900, "message": "earlier"}}})
	if got, want := groupStoredBytes(t, s, "g"), int64(len("héllo")+1+len("earlier")+3*26); got != want {
		t.Errorf("storedBytes = %d, want %d", got, want)
	}
	r := mustOK(t, s, "DescribeLogStreams", m{"logGroupName": "g"})
	st := list(r.body["logStreams"])[0].(map[string]any)
	if num(t, st["firstEventTimestamp"]) != nowMs()-900 || num(t, st["lastEventTimestamp"]) != nowMs()-100 {
		t.Errorf("stream = %v", st)
	}
	if got := fmt.Sprint(streamMessages(t, s, "g", "s")); got != "[earlier héllo x]" {
		t.Errorf("messages = %s", got)
	}
}

// TestNumbersWithFractionsTruncated: AWS accepts a fraction or an exponent in an integer or
// long member and keeps the integer part: the PHP SDK sends PHP floats as they are
// (maxbanton/cwh's round(microtime(true)*1000)), and live AWS processes them. The server
// refused them with SerializationException, so such clients failed only against it.
func TestNumbersWithFractionsTruncated(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "s")
	now := nowMs()
	body := fmt.Sprintf(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":%d.7,"message":"a"},{"timestamp":%de3,"message":"b"}]}`, now-5, now/1000+10)
	if r := call(t, s, "PutLogEvents", body); r.status != 200 || r.body["rejectedLogEventsInfo"] != nil {
		t.Fatalf("PutLogEvents: %d %s", r.status, r.raw)
	}
	r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true})
	var got []int64
	for _, e := range list(r.body["events"]) {
		got = append(got, num(t, e.(map[string]any)["timestamp"]))
	}
	if want := []int64{now - 5, (now/1000 + 10) * 1000}; !slices.Equal(got, want) {
		t.Errorf("timestamps %v, want %v", got, want)
	}
	if r := call(t, s, "DescribeLogGroups", `{"limit":1.0}`); r.status != 200 || len(list(r.body["logGroups"])) != 1 {
		t.Errorf("DescribeLogGroups limit 1.0: %d %s", r.status, r.raw)
	}
	if r := call(t, s, "DescribeLogGroups", `{"limit":1e400}`); r.status != 400 || r.errType() != codeSerialization {
		t.Errorf("limit 1e400: %d %s", r.status, r.raw)
	}
}
