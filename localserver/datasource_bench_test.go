package localserver

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
)

// BenchmarkDataSourceSelection measures ListAggregateLogGroupSummaries and ListLogGroups'
// dataSources filter over 5,000 log groups of two tags each, 50 of which (1%) carry
// cw:datasource:* tags naming one of 5 data sources, in memory.
func BenchmarkDataSourceSelection(b *testing.B) {
	s := newTestServer(b, Config{})
	const groups = 5_000
	for i := range groups {
		tags := m{"team": fmt.Sprintf("t%d", i%7), "env": "prod"}
		if i%100 == 0 {
			tags[tagDataSourceName] = fmt.Sprintf("src%d", i/100%5)
			tags[tagDataSourceType] = "access"
		}
		mustOK(b, s, "CreateLogGroup", m{"logGroupName": fmt.Sprintf("/app/g%05d", i), "tags": tags})
	}
	cases := []struct {
		name, op string
		in       m
		items    string
	}{
		{"aggregate", "ListAggregateLogGroupSummaries", m{"groupBy": "DATA_SOURCE_NAME_AND_TYPE"}, "aggregateLogGroupSummaries"},
		{"aggregate-filtered", "ListAggregateLogGroupSummaries", m{"groupBy": "DATA_SOURCE_NAME_AND_TYPE", "dataSources": []m{{"name": "src1"}}}, "aggregateLogGroupSummaries"},
		{"list-filtered", "ListLogGroups", m{"dataSources": []m{{"name": "src1"}}}, "logGroups"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			body, _ := json.Marshal(c.in)
			for b.Loop() {
				w := httptest.NewRecorder()
				s.ServeHTTP(w, signedRequest(b, "http://logs.local/", c.op, body, testCreds, testNow))
				if w.Code != 200 {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
			b.StopTimer()
			r := mustOK(b, s, c.op, c.in)
			b.ReportMetric(float64(len(list(r.body[c.items]))), "items")
		})
	}
}
