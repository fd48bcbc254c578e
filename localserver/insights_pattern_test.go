package localserver

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"
)

// TestInsightsPattern runs the pattern command through StartQuery and GetQueryResults:
// the rows and their fields, what may follow pattern, the refusal of Infrequent Access
// groups, and malformed uses as MalformedQueryException.
func TestInsightsPattern(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "app", "s")
	var evs []m
	for i := range 30 {
		msg := fmt.Sprintf("GET /api/items/%d 200 %dms", i, 10+i)
		if i%3 == 0 {
			msg = fmt.Sprintf("ERROR payment %d declined for card ending %04d", 1000+i, i*7)
		}
		evs = append(evs, m{"timestamp": nowMs() - 60_000 + int64(i)*1000, "message": msg})
	}
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s", "logEvents": evs})

	query := func(q string) []map[string]string {
		t.Helper()
		id := startQuery(t, s, m{"logGroupName": "app", "startTime": testNow.Unix() - 3600, "endTime": testNow.Unix() + 60, "queryString": q})
		r := waitQuery(t, s, id, nil)
		if st := r.body["status"]; st != "Complete" {
			t.Fatalf("%s: status %v", q, st)
		}
		var rows []map[string]string
		for _, row := range list(r.body["results"]) {
			fields := map[string]string{}
			for _, f := range list(row) {
				fm := f.(map[string]any)
				fields[fm["field"].(string)] = fm["value"].(string)
			}
			rows = append(rows, fields)
		}
		return rows
	}

	rows := query("pattern @message")
	var got []string
	for _, r := range rows {
		got = append(got, r["@sampleCount"]+" "+r["@ratio"]+" "+r["@severityLabel"]+" "+r["@pattern"])
		if _, ok := r["@ptr"]; ok {
			t.Errorf("row with @ptr: %v", r)
		}
	}
	want := []string{
		"20 0.67  GET <Token-1> <Number-2> <Number-3>",
		"10 0.33 ERROR ERROR payment <Number-1> declined for card ending <Number-2>",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pattern @message:\n got %q\nwant %q", got, want)
	}
	re := regexp.MustCompile(rows[1]["@regexString"])
	if !re.MatchString("ERROR payment 1003 declined for card ending 0021") || re.MatchString("GET /api/items/1 200 11ms") {
		t.Errorf("@regexString %s", re)
	}
	var toks []map[string]any
	if err := json.Unmarshal([]byte(rows[1]["@tokens"]), &toks); err != nil || len(toks) == 0 {
		t.Errorf("@tokens %q: %v", rows[1]["@tokens"], err)
	}
	// The same template has the same @PatternId in another query.
	again := query("filter @message like /payment/ | pattern @message")
	if len(again) != 1 || again[0]["@PatternId"] != rows[1]["@PatternId"] || again[0]["@ratio"] != "1.00" {
		t.Errorf("filtered: %v, want @PatternId %s", again, rows[1]["@PatternId"])
	}
	sorted := query("pattern @message | sort @sampleCount asc | limit 1 | display @sampleCount, @pattern")
	if len(sorted) != 1 || sorted[0]["@sampleCount"] != "10" || len(sorted[0]) != 2 {
		t.Errorf("sorted: %v", sorted)
	}

	// Infrequent Access groups do not support pattern; other queries over them run.
	mustOK(t, s, "CreateLogGroup", m{"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"})
	in := m{"logGroupNames": []string{"app", "ia"}, "startTime": 0, "endTime": testNow.Unix(), "queryString": "filter @message like /x/ | pattern @message"}
	checkAnswer(t, call(t, s, "StartQuery", in), codeInvalidParameter, "~ia is of the INFREQUENT_ACCESS class, whose queries cannot use pattern")
	in["queryString"] = "fields @message"
	mustOK(t, s, "StartQuery", in)

	for _, c := range []struct{ q, msg string }{
		{"pattern 42", "~pattern takes @message"},
		{"pattern @message | stats count(*)", "~stats cannot follow pattern"},
		{"stats count(*) | pattern @message", "~pattern cannot follow stats"},
		{"pattern @message | fields @message", "~Unknown symbols found after pattern: @message"},
	} {
		in := m{"logGroupName": "app", "startTime": 0, "endTime": 1, "queryString": c.q}
		checkAnswer(t, call(t, s, "StartQuery", in), codeMalformedQuery, c.msg)
	}
}
