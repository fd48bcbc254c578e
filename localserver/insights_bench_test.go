package localserver

import (
	"testing"
	"time"
)

// BenchmarkInsightsQuery1M runs Logs Insights queries over the 1M-event data set of
// BenchmarkQuery1M (one group, 100 streams, 11 hours): StartQuery, then GetQueryResults
// until the query has ended, per op.
func BenchmarkInsightsQuery1M(b *testing.B) {
	s := newTestServer(b, Config{DataDir: dataset(b)})
	start, end := nowMs()/1000-12*3600, nowMs()/1000
	for _, c := range []struct{ name, q string }{
		{"filter-like-1pct-count", `filter @message like "ERROR" | stats count(*) as n`},
		{"parse-stats-by-bin", `parse @message "status=* bytes=*" as status, bytes | stats count(*), avg(bytes) by bin(1h)`},
		{"newest-20", `fields @timestamp, @message | limit 20`},
		{"sort-10000", `sort @message desc`},
	} {
		b.Run(c.name, func(b *testing.B) {
			in := m{"logGroupName": "bench", "startTime": start, "endTime": end, "queryString": c.q}
			var last *response
			for b.Loop() {
				r := mustOK(b, s, "StartQuery", in)
				id := r.body["queryId"].(string)
				for {
					last = mustOK(b, s, "GetQueryResults", m{"queryId": id})
					if last.body["status"] != "Running" {
						break
					}
					time.Sleep(time.Millisecond)
				}
			}
			if last.body["status"] != "Complete" || len(list(last.body["results"])) == 0 {
				b.Fatalf("last answer: %.300s", last.raw)
			}
			st := last.body["statistics"].(map[string]any)
			b.ReportMetric(fnumB(b, st["recordsScanned"]), "records/op")
		})
	}
}

func fnumB(b *testing.B, v any) float64 {
	b.Helper()
	n, ok := v.(interface{ Float64() (float64, error) })
	if !ok {
		b.Fatalf("not a number: %#v", v)
	}
	f, _ := n.Float64()
	return f
}
