package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
	"github.com/cwlogs/cwlogs/internal/credchain"
)

// TestTailerPolling drives the follow loop against a scripted
// FilterLogEvents: throttling doubles the wait, success resets it to 1 s,
// pages are followed, repeated events are printed once, and each poll starts
// at the overlap window.
func TestTailerPolling(t *testing.T) {
	script := []answer{
		{200, `{"events":[{"logStreamName":"s","timestamp":10000,"message":"a","ingestionTime":1,"eventId":"A"}],"nextToken":"p2"}`},
		{200, `{"events":[{"logStreamName":"s","timestamp":12000,"message":"b","ingestionTime":1,"eventId":"B"}]}`},
		{400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`},
		{400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`},
		{200, `{"events":[{"logStreamName":"s","timestamp":12000,"message":"b","ingestionTime":1,"eventId":"B"},{"logStreamName":"s","timestamp":9000,"message":"late","ingestionTime":2,"eventId":"L"}]}`},
		{200, `{"events":[{"logStreamName":"s","timestamp":12000,"message":"b","ingestionTime":1,"eventId":"B"}]}`},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cl, requests := scriptedFilter(t, cancel, script)
	var stdout, stderr strings.Builder
	m := &Main{Stdout: &stdout, Stderr: &stderr, g: globals{output: "json"}}
	m.out = newPrinter(m)
	var waits []time.Duration
	tr := &tailer{m: m, cl: cl, group: "g", start: 5000, seen: map[string]int64{},
		sleep: func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			return ctx.Err()
		},
		now: func() time.Time { return time.UnixMilli(20_000) }}
	err := tr.run(ctx, true)
	if err == nil || ctx.Err() == nil {
		t.Fatalf("run ended with %v before the script did", err)
	}

	var msgs []string
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var e eventJSON
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		msgs = append(msgs, e.Message)
	}
	if want := []string{"a", "b", "late"}; !reflect.DeepEqual(msgs, want) {
		t.Errorf("printed %q, want %q", msgs, want)
	}
	wantWaits := []time.Duration{tailPageGap, tailInterval, 2 * time.Second, 4 * time.Second, tailInterval, tailInterval}
	if !reflect.DeepEqual(waits, wantWaits) {
		t.Errorf("waits %v, want %v", waits, wantWaits)
	}
	if got := strings.Count(stderr.String(), "cwlogs: ThrottlingException: Rate exceeded (retrying in"); got != 2 {
		t.Errorf("stderr: %q", stderr.String())
	}
	reqs := requests()
	starts := make([]float64, len(reqs))
	for i, r := range reqs {
		starts[i], _ = r["startTime"].(float64)
	}
	// Poll 1 (two pages) from the start; later polls from newest-5s = 7000.
	if want := []float64{5000, 5000, 7000, 7000, 7000, 7000}; !reflect.DeepEqual(starts[:6], want) {
		t.Errorf("startTime per request %v, want %v", starts, want)
	}
	if reqs[1]["nextToken"] != "p2" {
		t.Errorf("second page not requested with the token: %v", reqs[1])
	}
}

// TestTailBadSince: a --since value that is not a time is a usage error
// naming the flag and the value (exit 2), as aws logs tail refuses it, and
// never a crash. An empty value used to dereference a nil start time.
func TestTailBadSince(t *testing.T) {
	// A complete configuration, so that nothing but --since can fail; no
	// request is sent.
	setTestEnv(t)
	for _, since := range []string{"", " ", "yesterday", "10x", "2024-13-01"} {
		var stdout, stderr strings.Builder
		m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		err := m.Run(context.Background(), []string{"--endpoint-url", "http://127.0.0.1:1", "tail", "g", "--since", since})
		want := strconv.Quote(since)
		if strings.TrimSpace(since) == "" {
			want = "empty time"
		}
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--since") || !strings.Contains(err.Error(), want) {
			t.Errorf("tail --since %q: error %v, want a usage error naming --since and %s", since, err, want)
		}
		if code := m.Report(context.Background(), err); code != exitUsage {
			t.Errorf("tail --since %q: exit %d, want %d", since, code, exitUsage)
		}
	}
}

// setTestEnv gives the in-process client test credentials and a region, and
// keeps it away from the user's ~/.aws files and the instance metadata
// service.
func setTestEnv(t *testing.T) {
	dir := t.TempDir()
	credchain.SetEnv(t, map[string]string{ // every other AWS_ variable unset
		"AWS_ACCESS_KEY_ID": "AKIDCLITEST", "AWS_SECRET_ACCESS_KEY": "cli-test-secret",
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
	})
}

// TestTailInterrupted: Ctrl-C while tail is reading ends with status 130
// without --follow (as aws logs tail and every other cwlogs command), and
// with 0 with --follow, where Ctrl-C is the normal way to stop (as aws logs
// tail --follow). The server stands for the user: it "presses Ctrl-C" (cancels
// the context) while the request is in flight, and answers nothing.
func TestTailInterrupted(t *testing.T) {
	setTestEnv(t)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"tail", "g"}, exitInterrupted},
		{[]string{"tail", "g", "--since", "1h"}, exitInterrupted},
		{[]string{"tail", "g", "--follow"}, exitOK},
		{[]string{"tail", "g", "-f"}, exitOK},
	}
	for _, tc := range tests {
		ctx, cancel := context.WithCancel(context.Background())
		finished := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			cancel()
			select {
			case <-r.Context().Done():
			case <-finished:
			}
		}))
		var stdout, stderr strings.Builder
		m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		err := m.Run(ctx, append([]string{"--endpoint-url", srv.URL}, tc.args...))
		if code := m.Report(ctx, err); code != tc.want {
			t.Errorf("%q interrupted: exit %d (error %v), want %d", tc.args, code, err, tc.want)
		}
		close(finished)
		srv.Close()
		cancel()
	}
}

// answer is one scripted answer of scriptedFilter.
type answer struct {
	status int
	body   string
}

// ok200 scripts 200 answers with these bodies.
func ok200(bodies ...string) []answer {
	out := make([]answer, len(bodies))
	for i, b := range bodies {
		out[i] = answer{200, b}
	}
	return out
}

// scriptedFilter serves FilterLogEvents answers from script (one per request, in order),
// records each request's input, and cancels ctx when the script is used up.
func scriptedFilter(t *testing.T, cancel context.CancelFunc, script []answer) (*cwlogs.Client, func() []map[string]any) {
	t.Helper()
	var mu sync.Mutex
	var reqs []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in map[string]any
		json.Unmarshal(body, &in)
		mu.Lock()
		i := len(reqs)
		reqs = append(reqs, in)
		mu.Unlock()
		if i >= len(script) {
			cancel()
			w.WriteHeader(500)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(script[i].status)
		io.WriteString(w, script[i].body)
	}))
	t.Cleanup(srv.Close)
	cl, err := cwlogs.New("us-east-1", "AKID", "secret", cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return cl, func() []map[string]any { mu.Lock(); defer mu.Unlock(); return reqs }
}

// TestTailFutureEventDoesNotHideLaterOnes: an event stamped an hour ahead (a writer whose
// clock is fast; the service accepts up to 2 h) must not move the next poll's start past
// now: before, --follow showed nothing more for an hour.
func TestTailFutureEventDoesNotHideLaterOnes(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	ms := now.UnixMilli()
	ev := func(ts int64, id string) string {
		return `{"logStreamName":"s","timestamp":` + strconv.FormatInt(ts, 10) + `,"message":"` + id + `","ingestionTime":1,"eventId":"` + id + `"}`
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cl, reqs := scriptedFilter(t, cancel, ok200(
		`{"events":[`+ev(ms-1000, "A")+`,`+ev(ms+3_600_000, "F")+`]}`,
		`{"events":[`+ev(ms-500, "N")+`]}`,
	))
	var stdout strings.Builder
	m := &Main{Stdout: &stdout, Stderr: io.Discard, g: globals{output: "json"}}
	m.out = newPrinter(m)
	tr := &tailer{m: m, cl: cl, group: "g", start: ms - 60_000, seen: map[string]int64{},
		sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		now:   func() time.Time { return now }}
	_ = tr.run(ctx, true)
	r := reqs()
	if len(r) < 2 {
		t.Fatalf("%d requests", len(r))
	}
	if got, want := int64(r[1]["startTime"].(float64)), ms-tailOverlap.Milliseconds(); got != want {
		t.Errorf("second poll starts at now%+d ms, want now%+d ms", got-ms, want-ms)
	}
}

// TestTailForgetsIDsPageByPage: a long first poll (--since 1w) keeps only the ids of the
// overlap window, page after page, not every event of the poll; without --follow it keeps none.
func TestTailForgetsIDsPageByPage(t *testing.T) {
	page := func(p int, last bool) string {
		var evs []string
		for j := range 100 {
			n := p*100 + j
			evs = append(evs, `{"logStreamName":"s","timestamp":`+strconv.Itoa(10_000+n*1000)+`,"message":"m","ingestionTime":1,"eventId":"E`+strconv.Itoa(n)+`"}`)
		}
		tok := `,"nextToken":"p` + strconv.Itoa(p+1) + `"`
		if last {
			tok = ""
		}
		return `{"events":[` + strings.Join(evs, ",") + `]` + tok + `}`
	}
	pages := []string{page(0, false), page(1, false), page(2, true)}
	for _, follow := range []bool{true, false} {
		ctx, cancel := context.WithCancel(context.Background())
		cl, _ := scriptedFilter(t, cancel, ok200(pages...))
		m := &Main{Stdout: io.Discard, Stderr: io.Discard, g: globals{output: "json"}}
		m.out = newPrinter(m)
		var held []int
		tr := &tailer{m: m, cl: cl, group: "g", start: 0, seen: map[string]int64{},
			now: func() time.Time { return time.UnixMilli(310_000) }} // just after the newest event (309 s)
		tr.sleep = func(ctx context.Context, d time.Duration) error {
			if d == tailPageGap {
				held = append(held, len(tr.seen))
			}
			return ctx.Err()
		}
		_ = tr.run(ctx, follow)
		cancel()
		// 1 s apart, so a 5 s window holds the 6 newest ids (ts >= newest-5 s).
		want := []int{6, 6}
		if !follow {
			want = nil
			if len(tr.seen) != 0 {
				t.Errorf("without --follow: %d ids kept", len(tr.seen))
			}
		}
		if !reflect.DeepEqual(held, want) {
			t.Errorf("follow=%v: ids held between pages %v, want %v", follow, held, want)
		}
	}
}

// TestTailQuietPollsReadBackBounded: while nothing new is printed (a rare --pattern), each
// poll reads back at most tailQuietLag before the previous poll, not to --since: with
// --since 1d, every one-second poll re-read a whole day of the group.
func TestTailQuietPollsReadBackBounded(t *testing.T) {
	var mu sync.Mutex
	now := time.UnixMilli(1_700_000_000_000)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cl, reqs := scriptedFilter(t, cancel, ok200(`{"events":[]}`, `{"events":[]}`, `{"events":[]}`))
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, g: globals{output: "json"}}
	m.out = newPrinter(m)
	day := 24 * time.Hour
	tr := &tailer{m: m, cl: cl, group: "g", start: now.Add(-day).UnixMilli(), seen: map[string]int64{}, now: clock,
		sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			now = now.Add(d)
			mu.Unlock()
			return ctx.Err()
		}}
	_ = tr.run(ctx, true)
	r := reqs()
	if len(r) < 3 {
		t.Fatalf("%d requests", len(r))
	}
	base := time.UnixMilli(1_700_000_000_000)
	want := []int64{base.Add(-day).UnixMilli(), base.Add(-tailQuietLag).UnixMilli(), base.Add(tailInterval - tailQuietLag).UnixMilli()}
	for i, w := range want {
		if got := int64(r[i]["startTime"].(float64)); got != w {
			t.Errorf("poll %d starts %v before the first poll, want %v", i+1, base.Sub(time.UnixMilli(got)), base.Sub(time.UnixMilli(w)))
		}
	}
}
