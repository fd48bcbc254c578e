package localserver

import (
	"fmt"
	"strings"
	"testing"
)

func TestCreateDeleteLogStream(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	tests := []struct {
		name, op        string
		in              m
		wantType, wantM string
	}{
		{"create", "CreateLogStream", m{"logGroupName": "g", "logStreamName": "s"}, "", ""},
		{"create dup", "CreateLogStream", m{"logGroupName": "g", "logStreamName": "s"}, codeResourceAlreadyExists, "The specified log stream already exists"},
		{"create no group", "CreateLogStream", m{"logGroupName": "nope", "logStreamName": "s"}, codeResourceNotFound, msgGroupNotFound},
		{"create bad name", "CreateLogStream", m{"logGroupName": "g", "logStreamName": "a:b"}, codeInvalidParameter, "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"},
		{"create missing", "CreateLogStream", m{"logGroupName": "g"}, codeInvalidParameter, "Value null at 'logStreamName' failed to satisfy constraint: Member must not be null"},
		{"delete", "DeleteLogStream", m{"logGroupName": "g", "logStreamName": "s"}, "", ""},
		{"delete again", "DeleteLogStream", m{"logGroupName": "g", "logStreamName": "s"}, codeResourceNotFound, msgStreamNotFound},
		{"delete no group", "DeleteLogStream", m{"logGroupName": "nope", "logStreamName": "s"}, codeResourceNotFound, msgGroupNotFound},
	}
	for _, tc := range tests {
		r := call(t, s, tc.op, tc.in)
		if tc.wantType == "" {
			if r.status != 200 || string(r.raw) != "{}" {
				t.Fatalf("%s: %d %s", tc.name, r.status, r.raw)
			}
			continue
		}
		if r.status != 400 || r.errType() != tc.wantType || !strings.Contains(r.message(), tc.wantM) {
			t.Errorf("%s: got %d %s", tc.name, r.status, r.raw)
		}
	}
}

func TestDescribeLogStreams(t *testing.T) {
	s := newTestServer(t, Config{})
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "g"})
	// Streams a..e; events make the last-event order c, a, e (b and d have none).
	for _, n := range []string{"c", "a", "e", "b", "d"} {
		mustOK(t, s, "CreateLogStream", m{"logGroupName": "g", "logStreamName": n})
	}
	for i, n := range []string{"c", "a", "e"} {
		ts := nowMs() - 1000 + int64(i)*100
		mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": n, "logEvents": events(ts-50, ts)})
	}
	names := func(in m) []string {
		var out []string
		for {
			r := mustOK(t, s, "DescribeLogStreams", in)
			for _, st := range list(r.body["logStreams"]) {
				out = append(out, st.(map[string]any)["logStreamName"].(string))
			}
			tok, ok := r.body["nextToken"].(string)
			if !ok {
				return out
			}
			in["nextToken"] = tok
		}
	}
	tests := []struct {
		name string
		in   m
		want string
	}{
		{"default", m{"logGroupName": "g"}, "[a b c d e]"},
		{"paged", m{"logGroupName": "g", "limit": 2}, "[a b c d e]"},
		{"descending paged", m{"logGroupName": "g", "limit": 2, "descending": true}, "[e d c b a]"},
		{"prefix", m{"logGroupName": "g", "logStreamNamePrefix": "d"}, "[d]"},
		{"identifier arn", m{"logGroupIdentifier": "arn:aws:logs:us-east-1:123456789012:log-group:g", "limit": 1}, "[a b c d e]"},
		{"identifier name", m{"logGroupIdentifier": "g"}, "[a b c d e]"},
		{"last event time", m{"logGroupName": "g", "orderBy": "LastEventTime", "limit": 2}, "[b d c a e]"},
		{"last event time desc", m{"logGroupName": "g", "orderBy": "LastEventTime", "descending": true, "limit": 3}, "[e a c d b]"},
	}
	for _, tc := range tests {
		if got := fmt.Sprint(names(tc.in)); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	r := mustOK(t, s, "DescribeLogStreams", m{"logGroupName": "g", "logStreamNamePrefix": "a"})
	st := list(r.body["logStreams"])[0].(map[string]any)
	want := map[string]string{
		"logStreamName":       "a",
		"creationTime":        itoa(nowMs()),
		"firstEventTimestamp": itoa(nowMs() - 1000 + 100 - 50),
		"lastEventTimestamp":  itoa(nowMs() - 1000 + 100),
		"lastIngestionTime":   itoa(nowMs()),
		"storedBytes":         "0",
		"arn":                 "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:a",
	}
	for k, v := range want {
		if fmt.Sprint(st[k]) != v {
			t.Errorf("%s = %v, want %s", k, st[k], v)
		}
	}
	if tok, _ := st["uploadSequenceToken"].(string); len(tok) != 56 {
		t.Errorf("uploadSequenceToken = %q", tok)
	}
	r = mustOK(t, s, "DescribeLogStreams", m{"logGroupName": "g", "logStreamNamePrefix": "b"})
	if st := list(r.body["logStreams"])[0].(map[string]any); st["firstEventTimestamp"] != nil || st["lastIngestionTime"] != nil {
		t.Errorf("empty stream reports event times: %v", st)
	}
	errs := []struct {
		name, typ, msg string
		in             m
	}{
		{"both identifiers", codeValidation, msgNameIdentifierExclusive, m{"logGroupName": "g", "logGroupIdentifier": "g"}},
		{"order with prefix", codeInvalidParameter, msgOrderByLastEventPrefix, m{"logGroupName": "g", "orderBy": "LastEventTime", "logStreamNamePrefix": "a"}},
		{"bad order", codeInvalidParameter, "1 validation error detected: Value 'Name' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]", m{"logGroupName": "g", "orderBy": "Name"}},
		{"missing group", codeResourceNotFound, msgGroupNotFound, m{"logGroupName": "nope"}},
		{"bad token", codeInvalidParameter, msgInvalidNextToken, m{"logGroupName": "g", "nextToken": "abc"}},
		{"limit 51", codeInvalidParameter, "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50", m{"logGroupName": "g", "limit": 51}},
	}
	for _, tc := range errs {
		r := call(t, s, "DescribeLogStreams", tc.in)
		if r.status != 400 || r.errType() != tc.typ || r.message() != tc.msg {
			t.Errorf("%s: got %d %s", tc.name, r.status, r.raw)
		}
	}
	// A token from another ordering is refused.
	r = mustOK(t, s, "DescribeLogStreams", m{"logGroupName": "g", "limit": 1})
	if r2 := call(t, s, "DescribeLogStreams", m{"logGroupName": "g", "descending": true, "nextToken": r.body["nextToken"]}); r2.errType() != codeInvalidParameter {
		t.Errorf("foreign token accepted: %s", r2.raw)
	}
}
