package insights

import (
	"fmt"
	"testing"
)

// BenchmarkRunShapes runs the evaluator alone (no storage) over 100,000 records shaped
// like the server's 1M-event benchmark data set, for the queries of
// BenchmarkInsightsQuery1M and the per-record paths of fields, dedup and stats by.
func BenchmarkRunShapes(b *testing.B) {
	recs := make([]Record, 100_000)
	for i := range recs {
		lvl := "INFO"
		if i%100 == 7 {
			lvl = "ERROR"
		}
		recs[i] = Record{Timestamp: 1_700_000_000_000 - int64(i)*40, LogGroup: "1:g", LogStream: "s", Ptr: "p",
			Message: fmt.Sprintf("2025-06-01T00:00:00Z %-5s request id=%08d stream=%03d path=/api/v1/items status=200 bytes=%06d", lvl, i, i%100, i*7%999999)}
	}
	for _, c := range []struct {
		name, q          string
		minRows, maxRows int
	}{
		{"filter-like-count", `filter @message like "ERROR" | stats count(*) as n`, 1, 1},
		{"parse-stats-by-bin", `parse @message "status=* bytes=*" as status, bytes | stats count(*), avg(bytes) by bin(1h)`, 1, 10},
		{"newest-20", `fields @timestamp, @message | limit 20`, 20, 20},
		{"fields-expr", `fields strlen(@message) as n, @logStream | filter n > 1000`, 0, 0},
		{"dedup", `parse @message "stream=* " as st | dedup st | limit 5`, 5, 5},
		{"stats-by-field", `parse @message "stream=* " as st | stats count(*) as n by st`, 100, 100},
	} {
		b.Run(c.name, func(b *testing.B) { benchQuery(b, c.q, recs, c.minRows, c.maxRows) })
	}
}
