package cwlogs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestConcurrentUse shares one client between goroutines (run with -race):
// every request must arrive intact and verify, with pooled buffers reused.
func TestConcurrentUse(t *testing.T) {
	var mu sync.Mutex
	tries := map[string]int{}
	f := newFakeLogs(t, func(n int, s seen, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tries[s.Body]++
		first := tries[s.Body] == 1
		mu.Unlock()
		if first && len(s.Body)%3 == 0 {
			status(500, "InternalFailure", "x")(w) // about a third of the calls retry once
			return
		}
		ok200(w)
	})
	c := newTestClient(t, f)
	const workers, calls = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				msg := fmt.Sprintf("worker %d call %d %s", w, i, string(make([]byte, (w*calls+i)%300)))
				in := &PutLogEventsInput{LogGroupName: "g", LogStreamName: fmt.Sprint("s", w), LogEvents: []InputLogEvent{{int64(i), msg}}}
				if _, err := c.PutLogEvents(context.Background(), in); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := map[string]bool{}
	for _, r := range f.requests() {
		if r.VerifyErr != nil {
			t.Fatalf("request does not verify: %v (body %q)", r.VerifyErr, r.Body)
		}
		var in struct {
			LogStreamName string `json:"logStreamName"`
			LogEvents     []struct {
				Message string `json:"message"`
			} `json:"logEvents"`
		}
		if err := json.Unmarshal([]byte(r.Body), &in); err != nil || len(in.LogEvents) != 1 {
			t.Fatalf("corrupt body %q: %v", r.Body, err)
		}
		got[in.LogEvents[0].Message] = true
	}
	if len(got) != workers*calls {
		t.Errorf("distinct messages received = %d, want %d", len(got), workers*calls)
	}
}
