package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwlogs/cwlogs"
)

// TestTailerPolling drives the follow loop against a scripted
// FilterLogEvents: throttling doubles the wait, success resets it to 1 s,
// pages are followed, repeated events are printed once, and each poll starts
// at the overlap window.
func TestTailerPolling(t *testing.T) {
	type answer struct {
		status int
		body   string
	}
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
	defer srv.Close()
	cl, err := cwlogs.New("us-east-1", "AKID", "secret", cwlogs.WithEndpoint(srv.URL), cwlogs.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	m := &Main{Stdout: &stdout, Stderr: &stderr, g: globals{output: "json"}}
	m.out = newPrinter(m)
	var waits []time.Duration
	tr := &tailer{m: m, cl: cl, group: "g", start: 5000, seen: map[string]int64{},
		sleep: func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			return ctx.Err()
		}}
	err = tr.run(ctx, true)
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
