package localserver

import (
	"strings"
	"testing"
)

// fieldList renders a GetLogGroupFields answer as "name=percent,...".
func fieldList(t *testing.T, r *response) string {
	t.Helper()
	var out []string
	for _, f := range list(r.body["logGroupFields"]) {
		fm := f.(map[string]any)
		out = append(out, fm["name"].(string)+"="+itoa(num(t, fm["percent"])))
	}
	return strings.Join(out, ",")
}

const sysFields100 = "@ingestionTime=100,@log=100,@logStream=100,@message=100,@timestamp=100"

// TestGetLogGroupFields: the fields of the events in the searched window, by percentage
// then name; the window is the last 15 minutes, or 8 minutes either side of time (epoch
// seconds).
func TestGetLogGroupFields(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "app", "s1")
	setupStream(t, s, "app", "s2")
	setupStream(t, s, "empty", "s")
	now := nowMs()
	const minute = 60_000
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s1", "logEvents": []m{
		{"timestamp": now - 20*minute, "message": `{"old":1}`}, // outside the last 15 minutes
		{"timestamp": now - 10*minute, "message": `{"level":"info","req":{"id":"a","ms":3}}`},
		{"timestamp": now - 5*minute, "message": `{"level":"error","@x":true,"tags":["t"]}`},
		{"timestamp": now - 1*minute, "message": `plain text`},
	}})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s2", "logEvents": []m{
		{"timestamp": now - 2*minute, "message": `{"level":"warn","empty":{},"nothing":null}`},
	}})
	// 2 hours ago, in s2: only a window around it sees this.
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s2", "logEvents": []m{
		{"timestamp": now - 120*minute - 7*minute, "message": `{"early":1}`},
		{"timestamp": now - 120*minute + 8*minute, "message": `{"late":1,"early":2}`},
		{"timestamp": now - 120*minute + 9*minute, "message": `{"toolate":1}`},
	}})
	arn := testGroupArn + "app"
	cases := []struct {
		name string
		in   m
		want string
	}{
		{"last 15 minutes", m{"logGroupName": "app"},
			sysFields100 + ",level=75,@@x=25,req.id=25,req.ms=25,tags.0=25"},
		{"by ARN", m{"logGroupIdentifier": arn},
			sysFields100 + ",level=75,@@x=25,req.id=25,req.ms=25,tags.0=25"},
		{"by name as identifier", m{"logGroupIdentifier": "app"},
			sysFields100 + ",level=75,@@x=25,req.id=25,req.ms=25,tags.0=25"},
		{"around time", m{"logGroupName": "app", "time": (now - 120*minute) / 1000},
			sysFields100 + ",early=100,late=50"},
		{"window without events", m{"logGroupName": "app", "time": 1000}, ""},
		{"empty group", m{"logGroupName": "empty"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustOK(t, s, "GetLogGroupFields", c.in)
			if got := fieldList(t, r); got != c.want {
				t.Errorf("fields = %s\nwant     %s", got, c.want)
			}
			if _, ok := r.body["logGroupFields"]; !ok {
				t.Errorf("no logGroupFields member: %s", r.raw)
			}
		})
	}
}

// TestGetLogGroupFieldsErrors: the group reference and time are checked.
func TestGetLogGroupFieldsErrors(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "app", "s")
	cases := []struct {
		name string
		in   m
		code string
		msg  string
	}{
		{"neither", m{}, codeInvalidParameter, "Either logGroupName or logGroupIdentifier must be specified."},
		{"both", m{"logGroupName": "app", "logGroupIdentifier": "app"}, codeValidation, msgNameIdentifierExclusive},
		{"unknown group", m{"logGroupName": "nope"}, codeResourceNotFound, msgGroupNotFound},
		{"other account's ARN", m{"logGroupIdentifier": "arn:aws:logs:us-east-1:999999999999:log-group:app"}, codeResourceNotFound, msgGroupNotFound},
		{"bad name", m{"logGroupName": "a b"}, codeInvalidParameter, "at 'logGroupName' failed to satisfy constraint"},
		{"negative time", m{"logGroupName": "app", "time": -1}, codeInvalidParameter, "at 'time' failed to satisfy constraint: Member must have value greater than or equal to 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, s, "GetLogGroupFields", c.in)
			if r.status != 400 || r.errType() != c.code || !strings.Contains(r.message(), c.msg) {
				t.Errorf("%d %s %q, want %s containing %q", r.status, r.errType(), r.message(), c.code, c.msg)
			}
		})
	}
}

// TestGetLogGroupFieldsRetentionAndDeletedStreams: events past the group's retention and
// events of deleted streams are not searched.
func TestGetLogGroupFieldsRetentionAndDeletedStreams(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "g", "keep")
	setupStream(t, s, "g", "gone")
	now := nowMs()
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "keep", "logEvents": []m{{"timestamp": now - 1000, "message": `{"kept":1}`}}})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "gone", "logEvents": []m{{"timestamp": now - 1000, "message": `{"deleted":1}`}}})
	mustOK(t, s, "DeleteLogStream", m{"logGroupName": "g", "logStreamName": "gone"})
	if got := fieldList(t, mustOK(t, s, "GetLogGroupFields", m{"logGroupName": "g"})); got != sysFields100+",kept=100" {
		t.Errorf("after deleting a stream: %s", got)
	}
	// An event of a day and a half ago, in a group retaining one day.
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "keep", "logEvents": []m{{"timestamp": now - 36*3_600_000, "message": `{"expired":1}`}}})
	around := (now - 36*3_600_000) / 1000
	if got := fieldList(t, mustOK(t, s, "GetLogGroupFields", m{"logGroupName": "g", "time": around})); got != sysFields100+",expired=100" {
		t.Fatalf("before retention: %s", got)
	}
	mustOK(t, s, "PutRetentionPolicy", m{"logGroupName": "g", "retentionInDays": 1})
	if got := fieldList(t, mustOK(t, s, "GetLogGroupFields", m{"logGroupName": "g", "time": around})); got != "" {
		t.Errorf("past retention: %s", got)
	}
}

func TestFieldPercent(t *testing.T) {
	for _, c := range []struct {
		count, total int
		want         int64
	}{
		{1, 1, 100}, {1, 3, 33}, {2, 3, 67}, {1, 8, 13}, {1, 200, 1}, {1, 10_000, 1}, {9_999, 10_000, 100}, {9_949, 10_000, 99},
	} {
		if got := fieldPercent(c.count, c.total); got != c.want {
			t.Errorf("fieldPercent(%d, %d) = %d, want %d", c.count, c.total, got, c.want)
		}
	}
}
