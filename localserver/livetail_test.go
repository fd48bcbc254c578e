package localserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs/internal/eventstream"
)

// The Live Tail tests run sequentially (no t.Parallel): they share liveTailTick, shortened
// here so that the file adds only a few seconds.
func init() { liveTailTick = 40 * time.Millisecond }

const tailAccount = DefaultAccountID

func tailArn(group string) string {
	return "arn:aws:logs:us-east-1:" + tailAccount + ":log-group:" + group
}

// tailStream is an open StartLiveTail answer read by a goroutine.
type tailStream struct {
	resp   *http.Response
	msgs   chan *eventstream.Message
	errc   chan error // the decoding error that ended the stream (io.EOF: its end)
	cancel context.CancelFunc
}

// openTail sends StartLiveTail to url; it returns the answer when it is not a stream.
func openTail(t *testing.T, s *Server, url string, in any) (*tailStream, *response) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	r := signedRequest(t, url+"/", "StartLiveTail", body, testCreds, s.cfg.Now())
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := http.DefaultClient.Do(r.WithContext(ctx))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Type") != contentTypeEventStream {
		defer cancel()
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out := &response{status: resp.StatusCode, header: resp.Header, raw: raw}
		if err := newDecoder(raw).Decode(&out.body); err != nil {
			t.Fatalf("answer is neither a stream nor a JSON object: %v: %s", err, raw)
		}
		return nil, out
	}
	ts := &tailStream{resp: resp, msgs: make(chan *eventstream.Message, 1000), errc: make(chan error, 1), cancel: cancel}
	go func() {
		d := eventstream.NewDecoder(resp.Body)
		for {
			msg, err := d.Decode()
			if err != nil {
				ts.errc <- err
				close(ts.msgs)
				return
			}
			ts.msgs <- msg
		}
	}()
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
	})
	return ts, nil
}

// mustTail opens a session and fails unless it streams.
func mustTail(t *testing.T, s *Server, url string, in any) *tailStream {
	t.Helper()
	ts, r := openTail(t, s, url, in)
	if ts == nil {
		t.Fatalf("StartLiveTail: status %d: %s", r.status, r.raw)
	}
	return ts
}

// next returns the next message, or nil when the stream has ended.
func (ts *tailStream) next(t *testing.T) *eventstream.Message {
	t.Helper()
	select {
	case msg, ok := <-ts.msgs:
		if !ok {
			return nil
		}
		return msg
	case <-time.After(10 * time.Second):
		t.Fatal("no Live Tail message within 10 s")
		return nil
	}
}

// tailUpdateJSON is a decoded sessionUpdate.
type tailUpdateJSON struct {
	SessionMetadata *struct {
		Sampled *bool `json:"sampled"`
	} `json:"sessionMetadata"`
	SessionResults []struct {
		LogStreamName      string `json:"logStreamName"`
		LogGroupIdentifier string `json:"logGroupIdentifier"`
		Message            string `json:"message"`
		Timestamp          int64  `json:"timestamp"`
		IngestionTime      int64  `json:"ingestionTime"`
	} `json:"sessionResults"`
}

// start reads the initial-response and sessionStart events and returns sessionStart's JSON.
func (ts *tailStream) start(t *testing.T) map[string]any {
	t.Helper()
	init := ts.next(t)
	if init == nil || init.Headers.String(eventstream.EventTypeHeader) != "initial-response" || string(init.Payload) != "{}" {
		t.Fatalf("first message is not an initial-response {}: %+v", init)
	}
	st := ts.next(t)
	if st == nil || st.Headers.String(eventstream.MessageTypeHeader) != "event" || st.Headers.String(eventstream.EventTypeHeader) != "sessionStart" {
		t.Fatalf("second message is not a sessionStart event: %+v", st)
	}
	var out map[string]any
	if err := json.Unmarshal(st.Payload, &out); err != nil {
		t.Fatalf("sessionStart payload: %v: %s", err, st.Payload)
	}
	return out
}

// update reads the next message, which must be a sessionUpdate event.
func (ts *tailStream) update(t *testing.T) *tailUpdateJSON {
	t.Helper()
	msg := ts.next(t)
	if msg == nil {
		t.Fatal("the stream ended before a sessionUpdate")
	}
	if msg.Headers.String(eventstream.MessageTypeHeader) != "event" || msg.Headers.String(eventstream.EventTypeHeader) != "sessionUpdate" ||
		msg.Headers.String(eventstream.ContentTypeHeader) != "application/json" {
		t.Fatalf("not a sessionUpdate event: %v %s", msg.Headers, msg.Payload)
	}
	var u tailUpdateJSON
	if err := json.Unmarshal(msg.Payload, &u); err != nil {
		t.Fatalf("sessionUpdate payload: %v: %s", err, msg.Payload)
	}
	if u.SessionMetadata == nil || u.SessionMetadata.Sampled == nil || u.SessionResults == nil {
		t.Fatalf("sessionUpdate lacks sessionMetadata.sampled or sessionResults: %s", msg.Payload)
	}
	return &u
}

// collect reads updates until ticks updates have come after the first carrying events
// (or 100 updates), and returns their events as "stream|message".
func (ts *tailStream) collect(t *testing.T, ticks int) []string {
	t.Helper()
	var got []string
	after := -1
	for i := 0; i < 100 && after < ticks; i++ {
		u := ts.update(t)
		for _, e := range u.SessionResults {
			got = append(got, e.LogStreamName+"|"+e.Message)
		}
		if after >= 0 || len(got) > 0 {
			after++
		}
	}
	return got
}

func newTailServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	s := newTestServer(t, cfg)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs.URL
}

func put(t *testing.T, s *Server, group, stream string, msgs ...string) {
	t.Helper()
	evs := make([]m, len(msgs))
	for i, msg := range msgs {
		evs[i] = m{"timestamp": nowMs() - int64(len(msgs)-i), "message": msg}
	}
	mustOK(t, s, "PutLogEvents", m{"logGroupName": group, "logStreamName": stream, "logEvents": evs})
}

// waitTail polls cond for up to 5 s.
func waitTail(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLiveTailStream(t *testing.T) {
	s, url := newTailServer(t, Config{})
	setupStream(t, s, "g1", "a")
	setupStream(t, s, "other", "a")
	put(t, s, "g1", "a", "before the session")

	ts := mustTail(t, s, url, m{"logGroupIdentifiers": []string{tailArn("g1")}})
	if ts.resp.StatusCode != 200 || ts.resp.Header.Get("x-amzn-RequestId") == "" {
		t.Fatalf("status %d, x-amzn-RequestId %q", ts.resp.StatusCode, ts.resp.Header.Get("x-amzn-RequestId"))
	}
	st := ts.start(t)
	if st["requestId"] != ts.resp.Header.Get("x-amzn-RequestId") || st["sessionId"] == "" || st["sessionId"] == nil {
		t.Errorf("sessionStart requestId/sessionId: %v (header %q)", st, ts.resp.Header.Get("x-amzn-RequestId"))
	}
	if ids := list(st["logGroupIdentifiers"]); len(ids) != 1 || ids[0] != tailArn("g1") {
		t.Errorf("sessionStart logGroupIdentifiers = %v", st["logGroupIdentifiers"])
	}
	for _, k := range []string{"logStreamNames", "logStreamNamePrefixes", "logEventFilterPattern"} {
		if _, ok := st[k]; ok {
			t.Errorf("sessionStart has %s, which the request did not give: %v", k, st)
		}
	}
	// An update comes every tick, empty while nothing is put.
	if u := ts.update(t); len(u.SessionResults) != 0 || *u.SessionMetadata.Sampled {
		t.Fatalf("first update is not empty: %+v", u)
	}
	put(t, s, "g1", "a", "after 1", "after 2")
	put(t, s, "other", "a", "another group")
	var got []string
	for i := 0; i < 100 && len(got) < 2; i++ {
		for _, e := range ts.update(t).SessionResults {
			got = append(got, e.Message)
			if e.LogStreamName != "a" || e.LogGroupIdentifier != tailArn("g1") || e.IngestionTime != nowMs() || e.Timestamp >= nowMs() || e.Timestamp < nowMs()-2 {
				t.Errorf("event %+v: want stream a, group %s, ingestion time %d, its timestamp", e, tailArn("g1"), nowMs())
			}
		}
	}
	if !slices.Equal(got, []string{"after 1", "after 2"}) {
		t.Errorf("tailed %q, want the two events put after the start, in order", got)
	}
	// Nothing more: neither the event put before nor the other group's.
	for range 3 {
		if u := ts.update(t); len(u.SessionResults) != 0 {
			t.Errorf("unexpected events: %+v", u.SessionResults)
		}
	}
}

func TestLiveTailFilters(t *testing.T) {
	cases := []struct {
		name string
		in   m
		want []string
	}{
		{"all", m{}, []string{"app-1|ERROR one", "app-1|INFO two", "app-2|ERROR three", "web|ERROR four"}},
		{"names", m{"logStreamNames": []string{"app-2", "web", "missing"}}, []string{"app-2|ERROR three", "web|ERROR four"}},
		{"prefixes", m{"logStreamNamePrefixes": []string{"app-"}}, []string{"app-1|ERROR one", "app-1|INFO two", "app-2|ERROR three"}},
		{"pattern", m{"logEventFilterPattern": "ERROR"}, []string{"app-1|ERROR one", "app-2|ERROR three", "web|ERROR four"}},
		{"prefix and pattern", m{"logStreamNamePrefixes": []string{"app-1", "we"}, "logEventFilterPattern": "?INFO ?four"}, []string{"app-1|INFO two", "web|ERROR four"}},
	}
	s, url := newTailServer(t, Config{})
	for _, st := range []string{"app-1", "app-2", "web"} {
		setupStream(t, s, "fg", st)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := m{"logGroupIdentifiers": []string{tailArn("fg")}}
			for k, v := range c.in {
				in[k] = v
			}
			ts := mustTail(t, s, url, in)
			start := ts.start(t)
			for k, v := range c.in {
				if fmt.Sprint(start[k]) != fmt.Sprint(v) {
					t.Errorf("sessionStart %s = %v, want %v", k, start[k], v)
				}
			}
			put(t, s, "fg", "app-1", "ERROR one", "INFO two")
			put(t, s, "fg", "app-2", "ERROR three")
			put(t, s, "fg", "web", "ERROR four")
			got := ts.collect(t, 3)
			if !slices.Equal(got, c.want) {
				t.Errorf("tailed %q, want %q", got, c.want)
			}
			ts.cancel()
			waitTail(t, "session closed", func() bool { return s.tails.count() == 0 })
		})
	}
}

func TestLiveTailSampling(t *testing.T) {
	s, url := newTailServer(t, Config{})
	setupStream(t, s, "big", "s")
	ts := mustTail(t, s, url, m{"logGroupIdentifiers": []string{tailArn("big")}})
	ts.start(t)
	msgs := make([]string, 1200)
	for i := range msgs {
		msgs[i] = fmt.Sprintf("event %04d", i)
	}
	put(t, s, "big", "s", msgs...) // one commit: one tick's events
	for i := 0; i < 100; i++ {
		u := ts.update(t)
		if len(u.SessionResults) == 0 {
			continue
		}
		if len(u.SessionResults) != maxTailUpdateEvents || !*u.SessionMetadata.Sampled {
			t.Fatalf("update of %d events, sampled %v; want %d, sampled", len(u.SessionResults), *u.SessionMetadata.Sampled, maxTailUpdateEvents)
		}
		var got []string
		for _, e := range u.SessionResults {
			got = append(got, e.Message)
		}
		if !slices.IsSorted(got) || len(slices.Compact(got)) != maxTailUpdateEvents {
			t.Errorf("the sample is not in ingestion order or has duplicates")
		}
		// A uniform sample reaches past the first 500 events.
		if got[len(got)-1] < "event 0500" {
			t.Errorf("the sample holds only the first events (last %q)", got[len(got)-1])
		}
		if u := ts.update(t); len(u.SessionResults) != 0 {
			t.Errorf("the events beyond the sample came in the next update: %d", len(u.SessionResults))
		}
		return
	}
	t.Fatal("no update carried the events")
}

func TestLiveTailSlowReaderQueue(t *testing.T) {
	sess := newTailSession()
	evs := make([]putEvent, maxTailUpdateEvents)
	msgs := make([]string, len(evs))
	for i := range evs {
		evs[i], msgs[i] = putEvent{ts: int64(i), msg: []byte("x")}, "x"
	}
	for i := range 12 {
		sess.offer("g", "s", evs, msgs, 1, uint64(i))
		sess.tick()
	}
	q, end := sess.take()
	if end != tailRunning || len(q) != maxTailQueuedUpdates || sess.dropped != 2 {
		t.Fatalf("queue of %d updates, %d dropped; want %d, 2 dropped", len(q), sess.dropped, maxTailQueuedUpdates)
	}
	if first := q[0].events[0].order >> tailOrderShift; first != 2 {
		t.Errorf("the oldest queued event is of commit #%d, want #2: the oldest updates go first", first)
	}
	// An empty update counts as one: ten of them and a full one keep ten updates, the
	// full one last.
	for range 10 {
		sess.tick()
	}
	sess.offer("g", "s", evs, msgs, 1, 12)
	sess.tick()
	if q, _ := sess.take(); len(q) != maxTailQueuedUpdates || len(q[0].events) != 0 || len(q[len(q)-1].events) != maxTailUpdateEvents {
		t.Errorf("queue of %d updates after 11 ticks", len(q))
	}
}

func TestLiveTailTimeout(t *testing.T) {
	s, url := newTailServer(t, Config{LiveTailTimeout: 300 * time.Millisecond})
	setupStream(t, s, "to", "s")
	ts := mustTail(t, s, url, m{"logGroupIdentifiers": []string{tailArn("to")}})
	ts.start(t)
	updates := 0
	for {
		msg := ts.next(t)
		if msg == nil {
			t.Fatal("the stream ended without a SessionTimeoutException")
		}
		if msg.Headers.String(eventstream.MessageTypeHeader) == "event" {
			updates++
			continue
		}
		if msg.Headers.String(eventstream.MessageTypeHeader) != "exception" || msg.Headers.String(eventstream.ExceptionTypeHeader) != "SessionTimeoutException" {
			t.Fatalf("unexpected message %v %s", msg.Headers, msg.Payload)
		}
		var body struct{ Message string }
		if err := json.Unmarshal(msg.Payload, &body); err != nil || !strings.Contains(body.Message, "timed out") {
			t.Errorf("exception payload %s (%v)", msg.Payload, err)
		}
		break
	}
	if updates < 2 {
		t.Errorf("%d updates before the timeout, want a few (300 ms at a %v tick)", updates, liveTailTick)
	}
	if msg := ts.next(t); msg != nil {
		t.Errorf("a message after the exception: %v", msg.Headers)
	}
	if err := <-ts.errc; !errors.Is(err, io.EOF) {
		t.Errorf("the stream ended with %v, want a clean end", err)
	}
	waitTail(t, "session removed", func() bool { return s.tails.count() == 0 })
}

func TestLiveTailClientDisconnect(t *testing.T) {
	s, url := newTailServer(t, Config{})
	setupStream(t, s, "dc", "s")
	ts := mustTail(t, s, url, m{"logGroupIdentifiers": []string{tailArn("dc")}})
	ts.start(t)
	if n := s.tails.count(); n != 1 {
		t.Fatalf("%d sessions open, want 1", n)
	}
	ts.cancel()
	ts.resp.Body.Close()
	waitTail(t, "session freed after the client went away", func() bool { return s.tails.count() == 0 })
	put(t, s, "dc", "s", "nobody listens") // publishing to no session is fine
}

func TestLiveTailQuota(t *testing.T) {
	s, url := newTailServer(t, Config{})
	setupStream(t, s, "q", "s")
	in := m{"logGroupIdentifiers": []string{tailArn("q")}}
	var open []*tailStream
	for range maxLiveTailSessions {
		ts := mustTail(t, s, url, in)
		ts.start(t)
		open = append(open, ts)
	}
	_, r := openTail(t, s, url, in)
	if r == nil || r.status != 400 || r.errType() != codeLimitExceeded {
		t.Fatalf("session %d: want 400 LimitExceededException, got %+v", maxLiveTailSessions+1, r)
	}
	open[0].cancel()
	waitTail(t, "a session freed", func() bool { return s.tails.count() == maxLiveTailSessions-1 })
	mustTail(t, s, url, in).start(t)
}

func TestLiveTailShutdown(t *testing.T) {
	s, err := New(Config{Memory: true, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	setupStream(t, s, "sd", "s")
	var streams []*tailStream
	for range 3 {
		ts := mustTail(t, s, s.URL(), m{"logGroupIdentifiers": []string{tailArn("sd")}})
		ts.start(t)
		streams = append(streams, ts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	begin := time.Now()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("Shutdown took %v with open sessions", d)
	}
	for _, ts := range streams {
		var last *eventstream.Message
		for msg := ts.next(t); msg != nil; msg = ts.next(t) {
			last = msg
		}
		if last == nil || last.Headers.String(eventstream.ExceptionTypeHeader) != "SessionStreamingException" {
			t.Errorf("last message %+v, want a SessionStreamingException", last)
		}
	}
	// After Shutdown no session starts.
	sess := newTailSession()
	if aerr := s.tails.add(sess); aerr == nil || aerr.Code != codeServiceUnavailable {
		t.Errorf("a session added after Shutdown: %v", aerr)
	}
}

// TestLiveTailOutlivesReadTimeout: the listener's whole-request read timeout must not end
// a session. (net/http clears the read deadline once the body is read; this guards that
// the listener Start opens keeps it so and sets no write timeout that would cut a stream.)
func TestLiveTailOutlivesReadTimeout(t *testing.T) {
	defer func(d time.Duration) { requestReadTimeout = d }(requestReadTimeout)
	requestReadTimeout = 200 * time.Millisecond
	s, err := New(Config{Memory: true, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	setupStream(t, s, "rt", "s")
	ts := mustTail(t, s, s.URL(), m{"logGroupIdentifiers": []string{tailArn("rt")}})
	ts.start(t)
	time.Sleep(600 * time.Millisecond)
	put(t, s, "rt", "s", "late event")
	for i := 0; i < 100; i++ {
		u := ts.update(t)
		if len(u.SessionResults) == 1 && u.SessionResults[0].Message == "late event" {
			return
		}
	}
	t.Fatal("the late event never came")
}

// TestLiveTailReleasesBudget: a session holds none of the in-flight body bytes.
func TestLiveTailReleasesBudget(t *testing.T) {
	s, url := newTailServer(t, Config{MaxInFlightBytes: bodyBufSize})
	s.budget.maxWait = 300 * time.Millisecond
	setupStream(t, s, "bb", "s")
	ts := mustTail(t, s, url, m{"logGroupIdentifiers": []string{tailArn("bb")}})
	ts.start(t)
	body, _ := json.Marshal(m{"logGroupName": "bb", "logStreamName": "s", "logEvents": events(nowMs())})
	resp, err := http.DefaultClient.Do(signedRequest(t, url+"/", "PutLogEvents", body, testCreds, testNow))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PutLogEvents during a session: %d %s", resp.StatusCode, raw)
	}
}

func TestLiveTailValidation(t *testing.T) {
	s, url := newTailServer(t, Config{})
	setupStream(t, s, "v1", "s")
	setupStream(t, s, "v2", "s")
	ok := []string{tailArn("v1")}
	long := strings.Repeat("x", 1025)
	elevenGroups := make([]string, 11)
	for i := range elevenGroups {
		elevenGroups[i] = tailArn("v1")
	}
	manyStreams := make([]string, 101)
	for i := range manyStreams {
		manyStreams[i] = fmt.Sprint("s", i)
	}
	cases := []struct {
		name string
		in   m
		code string
		want []string // substrings of the message
	}{
		{"no groups", m{}, codeInvalidParameter, []string{"Value null at 'logGroupIdentifiers'", "must not be null"}},
		{"empty groups", m{"logGroupIdentifiers": []string{}}, codeInvalidParameter, []string{"'logGroupIdentifiers'", "greater than or equal to 1"}},
		{"eleven groups", m{"logGroupIdentifiers": elevenGroups}, codeInvalidParameter, []string{"'logGroupIdentifiers'", "less than or equal to 10"}},
		{"bad identifier", m{"logGroupIdentifiers": []string{"arn:aws:logs:us-east-1:123456789012:log-group:a b"}}, codeInvalidParameter, []string{"'logGroupIdentifiers.1.member'", "regular expression"}},
		{"name, not ARN", m{"logGroupIdentifiers": []string{"v1"}}, codeInvalidParameter, []string{"v1", "not a log group ARN"}},
		// The model's pattern refuses an ARN ending with "*" ("the ARN can't end with an asterisk").
		{"ARN with star", m{"logGroupIdentifiers": []string{tailArn("v1") + ":*"}}, codeInvalidParameter, []string{"Value '" + tailArn("v1") + ":*' at 'logGroupIdentifiers.1.member'", "regular expression"}},
		{"unknown group", m{"logGroupIdentifiers": []string{tailArn("nope")}}, codeResourceNotFound, []string{msgGroupNotFound}},
		{"other account", m{"logGroupIdentifiers": []string{"arn:aws:logs:us-east-1:999999999999:log-group:v1"}}, codeResourceNotFound, []string{msgGroupNotFound}},
		{"names and prefixes", m{"logGroupIdentifiers": ok, "logStreamNames": []string{"s"}, "logStreamNamePrefixes": []string{"s"}}, codeInvalidParameter, []string{"mutually exclusive"}},
		{"names with two groups", m{"logGroupIdentifiers": []string{tailArn("v1"), tailArn("v2")}, "logStreamNames": []string{"s"}}, codeInvalidParameter, []string{"exactly one log group"}},
		{"prefixes with two groups", m{"logGroupIdentifiers": []string{tailArn("v1"), tailArn("v2")}, "logStreamNamePrefixes": []string{"s"}}, codeInvalidParameter, []string{"exactly one log group"}},
		{"empty names", m{"logGroupIdentifiers": ok, "logStreamNames": []string{}}, codeInvalidParameter, []string{"'logStreamNames'", "greater than or equal to 1"}},
		{"101 names", m{"logGroupIdentifiers": ok, "logStreamNames": manyStreams}, codeInvalidParameter, []string{"'logStreamNames'", "less than or equal to 100"}},
		{"101 prefixes", m{"logGroupIdentifiers": ok, "logStreamNamePrefixes": manyStreams}, codeInvalidParameter, []string{"'logStreamNamePrefixes'", "less than or equal to 100"}},
		{"bad stream name", m{"logGroupIdentifiers": ok, "logStreamNames": []string{"a:b"}}, codeInvalidParameter, []string{"Value 'a:b' at 'logStreamNames.1.member'", "[^:*]*"}},
		{"empty prefix", m{"logGroupIdentifiers": ok, "logStreamNamePrefixes": []string{""}}, codeInvalidParameter, []string{"Value '' at 'logStreamNamePrefixes.1.member'", "greater than or equal to 1"}},
		{"long pattern", m{"logGroupIdentifiers": ok, "logEventFilterPattern": long}, codeInvalidParameter, []string{"at 'logEventFilterPattern'", "less than or equal to 1024"}},
		{"bad pattern", m{"logGroupIdentifiers": ok, "logEventFilterPattern": "{ $.a = "}, codeInvalidParameter, []string{"Invalid filter pattern"}},
		{"wrong type", m{"logGroupIdentifiers": "v1"}, codeSerialization, []string{"logGroupIdentifiers"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts, r := openTail(t, s, url, c.in)
			if ts != nil {
				t.Fatal("the session started")
			}
			if r.status != 400 || r.errType() != c.code {
				t.Fatalf("status %d %s, want 400 %s: %s", r.status, r.errType(), c.code, r.raw)
			}
			for _, w := range c.want {
				if !strings.Contains(r.message(), w) {
					t.Errorf("message %q lacks %q", r.message(), w)
				}
			}
		})
	}
	if n := s.tails.count(); n != 0 {
		t.Errorf("%d sessions open after refusals", n)
	}
}

// TestLiveTailRejectedNotTailed: events PutLogEvents rejects (too old, too new) are not
// ingested, so not tailed.
func TestLiveTailRejectedNotTailed(t *testing.T) {
	s, url := newTailServer(t, Config{})
	setupStream(t, s, "rj", "s")
	ts := mustTail(t, s, url, m{"logGroupIdentifiers": []string{tailArn("rj")}})
	ts.start(t)
	evs := []m{
		{"timestamp": nowMs() - tooOldMs - 1, "message": "too old"},
		{"timestamp": nowMs(), "message": "fine"},
		{"timestamp": nowMs() + tooNewMs + 1, "message": "too new"},
	}
	r := mustOK(t, s, "PutLogEvents", m{"logGroupName": "rj", "logStreamName": "s", "logEvents": evs})
	if r.body["rejectedLogEventsInfo"] == nil {
		t.Fatalf("nothing rejected: %s", r.raw)
	}
	if got := ts.collect(t, 2); !slices.Equal(got, []string{"s|fine"}) {
		t.Errorf("tailed %q, want only the accepted event", got)
	}
}

// smallBufListener gives the connections it accepts a small send buffer, so that a
// writer to a client that does not read blocks after a few kilobytes.
type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

// stalledTail starts a session on a connection that is never read and blocks its writer
// with a batch far larger than the connection's buffers. It returns the session.
func stalledTail(t *testing.T, s *Server, hs *httptest.Server, group string) *tailSession {
	t.Helper()
	body, _ := json.Marshal(m{"logGroupIdentifiers": []string{tailArn(group)}})
	req := signedRequest(t, hs.URL+"/", "StartLiveTail", body, testCreds, testNow)
	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	var sess *tailSession
	waitTail(t, "session open", func() bool {
		s.tails.mu.Lock()
		defer s.tails.mu.Unlock()
		for x := range s.tails.sessions {
			sess = x
		}
		return sess != nil
	})
	big := strings.Repeat("x", 100<<10)
	put(t, s, group, "s", big, big, big, big, big, big, big, big, big) // 900 KiB
	// The writer takes no update for more than maxTailQueuedUpdates ticks: it is blocked.
	waitTail(t, "the writer blocked", func() bool {
		sess.mu.Lock()
		defer sess.mu.Unlock()
		return sess.dropped > 0 || sess.end != tailRunning
	})
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.end != tailRunning {
		t.Fatalf("the session ended (%d) before its writer blocked", sess.end)
	}
	return sess
}

// TestLiveTailTimeoutStalledReader: a client that keeps its connection open but stops
// reading cannot keep its session (and its place in the quota) past the timeout: the
// writer blocked on it is given a write deadline when the session times out.
func TestLiveTailTimeoutStalledReader(t *testing.T) {
	const timeout = 1500 * time.Millisecond
	s := newTestServer(t, Config{LiveTailTimeout: timeout})
	hs := httptest.NewUnstartedServer(s)
	hs.Listener = smallBufListener{hs.Listener}
	hs.Start()
	t.Cleanup(hs.Close)
	setupStream(t, s, "stall", "s")
	stalledTail(t, s, hs, "stall")
	for deadline := time.Now().Add(timeout + tailEndGrace + 5*time.Second); s.tails.count() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a session whose client stopped reading outlived its timeout")
		}
	}
}

// TestLiveTailIngestionOrder: an update lists its events as they were ingested (the
// order GetLogEvents gives events of one timestamp), even when concurrent PutLogEvents
// requests return from their commit in another order.
func TestLiveTailIngestionOrder(t *testing.T) {
	s, url := newTailServer(t, Config{})
	setupStream(t, s, "ord", "s")
	ts := mustTail(t, s, url, m{"logGroupIdentifiers": []string{tailArn("ord")}})
	ts.start(t)
	const writers, puts, per = 8, 25, 2
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range puts {
				evs := make([]m, per)
				for e := range evs {
					evs[e] = m{"timestamp": nowMs(), "message": fmt.Sprintf("w%d p%02d e%d", w, p, e)}
				}
				if r := call(t, s, "PutLogEvents", m{"logGroupName": "ord", "logStreamName": "s", "logEvents": evs}); r.status != 200 {
					t.Errorf("PutLogEvents: %d %s", r.status, r.raw)
				}
			}
		}()
	}
	var updates [][]string
	for n := 0; n < writers*puts*per; {
		u := ts.update(t)
		var msgs []string
		for _, e := range u.SessionResults {
			msgs = append(msgs, e.Message)
		}
		n += len(msgs)
		updates = append(updates, msgs)
	}
	wg.Wait()
	r := mustOK(t, s, "GetLogEvents", m{"logGroupName": "ord", "logStreamName": "s", "startFromHead": true})
	pos := map[string]int{}
	for i, e := range r.body["events"].([]any) {
		pos[e.(map[string]any)["message"].(string)] = i
	}
	if len(pos) != writers*puts*per {
		t.Fatalf("GetLogEvents returned %d events", len(pos))
	}
	for _, msgs := range updates {
		for i := 1; i < len(msgs); i++ {
			if pos[msgs[i-1]] > pos[msgs[i]] {
				t.Fatalf("update lists %q before %q, ingested after it", msgs[i-1], msgs[i])
			}
		}
	}
}

// TestLiveTailTimeoutSendsLastEvents: the events ingested since the last update are sent
// before the SessionTimeoutException, not lost with the session.
func TestLiveTailTimeoutSendsLastEvents(t *testing.T) {
	s, url := newTailServer(t, Config{LiveTailTimeout: 500 * time.Millisecond})
	s.tailTick = time.Hour // no update but the last
	setupStream(t, s, "last", "s")
	ts := mustTail(t, s, url, m{"logGroupIdentifiers": []string{tailArn("last")}})
	ts.start(t)
	put(t, s, "last", "s", "just before the timeout")
	u := ts.update(t)
	if len(u.SessionResults) != 1 || u.SessionResults[0].Message != "just before the timeout" {
		t.Fatalf("last update %+v, want the event put before the timeout", u.SessionResults)
	}
	if msg := ts.next(t); msg == nil || msg.Headers.String(eventstream.ExceptionTypeHeader) != exSessionTimeout {
		t.Fatalf("after the last update: %+v, want a SessionTimeoutException", msg)
	}
}
