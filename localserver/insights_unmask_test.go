package localserver

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestInsightsUnmask: with a data protection policy, "fields unmask(@message)" returns the
// event as sent (transformed by the transformer in force at ingestion) and
// "fields @message" the masked text; filter matches the masked text unless it unmasks;
// GetLogRecord and queries show @transformationError for an event the transformer failed
// on; a query that unmasks refuses Infrequent Access groups; bad uses are
// MalformedQueryException.
func TestInsightsUnmask(t *testing.T) {
	s, clock := dpServer(t, Config{})
	put := func(group, msg string) {
		t.Helper()
		mustOK(t, s, "PutLogEvents", m{"logGroupName": group, "logStreamName": "s", "logEvents": []m{{"timestamp": clock.UnixMilli() - 1000, "message": msg}}})
		clock.Add(time.Second)
	}
	put("g", "before a@b.io")
	mustOK(t, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress")})
	put("g", "after a@b.io")
	mustOK(t, s, "PutTransformer", m{"logGroupIdentifier": "g", "transformerConfig": rawJSON(`[{"parseJSON":{}},{"addKeys":{"entries":[{"key":"k","value":"v"}]}}]`)})
	put("g", `{"to":"c@d.io"}`)
	put("g", "not json c@d.io")

	query := func(q string) *response {
		t.Helper()
		id := startQuery(t, s, m{"logGroupName": "g", "startTime": testNow.Unix() - 60, "endTime": clock.Now().Unix() + 60, "queryString": q})
		r := waitQuery(t, s, id, nil)
		if st := r.body["status"]; st != "Complete" {
			t.Fatalf("%s: status %v", q, st)
		}
		return r
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"fields @message, unmask(@message) | sort @timestamp asc", []string{
			"@message=before a@b.io; unmask(@message)=before a@b.io",
			"@message=after ******; unmask(@message)=after a@b.io",
			`@message={"to":"******","k":"v"}; unmask(@message)={"to":"c@d.io","k":"v"}`,
			"@message=not json ******; unmask(@message)=not json c@d.io",
		}},
		{`filter @message like "a@b.io" | fields @message`, []string{"@message=before a@b.io"}},
		{`filter unmask(@message) like "a@b.io" | fields unmask(@message) as m | sort @timestamp asc`, []string{
			"m=before a@b.io", "m=after a@b.io",
		}},
		{"filter ispresent(@transformationError) | fields @message, @transformationError", []string{
			"@message=not json ******; @transformationError=processor 0 (parseJSON): the source is not a JSON object",
		}},
	} {
		got := rowsOf(query(c.q))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s\n got %q\nwant %q", c.q, got, c.want)
		}
	}

	// GetLogRecord names the failure too, masked or not.
	r := query("filter ispresent(@transformationError) | fields @message")
	ptrs := ptrsOf(r)
	if len(ptrs) != 1 {
		t.Fatalf("%d rows, want 1", len(ptrs))
	}
	for _, unmask := range []bool{false, true} {
		rec := mustOK(t, s, "GetLogRecord", m{"logRecordPointer": ptrs[0], "unmask": unmask}).body["logRecord"].(map[string]any)
		if got := rec["@transformationError"]; got == nil || !strings.HasPrefix(got.(string), "processor 0 (parseJSON)") {
			t.Errorf("GetLogRecord unmask=%v: @transformationError %v", unmask, got)
		}
	}
	rec := mustOK(t, s, "GetLogRecord", m{"logRecordPointer": ptrsOf(query(`filter @message like '"k"'`))[0]}).body["logRecord"].(map[string]any)
	if _, ok := rec["@transformationError"]; ok {
		t.Errorf("GetLogRecord of a transformed event: %v", rec)
	}

	// Infrequent Access groups do not support unmask; other queries over them run.
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"})
	in := m{"logGroupNames": []string{"g", "ia"}, "startTime": 0, "endTime": clock.Now().Unix(), "queryString": "fields unmask(@message)"}
	checkAnswer(t, call(t, s, "StartQuery", in), codeInvalidParameter, "~ia is of the INFREQUENT_ACCESS class")
	in["queryString"] = "fields @message"
	mustOK(t, s, "StartQuery", in)

	for _, c := range []struct{ q, msg string }{
		{"fields unmask(user)", "~unmask() takes @message"},
		{"fields unmask()", "~unmask() takes 1"},
		{"stats count(*) by @logStream | fields unmask(@message)", "~Unknown symbols found in or after stats: @message"},
	} {
		in := m{"logGroupName": "g", "startTime": 0, "endTime": 1, "queryString": c.q}
		checkAnswer(t, call(t, s, "StartQuery", in), codeMalformedQuery, c.msg)
	}
}
