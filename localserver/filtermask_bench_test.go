package localserver

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
)

// BenchmarkFilterMasked measures one FilterLogEvents page over a group of 20,000 events
// of about 110 bytes (each with an email and an IPv4 address, 1% of them ERROR), in
// memory: without a data protection policy, and with one masking both identifiers since
// before the events (the pattern then matches the masked text of every event it scans).
func BenchmarkFilterMasked(b *testing.B) {
	for _, policy := range []bool{false, true} {
		s := newTestServer(b, Config{})
		setupStream(b, s, "g", "s")
		if policy {
			mustOK(b, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress", "IpAddress")})
		}
		const n, batch = 20_000, 5_000
		base := nowMs() - n
		for off := 0; off < n; off += batch {
			evs := make([]m, 0, batch)
			for i := off; i < off+batch; i++ {
				lvl := "INFO"
				if i%100 == 7 {
					lvl = "ERROR"
				}
				evs = append(evs, m{"timestamp": base + int64(i), "message": fmt.Sprintf(
					"2025-06-01T00:00:00Z %-5s id=%08d user=u%04d@example.com from 10.0.%d.%d path=/api/v1/items", lvl, i, i%10000, i/256%256, i%256)})
			}
			mustOK(b, s, "PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": evs})
		}
		name := "no-policy"
		if policy {
			name = "policy"
		}
		cases := []struct {
			name string
			in   m
		}{
			{"ERROR", m{"logGroupName": "g", "filterPattern": "ERROR"}},
			{"ERROR-limit10", m{"logGroupName": "g", "filterPattern": "ERROR", "limit": 10}},
			{"no-pattern-limit1000", m{"logGroupName": "g", "limit": 1000}},
		}
		for _, c := range cases {
			b.Run(name+"/"+c.name, func(b *testing.B) {
				body, _ := json.Marshal(c.in)
				for b.Loop() {
					w := httptest.NewRecorder()
					s.ServeHTTP(w, signedRequest(b, "http://logs.local/", "FilterLogEvents", body, testCreds, testNow))
					if w.Code != 200 {
						b.Fatalf("%d %s", w.Code, w.Body)
					}
				}
				b.StopTimer()
				r := mustOK(b, s, "FilterLogEvents", c.in)
				b.ReportMetric(float64(len(list(r.body["events"]))), "events/page")
			})
		}
	}
}
