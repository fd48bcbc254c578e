package cwlogs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// accessLogEvents returns n JSON access-log lines with varying fields (paths, statuses,
// durations, addresses, user agents), the same for the same n and base: realistic input
// for compression, unlike a run of one byte.
func accessLogEvents(n int, base int64) []InputLogEvent {
	paths := []string{"/api/v1/orders", "/api/v1/orders/%d", "/api/v1/users/%d/profile", "/healthz", "/static/app.%x.js", "/api/v1/search?q=item%d"}
	methods := []string{"GET", "GET", "GET", "POST", "PUT", "DELETE"}
	statuses := []int{200, 200, 200, 201, 204, 301, 304, 400, 404, 500, 503}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "curl/8.5.0", "Go-http-client/1.1", "okhttp/4.12.0"}
	x := uint32(2463534242) // xorshift32: deterministic and spread out
	next := func() int {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return int(x >> 1)
	}
	evs := make([]InputLogEvent, n)
	for i := range evs {
		p := paths[next()%len(paths)]
		if strings.Contains(p, "%") {
			p = fmt.Sprintf(p, next()%100000)
		}
		ts := base + int64(i)
		evs[i] = InputLogEvent{Timestamp: ts, Message: fmt.Sprintf(
			`{"time":%q,"remote_addr":"10.%d.%d.%d","method":%q,"path":%q,"status":%d,"bytes":%d,"duration_ms":%.3f,"request_id":"%08x-%04x","user_agent":%q}`,
			time.UnixMilli(ts).UTC().Format(time.RFC3339Nano), next()%256, next()%256, next()%256, methods[next()%len(methods)], p,
			statuses[next()%len(statuses)], next()%65536, float64(next()%500000)/1000, next(), next()%65536, agents[next()%len(agents)])}
	}
	return evs
}

// gunzip decompresses one gzip member, failing the test on an error.
func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip header: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	return out
}

// encodedRequest is one request as a fakeLogs answer saw it.
type encodedRequest struct {
	encoding string
	body     []byte
	signed   string // SignedHeaders
	err      error  // signature verification
}

// recordingLogs is a fakeLogs that records each request's Content-Encoding and raw body
// and answers statuses[n] (200 once they run out) to the n-th.
func recordingLogs(t *testing.T, statuses ...int) (*fakeLogs, func() []encodedRequest) {
	var mu sync.Mutex
	var got []encodedRequest
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, encodedRequest{r.Header.Get("Content-Encoding"), []byte(s.Body), s.signedHeaders(), s.VerifyErr})
		mu.Unlock()
		if n < len(statuses) && statuses[n] != 200 {
			writeJSON(w, statuses[n], `{"__type":"ServiceUnavailableException","message":"try again"}`)
			return
		}
		writeJSON(w, 200, `{"nextSequenceToken":"1"}`)
	})
	f.noVerify = true // verification failures are recorded, and checked by the tests
	return f, func() []encodedRequest { mu.Lock(); defer mu.Unlock(); return append([]encodedRequest(nil), got...) }
}

func TestGzipRequestCompression(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	base := now.Add(-time.Minute).UnixMilli()
	batch := accessLogEvents(200, base)
	tiny := []InputLogEvent{{Timestamp: base, Message: "x"}}
	put := func(evs []InputLogEvent) func(*Client) error {
		return func(c *Client) error {
			_, err := c.PutLogEvents(ctx, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: evs})
			return err
		}
	}
	seedParams := func(extra map[string]any) map[string]any {
		evs := make([]any, len(batch))
		for i, e := range batch {
			evs[i] = map[string]any{"message": e.Message, "timestamp": fmt.Sprint(e.Timestamp)}
		}
		m := map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": evs}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	action := func(extra map[string]any) func(*Client) error {
		return func(c *Client) error { _, err := c.Action(ctx, ActionPutLogEvents, seedParams(extra)); return err }
	}
	bigBody, _ := json.Marshal(map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": batch})
	tags := map[string]string{}
	for i := range 50 {
		tags[fmt.Sprintf("key-%02d", i)] = strings.Repeat("value ", 20)
	}
	for _, tc := range []struct {
		name     string
		level    int // WithGzip's; 0: no option
		call     func(*Client) error
		wantGzip bool
	}{
		{"no option", 0, put(batch), false},
		{"default level", gzip.DefaultCompression, put(batch), true},
		{"best speed", gzip.BestSpeed, put(batch), true},
		{"best compression", gzip.BestCompression, put(batch), true},
		{"huffman only", gzip.HuffmanOnly, put(batch), true},
		{"one tiny event: not smaller compressed, sent as it is", gzip.DefaultCompression, put(tiny), false},
		{"Action, the seed's params", gzip.DefaultCompression, action(nil), true},
		{"Action with a pass-through member", gzip.DefaultCompression, action(map[string]any{"entity": map[string]any{"keyAttributes": map[string]any{"Type": "Service", "Name": "api", "Environment": "prod"}}}), true},
		{"Invoke PutLogEvents", gzip.DefaultCompression, func(c *Client) error { _, err := c.Invoke(ctx, "PutLogEvents", bigBody); return err }, true},
		{"other operations are not compressed", gzip.DefaultCompression, func(c *Client) error {
			return c.CreateLogGroup(ctx, &CreateLogGroupInput{LogGroupName: "g", Tags: tags})
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The same call without compression gives the bytes the compressed body must hold.
			plainSrv, plainGot := recordingLogs(t)
			if err := tc.call(newTestClient(t, plainSrv)); err != nil {
				t.Fatal(err)
			}
			want := plainGot()[0].body

			var opts []Option
			if tc.level != 0 {
				opts = append(opts, WithGzip(tc.level))
			}
			f, got := recordingLogs(t)
			if err := tc.call(newTestClient(t, f, opts...)); err != nil {
				t.Fatal(err)
			}
			r := got()[0]
			if r.err != nil {
				t.Errorf("signature over the bytes sent: %v", r.err)
			}
			if !tc.wantGzip {
				if r.encoding != "" || !bytes.Equal(r.body, want) {
					t.Errorf("sent Content-Encoding %q and %d bytes, want none and the %d bytes of the plain call", r.encoding, len(r.body), len(want))
				}
				return
			}
			if r.encoding != "gzip" {
				t.Fatalf("Content-Encoding %q, want gzip", r.encoding)
			}
			if !strings.Contains(r.signed, "content-encoding") {
				t.Errorf("SignedHeaders %s lack content-encoding", r.signed)
			}
			if len(r.body) >= len(want) {
				t.Errorf("compressed body of %d bytes, not smaller than the %d bytes plain", len(r.body), len(want))
			}
			if plain := gunzip(t, r.body); !bytes.Equal(plain, want) {
				t.Errorf("decompressed body differs from the plain call's:\n got %.200s\nwant %.200s", plain, want)
			}
		})
	}
}

// TestGzipRetriesResendSameBytes: the body is compressed once per call; every attempt
// sends, and signs, the same compressed bytes.
func TestGzipRetriesResendSameBytes(t *testing.T) {
	f, got := recordingLogs(t, 503, 503, 200)
	c := newTestClient(t, f, WithGzip(gzip.BestSpeed), WithClock(tickClock(time.Now())))
	evs := accessLogEvents(100, time.Now().Add(-time.Minute).UnixMilli())
	if _, err := c.PutLogEvents(context.Background(), &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
	reqs := got()
	if len(reqs) != 3 {
		t.Fatalf("%d attempts, want 3", len(reqs))
	}
	want := appendPutLogEvents(nil, &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: evs})
	for i, r := range reqs {
		if r.err != nil {
			t.Errorf("attempt %d: signature: %v", i+1, r.err)
		}
		if r.encoding != "gzip" || !bytes.Equal(r.body, reqs[0].body) {
			t.Errorf("attempt %d: Content-Encoding %q, %d bytes; want gzip and the first attempt's %d bytes", i+1, r.encoding, len(r.body), len(reqs[0].body))
		}
	}
	if plain := gunzip(t, reqs[0].body); !bytes.Equal(plain, want) {
		t.Errorf("decompressed body is not the batch's encoding")
	}
}

// TestGzipLimitsOnUncompressedBatch: the batch limits count the events as the service
// does, uncompressed: a batch over MaxBatchBytes is refused before anything is sent,
// however well it would compress.
func TestGzipLimitsOnUncompressedBatch(t *testing.T) {
	f, got := recordingLogs(t)
	c := newTestClient(t, f, WithGzip(gzip.BestCompression))
	base := time.Now().Add(-time.Minute).UnixMilli()
	msg := strings.Repeat("a", 100_000)
	evs := make([]InputLogEvent, MaxBatchBytes/(len(msg)+EventOverheadBytes)+1)
	for i := range evs {
		evs[i] = InputLogEvent{Timestamp: base, Message: msg}
	}
	_, err := c.PutLogEvents(context.Background(), &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: evs})
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "1048576") {
		t.Fatalf("batch of %d events of %d bytes: err %v, want a *ValidationError", len(evs), len(msg), err)
	}
	if n := len(got()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestWithGzipLevel(t *testing.T) {
	for _, tc := range []struct {
		level int
		ok    bool
	}{
		{gzip.HuffmanOnly, true}, {gzip.DefaultCompression, true}, {0, true}, {gzip.BestSpeed, true}, {gzip.BestCompression, true},
		{-3, false}, {10, false},
	} {
		_, err := New("us-east-1", testAKID, testSecret, WithGzip(tc.level))
		if tc.ok {
			if err != nil {
				t.Errorf("level %d: %v", tc.level, err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "gzipLevel" || ve.Value != fmt.Sprint(tc.level) {
			t.Errorf("level %d: err %v, want a *ValidationError naming gzipLevel and the value", tc.level, err)
		}
	}
}

// TestGzipRefused: a server that refuses a compressed body (a proxy or an emulator
// without gzip support, with a 4xx) gets an *APIError back, as for any other request: the
// client does not resend the batch uncompressed, nor retry a non-retryable answer.
func TestGzipRefused(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
	}{
		{415, `{"__type":"UnsupportedMediaTypeException","message":"Content-Encoding gzip not supported"}`},
		{400, `{"__type":"SerializationException","message":"Start of structure or map found where not expected."}`},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			var mu sync.Mutex
			var encodings []string
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				encodings = append(encodings, r.Header.Get("Content-Encoding"))
				mu.Unlock()
				writeJSON(w, tc.status, tc.body)
			})
			c := newTestClient(t, f, WithGzip(gzip.BestSpeed))
			evs := accessLogEvents(50, time.Now().Add(-time.Minute).UnixMilli())
			_, err := c.PutLogEvents(context.Background(), &PutLogEventsInput{LogGroupName: "g", LogStreamName: "s", LogEvents: evs})
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != tc.status {
				t.Fatalf("err %v, want the *APIError of the HTTP %d", err, tc.status)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(encodings) != 1 || encodings[0] != "gzip" {
				t.Errorf("requests sent with Content-Encoding %q, want one, gzip", encodings)
			}
		})
	}
}

// TestGzipConcurrentPooledBuffers: concurrent compressed calls, some retried, share the
// pools of bodies and gzip writers; every request the server gets is signed over its
// bytes and decompresses to the batch of the call that sent it (a buffer returned to a
// pool while still read would mix two calls' bytes).
func TestGzipConcurrentPooledBuffers(t *testing.T) {
	f, got := recordingLogs(t, 503, 200, 200, 503)
	c := newTestClient(t, f, WithGzip(gzip.BestSpeed), WithClock(tickClock(time.Now())))
	base := time.Now().Add(-time.Minute).UnixMilli()
	const workers, calls = 8, 15
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				in := &PutLogEventsInput{LogGroupName: "g", LogStreamName: fmt.Sprintf("s-%d-%d", w, i), LogEvents: accessLogEvents(20+w*10+i, base)}
				if _, err := c.PutLogEvents(context.Background(), in); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	reqs := got()
	if len(reqs) != workers*calls+2 {
		t.Fatalf("%d requests, want %d", len(reqs), workers*calls+2)
	}
	for _, r := range reqs {
		if r.err != nil || r.encoding != "gzip" {
			t.Fatalf("request with Content-Encoding %q: signature: %v", r.encoding, r.err)
		}
		var in PutLogEventsInput
		if err := json.Unmarshal(gunzip(t, r.body), &in); err != nil {
			t.Fatal(err)
		}
		var w, i int
		if _, err := fmt.Sscanf(in.LogStreamName, "s-%d-%d", &w, &i); err != nil {
			t.Fatal(err)
		}
		want := appendPutLogEvents(nil, &PutLogEventsInput{LogGroupName: "g", LogStreamName: in.LogStreamName, LogEvents: accessLogEvents(20+w*10+i, base)})
		if plain := gunzip(t, r.body); !bytes.Equal(plain, want) {
			t.Fatalf("stream %s: the body is not its call's batch", in.LogStreamName)
		}
	}
}
