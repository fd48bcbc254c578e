package localserver

import "testing"

// TestGetLogGroupFieldsTransformed: GetLogGroupFields lists the fields of the text Logs
// Insights reads, so the keys a transformer made (by the transformer in force when each
// event was ingested) are among them, and those of events ingested before it are not.
func TestGetLogGroupFieldsTransformed(t *testing.T) {
	s := newTestServer(t, Config{})
	setupStream(t, s, "app", "s")
	now := nowMs()
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s", "logEvents": []m{
		{"timestamp": now - 3000, "message": `{"level":"info"}`},
	}})
	cfg := `[{"parseJSON":{}},{"copyValue":{"entries":[{"source":"level","target":"severity"}]}}]`
	mustOK(t, s, "PutTransformer", m{"logGroupIdentifier": "app", "transformerConfig": rawJSON(cfg)})
	mustOK(t, s, "PutLogEvents", m{"logGroupName": "app", "logStreamName": "s", "logEvents": []m{
		{"timestamp": now - 2000, "message": `{"level":"warn"}`},
	}})
	r := mustOK(t, s, "GetLogGroupFields", m{"logGroupName": "app"})
	if got, want := fieldList(t, r), sysFields100+",level=100,severity=50"; got != want {
		t.Errorf("fields = %s\nwant     %s", got, want)
	}
}
