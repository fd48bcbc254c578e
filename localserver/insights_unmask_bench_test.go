package localserver

import (
	"testing"
	"time"
)

// BenchmarkInsightsUnmask1M runs queries that call unmask(@message) over the data set of
// BenchmarkInsightsQuery1M (no data protection policy: the cost of carrying the text
// before masking), to compare with its filter-like-1pct-count and newest-20.
func BenchmarkInsightsUnmask1M(b *testing.B) {
	s := newTestServer(b, Config{DataDir: dataset(b)})
	start, end := nowMs()/1000-12*3600, nowMs()/1000
	for _, c := range []struct{ name, q string }{
		{"filter-like-1pct-count", `filter unmask(@message) like "ERROR" | stats count(*) as n`},
		{"newest-20", `fields @timestamp, unmask(@message) | limit 20`},
	} {
		b.Run(c.name, func(b *testing.B) {
			in := m{"logGroupName": "bench", "startTime": start, "endTime": end, "queryString": c.q}
			var last *response
			for b.Loop() {
				id := mustOK(b, s, "StartQuery", in).body["queryId"].(string)
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
		})
	}
}
