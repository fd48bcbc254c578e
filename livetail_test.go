package cwlogs

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/eventstream"
)

var ltInput = &StartLiveTailInput{
	LogGroupIdentifiers:   []string{"arn:aws:logs:us-east-1:123456789012:log-group:app"},
	LogStreamNamePrefixes: []string{"s"},
	LogEventFilterPattern: "ERROR",
}

// collect ranges over a session's updates.
func collect(s *LiveTailSession) (ups []*LiveTailSessionUpdate, err error) {
	for u, e := range s.Updates() {
		if e != nil {
			return ups, e
		}
		ups = append(ups, u)
	}
	return ups, nil
}

func wantAPIError(code string, status int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var ae *APIError
		if !errors.As(err, &ae) || ae.Code != code || ae.StatusCode != status || ae.Operation != "StartLiveTail" {
			t.Fatalf("err = %#v (%v), want an *APIError %s, HTTP %d", err, err, code, status)
		}
		if ae.RequestID != "req-lt" && ae.RequestID != "req-1234" {
			t.Errorf("RequestID = %q", ae.RequestID)
		}
	}
}

func wantDecodeError(contains string, is error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var de *DecodeError
		if !errors.As(err, &de) || de.Operation != "StartLiveTail" {
			t.Fatalf("err = %T %v, want a *DecodeError of StartLiveTail", err, err)
		}
		if !strings.Contains(err.Error(), contains) {
			t.Errorf("err = %v, want it to say %q", err, contains)
		}
		if is != nil && !errors.Is(err, is) {
			t.Errorf("err = %v, want it to wrap %v", err, is)
		}
	}
}

func TestStartLiveTailStream(t *testing.T) {
	corrupt := func(b []byte) []byte { b = append([]byte(nil), b...); b[len(b)-6] ^= 0x20; return b }
	unknownType := ltFrame(t, "{}", eventstream.Header{Name: eventstream.MessageTypeHeader, Value: eventstream.String("gossip")})
	noType := ltFrame(t, "{}", eventstream.Header{Name: eventstream.EventTypeHeader, Value: eventstream.String(liveTailSessionUpdate)})
	tests := []struct {
		name string
		// answer writes the stream (after ltHead); abort cuts the connection after it.
		frames   [][]byte
		abort    bool
		startErr func(*testing.T, error) // StartLiveTail's error; nil: none
		updates  int                     // updates yielded
		events   int                     // events in them
		sampled  int                     // updates marked sampled
		err      func(*testing.T, error) // the sequence's final error; nil: none
	}{
		{name: "happy path", frames: [][]byte{ltEvent(t, liveTailInitialResponse, "{}"), ltEvent(t, liveTailSessionStart, ltStartJSON),
			ltEvent(t, liveTailSessionUpdate, ltUpdate2), ltEvent(t, liveTailSessionUpdate, ltUpdateEmpty), ltEvent(t, liveTailSessionUpdate, ltUpdateSampled)},
			updates: 3, events: 3, sampled: 1},
		{name: "no initial-response, unknown event skipped", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON),
			ltEvent(t, "futureThing", `{"x":1}`), ltEvent(t, liveTailSessionUpdate, ltUpdate2)}, updates: 1, events: 2},
		{name: "session timeout mid-stream", frames: [][]byte{ltEvent(t, liveTailInitialResponse, "{}"), ltEvent(t, liveTailSessionStart, ltStartJSON),
			ltEvent(t, liveTailSessionUpdate, ltUpdate2), ltException(t, CodeSessionTimeout, "Session timed out after 3 hours"),
			ltEvent(t, liveTailSessionUpdate, ltUpdate2)},
			updates: 1, events: 2, err: wantAPIError(CodeSessionTimeout, 200)},
		{name: "streaming exception", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), ltException(t, CodeSessionStreaming, "boom")},
			err: wantAPIError(CodeSessionStreaming, 200)},
		{name: "error message", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), ltEvent(t, liveTailSessionUpdate, ltUpdateEmpty),
			ltErrorMessage(t, "InternalFailure", "the stream failed")}, updates: 1, err: wantAPIError("InternalFailure", 200)},
		{name: "exception without a payload", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), ltFrame(t, "",
			eventstream.Header{Name: eventstream.MessageTypeHeader, Value: eventstream.String("exception")},
			eventstream.Header{Name: eventstream.ExceptionTypeHeader, Value: eventstream.String(CodeSessionStreaming)})},
			err: func(t *testing.T, err error) {
				wantAPIError(CodeSessionStreaming, 200)(t, err)
				if ae := err.(*APIError); ae.Message != "" { // not the HTTP status text "OK"
					t.Errorf("Message = %q, want none", ae.Message)
				}
			}},
		{name: "exception before sessionStart", frames: [][]byte{ltEvent(t, liveTailInitialResponse, "{}"), ltException(t, "AccessDeniedException", "no")},
			startErr: wantAPIError("AccessDeniedException", 200)},
		{name: "truncated inside a message", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), ltEvent(t, liveTailSessionUpdate, ltUpdate2)[:40]},
			err: wantDecodeError("reading the event stream", io.ErrUnexpectedEOF)},
		{name: "connection cut between messages", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), ltEvent(t, liveTailSessionUpdate, ltUpdate2)},
			abort: true, updates: 1, events: 2, err: wantDecodeError("reading the event stream", io.ErrUnexpectedEOF)},
		{name: "connection cut inside a message", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), ltEvent(t, liveTailSessionUpdate, ltUpdate2)[:30]},
			abort: true, err: wantDecodeError("reading the event stream", io.ErrUnexpectedEOF)},
		{name: "bad message CRC", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), corrupt(ltEvent(t, liveTailSessionUpdate, ltUpdate2))},
			err: wantDecodeError("checksum", eventstream.ErrChecksum)},
		{name: "bad JSON in an update", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), ltEvent(t, liveTailSessionUpdate, `{"sessionResults":[{"timestamp":"soon"}]}`)},
			err: wantDecodeError("sessionUpdate event", nil)},
		{name: "unknown message type", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), unknownType},
			err: wantDecodeError(`unknown :message-type "gossip"`, nil)},
		{name: "no message type", frames: [][]byte{ltEvent(t, liveTailSessionStart, ltStartJSON), noType},
			err: wantDecodeError("without a string :message-type", nil)},
		{name: "update before sessionStart", frames: [][]byte{ltEvent(t, liveTailSessionUpdate, ltUpdate2)},
			startErr: wantDecodeError("began with a sessionUpdate", nil)},
		{name: "ends before sessionStart", frames: [][]byte{ltEvent(t, liveTailInitialResponse, "{}")},
			startErr: wantDecodeError("ended before its sessionStart", nil)},
		{name: "bad sessionStart JSON", frames: [][]byte{ltEvent(t, liveTailSessionStart, `{"logGroupIdentifiers":"one"}`)},
			startErr: wantDecodeError("sessionStart event", nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
				ltHead(w)
				ltWrite(w, tt.frames...)
				if tt.abort {
					panic(http.ErrAbortHandler)
				}
			})
			c := newTestClient(t, f)
			s, err := c.StartLiveTail(context.Background(), ltInput)
			if tt.startErr != nil {
				if s != nil {
					t.Fatalf("StartLiveTail returned a session with error %v", err)
				}
				tt.startErr(t, err)
				return
			}
			if err != nil {
				t.Fatalf("StartLiveTail: %v", err)
			}
			defer s.Close()
			if s.Start.SessionID != "sess-1" || s.Start.RequestID != "req-lt" || s.Start.LogEventFilterPattern != "ERROR" ||
				len(s.Start.LogGroupIdentifiers) != 1 {
				t.Errorf("Start = %+v", s.Start)
			}
			ups, err := collect(s)
			events, sampled := 0, 0
			for _, u := range ups {
				events += len(u.SessionResults)
				if u.SessionMetadata.Sampled {
					sampled++
				}
			}
			if len(ups) != tt.updates || events != tt.events || sampled != tt.sampled {
				t.Errorf("got %d updates, %d events, %d sampled; want %d, %d, %d", len(ups), events, sampled, tt.updates, tt.events, tt.sampled)
			}
			if tt.err == nil {
				if err != nil {
					t.Fatalf("final error %v", err)
				}
			} else {
				tt.err(t, err)
			}
			// Ranging again after the end yields the same end, and nothing else.
			again, err2 := collect(s)
			if len(again) != 0 || (err2 == nil) != (err == nil) || (err != nil && err2.Error() != err.Error()) {
				t.Errorf("ranging again: %d updates, %v; want none, %v", len(again), err2, err)
			}
		})
	}
}

func TestStartLiveTailEventFields(t *testing.T) {
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		ltHead(w)
		ltWrite(w, ltEvent(t, liveTailSessionStart, ltStartJSON), ltEvent(t, liveTailSessionUpdate, ltUpdate2))
	})
	s, err := newTestClient(t, f).StartLiveTail(context.Background(), ltInput)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ups, err := collect(s)
	if err != nil || len(ups) != 1 {
		t.Fatalf("%d updates, %v", len(ups), err)
	}
	want := LiveTailLogEvent{LogStreamName: "s1", LogGroupIdentifier: "123456789012:app", Message: "ERROR one", Timestamp: 1700000000000, IngestionTime: 1700000000100}
	if got := ups[0].SessionResults[0]; got != want {
		t.Errorf("event = %+v, want %+v", got, want)
	}
	// The request: the operation's target, the model's JSON, a valid signature.
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Target != "Logs_20140328.StartLiveTail" || r.ContentType != ContentType || r.VerifyErr != nil {
		t.Errorf("request %+v", r)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatal(err)
	}
	if len(body) != 3 || body["logEventFilterPattern"] != "ERROR" || body["logStreamNamePrefixes"].([]any)[0] != "s" {
		t.Errorf("body %s", r.Body)
	}
}

func TestStartLiveTailHTTPErrors(t *testing.T) {
	tests := []struct {
		name     string
		answer   func(n int, w http.ResponseWriter)
		requests int
		check    func(*testing.T, error)
	}{
		{"not found, not retried", func(n int, w http.ResponseWriter) {
			writeJSON(w, 400, `{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}`)
		}, 1, func(t *testing.T, err error) {
			wantAPIError(CodeResourceNotFound, 400)(t, err)
			if !IsNotFound(err) {
				t.Error("IsNotFound false")
			}
		}},
		{"throttled, then the stream", func(n int, w http.ResponseWriter) {
			if n == 0 {
				writeJSON(w, 400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
				return
			}
			ltHead(w)
			ltWrite(w, ltEvent(t, liveTailSessionStart, ltStartJSON))
		}, 2, nil},
		{"a JSON 200 is not a stream", func(n int, w http.ResponseWriter) {
			writeJSON(w, 200, `{"responseStream":{}}`)
		}, 1, wantDecodeError(`Content-Type "application/x-amz-json-1.1", not application/vnd.amazon.eventstream: "{\"responseStream\":{}}"`, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) { tt.answer(n, w) })
			s, err := newTestClient(t, f).StartLiveTail(context.Background(), ltInput)
			if got := len(f.requests()); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
			if tt.check == nil {
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				return
			}
			if s != nil {
				t.Fatal("a session with an error")
			}
			tt.check(t, err)
		})
	}
}

// noLeak fails t if goroutines started during the test are still running shortly after.
func noLeak(t *testing.T) func() {
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines left (before %d):\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
	}
}

// TestStartLiveTailEnds: ctx cancelled or Close called while a goroutine waits for the
// next message ends the wait promptly, closes the connection and leaves no goroutine.
func TestStartLiveTailEnds(t *testing.T) {
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			gone := make(chan struct{})
			f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
				ltHead(w)
				ltWrite(w, ltEvent(t, liveTailSessionStart, ltStartJSON), ltEvent(t, liveTailSessionUpdate, ltUpdate2))
				<-r.Context().Done() // the client went away
				close(gone)
			})
			hc := &http.Client{Transport: &http.Transport{}}
			c := newTestClient(t, f, WithHTTPClient(hc))
			check := noLeak(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := c.StartLiveTail(ctx, ltInput)
			if err != nil {
				t.Fatal(err)
			}
			var ups int
			var final error
			start := time.Now()
			for _, err := range s.Updates() {
				if err != nil {
					final = err
					break
				}
				ups++
				if how == "cancel" {
					time.AfterFunc(50*time.Millisecond, cancel)
				} else {
					time.AfterFunc(50*time.Millisecond, func() { s.Close() })
				}
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("ending took %v", d)
			}
			if ups != 1 {
				t.Errorf("%d updates", ups)
			}
			if how == "cancel" {
				var oe *OpError
				if !errors.As(final, &oe) || !errors.Is(final, context.Canceled) {
					t.Errorf("final error %T %v, want an *OpError wrapping context.Canceled", final, final)
				}
			} else if final != nil {
				t.Errorf("final error %v after Close, want none", final)
			}
			select {
			case <-gone:
			case <-time.After(2 * time.Second):
				t.Fatal("the server never saw the connection end")
			}
			s.Close()
			cancel()
			hc.CloseIdleConnections()
			check()
		})
	}
}

// TestStartLiveTailAttemptTimeout: the attempt timeout bounds the wait for the headers
// and each wait for a message, never the stream as a whole.
func TestStartLiveTailAttemptTimeout(t *testing.T) {
	const timeout = 150 * time.Millisecond
	t.Run("a stream longer than the timeout", func(t *testing.T) {
		// Gaps far below the timeout: a busy machine's scheduling delays stay within it
		// (with 60 ms gaps and a 400 ms timeout, a loaded CI machine once cut the stream
		// after 4 updates).
		const timeout = time.Second
		f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
			ltHead(w)
			ltWrite(w, ltEvent(t, liveTailSessionStart, ltStartJSON))
			for range 8 { // 1.2 s in all
				time.Sleep(150 * time.Millisecond)
				ltWrite(w, ltEvent(t, liveTailSessionUpdate, ltUpdateEmpty))
			}
		})
		s, err := newTestClient(t, f, WithAttemptTimeout(timeout)).StartLiveTail(context.Background(), ltInput)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ups, err := collect(s)
		if err != nil || len(ups) != 8 {
			t.Fatalf("%d updates, %v; want 8, none", len(ups), err)
		}
	})
	t.Run("a silent stream", func(t *testing.T) {
		f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
			ltHead(w)
			ltWrite(w, ltEvent(t, liveTailSessionStart, ltStartJSON), ltEvent(t, liveTailSessionUpdate, ltUpdateEmpty))
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		})
		s, err := newTestClient(t, f, WithAttemptTimeout(timeout)).StartLiveTail(context.Background(), ltInput)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		// A slow consumer is not a silent stream: the bound is on the wait alone.
		var ups int
		start := time.Now()
		_, err = collect2(s, func() { ups++; time.Sleep(2 * timeout) })
		if ups != 1 {
			t.Errorf("%d updates", ups)
		}
		wantDecodeError("no message for 150ms", ErrAttemptTimeout)(t, err)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err %v does not wrap context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("headers later than the timeout", func(t *testing.T) {
		f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		})
		_, err := newTestClient(t, f, WithAttemptTimeout(timeout), WithMaxAttempts(2)).StartLiveTail(context.Background(), ltInput)
		var oe *OpError
		if !errors.As(err, &oe) || !errors.Is(err, ErrAttemptTimeout) || oe.Attempts != 2 {
			t.Fatalf("err %T %v, want an *OpError of 2 attempts wrapping ErrAttemptTimeout", err, err)
		}
	})
}

// collect2 ranges over the updates calling each for every one.
func collect2(s *LiveTailSession, each func()) (int, error) {
	n := 0
	for _, err := range s.Updates() {
		if err != nil {
			return n, err
		}
		n++
		each()
	}
	return n, nil
}
