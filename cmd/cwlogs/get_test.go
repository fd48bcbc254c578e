package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cwlogs/cwlogs"
)

// TestLastEventsEmptyPages: get --limit N reads backward from the newest page
// and stops only where the service sends back the token it was given (the
// start of the stream), not at an empty page: the service may return empty
// pages in the middle of a stream, with a new token.
func TestLastEventsEmptyPages(t *testing.T) {
	ev := func(ts int, msg string) string {
		return fmt.Sprintf(`{"timestamp":%d,"message":%q,"ingestionTime":%d}`, ts, msg, ts)
	}
	tests := []struct {
		name  string
		pages map[string]string // request token -> response body
		limit int
		want  []string
	}{
		{"empty newest page", map[string]string{
			"":   `{"events":[],"nextBackwardToken":"b1","nextForwardToken":"f0"}`,
			"b1": `{"events":[` + ev(1, "one") + `,` + ev(2, "two") + `],"nextBackwardToken":"b2","nextForwardToken":"f1"}`,
			"b2": `{"events":[],"nextBackwardToken":"b2","nextForwardToken":"f2"}`,
		}, 5, []string{"one", "two"}},
		{"empty page in the middle", map[string]string{
			"":   `{"events":[` + ev(5, "five") + `],"nextBackwardToken":"b1","nextForwardToken":"f0"}`,
			"b1": `{"events":[],"nextBackwardToken":"b2","nextForwardToken":"f1"}`,
			"b2": `{"events":[` + ev(3, "three") + `,` + ev(4, "four") + `],"nextBackwardToken":"b3","nextForwardToken":"f2"}`,
			"b3": `{"events":[],"nextBackwardToken":"b3","nextForwardToken":"f3"}`,
		}, 2, []string{"four", "five"}},
		{"start of the stream", map[string]string{
			"":   `{"events":[` + ev(5, "five") + `],"nextBackwardToken":"b1","nextForwardToken":"f0"}`,
			"b1": `{"events":[],"nextBackwardToken":"b1","nextForwardToken":"f1"}`,
		}, 10, []string{"five"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			requests := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var in struct {
					NextToken string `json:"nextToken"`
				}
				body, _ := io.ReadAll(r.Body)
				json.Unmarshal(body, &in)
				mu.Lock()
				requests++
				n := requests
				mu.Unlock()
				page, ok := tc.pages[in.NextToken]
				if !ok || n > 10 {
					w.WriteHeader(400)
					io.WriteString(w, `{"__type":"InvalidParameterException","message":"unexpected token"}`)
					return
				}
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				io.WriteString(w, page)
			}))
			defer srv.Close()
			cl, err := cwlogs.New("us-east-1", "AKID", "secret", cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
			if err != nil {
				t.Fatal(err)
			}
			var n atomic.Int64
			evs, err := lastEvents(context.Background(), cl, &cwlogs.GetLogEventsInput{LogGroupName: "g", LogStreamName: "s"}, tc.limit, &n)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range evs {
				got = append(got, e.Message)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("last %d events: %q, want %q", tc.limit, got, tc.want)
			}
		})
	}
}
