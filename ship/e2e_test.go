package ship_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/ship"
)

var _ ship.API = (*cwlogs.Client)(nil)

// fakeLogs is an httptest CloudWatch Logs endpoint that checks every
// PutLogEvents rule on the wire and stores accepted events.
type fakeLogs struct {
	mu         sync.Mutex
	streams    map[string][]cwlogs.InputLogEvent
	requests   map[string]int // per X-Amz-Target operation
	violations []string
}

func newFakeLogs() *fakeLogs {
	return &fakeLogs{streams: map[string][]cwlogs.InputLogEvent{}, requests: map[string]int{}}
}

func awsErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
}

func (f *fakeLogs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests[op]++
	bad := func(format string, args ...any) {
		f.violations = append(f.violations, fmt.Sprintf(format, args...))
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		bad("unsigned request")
	}
	var in struct {
		LogGroupName  string  `json:"logGroupName"`
		LogStreamName string  `json:"logStreamName"`
		SequenceToken *string `json:"sequenceToken"`
		LogEvents     []struct {
			Timestamp int64  `json:"timestamp"`
			Message   string `json:"message"`
		} `json:"logEvents"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		bad("bad JSON: %v", err)
		awsErr(w, 400, "SerializationException", err.Error())
		return
	}
	key := in.LogGroupName + "/" + in.LogStreamName
	switch op {
	case "CreateLogStream":
		if _, ok := f.streams[key]; ok {
			awsErr(w, 400, "ResourceAlreadyExistsException", "The specified log stream already exists")
			return
		}
		f.streams[key] = []cwlogs.InputLogEvent{}
		_, _ = w.Write([]byte("{}"))
		return
	case "PutLogEvents":
	default:
		bad("unexpected operation %q", op)
		awsErr(w, 400, "InvalidAction", op)
		return
	}
	if in.SequenceToken != nil {
		bad("sequence token sent")
	}
	n := len(in.LogEvents)
	if n < 1 || n > 10000 {
		bad("%d events", n)
	}
	total := 0
	for i, e := range in.LogEvents {
		size := len(e.Message) + 26
		if e.Message == "" || size > 1048576 || !utf8.ValidString(e.Message) {
			bad("event %d: %d bytes", i, len(e.Message))
		}
		total += size
		if i > 0 && e.Timestamp < in.LogEvents[i-1].Timestamp {
			bad("event %d out of order", i)
		}
		if e.Timestamp-in.LogEvents[0].Timestamp >= 24*3600*1000 {
			bad("span of 24h reached at event %d", i)
		}
	}
	if total > 1048576 {
		bad("batch of %d bytes", total)
	}
	if _, ok := f.streams[key]; !ok {
		awsErr(w, 400, "ResourceNotFoundException", "The specified log stream does not exist.")
		return
	}
	for _, e := range in.LogEvents {
		f.streams[key] = append(f.streams[key], cwlogs.InputLogEvent{Timestamp: e.Timestamp, Message: e.Message})
	}
	_, _ = w.Write([]byte(`{"nextSequenceToken":"1"}`))
}

func newClient(t testing.TB, endpoint string, attemptTimeout time.Duration) *cwlogs.Client {
	t.Helper()
	c, err := cwlogs.New("us-east-1", "AKIDEXAMPLE", "secret", cwlogs.WithEndpoint(endpoint),
		cwlogs.WithMaxAttempts(1), cwlogs.WithAttemptTimeout(attemptTimeout))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestHTTPBatchRules sends awkward input through the real client to an
// endpoint that checks every rule on the wire.
func TestHTTPBatchRules(t *testing.T) {
	f := newFakeLogs()
	srv := httptest.NewServer(f)
	defer srv.Close()
	s, err := ship.New(newClient(t, srv.URL, 10*time.Second), "g", "s", &ship.Options{Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	want := 0
	big := strings.Repeat("€", 400000) // 1.2 MB: split in two events
	for i := range 30000 {
		msg := fmt.Sprintf("event %d \"quoted\" \\ tab\t ünïcode \u2028", i)
		ts := now.Add(-time.Duration(i%7000) * time.Minute) // spans ~5 days, unordered
		if i%10000 == 0 {
			msg = big
			want++
		}
		if err := s.Log(ts, msg); err != nil {
			t.Fatal(err)
		}
		want++
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.violations) > 0 {
		t.Fatalf("violations: %v", f.violations[:min(10, len(f.violations))])
	}
	if got := len(f.streams["g/s"]); got != want || st.Sent != int64(want) {
		t.Fatalf("stored %d, sent %d, want %d", got, st.Sent, want)
	}
	if f.requests["CreateLogStream"] != 1 || st.StreamsCreated != 1 {
		t.Errorf("CreateLogStream calls %d, created %d", f.requests["CreateLogStream"], st.StreamsCreated)
	}
	if f.requests["PutLogEvents"] != int(st.Requests) {
		t.Errorf("PutLogEvents requests %d, stats %d", f.requests["PutLogEvents"], st.Requests)
	}
}

// TestHTTPThrottleWithoutAWSCode: a 429 or a 408 answer without an AWS error
// code (as a proxy, gateway or emulator in front of the service sends) must be
// retried. A review found that the shipper classified every 4xx that was not
// a known throttling or timeout code as permanent, so such an answer dropped
// the whole batch (Stats.Dropped.PermanentError) although the service would
// have stored it a moment later.
func TestHTTPThrottleWithoutAWSCode(t *testing.T) {
	cases := []struct {
		name          string
		status        int
		contentType   string
		body          string
		wantThrottled int64
	}{
		{"429 text", http.StatusTooManyRequests, "text/plain", "Too Many Requests", 1},
		{"429 JSON without a code", http.StatusTooManyRequests, "application/json", `{"message":"rate limited"}`, 1},
		{"408 HTML", http.StatusRequestTimeout, "text/html", "<html><body>Request Timeout</body></html>", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			calls, stored := 0, 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var in struct {
					LogEvents []json.RawMessage `json:"logEvents"`
				}
				body, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(body, &in)
				mu.Lock()
				defer mu.Unlock()
				calls++
				if calls == 1 {
					w.Header().Set("Content-Type", tc.contentType)
					w.WriteHeader(tc.status)
					_, _ = io.WriteString(w, tc.body)
					return
				}
				stored += len(in.LogEvents)
				_, _ = w.Write([]byte(`{"nextSequenceToken":"1"}`))
			}))
			defer srv.Close()
			s, err := ship.New(newClient(t, srv.URL, 10*time.Second), "g", "s", &ship.Options{
				InitialBackoff: time.Millisecond, ThrottleBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if err := s.Log(time.Now(), fmt.Sprint("event ", i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatalf("Close: %v", err)
			}
			st := s.Stats()
			mu.Lock()
			defer mu.Unlock()
			if stored != 3 || st.Sent != 3 || st.Retries != 1 || st.Throttled != tc.wantThrottled {
				t.Errorf("stored %d, sent %d, retries %d, throttled %d; want 3, 3, 1, %d", stored, st.Sent, st.Retries, st.Throttled, tc.wantThrottled)
			}
		})
	}
}
