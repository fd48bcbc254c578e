package cwlogs

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPutLogEventsLogFormatHeader: LogFormat becomes the signed x-amzn-logs-format header of
// every attempt (retries included), stays out of the body, and is absent when unset.
func TestPutLogEventsLogFormatHeader(t *testing.T) {
	for _, tc := range []struct {
		name, format, want string
	}{
		{"emf", LogFormatEMF, "json/emf"},
		{"unset", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var headers []string
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				headers = append(headers, strings.Join(r.Header.Values("X-Amzn-Logs-Format"), "|"))
				mu.Unlock()
				if n == 0 { // one retry: the header must be on every attempt
					writeJSON(w, 500, `{"__type":"ServiceUnavailableException","message":"try again"}`)
					return
				}
				writeJSON(w, 200, `{}`)
			})
			c := newTestClient(t, f)
			in := &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogFormat: tc.format,
				LogEvents: []InputLogEvent{{Timestamp: time.Now().UnixMilli(), Message: `{"_aws":{}}`}}}
			if _, err := c.PutLogEvents(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			reqs := f.requests()
			if len(reqs) != 2 || len(headers) != 2 {
				t.Fatalf("%d requests, %d answered; want 2", len(reqs), len(headers))
			}
			for i, r := range reqs {
				if r.VerifyErr != nil {
					t.Errorf("attempt %d: signature: %v", i+1, r.VerifyErr)
				}
				if headers[i] != tc.want {
					t.Errorf("attempt %d: x-amzn-logs-format %q, want %q", i+1, headers[i], tc.want)
				}
				signed := strings.Contains(";"+r.signedHeaders()+";", ";x-amzn-logs-format;")
				if signed != (tc.want != "") {
					t.Errorf("attempt %d: SignedHeaders %q: x-amzn-logs-format signed %v, want %v", i+1, r.signedHeaders(), signed, tc.want != "")
				}
				if strings.Contains(r.Body, "json/emf") || strings.Contains(strings.ToLower(r.Body), "logformat") {
					t.Errorf("attempt %d: the format leaked into the body: %s", i+1, r.Body)
				}
			}
		})
	}
}

// TestPutLogEventsLogFormatInvalid: a LogFormat other than "" and json/emf is refused, naming
// the field and value, before any request.
func TestPutLogEventsLogFormatInvalid(t *testing.T) {
	f := newFakeLogs(t, nil)
	c := newTestClient(t, f)
	for _, v := range []string{"json", "JSON/EMF", "json/emf ", "text"} {
		in := &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogFormat: v,
			LogEvents: []InputLogEvent{{Timestamp: time.Now().UnixMilli(), Message: "m"}}}
		_, err := c.PutLogEvents(context.Background(), in)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "LogFormat" || !strings.Contains(ve.Value, v) {
			t.Errorf("LogFormat %q: %v, want a ValidationError naming LogFormat", v, err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}
