package insights

import (
	"testing"
	"time"
)

// TestRowLayoutAsPublished checks a row against the published output of a real query
// (https://github.com/aws/aws-cli/blob/develop/awscli/examples/logs/get-query-results.rst):
// the fields in the query's order, @timestamp as "2024-05-19 06:10:35.743", @ptr last.
func TestRowLayoutAsPublished(t *testing.T) {
	ts := time.Date(2024, 5, 19, 6, 10, 35, 743_000_000, time.UTC).UnixMilli()
	recs := []Record{{Timestamp: ts, Message: "Test BENCHMARK 3", LogStream: "TestStream", Ptr: "ClQK"}}
	got, _ := runQuery(t, "fields @timestamp, @message, @logStream", true, recs, Options{})
	want := "@timestamp=2024-05-19 06:10:35.743; @message=Test BENCHMARK 3; @logStream=TestStream; @ptr=ClQK"
	if len(got) != 1 || got[0] != want {
		t.Errorf("rows %q, want [%q]", got, want)
	}
}
