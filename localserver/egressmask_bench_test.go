package localserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkLiveTailPublish measures PutLogEvents (1,000 events of about 100 bytes, each
// with an email address and an IPv4 address, through ServeHTTP, in memory) while Live
// Tail sessions are open on its group: none; one; one with a data protection policy on
// the group that masks both (Live Tail's events are masked once a batch, whatever the
// number of sessions); and one on another group (the put's events are offered to no
// session).
func BenchmarkLiveTailPublish(b *testing.B) {
	for _, mode := range []string{"no-session", "session", "session+policy", "other-group-session"} {
		b.Run(mode, func(b *testing.B) {
			s := newTestServer(b, Config{Memory: true, Now: time.Now})
			setupStream(b, s, "g", "s")
			setupStream(b, s, "other", "s")
			if mode == "session+policy" {
				mustOK(b, s, "PutDataProtectionPolicy", m{"logGroupIdentifier": "g", "policyDocument": dpDoc("", "EmailAddress", "IpAddress")})
			}
			if mode != "no-session" {
				name := "g"
				if mode == "other-group-session" {
					name = "other"
				}
				g, aerr := s.findGroup(context.Background(), s.st.r, name)
				if aerr != nil {
					b.Fatal(aerr)
				}
				// A session without its writer: a tick never comes, so it keeps a sample of
				// maxTailUpdateEvents events, as a session between two ticks does.
				sess := newTailSession()
				sess.groups = map[int64]string{g.id: tailArn(name)}
				if aerr := s.tails.add(sess); aerr != nil {
					b.Fatal(aerr)
				}
				b.Cleanup(func() { s.tails.remove(sess) })
			}
			now := time.Now()
			var body bytes.Buffer
			body.WriteString(`{"logGroupName":"g","logStreamName":"s","logEvents":[`)
			const n = 1000
			for i := range n {
				if i > 0 {
					body.WriteByte(',')
				}
				fmt.Fprintf(&body, `{"timestamp":%d,"message":"2025-06-01T00:00:00Z INFO id=%08d user=u%04d@example.com from 10.0.%d.%d path=/api/v1/items"}`,
					now.UnixMilli()-n+int64(i), i, i, i/256, i%256)
			}
			body.WriteString("]}")
			raw := body.Bytes()
			signed := signedRequest(b, "http://logs.local/", "PutLogEvents", raw, testCreds, now)
			b.SetBytes(int64(len(raw)))
			b.ResetTimer()
			for range b.N {
				w := httptest.NewRecorder()
				r := signed.Clone(context.Background())
				r.Body = io.NopCloser(bytes.NewReader(raw))
				s.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
